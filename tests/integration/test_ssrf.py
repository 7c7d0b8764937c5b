"""Tokens naming hosts other than STS endpoints never make the server
connect anywhere: not to the STS emulator it is pointed at, not to the host
the token names."""

import pytest

import harness
from harness import ADMIN, TrapListener, sign_token, token_for_url


@pytest.fixture
def trap():
    listener = TrapListener()
    yield listener
    listener.close()


def hostile_tokens(trap_port):
    """Tokens validly signed (or shaped) for hosts the server must not contact."""
    signed_for = [
        f"127.0.0.1:{trap_port}",
        f"localhost:{trap_port}",
        "127.0.0.1",
        "169.254.169.254",
        "sts.s3.amazonaws.com",
        "sts.us-west-2.amazonaws.com.evil.example",
        "evil.example",
        "sts.cn-north-1.amazonaws.com.cn",
    ]
    tokens = [sign_token(ADMIN, host=host) for host in signed_for]
    query = "Action=GetCallerIdentity&Version=2011-06-15"
    tokens += [
        token_for_url(f"https://sts.amazonaws.com@127.0.0.1:{trap_port}/?{query}"),
        token_for_url(f"http://127.0.0.1:{trap_port}/?{query}"),
        token_for_url(f"https://127.0.0.1:{trap_port}#sts.amazonaws.com/?{query}"),
        token_for_url(f"https://[::1]:{trap_port}/?{query}"),
    ]
    return tokens


def test_hostile_hosts_with_an_sts_override(server, emulator, trap):
    before = emulator.stats()["requests"]
    for token in hostile_tokens(trap.port):
        status, answer = server.review(token)
        assert status == 403
        assert answer["status"]["authenticated"] is False
    assert emulator.stats()["requests"] == before
    assert trap.connections == 0
    server.process.wait_for_text("unexpected hostname")


def test_hostile_hosts_without_an_sts_override(start_server, trap):
    srv = start_server(["--sts-timeout", "2s"])
    for token in hostile_tokens(trap.port):
        status, _ = srv.review(token)
        assert status == 403
    assert trap.connections == 0
    metrics = srv.metrics()
    # Refused before any connection: no STS responses or connection failures at all.
    assert "aws_iam_authenticator_sts_responses_total{" not in metrics
    assert "aws_iam_authenticator_sts_connection_failures_total{" not in metrics
    assert harness.metric_value(
        metrics, "aws_iam_authenticator_authenticate_latency_seconds_count", result="invalid_token"
    ) == len(hostile_tokens(trap.port))
