"""`token` with credentials as the AWS SDKs resolve them from a profile:
IAM Identity Center (SSO) in both forms, credential_process, a role whose
trust policy wants an MFA code typed at a real terminal, and the region
order. Every token must pass our server behind the emulated STS as the
identity the profile stands for; the AWS CLI (`aws eks get-token`, the one
scripts/install-deps.sh installs) must agree with us about who an SSO
profile is."""

import errno
import fcntl
import hashlib
import json
import os
import pty
import select
import shutil
import signal
import socket
import stat
import subprocess
import termios
import time
import urllib.parse

import pytest

import harness
from harness import ADMIN, BOB, CLUSTER_ID, SERVER
from portal_namespace import Bridge, run_in_namespace, unix_listener
from test_client_commands import keys_of, run, token_url, user_of

ACCOUNT = "111122223333"
# Debian's awscli (scripts/install-deps.sh); any other on PATH if it has none.
AWSCLI = "/usr/bin/aws"
RUN_TIMEOUT = 30

GOOD_TOKEN = "sso-access-token-good"
REVOKED_TOKEN = "sso-access-token-revoked"  # the cache thinks it good; the portal says no
MFA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Guarded"
MFA_SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/bob"
MFA_CODE = "246810"
IMDS_REGION = "ap-northeast-1"

WORLD = {
    "region": IMDS_REGION,
    "mfaRoles": [{"roleArn": MFA_ROLE, "serialNumber": MFA_SERIAL, "tokenCode": MFA_CODE}],
    "ssoAccessTokens": [
        {"accessToken": GOOD_TOKEN, "user": "alice",
         "roles": [{"accountId": ACCOUNT, "roleName": "ClusterAdmin"}, {"accountId": ACCOUNT, "roleName": "Viewer"}]},
        {"accessToken": REVOKED_TOKEN, "user": "alice", "expiresAt": "2020-01-01T00:00:00Z",
         "roles": [{"accountId": ACCOUNT, "roleName": "ClusterAdmin"}]},
    ],
}


def sso_role(role_name):
    """The IAM role behind a permission set, as the emulator names it."""
    digest = hashlib.sha256(f"{ACCOUNT}/{role_name}".encode()).hexdigest()[:16]
    return f"arn:aws:iam::{ACCOUNT}:role/AWSReservedSSO_{role_name}_{digest}"


CONFIG = f"""\
clusterID: {{cluster_id}}
server:
  port: 0
  stateDir: {{state_dir}}
  mapRoles:
  - rolearn: {sso_role("ClusterAdmin")}
    username: sso-admin:{{{{{{{{SessionName}}}}}}}}
    groups: [system:masters]
  - rolearn: {sso_role("Viewer")}
    username: sso-viewer:{{{{{{{{SessionName}}}}}}}}
    groups: [viewers]
  - rolearn: {MFA_ROLE}
    username: guarded:{{{{{{{{SessionName}}}}}}}}
    groups: [guarded]
  - rolearn: arn:aws:iam::{ACCOUNT}:role/Admin
    username: admin:{{{{{{{{SessionName}}}}}}}}
    groups: [system:masters]
  mapUsers:
  - userarn: arn:aws:iam::{ACCOUNT}:user/bob
    username: bob
    groups: [viewers]
"""

SSO_CONFIG = f"""\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile sso]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = ClusterAdmin
region = us-west-2

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = {ACCOUNT}
sso_role_name = Viewer

[profile forbidden]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = NotGranted
"""


# The IAM Identity Center portal of sso-session corp (sso_region us-east-1),
# by its real name: the AWS CLI reaches it only so (see portal_namespace.py).
PORTAL_HOST = "portal.sso.us-east-1.amazonaws.com"


@pytest.fixture(scope="module")
def sts(tmp_path_factory):
    emu = harness.Emulator(tmp_path_factory.mktemp("profiles-emulator"), "--tls-name", PORTAL_HOST, world=WORLD,
                           metadata=True)
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def authenticator(tmp_path_factory, sts):
    workdir = tmp_path_factory.mktemp("profiles-server")
    config = CONFIG.format(cluster_id=CLUSTER_ID, state_dir=workdir / "state")
    srv = harness.Server(workdir, config_text=config,
                         args=["--sts-endpoint-override", sts.url, "--sts-ca-cert", sts.ca_file])
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


def home_with(tmp_path, config="", credentials=""):
    """A HOME of the test's own with these ~/.aws files."""
    aws = tmp_path / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(config)
    (aws / "credentials").write_text(credentials)
    return tmp_path


def cache_sign_in(home, key, access_token, expires_at="2099-01-01T00:00:00Z"):
    """What `aws sso login` leaves behind: the sign-in, in a file named by
    the SHA-1 of the session name (or, legacy, of the start URL)."""
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (hashlib.sha1(key.encode()).hexdigest() + ".json")
    path.write_text(json.dumps({"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1",
                                "accessToken": access_token, "expiresAt": expires_at}))
    return path


def profile_env(home, sts, profile, **extra):
    """The client's environment: only this HOME's profiles, the portal and
    STS calls sent to the emulator, instance metadata off unless asked."""
    env = harness.server_environment(home)
    env.update({"AWS_ENDPOINT_URL_SSO": sts.url, "AWS_ENDPOINT_URL_STS": sts.url, "AWS_CA_BUNDLE": sts.ca_file})
    if profile:
        env["AWS_PROFILE"] = profile
    env.update(extra)
    return env


def token_of(env, *args):
    return run([SERVER, "token", "-i", CLUSTER_ID, "--token-only", *args], env).stdout.strip()


def host_of(token):
    return urllib.parse.urlsplit(token_url(token)).netloc


def refused(env, *args):
    """A failed `token`: exit 1, nothing on stdout; returns stderr."""
    result = run([SERVER, "token", "-i", CLUSTER_ID, *args], env, check=False)
    assert result.returncode == 1, result
    assert result.stdout == ""
    return result.stderr


# --- SSO ---------------------------------------------------------------------


def test_sso_session_profile_gives_the_permission_sets_session(tmp_path, sts, authenticator):
    home = home_with(tmp_path, SSO_CONFIG)
    cache_sign_in(home, "corp", GOOD_TOKEN)
    before = sts.stats()["sso_credentials"]
    token = token_of(profile_env(home, sts, "sso"))
    assert sts.stats()["sso_credentials"] == before + 1
    assert host_of(token) == "sts.us-west-2.amazonaws.com"  # the profile's region
    user = user_of(authenticator.review(token)[1])
    assert user["username"] == "sso-admin:alice"
    assert user["extra"]["arn"] == [f"arn:aws:sts::{ACCOUNT}:assumed-role/{sso_role('ClusterAdmin').split('/')[-1]}/alice"]


def test_legacy_sso_profile_and_the_older_utc_expiry_form(tmp_path, sts, authenticator):
    home = home_with(tmp_path, SSO_CONFIG)
    # Legacy profiles are keyed by the start URL; older CLIs wrote "...UTC".
    cache_sign_in(home, "https://legacy.awsapps.com/start", GOOD_TOKEN, expires_at="2099-01-01T00:00:00UTC")
    token = token_of(profile_env(home, sts, "legacy"))
    assert host_of(token) == "sts.us-east-1.amazonaws.com"  # no region anywhere (metadata off)
    assert user_of(authenticator.review(token)[1])["username"] == "sso-viewer:alice"


def test_sso_without_a_good_sign_in_says_to_log_in(tmp_path, sts):
    home = home_with(tmp_path, SSO_CONFIG)
    env = profile_env(home, sts, "sso")
    before = sts.stats()
    # No cached sign-in at all.
    message = refused(env)
    assert "no cached SSO sign-in for sso-session corp" in message
    assert "aws sso login --profile sso" in message
    # A sign-in past its expiresAt: the portal is not even asked.
    cache_sign_in(home, "corp", GOOD_TOKEN, expires_at="2021-06-01T12:00:00Z")
    message = refused(env)
    assert "expired at 2021-06-01T12:00:00Z" in message and "aws sso login --profile sso" in message
    assert GOOD_TOKEN not in message
    after = sts.stats()
    assert after["sso_credentials"] == before["sso_credentials"]
    assert after["sso_refused"] == before["sso_refused"]

    # The cache says good, the portal says the session is gone (401).
    cache_sign_in(home, "corp", REVOKED_TOKEN)
    message = refused(env)
    assert "HTTP 401 UnauthorizedException: Session token not found or invalid" in message
    assert "aws sso login --profile sso" in message and REVOKED_TOKEN not in message
    # A permission set the user was not given (403).
    cache_sign_in(home, "corp", GOOD_TOKEN)
    message = refused(profile_env(home, sts, "forbidden"))
    assert "HTTP 403 ForbiddenException" in message and "aws sso login --profile forbidden" in message
    assert sts.stats()["sso_refused"] == before["sso_refused"] + 2


def aws_cli():
    """Debian's AWS CLI, else whichever is on PATH. The test fails (never
    skips) without one, or without the tools its namespaces need."""
    path = AWSCLI if os.access(AWSCLI, os.X_OK) else shutil.which("aws")
    assert path, f"the AWS CLI is missing ({AWSCLI}): run scripts/install-deps.sh (Debian's awscli)"
    for tool, package in (("unshare", "util-linux"), ("mount", "mount"), ("ip", "iproute2")):
        assert shutil.which(tool), f"{tool} is missing: run scripts/install-deps.sh (Debian's {package})"
    return path


def test_aws_cli_and_token_agree_on_an_sso_profiles_identity(tmp_path, sts, authenticator):
    cli = aws_cli()
    home = home_with(tmp_path / "home", SSO_CONFIG)
    cache_sign_in(home, "corp", GOOD_TOKEN)
    env = profile_env(home, sts, "sso")
    # The CLI has no endpoint override (Debian's v2 has none for the portal):
    # it reaches the portal by its real name, which in its namespaces leads
    # to the emulator; it presigns for the real STS host without calling it.
    cli_env = {key: value for key, value in env.items() if not key.startswith("AWS_ENDPOINT_URL")}

    def to_emulator():
        upstream = socket.create_connection(("127.0.0.1", sts.port), timeout=harness.START_TIMEOUT)
        upstream.settimeout(None)
        return upstream

    bridge = Bridge(unix_listener(tmp_path / "portal.sock"), to_emulator)
    before = sts.stats()["sso_credentials"]
    try:
        result = run_in_namespace(tmp_path / "portal.sock", [PORTAL_HOST], tmp_path / "namespace",
                                  [cli, "eks", "get-token", "--cluster-name", CLUSTER_ID, "--region", "us-west-2"],
                                  cli_env, harness.scaled(RUN_TIMEOUT))
    finally:
        bridge.close()
    assert result.returncode == 0, f"{cli} eks get-token: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert bridge.accepted >= 1  # it went to the portal by name...
    assert sts.stats()["sso_credentials"] == before + 1  # ...and got the permission set's credentials there
    cli_token = json.loads(result.stdout)["status"]["token"]
    assert host_of(cli_token) == "sts.us-west-2.amazonaws.com"
    ours = token_of(env)
    cli_user = user_of(authenticator.review(cli_token)[1])
    our_user = user_of(authenticator.review(ours)[1])
    assert cli_user["username"] == our_user["username"] == "sso-admin:alice"
    assert cli_user["extra"]["arn"] == our_user["extra"]["arn"]


# --- credential_process --------------------------------------------------------


def process_profile(tmp_path, script_body, profile="proc"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    script = tmp_path / f"{profile}-creds.sh"
    script.write_text("#!/bin/sh\n" + script_body)
    script.chmod(0o700)
    return home_with(tmp_path, f"[profile {profile}]\ncredential_process = {script} --flag 'with space'\n")


def test_credential_process_profile(tmp_path, sts, authenticator):
    count = tmp_path / "runs"
    document = {"Version": 1, "AccessKeyId": ADMIN["accessKeyId"], "SecretAccessKey": ADMIN["secretAccessKey"],
                "SessionToken": ADMIN["sessionToken"], "Expiration": "2099-01-01T00:00:00Z"}
    # The arguments arrive as a shell would split them.
    home = process_profile(tmp_path, f'[ "$2" = "with space" ] || exit 9\necho run >> {count}\n'
                                     f"echo '{json.dumps(document)}'\n")
    env = profile_env(home, sts, "proc")
    assert user_of(authenticator.review(token_of(env))[1])["username"] == "admin:alice-example.com"
    assert count.read_text().count("run") == 1

    # Temporary credentials from it are what --cache keeps: no second run.
    cache_env = {**env, "AWS_IAM_AUTHENTICATOR_CACHE_FILE": str(tmp_path / "cache" / "credentials.yaml")}
    token_of(cache_env, "--cache")
    token = token_of(cache_env, "--cache")
    assert count.read_text().count("run") == 2
    assert user_of(authenticator.review(token)[1])["username"] == "admin:alice-example.com"


def test_credential_process_failures_are_clear_and_keep_secrets(tmp_path, sts):
    failing = process_profile(tmp_path, "echo 'AKIASECRETOUTPUT'\necho 'please sign in first' >&2\n"
                                        "echo 'second line' >&2\nexit 4\n", profile="failing")
    message = refused(profile_env(failing, sts, "failing"))
    assert "profile failing: credential_process failed: exit status 4: please sign in first" in message
    assert "AKIASECRETOUTPUT" not in message and "second line" not in message

    cases = {
        "version": ({"Version": 2, "AccessKeyId": "AKIAX", "SecretAccessKey": "top-secret"}, "Version"),
        "nokey": ({"Version": 1, "SecretAccessKey": "top-secret"}, "no AccessKeyId"),
        "expired": ({"Version": 1, "AccessKeyId": "AKIAX", "SecretAccessKey": "top-secret",
                     "Expiration": "2020-01-01T00:00:00Z"}, "expired at 2020-01-01T00:00:00Z"),
    }
    for name, (document, expected) in cases.items():
        home = process_profile(tmp_path / name, f"echo '{json.dumps(document)}'\n", profile=name)
        message = refused(profile_env(home, sts, name))
        assert f"profile {name}: credential_process: " in message and expected in message
        assert "top-secret" not in message
    garbage = process_profile(tmp_path / "garbage", "echo 'not json'\n", profile="garbage")
    assert "not a JSON object" in refused(profile_env(garbage, sts, "garbage"))


# --- MFA -------------------------------------------------------------------------


MFA_CONFIG = f"""\
[profile guarded]
role_arn = {MFA_ROLE}
source_profile = base
mfa_serial = {MFA_SERIAL}
role_session_name = bob-mfa
"""
MFA_CREDENTIALS = (f"[base]\naws_access_key_id = {BOB['accessKeyId']}\n"
                   f"aws_secret_access_key = {BOB['secretAccessKey']}\n")


def run_at_terminal(args, env, typed):
    """Runs `args` with a pseudo-terminal as its controlling terminal (stdin
    too); stdout and stderr go to pipes. Waits for the MFA prompt on the
    terminal and types `typed` there. Returns (exit status, stdout, stderr,
    what the terminal showed)."""
    master, slave = pty.openpty()

    def take_terminal():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # stdin is the slave: make it our controlling terminal

    process = subprocess.Popen([str(a) for a in args], env=env, stdin=slave, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True, preexec_fn=take_terminal)
    os.close(slave)
    shown = b""
    try:
        deadline = time.monotonic() + harness.scaled(RUN_TIMEOUT)
        while b"Assume Role MFA token code: " not in shown:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no MFA prompt on the terminal; it showed {shown!r}"
            ready, _, _ = select.select([master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(master, 1024)
                except OSError as error:  # EIO: the child closed the terminal
                    assert error.errno == errno.EIO
                    break
                if not chunk:
                    break
                shown += chunk
        os.write(master, typed.encode() + b"\n")
        stdout, stderr = process.communicate(timeout=harness.scaled(RUN_TIMEOUT))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        os.close(master)
    return process.returncode, stdout.decode(), stderr.decode(), shown.decode(errors="replace")


def without_terminal(args, env):
    """Runs `args` in a session of its own: no controlling terminal at all."""
    return subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          start_new_session=True, timeout=RUN_TIMEOUT)


def test_mfa_code_is_asked_at_the_terminal_and_cached_credentials_need_none(tmp_path, sts, authenticator):
    home = home_with(tmp_path, MFA_CONFIG, MFA_CREDENTIALS)
    env = profile_env(home, sts, "guarded",
                      AWS_IAM_AUTHENTICATOR_CACHE_FILE=str(tmp_path / "kube" / "credentials.yaml"))
    command = [SERVER, "token", "-i", CLUSTER_ID, "--token-only", "--cache"]
    before = sts.stats()["mfa_assume_role"]

    status, stdout, stderr, shown = run_at_terminal(command, env, MFA_CODE)
    assert status == 0, (stdout, stderr, shown)
    assert "Assume Role MFA token code: " in shown and "Assume Role" not in stdout + stderr
    assert sts.stats()["mfa_assume_role"] == before + 1
    user = user_of(authenticator.review(stdout.strip())[1])
    assert user["username"] == "guarded:bob-mfa"

    # The MFA-assumed credentials are the chain's: the cache serves them, nobody is asked.
    cached = without_terminal(command, env)
    assert cached.returncode == 0, cached.stderr
    assert sts.stats()["mfa_assume_role"] == before + 1
    assert user_of(authenticator.review(cached.stdout.strip())[1])["username"] == "guarded:bob-mfa"
    mode = stat.S_IMODE(os.stat(tmp_path / "kube" / "credentials.yaml").st_mode)
    assert mode == 0o600


def test_mfa_wrong_code_and_no_terminal(tmp_path, sts):
    home = home_with(tmp_path, MFA_CONFIG, MFA_CREDENTIALS)
    env = profile_env(home, sts, "guarded")
    command = [SERVER, "token", "-i", CLUSTER_ID, "--token-only"]
    status, stdout, stderr, _ = run_at_terminal(command, env, "135799")
    assert status == 1 and stdout == ""
    assert "MultiFactorAuthentication failed with invalid MFA one time pass code" in stderr

    alone = without_terminal(command, env)
    assert alone.returncode == 1 and alone.stdout == ""
    assert f"no terminal to ask for the code of MFA device {MFA_SERIAL}" in alone.stderr


# --- region and flags -------------------------------------------------------------


def test_region_order_ends_with_instance_metadata_then_us_east_1(tmp_path, sts, authenticator):
    home = home_with(tmp_path, "[default]\nregion = eu-west-3\n")
    env = profile_env(home, sts, None, **keys_of(BOB))
    imds = {**env, "AWS_EC2_METADATA_SERVICE_ENDPOINT": sts.metadata_url}
    del imds["AWS_EC2_METADATA_DISABLED"]
    assert host_of(token_of(imds, "--region", "ca-central-1")) == "sts.ca-central-1.amazonaws.com"
    assert host_of(token_of({**imds, "AWS_REGION": "eu-south-1", "AWS_DEFAULT_REGION": "sa-east-1"})) == \
        "sts.eu-south-1.amazonaws.com"
    assert host_of(token_of({**imds, "AWS_DEFAULT_REGION": "sa-east-1"})) == "sts.sa-east-1.amazonaws.com"
    assert host_of(token_of(imds)) == "sts.eu-west-3.amazonaws.com"  # the profile's

    (home / ".aws" / "config").write_text("")
    token = token_of(imds)
    assert host_of(token) == f"sts.{IMDS_REGION}.amazonaws.com"  # instance metadata's
    assert user_of(authenticator.review(token)[1])["username"] == "bob"
    assert host_of(token_of(env)) == "sts.us-east-1.amazonaws.com"  # metadata disabled: the fallback
    # Instance metadata that does not answer: the fallback too.
    unreachable = {**imds, "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{harness.free_port()}"}
    assert host_of(token_of(unreachable)) == "sts.us-east-1.amazonaws.com"
    # A China region signs for its partition's domain.
    assert host_of(token_of(env, "--region", "cn-north-1")) == "sts.cn-north-1.amazonaws.com.cn"


def test_role_flags_without_a_role_are_ignored_as_upstream(tmp_path, sts, authenticator):
    env = profile_env(home_with(tmp_path), sts, None, **keys_of(BOB))
    assumed = sts.stats()["assume_role"]
    for flags in (["-e", "ext-1"], ["-s", "my-session"], ["--external-id", "x", "--session-name", "y"],
                  ["--forward-session-name"]):
        token = token_of(env, *flags)
        assert user_of(authenticator.review(token)[1])["username"] == "bob", flags
    assert sts.stats()["assume_role"] == assumed
    both = run([SERVER, "token", "-i", CLUSTER_ID, "-s", "x", "--forward-session-name"], env, check=False)
    assert both.returncode == 2 and "cannot specify both --forward-session-name and --session-name" in both.stderr
