"""The identity cache in the real server: a token seen again costs no STS
call, concurrent reviews of one token share one call, failures are never
kept, the mapping is applied afresh to every answer, and the TTL, the entry
limit and the off switch hold."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import harness
from harness import ADMIN, CAROL, metric_value, sign_token

WRONG_SECRET = dict(ADMIN, secretAccessKey="not-the-secret")


def start(start_server, emulator, *args, config_text=None):
    return start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file, *args],
                        config_text=config_text)


def sts_calls(emulator):
    return emulator.stats()["requests"]


def test_a_token_seen_again_is_answered_without_sts(start_server, emulator):
    server = start(start_server, emulator)
    token = sign_token(ADMIN)
    before = sts_calls(emulator)

    first = server.review(token)
    second = server.review(token)

    assert first == second
    assert first[0] == 200 and first[1]["status"]["user"]["username"] == "admin:alice-example.com"
    assert sts_calls(emulator) - before == 1
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_misses_total") == 1
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_hits_total") == 1
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_entries") == 1
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_bytes") > 0
    hit_lines = lambda: [line for line in server.process.output if "cache=hit" in line]  # noqa: E731
    harness.wait_until(lambda: len(hit_lines()) == 2, what="two log lines of the cache hit")
    hits = hit_lines()
    text = server.process.text()
    # STS's answer, from the cache, then the decision.
    assert len(hits) == 2 and 'msg="STS response"' in hits[0] and 'msg="access granted"' in hits[1]
    assert 'arn="arn:aws:iam::111122223333:role/Admin"' in hits[1]
    assert token not in text


def test_concurrent_reviews_of_one_token_share_one_sts_call(start_server, start_emulator):
    emulator = start_emulator("--latency", "400ms")
    server = start(start_server, emulator, "--threads", "2")
    token = sign_token(ADMIN)
    before = sts_calls(emulator)

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda _: server.review(token), range(40), timeout=60))

    assert all(status == 200 and answer["status"]["authenticated"] for status, answer in answers)
    assert sts_calls(emulator) - before == 1
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_misses_total") == 1
    shared = metric_value(metrics, "aws_iam_authenticator_identity_cache_shared_total")
    hits = metric_value(metrics, "aws_iam_authenticator_identity_cache_hits_total")
    assert shared >= 1 and shared + hits == 39


def test_concurrent_reviews_share_a_failure_but_never_keep_it(start_server, start_emulator):
    emulator = start_emulator("--latency", "400ms")
    server = start(start_server, emulator, "--threads", "2")
    token = sign_token(WRONG_SECRET)
    before = sts_calls(emulator)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: server.review(token), range(10), timeout=60))
    assert [status for status, _ in answers] == [403] * 10
    assert not any(answer["status"]["authenticated"] for _, answer in answers)
    assert sts_calls(emulator) - before == 1

    # Asked again later: STS is asked again, the failure was not stored.
    assert server.review(token)[1]["status"]["authenticated"] is False
    assert sts_calls(emulator) - before == 2
    assert metric_value(server.metrics(), "aws_iam_authenticator_identity_cache_entries") == 0


def test_throttling_is_not_cached_and_the_token_works_once_sts_recovers(start_server, start_emulator, tmp_path):
    throttling = start_emulator("--fail-rate", "1", "--fail-mode", "throttle")  # in tmp_path / "emulator0"
    server = start(start_server, throttling, "--threads", "1")
    token = sign_token(ADMIN)
    for expected_calls in (1, 2):
        status, answer = server.review(token)
        assert status == 429 and answer["status"]["authenticated"] is False
        assert throttling.stats()["requests"] == expected_calls
    port = throttling.port
    throttling.stop()

    # Same port and state dir, so the same certificate the server trusts.
    healthy = harness.Emulator(tmp_path / "emulator0", "--port", str(port))
    try:
        status, answer = server.review(token)
        assert status == 200 and answer["status"]["authenticated"] is True
        assert healthy.stats()["requests"] == 1
    finally:
        healthy.stop()


def test_the_mapping_is_applied_afresh_to_a_cached_identity(start_server, emulator, tmp_path):
    dynamic = tmp_path / "mappings.json"

    def publish(username):
        users = [{"userarn": CAROL["arn"], "username": username, "groups": ["g"]}] if username else []
        temporary = dynamic.with_suffix(".tmp")
        temporary.write_text(json.dumps({"Version": "1", "LastUpdatedDateTime": str(int(time.time())),
                                         "mapRoles": [], "mapUsers": users}))
        temporary.replace(dynamic)

    publish("carol-1")
    config_text = (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'kubeconfig.yaml'}\n"
        f"  backendMode: [DynamicFile]\n  dynamicfilepath: {dynamic}\n"
    )
    server = start(start_server, emulator, config_text=config_text)
    token = sign_token(CAROL)
    before = sts_calls(emulator)

    def username():
        status, answer = server.review(token)
        return answer["status"]["user"]["username"] if answer["status"]["authenticated"] else None

    def eventually(expected, timeout=3.0):
        deadline = time.monotonic() + harness.scaled(timeout)
        while (seen := username()) != expected:
            assert time.monotonic() < deadline, f"still {seen!r}, want {expected!r}"
            time.sleep(0.05)

    assert username() == "carol-1"
    publish("carol-2")
    eventually("carol-2")
    publish(None)
    eventually(None)
    publish("carol-3")
    eventually("carol-3")
    assert sts_calls(emulator) - before == 1  # every answer above came from one STS call


def test_entries_expire_after_the_ttl(start_server, emulator):
    server = start(start_server, emulator, "--identity-cache-ttl", "1s")
    token = sign_token(ADMIN)
    before = sts_calls(emulator)
    assert server.review(token)[0] == 200
    assert server.review(token)[0] == 200
    assert sts_calls(emulator) - before == 1
    time.sleep(1.3)
    assert server.review(token)[0] == 200
    assert sts_calls(emulator) - before == 2
    assert metric_value(server.metrics(), "aws_iam_authenticator_identity_cache_evictions_total", reason="expired") == 1


def test_an_entry_never_outlives_its_token(start_server, emulator):
    server = start(start_server, emulator)
    # Signed 14 min 58 s ago: 2 s of validity left, well inside the 2-minute TTL.
    token = sign_token(ADMIN, unix_time=int(time.time()) - 898)
    assert server.review(token)[0] == 200
    time.sleep(3.5)
    status, answer = server.review(token)
    assert answer["status"]["authenticated"] is False
    server.process.wait_for_text("X-Amz-Date parameter is expired")


def test_the_entry_limit_evicts_the_least_recently_used(start_server, emulator):
    server = start(start_server, emulator, "--identity-cache-max-entries", "1")
    admin, carol = sign_token(ADMIN), sign_token(CAROL)
    before = sts_calls(emulator)
    for token in (admin, carol, admin, admin):
        assert server.review(token)[0] == 200
    assert sts_calls(emulator) - before == 3
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_evictions_total", reason="capacity") == 2
    assert metric_value(metrics, "aws_iam_authenticator_identity_cache_entries") == 1


def test_a_ttl_of_zero_turns_the_cache_off(start_server, emulator):
    server = start(start_server, emulator, "--identity-cache-ttl", "0")
    token = sign_token(ADMIN)
    before = sts_calls(emulator)
    for _ in range(3):
        assert server.review(token)[0] == 200
    assert sts_calls(emulator) - before == 3
    assert "cache=" not in server.process.text()
    assert "identity cache on" not in server.process.text()


def test_cache_settings_are_checked(start_server, tmp_path):
    for args, problem in [
        (["--identity-cache-ttl", "16m"], "server.identityCacheTTL: must be from 0 (no cache) to 15m"),
        (["--identity-cache-max-bytes", "1Ki"], "server.identityCacheMaxBytes: must be at least 64Ki"),
        (["--identity-cache-max-entries", "many"], "flag --identity-cache-max-entries: invalid size"),
    ]:
        server = start_server(args, wait=False)
        assert server.process.wait_exit() == 1
        assert problem in server.process.text(), server.process.text()
