"""A TLS front for the STS emulator that misbehaves on command: what STS or
EC2 (or a proxy or load balancer on the way) can do to the server on a bad
day, byte for byte. The emulator behind it still checks every signature, so
in mode "pass" the server gets real answers.

The mode is read for every request, so a test switches it while the
server's pooled connections stay open, and sees whether they recover.

    proxy = FaultProxy(emulator)      # serves the emulator's certificate
    proxy.mode = "reset"
    ... the server's STS or EC2 calls through proxy.url are reset ...
    proxy.mode = "pass"
    proxy.close()
"""

import socket
import ssl
import struct
import threading
import time

from harness import STOP_TIMEOUT

# Mode -> what the server receives.
MODES = {
    "pass": "the emulator's answer",
    "slow": "the emulator's answer, `delay` seconds late",
    "reset": "a TCP reset once the request is read",
    "close": "the connection closed once the request is read, no answer",
    "truncate": "the emulator's answer cut in the middle of its body, then the connection closed",
    "short_body": "the emulator's answer with its body cut, Content-Length adjusted to the cut",
    "garbage": "200 with a body that is not STS's nor EC2's",
    "not_http": "bytes that are not HTTP",
    "stall": "new TCP connections whose TLS handshake never ends (drop_connections() ends the old ones)",
    "throttle": "STS's 400 Throttling / EC2's 503 RequestLimitExceeded",
    "error": "500 InternalFailure in STS's or EC2's shape",
    "bad_gateway": "503 with a load balancer's HTML page",
}


class _Reader:
    """HTTP/1.1 messages off a socket: headers, then a Content-Length body."""

    def __init__(self, sock):
        self.sock = sock
        self.data = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.data += chunk

    def message(self):
        """(head bytes, body bytes), or None at a clean end of stream."""
        try:
            while b"\r\n\r\n" not in self.data:
                self._fill()
        except EOFError:
            if self.data:
                raise
            return None
        head, self.data = self.data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(self.data) < length:
            self._fill()
        body, self.data = self.data[:length], self.data[length:]
        return head + b"\r\n\r\n", body


def _answer(status, reason, content_type, body):
    body = body.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def _is_ec2(head, body):
    return b"Action=DescribeInstances" in body


def _throttle(head, body):
    if _is_ec2(head, body):
        return _answer(503, "Service Unavailable", "text/xml",
                       "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
                       "</Message></Error></Errors><RequestID>r</RequestID></Response>")
    return _answer(400, "Bad Request", "application/json",
                   '{"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"},"RequestId":"r"}')


def _internal_error(head, body):
    if _is_ec2(head, body):
        return _answer(500, "Internal Server Error", "text/xml",
                       "<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred"
                       "</Message></Error></Errors><RequestID>r</RequestID></Response>")
    return _answer(500, "Internal Server Error", "application/json",
                   '{"Error":{"Code":"InternalFailure","Message":"The request processing has failed.",'
                   '"Type":"Receiver"},"RequestId":"r"}')


class FaultProxy:
    def __init__(self, emulator, mode="pass", delay=3.0):
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        self.delay = delay
        self.upstream = ("127.0.0.1", emulator.port)
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert = emulator.ca_file  # the emulator's self-signed certificate, for 127.0.0.1
        self.server_context.load_cert_chain(cert, str(cert).replace("cert.pem", "key.pem"))
        self.client_context = ssl.create_default_context(cafile=cert)
        self.connections = 0  # TCP connections accepted
        self.requests = 0     # requests read
        self.faults = 0       # requests answered with a fault
        self._running = True
        self._open = set()
        self._lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self):
        while self._running:
            try:
                raw, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with self._lock:
                self.connections += 1
                self._open.add(raw)
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        upstream = None
        conn = raw  # then the TLS socket, which takes over raw's descriptor
        try:
            raw.settimeout(30)
            if self.mode == "stall":
                # Hold the TCP connection, never answer the ClientHello.
                deadline = time.monotonic() + 30
                while self._running and time.monotonic() < deadline:
                    time.sleep(0.05)
                return
            tls = conn = self.server_context.wrap_socket(raw, server_side=True)
            with self._lock:
                self._open.discard(raw)
                self._open.add(tls)
            reader = _Reader(tls)
            while self._running:
                request = reader.message()
                if request is None:
                    return
                with self._lock:
                    self.requests += 1
                mode = self.mode
                if mode != "pass":
                    with self._lock:
                        self.faults += 1
                if mode == "reset":
                    tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if mode == "close":
                    return
                if mode == "garbage":
                    tls.sendall(_answer(200, "OK", "application/json", "<html><body>Welcome to nginx!</body></html>"))
                    continue
                if mode == "not_http":
                    tls.sendall(b"\x16\x03\x01\x00\xffSSH-2.0-OpenSSH_9.2\r\n\x00\x01garbage")
                    return
                if mode == "throttle":
                    tls.sendall(_throttle(*request))
                    continue
                if mode == "error":
                    tls.sendall(_internal_error(*request))
                    continue
                if mode == "bad_gateway":
                    tls.sendall(_answer(503, "Service Unavailable", "text/html",
                                        "<html><head><title>503 Service Temporarily Unavailable</title></head></html>"))
                    continue
                if upstream is None:
                    upstream = self.client_context.wrap_socket(
                        socket.create_connection(self.upstream, timeout=10), server_hostname="127.0.0.1")
                    upstream_reader = _Reader(upstream)
                upstream.sendall(request[0] + request[1])
                head, body = upstream_reader.message()
                if mode == "slow":
                    time.sleep(self.delay)
                if mode == "truncate":
                    tls.sendall(head + body[: len(body) // 2])
                    return
                if mode == "short_body":
                    cut = body[: len(body) // 2]
                    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length")]
                    head = b"\r\n".join(line for line in lines if line) + b"\r\nContent-Length: %d\r\n\r\n" % len(cut)
                    tls.sendall(head + cut)
                    continue
                tls.sendall(head + body)
        except (OSError, EOFError, ValueError, ssl.SSLError):
            return
        finally:
            with self._lock:
                self._open.discard(conn)
            for sock in (upstream, conn):
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass

    def drop_connections(self):
        """Ends every open connection (the peer restarted), so the next
        request needs a new one."""
        with self._lock:
            for conn in list(self._open):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self._running = False
        self._acceptor.join(timeout=STOP_TIMEOUT)
        self.sock.close()
        self.drop_connections()
