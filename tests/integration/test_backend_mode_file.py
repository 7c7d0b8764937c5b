"""server.dynamicBackendModePath, EKS's file that switches the chain of
mapping sources while the server runs: switches, a file that does not
parse or names a chain that cannot run (nothing changes), deletion (back
to server.backendMode), and a switch to a source in the Kubernetes API."""

import json
import os
import time

import pytest

import harness
import kube
from harness import BOB, CAROL, metric_value, username_of

BOB_ARN = BOB["arn"]
CAROL_ARN = CAROL["arn"]


def eventually(server, identity, expected, timeout=6):
    harness.wait_until(lambda: username_of(server, identity) == expected, timeout=timeout,
                       what=f"{identity['arn']} -> {expected!r}")


def write_atomically(path, text):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def modes_file(path, modes, age_seconds=0):
    write_atomically(path, json.dumps({"backendMode": modes, "Version": "1",
                                       "LastUpdatedDateTime": str(int(time.time()) - age_seconds)}))


@pytest.fixture
def eks(tmp_path, emulator, start_server):
    """EKS's layout: the config file maps carol (MountedFile), the DynamicFile bob."""
    dynamic = tmp_path / "dynamic.json"
    dynamic.write_text(json.dumps({"mapUsers": [{"userarn": BOB_ARN, "username": "bob-dynamic", "groups": ["g"]}]}))
    modes = tmp_path / "backend-modes.json"
    modes_file(modes, "MountedFile DynamicFile")

    def start(extra_config=""):
        config = (
            f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
            f"  generateKubeconfig: {tmp_path / 'kubeconfig.yaml'}\n"
            f"  backendMode: [MountedFile, DynamicFile]\n  dynamicfilepath: {dynamic}\n"
            f"  dynamicBackendModePath: {modes}\n"
            f"  mapUsers:\n  - userarn: {CAROL_ARN}\n    username: carol-mounted\n    groups: [g]\n" + extra_config
        )
        server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
                              config_text=config)
        server.modes = modes
        return server

    return start


def test_the_file_switches_the_chain_and_its_deletion_switches_back(eks):
    server = eks()
    assert username_of(server, CAROL) == "carol-mounted"
    assert username_of(server, BOB) == "bob-dynamic"
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_dynamic_file_enabled") == 1
    assert metric_value(metrics, "aws_iam_authenticator_dynamic_file_only") == 0

    modes_file(server.modes, "DynamicFile", age_seconds=2)
    eventually(server, CAROL, None)
    assert username_of(server, BOB) == "bob-dynamic"
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_dynamic_file_only") == 1
    assert metric_value(metrics, "aws_iam_authenticator_dynamic_file_enabled") == 0
    assert metric_value(metrics, "aws_iam_authenticator_dynamic_e2e_latency_seconds_count",
                        type="dynamic_backend_mode") == 1
    assert metric_value(metrics, "aws_iam_authenticator_dynamic_e2e_latency_seconds_sum",
                        type="dynamic_backend_mode") >= 2
    server.process.wait_for_text('msg="switched backend modes"')

    server.modes.unlink()
    eventually(server, CAROL, "carol-mounted")
    server.process.wait_for_text("backend-mode file deleted")


def test_a_file_that_does_not_parse_or_cannot_run_changes_nothing(eks):
    server = eks()
    write_atomically(server.modes, '{"backendMode": "MountedFile,DynamicFile"}')
    server.process.wait_for_text("backend-mode file did not load; the chain in force stays")
    write_atomically(server.modes, '{"backendMode": "EKSConfigMapFile"}')  # server.awsAuthPath is not set
    server.process.wait_for_text("cannot switch to the backend modes the file names; the chain in force stays")
    assert username_of(server, CAROL) == "carol-mounted"
    assert username_of(server, BOB) == "bob-dynamic"
    assert metric_value(server.metrics(), "aws_iam_authenticator_dynamicfile_failures_total") == 2


def test_a_switch_to_the_aws_auth_config_map_in_the_api(eks, tmp_path):
    api = kube.KubeEmulator(tmp_path / "kube")
    try:
        api.ok("POST", "/api/v1/namespaces/kube-system/configmaps", {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": {"mapUsers": f"- userarn: {BOB_ARN}\n  username: bob-api\n  groups: [g]\n"}})
        server = eks(f"  kubeconfig: {api.kubeconfig(tmp_path / 'api.json')}\n")
        assert api.stats()["requests"] == 1  # nothing read from the API until a chain names it
        modes_file(server.modes, "EKSConfigMap MountedFile")
        eventually(server, BOB, "bob-api")
        assert username_of(server, CAROL) == "carol-mounted"
    finally:
        api.stop()
