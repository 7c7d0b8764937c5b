"""The invented-region flood (see flood_scenario.py): 2,500 TokenReviews at
once, each for a distinct invented region, while the server's DNS answers
unknown names with NXDOMAIN after 100 ms; genuine users' fresh tokens on a
few other connections meanwhile.

- Regions no setting admits: all denied before any I/O (no DNS query).
- The same regions listed in server.stsRegions: only the resolver and the
  shared STS slots protect the genuine users.

Either way: at least 99% of genuine reviews granted, their p99 within 3 s
(scaled for sanitizer builds), no flood review granted. Runs in private
mount, network and UTS namespaces, so the machine's own resolver and ports
are never touched; needs root."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness import require, scaled

SCENARIO = Path(__file__).resolve().parent / "flood_scenario.py"


def run_flood(workdir, mode):
    require(os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip") and shutil.which("mount"),
            "the flood test runs in private namespaces: it needs root, unshare, ip and mount")
    timeout = scaled(240)
    completed = subprocess.run(
        ["unshare", "--mount", "--net", "--uts", "--", sys.executable, SCENARIO, "--workdir", workdir,
         "--mode", mode, "--timeout", str(scaled(90))],
        capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-20000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(json.dumps({k: v for k, v in result.items() if k != "metrics"}, indent=1))
    return result


def assert_genuine_users_unharmed(result):
    assert result["flood_sent"] == 2500
    assert result["flood_granted"] == 0, result["flood_statuses"]
    assert result["genuine_sent"] >= 100
    assert result["genuine_granted"] >= 0.99 * result["genuine_sent"], result
    assert result["genuine_p99"] <= scaled(3.0), result


def test_flood_of_unknown_regions_is_denied_before_any_io(tmp_path):
    result = run_flood(tmp_path, "unknown")
    assert_genuine_users_unharmed(result)
    assert result["flood_statuses"] == {"403": 2500}
    assert result["dns_queries_invented"] == 0  # not one lookup for an invented name
    assert result["metrics"]["aws_iam_authenticator_sts_unknown_region_denials_total"] == 2500
    assert not any('StsRegion="us-zz' in name for name in result["metrics"])


def test_flood_of_listed_regions_is_held_off_by_the_resolver_and_the_slots(tmp_path):
    result = run_flood(tmp_path, "allowed")
    assert_genuine_users_unharmed(result)
    # Every flood review was looked up or refused, none waited for STS.
    assert sum(result["flood_statuses"].values()) == 2500
    assert result["dns_queries_invented"] <= 2 * 2500
    assert result["metrics"].get("aws_iam_authenticator_sts_unknown_region_denials_total", 0) == 0
