"""server.maxInflightSTSRequests: when STS is slow, requests past the cap
are denied at once (429) instead of piling up behind it."""

import time
from concurrent.futures import ThreadPoolExecutor

from harness import ADMIN, metric_value, scaled, sign_token


def test_requests_past_the_cap_are_denied_at_once(start_emulator, start_server):
    emulator = start_emulator("--latency", "1500ms")
    # The token is for the server's own region: only the overall cap applies
    # (other hosts also have a share of their own; see test_region_policy.py).
    server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file,
                           "--max-inflight-sts-requests", "2", "--region", "us-west-2",
                           "--identity-cache-ttl", "0"])  # one token: the cache would make it one call
    token = sign_token(ADMIN)

    def review(_):
        started = time.monotonic()
        status, answer = server.review(token)
        return status, answer, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(review, range(6)))

    granted = [r for r in results if r[0] == 200]
    refused = [r for r in results if r[0] == 429]
    assert len(granted) == 2, results
    assert len(refused) == 4, results
    for _, answer, seconds in granted:
        assert answer["status"]["authenticated"] is True and seconds >= 1.4
    for _, answer, seconds in refused:
        assert answer["status"]["authenticated"] is False
        assert seconds < scaled(1.0), "a refusal must not wait for STS"
    assert emulator.stats()["requests"] == 2
    assert metric_value(server.metrics(), "aws_iam_authenticator_sts_inflight_rejections_total") == 4
    server.process.wait_for_text("too many STS requests in flight (server.maxInflightSTSRequests 2)")

    # The slots are given back: the next request goes through.
    status, answer = server.review(token)
    assert status == 200 and answer["status"]["authenticated"] is True
