"""The Kubernetes API emulator (bench/kube_emulator) for tests: starting it,
its control port, direct HTTPS requests and watch streams, kubeconfigs and
kubectl runs. Every wait has a timeout; the owner stops what it starts."""

import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import time

import harness

KUBE_EMULATOR = harness.ROOT / "bench" / "kube_emulator" / "kube_emulator.py"

ADMIN_TOKEN = "admin-token-0123456789"
NOBODY_TOKEN = "nobody-token-0123456789"   # authenticated, no rules

ADMIN_RULES = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]


def default_users():
    return [
        {"name": "admin", "tokens": [ADMIN_TOKEN], "rules": ADMIN_RULES},
        {"name": "nobody", "tokens": [NOBODY_TOKEN], "rules": []},
    ]


class KubeEmulator:
    """`users` is the auth file's list (see bench/kube_emulator/auth.py);
    `client_certs` are user names the emulator issues certificates for."""

    def __init__(self, workdir, users=None, client_certs=("admin",), args=()):
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.auth_file = workdir / "auth.json"
        self.write_users(users if users is not None else default_users())
        cert_args = [arg for name in client_certs for arg in ("--make-client-cert", name)]
        self.process = harness.Process([sys.executable, KUBE_EMULATOR, "--state-dir", workdir / "state",
                                        "--auth", self.auth_file, *cert_args, *args])
        self.port = int(self.process.wait_for_line(r"listening on https://127\.0\.0\.1:(\d+)").group(1))
        self.ca_file = self.process.wait_for_line(r"^ca (.+)$").group(1)
        self.control_port = int(self.process.wait_for_line(r"control on http://127\.0\.0\.1:(\d+)").group(1))
        self.client_certs = {}
        for _ in client_certs:
            match = self.process.wait_for_line(r"^client-cert (\S+) (\S+) (\S+)$")
            self.client_certs[match.group(1)] = (match.group(2), match.group(3))
        self.url = f"https://127.0.0.1:{self.port}"

    def stop(self):
        return self.process.stop()

    # --- the auth file ---

    def write_users(self, users):
        """Replaces the rule table (atomically; the emulator re-reads it)."""
        temporary = self.auth_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"users": users}))
        os.replace(temporary, self.auth_file)

    # --- the control port ---

    def control_answer(self, method, path, body=None):
        """(status, decoded JSON) of a control request."""
        connection = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=harness.scaled(10))
        try:
            data = None if body is None else json.dumps(body)
            connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def control(self, method, path, body=None):
        status, payload = self.control_answer(method, path, body)
        assert status == 200, (path, status, payload)
        return payload

    def stats(self):
        return self.control("GET", "/stats")

    def faults(self, **changes):
        return self.control("POST", "/faults", changes)

    # --- the API over HTTPS ---

    def context(self, cert_user=None):
        context = ssl.create_default_context(cafile=self.ca_file)
        if cert_user is not None:
            context.load_cert_chain(*self.client_certs[cert_user])
        return context

    def connect(self, cert_user=None, timeout=10):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(cert_user),
                                           timeout=harness.scaled(timeout))

    def request(self, method, path, body=None, token=ADMIN_TOKEN, content_type="application/json",
                cert_user=None, headers=None):
        """(status, decoded JSON body or raw bytes)."""
        connection = self.connect(cert_user)
        try:
            all_headers = dict(headers or {})
            if token is not None:
                all_headers["Authorization"] = f"Bearer {token}"
            if body is not None:
                if not isinstance(body, (bytes, str)):
                    body = json.dumps(body)
                if content_type is not None:
                    all_headers["Content-Type"] = content_type
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            try:
                return response.status, json.loads(raw)
            except ValueError:
                return response.status, raw
        finally:
            connection.close()

    def ok(self, method, path, body=None, content_type="application/json", expect=(200, 201)):
        code, payload = self.request(method, path, body, content_type=content_type)
        assert code in expect, (method, path, code, payload)
        return payload

    def watch(self, path, token=ADMIN_TOKEN, timeout=5):
        return WatchStream(self, path, token, timeout)

    # --- kubectl ---

    def kubeconfig(self, path, user="admin", token=None):
        """A kubeconfig whose current user is a client certificate issued to
        `user` (token=None) or a bearer token."""
        if token is None:
            cert, key = self.client_certs[user]
            credentials = {"client-certificate": cert, "client-key": key}
        else:
            credentials = {"token": token}
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "emulator", "cluster": {"server": self.url, "certificate-authority": self.ca_file}}],
            "users": [{"name": "user", "user": credentials}],
            "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "user"}}],
            "current-context": "emulator",
        }
        path.write_text(json.dumps(config))
        return path


class StreamCut(Exception):
    """The watch connection ended without the terminating chunk."""


class WatchStream:
    """One watch request over its own TLS socket, with its own chunked
    decoding, so a clean end (the terminating chunk: line() returns b"")
    and a cut (StreamCut) can be told apart. Every read has a timeout."""

    def __init__(self, emulator, path, token, timeout):
        raw = socket.create_connection(("127.0.0.1", emulator.port), timeout=harness.scaled(timeout))
        self.sock = emulator.context().wrap_socket(raw, server_hostname="127.0.0.1")
        headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{emulator.port}\r\nAccept: application/json\r\n"
        if token:
            headers += f"Authorization: Bearer {token}\r\n"
        self.sock.sendall((headers + "\r\n").encode())
        self.reader = self.sock.makefile("rb")
        status_line = self.reader.readline()
        self.status = int(status_line.split()[1])
        self.headers = {}
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode().partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.chunked = self.headers.get("transfer-encoding") == "chunked"
        self.buffer = b""
        self.ended = False

    def _chunk(self):
        size_line = self.reader.readline()
        if not size_line:
            raise StreamCut("connection closed before the terminating chunk")
        size = int(size_line.strip(), 16)
        if size == 0:
            self.reader.readline()
            self.ended = True
            return b""
        data = self.reader.read(size)
        if len(data) != size or self.reader.read(2) != b"\r\n":
            raise StreamCut("connection closed inside a chunk")
        return data

    def line(self):
        """The next line (bytes), b"" at a clean end of stream."""
        while b"\n" not in self.buffer:
            if self.ended:
                return b""
            chunk = self._chunk()
            if not chunk:
                rest, self.buffer = self.buffer, b""
                return rest
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"

    def event(self):
        line = self.line()
        assert line, "the watch stream ended"
        return json.loads(line)

    def body(self):
        """The JSON body of a non-stream answer."""
        return json.loads(self.reader.read(int(self.headers["content-length"])))

    def close(self):
        self.reader.close()
        self.sock.close()


def kubectl_runner(tmp_path, kubeconfig):
    """run(*args) -> CompletedProcess for the real kubectl with its own
    cache directory (so discovery really happens) and a time limit."""
    tool = harness.require_tool("kubectl", "kubernetes-client")
    cache = tmp_path / "kube-cache"

    def run(*args, config=None, timeout=30, input=None):
        env = dict(os.environ, HOME=str(tmp_path), KUBECONFIG=str(config or kubeconfig))
        started = time.monotonic()
        result = subprocess.run([tool, f"--cache-dir={cache}", "--request-timeout=10s", *args], env=env,
                                capture_output=True, text=True, timeout=harness.scaled(timeout), input=input)
        result.elapsed = time.monotonic() - started
        return result

    run.tool = tool
    run.cache = cache
    return run
