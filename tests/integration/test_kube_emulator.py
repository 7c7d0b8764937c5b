"""The Kubernetes API emulator (bench/kube_emulator): driven by the real
kubectl first (it is only trusted once kubectl accepts it), then over plain
HTTPS for the protocol details a watching server relies on."""

import json
import signal
import socket
import threading
import time

import pytest

import harness
import kube
from kube import NOBODY_TOKEN

AWS_AUTH_FILE = harness.ROOT / "deploy" / "kubernetes" / "aws-auth.yaml"
CM = "/api/v1/namespaces/kube-system/configmaps"
IIM = "/apis/iamauthenticator.k8s.aws/v1alpha1/iamidentitymappings"

CONFLICT = ('Operation cannot be fulfilled on configmaps "{}": the object has been modified; please apply your '
            "changes to the latest version and try again")


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    emulator = kube.KubeEmulator(tmp_path_factory.mktemp("kube"), client_certs=("admin", "nobody"))
    yield emulator
    emulator.stop()


@pytest.fixture
def own_emu(tmp_path):
    """An emulator of the test's own, for faults and rule changes."""
    started = []

    def start(*args, users=None):
        emulator = kube.KubeEmulator(tmp_path / f"kube{len(started)}", users=users, args=args)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def kubectl(tmp_path, emu):
    return kube.kubectl_runner(tmp_path, emu.kubeconfig(tmp_path / "admin-cert.kubeconfig", "admin"))


def configmap(name, data, namespace="kube-system"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": data}


def mapping(name, arn, username, groups=()):
    return {"apiVersion": "iamauthenticator.k8s.aws/v1alpha1", "kind": "IAMIdentityMapping",
            "metadata": {"name": name}, "spec": {"arn": arn, "username": username, "groups": list(groups)}}


def check(result, *expected_lines):
    assert result.returncode == 0, f"kubectl {result.args}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    for line in expected_lines:
        assert line in result.stdout, (line, result.stdout, result.stderr)
    return result


def fails(result, message):
    assert result.returncode != 0, (result.args, result.stdout, result.stderr)
    assert message in result.stderr, (message, result.stderr)


# --- kubectl ----------------------------------------------------------------------------


def test_kubectl_apply_aws_auth_then_change_it(emu, kubectl, tmp_path):
    assert AWS_AUTH_FILE.exists()
    check(kubectl("apply", "-f", str(AWS_AUTH_FILE)), "configmap/aws-auth created")
    stored = emu.ok("GET", f"{CM}/aws-auth")
    original = kube_yaml_data(AWS_AUTH_FILE)
    assert stored["data"] == original
    assert stored["metadata"]["uid"] and stored["metadata"]["resourceVersion"].isdigit()
    assert "kubectl.kubernetes.io/last-applied-configuration" in stored["metadata"]["annotations"]

    changed = AWS_AUTH_FILE.read_text().replace("user/ci\n", "user/ci-2\n")
    changed = changed[:changed.index("  mapAccounts:")]          # the key is removed from the manifest
    assert changed != AWS_AUTH_FILE.read_text()
    manifest = tmp_path / "aws-auth.yaml"
    manifest.write_text(changed)
    check(kubectl("apply", "-f", str(manifest)), "configmap/aws-auth configured")
    after = emu.ok("GET", f"{CM}/aws-auth")
    assert "user/ci-2" in after["data"]["mapUsers"]
    assert "mapAccounts" not in after["data"]
    assert int(after["metadata"]["resourceVersion"]) > int(stored["metadata"]["resourceVersion"])
    assert after["metadata"]["uid"] == stored["metadata"]["uid"]

    check(kubectl("apply", "-f", str(manifest)), "configmap/aws-auth unchanged")
    assert emu.ok("GET", f"{CM}/aws-auth")["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]


def kube_yaml_data(path):
    import yaml
    return yaml.safe_load(path.read_text())["data"]


def test_kubectl_patch_merge_json_and_strategic(emu, kubectl):
    emu.ok("POST", CM, configmap("patch-me", {"keep": "k", "a": "1"}))
    base = ["-n", "kube-system", "configmap", "patch-me"]
    check(kubectl("patch", *base, "--type", "merge", "-p", '{"data":{"a":"merge"}}'), "configmap/patch-me patched")
    assert emu.ok("GET", f"{CM}/patch-me")["data"] == {"keep": "k", "a": "merge"}
    check(kubectl("patch", *base, "--type", "json", "-p", '[{"op":"replace","path":"/data/a","value":"json"}]'),
          "patched")
    assert emu.ok("GET", f"{CM}/patch-me")["data"] == {"keep": "k", "a": "json"}
    check(kubectl("patch", *base, "-p", '{"data":{"a":null,"b":"strategic"}}'), "patched")
    assert emu.ok("GET", f"{CM}/patch-me")["data"] == {"keep": "k", "b": "strategic"}
    failed = kubectl("patch", *base, "--type", "json", "-p", '[{"op":"test","path":"/data/keep","value":"no"}]')
    fails(failed, "testing value /data/keep failed")
    assert emu.ok("GET", f"{CM}/patch-me")["data"] == {"keep": "k", "b": "strategic"}


def test_kubectl_get_json_with_a_client_certificate(emu, kubectl):
    created = emu.ok("POST", CM, configmap("get-me", {"mapRoles": "[]\n"}))
    result = check(kubectl("get", "configmap", "get-me", "-n", "kube-system", "-o", "json"))
    got = json.loads(result.stdout)
    assert got["kind"] == "ConfigMap" and got["apiVersion"] == "v1"
    assert got["data"] == {"mapRoles": "[]\n"}
    assert got["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    listed = check(kubectl("get", "configmaps", "-A", "-o", "json"))
    names = {(item["metadata"]["namespace"], item["metadata"]["name"]) for item in json.loads(listed.stdout)["items"]}
    assert ("kube-system", "get-me") in names
    fails(kubectl("get", "configmap", "no-such", "-n", "kube-system"),
          'Error from server (NotFound): configmaps "no-such" not found')


def test_kubectl_watch_sees_a_later_patch(emu, kubectl, tmp_path):
    # aws-auth may exist already (another test applies it): upsert it by server-side apply.
    emu.ok("PATCH", f"{CM}/aws-auth?fieldManager=test&force=true",
           json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "data": {"marker": "before"}}),
           content_type="application/apply-patch+yaml")
    env_config = tmp_path / "admin-cert.kubeconfig"
    watcher = harness.Process(["env", f"KUBECONFIG={env_config}", f"HOME={tmp_path}", kubectl.tool,
                               f"--cache-dir={kubectl.cache}", "get", "configmap", "aws-auth", "-n", "kube-system",
                               "-w", "-o", "jsonpath={.data.marker}{\"\\n\"}"])
    try:
        watcher.wait_for_text("before", timeout=10)
        deadline = time.monotonic() + harness.scaled(5)
        while emu.stats()["watches_open"] < 1:       # the stream is open before the change
            assert time.monotonic() < deadline, emu.stats()
            time.sleep(0.05)
        emu.ok("PATCH", f"{CM}/aws-auth", {"data": {"marker": "after-the-patch"}},
               content_type="application/merge-patch+json")
        watcher.wait_for_text("after-the-patch", timeout=5)
    finally:
        watcher.stop()


def test_kubectl_apply_and_get_iam_identity_mappings(emu, kubectl, tmp_path):
    manifest = tmp_path / "mapping.yaml"
    manifest.write_text(json.dumps(mapping("kubernetes-admin", "arn:aws:iam::111122223333:user/KubernetesAdmin",
                                           "kubernetes-admin", ["system:masters"])))
    check(kubectl("apply", "-f", str(manifest)),
          "iamidentitymapping.iamauthenticator.k8s.aws/kubernetes-admin created")
    manifest.write_text(manifest.read_text().replace('"username": "kubernetes-admin"', '"username": "admin-2"'))
    check(kubectl("apply", "-f", str(manifest)),
          "iamidentitymapping.iamauthenticator.k8s.aws/kubernetes-admin configured")
    listed = json.loads(check(kubectl("get", "iamidentitymappings", "-o", "json")).stdout)
    items = {item["metadata"]["name"]: item for item in listed["items"]}
    assert items["kubernetes-admin"]["spec"] == {"arn": "arn:aws:iam::111122223333:user/KubernetesAdmin",
                                                 "username": "admin-2", "groups": ["system:masters"]}
    assert items["kubernetes-admin"]["kind"] == "IAMIdentityMapping"
    assert items["kubernetes-admin"]["metadata"]["generation"] == 2
    # kubectl's default patch type is strategic, which custom resources refuse.
    fails(kubectl("patch", "iamidentitymapping", "kubernetes-admin", "-p", '{"spec":{"username":"x"}}'),
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    check(kubectl("delete", "iamidentitymapping", "kubernetes-admin"),
          'iamidentitymapping.iamauthenticator.k8s.aws "kubernetes-admin" deleted')
    code, _ = emu.request("GET", f"{IIM}/kubernetes-admin")
    assert code == 404


def test_kubectl_create_and_delete_configmap(emu, kubectl):
    # kubectl 1.32 sends this one as protobuf, 1.20 as JSON without a Content-Type.
    check(kubectl("create", "configmap", "created", "-n", "default", "--from-literal=mapRoles=[]",
                  "--from-literal=other=x"), "configmap/created created")
    stored = emu.ok("GET", "/api/v1/namespaces/default/configmaps/created")
    assert stored["data"] == {"mapRoles": "[]", "other": "x"}
    assert stored["metadata"]["namespace"] == "default"
    fails(kubectl("create", "configmap", "created", "-n", "default", "--from-literal=a=b"),
          'configmaps "created" already exists')
    check(kubectl("delete", "configmap", "created", "-n", "default"), 'configmap "created" deleted')
    code, body = emu.request("GET", "/api/v1/namespaces/default/configmaps/created")
    assert (code, body["reason"]) == (404, "NotFound")


def test_kubectl_forbidden_and_unauthorized(emu, kubectl, tmp_path):
    emu.ok("POST", CM, configmap("guarded", {"a": "1"}))
    nobody_token = emu.kubeconfig(tmp_path / "nobody-token.kubeconfig", token=NOBODY_TOKEN)
    fails(kubectl("get", "configmap", "guarded", "-n", "kube-system", config=nobody_token),
          'Error from server (Forbidden): configmaps "guarded" is forbidden: User "nobody" cannot get resource '
          '"configmaps" in API group "" in the namespace "kube-system"')
    nobody_cert = emu.kubeconfig(tmp_path / "nobody-cert.kubeconfig", "nobody")
    fails(kubectl("get", "iamidentitymappings", config=nobody_cert),
          'Error from server (Forbidden): iamidentitymappings is forbidden: User "nobody" cannot list resource '
          '"iamidentitymappings" in API group "iamauthenticator.k8s.aws" at the cluster scope')
    fails(kubectl("delete", "configmap", "guarded", "-n", "kube-system", config=nobody_token),
          'User "nobody" cannot delete resource "configmaps"')
    unknown = emu.kubeconfig(tmp_path / "unknown.kubeconfig", token="no-such-token")
    fails(kubectl("get", "configmap", "guarded", "-n", "kube-system", config=unknown),
          "error: You must be logged in to the server")
    code, body = emu.request("GET", f"{CM}/guarded", token="no-such-token")
    assert (code, body["reason"], body["message"]) == (401, "Unauthorized", "Unauthorized")
    code, _ = emu.request("GET", "/api", token=None)
    assert code == 401
    assert emu.ok("GET", f"{CM}/guarded")["data"] == {"a": "1"}     # nothing was deleted


def test_rules_change_live(own_emu):
    users = kube.default_users() + [{"name": "reader", "tokens": ["reader-token"], "rules": [
        {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["configmaps"],
         "namespaces": ["kube-system"], "resourceNames": ["aws-auth"]}]}]
    emu = own_emu(users=users)
    emu.ok("POST", CM, configmap("aws-auth", {}))
    emu.ok("POST", CM, configmap("other", {}))
    assert emu.request("GET", f"{CM}/aws-auth", token="reader-token")[0] == 200
    code, body = emu.request("GET", f"{CM}/other", token="reader-token")
    assert code == 403 and 'User "reader" cannot get resource "configmaps"' in body["message"]
    assert emu.request("GET", f"{CM}?fieldSelector=metadata.name%3Daws-auth", token="reader-token")[0] == 200
    code, body = emu.request("GET", CM, token="reader-token")
    assert (code, body["message"]) == (403, 'configmaps is forbidden: User "reader" cannot list resource '
                                             '"configmaps" in API group "" in the namespace "kube-system"')
    code, body = emu.request("PUT", f"{CM}/aws-auth", configmap("aws-auth", {"a": "b"}), token="reader-token")
    assert code == 403 and "cannot update resource" in body["message"]
    users[-1]["rules"][0]["resourceNames"] = ["aws-auth", "other"]
    emu.write_users(users)
    emu.control("POST", "/reload-auth")
    assert emu.request("GET", f"{CM}/other", token="reader-token")[0] == 200
    emu.write_users(kube.default_users())          # the reader is gone: its token is unknown now
    emu.control("POST", "/reload-auth")
    assert emu.request("GET", f"{CM}/aws-auth", token="reader-token")[0] == 401


# --- watch protocol -------------------------------------------------------------------


def test_watch_resumes_after_a_resource_version(emu):
    first = emu.ok("POST", CM, configmap("resume", {"v": "1"}))
    second = emu.ok("PATCH", f"{CM}/resume", {"data": {"v": "2"}}, content_type="application/merge-patch+json")
    watch = emu.watch(f"{CM}?watch=true&fieldSelector=metadata.name%3Dresume"
                      f"&resourceVersion={first['metadata']['resourceVersion']}")
    try:
        assert watch.status == 200
        event = watch.event()
        assert event["type"] == "MODIFIED"
        assert event["object"]["metadata"]["resourceVersion"] == second["metadata"]["resourceVersion"]
        assert event["object"]["data"] == {"v": "2"} and event["object"]["kind"] == "ConfigMap"
        emu.ok("DELETE", f"{CM}/resume", {"propagationPolicy": "Background"})
        event = watch.event()
        assert event["type"] == "DELETED" and event["object"]["metadata"]["name"] == "resume"
        assert int(event["object"]["metadata"]["resourceVersion"]) > int(second["metadata"]["resourceVersion"])
    finally:
        watch.close()
    # From 0: the current state as synthetic ADDED events, then the stream ends at timeoutSeconds.
    emu.ok("POST", CM, configmap("resume", {"v": "3"}))
    watch = emu.watch(f"{CM}?watch=1&fieldSelector=metadata.name%3Dresume&resourceVersion=0&timeoutSeconds=1")
    try:
        event = watch.event()
        assert (event["type"], event["object"]["data"]) == ("ADDED", {"v": "3"})
        assert watch.line() == b""
    finally:
        watch.close()


def test_watch_bookmarks_only_when_allowed(own_emu):
    emu = own_emu("--bookmark-interval", "0.2")
    created = emu.ok("POST", CM, configmap("marked", {}))
    rv = created["metadata"]["resourceVersion"]
    watch = emu.watch(f"{CM}?watch=true&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=5")
    try:
        event = watch.event()
        assert event == {"type": "BOOKMARK", "object": {"kind": "ConfigMap", "apiVersion": "v1",
                                                        "metadata": {"resourceVersion": rv}}}
    finally:
        watch.close()
    watch = emu.watch(f"{CM}?watch=true&resourceVersion={rv}&timeoutSeconds=1")
    try:
        assert watch.line() == b""          # no bookmark in a second, then the clean end
    finally:
        watch.close()
    assert emu.stats()["bookmarks"] >= 1


def test_watch_from_before_the_compaction_point_is_gone(own_emu):
    emu = own_emu()
    created = emu.ok("POST", CM, configmap("old", {}))
    emu.ok("PATCH", f"{CM}/old", {"data": {"a": "b"}}, content_type="application/merge-patch+json")
    result = emu.control("POST", "/compact", {})
    assert result["compacted"] >= int(created["metadata"]["resourceVersion"])
    watch = emu.watch(f"{CM}?watch=true&resourceVersion={created['metadata']['resourceVersion']}")
    try:
        assert watch.status == 410
        body = watch.body()
        assert (body["kind"], body["reason"], body["code"]) == ("Status", "Expired", 410)
        assert body["message"].startswith(f"too old resource version: {created['metadata']['resourceVersion']} (")
    finally:
        watch.close()
    listed = emu.ok("GET", CM)                  # the informer's answer: relist, then watch from the list's RV
    assert listed["kind"] == "ConfigMapList"
    watch = emu.watch(f"{CM}?watch=true&resourceVersion={listed['metadata']['resourceVersion']}&timeoutSeconds=1")
    try:
        assert watch.status == 200 and watch.line() == b""
    finally:
        watch.close()


def test_compaction_during_a_watch_sends_an_error_event(own_emu):
    emu = own_emu()
    created = emu.ok("POST", CM, configmap("live", {}))
    watch = emu.watch(f"{CM}?watch=true&resourceVersion={created['metadata']['resourceVersion']}")
    try:
        assert watch.status == 200
        wait_for_watches(emu, 1)
        assert emu.control("POST", "/compact", {})["expired_watches"] == 1
        event = watch.event()
        assert event["type"] == "ERROR"
        assert (event["object"]["kind"], event["object"]["code"], event["object"]["reason"]) == \
            ("Status", 410, "Expired")
        assert watch.line() == b""
    finally:
        watch.close()


def wait_for_watches(emu, count, timeout=5):
    deadline = time.monotonic() + harness.scaled(timeout)
    while emu.stats()["watches_open"] != count:
        assert time.monotonic() < deadline, emu.stats()
        time.sleep(0.02)


def test_drop_watch_fault_cuts_the_stream(own_emu):
    emu = own_emu()
    watch = emu.watch(f"{CM}?watch=true")
    try:
        assert watch.status == 200
        wait_for_watches(emu, 1)
        assert emu.control("POST", "/drop-watches")["dropped"] == 1
        with pytest.raises(kube.StreamCut):        # no terminating chunk
            while watch.line():
                pass
    finally:
        watch.close()
    wait_for_watches(emu, 0)
    assert emu.stats()["watches_dropped"] == 1


def test_garbage_fault_breaks_the_json_stream(own_emu):
    emu = own_emu()
    emu.faults(garbage="json")
    watch = emu.watch(f"{CM}?watch=true")
    try:
        line = watch.line()
        with pytest.raises(ValueError):
            json.loads(line)
    finally:
        watch.close()
    emu.faults(garbage="truncate")
    watch = emu.watch(f"{CM}?watch=true")
    try:
        with pytest.raises(kube.StreamCut):
            watch.line()
    finally:
        watch.close()
    assert emu.stats()["garbage_sent"] == 2
    emu.faults(garbage=None)
    watch = emu.watch(f"{CM}?watch=true&timeoutSeconds=1")
    try:
        assert watch.line() == b""
    finally:
        watch.close()


# --- objects -------------------------------------------------------------------------


def test_status_subresource(emu):
    with_status = mapping("status-test", "arn:aws:iam::111122223333:role/R", "r")
    with_status["status"] = {"canonicalARN": "set-on-create"}
    created = emu.ok("POST", IIM, with_status)
    assert "status" not in created and created["metadata"]["generation"] == 1
    # PUT on status changes only the status.
    body = dict(created, status={"canonicalARN": "arn:aws:iam::111122223333:role/r", "userID": "AROA1"},
                spec={"arn": "ignored", "username": "ignored"})
    updated = emu.ok("PUT", f"{IIM}/status-test/status", body)
    assert updated["status"] == {"canonicalARN": "arn:aws:iam::111122223333:role/r", "userID": "AROA1"}
    assert updated["spec"] == created["spec"] and updated["metadata"]["generation"] == 1
    # The main resource ignores status changes but takes spec changes.
    body = dict(updated, status={"canonicalARN": "changed"}, spec=dict(updated["spec"], username="r2"))
    replaced = emu.ok("PUT", f"{IIM}/status-test", body)
    assert replaced["status"] == updated["status"]
    assert replaced["spec"]["username"] == "r2" and replaced["metadata"]["generation"] == 2
    patched = emu.ok("PATCH", f"{IIM}/status-test/status", {"status": {"userID": "AROA2"}},
                     content_type="application/merge-patch+json")
    assert patched["status"]["userID"] == "AROA2" and patched["metadata"]["generation"] == 2
    code, body = emu.request("PATCH", f"{IIM}/status-test", {"spec": {"username": "x"}},
                             content_type="application/strategic-merge-patch+json")
    assert (code, body["reason"]) == (415, "UnsupportedMediaType")
    assert body["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                               "application/json-patch+json, application/merge-patch+json, "
                               "application/apply-patch+yaml")
    code, body = emu.request("POST", IIM, mapping("no-arn", "", "u") | {"spec": {"username": "u"}})
    assert (code, body["reason"]) == (422, "Invalid")
    assert body["message"] == 'IAMIdentityMapping.iamauthenticator.k8s.aws "no-arn" is invalid: spec.arn: Required value'


def test_stale_update_is_a_conflict(emu):
    created = emu.ok("POST", CM, configmap("conflict", {"a": "1"}))
    newer = emu.ok("PUT", f"{CM}/conflict", dict(created, data={"a": "2"}))
    assert int(newer["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    code, body = emu.request("PUT", f"{CM}/conflict", dict(created, data={"a": "stale"}))
    assert code == 409
    assert (body["reason"], body["message"]) == ("Conflict", CONFLICT.format("conflict"))
    assert body["details"] == {"name": "conflict", "kind": "configmaps"}
    unconditional = configmap("conflict", {"a": "3"})            # no resourceVersion: no precondition
    assert emu.ok("PUT", f"{CM}/conflict", unconditional)["data"] == {"a": "3"}
    code, body = emu.request("POST", CM, configmap("conflict", {}))
    assert (code, body["reason"], body["message"]) == (409, "AlreadyExists", 'configmaps "conflict" already exists')


def test_json_patch_operations(emu):
    emu.ok("POST", CM, configmap("ops", {"a": "1", "b": "2"}))
    patched = emu.ok("PATCH", f"{CM}/ops", [
        {"op": "test", "path": "/data/a", "value": "1"},
        {"op": "add", "path": "/data/c", "value": "3"},
        {"op": "add", "path": "/metadata/annotations", "value": {}},
        {"op": "add", "path": "/metadata/annotations/example.com~1note", "value": "escaped"},
        {"op": "move", "from": "/data/b", "path": "/data/e"},
        {"op": "copy", "from": "/data/a", "path": "/data/f"},
        {"op": "remove", "path": "/data/a"},
    ], content_type="application/json-patch+json")
    assert patched["data"] == {"c": "3", "e": "2", "f": "1"}
    assert patched["metadata"]["annotations"] == {"example.com/note": "escaped"}
    code, body = emu.request("PATCH", f"{CM}/ops", [{"op": "remove", "path": "/data/missing"}],
                             content_type="application/json-patch+json")
    assert (code, body["reason"]) == (422, "Invalid")
    code, _ = emu.request("PATCH", f"{CM}/ops", {"data": {}}, content_type="text/plain")
    assert code == 415


def test_validation_answers(emu):
    code, body = emu.request("POST", CM, configmap("Bad_Name", {}))
    assert (code, body["reason"]) == (422, "Invalid")
    assert body["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
                                      "a lowercase RFC 1123 subdomain")
    code, body = emu.request("POST", CM, dict(configmap("k", {}), kind="Secret"))
    assert (code, body["reason"]) == (400, "BadRequest")
    code, body = emu.request("POST", CM, dict(configmap("k", {}), apiVersion="v2"))
    assert (code, body["message"]) == (400, "the API version in the data (v2) does not match the expected API "
                                             "version (v1)")
    code, body = emu.request("POST", "/api/v1/namespaces/nowhere/configmaps", configmap("k", {}, "nowhere"))
    assert (code, body["message"]) == (404, 'namespaces "nowhere" not found')
    code, body = emu.request("POST", CM, configmap("k", {}, namespace="default"))
    assert (code, body["reason"]) == (400, "BadRequest")
    emu.ok("POST", CM, configmap("named", {}))
    code, body = emu.request("PUT", f"{CM}/named", configmap("other-name", {}))
    assert (code, body["message"]) == (400, "the name of the object (other-name) does not match the name on the "
                                             "URL (named)")
    code, body = emu.request("POST", CM, b"{not json")
    assert (code, body["reason"]) == (400, "BadRequest")
    code, body = emu.request("POST", CM, b"{}", headers={"Content-Length": str(3 * 1024 * 1024 + 1)})
    assert (code, body["reason"]) == (413, "RequestEntityTooLarge")
    code, body = emu.request("GET", f"{CM}?fieldSelector=spec.x%3Dy")
    assert (code, body["reason"]) == (400, "BadRequest")
    code, body = emu.request("POST", "/api/v1/configmaps", configmap("k", {}))      # no namespace in the URL
    assert (code, body["reason"]) == (405, "MethodNotAllowed")
    code, body = emu.request("GET", "/api/v1/nosuchthings")
    assert (code, body["message"]) == (404, "the server could not find the requested resource")
    assert emu.request("GET", "/version")[1]["minor"] == "32"        # still serving


def test_lists_and_selectors(emu):
    emu.ok("POST", CM, dict(configmap("labelled", {}), metadata={"name": "labelled", "labels": {"app": "x"}}))
    listed = emu.ok("GET", f"{CM}?fieldSelector=metadata.name%3Dlabelled")
    assert (listed["kind"], listed["apiVersion"]) == ("ConfigMapList", "v1")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["labelled"]
    assert listed["metadata"]["resourceVersion"].isdigit()
    assert [i["metadata"]["name"] for i in emu.ok("GET", f"{CM}?labelSelector=app%3Dx")["items"]] == ["labelled"]
    assert emu.ok("GET", f"{CM}?labelSelector=app%3Dy")["items"] == []
    everywhere = emu.ok("GET", "/api/v1/configmaps")
    assert "labelled" in {item["metadata"]["name"] for item in everywhere["items"]}
    namespace = emu.ok("GET", "/api/v1/namespaces/kube-system")
    assert (namespace["kind"], namespace["status"]["phase"]) == ("Namespace", "Active")
    mappings = emu.ok("GET", IIM)
    assert (mappings["kind"], mappings["apiVersion"]) == ("IAMIdentityMappingList",
                                                          "iamauthenticator.k8s.aws/v1alpha1")


# --- faults and lifecycle ---------------------------------------------------------------


def test_down_and_slow_faults(own_emu):
    emu = own_emu()
    emu.faults(down="503")
    code, body = emu.request("GET", CM)
    assert (code, body["reason"]) == (503, "ServiceUnavailable")
    emu.faults(down="close")
    with pytest.raises((ConnectionError, OSError)):
        emu.request("GET", CM)
    emu.faults(down=None, latency_ms=300)
    started = time.monotonic()
    assert emu.request("GET", CM)[0] == 200
    assert time.monotonic() - started >= 0.3
    emu.faults(latency_ms=0)
    stats = emu.stats()
    assert stats["refused_connections"] >= 1
    assert stats["by_verb"]["list"] == 1 and stats["by_code"]["503"] == 1


def test_update_faults_conflict_and_hold(own_emu):
    emu = own_emu()
    created = emu.ok("POST", CM, configmap("rmw", {"a": "1"}))
    emu.faults(conflict_updates=2)
    for _ in range(2):
        code, body = emu.request("PUT", f"{CM}/rmw", dict(created, data={"a": "2"}))
        assert (code, body["reason"], body["message"]) == (409, "Conflict", CONFLICT.format("rmw"))
    assert emu.ok("GET", f"{CM}/rmw")["data"] == {"a": "1"}        # refused updates store nothing
    assert emu.faults()["conflict_updates"] == 0
    emu.ok("PUT", f"{CM}/rmw", dict(created, data={"a": "2"}))       # the fault is spent

    # hold: the update waits; a patch lands meanwhile; the stale update is then a real conflict.
    current = emu.ok("GET", f"{CM}/rmw")
    emu.faults(hold_update_ms=1500)
    result = {}
    thread = threading.Thread(target=lambda: result.update(
        answer=emu.request("PUT", f"{CM}/rmw", dict(current, data={"a": "stale"}))))
    thread.start()
    deadline = time.monotonic() + harness.scaled(10)
    while emu.stats()["held_updates"] < 1:
        assert time.monotonic() < deadline, "the update was never held"
        time.sleep(0.02)
    emu.ok("PATCH", f"{CM}/rmw", {"data": {"b": "patched"}}, content_type="application/merge-patch+json")
    thread.join(harness.scaled(10))
    assert result["answer"][0] == 409
    assert emu.ok("GET", f"{CM}/rmw")["data"] == {"a": "2", "b": "patched"}
    assert emu.faults()["hold_update_ms"] == 0
    stats = emu.stats()
    assert (stats["conflict_faults"], stats["held_updates"]) == (2, 1)
    code, body = emu.control_answer("POST", "/faults", {"conflict_updates": -1})
    assert code == 400 and "conflict_updates" in body["error"]


def test_sigterm_ends_watches_cleanly(own_emu):
    emu = own_emu()
    watch = emu.watch(f"{CM}?watch=true")
    try:
        wait_for_watches(emu, 1)
        emu.process.proc.send_signal(signal.SIGTERM)
        assert watch.line() == b""                   # the terminating chunk, not a cut
    finally:
        watch.close()
    assert emu.process.wait_exit(timeout=5) == 0


def test_bodies_without_content_type_yaml_and_server_side_apply(emu):
    created = emu.ok("POST", CM, json.dumps(configmap("untyped", {"a": "1"})), content_type=None)
    assert created["data"] == {"a": "1"}
    created = emu.ok("POST", "/api/v1/namespaces/default/configmaps",
                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {b: '2'}\n",
                     content_type="application/yaml")
    assert created["metadata"]["namespace"] == "default" and created["data"] == {"b": "2"}
    applied = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: kube-system}\ndata: {c: '3'}\n"
    code, body = emu.request("PATCH", f"{CM}/applied?fieldManager=test&force=true", applied,
                             content_type="application/apply-patch+yaml")
    assert (code, body["data"]) == (201, {"c": "3"})
    code, body = emu.request("PATCH", f"{CM}/applied?fieldManager=test", applied.replace("'3'", "'4'"),
                             content_type="application/apply-patch+yaml")
    assert (code, body["data"]) == (200, {"c": "4"})


def test_tls_alpn_and_bad_input_do_not_hurt(emu):
    context = emu.context()
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", emu.port), timeout=harness.scaled(5)) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.selected_alpn_protocol() == "http/1.1"
            tls.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            assert tls.recv(100).startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", emu.port), timeout=harness.scaled(5)) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\n\r\n")       # plain HTTP to the TLS port
        try:
            raw.recv(100)
        except ConnectionError:
            pass
    assert emu.request("GET", "/version")[0] == 200
    assert emu.stats()["tls_failures"] >= 1


def test_a_watch_whose_client_left_is_closed(own_emu):
    emu = own_emu("--max-watches", "2")
    first, second = emu.watch(f"{CM}?watch=true"), emu.watch(f"{CM}?watch=true")
    try:
        wait_for_watches(emu, 2)
        third = emu.watch(f"{CM}?watch=true")
        assert (third.status, third.body()["reason"]) == (429, "TooManyRequests")
        third.close()
        first.close()                            # no events flow: the emulator must notice by itself
        wait_for_watches(emu, 1, timeout=5)
    finally:
        first.close()
        second.close()


def test_protobuf_configmap_body(own_emu):
    # What kubectl 1.32 `create configmap aws-auth -n kube-system --from-literal=mapRoles=[]
    # --from-literal=mapUsers=x` sent (captured).
    body = bytes.fromhex(
        "6b387300" "0a0f0a02763112" "09436f6e6669674d6170" "1244" "0a23" "0a086177732d61757468" "1200"
        "1a0b6b7562652d73797374656d" "2200" "2a00" "3200" "3800" "4200" "120e0a086d6170526f6c657312025b5d"
        "120d0a086d617055736572731201" "78" "1a00" "2200")
    emu = own_emu()
    code, created = emu.request("POST", CM, body, content_type="application/vnd.kubernetes.protobuf",
                                headers={"Accept": "application/vnd.kubernetes.protobuf,application/json"})
    assert code == 201, created
    assert created["data"] == {"mapRoles": "[]", "mapUsers": "x"}
    assert created["metadata"]["name"] == "aws-auth" and created["metadata"]["namespace"] == "kube-system"
    assert "generateName" not in created["metadata"]
    code, error = emu.request("POST", CM, body[:30], content_type="application/vnd.kubernetes.protobuf")
    assert (code, error["reason"]) == (400, "BadRequest")


@pytest.mark.parametrize("target", [CM + "/odd", CM + "/odd/status", IIM + "/odd", IIM + "/odd/status"])
def test_odd_bodies_are_client_errors(emu, target):
    base = target.split("/odd")[0]
    if emu.request("GET", base + "/odd")[0] == 404:
        body = configmap("odd", {"a": "1"}) if base == CM else mapping("odd", "arn:x", "u")
        emu.ok("POST", base, body)
    bodies = [{"metadata": "x"}, {"metadata": {"resourceVersion": 7}}, {"metadata": {"name": 5}}, [], "x", None,
              {"data": {"a": 1}}, {"spec": "x"}, {"status": []}, {"metadata": {"labels": {"a": 1}}},
              [{"op": "move", "from": "/metadata", "path": "/metadata/x"}], [{"op": "remove", "path": ""}]]
    for content_type in ("application/json", "application/merge-patch+json", "application/json-patch+json",
                         "application/strategic-merge-patch+json", "application/apply-patch+yaml"):
        for body in bodies:
            method = "PUT" if content_type == "application/json" else "PATCH"
            code, answer = emu.request(method, target, json.dumps(body), content_type=content_type)
            assert 400 <= code < 500 or code == 200, (method, target, content_type, body, code, answer)
            if code == 200:         # only a valid change: the object is still well-formed
                assert answer["metadata"]["name"] == "odd" and isinstance(answer["metadata"], dict)
    assert emu.stats().get("internal_errors", 0) == 0
