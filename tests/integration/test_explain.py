"""`aws-iam-authenticator explain`: the operator's answer to "Unauthorized"."""

import subprocess

import pytest

import harness

CONFIG = """\
clusterID: c
server:
  backendMode: [EKSConfigMapFile, MountedFile]
  awsAuthPath: {aws_auth}
  mapRoles:
  - rolearn: arn:aws:iam::111122223333:role/Admin
    username: admin:{{{{SessionName}}}}
    groups: [system:masters]
  - rolearn: arn:aws:iam::111122223333:role/dev-*
    username: dev:{{{{SessionName}}}}
    groups: [developers]
  - sso: {{permissionSetName: ReadOnly, accountID: "111122223333"}}
    username: sso-reader
    groups: [viewers]
  mapAccounts: ["444455556666"]
"""

AWS_AUTH = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/NodeInstanceRole
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
"""


@pytest.fixture
def explain(tmp_path):
    aws_auth = tmp_path / "aws-auth.yaml"
    aws_auth.write_text(AWS_AUTH)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(aws_auth=aws_auth))

    def run(arn, *extra):
        result = subprocess.run(
            [str(harness.SERVER), "explain", "--config", str(config), "--feature-gates", "SSORoleMatch=true",
             "--arn", arn, *extra],
            capture_output=True, text=True, timeout=30,
        )
        return result.returncode, result.stdout + result.stderr

    return run


def test_exact_role(explain):
    status, out = explain("arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com")
    assert status == 0, out
    assert "canonical ARN:  arn:aws:iam::111122223333:role/Admin" in out
    assert "result: mapped by MountedFile server.mapRoles[0] (exact ARN)" in out
    assert "username: admin:alice-example.com" in out
    assert "groups:   system:masters" in out


def test_pattern_and_sso(explain):
    status, out = explain("arn:aws:sts::111122223333:assumed-role/dev-frontend/bob")
    assert status == 0, out
    assert "server.mapRoles[1] (pattern)" in out
    assert "username: dev:bob" in out
    status, out = explain("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/carol")
    assert status == 0, out
    assert "server.mapRoles[2] (IAM Identity Center permission set)" in out


def test_aws_auth_node_role_and_account(explain):
    status, out = explain("arn:aws:sts::111122223333:assumed-role/NodeInstanceRole/i-0123456789abcdef0")
    # explain makes no EC2 call: the name stands in, and the lookup is described.
    assert status == 0, out
    assert "matched mapRoles[0] (exact ARN): arn:aws:iam::111122223333:role/NodeInstanceRole" in out
    assert "username: system:node:<private DNS name of i-0123456789abcdef0>" in out
    assert "EC2 DescribeInstances" in out
    status, out = explain("arn:aws:iam::444455556666:user/anyone", "--access-key-id", "AKIAEXAMPLE")
    assert status == 0, out
    assert "(mapAccounts)" in out
    assert "username: arn:aws:iam::444455556666:user/anyone" in out


def test_no_match_lists_the_nearest_entries_and_why(explain):
    status, out = explain("arn:aws:sts::111122223333:assumed-role/Admn/alice")
    assert status == 1, out
    assert "result: NOT MAPPED: identity is not mapped" in out
    assert "server.mapRoles[0] arn:aws:iam::111122223333:role/Admin: role name differs" in out
    assert "server.mapRoles[1] arn:aws:iam::111122223333:role/dev-*: pattern does not match the resource" in out
    assert "role is not AWSReservedSSO_ReadOnly_<16 hex digits>" in out
    assert "mapAccounts : account 111122223333 is not listed" in out
    status, out = explain("arn:aws:sts::999999999999:assumed-role/Admin/alice")
    assert status == 1
    assert "role/Admin: account differs" in out


def test_unanswerable_questions_exit_2(explain, tmp_path):
    status, out = explain("not-an-arn")
    assert status == 2
    assert "is invalid" in out
    status, out = explain("arn:aws:iam::111122223333:role/Admin", "--backend-mode", "Magic")
    assert status == 2
    assert "config key server.backendMode" in out


def test_sso_entries_need_the_feature_gate(tmp_path):
    aws_auth = tmp_path / "aws-auth.yaml"
    aws_auth.write_text(AWS_AUTH)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(aws_auth=aws_auth))
    result = subprocess.run(
        [str(harness.SERVER), "explain", "--config", str(config),
         "--arn", "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/carol"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert "sso entries need --feature-gates=SSORoleMatch=true" in result.stdout


DUPLICATES = """\
clusterID: c
server:
  mapRoles:
  - roleARN: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: kubernetes-admin
    groups: [system:masters]
  - roleARN: arn:aws:iam::000000000000:role/KubernetesNode
    username: aws:{{AccountID}}:instance:{{SessionName}}
    groups: [system:bootstrappers, aws:instances]
  - roleARN: arn:aws:iam::000000000000:role/KubernetesNode
    username: system:node:{{EC2PrivateDNSName}}
    groups: [system:bootstrappers, system:nodes]
  - roleARN: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: admin:{{SessionName}}
    groups: [system:masters]
  - roleARN: arn:aws:iam::000000000000:role/eks/ops/Operator
    username: operator
"""


def test_an_arn_mapped_twice_answers_as_upstream_the_last_entry(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(DUPLICATES)

    def explain(arn):
        result = subprocess.run([str(harness.SERVER), "explain", "--config", str(config), "--arn", arn],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    out = explain("arn:aws:sts::000000000000:assumed-role/KubernetesNode/i-0123456789abcdef0")
    assert "result: mapped by MountedFile server.mapRoles[2] (exact ARN)" in out
    assert "username: system:node:<private DNS name of i-0123456789abcdef0>" in out
    assert "server.mapRoles[1]" in out and "is never used: server.mapRoles[2] maps the same role" in out
    out = explain("arn:aws:sts::000000000000:assumed-role/KubernetesAdmin/jane")
    assert "result: mapped by MountedFile server.mapRoles[3] (exact ARN)" in out
    assert "username: admin:jane" in out
    out = explain("arn:aws:sts::000000000000:assumed-role/Operator/op")
    assert "result: mapped by MountedFile server.mapRoles[4] (ARN without its path)" in out
