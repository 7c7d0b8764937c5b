"""STS and EC2 on a bad day: slow, reset connections, truncated or garbage
answers, 5xx, throttling. Each fault denies the request it hits (never
grants), leaves the server healthy, and once the peer is well again the
next request succeeds without a restart, over the same pools."""

import time

import pytest

from fault_proxy import FaultProxy
from harness import ADMIN, EC2_NODE, metric_value, scaled, sign_token

# Faults and the HTTP status the server answers with: STS throttling is a
# 429 (kube-apiserver backs off), everything else a plain denial.
STS_FAULTS = {
    "slow": 403,
    "reset": 403,
    "close": 403,
    "truncate": 403,
    "short_body": 403,
    "garbage": 403,
    "not_http": 403,
    "stall": 403,
    "throttle": 429,
    "error": 403,
    "bad_gateway": 403,
}
STS_TIMEOUT = 1.5  # seconds; "slow" and "stall" answer later than that


def assert_denied(status, answer, expected_status):
    assert status == expected_status, answer
    assert answer["status"]["authenticated"] is False, answer
    assert answer["status"].get("user", {}) == {}, answer


def assert_admin(status, answer):
    assert status == 200, answer
    assert answer["status"]["authenticated"] is True, answer
    assert answer["status"]["user"]["username"] == "admin:alice-example.com"


@pytest.fixture(scope="module")
def sts_proxy(emulator):
    proxy = FaultProxy(emulator, delay=STS_TIMEOUT + 1.5)
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def proxied_server(tmp_path_factory, emulator, sts_proxy):
    import harness

    srv = harness.Server(
        tmp_path_factory.mktemp("faults"),
        args=["--sts-endpoint-override", sts_proxy.url, "--sts-ca-cert", emulator.ca_file,
              "--sts-timeout", f"{int(STS_TIMEOUT * 1000)}ms",
              "--threads", "1",               # one worker: one STS pool sees every fault
              "--identity-cache-ttl", "0"],   # every review asks STS
    )
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


@pytest.mark.parametrize("fault", sorted(STS_FAULTS))
def test_sts_fault_denies_then_recovers(proxied_server, sts_proxy, fault):
    server, proxy = proxied_server, sts_proxy
    proxy.mode = "pass"
    connection = server.connection()  # kube-apiserver keeps its connection across all three
    try:
        assert_admin(*server.review(sign_token(ADMIN), connection=connection))  # leaves a pooled STS connection

        proxy.mode = fault
        if fault == "stall":
            proxy.drop_connections()  # only new connections stall
        faults_before = proxy.faults, proxy.connections
        started = time.monotonic()
        assert_denied(*server.review(sign_token(ADMIN), connection=connection), STS_FAULTS[fault])
        elapsed = time.monotonic() - started
        assert (proxy.faults, proxy.connections) != faults_before, "the fault was never exercised"
        # A fault costs at most the STS deadline (plus one retry of a dead
        # pooled connection, which starts a new deadline).
        assert elapsed < 2 * STS_TIMEOUT + scaled(1.5), elapsed

        proxy.mode = "pass"
        assert_admin(*server.review(sign_token(ADMIN), connection=connection))
    finally:
        proxy.mode = "pass"
        connection.close()
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")
    assert server.process.proc.poll() is None


def test_sts_faults_are_counted_and_logged_without_tokens(proxied_server, sts_proxy):
    server, proxy = proxied_server, sts_proxy
    before = server.metrics()
    proxy.mode = "reset"
    token = sign_token(ADMIN)
    try:
        assert_denied(*server.review(token), 403)
    finally:
        proxy.mode = "pass"
    after = server.metrics()
    name = "aws_iam_authenticator_sts_connection_failures_total"
    assert metric_value(after, name, StsRegion="us-west-2") > metric_value(before, name, StsRegion="us-west-2")
    name = "aws_iam_authenticator_authenticate_latency_seconds_count"
    assert metric_value(after, name, result="sts_error") == metric_value(before, name, result="sts_error") + 1
    text = server.process.wait_for_text('msg="access denied"')
    assert token.split(".", 1)[1][:40] not in text


def test_a_burst_of_faults_leaves_the_pool_usable(proxied_server, sts_proxy):
    """Many requests over several connections while STS resets every call,
    then STS heals: every review after that succeeds."""
    from concurrent.futures import ThreadPoolExecutor

    server, proxy = proxied_server, sts_proxy
    proxy.mode = "pass"
    tokens = [sign_token(ADMIN) for _ in range(2)]
    proxy.mode = "reset"
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: server.review(tokens[i % 2]), range(24)))
        assert all(status == 403 and not answer["status"]["authenticated"] for status, answer in results), results
    finally:
        proxy.mode = "pass"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: server.review(tokens[i % 2]), range(24)))
    for result in results:
        assert_admin(*result)


# EC2: {{EC2PrivateDNSName}} lookups through the proxy, STS straight to the emulator.
EC2_FAULTS = ["slow", "reset", "truncate", "garbage", "not_http", "throttle", "error", "bad_gateway"]
EC2_WORLD = {
    "identities": [{"accessKeyId": "AKIAAUTHENTICATOR001", "secretAccessKey": "authenticator/secret",
                    "arn": "arn:aws:iam::111122223333:user/authenticator"}],
    "instances": [{"instanceId": "i-0123456789abcdef0", "privateDnsName": "ip-10-0-0-1.ec2.internal"}],
    "region": "us-west-2",
}


@pytest.mark.parametrize("fault", EC2_FAULTS)
def test_ec2_fault_denies_the_node_then_recovers(start_emulator, start_server, fault):
    emulator = start_emulator(world=EC2_WORLD)
    proxy = FaultProxy(emulator, mode=fault, delay=7)  # past the 5 s EC2 call timeout
    try:
        server = start_server(
            ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
            env={"AWS_ENDPOINT_URL_EC2": proxy.url, "AWS_CA_BUNDLE": emulator.ca_file, "AWS_REGION": "us-west-2",
                 "AWS_ACCESS_KEY_ID": "AKIAAUTHENTICATOR001", "AWS_SECRET_ACCESS_KEY": "authenticator/secret"},
        )
        token = sign_token(EC2_NODE)
        status, answer = server.review(token)
        assert status == 403, answer
        assert answer["status"]["authenticated"] is False
        assert proxy.faults >= 1
        server.process.wait_for_text("failed querying private DNS from EC2 API for node i-0123456789abcdef0")

        proxy.mode = "pass"
        deadline = time.monotonic() + 15  # throttling backs off; failures are remembered for a few seconds
        while True:
            status, answer = server.review(token)
            if status == 200 or time.monotonic() > deadline:
                break
            assert answer["status"]["authenticated"] is False
            time.sleep(0.5)
        assert status == 200, answer
        assert answer["status"]["user"]["username"] == "system:node:ip-10-0-0-1.ec2.internal"
        assert server.post(None, path="/healthz", method="GET") == (200, "ok")
    finally:
        proxy.close()
