"""What one client can take from the server is bounded: connections open at
once, requests per connection, the time one request may take. (Header and
body sizes: test_http.py; STS calls in flight: test_inflight_limit.py.)"""

import http.client
import ssl
import time

import pytest

from harness import ADMIN, metric_value, scaled, sign_token, wait_until


def healthz(connection):
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    return response.status, response.read(), response.getheader("Connection")


def test_connections_past_the_cap_are_closed_at_once(start_server):
    server = start_server(server_keys={"maxConnections": 4})
    held = [server.connection(timeout=5) for _ in range(4)]
    try:
        for connection in held:
            connection.connect()  # TLS handshake done: the server counts it

        # The fifth is accepted and closed at once: its handshake fails fast
        # instead of waiting in the kernel's backlog.
        started = time.monotonic()
        extra = server.connection(timeout=5)
        with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException, OSError)):
            healthz(extra)
        assert time.monotonic() - started < scaled(2)
        extra.close()

        # Those already open are served as before.
        assert healthz(held[1])[0] == 200

        # Once one closes, a newcomer gets its slot.
        held.pop(0).close()

        def new_connection_served():
            probe = server.connection(timeout=5)
            try:
                return healthz(probe)[0] == 200
            except (ssl.SSLError, ConnectionError, http.client.HTTPException, OSError):
                return False
            finally:
                probe.close()

        wait_until(new_connection_served, what="a free connection slot")
        # Asked on a connection already open: a new one could race the
        # probe's slot being given back.
        held[1].request("GET", "/metrics")
        metrics = held[1].getresponse().read().decode()
    finally:
        for connection in held:
            connection.close()
    assert metric_value(metrics, "aws_iam_authenticator_connections_refused_total") >= 1
    assert server.process.proc.poll() is None


def test_a_connection_serves_at_most_max_requests(start_server):
    server = start_server(server_keys={"maxRequestsPerConnection": 3})
    connection = server.connection()
    try:
        answers = [healthz(connection) for _ in range(3)]
        assert [status for status, _, _ in answers] == [200, 200, 200]
        # The third answer says so, and the server closes its side.
        assert [header for _, _, header in answers] == [None, None, "close"]
        sock = connection.sock
        assert sock is None or sock.recv(1) == b""
    finally:
        connection.close()
    # A new connection starts a new count.
    fresh = server.connection()
    try:
        assert healthz(fresh)[0] == 200
    finally:
        fresh.close()


def test_a_request_gets_an_answer_within_the_request_timeout(start_emulator, start_server):
    slow = start_emulator("--latency", "3s")
    server = start_server(["--sts-endpoint-override", slow.url, "--sts-ca-cert", slow.ca_file,
                           "--sts-timeout", "10s", "--identity-cache-ttl", "0"],
                          server_keys={"requestTimeout": "1s"})
    connection = server.connection()
    try:
        started = time.monotonic()
        status, answer = server.review(sign_token(ADMIN), connection=connection)
        elapsed = time.monotonic() - started
        assert status == 503, answer
        assert answer == "no answer in time\n"
        assert 0.9 < elapsed < scaled(2.0), elapsed

        # The connection and the server go on; the late review ends on its own.
        assert healthz(connection)[0] == 200
    finally:
        connection.close()
    assert metric_value(server.metrics(), "aws_iam_authenticator_request_timeouts_total") == 1
    server.process.wait_for_text('msg="no answer within server.requestTimeout; answered 503"')
    assert server.process.proc.poll() is None


def test_limits_are_config_keys_with_clear_errors(start_server):
    server = start_server(server_keys={"maxConnections": 0}, wait=False)
    assert server.process.wait_exit() == 1
    assert "config key server.maxConnections: must be at least 1" in server.process.text()
