"""bench/'s load generator against the real server and emulator: its
counts must be exact, or the bench's figures mean nothing."""

import json
import subprocess

import harness
from harness import ADMIN, CAROL, CLUSTER_ID

LOADGEN = harness.BIN_DIR / "bench" / "loadgen"


def run_loadgen(server, tmp_path, *args):
    identities = tmp_path / "identities.json"
    identities.write_text(json.dumps({"identities": [ADMIN, CAROL]}))
    result_file = tmp_path / "result.json"
    result = subprocess.run(
        [str(a) for a in [LOADGEN, "--url", f"https://127.0.0.1:{server.port}/authenticate", "--ca", server.ca_file,
                          "--identities", identities, "-i", CLUSTER_ID, "--json", result_file, "--no-progress", *args]],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result_file.read_text()), result.stdout


def test_counts_every_answer_and_its_kind(server, tmp_path):
    result, table = run_loadgen(server, tmp_path, "--requests", "400", "--connections", "8", "--invalid-ratio", "0.25")
    assert result["requests"] == 400
    assert result["invalid_sent"] == 100
    assert result["statuses"] == {"200": 300, "403": 100}
    assert result["authenticated"] == 300
    assert result["errors"] == {}
    assert result["connections_opened"] == 8
    latency = result["latency_ms"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p99_9"] <= latency["max"]
    assert "requests" in table and "p99" in table
    # The histogram's buckets: every request in one, in order, none empty,
    # the slowest ending where the maximum is.
    buckets = result["latency_buckets_us"]
    assert sum(count for _, _, count in buckets) == 400
    assert all(count > 0 and lower <= upper for lower, upper, count in buckets)
    assert all(a[1] < b[0] for a, b in zip(buckets, buckets[1:]))
    assert buckets[-1][0] <= round(latency["max"] * 1000) <= buckets[-1][1]


def test_open_loop_keeps_its_rate_and_holds_idle_connections(server, tmp_path):
    result, _ = run_loadgen(server, tmp_path, "--rate", "200", "--duration", "2s", "--connections", "4",
                            "--idle-connections", "20")
    assert result["mode"] == "open"
    assert 320 <= result["requests"] <= 440  # 200/s for 2 s (a busy CI machine may answer a few late)
    assert result["authenticated"] == result["requests"]
    assert result["connections_opened"] == 24
