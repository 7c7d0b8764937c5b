"""`add user` / `add role` end to end: the real binary edits kube-system/aws-auth
in the emulated Kubernetes API (bench/kube_emulator), and kubectl sees it.

Beyond upstream: the other data keys and the comments survive (only the
changed key gets the new entry's text appended), --sso works, and a change
made between our GET and PUT is kept (409, then read and apply again)."""

import subprocess
import threading
import time

import pytest
import yaml

import harness
import kube
from kube import NOBODY_TOKEN

CM = "/api/v1/namespaces/kube-system/configmaps"
AWS_AUTH = CM + "/aws-auth"

MAP_ROLES = """\
# worker nodes: keep this first
- rolearn: arn:aws:iam::111122223333:role/Nodes
  username: system:node:{{EC2PrivateDNSName}}
  groups: [system:bootstrappers, system:nodes]   # both
"""
MAP_USERS = """\
- userarn: arn:aws:iam::111122223333:user/Alice
  username: alice
  groups:
    - devs
"""
OTHER = {"mapAccounts": "- \"444455556666\"\n", "note": "owned by the platform team\n  # not YAML we read\n"}

NEW_USER = "arn:aws:iam::111122223333:user/bob"
NEW_ROLE = "arn:aws:iam::111122223333:role/Admin"


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    emulator = kube.KubeEmulator(tmp_path_factory.mktemp("kube"), client_certs=("admin",))
    yield emulator
    emulator.stop()


@pytest.fixture
def kubeconfig(tmp_path, emu):
    return emu.kubeconfig(tmp_path / "admin.kubeconfig", "admin")


@pytest.fixture
def aws_auth(emu):
    """A fresh aws-auth with comments and keys we do not own; returns its data."""
    emu.faults(conflict_updates=0, hold_update_ms=0)
    emu.request("DELETE", AWS_AUTH)
    data = {"mapRoles": MAP_ROLES, "mapUsers": MAP_USERS, **OTHER}
    emu.ok("POST", CM, configmap(data))
    return data


def configmap(data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": data}


def run(*args, kubeconfig=None, prompt=False, input=None, env=None):
    command = [str(harness.SERVER), "add", *args]
    if kubeconfig is not None:
        command += ["--kubeconfig", str(kubeconfig)]
    if not prompt:
        command.append("--prompt=false")
    return subprocess.run(command, input=input, capture_output=True, text=True, env=env,
                          timeout=harness.scaled(30))


def add_user(kubeconfig, arn=NEW_USER, **kwargs):
    return run("user", "--userarn", arn, "--username", "bob", "--groups", "devs,viewers", kubeconfig=kubeconfig,
               **kwargs)


def succeeded(result):
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result


def refused(result, message, code=1):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert message in result.stderr, (message, result.stderr)
    return result


def stored(emu):
    return emu.ok("GET", AWS_AUTH)


USER_ENTRY = "- userarn: arn:aws:iam::111122223333:user/bob\n  username: bob\n  groups:\n  - devs\n  - viewers\n"


def test_add_user_appends_and_keeps_everything_else(emu, kubeconfig, aws_auth, tmp_path):
    result = succeeded(add_user(kubeconfig))
    after = stored(emu)
    assert after["data"] == dict(aws_auth, mapUsers=MAP_USERS + USER_ENTRY)  # byte for byte, the rest untouched
    assert result.stdout.startswith("updated configmap:\n\napiVersion: v1\ndata:\n")
    printed = yaml.safe_load(result.stdout.split("\n", 2)[2])
    assert printed["data"] == after["data"]
    assert printed["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]

    kubectl = kube.kubectl_runner(tmp_path, kubeconfig)
    got = kubectl("get", "configmap", "aws-auth", "-n", "kube-system", "-o", "yaml")
    assert got.returncode == 0, got.stderr
    users = yaml.safe_load(yaml.safe_load(got.stdout)["data"]["mapUsers"])
    assert users[-1] == {"userarn": NEW_USER, "username": "bob", "groups": ["devs", "viewers"]}


def test_add_role_by_arn_and_by_sso(emu, kubeconfig, aws_auth):
    succeeded(run("role", "--rolearn", NEW_ROLE, "--username", "admin:{{SessionName}}", "--groups", "system:masters",
                  kubeconfig=kubeconfig))
    succeeded(run("role", "--sso", "permissionSetName=Admin,accountID=111122223333", "--sso", "partition=aws",
                  "--username", "sso-admin", "--groups", "system:masters", kubeconfig=kubeconfig))
    data = stored(emu)["data"]
    assert data["mapRoles"].startswith(MAP_ROLES)
    assert data["mapUsers"] == MAP_USERS
    roles = yaml.safe_load(data["mapRoles"])
    assert roles[1:] == [
        {"rolearn": NEW_ROLE, "username": "admin:{{SessionName}}", "groups": ["system:masters"]},
        {"sso": {"permissionSetName": "Admin", "accountID": "111122223333", "partition": "aws"},
         "username": "sso-admin", "groups": ["system:masters"]},
    ]
    # The same permission set again is a duplicate.
    refused(run("role", "--sso", "accountID=111122223333,permissionSetName=admin", "--username", "x",
                "--groups", "g", kubeconfig=kubeconfig), "cannot add duplicate role ARN ")


def test_duplicates_are_refused(emu, kubeconfig, aws_auth):
    version = stored(emu)["metadata"]["resourceVersion"]
    refused(run("role", "--rolearn", "arn:aws:iam::111122223333:role/NODES", "--username", "n", "--groups", "g",
                kubeconfig=kubeconfig),
            'cannot add duplicate role ARN "arn:aws:iam::111122223333:role/NODES"')
    refused(add_user(kubeconfig, "arn:aws:iam::111122223333:user/Alice"),
            'cannot add duplicate user ARN "arn:aws:iam::111122223333:user/Alice"')
    assert stored(emu)["metadata"]["resourceVersion"] == version
    # User ARNs are compared exactly, as upstream does.
    succeeded(add_user(kubeconfig, "arn:aws:iam::111122223333:user/alice"))


def test_missing_aws_auth_is_not_created(emu, kubeconfig, aws_auth):
    emu.ok("DELETE", AWS_AUTH)
    refused(add_user(kubeconfig), 'configmaps "aws-auth" not found')
    code, _ = emu.request("GET", AWS_AUTH)
    assert code == 404


def test_unparsable_aws_auth_is_refused(emu, kubeconfig, aws_auth):
    emu.ok("PUT", AWS_AUTH, configmap(dict(aws_auth, mapRoles="- rolearn: [unclosed\n")))
    version = stored(emu)["metadata"]["resourceVersion"]
    refused(add_user(kubeconfig), "failed to parse configmap data.mapRoles")
    assert stored(emu)["metadata"]["resourceVersion"] == version


def test_prompt_yes_no_and_end_of_input(emu, kubeconfig, aws_auth):
    question = ('Ready to add "add userarn arn:aws:iam::111122223333:user/bob, username bob, groups [devs viewers]", '
                "should we continue? [y/N]: ")
    for answer in ("n\n", "", "maybe\n"):
        result = succeeded(add_user(kubeconfig, prompt=True, input=answer))
        assert result.stdout == question + 'cancelled "add userarn arn:aws:iam::111122223333:user/bob, username bob, ' \
                                           'groups [devs viewers]"\n'
    assert stored(emu)["data"]["mapUsers"] == MAP_USERS
    result = succeeded(add_user(kubeconfig, prompt=True, input=" YES \n"))
    assert result.stdout.startswith(question + "updated configmap:\n")
    assert stored(emu)["data"]["mapUsers"] == MAP_USERS + USER_ENTRY


def test_a_concurrent_edit_between_get_and_put_is_kept(emu, kubeconfig, aws_auth, tmp_path):
    """Our PUT is held; kubectl changes aws-auth meanwhile; the PUT (with the
    resourceVersion we read) is a 409; we read again and redo the edit."""
    emu.faults(hold_update_ms=int(harness.scaled(1.5) * 1000))
    held_before = emu.stats()["held_updates"]
    result = {}
    thread = threading.Thread(target=lambda: result.update(run=add_user(kubeconfig)))
    thread.start()
    deadline = time.monotonic() + harness.scaled(15)
    while emu.stats()["held_updates"] == held_before:
        assert time.monotonic() < deadline and thread.is_alive(), "our update was never held"
        time.sleep(0.02)
    kubectl = kube.kubectl_runner(tmp_path, kubeconfig)
    patched = kubectl("patch", "configmap", "aws-auth", "-n", "kube-system", "--type", "merge",
                      "-p", '{"data":{"concurrent":"kept"}}')
    assert patched.returncode == 0, patched.stderr
    thread.join(harness.scaled(30))
    succeeded(result["run"])
    data = stored(emu)["data"]
    assert data["concurrent"] == "kept"
    assert data["mapUsers"] == MAP_USERS + USER_ENTRY
    assert emu.stats()["by_code"].get("409", 0) >= 1


def test_conflicts_are_retried_five_attempts_in_all(emu, kubeconfig, aws_auth):
    emu.faults(conflict_updates=4)
    succeeded(add_user(kubeconfig))                       # the fifth attempt goes through
    assert stored(emu)["data"]["mapUsers"] == MAP_USERS + USER_ENTRY
    emu.faults(conflict_updates=5)
    refused(add_user(kubeconfig, "arn:aws:iam::111122223333:user/carol"),
            'Operation cannot be fulfilled on configmaps "aws-auth": the object has been modified')
    assert emu.faults()["conflict_updates"] == 0          # exactly five PUTs were made
    assert "carol" not in stored(emu)["data"]["mapUsers"]


def test_forbidden_shows_the_api_message(emu, aws_auth, tmp_path):
    nobody = emu.kubeconfig(tmp_path / "nobody.kubeconfig", token=NOBODY_TOKEN)
    result = refused(add_user(nobody), 'configmaps "aws-auth" is forbidden: User "nobody" cannot get resource')
    assert result.stdout == ""


def test_flag_checks_and_messages(emu, kubeconfig, aws_auth):
    refused(run("user", kubeconfig=kubeconfig), 'invalid empty value in userARN "", username "", groups []')
    refused(run("user", "--userarn", NEW_USER, "--groups", "a", "--groups", "b", kubeconfig=kubeconfig),
            'invalid empty value in userARN "arn:aws:iam::111122223333:user/bob", username "", groups ["a" "b"]')
    refused(run("role", "--username", "x", "--groups", "g", kubeconfig=kubeconfig),
            'invalid empty value in rolearn "", username "x", groups ["g"]')
    refused(run("role", "--rolearn", NEW_ROLE, "--sso", "permissionSetName=A,accountID=111122223333",
                "--username", "x", "--groups", "g", kubeconfig=kubeconfig),
            "only one of --rolearn or --sso can be supplied")
    refused(run("role", "--sso", "permissionSetName=A", "--username", "x", "--groups", "g", kubeconfig=kubeconfig),
            "required key 'accountID' missing from --sso flag")
    refused(run("role", "--sso", "permissionSetName=A,accountID=12", "--username", "x", "--groups", "g",
                kubeconfig=kubeconfig), "error validating --sso: ")
    refused(run("role", "--rolearn", "not-an-arn", "--username", "x", "--groups", "g", kubeconfig=kubeconfig),
            "role is invalid: ")
    refused(run("role", "--sso", "novalue", "--username", "x", "--groups", "g", kubeconfig=kubeconfig),
            'invalid argument "novalue" for "--sso" flag', code=2)
    refused(run("user", "--no-such-flag", kubeconfig=kubeconfig), "no-such-flag", code=2)
    assert run("user", "--help").returncode == 0
    assert stored(emu)["data"] == aws_auth


def test_without_kubeconfig_or_cluster_it_says_so(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    refused(run("user", "--userarn", NEW_USER, "--username", "bob", "--groups", "devs", env=env),
            "no Kubernetes API to talk to: give --kubeconfig or --master-url")


def test_master_url_overrides_the_kubeconfig_server(emu, kubeconfig, aws_auth):
    refused(run("user", "--userarn", NEW_USER, "--username", "bob", "--groups", "devs",
                "--master-url", "https://127.0.0.1:1", kubeconfig=kubeconfig), "127.0.0.1:1")
    assert stored(emu)["data"] == aws_auth
