"""The HTTP layer of the real server: routes, limits, keep-alive, load."""

import concurrent.futures
import socket
import ssl

from harness import ADMIN, metric_value, sign_token


def test_healthz_and_unknown_routes(server):
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")
    assert server.post(None, path="/nope", method="GET")[0] == 404
    assert server.post(None, path="/metrics", method="POST")[0] == 405


def test_authenticate_requires_post(server):
    status, text = server.post(None, path="/authenticate", method="GET")
    assert (status, text) == (405, "expected POST\n")


def test_malformed_json_is_a_400(server):
    before = metric_value(server.metrics(), "aws_iam_authenticator_authenticate_latency_seconds_count", result="malformed_request")
    for body in ["{", "not json", "[]", '{"apiVersion":"authentication.k8s.io/v7"}', '{"spec":{"token":1}}', ""]:
        status, text = server.post(body)
        assert status == 400, body
        assert text == "expected a request body to be a TokenReview\n"
    after = metric_value(server.metrics(), "aws_iam_authenticator_authenticate_latency_seconds_count", result="malformed_request")
    assert after == before + 6


def test_body_over_the_limit_is_a_413(server):
    status, _ = server.post('{"spec":{"token":"' + "x" * (64 * 1024) + '"}}')
    assert status == 413
    # The server is fine afterwards.
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")


def test_headers_over_the_limit_are_a_431(server):
    status, _ = server.post("{}", headers={"X-Filler": "y" * 16 * 1024})
    assert status == 431


def test_garbage_instead_of_http_gets_a_400(server):
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"THIS IS NOT HTTP\r\n\r\n")
            answer = tls.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")


def test_endless_chunk_extension_is_cut_off(server):
    # Beast checks chunk sizes but not chunk-extension length; the read
    # buffer's cap must stop this with a 400 long before memory runs out.
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"POST /authenticate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;")
            answer = b""
            try:
                for _ in range(64):  # up to 4 MiB of extension
                    tls.sendall(b"a" * 65536)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            try:
                answer = tls.recv(4096)
            except (ConnectionResetError, ssl.SSLError):
                pass
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")


def test_plain_http_on_the_tls_port_is_refused(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.settimeout(10)
        try:
            answer = raw.recv(4096)
        except ConnectionResetError:
            answer = b""
    assert not answer.startswith(b"HTTP/1.1 200")


def test_keep_alive_reuses_connections_both_ways(server, emulator):
    token = sign_token(ADMIN)
    before = emulator.stats()["connections"]
    connection = server.connection()
    try:
        assert server.review(token, connection=connection)[0] == 200
        first_socket = connection.sock
        for _ in range(49):
            assert server.review(token, connection=connection)[0] == 200
            assert connection.sock is first_socket  # the server kept the connection open
    finally:
        connection.close()
    # 50 STS calls over at most one pooled connection per server thread (2),
    # plus the connection this stats call itself opens.
    assert emulator.stats()["connections"] - before <= 2 + 1


def test_200_concurrent_requests(start_server, emulator):
    # Without the identity cache, so all 200 reach STS.
    server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file,
                           "--threads", "2", "--identity-cache-ttl", "0"])
    token = sign_token(ADMIN)
    before = emulator.stats()["succeeded"]

    def one(_):
        return server.review(token)[0]

    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200), timeout=120))
    assert statuses == [200] * 200
    assert emulator.stats()["succeeded"] - before == 200


def test_metrics_use_upstream_names(server):
    server.review(sign_token(ADMIN))
    text = server.metrics()
    for name in [
        "aws_iam_authenticator_authenticate_latency_seconds_bucket",
        "aws_iam_authenticator_authenticate_latency_seconds_count",
        "aws_iam_authenticator_sts_responses_total",
    ]:
        assert name in text, name
    assert metric_value(text, "aws_iam_authenticator_sts_responses_total", ResponseCode="200", StsRegion="us-west-2") >= 1
    assert "# TYPE aws_iam_authenticator_authenticate_latency_seconds histogram" in text
