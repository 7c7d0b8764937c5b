"""Mapping sources kept in the Kubernetes API, end to end: the real server
follows the emulated API (bench/kube_emulator), which `kubectl` and direct
requests change, and answers TokenReviews accordingly."""

import base64
import json
import os
import subprocess
import time

import pytest

import harness
import kube
from harness import BOB, CAROL, metric_value, scaled, username_of

APPLY_WITHIN = scaled(1.0)  # seconds from the API's event to the changed answer

CONFIG_MAPS = "/api/v1/namespaces/kube-system/configmaps"
AWS_AUTH = CONFIG_MAPS + "/aws-auth"
MAPPINGS = "/apis/iamauthenticator.k8s.aws/v1alpha1/iamidentitymappings"

BOB_ARN = BOB["arn"]
CAROL_ARN = CAROL["arn"]


def aws_auth(users=(), roles=(), raw_map_users=None):
    map_users = "".join(f"- userarn: {arn}\n  username: {name}\n  groups: [{group}]\n" for arn, name, group in users)
    map_roles = "".join(f"- rolearn: {arn}\n  username: {name}\n  groups: [{group}]\n" for arn, name, group in roles)
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapUsers": raw_map_users if raw_map_users is not None else map_users, "mapRoles": map_roles},
    }


def identity_mapping(name, arn, username, groups=("viewers",)):
    return {
        "apiVersion": "iamauthenticator.k8s.aws/v1alpha1", "kind": "IAMIdentityMapping",
        "metadata": {"name": name},
        "spec": {"arn": arn, "username": username, "groups": list(groups)},
    }


def wait_for_username(server, identity, expected, timeout=APPLY_WITHIN + scaled(4)):
    started = time.monotonic()
    while username_of(server, identity) != expected:
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{identity['arn']} did not become {expected!r} within {timeout:.1f} s")
        time.sleep(0.02)
    return time.monotonic() - started


def readyz(server):
    status, _ = server.post(None, path="/readyz", method="GET")
    return status


@pytest.fixture
def api(tmp_path):
    emulator = kube.KubeEmulator(tmp_path / "kube")
    yield emulator
    emulator.stop()


@pytest.fixture
def start_api_server(tmp_path, emulator, start_server):
    """A server whose sources are `modes`, talking to `api` through a kubeconfig."""

    def start(api, modes=("EKSConfigMap",), kubeconfig=None, extra=(), wait=True, token=None):
        kubeconfig = kubeconfig or api.kubeconfig(tmp_path / "server-kubeconfig.json", token=token)
        args = ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file, "--threads", "2",
                "--kubeconfig", str(kubeconfig), *extra]
        for mode in modes:
            args += ["--backend-mode", mode]
        return start_server(args, wait=wait)

    return start


def test_kubectl_edits_of_aws_auth_apply_within_a_second(api, start_api_server, tmp_path):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob-v1", "viewers")]))
    server = start_api_server(api)
    harness.wait_until(lambda: readyz(server) == 200, what="ready")
    assert username_of(server, BOB) == "bob-v1"
    assert username_of(server, CAROL) is None

    kubectl = kube.kubectl_runner(tmp_path, api.kubeconfig(tmp_path / "kubectl.json"))
    patch = {"data": {"mapUsers": f"- userarn: {CAROL_ARN}\n  username: carol-from-api\n  groups: [viewers]\n"}}
    kubectl("-n", "kube-system", "patch", "configmap", "aws-auth", "--type", "merge", "-p", json.dumps(patch))
    assert wait_for_username(server, CAROL, "carol-from-api") < APPLY_WITHIN
    assert username_of(server, BOB) is None
    log = server.process.text()
    assert "source=EKSConfigMap" in log and 'object="configmaps kube-system/aws-auth"' in log


def test_an_unparsable_edit_keeps_the_last_good_table_and_a_delete_empties_it(api, start_api_server):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob", "viewers")]))
    server = start_api_server(api)
    harness.wait_until(lambda: readyz(server) == 200, what="ready")
    assert username_of(server, BOB) == "bob"

    api.ok("PUT", AWS_AUTH, aws_auth(raw_map_users="- userarn: [unclosed\n"))
    server.process.wait_for_text("mapping source did not load; the last good table stays in force")
    assert username_of(server, BOB) == "bob"
    assert metric_value(server.metrics(), "aws_iam_authenticator_mapping_reload_total",
                        source="EKSConfigMap", result="failure") >= 1

    api.ok("DELETE", AWS_AUTH, None)
    server.process.wait_for_text("the aws-auth ConfigMap was deleted; its mappings are now empty")
    wait_for_username(server, BOB, None)


def test_iam_identity_mappings_get_their_status_and_map(api, start_api_server, tmp_path):
    kubectl = kube.kubectl_runner(tmp_path, api.kubeconfig(tmp_path / "kubectl.json"))
    manifest = tmp_path / "bob.json"
    # Upstream lower-cases spec.arn: a differently cased ARN still maps.
    manifest.write_text(json.dumps(identity_mapping("bob", BOB_ARN.replace("user/bob", "user/BOB"), "bob-from-crd")))
    kubectl("apply", "-f", str(manifest), "--validate=false")
    server = start_api_server(api, modes=("CRD",))
    assert wait_for_username(server, BOB, "bob-from-crd") < scaled(5)
    written = api.ok("GET", MAPPINGS + "/bob")
    assert written["status"]["canonicalARN"] == BOB_ARN.lower()

    # A new object (kubectl apply) maps once its status is written, well within a second.
    manifest.write_text(json.dumps(identity_mapping("carol", CAROL_ARN, "carol-from-crd")))
    kubectl("apply", "-f", str(manifest), "--validate=false")
    assert wait_for_username(server, CAROL, "carol-from-crd") < APPLY_WITHIN
    out = kubectl("get", "iamidentitymappings", "-o", "json")
    names = sorted(item["metadata"]["name"] for item in json.loads(out.stdout)["items"])
    assert names == ["bob", "carol"]
    api.ok("DELETE", MAPPINGS + "/bob", None)
    wait_for_username(server, BOB, None)
    assert "wrote an IAMIdentityMapping's status.canonicalARN" in server.process.text()


def test_api_down_at_start_then_ready_once_it_answers(api, start_api_server):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob", "viewers")]))
    api.faults(down="close")
    server = start_api_server(api, modes=("MountedFile", "EKSConfigMap"))
    # The config file's mappings answer meanwhile; readiness waits for the API.
    assert username_of(server, CAROL) == "carol"
    server.process.wait_for_text("cannot read a mapping source from the Kubernetes API; retrying")
    assert readyz(server) == 503
    assert username_of(server, BOB) is None
    assert metric_value(server.metrics(), "aws_iam_authenticator_configmap_watch_failures_total") >= 1
    api.faults(down=None)
    harness.wait_until(lambda: readyz(server) == 200, timeout=40, what="ready after the API came back")
    assert username_of(server, BOB) == "bob"


def test_an_api_outage_keeps_the_table_and_changes_apply_after_it(api, start_api_server):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob", "viewers")]))
    server = start_api_server(api)
    harness.wait_until(lambda: readyz(server) == 200, what="ready")
    api.faults(down="close")
    api.control("POST", "/drop-watches")
    server.process.wait_for_text("cannot read a mapping source from the Kubernetes API; retrying")
    assert username_of(server, BOB) == "bob"
    assert readyz(server) == 200  # loaded once: the last good table serves
    api.faults(down=None)
    api.ok("PUT", AWS_AUTH, aws_auth(users=[(BOB_ARN, "bob-after", "viewers")]))
    wait_for_username(server, BOB, "bob-after", timeout=40)


def test_a_dropped_watch_and_a_410_gone_lose_no_change(api, start_api_server):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob-1", "viewers")]))
    server = start_api_server(api)
    harness.wait_until(lambda: readyz(server) == 200, what="ready")
    api.control("POST", "/drop-watches")
    api.ok("PUT", AWS_AUTH, aws_auth(users=[(BOB_ARN, "bob-2", "viewers")]))
    wait_for_username(server, BOB, "bob-2")

    # Compaction past our version: the watch ends with 410 and we list again.
    lists_before = api.stats()["by_verb"].get("list", 0)
    api.ok("PUT", AWS_AUTH, aws_auth(users=[(BOB_ARN, "bob-3", "viewers")]))
    wait_for_username(server, BOB, "bob-3")
    api.control("POST", "/compact")
    api.ok("PUT", AWS_AUTH, aws_auth(users=[(BOB_ARN, "bob-4", "viewers")]))
    wait_for_username(server, BOB, "bob-4")
    harness.wait_until(lambda: api.stats()["by_verb"].get("list", 0) > lists_before,
                       what="a new list after 410")


def test_a_rotated_token_file_is_read_again(api, start_api_server, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("first-token-000000000\n")
    users = [{"name": "authenticator", "tokens": ["first-token-000000000"], "rules": kube.ADMIN_RULES},
             {"name": "admin", "tokens": [kube.ADMIN_TOKEN], "rules": kube.ADMIN_RULES}]
    api.write_users(users)
    api.control("POST", "/reload-auth")
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob-1", "viewers")]))
    config = json.loads(api.kubeconfig(tmp_path / "k.json", token="x").read_text())
    config["users"][0]["user"] = {"tokenFile": str(token_file)}
    kubeconfig = tmp_path / "token-file-kubeconfig.json"
    kubeconfig.write_text(json.dumps(config))
    server = start_api_server(api, kubeconfig=kubeconfig)
    wait_for_username(server, BOB, "bob-1")

    # The kubelet rotates the token: the old one stops working at once.
    token_file.write_text("second-token-00000000\n")
    users[0]["tokens"] = ["second-token-00000000"]
    api.write_users(users)
    api.control("POST", "/reload-auth")
    api.control("POST", "/drop-watches")
    api.ok("PUT", AWS_AUTH, aws_auth(users=[(BOB_ARN, "bob-2", "viewers")]))
    wait_for_username(server, BOB, "bob-2", timeout=40)


def test_rbac_refusals_are_logged_with_what_is_missing(api, start_api_server):
    server = start_api_server(api, token=kube.NOBODY_TOKEN)
    text = server.process.wait_for_text("cannot read a mapping source from the Kubernetes API")
    line = next(l for l in text.splitlines() if "cannot read a mapping source from the Kubernetes API" in l)
    assert "403" in line
    assert "needs get, list and watch on the aws-auth ConfigMap in kube-system" in line
    assert readyz(server) == 503


def test_explain_reads_the_api_sources_as_the_server_does(api, tmp_path):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob-from-aws-auth", "viewers")]))
    api.ok("POST", MAPPINGS, identity_mapping("carol", CAROL_ARN, "carol-from-crd"))
    api.ok("PUT", MAPPINGS + "/carol/status",
           {**api.ok("GET", MAPPINGS + "/carol"), "status": {"canonicalARN": CAROL_ARN.lower()}})
    config = tmp_path / "explain.yaml"
    config.write_text(f"clusterID: {harness.CLUSTER_ID}\nserver:\n  backendMode: [EKSConfigMap, CRD]\n")
    kubeconfig = api.kubeconfig(tmp_path / "explain-kubeconfig.json")

    def explain(arn):
        return subprocess.run([str(harness.SERVER), "explain", "--config", str(config), "--kubeconfig",
                               str(kubeconfig), "--arn", arn], capture_output=True, text=True,
                              timeout=harness.START_TIMEOUT)

    bob = explain(BOB_ARN)
    assert bob.returncode == 0, bob.stdout + bob.stderr
    assert "source EKSConfigMap (configmaps kube-system/aws-auth): 0 roles, 1 users" in bob.stdout
    assert "username: bob-from-aws-auth" in bob.stdout
    carol = explain(CAROL_ARN)
    assert carol.returncode == 0, carol.stdout + carol.stderr
    assert "result: mapped by CRD" in carol.stdout and "username: carol-from-crd" in carol.stdout
    api.faults(down="close")
    down = explain(BOB_ARN)
    assert down.returncode == 1
    assert "source EKSConfigMap (configmaps kube-system/aws-auth): NOT LOADED" in down.stdout


def test_reserved_prefixes_apply_to_the_api_sources_by_their_mode_names(api, start_server, emulator, tmp_path):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "eks:bob", "viewers"), (CAROL_ARN, "carol", "viewers")]))
    config = (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'kubeconfig.yaml'}\n  backendMode: [ConfigMap]\n"
        f"  kubeconfig: {api.kubeconfig(tmp_path / 'api.json')}\n"
        "  reservedPrefixConfig:\n  - backendmode: EKSConfigMap\n    usernamePrefixReserveList: ['eks:']\n"
    )
    server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
                          config_text=config)
    wait_for_username(server, CAROL, "carol")
    assert username_of(server, BOB) is None
    server.process.wait_for_text("username must not begin with with the following prefixes")


def in_cluster_prefix(service_account_dir):
    """Runs the server as a pod would: in a private mount namespace whose
    /var/run/secrets/kubernetes.io/serviceaccount is `service_account_dir`."""
    for tool, package in (("unshare", "util-linux"), ("mount", "mount")):
        harness.require_tool(tool, package)
    harness.require(os.geteuid() == 0, "the in-cluster test mounts in a private namespace: it needs root")
    mounts = ("mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && "
              f"mount --bind {service_account_dir} /run/secrets/kubernetes.io/serviceaccount && exec \"$@\"")
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", mounts, "in-cluster"]


def test_a_kops_style_daemonset_in_cluster_with_crd_and_mounted_file(api, start_server, emulator, tmp_path):
    service_account = tmp_path / "serviceaccount"
    service_account.mkdir()
    (service_account / "token").write_text(kube.ADMIN_TOKEN)
    (service_account / "ca.crt").write_text(open(api.ca_file).read())
    api.ok("POST", MAPPINGS, identity_mapping("bob", BOB_ARN, "bob-from-crd"))
    config = (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'kubeconfig.yaml'}\n"
        f"  mapUsers:\n  - userarn: {CAROL_ARN}\n    username: carol-mounted\n    groups: [g]\n"
    )
    # kops renders --backend-mode from the cluster spec; the pod's environment names the API.
    server = start_server(["--backend-mode=CRD,MountedFile", "--sts-endpoint-override", emulator.url,
                           "--sts-ca-cert", emulator.ca_file],
                          config_text=config, prefix=in_cluster_prefix(service_account),
                          env={"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(api.port)})
    assert wait_for_username(server, BOB, "bob-from-crd") < scaled(5)
    assert username_of(server, CAROL) == "carol-mounted"
    assert "(in-cluster)" in server.process.text()


def test_a_kubeconfig_with_the_ca_and_client_certificate_inline(api, start_api_server, tmp_path):
    api.ok("POST", CONFIG_MAPS, aws_auth(users=[(BOB_ARN, "bob-by-cert", "viewers")]))
    config = json.loads(api.kubeconfig(tmp_path / "files.json", user="admin").read_text())
    inline = lambda path: base64.b64encode(open(path, "rb").read()).decode()  # noqa: E731
    cluster, user = config["clusters"][0]["cluster"], config["users"][0]["user"]
    cluster["certificate-authority-data"] = inline(cluster.pop("certificate-authority"))
    user["client-certificate-data"] = inline(user.pop("client-certificate"))
    user["client-key-data"] = inline(user.pop("client-key"))
    kubeconfig = tmp_path / "inline.yaml"
    kubeconfig.write_text(json.dumps(config))
    server = start_api_server(api, kubeconfig=kubeconfig)
    wait_for_username(server, BOB, "bob-by-cert")

    # Told to skip verification, the server refuses unless allowed explicitly.
    del cluster["certificate-authority-data"]
    cluster["insecure-skip-tls-verify"] = True
    kubeconfig.write_text(json.dumps(config))
    refused = start_api_server(api, kubeconfig=kubeconfig, wait=False)
    assert refused.process.wait_exit() != 0
    assert "insecure-skip-tls-verify" in refused.process.text()
    allowed = start_api_server(api, kubeconfig=kubeconfig, extra=["--kube-allow-insecure-tls"])
    wait_for_username(allowed, BOB, "bob-by-cert")
