"""{{EC2PrivateDNSName}}: the real server looks nodes up in the emulated EC2,
signing with credentials from each source of the AWS provider chain, each
served by the emulator (STS AssumeRole and web identity, instance metadata,
the container endpoint)."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import harness
from harness import EC2_NODE, metric_value, sign_token

ACCOUNT = "111122223333"

# The server's own long-lived keys (the environment and shared-file sources).
AUTHENTICATOR = {
    "accessKeyId": "AKIAAUTHENTICATOR001",
    "secretAccessKey": "authenticator/secret",
    "arn": f"arn:aws:iam::{ACCOUNT}:user/authenticator",
}


def worker(n):
    """A node of the WorkerNode role: its session name is its instance id."""
    instance_id = f"i-{n:017x}"
    return {
        "accessKeyId": f"ASIAWORKER{n:010d}",
        "secretAccessKey": f"worker-secret-{n}",
        "sessionToken": f"worker-session-{n}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/WorkerNode/{instance_id}",
    }, instance_id, f"ip-10-0-1-{n}.us-west-2.compute.internal"


WORKERS = [worker(n) for n in range(1, 11)]
TERMINATED = worker(90)[0]   # EC2 knows it, with no private DNS name
UNKNOWN = worker(91)[0]      # EC2 has never heard of it

WORLD = {
    "identities": [AUTHENTICATOR, TERMINATED, UNKNOWN] + [identity for identity, _, _ in WORKERS],
    "instances": [{"instanceId": "i-0123456789abcdef0", "privateDnsName": "ip-10-0-0-1.ec2.internal"}]
    + [{"instanceId": instance_id, "privateDnsName": name} for _, instance_id, name in WORKERS]
    + [{"instanceId": f"i-{90:017x}", "privateDnsName": "", "state": "terminated"}],
    "assumableRoles": [f"arn:aws:iam::{ACCOUNT}:role/Ec2Reader", f"arn:aws:iam::{ACCOUNT}:role/Describer"],
    "webIdentityTokens": [{"token": "projected-service-account-token", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/Irsa"}],
    "instanceProfileRole": f"arn:aws:iam::{ACCOUNT}:role/ControlPlane",
    "containerRole": f"arn:aws:iam::{ACCOUNT}:role/PodIdentity",
    "containerAuthorizationToken": "pod-identity-authorization",
    "region": "us-west-2",
}

STATIC_KEYS = {
    "AWS_ACCESS_KEY_ID": AUTHENTICATOR["accessKeyId"],
    "AWS_SECRET_ACCESS_KEY": AUTHENTICATOR["secretAccessKey"],
}


def aws_env(emulator, **extra):
    """Every AWS endpoint the server may call points at the emulator."""
    env = {
        "AWS_ENDPOINT_URL_EC2": emulator.url,
        "AWS_ENDPOINT_URL_STS": emulator.url,
        "AWS_CA_BUNDLE": emulator.ca_file,
        "AWS_REGION": "us-west-2",
    }
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


def user_of(answer):
    assert answer["status"]["authenticated"] is True, answer
    return answer["status"]["user"]


def assert_denied(status, answer):
    assert status == 403, answer
    assert answer["status"]["authenticated"] is False
    assert answer["status"]["user"] == {}


@pytest.fixture(scope="module")
def tokens():
    return {identity["accessKeyId"]: sign_token(identity) for identity in [EC2_NODE, TERMINATED, UNKNOWN] + [w[0] for w in WORKERS]}


def test_node_token_maps_to_its_private_dns_name(start_emulator, start_server, tokens):
    emulator = start_emulator(world=WORLD)
    server = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
        env=aws_env(emulator, **STATIC_KEYS),
    )
    status, answer = server.review(tokens[EC2_NODE["accessKeyId"]])
    assert status == 200
    user = user_of(answer)
    assert user["username"] == "system:node:ip-10-0-0-1.ec2.internal"
    assert user["groups"] == ["system:nodes"]
    stats = emulator.stats()
    assert stats["ec2_calls"] == 1
    assert stats["ec2_callers"] == [AUTHENTICATOR["arn"]]

    # The name is cached: the next authentication makes no EC2 call.
    status, answer = server.review(tokens[EC2_NODE["accessKeyId"]])
    assert user_of(answer)["username"] == "system:node:ip-10-0-0-1.ec2.internal"
    assert emulator.stats()["ec2_calls"] == 1
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_ec2_describe_instances_calls_total") == 1
    assert metric_value(metrics, "aws_iam_authenticator_ec2_private_dns_cache_hits_total") == 1
    assert metric_value(metrics, "aws_iam_authenticator_ec2_private_dns_cache_misses_total") == 1
    server.process.wait_for_text('msg="EC2 lookups ready" region=us-west-2 credentials=environment')


def test_concurrent_node_authentications_share_ec2_calls(start_emulator, start_server, tokens):
    # STS and EC2 answers take 50 ms, so lookups overlap as in a node storm.
    emulator = start_emulator("--latency", "50ms", world=WORLD)
    server = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file, "--threads", "2"],
        env=aws_env(emulator, **STATIC_KEYS),
    )
    requests = [(identity, name) for identity, _, name in WORKERS for _ in range(10)]

    def review(request):
        identity, name = request
        status, answer = server.review(tokens[identity["accessKeyId"]])
        return status, answer, name

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(review, requests))
    for status, answer, name in results:
        assert status == 200, answer
        assert user_of(answer)["username"] == f"system:node:{name}"
    stats = emulator.stats()
    # 100 authentications of 10 instances: at most one call per instance,
    # fewer when lookups that arrive together share a call.
    assert 1 <= stats["ec2_calls"] <= 10, stats
    assert stats["ec2_instance_ids"] == 10, stats
    print(f"100 node authentications for 10 instances: {stats['ec2_calls']} DescribeInstances calls")


def test_unknown_and_nameless_instances_deny_and_are_not_cached(start_emulator, start_server, tokens):
    emulator = start_emulator(world=WORLD)
    server = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
        env=aws_env(emulator, **STATIC_KEYS),
    )
    assert_denied(*server.review(tokens[TERMINATED["accessKeyId"]]))
    server.process.wait_for_text(f"EC2 instance i-{90:017x} has no private DNS name (state terminated)")
    assert_denied(*server.review(tokens[UNKNOWN["accessKeyId"]]))
    server.process.wait_for_text(f"EC2 has no instance i-{91:017x} (InvalidInstanceID.NotFound)")
    assert "system:node:" not in "".join(line for line in server.process.output if "access granted" in line)

    # An unknown instance in a batch does not sink the others: the batch is
    # split until it stands alone.
    mixed = [UNKNOWN] + [identity for identity, _, _ in WORKERS[:5]]
    with ThreadPoolExecutor(max_workers=len(mixed)) as pool:
        results = list(pool.map(lambda identity: server.review(tokens[identity["accessKeyId"]]), mixed))
    assert_denied(*results[0])
    for (status, answer), (_, _, name) in zip(results[1:], WORKERS[:5]):
        assert status == 200, answer
        assert user_of(answer)["username"] == f"system:node:{name}"


def test_throttling_backs_off_then_denies_cleanly(start_emulator, start_server, tokens):
    emulator = start_emulator("--ec2-throttle-rate", "1", world=WORLD)
    server = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
        env=aws_env(emulator, **STATIC_KEYS),
    )
    started = time.monotonic()
    assert_denied(*server.review(tokens[EC2_NODE["accessKeyId"]]))
    elapsed = time.monotonic() - started
    server.process.wait_for_text("EC2 DescribeInstances is throttled (RequestLimitExceeded), gave up after 4 attempts")
    stats = emulator.stats()
    assert stats["ec2_throttled"] == 4, stats
    # Three backoffs of at least 100, 200 and 400 ms lie between the attempts.
    assert elapsed >= 0.7, elapsed
    assert metric_value(server.metrics(), "aws_iam_authenticator_ec2_throttled_total") == 4
    status, _ = server.post(None, path="/healthz", method="GET")
    assert status == 200


def test_describe_instances_rate_limit(start_emulator, start_server, tokens):
    emulator = start_emulator(world=WORLD)
    server = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file,
         "--ec2-describeInstances-qps", "2", "--ec2-describeInstances-burst", "1"],
        env=aws_env(emulator, **STATIC_KEYS),
    )
    started = time.monotonic()
    for identity, _, name in WORKERS[:3]:
        status, answer = server.review(tokens[identity["accessKeyId"]])
        assert user_of(answer)["username"] == f"system:node:{name}"
    # One call at once, then one every half second.
    assert time.monotonic() - started >= 0.9
    assert emulator.stats()["ec2_calls"] == 3


LIFETIME = 4  # seconds: the emulator's temporary credentials expire this fast


def credential_source_cases(tmp_path, emulator):
    """(name, extra environment, config text addition, stats key of the
    issuances, ARN the EC2 calls must be signed by)."""
    token_file = tmp_path / "web-identity-token"
    token_file.write_text("projected-service-account-token\n")
    authorization_file = tmp_path / "pod-identity-token"
    authorization_file.write_text("pod-identity-authorization")
    credentials_file = tmp_path / "aws-credentials"
    credentials_file.write_text(
        "[base]\n"
        f"aws_access_key_id = {AUTHENTICATOR['accessKeyId']}\n"
        f"aws_secret_access_key = {AUTHENTICATOR['secretAccessKey']}\n"
    )
    config_file = tmp_path / "aws-config"
    config_file.write_text(
        f"[profile reader]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/Ec2Reader\nsource_profile = base\n"
        "role_session_name = authenticator-reader\n"
    )
    return {
        "web identity": (
            {"AWS_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/Irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
             "AWS_ROLE_SESSION_NAME": "irsa-session"},
            "", "web_identity", f"arn:aws:sts::{ACCOUNT}:assumed-role/Irsa/irsa-session",
        ),
        "container": (
            {"AWS_CONTAINER_CREDENTIALS_FULL_URI": emulator.metadata_url + "/container/credentials",
             "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(authorization_file)},
            "", "container_credentials", f"arn:aws:sts::{ACCOUNT}:assumed-role/PodIdentity/container",
        ),
        "shared files": (
            {"AWS_PROFILE": "reader", "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file),
             "AWS_CONFIG_FILE": str(config_file)},
            "", "assume_role", f"arn:aws:sts::{ACCOUNT}:assumed-role/Ec2Reader/authenticator-reader",
        ),
        "instance metadata": (
            # No region either: it comes from instance metadata too.
            {"AWS_EC2_METADATA_DISABLED": None, "AWS_REGION": None,
             "AWS_EC2_METADATA_SERVICE_ENDPOINT": emulator.metadata_url},
            "", "imds_credentials", f"arn:aws:sts::{ACCOUNT}:assumed-role/ControlPlane/i-0emulatedinstance",
        ),
        "ec2DescribeInstancesRoleARN": (
            STATIC_KEYS,
            f"  ec2DescribeInstancesRoleARN: arn:aws:iam::{ACCOUNT}:role/Describer\n"
            f"  sourceARN: arn:aws:eks:us-west-2:{ACCOUNT}:cluster/integration\n",
            "assume_role", f"arn:aws:sts::{ACCOUNT}:assumed-role/Describer/aws-iam-authenticator",
        ),
    }


@pytest.mark.parametrize(
    "source", ["web identity", "container", "shared files", "instance metadata", "ec2DescribeInstancesRoleARN"]
)
def test_each_credential_source_signs_ec2_calls_and_refreshes_before_expiry(
    source, start_emulator, start_server, tmp_path, tokens
):
    emulator = start_emulator("--credential-lifetime", f"{LIFETIME}s", world=WORLD, metadata=True)
    extra_env, config_extra, issued_key, signer_arn = credential_source_cases(tmp_path, emulator)[source]
    env = aws_env(emulator, **extra_env)
    if "AWS_EC2_METADATA_DISABLED" in extra_env:
        env["AWS_EC2_METADATA_DISABLED"] = "false"
    config = harness.SERVER_CONFIG.format(
        cluster_id=harness.CLUSTER_ID, state_dir=tmp_path / "state", kubeconfig=tmp_path / "kubeconfig.yaml"
    ) + config_extra
    server = start_server(
        ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file], config_text=config, env=env
    )

    first, _, first_name = WORKERS[0]
    status, answer = server.review(tokens[first["accessKeyId"]])
    assert status == 200, server.process.text()
    assert user_of(answer)["username"] == f"system:node:{first_name}"
    stats = emulator.stats()
    assert stats["ec2_callers"] == [signer_arn]
    assert stats[issued_key] >= 1

    # Idle past the first credentials' lifetime: the server renews them
    # ahead of expiry on its own, so no request ever waits or signs with
    # expired ones.
    time.sleep(LIFETIME + 1)
    assert emulator.stats()[issued_key] >= 2
    second, _, second_name = WORKERS[1]
    status, answer = server.review(tokens[second["accessKeyId"]])
    assert status == 200, server.process.text()
    assert user_of(answer)["username"] == f"system:node:{second_name}"
    stats = emulator.stats()
    assert stats["expired_refused"] == 0
    assert stats["ec2_calls"] == 2
    if source == "ec2DescribeInstancesRoleARN":
        assert stats["source_arns"] == [f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/integration"]
    assert server.process.text().count('msg="fetched AWS credentials"') >= 2
