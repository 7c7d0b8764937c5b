"""Hot-reloaded mapping sources in the real server: every update style takes
effect within 2 s, broken files change nothing, deletions are graceful, and
hundreds of reloads under load never give a request a mixed or missing
mapping."""

import json
import os
import shutil
import threading
import time

import pytest

import harness
from harness import ADMIN, BOB, CAROL, metric_value, scaled, sign_token

APPLY_WITHIN = scaled(2.0)  # seconds: the promise (stretched for sanitizer builds)

ADMIN_ROLE = "arn:aws:iam::111122223333:role/Admin"
BOB_ARN = "arn:aws:iam::111122223333:user/bob"
CAROL_ARN = "arn:aws:iam::111122223333:user/carol"


def dynamic_file(users=(), roles=()):
    return json.dumps(
        {
            "Version": "1",
            "LastUpdatedDateTime": str(int(time.time())),
            "mapRoles": [{"rolearn": arn, "username": name, "groups": [group]} for arn, name, group in roles],
            "mapUsers": [{"userarn": arn, "username": name, "groups": [group]} for arn, name, group in users],
        }
    )


def aws_auth_data(users=(), roles=()):
    """The data keys of an aws-auth ConfigMap (YAML strings)."""
    map_roles = "".join(f"- rolearn: {arn}\n  username: {name}\n  groups: [{group}]\n" for arn, name, group in roles)
    map_users = "".join(f"- userarn: {arn}\n  username: {name}\n  groups: [{group}]\n" for arn, name, group in users)
    return {"mapRoles": map_roles, "mapUsers": map_users}


class KubeletVolume:
    """A ConfigMap volume as kubelet writes it: files behind a ..data symlink
    that is swapped atomically on every update."""

    def __init__(self, path):
        self.path = path
        self.generation = 0
        path.mkdir(parents=True, exist_ok=True)

    def publish(self, data):
        self.generation += 1
        version = self.path / f"..2026_11_23_00_00_00.{self.generation:09d}"
        version.mkdir()
        for key, value in data.items():
            (version / key).write_text(value)
        previous = os.readlink(self.path / "..data") if (self.path / "..data").is_symlink() else None
        os.symlink(version.name, self.path / "..data_tmp")
        os.replace(self.path / "..data_tmp", self.path / "..data")  # the atomic swap
        for key in data:
            if not (self.path / key).is_symlink():
                os.symlink(f"..data/{key}", self.path / key)
        if previous:
            shutil.rmtree(self.path / previous)


def username_of(server, identity):
    status, answer = server.review(sign_token(identity))
    if status != 200:
        return None
    return answer["status"]["user"]["username"]


def wait_for_username(server, identity, expected, timeout=APPLY_WITHIN + 1.0):
    """Seconds until `identity` maps to `expected` (None: denied)."""
    started = time.monotonic()
    while True:
        if username_of(server, identity) == expected:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{identity['arn']} did not become {expected!r} within {timeout} s")
        time.sleep(0.05)


class BackgroundLoad:
    """Clients sending reviews for carol (mapped by every table these tests
    install) the whole time: reloads must never fail a request."""

    def __init__(self, server, clients=2):
        self.server = server
        self.stop = threading.Event()
        self.statuses = []
        self.errors = []
        self.token = sign_token(CAROL)
        self.threads = [threading.Thread(target=self._run) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def _run(self):
        connection = self.server.connection()
        try:
            while not self.stop.is_set():
                self.statuses.append(self.server.review(self.token, connection=connection)[0])
        except Exception as error:  # noqa: BLE001 - reported by finish()
            self.errors.append(repr(error))
        finally:
            connection.close()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        assert self.errors == []
        assert len(self.statuses) > 0
        assert set(self.statuses) == {200}


@pytest.fixture
def sources(tmp_path, emulator, start_server):
    """A server with all three sources: DynamicFile, then the aws-auth
    ConfigMap volume, then the config file's own mappings."""
    dynamic = tmp_path / "dynamic" / "mappings.json"
    dynamic.parent.mkdir()
    dynamic.write_text(dynamic_file())
    volume = KubeletVolume(tmp_path / "aws-auth")
    volume.publish(aws_auth_data())
    config = tmp_path / "config-dir"
    config.mkdir()
    config_text = (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'kubeconfig.yaml'}\n"
        f"  backendMode: [DynamicFile, EKSConfigMapFile, MountedFile]\n"
        f"  dynamicfilepath: {dynamic}\n  awsAuthPath: {volume.path}\n"
        "  mapUsers:\n  - userarn: arn:aws:iam::111122223333:user/carol\n    username: carol-from-config\n"
    )
    srv = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file, "--threads", "2"],
        config_text=config_text,
    )
    srv.dynamic = dynamic
    srv.volume = volume
    load = BackgroundLoad(srv)
    yield srv
    load.finish()


def test_in_place_write_of_a_dynamic_file(sources):
    assert username_of(sources, BOB) is None
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "bob-1", "g")]))  # truncate and write in place
    assert wait_for_username(sources, BOB, "bob-1") <= APPLY_WITHIN


def test_rename_over_a_dynamic_file(sources):
    temporary = sources.dynamic.with_suffix(".tmp")
    temporary.write_text(dynamic_file(users=[(BOB_ARN, "bob-2", "g")]))
    os.replace(temporary, sources.dynamic)
    assert wait_for_username(sources, BOB, "bob-2") <= APPLY_WITHIN


def test_rename_over_an_aws_auth_manifest(start_server, emulator, tmp_path):
    manifest = tmp_path / "aws-auth.yaml"
    def write_manifest(username):
        temporary = tmp_path / "aws-auth.yaml.new"
        temporary.write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n"
            f"  mapUsers: |\n    - userarn: {BOB_ARN}\n      username: {username}\n"
        )
        os.replace(temporary, manifest)
    write_manifest("bob-v1")
    config_text = (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'k.yaml'}\n  backendMode: [EKSConfigMapFile]\n  awsAuthPath: {manifest}\n"
    )
    srv = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
                       config_text=config_text)
    assert username_of(srv, BOB) == "bob-v1"
    write_manifest("bob-v2")
    assert wait_for_username(srv, BOB, "bob-v2") <= APPLY_WITHIN


def test_kubelet_symlink_swap_of_the_aws_auth_volume(sources):
    sources.volume.publish(aws_auth_data(roles=[(ADMIN_ROLE, "admin-from-configmap", "g")]))
    assert wait_for_username(sources, ADMIN, "admin-from-configmap") <= APPLY_WITHIN
    sources.volume.publish(aws_auth_data())
    assert wait_for_username(sources, ADMIN, None) <= APPLY_WITHIN


def test_delete_and_re_create_keeps_the_old_table_meanwhile(sources):
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "bob-old", "g")]))
    wait_for_username(sources, BOB, "bob-old")
    sources.dynamic.unlink()
    time.sleep(0.5)
    assert username_of(sources, BOB) == "bob-old"  # a short absence changes nothing
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "bob-new", "g")]))
    assert wait_for_username(sources, BOB, "bob-new") <= APPLY_WITHIN


def test_a_deletion_that_persists_empties_the_source(sources):
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "bob-gone", "g")]))
    wait_for_username(sources, BOB, "bob-gone")
    sources.dynamic.unlink()
    # Emptied after the 2 s grace, noticed within the 1 s re-check.
    elapsed = wait_for_username(sources, BOB, None, timeout=scaled(4.0))
    assert 1.5 < elapsed <= scaled(4.0)
    sources.process.wait_for_text("its table is now empty")


def test_config_file_mappings_reload_too(sources, tmp_path):
    assert username_of(sources, CAROL) == "carol-from-config"
    text = sources.config.read_text().replace("carol-from-config", "carol-edited")
    sources.config.write_text(text)
    assert wait_for_username(sources, CAROL, "carol-edited") <= APPLY_WITHIN


def test_sources_are_consulted_in_backend_mode_order(sources):
    # The ConfigMap maps carol too, but after DynamicFile and before the config file.
    sources.volume.publish(aws_auth_data(users=[(CAROL_ARN, "carol-from-configmap", "g")]))
    wait_for_username(sources, CAROL, "carol-from-configmap")
    sources.dynamic.write_text(dynamic_file(users=[(CAROL_ARN, "carol-from-dynamic", "g")]))
    wait_for_username(sources, CAROL, "carol-from-dynamic")


def test_a_broken_file_changes_nothing_and_is_reported(sources):
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "bob-good", "g")]))
    wait_for_username(sources, BOB, "bob-good")
    failures = metric_value(sources.metrics(), "aws_iam_authenticator_mapping_reload_total", source="DynamicFile",
                            result="failure")
    sources.dynamic.write_text('{"mapUsers": [{"userarn": "arn:aws:iam::111122223333:user/bob", "username": "tr')
    sources.process.wait_for_text("mapping source did not load")
    assert username_of(sources, BOB) == "bob-good"
    assert metric_value(sources.metrics(), "aws_iam_authenticator_mapping_reload_total", source="DynamicFile",
                        result="failure") >= failures + 1
    # Broken YAML in the ConfigMap volume: same.
    sources.volume.publish({"mapRoles": "- rolearn: [unclosed\n", "mapUsers": ""})
    sources.process.wait_for_text("data.mapRoles: not valid YAML: line")
    assert username_of(sources, BOB) == "bob-good"
    # Fixing the file applies the fix.
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "bob-fixed", "g")]))
    assert wait_for_username(sources, BOB, "bob-fixed") <= APPLY_WITHIN


def test_metrics_report_reloads_and_entries(sources):
    sources.dynamic.write_text(dynamic_file(users=[(BOB_ARN, "b", "g"), (CAROL_ARN, "c", "g")]))
    wait_for_username(sources, BOB, "b")
    metrics = sources.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_mapping_entries", source="DynamicFile", kind="user") == 2
    assert metric_value(metrics, "aws_iam_authenticator_mapping_entries", source="MountedFile", kind="user") == 1
    assert metric_value(metrics, "aws_iam_authenticator_mapping_last_success_timestamp_seconds", source="DynamicFile") > 0


def test_500_reloads_under_load_never_mix_tables(sources):
    """Each reload installs a new table mapping admin to (user-<n>,
    group-<n>). Requests run throughout; each must be granted by one whole
    table (username and groups of the same version), never denied, and each
    client must see versions only move forward (no stale table after a newer
    one)."""
    def table(n):
        return dynamic_file(roles=[(ADMIN_ROLE, f"user-{n}", f"group-{n}")])

    sources.dynamic.write_text(table(0))
    wait_for_username(sources, ADMIN, "user-0")
    token = sign_token(ADMIN)

    stop = threading.Event()
    results, problems = [], []

    def client():
        connection = sources.connection()
        newest = 0
        try:
            while not stop.is_set():
                status, answer = sources.review(token, connection=connection)
                if status != 200:
                    problems.append((status, answer))
                    continue
                user = answer["status"]["user"]
                results.append((user["username"], tuple(user["groups"])))
                version = int(user["username"].split("-")[1])
                if version < newest:
                    problems.append(f"saw version {version} after {newest}")
                newest = max(newest, version)
        except Exception as error:  # noqa: BLE001 - reported below
            problems.append(repr(error))
        finally:
            connection.close()

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    reloads_before = metric_value(sources.metrics(), "aws_iam_authenticator_mapping_reload_total", source="DynamicFile",
                                  result="success")
    try:
        for n in range(1, 501):
            # Alternate the two common update styles.
            if n % 2:
                sources.dynamic.write_text(table(n))
            else:
                temporary = sources.dynamic.with_suffix(".tmp")
                temporary.write_text(table(n))
                os.replace(temporary, sources.dynamic)
            # Wait until this version is live, so every write is a reload.
            deadline = time.monotonic() + APPLY_WITHIN
            while not results or results[-1][0] != f"user-{n}":
                assert time.monotonic() < deadline, f"reload {n} not applied within {APPLY_WITHIN} s"
                time.sleep(0.002)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
    reloads = metric_value(sources.metrics(), "aws_iam_authenticator_mapping_reload_total", source="DynamicFile",
                           result="success") - reloads_before
    assert problems == []
    mixed = [(user, groups) for user, groups in results if groups != (user.replace("user-", "group-"),)]
    assert mixed == []
    assert len(results) > 1000
    assert reloads >= 500
