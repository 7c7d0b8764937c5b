"""deploy/monitoring/ and what it is built on: the alert rules and the
dashboard's queries are valid PromQL over metrics the server really has, the
real /metrics output passes promtool's lint, every metric is documented, and
the log lines carry the keys docs/operations.md promises."""

import json
import re
import subprocess

import pytest
import yaml

import harness

ROOT = harness.ROOT
MONITORING = ROOT / "deploy" / "monitoring"
OPERATIONS = ROOT / "docs" / "operations.md"


@pytest.fixture(autouse=True, scope="module")
def promtool_present():
    """Every test here needs promtool: skipped where it is missing, except
    under CI=true, where that fails."""
    harness.require_tool("promtool", "prometheus")


def promtool(*args, stdin=None):
    result = subprocess.run(["promtool", *map(str, args)], input=stdin, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def busy_metrics(server, emulator):
    """/metrics after one review of each kind."""
    grant = server.review(harness.sign_token(harness.ADMIN))
    assert grant[1]["status"]["authenticated"] is True, grant
    unmapped = server.review(harness.sign_token(harness.BOB))
    assert unmapped[1]["status"]["authenticated"] is False
    wrong_cluster = server.review(harness.sign_token(harness.ADMIN, cluster_id="another-cluster"))
    assert wrong_cluster[1]["status"]["authenticated"] is False
    assert server.review("k8s-aws-v1.not-base64!")[1]["status"]["authenticated"] is False
    assert server.post("{", path="/authenticate")[0] == 400
    return server.metrics()


def metric_families(metrics_text):
    """{family name: type} from the # TYPE lines."""
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", metrics_text, re.M))


def documented_metrics():
    """Every metric name in the Metrics table of docs/operations.md."""
    section = OPERATIONS.read_text().split("### Metrics\n", 1)[1].split("\n#", 1)[0]
    names = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            names |= set(re.findall(r"`([a-z0-9_]+)`", row.split("|")[1]))
    return names


def referenced_metrics(expression):
    names = set(re.findall(r"\b((?:aws_iam_authenticator|process)_[a-z0-9_]+)", expression))
    return {re.sub(r"_(bucket|count|sum)$", "", name) if "latency_seconds" in name else name for name in names}


def alert_rules():
    groups = yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_expressions():
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])]


# Upstream's label names (ResponseCode, StsRegion), kept so that its
# dashboards keep working: the one lint finding we accept.
UPSTREAM_LABELS = re.compile(r"^aws_iam_authenticator_sts_(responses|throttling|connection_failures)_total "
                             r"label names should be written in 'snake_case' not 'camelCase'$")


def test_real_metrics_output_passes_promtool_lint(busy_metrics):
    status, out = promtool("check", "metrics", stdin=busy_metrics)
    findings = [line for line in out.splitlines() if line.strip()]
    assert findings, "promtool no longer objects to upstream's label names: drop UPSTREAM_LABELS"
    others = [line for line in findings if not UPSTREAM_LABELS.match(line)]
    assert not others, out
    families = metric_families(busy_metrics)
    # The kinds of reviews above, and the process and build families.
    for name in ("aws_iam_authenticator_authenticate_latency_seconds", "aws_iam_authenticator_sts_responses_total",
                 "process_cpu_seconds_total", "process_resident_memory_bytes", "aws_iam_authenticator_build_info"):
        assert name in families, name
    for result in ("success", "uknown_user", "sts_error", "invalid_token", "malformed_request"):
        assert harness.metric_value(busy_metrics, "aws_iam_authenticator_authenticate_latency_seconds_count",
                                    result=result) >= 1, result


def test_every_metric_the_server_exports_is_documented(busy_metrics):
    exported = set(metric_families(busy_metrics))
    undocumented = exported - documented_metrics()
    assert not undocumented, f"docs/operations.md's Metrics table lacks {sorted(undocumented)}"


def test_alert_rules_check_and_their_unit_tests_pass():
    status, out = promtool("check", "rules", MONITORING / "alerts.yaml")
    assert status == 0, out
    assert re.search(r"SUCCESS: (\d+) rules found", out), out
    status, out = promtool("test", "rules", MONITORING / "alerts.test.yaml")
    assert status == 0 and "SUCCESS" in out, out
    # Every alert is exercised by the unit tests, firing at least once.
    tests = yaml.safe_load((MONITORING / "alerts.test.yaml").read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}
    assert fired == {rule["alert"] for rule in alert_rules()}


def test_issue_topics_have_alerts():
    """Error ratio, STS latency, throttling and reload failures, as asked."""
    expressions = {rule["alert"]: rule["expr"] for rule in alert_rules()}
    for wanted in ("result=~\"sts_error|sts_throttling\"", "histogram_quantile", "sts_throttling_total",
                   "mapping_reload_total", "certificate_reload_total"):
        assert any(wanted in expr for expr in expressions.values()), wanted
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"]


def test_dashboard_queries_are_valid_promql(tmp_path):
    expressions = dashboard_expressions()
    assert len(expressions) >= 14
    # Grafana's variables become what they stand for, then each query a
    # recording rule for promtool to parse.
    rules = [{"record": f"dashboard:query_{i}",
              "expr": expr.replace("$__rate_interval", "5m").replace("$instance", ".*")}
             for i, (_, expr) in enumerate(expressions)]
    file = tmp_path / "dashboard-rules.yaml"
    file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    status, out = promtool("check", "rules", file)
    assert status == 0, out
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    assert dashboard["uid"] and dashboard["title"]
    assert {v["name"] for v in dashboard["templating"]["list"]} == {"datasource", "instance"}
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])


def test_alerts_and_dashboard_only_use_metrics_the_server_exports(busy_metrics):
    exported = set(metric_families(busy_metrics))
    # Families that have no sample until their event happens.
    later = {"aws_iam_authenticator_sts_throttling_total", "aws_iam_authenticator_sts_connection_failures_total",
             "aws_iam_authenticator_sts_inflight_rejections_total", "aws_iam_authenticator_ec2_throttled_total",
             "aws_iam_authenticator_connections_timed_out_total", "aws_iam_authenticator_connections_refused_total",
             "aws_iam_authenticator_request_timeouts_total", "aws_iam_authenticator_certificate_reload_total"}
    documented = documented_metrics()
    used = set()
    for _, expr in dashboard_expressions():
        used |= referenced_metrics(expr)
    for rule in alert_rules():
        used |= referenced_metrics(rule["expr"])
    assert used - documented == set(), "not in docs/operations.md's Metrics table"
    assert used - exported - later == set(), "not exported by the server"


# --- logs ---------------------------------------------------------------------

# Upstream v0.7.18's keys, read from pkg/server/server.go (authenticateEndpoint):
# every request line starts from path/client/method; WithError adds `error`;
# after STS it adds `arn` (canonical) to the lines that follow.
UPSTREAM_KEYS = {
    "unexpected request method": {"path", "client", "method"},
    "could not parse request body": {"path", "client", "method", "error"},
    "access denied": {"path", "client", "method", "error"},
    "STS response": {"path", "client", "method", "accesskeyid", "arn", "accountid", "userid", "session", "stsendpoint"},
    "access granted": {"path", "client", "method", "arn", "username", "uid", "groups", "stsendpoint"},
}
LOGRUS_KEYS = {"time", "level", "msg"}
# Ours, under their own names (docs/operations.md, "Logs").
OUR_KEYS = {
    "unexpected request method": set(),
    "could not parse request body": set(),
    "access denied": {"accesskeyid", "stsendpoint", "arn", "accountid", "cache", "stserror"},
    "STS response": {"cache"},
    "access granted": {"accesskeyid", "accountid", "cache", "mapping"},
}


def logfmt(line):
    return {key: value for key, value in re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)', line)}


def log_records(lines, log_format):
    if log_format == "json":
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(records) == len(lines), "every line is one JSON object"
        return records
    return [{k: v.strip('"') for k, v in logfmt(line).items()} for line in lines]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_request_log_lines_have_upstreams_keys_and_ours_apart(start_server, emulator, log_format):
    srv = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file,
                        "--log-format", log_format])
    token = harness.sign_token(harness.ADMIN)
    assert srv.review(token)[1]["status"]["authenticated"] is True
    assert srv.review(harness.sign_token(harness.BOB))[1]["status"]["authenticated"] is False
    assert srv.post("not json")[0] == 400
    assert srv.post(None, path="/authenticate", method="GET")[0] == 405
    srv.process.wait_for_text("unexpected request method")
    lines = srv.process.output
    records = log_records(lines, log_format)
    by_message = {}
    for record in records:
        by_message.setdefault(record.get("msg"), []).append(record)
    for message, upstream in UPSTREAM_KEYS.items():
        assert message in by_message, f"no {message!r} line: {lines}"
        for record in by_message[message]:
            keys = set(record) - LOGRUS_KEYS
            assert upstream <= keys, f"{message}: missing upstream's {upstream - keys}"
            assert keys - upstream <= OUR_KEYS[message], f"{message}: undocumented {keys - upstream - OUR_KEYS[message]}"
            assert (record["path"], record["method"]) == (
                ("/authenticate", "GET") if message == "unexpected request method" else ("/authenticate", "POST"))
            assert re.fullmatch(r"127\.0\.0\.1:\d+", record["client"])
    granted, denied = by_message["access granted"], by_message["access denied"]
    (sts_admin,) = [r for r in by_message["STS response"] if r["accesskeyid"] == harness.ADMIN["accessKeyId"]]
    assert len(granted) == 1 and len(denied) == 1, lines
    assert sts_admin["arn"] == harness.ADMIN["arn"]  # as STS returned it
    assert sts_admin["session"] == "alice@example.com" and sts_admin["userid"].startswith("AROA")
    assert sts_admin["accountid"] == "111122223333"
    assert denied[0]["error"] == "identity is not mapped"
    assert (by_message["access granted"][0]["level"], denied[0]["level"]) == ("info", "warning")
    assert by_message["unexpected request method"][0]["level"] == "error"
    assert granted[0]["arn"] == "arn:aws:iam::111122223333:role/Admin"
    assert granted[0]["username"] == "admin:alice-example.com"
    # As logrus renders a list: an array in JSON, "[a b]" in text.
    assert granted[0]["groups"] == (["system:masters"] if log_format == "json" else "[system:masters]")
    assert granted[0]["uid"].startswith("aws-iam-authenticator:111122223333:AROA")
    assert granted[0]["accesskeyid"] == harness.ADMIN["accessKeyId"]
    assert denied[0]["arn"] == harness.BOB["arn"]
    # Never the token or a secret.
    text = "\n".join(lines)
    for secret in (token[len("k8s-aws-v1."):], harness.ADMIN["secretAccessKey"], harness.ADMIN["sessionToken"]):
        assert secret not in text
    for record in records:
        assert record["level"] in {"debug", "info", "warning", "error"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", record["time"]), record["time"]
