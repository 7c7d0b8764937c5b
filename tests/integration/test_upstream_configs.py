"""Configs written for upstream, started unchanged (only where the state
lives and where STS is moved by flags): the full configuration upstream's
README documents, a kops-style rendering and an EKS-style config. Each
answers as upstream would, serves upstream's health endpoints and logs
upstream's keys."""

import http.client
import json
import re
import time

import harness
from certificates import make_pair

# Callers in the accounts these configs name. Keys are test values.
ADMIN_SESSION = {"accessKeyId": "ASIAUPADMINEXAMPLE01", "secretAccessKey": "up-admin-secret",
                 "sessionToken": "up-admin-session",
                 "arn": "arn:aws:sts::000000000000:assumed-role/KubernetesAdmin/alice@example.com"}
OTHER_ADMIN = {"accessKeyId": "ASIAUPOTHERADMIN0001", "secretAccessKey": "up-other-secret",
               "sessionToken": "up-other-session",
               "arn": "arn:aws:sts::000000000000:assumed-role/KubernetesOtherAdmin/bob"}
NODE = {"accessKeyId": "ASIAUPNODEEXAMPLE001", "secretAccessKey": "up-node-secret", "sessionToken": "up-node-session",
        "arn": "arn:aws:sts::000000000000:assumed-role/KubernetesNode/i-0123456789abcdef0"}
ALICE_USER = {"accessKeyId": "AKIAUPALICEEXAMPLE01", "secretAccessKey": "up-alice-secret",
              "arn": "arn:aws:iam::000000000000:user/Alice"}
ACCOUNT_USER = {"accessKeyId": "AKIAUPACCOUNTUSER001", "secretAccessKey": "up-account-secret",
                "arn": "arn:aws:iam::012345678901:user/someone"}
EKS_NODE = {"accessKeyId": "ASIAEKSNODEEXAMPLE01", "secretAccessKey": "eks-node-secret",
            "sessionToken": "eks-node-session", "userId": "AROAEKSNODEROLE00001:i-0fedcba9876543210",
            "arn": "arn:aws:sts::000000000000:assumed-role/eks-nodes/i-0fedcba9876543210"}
EKS_SNEAKY = {"accessKeyId": "ASIAEKSSNEAKYEXAMPL1", "secretAccessKey": "eks-sneaky-secret",
              "sessionToken": "eks-sneaky-session", "userId": "AROAEKSSNEAKYROLE001:me",
              "arn": "arn:aws:sts::000000000000:assumed-role/sneaky/me"}
CALLERS = [ADMIN_SESSION, OTHER_ADMIN, NODE, ALICE_USER, ACCOUNT_USER, EKS_NODE, EKS_SNEAKY]

# The shape and entries of upstream's "Full Configuration Format" (README),
# duplicates included: two entries each for KubernetesAdmin,
# KubernetesNode and KubernetesOtherAdmin, of which upstream uses the last.
README_CONFIG = """\
# a unique-per-cluster identifier
clusterID: {cluster_id}

# the role `token` assumes by default
defaultRole: arn:aws:iam::000000000000:role/KubernetesAdmin

server:
  port: 21362 # (default)
  stateDir: /var/aws-iam-authenticator # (default)
  generateKubeconfig: /etc/kubernetes/aws-iam-authenticator.kubeconfig # (default)
  ec2DescribeInstancesRoleARN: arn:aws:iam::000000000000:role/DescribeInstancesRole
  scrubbedAccounts:
  - "111122223333"
  - "222233334444"
  mapRoles:
  - rolearn: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: kubernetes-admin
    groups:
    - system:masters
  - rolearn: arn:aws:iam::000000000000:role/KubernetesNode
    username: aws:{{{{AccountID}}}}:instance:{{{{SessionName}}}}
    groups:
    - system:bootstrappers
    - aws:instances
  - rolearn: arn:aws:iam::000000000000:role/KubernetesNode
    username: system:node:{{{{EC2PrivateDNSName}}}}
    groups:
    - system:nodes
    - system:bootstrappers
  - rolearn: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: admin:{{{{SessionName}}}}
    groups:
    - system:masters
  - rolearn: arn:aws:iam::000000000000:role/KubernetesOtherAdmin
    username: "{{{{SessionName}}}}"
    groups:
    - system:masters
  - rolearn: arn:aws:iam::000000000000:role/KubernetesOtherAdmin
    username: "admin:{{{{AccessKeyID}}}}"
    groups:
    - system:masters
  mapUsers:
  - userarn: arn:aws:iam::000000000000:user/Alice
    username: alice
    groups:
    - system:masters
  mapAccounts:
  - "012345678901"
  - "456789012345"
  backendMode:
  - MountedFile
"""

# kops renders the config into a ConfigMap (clusterID and the mappings) and
# the rest into the DaemonSet's arguments; the certificate comes from its PKI.
KOPS_CONFIG = """\
clusterID: {cluster_id}
server:
  mapRoles:
  - rolearn: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: kubernetes-admin
    groups:
    - system:masters
"""

# EKS-style: the node mappings in the DynamicFile, keyed by the STS user ID,
# with reserved username prefixes per backend (including the API ones, applied
# when they run) and the backend-mode file that can switch the chain.
EKS_CONFIG = """\
clusterID: {cluster_id}
server:
  port: 21362
  stateDir: {state_dir}
  generateKubeconfig: {kubeconfig}
  backendMode: [MountedFile, DynamicFile]
  dynamicfilepath: {dynamic}
  dynamicfileUserIDStrict: true
  dynamicBackendModePath: {work}/backend-mode.json
  reservedPrefixConfig:
  - backendmode: DynamicFile
    usernamePrefixReserveList: ["aws:", "amazon:", "iam:"]
  - backendmode: EKSConfigMap
    usernamePrefixReserveList: ["aws:", "amazon:", "eks:", "iam:"]
  - backendmode: CRD
    usernamePrefixReserveList: ["aws:", "amazon:", "eks:", "iam:"]
  mapRoles:
  - rolearn: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: kubernetes-admin
    groups: [system:masters]
"""


def emulator_for(start_emulator):
    return start_emulator(world={"identities": CALLERS})


def sts_flags(emulator):
    return ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file]


def user(server, identity):
    status, answer = server.review(harness.sign_token(identity))
    assert status in (200, 403), answer
    return answer["status"].get("user") if answer["status"]["authenticated"] else None


def plain_get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def check_health(server):
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")
    assert server.post(None, path="/readyz", method="GET") == (200, "ok")
    assert plain_get(server.health_port, "/healthz") == (200, "ok")


def check_log_keys(server):
    """Upstream's keys on its request lines (test_monitoring holds the full set)."""
    # Access lines leave in batches from the log writer's thread: wait for them.
    harness.wait_until(lambda: any('msg="access granted"' in line for line in server.process.output),
                       what="an access granted line")
    lines = list(server.process.output)
    sts = [line for line in lines if 'msg="STS response"' in line]
    granted = [line for line in lines if 'msg="access granted"' in line]
    assert sts and granted, lines
    for line in sts:
        for key in ("path=/authenticate", "client=", "method=POST", "accesskeyid=", "arn=", "accountid=", "userid=",
                    "session=", "stsendpoint="):
            assert key in line, (key, line)
    for line in granted:
        for key in ("path=/authenticate", "client=", "method=POST", "arn=", "username=", "uid=", "groups=",
                    "stsendpoint="):
            assert key in line, (key, line)


def test_upstreams_documented_full_config_answers_as_upstream(start_server, start_emulator, tmp_path):
    emulator = emulator_for(start_emulator)
    config = README_CONFIG.format(cluster_id=harness.CLUSTER_ID)
    # Only the places on disk move (flags win over the file), so the file stays as written.
    server = start_server([*sts_flags(emulator), "--port", "0", "--state-dir", tmp_path / "state",
                           "--generate-kubeconfig", tmp_path / "kubeconfig.yaml"], config_text=config)
    text = server.process.text()
    for shadowed, winner in ((0, 3), (1, 2), (4, 5)):
        assert re.search(rf'server\.mapRoles\[{shadowed}\]: \\"arn:[^"]+\\" is never used: server\.mapRoles\[{winner}\] '
                         r"maps the same role or user later, and the last entry wins", text), (shadowed, text)
    # Upstream reads `role`, not the README's `defaultRole`: ignored there too, said here.
    assert "defaultRole: unknown key, ignored" in text

    # The last entry for each role, as upstream's map keeps it.
    admin = user(server, ADMIN_SESSION)
    assert (admin["username"], admin["groups"]) == ("admin:alice-example.com", ["system:masters"])
    assert admin["uid"].startswith("aws-iam-authenticator:000000000000:AROA")
    other = user(server, OTHER_ADMIN)
    assert other["username"] == "admin:" + OTHER_ADMIN["accessKeyId"]
    alice = user(server, ALICE_USER)
    assert (alice["username"], alice["groups"]) == ("alice", ["system:masters"])
    account = user(server, ACCOUNT_USER)
    assert account["username"] == ACCOUNT_USER["arn"] and "groups" not in account
    # KubernetesNode's last entry needs EC2 (system:node:{{EC2PrivateDNSName}});
    # without AWS credentials here it is denied saying so, not mapped by the first.
    assert user(server, NODE) is None
    server.process.wait_for_text("failed querying private DNS from EC2 API for node i-0123456789abcdef0")
    check_health(server)
    check_log_keys(server)


def test_a_kops_style_daemonset_command_line_starts_unchanged(start_server, start_emulator, tmp_path):
    emulator = emulator_for(start_emulator)
    state = tmp_path / "var-aws-iam-authenticator"
    state.mkdir()
    cert_pem, key_pem, _ = make_pair(host="127.0.0.1")  # what kops' PKI puts there
    (state / "cert.pem").write_bytes(cert_pem)
    (state / "key.pem").write_bytes(key_pem)
    (state / "key.pem").chmod(0o600)
    kubeconfig = tmp_path / "kubeconfig.yaml"
    # kops' arguments (harness.Server adds `--config` for the file it writes),
    # then the test's own: a free port, STS moved to the emulator.
    kops_args = [f"--state-dir={state}", "--kubeconfig-pregenerated=true", "--backend-mode=MountedFile"]
    server = start_server([*kops_args, *sts_flags(emulator), "--port", "0", f"--generate-kubeconfig={kubeconfig}"],
                          config_text=KOPS_CONFIG.format(cluster_id=harness.CLUSTER_ID))
    assert 'msg="reusing certificate"' in server.process.text()
    assert not kubeconfig.exists()  # pregenerated: kops wrote it, the server leaves it alone
    admin = user(server, ADMIN_SESSION)
    assert admin["username"] == "kubernetes-admin"
    check_health(server)
    check_log_keys(server)


def test_an_eks_style_config_with_reserved_prefixes_and_a_dynamic_file(start_server, start_emulator, tmp_path):
    emulator = emulator_for(start_emulator)
    dynamic = tmp_path / "mapping.json"
    dynamic.write_text(json.dumps({
        "Version": "1", "LastUpdatedDateTime": str(int(time.time())),
        "mapRoles": [
            {"rolearn": "arn:aws:iam::000000000000:role/eks-nodes", "userid": EKS_NODE["userId"].split(":")[0],
             "username": "system:node:{{SessionName}}", "groups": ["system:nodes", "system:bootstrappers"]},
            {"rolearn": "arn:aws:iam::000000000000:role/sneaky", "userid": EKS_SNEAKY["userId"].split(":")[0],
             "username": "aws:sneaky", "groups": ["system:masters"]},
        ],
    }))
    (tmp_path / "backend-mode.json").write_text(json.dumps({
        "backendMode": "MountedFile DynamicFile", "Version": "1", "LastUpdatedDateTime": str(int(time.time()))}))
    config = EKS_CONFIG.format(cluster_id=harness.CLUSTER_ID, state_dir=tmp_path / "state",
                               kubeconfig=tmp_path / "kubeconfig.yaml", dynamic=dynamic, work=tmp_path)
    server = start_server([*sts_flags(emulator), "--port", "0"], config_text=config)
    text = server.process.text()
    assert "backend-mode file read; the chain is unchanged" in text

    node = user(server, EKS_NODE)
    assert (node["username"], node["groups"]) == ("system:node:i-0fedcba9876543210",
                                                   ["system:nodes", "system:bootstrappers"])
    # A DynamicFile entry may not produce a reserved prefix: denied with upstream's words.
    assert user(server, EKS_SNEAKY) is None
    server.process.wait_for_text("username must not begin with with the following prefixes")
    admin = user(server, ADMIN_SESSION)
    assert admin["username"] == "kubernetes-admin"
    check_health(server)
    check_log_keys(server)
