"""TokenReviews through the real server and the STS emulator: what is
granted, and every class of denial."""

import time

import harness
from harness import ADMIN, BOB, CAROL, EC2_NODE, NODE, OTHER_ACCOUNT, metric_value, scaled, sign_token


def user_of(answer):
    assert answer["status"]["authenticated"] is True, answer
    return answer["status"]["user"]


def assert_denied(status, answer, expected_status=403, api_version="authentication.k8s.io/v1"):
    assert status == expected_status, answer
    assert answer["apiVersion"] == api_version
    assert answer["kind"] == "TokenReview"
    assert answer["status"]["authenticated"] is False
    assert answer["status"]["user"] == {}


def test_role_session_is_authenticated_with_upstream_fields(server, emulator):
    status, answer = server.review(sign_token(ADMIN))
    assert status == 200
    assert answer["apiVersion"] == "authentication.k8s.io/v1"
    assert answer["kind"] == "TokenReview"
    user = user_of(answer)
    assert user["username"] == "admin:alice-example.com"
    assert user["groups"] == ["system:masters"]
    assert user["uid"].startswith("aws-iam-authenticator:111122223333:AROA")
    principal_id = user["uid"].rsplit(":", 1)[1]
    assert user["extra"] == {
        "arn": [ADMIN["arn"]],
        "canonicalArn": ["arn:aws:iam::111122223333:role/Admin"],
        "sessionName": ["alice@example.com"],
        "accessKeyId": [ADMIN["accessKeyId"]],
        "principalId": [principal_id],
        "sigs.k8s.io/aws-iam-authenticator/principalId": [principal_id],
    }


def test_v1beta1_is_answered_in_v1beta1(server):
    status, answer = server.review(sign_token(ADMIN), api_version="authentication.k8s.io/v1beta1")
    assert status == 200
    assert answer["apiVersion"] == "authentication.k8s.io/v1beta1"
    assert user_of(answer)["username"] == "admin:alice-example.com"


def test_global_endpoint_token(server):
    status, answer = server.review(sign_token(ADMIN, region=None))
    assert status == 200, answer


def test_pathed_role_mapping_and_templates(server):
    user = user_of(server.review(sign_token(NODE))[1])
    assert user["username"] == "deployer-ci-42"
    assert user["groups"] == ["deployers", "acct-111122223333"]


def test_user_mapping_and_account_mapping(server):
    assert user_of(server.review(sign_token(CAROL))[1])["username"] == "carol"
    user = user_of(server.review(sign_token(OTHER_ACCOUNT))[1])
    assert user["username"] == OTHER_ACCOUNT["arn"]
    assert "groups" not in user


def test_unmapped_identity_is_denied(server):
    before = metric_value(server.metrics(), "aws_iam_authenticator_authenticate_latency_seconds_count", result="uknown_user")
    assert_denied(*server.review(sign_token(BOB)))
    after = metric_value(server.metrics(), "aws_iam_authenticator_authenticate_latency_seconds_count", result="uknown_user")
    assert after == before + 1
    server.process.wait_for_text('error="identity is not mapped"')


def test_ec2_private_dns_name_mappings_deny_without_aws_access(server):
    # This server has no AWS settings (and instance metadata is off): it
    # cannot look the node up, so it denies, saying why.
    assert_denied(*server.review(sign_token(EC2_NODE)))
    server.process.wait_for_text("failed querying private DNS from EC2 API for node i-0123456789abcdef0: AWS set-up:")


def test_malformed_token_is_denied_without_sts(server, emulator):
    before = emulator.stats()["requests"]
    for token in ["k8s-aws-v1.garbage!", "", "Bearer x", "k8s-aws-v1." + "A" * 5000]:
        assert_denied(*server.review(token))
    assert emulator.stats()["requests"] == before


def test_token_for_another_cluster_is_denied_by_sts(server, emulator):
    before = emulator.stats()["refused"]
    assert_denied(*server.review(sign_token(ADMIN, cluster_id="some-other-cluster")))
    assert emulator.stats()["refused"] == before + 1
    server.process.wait_for_text("stserror=SignatureDoesNotMatch")


def test_expired_token_is_denied_without_sts(server, emulator):
    before = emulator.stats()["requests"]
    assert_denied(*server.review(sign_token(ADMIN, unix_time=int(time.time()) - 16 * 60)))
    assert emulator.stats()["requests"] == before
    server.process.wait_for_text("X-Amz-Date parameter is expired")


def test_wrong_secret_is_refused_by_sts(server):
    forged = dict(ADMIN, secretAccessKey="not-the-secret")
    before = metric_value(server.metrics(), "aws_iam_authenticator_sts_responses_total", ResponseCode="403")
    assert_denied(*server.review(sign_token(forged)))
    assert metric_value(server.metrics(), "aws_iam_authenticator_sts_responses_total", ResponseCode="403") == before + 1


def test_wrong_session_token_is_refused_by_sts(server):
    assert_denied(*server.review(sign_token(dict(ADMIN, sessionToken="stolen-but-wrong"))))
    server.process.wait_for_text("stserror=InvalidClientTokenId")


def test_log_lines_never_contain_tokens(server):
    token = sign_token(ADMIN)
    server.review(token)
    server.review(sign_token(BOB))
    text = server.process.wait_for_text('error="identity is not mapped"')
    assert token not in text
    assert token[len("k8s-aws-v1."):][:40] not in text
    assert ADMIN["sessionToken"] not in text
    assert "X-Amz-Signature" not in text
    granted = [line for line in text.splitlines() if 'msg="access granted"' in line]
    assert granted, text
    for field in ("arn=", "username=", "uid=", "groups=", "accesskeyid=", "client="):
        assert field in granted[-1]


def test_sts_down_is_denied_quickly(start_server, tmp_path):
    # Nothing listens on this port once the probe socket is closed.
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    dead_port = probe.getsockname()[1]
    probe.close()
    srv = start_server(["--sts-endpoint-override", f"https://127.0.0.1:{dead_port}"])
    started = time.monotonic()
    assert_denied(*srv.review(sign_token(ADMIN)))
    assert time.monotonic() - started < scaled(3)
    assert metric_value(srv.metrics(), "aws_iam_authenticator_sts_connection_failures_total", StsRegion="us-west-2") == 1
    # Still healthy afterwards.
    assert srv.post(None, path="/healthz", method="GET") == (200, "ok")


def test_sts_slower_than_the_timeout_is_denied(start_server, start_emulator):
    slow = start_emulator("--latency", "3s")
    srv = start_server(
        ["--sts-endpoint-override", slow.url, "--sts-ca-cert", slow.ca_file, "--sts-timeout", "1s"]
    )
    started = time.monotonic()
    assert_denied(*srv.review(sign_token(ADMIN)))
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < scaled(2.5), elapsed
    srv.process.wait_for_text("no answer in time")


def test_sts_throttling_is_a_429(start_server, start_emulator):
    throttling = start_emulator("--fail-rate", "1", "--fail-mode", "throttle")
    srv = start_server(["--sts-endpoint-override", throttling.url, "--sts-ca-cert", throttling.ca_file])
    assert_denied(*srv.review(sign_token(ADMIN)), expected_status=429)
    metrics = srv.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_sts_throttling_total", StsRegion="us-west-2") == 1
    assert metric_value(metrics, "aws_iam_authenticator_authenticate_latency_seconds_count", result="sts_throttling") == 1


def test_sts_internal_error_is_denied(start_server, start_emulator):
    failing = start_emulator("--fail-rate", "1", "--fail-mode", "error")
    srv = start_server(["--sts-endpoint-override", failing.url, "--sts-ca-cert", failing.ca_file])
    assert_denied(*srv.review(sign_token(ADMIN)))
    assert metric_value(srv.metrics(), "aws_iam_authenticator_sts_responses_total", ResponseCode="500") == 1


def test_sts_certificate_must_be_trusted(start_server, emulator):
    # Without --sts-ca-cert the emulator's self-signed certificate is not trusted.
    srv = start_server(["--sts-endpoint-override", emulator.url])
    before = emulator.stats()["succeeded"]
    assert_denied(*srv.review(sign_token(ADMIN)))
    assert emulator.stats()["succeeded"] == before
    srv.process.wait_for_text("TLS handshake")


def test_scrubbed_accounts_reveal_nothing(start_server, emulator, tmp_path):
    config = harness.SERVER_CONFIG.format(
        cluster_id=harness.CLUSTER_ID, state_dir=tmp_path / "scrubbed-state", kubeconfig=tmp_path / "scrubbed.yaml"
    ) + '  scrubbedAccounts: ["111122223333"]\n'
    srv = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file], config_text=config)
    user = user_of(srv.review(sign_token(ADMIN))[1])
    assert user["uid"] == "aws-iam-authenticator:administrative:admin:alice-example.com"
    assert "extra" not in user
    log = srv.process.wait_for_text('msg="access granted"')
    assert ADMIN["arn"] not in log
    assert ADMIN["accessKeyId"] not in log
    assert "STS response" not in log and "111122223333" not in log.split('msg="access granted"')[1]


def test_pooled_connection_to_a_restarted_sts_is_retried(start_server, start_emulator, tmp_path):
    first = start_emulator()
    srv = start_server(["--sts-endpoint-override", first.url, "--sts-ca-cert", first.ca_file, "--threads", "1",
                        "--identity-cache-ttl", "0"])  # every review must reach STS
    assert srv.review(sign_token(ADMIN))[0] == 200  # leaves a pooled connection behind
    first.stop()
    # The same port and state dir (so the same certificate): the pooled
    # connection is dead, and the server must notice and reconnect once.
    second = harness.Emulator(tmp_path / "emulator0", "--port", str(first.port))
    try:
        status, answer = srv.review(sign_token(ADMIN))
        assert status == 200, answer
        assert second.stats()["succeeded"] == 1
    finally:
        second.stop()
