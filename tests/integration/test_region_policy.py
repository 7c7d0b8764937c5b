"""The region policy, end to end: a token for a region neither this build
nor the operator admits is denied before any I/O, with a reason that names
the setting; server.stsRegions / --sts-regions admit newer regions; the
StsRegion label only ever names admitted regions. And the STS slots are
shared out by host: one slow host cannot take them all."""

import time
from concurrent.futures import ThreadPoolExecutor

from harness import ADMIN, metric_value, scaled, sign_token

UNKNOWN_REGION_METRIC = "aws_iam_authenticator_sts_unknown_region_denials_total"


def test_an_invented_region_is_denied_offline_and_counted(server, emulator):
    before = emulator.stats()["requests"]
    for region in ("us-zz123-4", "eu-west-9", "ap-southeast-99"):
        status, answer = server.review(sign_token(ADMIN, region=region))
        assert status == 403
        assert answer["status"]["authenticated"] is False
    assert emulator.stats()["requests"] == before  # never asked STS
    metrics = server.metrics()
    assert metric_value(metrics, UNKNOWN_REGION_METRIC) == 3
    assert 'StsRegion="us-zz123-4"' not in metrics
    log = server.process.wait_for_text('region \\"ap-southeast-99\\" is not one this build knows in partition aws')
    assert "list it in server.stsRegions (--sts-regions)" in log


def test_a_known_region_of_the_table_goes_to_sts(server, emulator):
    # ap-southeast-7 is newer than Debian's botocore data: the table has it.
    status, answer = server.review(sign_token(ADMIN, region="ap-southeast-7"))
    assert status == 200 and answer["status"]["authenticated"] is True
    assert 'StsRegion="ap-southeast-7"' in server.metrics()


def test_listed_regions_are_admitted_by_flag_and_by_config(start_server, emulator):
    base = ["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file]
    by_flag = start_server(base + ["--sts-regions", "us-zz123-4,eu-north-7"])
    for region in ("us-zz123-4", "eu-north-7"):
        status, answer = by_flag.review(sign_token(ADMIN, region=region))
        assert status == 200 and answer["status"]["authenticated"] is True, answer
    status, _ = by_flag.review(sign_token(ADMIN, region="us-zz999-4"))
    assert status == 403
    metrics = by_flag.metrics()
    assert 'StsRegion="us-zz123-4"' in metrics  # a listed region has its own label
    assert metric_value(metrics, UNKNOWN_REGION_METRIC) == 1
    by_flag.process.wait_for_text("accepting STS regions newer than this build")

    by_config = start_server(base, server_keys={"stsRegions": "[us-zz123-4]"}, name="config")
    status, answer = by_config.review(sign_token(ADMIN, region="us-zz123-4"))
    assert status == 200 and answer["status"]["authenticated"] is True


def test_a_listed_region_of_another_partition_stops_the_start(start_server):
    srv = start_server(["--sts-regions", "cn-north-1"], wait=False)
    assert srv.process.wait_exit() == 1
    assert ('config key server.stsRegions (--sts-regions): "cn-north-1" is a region of partition aws-cn, not aws'
            in srv.process.text())


def test_one_slow_host_gets_a_quarter_of_the_slots_and_home_keeps_room(start_emulator, start_server):
    emulator = start_emulator("--latency", "1500ms", "--threads", "2")
    # 8 slots: 2 for any one host other than home, 6 for those together.
    server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file,
                           "--max-inflight-sts-requests", "8", "--region", "us-west-2",
                           "--identity-cache-ttl", "0"])
    away = sign_token(ADMIN, region="eu-west-1")
    home = sign_token(ADMIN, region="us-west-2")

    def review(token):
        started = time.monotonic()
        status, answer = server.review(token)
        return status, answer, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=8) as pool:
        away_results = [pool.submit(review, away) for _ in range(5)]
        time.sleep(0.5)  # the away calls are out
        home_results = [pool.submit(review, home) for _ in range(3)]
        away_results = [f.result() for f in away_results]
        home_results = [f.result() for f in home_results]

    assert sorted(r[0] for r in away_results) == [200, 200, 429, 429, 429], away_results
    for status, answer, seconds in away_results:
        if status == 429:
            assert answer["status"]["authenticated"] is False
            assert seconds < scaled(1.0), "a refusal must not wait for STS"
    assert [r[0] for r in home_results] == [200, 200, 200], home_results
    metrics = server.metrics()
    assert metric_value(metrics, "aws_iam_authenticator_sts_host_rejections_total", reason="host_cap") == 3
    server.process.wait_for_text("too many STS requests in flight to sts.eu-west-1.amazonaws.com (at most 2 to one host")
