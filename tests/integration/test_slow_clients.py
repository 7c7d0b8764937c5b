"""Slow and silent clients are cut off by timeouts, and meanwhile everyone
else is served at full speed: slowloris (headers trickled a byte a second),
a trickled body, a client that never reads its answers, one that never
finishes the TLS handshake, and keep-alive connections left idle."""

import select
import socket
import ssl
import threading
import time

import pytest

from harness import ADMIN, metric_value, scaled, sign_token

# The server's timeouts in these tests, in seconds.
HANDSHAKE, IDLE, HEADERS, BODY, WRITE = 1, 1.5, 2, 2, 1

KEYS = {
    "tlsHandshakeTimeout": f"{HANDSHAKE}s",
    "idleTimeout": f"{int(IDLE * 1000)}ms",
    "readHeaderTimeout": f"{HEADERS}s",
    "readBodyTimeout": f"{BODY}s",
    "writeTimeout": f"{WRITE}s",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory, emulator):
    import harness

    srv = harness.Server(
        tmp_path_factory.mktemp("slow-clients"),
        args=["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file, "--threads", "2"],
        server_keys=KEYS,
    )
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


def tls_socket(server):
    context = ssl.create_default_context(cafile=str(server.ca_file))
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10),
                               server_hostname="127.0.0.1")
    return sock


def closed_by_peer(sock, wait):
    """Whether the peer ends the connection within `wait` seconds (reading
    and dropping anything it sends before)."""
    deadline = time.monotonic() + wait
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        readable, _, _ = select.select([sock], [], [], remaining)
        if not readable:
            return False
        try:
            if not sock.recv(65536):
                return True
        except ssl.SSLWantReadError:
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            return True


def trickle(sock, data, interval=1.0):
    """Sends `data` a byte every `interval` seconds; returns how long after
    the first byte the server closed the connection, or None if it never did."""
    first = time.monotonic()
    for i in range(len(data)):
        try:
            sock.send(data[i:i + 1])
        except (ConnectionError, ssl.SSLError, OSError):
            return time.monotonic() - first
        if closed_by_peer(sock, interval):
            return time.monotonic() - first
    return None


class Bystander:
    """Another client reviewing tokens back to back on its own connection
    for as long as it runs; records each review's time and status."""

    def __init__(self, server):
        self.server = server
        self.token = sign_token(ADMIN)
        self.times, self.statuses = [], []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        connection = self.server.connection(timeout=10)
        try:
            while self.running:
                started = time.monotonic()
                status, _ = self.server.review(self.token, connection=connection)
                self.times.append(time.monotonic() - started)
                self.statuses.append(status)
                time.sleep(0.05)
        finally:
            connection.close()

    def stop(self):
        self.running = False
        self.thread.join(timeout=15)
        assert self.statuses and set(self.statuses) == {200}, self.statuses
        assert max(self.times) < scaled(0.5), f"a bystander waited {max(self.times):.2f} s"
        return len(self.statuses)


REQUEST_HEAD = (b"POST /authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"X-Padding: " + b"a" * 64 + b"\r\n")


def test_slowloris_headers_are_cut_off(server):
    before = metric_value(server.metrics(), "aws_iam_authenticator_connections_timed_out_total", phase="headers")
    bystander = Bystander(server)
    results = []

    def attack():
        sock = tls_socket(server)
        try:
            results.append(trickle(sock, REQUEST_HEAD))
        finally:
            sock.close()

    attackers = [threading.Thread(target=attack) for _ in range(10)]
    for attacker in attackers:
        attacker.start()
    for attacker in attackers:
        attacker.join(timeout=30)
    served = bystander.stop()

    assert len(results) == 10
    for cut_after in results:
        assert cut_after is not None, "a trickling client was never cut off"
        assert HEADERS - 0.2 <= cut_after <= HEADERS + scaled(1.5), cut_after
    assert served >= 10
    after = metric_value(server.metrics(), "aws_iam_authenticator_connections_timed_out_total", phase="headers")
    assert after - before == 10


def test_a_trickled_body_is_cut_off(server):
    sock = tls_socket(server)
    try:
        sock.sendall(REQUEST_HEAD + b"Content-Length: 500\r\n\r\n")
        cut_after = trickle(sock, b"{" * 500)
    finally:
        sock.close()
    assert cut_after is not None and BODY - 0.2 <= cut_after <= BODY + scaled(1.5), cut_after
    assert metric_value(server.metrics(), "aws_iam_authenticator_connections_timed_out_total", phase="body") >= 1


def test_a_client_that_never_reads_is_cut_off(server):
    """Pipelines requests for /metrics and reads nothing: once the socket
    buffers are full the server's write stalls, and writeTimeout ends it."""
    bystander = Bystander(server)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    context = ssl.create_default_context(cafile=str(server.ca_file))
    sock = context.wrap_socket(sock, server_hostname="127.0.0.1")
    requests = 2000
    try:
        pipelined = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * requests
        sender_done = threading.Event()

        def send():
            try:
                sock.sendall(pipelined)
            except (ConnectionError, ssl.SSLError, OSError):
                pass
            sender_done.set()

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        time.sleep(WRITE + 2.5)  # not reading
        # The server has given up on us: reading now drains what was in
        # flight, then meets the end of the connection, well short of every answer.
        received = b""
        sock.settimeout(5)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        sender_done.wait(timeout=10)
    finally:
        sock.close()
    bystander.stop()
    answers = received.count(b"HTTP/1.1 200 OK")
    assert answers < requests, "every answer arrived: the write never stalled"
    assert metric_value(server.metrics(), "aws_iam_authenticator_connections_timed_out_total", phase="write") >= 1


def test_an_unfinished_tls_handshake_is_cut_off(server):
    bystander = Bystander(server)
    silent = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    partial = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        partial.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # the start of a ClientHello
        started = time.monotonic()
        assert closed_by_peer(silent, HANDSHAKE + 2)
        assert closed_by_peer(partial, HANDSHAKE + 2)
        assert time.monotonic() - started >= HANDSHAKE - 0.3
    finally:
        silent.close()
        partial.close()
    bystander.stop()
    assert metric_value(server.metrics(), "aws_iam_authenticator_connections_timed_out_total", phase="handshake") >= 2


def test_idle_keep_alive_connections_are_closed(server):
    connection = server.connection()
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() == b"ok"
        started = time.monotonic()
        assert closed_by_peer(connection.sock, IDLE + 2)
        assert IDLE - 0.3 <= time.monotonic() - started, "closed before idleTimeout"
    finally:
        connection.close()
