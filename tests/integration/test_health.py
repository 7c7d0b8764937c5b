"""Liveness and readiness as upstream's probes expect them: /healthz always
answers 200 "ok" (any method, on the TLS port and on the plain-HTTP health
listener, upstream's :21363), /readyz answers 503 until every mapping source
has loaded once, and the cause of not being ready is in the log and the
metrics, never in an answer."""

import http.client
import re
import socket
import time

import harness
from harness import BOB, metric_value, scaled, sign_token

APPLY_WITHIN = scaled(2.0)


def plain(port, path, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def health_port(server):
    assert re.search(r'msg="health listener" address=127\.0\.0\.1 port=', server.process.text())
    return server.health_port


def dynamic_config(tmp_path, dynamic):
    return (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'k.yaml'}\n  backendMode: [DynamicFile, MountedFile]\n"
        f"  dynamicfilepath: {dynamic}\n"
    )


def test_healthz_is_ok_to_any_method_on_both_listeners(server):
    for method in ("GET", "POST", "PUT", "DELETE", "HEAD"):
        status, body = server.post(None, path="/healthz", method=method)
        assert status == 200, method
        assert body == ("" if method == "HEAD" else "ok"), method
    port = health_port(server)
    assert port not in (0, server.port)
    # As upstream's: the health listener answers "ok" on any path.
    for path in ("/healthz", "/", "/livez", "/anything/else"):
        assert plain(port, path) == (200, "ok"), path
    assert plain(port, "/healthz", method="POST") == (200, "ok")
    assert plain(port, "/readyz") == (200, "ok")
    assert server.post(None, path="/readyz", method="GET") == (200, "ok")
    # Plain HTTP only: the TLS port does not speak it, the health port does not speak TLS.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(b"\x16\x03\x01\x00\x05hello")
        raw.settimeout(10)
        assert not raw.recv(1024).startswith(b"\x16")


def test_readyz_waits_for_every_source_and_keeps_the_cause_out_of_answers(start_server, emulator, tmp_path):
    dynamic = tmp_path / "later" / "mappings.json"
    dynamic.parent.mkdir()
    srv = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
                       config_text=dynamic_config(tmp_path, dynamic))
    port = health_port(srv)
    # Alive (no restart loop) while not ready.
    assert srv.post(None, path="/healthz", method="GET") == (200, "ok")
    assert plain(port, "/healthz") == (200, "ok")
    for status, body in (srv.post(None, path="/readyz", method="GET"), plain(port, "/readyz")):
        assert (status, body) == (503, "not ready\n")
        assert "DynamicFile" not in body and "exist" not in body
    # The cause: in the log and the metrics.
    assert re.search(r"DynamicFile.*does not exist|does not exist.*DynamicFile", srv.process.text())
    metrics = srv.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_mapping_last_success_timestamp_seconds",
                        source="DynamicFile") == 0
    assert metric_value(metrics, "aws_iam_authenticator_mapping_last_success_timestamp_seconds",
                        source="MountedFile") > 0

    dynamic.write_text('{"mapUsers": [{"userarn": "%s", "username": "bob", "groups": ["g"]}]}' % BOB["arn"])
    deadline = time.monotonic() + APPLY_WITHIN
    while srv.post(None, path="/readyz", method="GET")[0] != 200:
        assert time.monotonic() < deadline, "readyz did not turn ready"
        time.sleep(0.05)
    assert plain(port, "/readyz") == (200, "ok")
    assert srv.review(sign_token(BOB))[1]["status"]["user"]["username"] == "bob"


def test_health_listener_moves_turns_off_and_a_taken_port_is_not_fatal(start_server, emulator):
    sts = ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file]
    wanted = harness.free_port()
    moved = start_server([*sts, "--health-address", f"127.0.0.1:{wanted}"])
    assert health_port(moved) == wanted
    assert plain(wanted, "/healthz") == (200, "ok")

    # The port is taken (by the server above): as upstream, an error in the
    # log, and the server serves on, with /healthz on its TLS port.
    second = start_server([*sts, "--health-address", f"127.0.0.1:{wanted}"])
    second.process.wait_for_text("health listener not started")
    assert re.search(r'level=error msg="health listener not started.*healthAddress="?127\.0\.0\.1:%d' % wanted,
                     second.process.text())
    assert second.post(None, path="/healthz", method="GET") == (200, "ok")
    assert second.review(sign_token(harness.ADMIN))[1]["status"]["authenticated"] is True

    off = start_server([*sts], env={"AWS_IAM_AUTHENTICATOR_HEALTH_ADDRESS": "off"})
    assert off.review(sign_token(harness.ADMIN))[1]["status"]["authenticated"] is True
    assert "health listener" not in off.process.text()


def test_a_bad_health_address_stops_start_up(start_server):
    for value, why in (("21363", "has no port"), ("localhost:21363", "does not start with an IP address"),
                       ("127.0.0.1:99999", "has no valid port"), ("[::1:21363", "does not start with an IP address")):
        srv = start_server(["--health-address", value], wait=False)
        assert srv.process.wait_exit() == 1, value
        assert f"server.healthAddress: \"{value}\" {why}" in srv.process.text(), srv.process.text()
