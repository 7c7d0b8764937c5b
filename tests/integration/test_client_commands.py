"""The client side of the binary: `token` (what kubectl runs), `verify`,
`init` and `version`, against the real server and the emulated STS. Tokens
from Debian's awscli (`aws eks get-token`), a client nobody here wrote, must
pass too, and kubectl itself must accept what `token` prints."""

import base64
import datetime
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import threading
import time
import urllib.parse

import pytest
import yaml

import harness
from harness import ADMIN, BOB, CLUSTER_ID, SERVER

ACCOUNT = "111122223333"
KUBECTL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/KubectlUser"
AWSCLI = "/usr/bin/aws"  # Debian's awscli, not whatever else is on PATH
RUN_TIMEOUT = 30

WORLD = {"assumableRoles": [KUBECTL_ROLE], "region": "us-west-2"}

CONFIG = """\
clusterID: {cluster_id}
server:
  port: 0
  stateDir: {state_dir}
  generateKubeconfig: {kubeconfig}
  mapRoles:
  - rolearn: arn:aws:iam::111122223333:role/Admin
    username: admin:{{{{SessionName}}}}
    groups: [system:masters]
  - rolearn: {role}
    username: kubectl:{{{{SessionNameRaw}}}}
    groups: [developers]
  mapUsers:
  - userarn: arn:aws:iam::111122223333:user/bob
    username: bob
    groups: [viewers]
"""


def keys_of(identity):
    env = {"AWS_ACCESS_KEY_ID": identity["accessKeyId"], "AWS_SECRET_ACCESS_KEY": identity["secretAccessKey"]}
    if identity.get("sessionToken"):
        env["AWS_SESSION_TOKEN"] = identity["sessionToken"]
    return env


def client_env(workdir, emulator=None, **extra):
    """A clean client environment: no developer's ~/.aws, no instance
    metadata, STS calls (AssumeRole) to the emulator when given."""
    env = harness.server_environment(workdir)
    if emulator is not None:
        env.update({"AWS_ENDPOINT_URL_STS": emulator.url, "AWS_CA_BUNDLE": emulator.ca_file})
    env.update({key: value for key, value in extra.items() if value is not None})
    return env


def run(args, env, check=True, cwd=None):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT,
                            cwd=cwd)
    if check:
        assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def token_url(token):
    encoded = token[len("k8s-aws-v1."):]
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def user_of(answer):
    assert answer["status"]["authenticated"] is True, answer
    return answer["status"]["user"]


@pytest.fixture(scope="module")
def sts(tmp_path_factory):
    emu = harness.Emulator(tmp_path_factory.mktemp("client-emulator"), world=WORLD)
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def authenticator(tmp_path_factory, sts):
    workdir = tmp_path_factory.mktemp("client-server")
    config = CONFIG.format(cluster_id=CLUSTER_ID, state_dir=workdir / "state", kubeconfig=workdir / "kubeconfig.yaml",
                           role=KUBECTL_ROLE)
    srv = harness.Server(workdir, config_text=config, args=["--sts-endpoint-override", sts.url, "--sts-ca-cert", sts.ca_file])
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


# --- token -------------------------------------------------------------------


def test_token_prints_an_exec_credential_the_server_accepts(tmp_path, authenticator):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    result = run([SERVER, "token", "-i", CLUSTER_ID, "--region", "us-west-2"], client_env(tmp_path, **keys_of(ADMIN)))
    assert result.stdout.count("\n") == 1
    credential = json.loads(result.stdout)
    assert list(credential) == ["kind", "apiVersion", "spec", "status"]
    assert credential["kind"] == "ExecCredential"
    assert credential["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert credential["spec"] == {"interactive": False}
    expires = datetime.datetime.strptime(credential["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    assert before + datetime.timedelta(minutes=14) <= expires <= before + datetime.timedelta(minutes=14, seconds=60)

    token = credential["status"]["token"]
    url = urllib.parse.urlsplit(token_url(token))
    assert url.netloc == "sts.us-west-2.amazonaws.com"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    assert query["X-Amz-Expires"] == "60"

    status, answer = authenticator.review(token)
    assert status == 200, answer
    assert user_of(answer)["username"] == "admin:alice-example.com"

    # The same token for another cluster is refused by STS's signature check.
    other = run([SERVER, "token", "-i", "another-cluster", "--token-only"], client_env(tmp_path, **keys_of(ADMIN)))
    status, answer = authenticator.review(other.stdout.strip())
    assert status == 403 and answer["status"]["authenticated"] is False


def test_token_region_choice_and_output_forms(tmp_path, authenticator):
    env = client_env(tmp_path, **keys_of(BOB))
    # No region anywhere (instance metadata off): us-east-1's regional
    # endpoint, as upstream v0.7's client -- never the global one.
    token = run([SERVER, "token", "-i", CLUSTER_ID, "--token-only"], env).stdout.strip()
    assert urllib.parse.urlsplit(token_url(token)).netloc == "sts.us-east-1.amazonaws.com"
    assert user_of(authenticator.review(token)[1])["username"] == "bob"
    # AWS_REGION, and a region from the profile in the shared config file.
    token = run([SERVER, "token", "-i", CLUSTER_ID, "--token-only"], {**env, "AWS_REGION": "eu-west-1"}).stdout.strip()
    assert urllib.parse.urlsplit(token_url(token)).netloc == "sts.eu-west-1.amazonaws.com"
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = ap-southeast-2\n")
    token = run([SERVER, "token", "-i", CLUSTER_ID, "--token-only"], {**env, "AWS_CONFIG_FILE": str(config)}).stdout.strip()
    assert urllib.parse.urlsplit(token_url(token)).netloc == "sts.ap-southeast-2.amazonaws.com"
    assert user_of(authenticator.review(token)[1])["username"] == "bob"

    # kubectl asks for the version it speaks.
    exec_info = json.dumps({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1",
                            "spec": {"interactive": False}})
    credential = json.loads(run([SERVER, "token", "-i", CLUSTER_ID], {**env, "KUBERNETES_EXEC_INFO": exec_info}).stdout)
    assert credential["apiVersion"] == "client.authentication.k8s.io/v1"
    refused = run([SERVER, "token", "-i", CLUSTER_ID],
                  {**env, "KUBERNETES_EXEC_INFO": '{"apiVersion":"client.authentication.k8s.io/v9"}'}, check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "could not get token: KUBERNETES_EXEC_INFO asks for apiVersion" in refused.stderr

    # The cluster ID may come from the environment, as upstream.
    token = run([SERVER, "token", "--token-only"], {**env, "KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID": CLUSTER_ID}).stdout
    assert user_of(authenticator.review(token.strip())[1])["username"] == "bob"


def test_token_errors_say_what_to_do(tmp_path):
    env = client_env(tmp_path)
    missing = run([SERVER, "token"], env, check=False)
    assert missing.returncode == 2 and "cluster ID not specified (-i CLUSTER" in missing.stderr
    both = run([SERVER, "token", "-i", "c", "-r", KUBECTL_ROLE, "-s", "x", "--forward-session-name"], env, check=False)
    assert both.returncode == 2 and "cannot specify both --forward-session-name and --session-name" in both.stderr
    # No credentials anywhere (instance metadata is off): a clear failure, nothing on stdout.
    none = run([SERVER, "token", "-i", "c"], env, check=False)
    assert none.returncode == 1 and none.stdout == ""
    assert "could not get token: instance metadata is disabled" in none.stderr


def test_token_assumes_a_role_with_sts(tmp_path, sts, authenticator):
    assumed_before = sts.stats()["assume_role"]
    env = client_env(tmp_path, sts, **keys_of(BOB))
    token = run([SERVER, "token", "-i", CLUSTER_ID, "-r", KUBECTL_ROLE, "-s", "deploy-bot", "-e", "ext-1234",
                 "--token-only"], env).stdout.strip()
    stats = sts.stats()
    assert stats["assume_role"] == assumed_before + 1
    assert "ext-1234" in stats["external_ids"]
    user = user_of(authenticator.review(token)[1])
    assert user["username"] == "kubectl:deploy-bot"
    assert user["extra"]["arn"] == [f"arn:aws:sts::{ACCOUNT}:assumed-role/KubectlUser/deploy-bot"]

    # Without a session name: upstream's generated one.
    token = run([SERVER, "token", "-i", CLUSTER_ID, "-r", KUBECTL_ROLE, "--token-only"], env).stdout.strip()
    assert re.fullmatch(r"kubectl:aws-go-sdk-\d{19}", user_of(authenticator.review(token)[1])["username"])

    # --forward-session-name: the caller's own session name (STS GetCallerIdentity).
    signed_before = sts.stats()["signed_caller_identity"]
    env = client_env(tmp_path, sts, **keys_of(ADMIN))
    token = run([SERVER, "token", "-i", CLUSTER_ID, "-r", KUBECTL_ROLE, "--forward-session-name", "--token-only"],
                env).stdout.strip()
    assert sts.stats()["signed_caller_identity"] == signed_before + 1
    assert user_of(authenticator.review(token)[1])["username"] == "kubectl:alice@example.com"

    # A role the caller may not assume: STS's refusal, reported.
    refused = run([SERVER, "token", "-i", CLUSTER_ID, "-r", f"arn:aws:iam::{ACCOUNT}:role/NotAllowed"], env, check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "STS AssumeRole arn:aws:iam::111122223333:role/NotAllowed failed: HTTP 403 AccessDenied" in refused.stderr


def test_token_cache_keeps_the_chains_credentials_as_upstream(tmp_path, sts, authenticator):
    """The cache holds what the credential chain gave (here a profile's
    role, assumed with STS), keyed by cluster, profile and -r role."""
    cache = tmp_path / "kube-cache" / "credentials.yaml"
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(f"[base]\naws_access_key_id = {BOB['accessKeyId']}\n"
                           f"aws_secret_access_key = {BOB['secretAccessKey']}\n")
    config = tmp_path / "aws-config"
    config.write_text(f"[profile kubectl]\nrole_arn = {KUBECTL_ROLE}\nsource_profile = base\n"
                      "role_session_name = from-profile\n")
    env = client_env(tmp_path, sts, AWS_IAM_AUTHENTICATOR_CACHE_FILE=str(cache), AWS_PROFILE="kubectl",
                     AWS_SHARED_CREDENTIALS_FILE=str(credentials), AWS_CONFIG_FILE=str(config))
    args = [SERVER, "token", "-i", CLUSTER_ID, "--cache", "--token-only"]
    assumed_before = sts.stats()["assume_role"]

    first = run(args, env)
    assert sts.stats()["assume_role"] == assumed_before + 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    entry = yaml.safe_load(cache.read_text())["clusters"][CLUSTER_ID]["kubectl"][""]
    assert entry["accesskeyid"].startswith("ASIA") and entry["canexpire"] is True

    second = run(args, env)
    assert sts.stats()["assume_role"] == assumed_before + 1, "the cached credentials were not reused"
    assert "unable" not in first.stderr + second.stderr
    for result in (first, second):
        assert user_of(authenticator.review(result.stdout.strip())[1])["username"] == "kubectl:from-profile"

    # With -r the cached base assumes the role each time (its own key), so
    # every session name is the one asked for.
    for session in ("alice", "mallory"):
        token = run([SERVER, "token", "-i", CLUSTER_ID, "-r", KUBECTL_ROLE, "-s", session, "--cache", "--token-only"],
                    env).stdout.strip()
        assert user_of(authenticator.review(token)[1])["username"] == f"kubectl:{session}"

    # A cache readable by others is not trusted: a warning, and fresh credentials.
    cache.chmod(0o644)
    third = run(args, env)
    assert "unable to use cache: cache file" in third.stderr and "is not private" in third.stderr
    assert user_of(authenticator.review(third.stdout.strip())[1])["username"] == "kubectl:from-profile"
    # Nor is one behind a symlink.
    cache.chmod(0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(cache)
    linked = run(args, {**env, "AWS_IAM_AUTHENTICATOR_CACHE_FILE": str(link)})
    assert "unable to use cache: cannot open cache file" in linked.stderr


def test_token_reads_a_cache_upstream_wrote(tmp_path, sts, authenticator):
    """Upstream's file, upstream's meaning: the entry is the chain's
    credentials, so with -r they assume the role rather than sign."""
    cache = tmp_path / "credentials.yaml"
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%S.123456789Z")
    entry = {"accesskeyid": ADMIN["accessKeyId"], "secretaccesskey": ADMIN["secretAccessKey"],
             "sessiontoken": ADMIN["sessionToken"], "source": "SharedConfigCredentials", "canexpire": True,
             "expires": expires, "accountid": ""}
    cache.write_text(yaml.safe_dump({"clusters": {CLUSTER_ID: {"default": {"": entry, KUBECTL_ROLE: entry}}}}))
    cache.chmod(0o600)
    # No credentials in the environment: only the cache can sign.
    env = client_env(tmp_path, sts, AWS_IAM_AUTHENTICATOR_CACHE_FILE=str(cache))
    token = run([SERVER, "token", "-i", CLUSTER_ID, "--cache", "--token-only"], env).stdout.strip()
    assert user_of(authenticator.review(token)[1])["username"] == "admin:alice-example.com"
    token = run([SERVER, "token", "-i", CLUSTER_ID, "-r", KUBECTL_ROLE, "-s", "via-cache", "--cache", "--token-only"],
                env).stdout.strip()
    assert user_of(authenticator.review(token)[1])["username"] == "kubectl:via-cache"
    assert "aws-go-sdk" not in cache.read_text()  # nothing of ours was added: the entries were good


# --- Debian's awscli -------------------------------------------------------------


def awscli_token(tmp_path, identity, cluster_id=CLUSTER_ID):
    assert os.access(AWSCLI, os.X_OK), "Debian's awscli is missing: run scripts/install-deps.sh"
    env = client_env(tmp_path, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, **keys_of(identity))
    result = run([AWSCLI, "eks", "get-token", "--cluster-name", cluster_id, "--region", "us-west-2"], env)
    return json.loads(result.stdout)["status"]["token"]


def test_awscli_tokens_pass_verify_and_the_server(tmp_path, sts, authenticator):
    token = awscli_token(tmp_path, ADMIN)
    env = client_env(tmp_path)
    sts_args = ["--sts-endpoint-override", sts.url, "--sts-ca-cert", sts.ca_file]

    shown = run([SERVER, "verify", "-i", CLUSTER_ID, "-t", token, "-o", "json", *sts_args], env)
    identity = json.loads(shown.stdout)
    assert list(identity) == ["ARN", "CanonicalARN", "AccountID", "UserID", "SessionName", "AccessKeyID", "STSEndpoint"]
    assert identity["ARN"] == ADMIN["arn"]
    assert identity["CanonicalARN"] == f"arn:aws:iam::{ACCOUNT}:role/Admin"
    assert identity["AccountID"] == ACCOUNT
    assert identity["SessionName"] == "alice@example.com"
    assert identity["AccessKeyID"] == ADMIN["accessKeyId"]
    assert identity["STSEndpoint"] == "sts.us-west-2.amazonaws.com"

    text = run([SERVER, "verify", "-i", CLUSTER_ID, "-t", token, *sts_args], env).stdout
    assert text.startswith(f"&{{ARN:{ADMIN['arn']} CanonicalARN:arn:aws:iam::{ACCOUNT}:role/Admin AccountID:{ACCOUNT} ")

    assert user_of(authenticator.review(token)[1])["username"] == "admin:alice-example.com"
    assert user_of(authenticator.review(awscli_token(tmp_path, BOB))[1])["username"] == "bob"

    # Signed for another cluster: STS refuses it, and verify says so.
    wrong = run([SERVER, "verify", "-i", "another-cluster", "-t", token, *sts_args], env, check=False)
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert "could not verify token: sts getCallerIdentity failed: error from AWS (expected 200, got 403)" in wrong.stderr


def test_verify_refuses_bad_tokens_offline(tmp_path):
    env = client_env(tmp_path)
    # An override that accepts nothing: a malformed token must be refused before any connection.
    trap = harness.TrapListener()
    try:
        bad = run([SERVER, "verify", "-i", CLUSTER_ID, "-t", "k8s-aws-v1.not*base64",
                   "--sts-endpoint-override", f"https://127.0.0.1:{trap.port}"], env, check=False)
        assert bad.returncode == 1
        assert "could not verify token: input token was not properly formatted" in bad.stderr
        time.sleep(0.5)  # the trap accepts every 0.2 s: let it count any connection made
        assert trap.connections == 0
    finally:
        trap.close()
    usage = run([SERVER, "verify", "-i", CLUSTER_ID], env, check=False)
    assert usage.returncode == 2 and "token not specified" in usage.stderr
    partition = run([SERVER, "verify", "-i", CLUSTER_ID, "-t", "x", "--partition", "aws-mars"], env, check=False)
    assert partition.returncode == 2 and "aws-mars" in partition.stderr


# --- init ------------------------------------------------------------------------


def test_init_prepares_what_the_server_then_uses(tmp_path, sts, start_server):
    state = tmp_path / "state"
    kubeconfig = tmp_path / "etc" / "kubeconfig.yaml"
    port = harness.free_port()
    common = ["--state-dir", state, "--generate-kubeconfig", kubeconfig, "--port", str(port)]
    result = run([SERVER, "init", "-i", CLUSTER_ID, "--hostname", "localhost", *common], client_env(tmp_path))
    assert f"wrote {kubeconfig}" in result.stdout
    assert stat.S_IMODE((state / "key.pem").stat().st_mode) == 0o600
    written = kubeconfig.read_text()
    config = yaml.safe_load(written)
    assert config["clusters"][0]["cluster"]["server"] == f"https://localhost:{port}/authenticate"
    ca = base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"])
    assert ca == (state / "cert.pem").read_bytes()

    # The server, started with the same settings and --kubeconfig-pregenerated,
    # keeps both, so the kubeconfig kube-apiserver already has stays valid.
    server_config = CONFIG.format(cluster_id=CLUSTER_ID, state_dir=state, kubeconfig=kubeconfig, role=KUBECTL_ROLE)
    server = start_server(["--kubeconfig-pregenerated", "--port", str(port), "--sts-endpoint-override", sts.url,
                           "--sts-ca-cert", sts.ca_file], config_text=server_config)
    assert 'msg="reusing certificate"' in server.process.text()
    assert kubeconfig.read_text() == written
    context = ssl.create_default_context(cadata=ca.decode())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert tls.recv(1024).startswith(b"HTTP/1.1 200")

    refused = run([SERVER, "init", "-i", CLUSTER_ID, "--state-dir", state, "--port", "0"], client_env(tmp_path), check=False)
    assert refused.returncode == 1 and "init needs a fixed port" in refused.stderr
    # A kept certificate must name the host the new kubeconfig would.
    renamed = run([SERVER, "init", "-i", CLUSTER_ID, "--hostname", "api.internal", *common], client_env(tmp_path), check=False)
    assert renamed.returncode == 1 and "does not name api.internal" in renamed.stderr
    assert kubeconfig.read_text() == written


def certificate_names(pem_bytes):
    from cryptography import x509

    names = x509.load_pem_x509_certificate(pem_bytes).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return set(names.value.get_values_for_type(x509.DNSName)) | {
        str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)}


def test_init_without_flags_writes_upstreams_files_here_for_localhost(tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    result = run([SERVER, "init", "-i", CLUSTER_ID, "--address", "0.0.0.0"], client_env(tmp_path), cwd=here)
    assert sorted(p.name for p in here.iterdir()) == ["aws-iam-authenticator.kubeconfig", "cert.pem", "key.pem"]
    config = yaml.safe_load((here / "aws-iam-authenticator.kubeconfig").read_text())
    assert config["clusters"][0]["cluster"]["server"] == "https://localhost:21362/authenticate"
    # Upstream's certificate for 0.0.0.0 names localhost; ours names 127.0.0.1 too.
    assert {"localhost", "127.0.0.1"} <= certificate_names((here / "cert.pem").read_bytes())
    # Upstream's hints: where the server will look for them.
    assert "copy ./cert.pem to /var/aws-iam-authenticator/cert.pem on kubernetes master node(s)" in result.stdout
    assert ("copy aws-iam-authenticator.kubeconfig to /etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml"
            in result.stdout)
    assert "webhook-config-file=/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml" in result.stdout

    # A specific bind address is named as well.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run([SERVER, "init", "-i", CLUSTER_ID, "--address", "127.0.0.2"], client_env(tmp_path), cwd=elsewhere)
    assert {"localhost", "127.0.0.2"} <= certificate_names((elsewhere / "cert.pem").read_bytes())

    # Upstream's gate: the configured places (here given), not ./.
    gated = tmp_path / "gated"
    gated.mkdir()
    state = tmp_path / "gated-state"
    run([SERVER, "init", "-i", CLUSTER_ID, "--feature-gates", "ConfiguredInitDirectories=true", "--state-dir", state,
         "--generate-kubeconfig", state / "k.yaml"], client_env(tmp_path), cwd=gated)
    assert list(gated.iterdir()) == []
    assert sorted(p.name for p in state.iterdir()) == ["cert.pem", "k.yaml", "key.pem"]


# --- version ---------------------------------------------------------------------


def test_version_is_upstreams_json_with_more(tmp_path):
    info = json.loads(run([SERVER, "version"], client_env(tmp_path)).stdout)
    assert list(info)[:2] == ["Version", "Commit"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", info["Version"])
    assert info["OpenSSL"].startswith("OpenSSL 3.")
    assert re.fullmatch(r"1\.\d+\.\d+", info["Boost"])
    assert run([SERVER, "version", "--short"], client_env(tmp_path)).stdout.strip() == info["Version"]
    assert yaml.safe_load(run([SERVER, "version", "-o", "yaml"], client_env(tmp_path)).stdout)["version"] == info["Version"]
    assert run([SERVER, "version", "-o", "xml"], client_env(tmp_path), check=False).returncode == 2


# --- kubectl -------------------------------------------------------------------


class RecordingApiServer:
    """A tiny HTTPS endpoint standing in for kube-apiserver: it records the
    Authorization header of every request and answers like an API server."""

    def __init__(self, cert, key):
        self.authorizations = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.authorizations.append(self.headers.get("Authorization"))
                if self.path.startswith("/version"):
                    body = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"}
                else:
                    body = {"kind": "Status", "apiVersion": "v1", "status": "Success"}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def test_kubectl_runs_token_as_its_exec_plugin(tmp_path, authenticator):
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing: run scripts/install-deps.sh (Debian's kubernetes-client)"
    # A certificate for the stand-in API server, made by `init`.
    state = tmp_path / "apiserver"
    run([SERVER, "init", "-i", CLUSTER_ID, "--state-dir", state, "--generate-kubeconfig", tmp_path / "unused.yaml",
         "--port", "6443"], client_env(tmp_path))
    apiserver = RecordingApiServer(state / "cert.pem", state / "key.pem")
    try:
        kubeconfig = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{apiserver.port}",
                                                   "certificate-authority": str(state / "cert.pem")}}],
            "users": [{"name": "u", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": str(SERVER.resolve()),
                "args": ["token", "-i", CLUSTER_ID, "--region", "us-west-2"],
                "env": [{"name": key, "value": value} for key, value in keys_of(ADMIN).items()],
            }}}],
            "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "ctx",
        }
        path = tmp_path / "kubeconfig.yaml"
        path.write_text(yaml.safe_dump(kubeconfig))
        env = client_env(tmp_path, KUBECONFIG=str(path))
        result = run([kubectl, "--kubeconfig", path, "get", "--raw", "/api/v1/namespaces/default"], env, check=False)
        assert result.returncode == 0, f"kubectl failed:\n{result.stdout}\n{result.stderr}"
    finally:
        apiserver.close()

    bearer = [value for value in apiserver.authorizations if value]
    assert bearer, f"kubectl sent no Authorization header: {apiserver.authorizations}"
    scheme, token = bearer[-1].split(" ", 1)
    assert scheme == "Bearer" and token.startswith("k8s-aws-v1.")
    assert user_of(authenticator.review(token)[1])["username"] == "admin:alice-example.com"
