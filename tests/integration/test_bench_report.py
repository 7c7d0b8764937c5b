"""bench/bench.py report on results made up here: RESULTS.md gets its rows
(with the identity cache column) and links figures that are really drawn,
and none for data it was not given. No server runs."""

import json
import subprocess
import sys
from pathlib import Path


BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def loadgen_result(name, what, throughput, buckets, cache=None):
    result = {
        "connections": 64, "idle_connections": 0, "mode": "closed", "seconds": 1.0, "requests": 30,
        "throughput": throughput, "authenticated": 30, "invalid_sent": 0, "statuses": {"200": 30}, "errors": {},
        "latency_ms": {"p50": 1.2, "p90": 2.0, "p99": 3.1, "p99_9": 3.1, "max": 3.1, "mean": 1.5},
        "connections_opened": 64, "latency_buckets_us": buckets, "scenario": name, "what": what,
        "server_cpu_seconds_per_1000": None, "server_peak_rss_mib": 12.5,
    }
    if cache is not None:  # a server's run (nginx's have neither)
        result["identity_cache"] = cache
        result["server_cpu_seconds_per_1000"] = 0.2
    return result


def run_report(results, out):
    """bench.py report from `results` into `out`; it must succeed."""
    run = subprocess.run([sys.executable, str(BENCH), "report", "--results", str(results), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_report_draws_and_links_its_figures(tmp_path):
    results, out = tmp_path / "results", tmp_path / "out"
    results.mkdir()
    buckets = [[1000, 1015, 10], [1200, 1215, 15], [3072, 3103, 5]]
    (results / "cpu.json").write_text(json.dumps(loadgen_result("cpu", "tiny cpu run", 2500.0, buckets, False)))
    (results / "ceiling-hit.json").write_text(json.dumps(loadgen_result("ceiling-hit", "tiny nginx run", 9000.0,
                                                                        buckets)))
    run_report(results, out)

    report = (out / "RESULTS.md").read_text()
    assert "| `cpu` | tiny cpu run | off | 2500 |" in report
    assert "| `ceiling-hit` | tiny nginx run | n/a | 9000 |" in report
    for figure in ("throughput.png", "latency-histograms.png"):
        assert f"](figures/{figure})" in report
        assert (out / "figures" / figure).read_bytes()[:8] == PNG_MAGIC
        assert (out / "figures" / figure).stat().st_size > 10_000  # a drawing, not an empty canvas
    # No footprint or soak results: neither figure, nor a link to one.
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["latency-histograms.png", "throughput.png"]
    assert "footprint-rss.png" not in report and "soak-rss.png" not in report


def test_footprint_and_soak_samples_become_figures(tmp_path):
    results, out = tmp_path / "results", tmp_path / "out"
    results.mkdir()
    samples = [[n / 10, 8000 + 100 * n, "idle" if n < 10 else "burst"] for n in range(20)]
    (results / "footprint.json").write_text(json.dumps({
        "connections": 1000, "kib_per_idle_connection": 9.5, "samples": samples, "scenario": "footprint",
        "what": "tiny footprint", "identity_cache": False,
        "rss_mib": {"before": 7.8, "idle": 17.1, "closed": 9.0, "burst_peak": 11.0, "after_burst": 9.2}}))
    soak_samples = [{"t": 10.0 * n, "rss_mib": 15.0 + n / 10, "fds": 20, "threads": 4} for n in range(6)]
    (results / "soak.json").write_text(json.dumps({
        "duration_s": 40, "warmup_s": 10, "rate": 100, "abuse_rate": 4, "invalid_ratio": 0.2, "server_args": [],
        "server_alive": True, "loadgen": {"requests": 4000}, "mapping_changes": 2, "sighups": 0,
        "start": soak_samples[1], "end": soak_samples[-1], "peak_rss_mib": 15.5, "samples": soak_samples,
        "problems": []}))
    run_report(results, out)

    report = (out / "RESULTS.md").read_text()
    assert "**9.5 KiB per idle connection**" in report
    assert "RSS 15.1 → 15.5 MiB" in report
    for figure in ("footprint-rss.png", "soak-rss.png"):
        assert f"](figures/{figure})" in report
        assert (out / "figures" / figure).read_bytes()[:8] == PNG_MAGIC
    assert not (out / "figures" / "throughput.png").exists()  # no scenario with requests/s


def test_issue_21_targets_are_judged_from_the_run(tmp_path):
    results, out = tmp_path / "results", tmp_path / "out"
    results.mkdir()
    buckets = [[1000, 1015, 30]]
    runs = {"cpu": loadgen_result("cpu", "miss", 900.0, buckets, False),
            "cache": loadgen_result("cache", "hit", 8600.0, buckets, True),
            "ceiling-miss": loadgen_result("ceiling-miss", "nginx miss", 1000.0, buckets),
            "ceiling-hit": loadgen_result("ceiling-hit", "nginx hit", 10000.0, buckets)}
    runs["cpu"]["server_peak_rss_mib"] = 11.5
    for name, result in runs.items():
        (results / f"{name}.json").write_text(json.dumps(result))
    (results / "footprint.json").write_text(json.dumps({
        "connections": 1000, "kib_per_idle_connection": 16.4, "samples": [[0.0, 8000, "idle"]],
        "scenario": "footprint", "what": "tiny footprint", "identity_cache": False,
        "rss_mib": {"before": 7.8, "idle": 17.1, "closed": 9.0, "burst_peak": 11.0, "after_burst": 9.2}}))
    run_report(results, out)

    report = (out / "RESULTS.md").read_text()
    assert "## Issue #21's targets" in report
    assert "| 43 KiB | 16.4 KiB | no |" in report      # over 16 KiB
    assert "| 52 MiB | 11.5 MiB | yes |" in report     # under 12 MiB
    assert "| — | 90% | yes |" in report               # 900 of 1,000
    assert "| — | 86% | yes |" in report               # 8,600 of 10,000
    assert "7.8 → 9.0 and 9.2 MiB" in report
    assert "| — | 3.1 ms | yes |" in report


def test_issue_21_targets_need_the_whole_run(tmp_path):
    results, out = tmp_path / "results", tmp_path / "out"
    results.mkdir()
    (results / "cpu.json").write_text(json.dumps(loadgen_result("cpu", "miss", 900.0, [[1000, 1015, 30]], False)))
    run_report(results, out)
    assert "Issue #21" not in (out / "RESULTS.md").read_text()


def test_the_servers_floor_is_reported_against_the_ceiling_and_the_cache(tmp_path):
    results, out = tmp_path / "results", tmp_path / "out"
    results.mkdir()
    buckets = [[1000, 1015, 10], [1200, 1215, 15]]
    floor = loadgen_result("floor", "tiny floor run", 8000.0, buckets)
    floor.update({"identity_cache": None, "server_cpu_seconds_per_1000": 0.1})  # a server, nothing authenticated
    (results / "floor.json").write_text(json.dumps(floor))
    (results / "cache.json").write_text(json.dumps(loadgen_result("cache", "tiny cache run", 4000.0, buckets, True)))
    (results / "ceiling-hit.json").write_text(json.dumps(loadgen_result("ceiling-hit", "tiny nginx run", 10000.0,
                                                                        buckets)))
    run_report(results, out)

    report = (out / "RESULTS.md").read_text()
    assert "| `floor` | tiny floor run | n/a | 8000 |" in report
    assert "The same requests answered at /healthz, no authentication work: 8000/s, 80% of `ceiling-hit`; " \
           "scenario `cache` reaches 50% of it." in report
    assert (out / "figures" / "throughput.png").stat().st_size > 10_000

    # Without scenario cache the floor is still set against the ceiling.
    (results / "cache.json").unlink()
    run_report(results, out)
    assert "The same requests answered at /healthz, no authentication work: 8000/s, 80% of `ceiling-hit`." \
           in (out / "RESULTS.md").read_text()
