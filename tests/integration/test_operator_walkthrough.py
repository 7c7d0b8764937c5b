"""The operator walkthrough in docs/operations.md, run exactly as written (the block
between its walkthrough markers), on free ports and in a scratch directory:
what a newcomer pastes must work and show what the guide says it shows."""

import json
import os
import re
import signal
import subprocess

import harness

ROOT = harness.ROOT


def walkthrough_script():
    guide = (ROOT / "docs" / "operations.md").read_text()
    block = re.search(r"<!-- walkthrough:start -->\n```sh\n(.*?)```\n<!-- walkthrough:end -->", guide, re.S)
    assert block, "docs/operations.md has no walkthrough block"
    return block.group(1)


def test_readme_walkthrough(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    port, sts_port = harness.free_port(), harness.free_port()
    env = harness.server_environment(tmp_path, {
        "B": str(harness.BIN_DIR), "W": str(work), "PORT": str(port), "STS_PORT": str(sts_port)})
    env.pop("AWS_EC2_METADATA_DISABLED")  # a newcomer's shell has no such setting
    process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", walkthrough_script()], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=120)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever it left running
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
    assert process.returncode == 0, out
    for log in ("server.log", "sts.log"):
        text = (work / log).read_text()
        assert not any(marker in text for marker in harness.Process.SANITIZER_REPORTS), text

    assert f"server: https://localhost:{port}/authenticate" in out
    assert re.search(r"^ok$", out, re.M), out
    reviews = [json.loads(line) for line in out.splitlines() if line.startswith('{"apiVersion"')]
    assert len(reviews) == 3, out
    alice, bob_before, bob_after = (review["status"] for review in reviews)
    assert alice["authenticated"] is True
    assert (alice["user"]["username"], alice["user"]["groups"]) == ("admin:alice-example.com", ["system:masters"])
    assert bob_before["authenticated"] is False
    assert "NOT MAPPED" in out and "names a role, the caller is not one" in out
    assert bob_after["authenticated"] is True
    assert (bob_after["user"]["username"], bob_after["user"]["groups"]) == ("bob", ["developers"])

    metrics = "\n".join(line for line in out.splitlines() if line.startswith("aws_iam_authenticator_"))
    count = "aws_iam_authenticator_authenticate_latency_seconds_count"
    assert harness.metric_value(metrics, count, result="success") == 2
    assert harness.metric_value(metrics, count, result="uknown_user") == 1
    assert harness.metric_value(metrics, "aws_iam_authenticator_mapping_reload_total", result="success",
                                source="EKSConfigMapFile") == 2
    assert harness.metric_value(metrics, "aws_iam_authenticator_mapping_entries", kind="user") == 1

    logs = [json.loads(line) for line in out.splitlines() if line.startswith('{"') and '"msg"' in line]
    decisions = [(r["msg"], r.get("username"), r.get("mapping")) for r in logs if r["msg"].startswith("access")]
    assert decisions == [("access granted", "admin:alice-example.com", "EKSConfigMapFile mapRoles[0]"),
                         ("access denied", None, None),
                         ("access granted", "bob", "EKSConfigMapFile mapUsers[0]")], decisions
    assert any(r["msg"] == "mapping source reloaded" and r["users"] == "1" for r in logs)
    # The block's last line stops the server gracefully.
    assert '"msg":"stopped"' in (work / "server.log").read_text().splitlines()[-1]
