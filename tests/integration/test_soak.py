"""bench/soak.py, briefly: the soak script itself works, and a short run of
mixed valid and invalid traffic (with mapping changes and SIGHUPs) lets no
invalid request in, answers every abuser as it should, and leaves the
server's descriptors flat. (bench/README.md reports a 10-minute run.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

import harness

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def test_a_short_soak_is_clean(tmp_path):
    report_file = tmp_path / "soak.json"
    # Sanitizer builds hold freed memory in quarantine: RSS is not theirs to judge.
    rss_allowance = "1024" if os.environ.get("AIA_SANITIZE") else "8"
    result = subprocess.run(
        [sys.executable, SOAK, "--no-build", "--bin-dir", harness.BIN_DIR, "--duration", "12s", "--warmup", "4s",
         "--rate", "300", "--abuse-rate", "30", "--sample-every", "2s", "--mapping-change-every", "3s",
         "--sighup-every", "5s", "--max-rss-growth-mib", rss_allowance, "--json", report_file],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict   clean" in result.stdout
    report = json.loads(report_file.read_text())
    assert report["server_alive"] and report["problems"] == []
    load, abuse = report["loadgen"], report["abuse"]
    assert load["requests"] > 1000 and load["invalid_sent"] > 100
    assert 0 < load["authenticated"] <= load["requests"] - load["invalid_sent"]
    assert abuse["granted"] == 0 and abuse["unexpected"] == 0
    assert len(abuse["by_kind"]) == 14 and abuse["requests"] > 100, abuse
    assert report["mapping_changes"] >= 3 and report["sighups"] >= 2
    assert report["start"]["fds"] > 0 and report["end"]["fds"] - report["start"]["fds"] <= 8
