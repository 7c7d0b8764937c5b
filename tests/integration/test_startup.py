"""Starting, restarting and stopping the real server; its state files."""

import base64
import os
import stat
import time

import harness
from certificates import make_pair


def test_state_files_and_kubeconfig(start_server):
    srv = start_server()
    cert = (srv.state_dir / "cert.pem").read_text()
    assert stat.S_IMODE(os.stat(srv.state_dir / "key.pem").st_mode) == 0o600
    kubeconfig = srv.kubeconfig.read_text()
    assert f"server: https://localhost:{srv.port}/authenticate" in kubeconfig
    ca_data = kubeconfig.split("certificate-authority-data: ")[1].split()[0]
    assert base64.b64decode(ca_data).decode() == cert
    assert "current-context: webhook" in kubeconfig
    # The kubeconfig's CA really verifies the server (the test client uses cert.pem).
    assert srv.post(None, path="/healthz", method="GET") == (200, "ok")


def test_restart_reuses_the_certificate(start_server, tmp_path):
    first = start_server()
    cert = (first.state_dir / "cert.pem").read_bytes()
    key = (first.state_dir / "key.pem").read_bytes()
    assert first.stop() == 0
    config = first.config.read_text()
    second = start_server(config_text=config)
    assert (first.state_dir / "cert.pem").read_bytes() == cert
    assert (first.state_dir / "key.pem").read_bytes() == key
    second.process.wait_for_text("reusing certificate")


def test_a_broken_or_half_missing_pair_stops_the_start_and_is_kept(start_server):
    """A silently regenerated pair would break a --kubeconfig-pregenerated
    setup (kube-apiserver trusts the old one): only both files absent make a
    new pair."""
    first = start_server()
    first.stop()
    cert = first.state_dir / "cert.pem"
    key = first.state_dir / "key.pem"
    key.write_text("not a key")
    broken = start_server(config_text=first.config.read_text(), wait=False, name="broken")
    assert broken.process.wait_exit() == 1
    assert "serving certificate: " in broken.process.text()
    assert "key.pem is not an unencrypted PEM private key" in broken.process.text()
    assert key.read_text() == "not a key"

    key.unlink()
    half = start_server(config_text=first.config.read_text(), wait=False, name="half")
    assert half.process.wait_exit() == 1
    assert f"{cert} exists but {key} does not" in half.process.text()

    cert.unlink()
    fresh = start_server(config_text=first.config.read_text(), name="fresh")
    fresh.process.wait_for_text("generated a new certificate")


def test_a_certificate_not_naming_the_webhook_host_stops_the_start(start_server, tmp_path):
    first = start_server()
    first.stop()
    cert_pem, key_pem, _ = make_pair(host="10.9.9.9", localhost=False)
    (first.state_dir / "cert.pem").write_bytes(cert_pem)
    (first.state_dir / "key.pem").write_bytes(key_pem)
    refused = start_server(config_text=first.config.read_text(), wait=False, name="refused")
    assert refused.process.wait_exit() == 1
    assert "does not name localhost, the host the webhook kubeconfig uses" in refused.process.text()
    # The same pair is fine where the kubeconfig names a host it covers.
    named = start_server(config_text=first.config.read_text() + "  hostname: 10.9.9.9\n", name="named")
    named.process.wait_for_text("reusing certificate")
    # Upstream's certificate for --address 0.0.0.0 names localhost and not
    # 127.0.0.1: taken as it is, since the kubeconfig names localhost too.
    cert_pem, key_pem, _ = make_pair(host="10.9.9.9", localhost=True)
    (first.state_dir / "cert.pem").write_bytes(cert_pem)
    (first.state_dir / "key.pem").write_bytes(key_pem)
    upstreams = start_server(config_text=first.config.read_text(), name="upstreams")
    upstreams.process.wait_for_text("reusing certificate")


def test_sigterm_stops_cleanly(start_server):
    srv = start_server()
    assert srv.stop() == 0
    srv.process.wait_for_text("msg=stopped")


def test_upstream_config_with_unknown_keys_starts_with_warnings(start_server, tmp_path):
    config = harness.SERVER_CONFIG.format(
        cluster_id="c", state_dir=tmp_path / "s", kubeconfig=tmp_path / "k.yaml"
    ) + f"  dynamicBackendModePath: {tmp_path / 'mode.json'}\n  somethingNew: 1\n"
    srv = start_server(["--kubeconfig", "/dev/null", "--ec2-describeInstances-qps", "3"], config_text=config)
    text = srv.process.text()
    assert "no backend-mode file; server.backendMode is the chain" in text
    assert "server.somethingNew: unknown key, ignored" in text
    assert "ec2-describeInstances" not in text


def test_flags_override_the_config_file(start_server, tmp_path):
    srv = start_server(["--cluster-id", "from-flag", "--state-dir", str(tmp_path / "flag-state")])
    assert (tmp_path / "flag-state" / "cert.pem").exists()
    assert srv.port > 0


def test_cluster_id_from_the_environment(start_server, tmp_path):
    config = f"server:\n  port: 0\n  stateDir: {tmp_path / 's'}\n  generateKubeconfig: {tmp_path / 'k.yaml'}\n"
    env = {"KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID": "from-env"}
    srv = start_server(config_text=config, env=env)
    assert srv.port > 0


def start_and_expect_failure(start_server, config_text, *args):
    srv = start_server(list(args), config_text=config_text, wait=False)
    status = srv.process.wait_exit(timeout=harness.START_TIMEOUT)
    return status, srv.process.text()


def test_invalid_configuration_stops_startup_naming_the_key(start_server, tmp_path):
    base = f"server:\n  stateDir: {tmp_path / 's'}\n  generateKubeconfig: {tmp_path / 'k.yaml'}\n"
    cases = [
        (base, "config key clusterID"),
        ("clusterID: c\n" + base + "  port: 99999\n", "config key server.port"),
        ("clusterID: c\n" + base + "  partition: aws-moon\n", "config key server.partition"),
        ("clusterID: c\n" + base + "  address: not-an-ip\n", "config key server.address"),
        ("clusterID: c\n" + base + "  mapRoles: [x]\n", "config key server.mapRoles[0]: must be a mapping"),
        ("clusterID: c\n" + base + "  stsEndpointOverride: http://x\n", "config key server.stsEndpointOverride"),
        ("clusterID: c\n" + base + "  stsCACertFile: /does/not/exist\n", "config key server.stsCACertFile"),
        ("clusterID: c\nserver: [\n", "not valid YAML: line"),
    ]
    for config_text, expected in cases:
        status, output = start_and_expect_failure(start_server, config_text)
        assert status == 1, (config_text, output)
        assert expected in output, (config_text, output)


def test_port_in_use_is_reported(start_server, tmp_path):
    first = start_server()
    status, output = start_and_expect_failure(
        start_server, first.config.read_text().replace("port: 0", f"port: {first.port}")
    )
    assert status == 1
    assert "cannot listen on" in output


def test_command_line_errors_exit_2():
    import subprocess

    result = subprocess.run([str(harness.SERVER), "server", "--no-such-flag"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert "--no-such-flag" in result.stderr
    result = subprocess.run([str(harness.SERVER)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2


def test_upstream_example_config_starts_unchanged(start_server, tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "config" / "examples" / "upstream-style.yaml"
    srv = start_server(
        ["--port", "0", "--state-dir", str(tmp_path / "s"), "--generate-kubeconfig", str(tmp_path / "k.yaml")],
        config_text=example.read_text(),
    )
    text = srv.process.text()
    assert "mapping IAM user" in text
    assert srv.post(None, path="/healthz", method="GET") == (200, "ok")


def test_json_logs(start_server):
    import json

    srv = start_server(["--log-format", "json"])
    srv.review("k8s-aws-v1.bad")
    line = srv.process.wait_for_text('"msg":"access denied"').splitlines()
    denied = [json.loads(l) for l in line if '"msg":"access denied"' in l][0]
    assert denied["level"] == "warning"
    assert denied["error"].startswith("input token was not properly formatted")
    assert "client" in denied and "time" in denied


def test_an_unknown_log_format_is_a_warning_and_text_as_upstream(start_server):
    srv = start_server(["--log-format", "xml"])
    srv.review("k8s-aws-v1.bad")
    text = srv.process.wait_for_text('msg="access denied"')
    assert 'msg="configuration warning" problem="log format \\"xml\\" is not text or json; logging text"' in text
    assert '"msg":' not in text  # not one line in JSON


def test_bad_mapping_entries_are_refused_one_by_one(start_server, tmp_path):
    config = (
        f"clusterID: c\nserver:\n  port: 0\n  stateDir: {tmp_path / 's'}\n  generateKubeconfig: {tmp_path / 'k.yaml'}\n"
        "  mapRoles:\n"
        "  - rolearn: arn:aws:iam::1:role/x\n    username: x\n"
        "  - rolearn: arn:aws:iam::111122223333:role/ok\n    username: '{{SessionNmae}}'\n"
        "  - rolearn: arn:aws:iam::111122223333:role/good\n    username: good\n"
        "  mapAccounts: [abc]\n"
    )
    srv = start_server(config_text=config)
    text = srv.process.wait_for_text("mapping source loaded")
    assert "server.mapRoles[0]: arn" in text and "account must be 12 digits; entry ignored" in text
    assert "server.mapRoles[1]: unknown template variable {{SessionNmae}} in username; entry ignored" in text
    assert "mapAccounts[0]: \\\"abc\\\" is not a 12-digit account ID; entry ignored" in text
    assert "roles=1" in text
