"""Starting and talking to the real binaries: the STS emulator, the server
and sign-token. Every wait has a timeout and every process started here is
stopped by its owner (see conftest.py), whatever the test's outcome."""

import base64
import http.client
import json
import os
import queue
import re
import signal
import socket
import ssl
import subprocess
import shutil
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the repository
BIN_DIR = Path(os.environ.get("AIA_BIN_DIR", "build/release"))
SERVER = BIN_DIR / "server" / "aws-iam-authenticator"
EMULATOR = BIN_DIR / "bench" / "sts-emulator"
SIGN_TOKEN = BIN_DIR / "bench" / "sign-token"

# One factor for every deadline a timing-sensitive test sets: the sanitizer
# builds run several times slower and set it (tests/CMakeLists.txt), so a
# busy 2-core machine does not turn their slowness into failures.
TIME_SCALE = float(os.environ.get("AIA_TIME_SCALE", "1"))


def scaled(seconds):
    """`seconds`, stretched for the build under test."""
    return seconds * TIME_SCALE


START_TIMEOUT = scaled(15)  # seconds for a process to say it is ready
STOP_TIMEOUT = scaled(10)

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition, what):
    """Skips the calling test when `condition` is false -- except under
    CI=true, where a missing tool or privilege must fail, never skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} (CI=true: required, not skipped)")
    pytest.skip(what)


def require_tool(name, package):
    """The path of tool `name`; see require()."""
    path = shutil.which(name)
    require(path is not None, f"{name} is missing: run scripts/install-deps.sh (Debian's {package})")
    return path

# Identities the emulator knows. The keys are test values, not real ones.
ADMIN = {
    "accessKeyId": "ASIAADMINEXAMPLE0001",
    "secretAccessKey": "admin/secret+key",
    "sessionToken": "session-token-for-admin/+=",
    "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com",
}
NODE = {
    "accessKeyId": "ASIANODEEXAMPLE00001",
    "secretAccessKey": "node-secret",
    "sessionToken": "session-token-for-node",
    "arn": "arn:aws:sts::111122223333:assumed-role/team/Deployer/ci-42",
}
BOB = {
    "accessKeyId": "AKIABOBEXAMPLE000001",
    "secretAccessKey": "bob-secret",
    "arn": "arn:aws:iam::111122223333:user/bob",
}
CAROL = {
    "accessKeyId": "AKIACAROLEXAMPLE0001",
    "secretAccessKey": "carol-secret",
    "arn": "arn:aws:iam::111122223333:user/carol",
}
OTHER_ACCOUNT = {
    "accessKeyId": "AKIAOTHEREXAMPLE0001",
    "secretAccessKey": "other-secret",
    "arn": "arn:aws:iam::444455556666:user/dave",
}
EC2_NODE = {
    "accessKeyId": "ASIAEC2NODEEXAMPLE01",
    "secretAccessKey": "ec2-node-secret",
    "sessionToken": "session-token-for-ec2",
    "arn": "arn:aws:sts::111122223333:assumed-role/WorkerNode/i-0123456789abcdef0",
}
IDENTITIES = [ADMIN, NODE, BOB, CAROL, OTHER_ACCOUNT, EC2_NODE]

CLUSTER_ID = "integration-cluster"

SERVER_CONFIG = """\
clusterID: {cluster_id}
server:
  port: 0
  stateDir: {state_dir}
  generateKubeconfig: {kubeconfig}
  mapRoles:
  - roleARN: arn:aws:iam::111122223333:role/Admin
    username: admin:{{{{SessionName}}}}
    groups:
    - system:masters
  - rolearn: arn:aws:iam::111122223333:role/team/Deployer
    username: deployer-{{{{SessionNameRaw}}}}
    groups: [deployers, "acct-{{{{AccountID}}}}"]
  - rolearn: arn:aws:iam::111122223333:role/WorkerNode
    username: system:node:{{{{EC2PrivateDNSName}}}}
    groups: [system:nodes]
  mapUsers:
  - userARN: arn:aws:iam::111122223333:user/carol
    username: carol
    groups: [viewers]
  mapAccounts:
  - "444455556666"
"""


class Process:
    """A child process whose output is read line by line in the background."""

    def __init__(self, args, env=None):
        self.args = [str(a) for a in args]
        self.lines = queue.Queue()
        self.output = []
        self.proc = subprocess.Popen(
            self.args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.output.append(line.rstrip("\n"))
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for_line(self, pattern, timeout=START_TIMEOUT):
        """The first match of `pattern` in a new output line, or an error
        carrying everything the process said. Explicit timeouts are scaled;
        the default already is."""
        deadline = time.monotonic() + (timeout if timeout == START_TIMEOUT else scaled(timeout))
        regex = re.compile(pattern)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.args[0]}: no line matching {pattern!r}; output:\n" + self.text())
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError(
                    f"{self.args[0]} exited ({self.proc.returncode}) before {pattern!r}; output:\n" + self.text()
                )
            match = regex.search(line)
            if match:
                return match

    def text(self):
        return "\n".join(self.output)

    def wait_for_text(self, substring, timeout=5):
        """Output lines are read in the background: wait until `substring`
        has been seen, and return the whole output."""
        deadline = time.monotonic() + scaled(timeout)
        while substring not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{substring!r} not in the output of {self.args[0]}:\n" + self.text())
            time.sleep(0.02)
        return self.text()

    def stop(self, sig=signal.SIGTERM):
        """Stops the process (and its group); returns its exit status.
        Fails when a sanitizer reported anything (sanitizer builds)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
        self.reader.join(timeout=STOP_TIMEOUT)
        self.check_sanitizers()
        return self.proc.returncode

    def wait_exit(self, timeout=START_TIMEOUT):
        try:
            return self.proc.wait(timeout=timeout if timeout == START_TIMEOUT else scaled(timeout))
        finally:
            self.reader.join(timeout=STOP_TIMEOUT)
            self.check_sanitizers()

    SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                         "WARNING: ThreadSanitizer")

    def check_sanitizers(self):
        text = self.text()
        if any(marker in text for marker in self.SANITIZER_REPORTS):
            raise AssertionError(f"{self.args[0]} reported a sanitizer finding:\n" + text[-20000:])


class Emulator:
    """The emulated AWS. `world` adds fixture keys (instances, roles, ...;
    see bench/sts_emulator/world.hpp) and identities to the standard ones;
    `metadata` also serves instance metadata and container credentials over
    plain HTTP (self.metadata_url)."""

    def __init__(self, workdir, *extra_args, world=None, metadata=False):
        workdir.mkdir(parents=True, exist_ok=True)
        fixture = dict(world or {})
        fixture["identities"] = IDENTITIES + fixture.get("identities", [])
        identities = workdir / "identities.json"
        identities.write_text(json.dumps(fixture))
        port_args = [] if "--port" in extra_args else ["--port", "0"]
        metadata_args = ["--http-port", "0"] if metadata else []
        self.process = Process(
            [EMULATOR, "--identities", identities, "--state-dir", workdir / "state", *port_args, *metadata_args,
             *extra_args]
        )
        self.port = int(self.process.wait_for_line(r"listening on https://127\.0\.0\.1:(\d+)").group(1))
        self.ca_file = self.process.wait_for_line(r"^ca (.+)$").group(1)
        self.metadata_url = None
        if metadata:
            self.metadata_url = self.process.wait_for_line(r"metadata on (http://127\.0\.0\.1:\d+)").group(1)
        self.url = f"https://127.0.0.1:{self.port}"

    def stats(self):
        context = ssl.create_default_context(cafile=self.ca_file)
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=10)
        try:
            connection.request("GET", "/_emulator/stats")
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def stop(self):
        return self.process.stop()


def server_environment(workdir, extra=None):
    """The test's environment without AWS settings (and with HOME in the
    work directory, so no developer's ~/.aws is read), instance metadata
    off, the health listener on a free loopback port, then `extra` on top: a server reaches AWS only where a test says."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["HOME"] = str(workdir)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    # Upstream's health listener binds :21363 on every interface; tests keep
    # it on loopback, on a free port, so parallel servers never collide.
    env["AWS_IAM_AUTHENTICATOR_HEALTH_ADDRESS"] = "127.0.0.1:0"
    env.update(extra or {})
    return env


class Server:
    """The server, on the standard config unless given `config_text`;
    `server_keys` ({"idleTimeout": "1s"}) are added to its `server:` section."""

    def __init__(self, workdir, config_text=None, args=(), env=None, server_keys=None, prefix=()):
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.state_dir = workdir / "state"
        self.kubeconfig = workdir / "kubeconfig.yaml"
        self.config = workdir / "config.yaml"
        if config_text is None:
            config_text = SERVER_CONFIG.format(cluster_id=CLUSTER_ID, state_dir=self.state_dir, kubeconfig=self.kubeconfig)
        for key, value in (server_keys or {}).items():
            config_text += f"  {key}: {value}\n"  # SERVER_CONFIG ends inside `server:`
        self.config.write_text(config_text)
        # `prefix`: a command the server runs under (a private mount namespace, say).
        self.process = Process([*prefix, SERVER, "server", "--config", self.config, *args],
                               env=server_environment(workdir, env))
        self.port = None
        self.health_port = None  # the plain-HTTP health listener's, once ready

    def wait_ready(self):
        # Text (logrus-style) or JSON log lines.
        cert = self.process.wait_for_line(
            r'msg="(?:generated a new certificate|reusing certificate)" cert=(\S+)'
            r'|(?=.*"msg":"(?:generated a new certificate|reusing certificate)")(?=.*"cert":"([^"]+)")'
        )
        self.ca_file = Path(cert.group(1) or cert.group(2))
        self.state_dir = self.ca_file.parent
        match = self.process.wait_for_line(r'msg="?listening"? .*port=(\d+)|(?=.*"msg":"listening")(?=.*"port":"(\d+)")')
        self.port = int(match.group(1) or match.group(2))
        # Logged before "listening", when on.
        health = re.search(r'msg="health listener" .*port=(\d+)|(?=.*"msg":"health listener")(?=.*"port":"(\d+)")',
                           self.process.text())
        self.health_port = int(health.group(1) or health.group(2)) if health else None
        return self

    def connection(self, timeout=30):
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=timeout)

    def post(self, body, connection=None, path="/authenticate", method="POST", headers=None):
        """(status, parsed JSON or text) of one request."""
        own = connection is None
        connection = connection or self.connection()
        try:
            payload = body if isinstance(body, (bytes, str)) else json.dumps(body)
            connection.request(method, path, body=payload, headers=headers or {"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            try:
                return response.status, json.loads(data)
            except ValueError:
                return response.status, data.decode(errors="replace")
        finally:
            if own:
                connection.close()

    def review(self, token, api_version="authentication.k8s.io/v1", connection=None):
        return self.post(
            {"apiVersion": api_version, "kind": "TokenReview", "spec": {"token": token}}, connection=connection
        )

    def metrics(self):
        status, text = self.post(None, path="/metrics", method="GET")
        assert status == 200
        return text

    def stop(self):
        return self.process.stop()


def sign_token(identity, cluster_id=CLUSTER_ID, region="us-west-2", host=None, unix_time=None):
    args = [
        SIGN_TOKEN,
        "--access-key-id", identity["accessKeyId"],
        "--secret-access-key", identity["secretAccessKey"],
        "-i", cluster_id,
    ]
    if identity.get("sessionToken"):
        args += ["--session-token", identity["sessionToken"]]
    if region:
        args += ["--region", region]
    if host:
        args += ["--host", host]
    if unix_time is not None:
        args += ["--time", str(unix_time)]
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=START_TIMEOUT, check=True)
    return result.stdout.strip()


def sign_token_batch(identity, count, cluster_id=CLUSTER_ID, region="us-west-2"):
    """`count` distinct fresh tokens of one identity (signed one second apart)."""
    args = [
        SIGN_TOKEN,
        "--access-key-id", identity["accessKeyId"],
        "--secret-access-key", identity["secretAccessKey"],
        "-i", cluster_id,
        "--region", region,
        "--count", count,
    ]
    if identity.get("sessionToken"):
        args += ["--session-token", identity["sessionToken"]]
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=START_TIMEOUT, check=True)
    return result.stdout.split()


def username_of(server, identity):
    """The username `server` answers for a fresh token of `identity`, or
    None when it denies it."""
    status, answer = server.review(sign_token(identity))
    if status == 403 and answer["status"]["authenticated"] is False:
        return None
    assert status == 200, answer
    return answer["status"]["user"]["username"]


def wait_until(condition, timeout=8, what="condition"):
    """Polls `condition` until it holds; fails after `timeout` seconds
    (scaled for the build under test)."""
    deadline = time.monotonic() + scaled(timeout)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def free_port():
    """A loopback port nothing listens on right now, for a process that
    needs its port fixed in advance."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_for_url(url):
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def metric_value(metrics_text, name, **labels):
    """The value of one sample, or 0 when absent."""
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class TrapListener:
    """A TCP listener that records every connection attempt: a stand-in for
    any host the server must never contact."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=STOP_TIMEOUT)
        self.sock.close()
