#!/usr/bin/env python3
"""The load scenarios, one command each (see bench/README.md):

    bench/bench.py cpu          STS emulator answering at once: what the server itself costs
    bench/bench.py realistic    STS at 20 ms +- 5 ms, as a regional endpoint
    bench/bench.py idle         1,000 idle keep-alive connections, load on 4 others
    bench/bench.py faulty       STS throttling half the requests
    bench/bench.py cache        the identity cache on (its default): the 64 tokens repeat, so after
                                the first 64 requests every one is a cache hit
    bench/bench.py floor        our server answering the same POSTs at /healthz: its HTTP and TLS alone,
                                no authentication work, the most the server's own shell can do
    bench/bench.py ceiling-hit  nginx (one worker) answering a fixed TokenReview over TLS: the most
                                any server can do here, the limit for an identity-cache hit
    bench/bench.py ceiling-miss nginx forwarding each request as a presigned GET to the STS emulator
                                over pooled keep-alive TLS: the limit for a cache miss
    bench/bench.py footprint    1,000 idle keep-alive connections after one review each: KiB per idle
                                connection, RSS before, while open, after, and around a burst
    bench/bench.py all          every scenario, then bench/RESULTS.md and its figures from their results
    bench/bench.py report       bench/RESULTS.md and bench/figures/*.png again from bench/results/*.json

Each run builds the release binaries, makes a fixture of 64 identities (sessions
of one mapped role), starts the STS emulator and the server on free loopback
ports, drives the server with loadgen, and reports loadgen's figures with the
server's CPU seconds per 1,000 requests and peak RSS (from /proc). Every scenario
but `cache` runs the server with the identity cache off, so each request costs an
STS call. Every process it starts is stopped when it ends, whatever happens.

The report's figures are drawn with Debian's python3-matplotlib (installed on
first use, as nginx is), so bench.py runs itself again under /usr/bin/python3
when the Python it was started with has no matplotlib.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import footprint  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "release"
SERVER = BUILD / "server" / "aws-iam-authenticator"
EMULATOR = BUILD / "bench" / "sts-emulator"
LOADGEN = BUILD / "bench" / "loadgen"
RESULTS = ROOT / "bench" / "results"
REPORT_DIR = ROOT / "bench"  # RESULTS.md, and the figures in figures/
DEBIAN_PYTHON = "/usr/bin/python3"
CLUSTER_ID = "bench-cluster"
IDENTITIES = 64
START_TIMEOUT = 20

# Every request must reach STS, except in scenario `cache`.
NO_CACHE = ["--identity-cache-ttl", "0"]

SCENARIOS = {
    "cpu": {
        "what": "STS emulator answering at once, 64 connections, closed loop",
        "emulator": [],
        "loadgen": ["--connections", "64"],
        "server": NO_CACHE,
    },
    "realistic": {
        "what": "STS emulator at 20 ms + up to 5 ms jitter, 64 connections, closed loop",
        "emulator": ["--latency", "20ms", "--jitter", "5ms"],
        "loadgen": ["--connections", "64"],
        "server": NO_CACHE,
    },
    "idle": {
        "what": "1,000 idle keep-alive connections held open, load on 4 others",
        "emulator": [],
        "loadgen": ["--connections", "4", "--idle-connections", "1000"],
        "server": NO_CACHE,
    },
    "faulty": {
        "what": "STS throttling half the requests (400 Throttling), 64 connections",
        "emulator": ["--fail-rate", "0.5", "--fail-mode", "throttle"],
        "loadgen": ["--connections", "64"],
        "server": NO_CACHE,
    },
    "cache": {
        "what": "identity cache on (defaults), the 64 tokens repeating: hits after the first 64, 64 connections",
        "emulator": [],
        "loadgen": ["--connections", "64"],
        "server": [],
    },
    "footprint": {
        "what": "1,000 idle keep-alive connections after one review each, then a 64-connection burst",
        "emulator": [],
        "loadgen": ["--connections", "64"],
        "server": NO_CACHE,
        "footprint": True,
    },
    "floor": {
        "what": "our server answering the same POSTs at /healthz (its HTTP and TLS alone, no authentication work)",
        "emulator": [],
        "loadgen": ["--connections", "64"],
        "server": [],
        "path": "/healthz",
    },
    "ceiling-hit": {
        "what": "nginx, one worker, answering a fixed TokenReview over TLS (no authentication work)",
        "emulator": [],
        "loadgen": ["--connections", "64"],
        "nginx": "hit",
    },
    "ceiling-miss": {
        "what": "nginx, one worker, forwarding each request as a presigned GET to the emulator (pooled TLS)",
        "emulator": [],
        "loadgen": ["--connections", "64"],
        "nginx": "miss",
    },
}

NGINX = "/usr/sbin/nginx"
FIXED_REVIEW = ('{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":true,'
                '"user":{"username":"bench:user-1-example.com","uid":"aws-iam-authenticator:111122223333:AROABENCH",'
                '"groups":["developers","account-111122223333"]}}}')


def nginx_config(work, port, mode, sts_port=None, query=None):
    """One worker, no master: the process measured is the one doing the work."""
    cert, key = work / "emulator" / "cert.pem", work / "emulator" / "key.pem"
    if mode == "hit":
        location = f"default_type application/json; return 200 '{FIXED_REVIEW}';"
        upstream = ""
    else:
        upstream = f"upstream sts {{ server 127.0.0.1:{sts_port}; keepalive 128; }}"
        location = f"""
            proxy_method GET;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Content-Type "";
            proxy_pass https://sts/?{query};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host sts.us-west-2.amazonaws.com;
            proxy_set_header x-k8s-aws-id {CLUSTER_ID};
            proxy_set_header Accept application/json;
            proxy_ssl_session_reuse on;
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_ssl_trusted_certificate {cert};"""
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {work / 'nginx.pid'};
error_log {work / 'nginx-error.log'} warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {work / 'nginx-body'};
    proxy_temp_path {work / 'nginx-proxy'};
    keepalive_requests 10000000;
    {upstream}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        location /authenticate {{ {location} }}
    }}
}}
"""


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def presigned_query(work):
    """The query of a fresh presigned GetCallerIdentity URL for the first identity."""
    import base64
    identity = json.loads((work / "identities.json").read_text())["identities"][0]
    token = subprocess.run([BUILD / "bench" / "sign-token", "--access-key-id", identity["accessKeyId"],
                            "--secret-access-key", identity["secretAccessKey"], "--session-token",
                            identity["sessionToken"], "-i", CLUSTER_ID, "--region", "us-west-2"],
                           capture_output=True, text=True, check=True).stdout.strip()
    encoded = token[len("k8s-aws-v1."):]
    url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    return url.split("?", 1)[1]


def build():
    subprocess.run([str(ROOT / "scripts" / "install-deps.sh")], check=True, stdout=subprocess.DEVNULL)
    if not Path(NGINX).exists():  # the ceiling scenarios' reference server; the tests do not need it
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx-light"], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DAIA_WERROR=ON"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "-j", str(os.cpu_count() or 2), "--target", "aws-iam-authenticator",
                    "sts-emulator", "loadgen", "sign-token"], check=True, stdout=subprocess.DEVNULL)


def ensure_matplotlib():
    """Debian's python3-matplotlib, installed when missing; re-executes this
    script under Debian's Python when the one running it cannot import it."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    if subprocess.run([DEBIAN_PYTHON, "-c", "import matplotlib"], capture_output=True).returncode != 0:
        print("installing python3-matplotlib for the report's figures", file=sys.stderr, flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3-matplotlib"],
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON):
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, str(Path(__file__).resolve()), *sys.argv[1:]])


def write_fixture(work):
    """64 sessions of one role, each with its own temporary keys, and a
    server config that maps the role (with a template, as real configs do)."""
    identities = [{
        "accessKeyId": f"ASIABENCH{n:011d}",
        "secretAccessKey": f"bench-secret-{n}",
        "sessionToken": f"bench-session-token-{n}",
        "arn": f"arn:aws:sts::111122223333:assumed-role/BenchUser/user-{n}@example.com",
    } for n in range(IDENTITIES)]
    (work / "identities.json").write_text(json.dumps({"identities": identities}))
    (work / "config.yaml").write_text(f"""\
clusterID: {CLUSTER_ID}
server:
  address: 127.0.0.1
  port: 0
  stateDir: {work / 'state'}
  generateKubeconfig: {work / 'kubeconfig.yaml'}
  mapRoles:
  - rolearn: arn:aws:iam::111122223333:role/BenchUser
    username: bench:{{{{SessionName}}}}
    groups: [developers, "account-{{{{AccountID}}}}"]
""")


class Process:
    def __init__(self, args, log):
        self.log = log
        self.handle = open(log, "w")
        self.proc = subprocess.Popen([str(a) for a in args], stdout=self.handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_for(self, pattern):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log.read_text())
            if match:
                return match
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.log}: no {pattern!r}:\n{self.log.read_text()}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.handle.close()


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def peak_rss_mib(pid):
    return footprint.peak_kib(pid) / 1024


def reviews_nothing(scenario):
    """Our server sent requests that are not reviews (scenario floor, to its
    "path"): its review metrics count none of them."""
    return "path" in scenario


def identity_cache(name):
    """Whether the server ran with its identity cache on (None: nginx, or
    nothing authenticated)."""
    scenario = SCENARIOS[name]
    if "nginx" in scenario or reviews_nothing(scenario):
        return None
    return "--identity-cache-ttl" not in scenario["server"]


UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def seconds(text):
    """A duration as loadgen reads it ("20", "500ms", "3s", "1m30s", "1h"),
    in seconds."""
    if re.fullmatch(r"[0-9]+", text):
        return float(text)  # a bare number is seconds
    parts = re.findall(r"([0-9]+)(ms|s|m|h)", text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r} (want e.g. 20s, 500ms, 1m30s)")
    return sum(int(number) * UNIT_SECONDS[unit] for number, unit in parts)


def duration_text(text):
    """argparse's type for --duration and --warmup: checked, passed on as written."""
    seconds(text)
    return text


def progress_flag():
    """loadgen's one-line progress when someone is watching stderr."""
    return "--progress" if sys.stderr.isatty() else "--no-progress"


def run_scenario(name, duration, warmup):
    scenario = SCENARIOS[name]
    if "footprint" in scenario:
        footprint.raise_descriptor_limit(4 * footprint.CONNECTIONS)  # the server inherits it
    with tempfile.TemporaryDirectory(prefix=f"aia-bench-{name}-") as tmp:
        work = Path(tmp)
        write_fixture(work)
        started = []
        try:
            emulator = Process([EMULATOR, "--identities", work / "identities.json", "--state-dir", work / "emulator",
                                "--port", "0", *scenario["emulator"]], work / "emulator.log")
            started.append(emulator)
            sts = emulator.wait_for(r"https://127\.0\.0\.1:\d+").group(0)
            if "nginx" in scenario:
                port = free_port()
                config = work / "nginx.conf"
                config.write_text(nginx_config(work, port, scenario["nginx"], sts.rsplit(":", 1)[1],
                                               presigned_query(work)))
                server = Process([NGINX, "-c", config], work / "nginx.log")
                started.append(server)
                wait_for_listener(port, server)
                ca_file = work / "emulator" / "cert.pem"
            else:
                server = Process([SERVER, "server", "--config", work / "config.yaml", "--sts-endpoint-override", sts,
                                  "--sts-ca-cert", work / "emulator" / "cert.pem", "--health-address", "127.0.0.1:0",
                                  *scenario["server"]],
                                 work / "server.log")
                started.append(server)
                port = int(server.wait_for(r'msg="?listening"? .*port=(\d+)').group(1))
                ca_file = work / "state" / "cert.pem"
            if "footprint" in scenario:
                return run_footprint(name, scenario, work, server, port, ca_file, warmup)
            result_file = work / "loadgen.json"
            loadgen = subprocess.Popen([LOADGEN, "--url", f"https://127.0.0.1:{port}{scenario.get('path', '/authenticate')}",
                                        "--ca", ca_file, "--identities", work / "identities.json", "-i", CLUSTER_ID,
                                        "--duration", duration, "--warmup", warmup, "--json", result_file,
                                        progress_flag(), *scenario["loadgen"]])
            try:
                cpu_before = cpu_seconds(server.proc.pid)
                if reviews_nothing(scenario):
                    # The server counts no review here, so its CPU is taken
                    # from the end of loadgen's warm-up (as near as a sleep
                    # from its start gets) to its exit, and divided by the
                    # requests it measured: a few milliseconds of connecting
                    # and closing more than the measured time.
                    time.sleep(seconds(warmup))
                    cpu_before = cpu_seconds(server.proc.pid)
                if loadgen.wait(timeout=3600) != 0:
                    raise RuntimeError(f"loadgen failed in scenario {name} (exit {loadgen.returncode})")
            finally:
                if loadgen.poll() is None:
                    loadgen.kill()
                    loadgen.wait()
            cpu_after = cpu_seconds(server.proc.pid)
            result = json.loads(result_file.read_text())
            result["scenario"] = name
            result["what"] = scenario["what"]
            result["identity_cache"] = identity_cache(name)
            # CPU is counted over warm-up and measurement alike, so per request
            # it is divided by every request the server answered meanwhile.
            metrics = {} if "nginx" in scenario else server_metrics(port, work)
            answered = result["requests"] if reviews_nothing(scenario) else metrics.get(
                "aws_iam_authenticator_authenticate_latency_seconds_count")
            result["server_cpu_seconds"] = cpu_after - cpu_before
            result["server_requests_answered"] = answered
            result["server_cpu_seconds_per_1000"] = 1000 * (cpu_after - cpu_before) / answered if answered else None
            result["server_peak_rss_mib"] = peak_rss_mib(server.proc.pid)
            if name == "cache":
                result["server_cache_hits"] = metrics.get("aws_iam_authenticator_identity_cache_hits_total", 0)
                result["server_cache_misses"] = metrics.get("aws_iam_authenticator_identity_cache_misses_total", 0)
                result["server_cache_shared"] = metrics.get("aws_iam_authenticator_identity_cache_shared_total", 0)
            return result
        finally:
            for process in reversed(started):
                process.stop()


def run_footprint(name, scenario, work, server, port, ca_file, warmup):
    identities = json.loads((work / "identities.json").read_text())["identities"]
    tokens = footprint.sign_tokens(BUILD / "bench" / "sign-token", identities, CLUSTER_ID)

    def burst():
        subprocess.run([LOADGEN, "--url", f"https://127.0.0.1:{port}/authenticate", "--ca", ca_file,
                        "--identities", work / "identities.json", "-i", CLUSTER_ID, "--duration", footprint.BURST,
                        "--warmup", warmup, progress_flag(), *scenario["loadgen"]],
                       check=True, timeout=600, stdout=subprocess.DEVNULL)

    result = footprint.measure(server.proc.pid, port, ca_file, tokens, burst)
    result.update({"scenario": name, "what": scenario["what"], "identity_cache": identity_cache(name)})
    return result


def wait_for_listener(port, process):
    import socket
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"{process.log}: not listening on {port}:\n{process.log.read_text()}")


def server_metrics(port, work):
    """The server's own counters, summed over their labels (e.g. every
    review answered, from the latency histogram's count)."""
    metrics = subprocess.run(["curl", "-sS", "--cacert", work / "state" / "cert.pem",
                              f"https://127.0.0.1:{port}/metrics"], capture_output=True, text=True, timeout=30).stdout
    totals = {}
    for line in metrics.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        totals[name] = totals.get(name, 0) + int(float(line.split()[-1]))
    return totals


# Upstream v0.5.9 on this machine class, as measured for issue #7 (not
# reproducible here: no Go toolchain or module downloads): same emulator,
# 64 keep-alive connections, 64 fresh tokens of mapped identities.
UPSTREAM = {"throughput": 1200, "p50": 50, "p99": 125, "rss": 51, "cpu_per_1000": 0.9}
TARGETS = {"throughput": 6000, "p99": 40, "rss": 12, "cpu_per_1000": 0.15}


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return f"{os.cpu_count()} × {model}, {memory} MiB RAM, Linux {os.uname().release}, commit {commit}"


def cache_text(name, result):
    """The table's "Identity cache" cell: from the result, or (results from
    before it was recorded) from the scenario's definition."""
    cache = result.get("identity_cache", identity_cache(name) if name in SCENARIOS else None)
    return "n/a" if cache is None else "on" if cache else "off"


# Issue #21's bars, and upstream v0.7.18's figures it quotes (same machine
# class, 1,000 idle connections / 64 connections on the miss path).
FOOTPRINT_TARGETS = {"kib_per_idle": 16, "peak_rss": 12, "share_of_ceiling": 0.85, "p99_before": 15}
UPSTREAM_FOOTPRINT = {"kib_per_idle": 43, "peak_rss": 52}


def issue_21_targets(results):
    """The footprint targets against this run, when it has every scenario they need."""
    needed = ("cpu", "cache", "footprint", "ceiling-hit", "ceiling-miss")
    if not all(name in results for name in needed):
        return []
    cpu, cache, footprint_result = results["cpu"], results["cache"], results["footprint"]
    miss_share = cpu["throughput"] / results["ceiling-miss"]["throughput"]
    hit_share = cache["throughput"] / results["ceiling-hit"]["throughput"]
    rss = footprint_result["rss_mib"]
    t = FOOTPRINT_TARGETS
    held = lambda ok: "yes" if ok else "no"  # noqa: E731
    return [
        "", "## Issue #21's targets", "",
        "| Target | Upstream | This run | Held? |",
        "| --- | ---: | ---: | --- |",
        f"| An idle keep-alive connection costs ≤ {t['kib_per_idle']} KiB (`footprint`) | "
        f"{UPSTREAM_FOOTPRINT['kib_per_idle']} KiB | {footprint_result['kib_per_idle_connection']:.1f} KiB | "
        f"{held(footprint_result['kib_per_idle_connection'] <= t['kib_per_idle'])} |",
        f"| Peak RSS ≤ {t['peak_rss']} MiB on the miss path, 64 connections (`cpu`) | "
        f"{UPSTREAM_FOOTPRINT['peak_rss']} MiB | {cpu['server_peak_rss_mib']:.1f} MiB | "
        f"{held(cpu['server_peak_rss_mib'] <= t['peak_rss'])} |",
        f"| RSS back near its baseline after 1,000 connections close, and after a burst (`footprint`) | — | "
        f"{rss['before']} → {rss['closed']} and {rss['after_burst']} MiB | see the footprint figure |",
        f"| Miss path ≥ {t['share_of_ceiling']:.0%} of `ceiling-miss` | — | {miss_share:.0%} | "
        f"{held(miss_share >= t['share_of_ceiling'])} |",
        f"| Cache hits ≥ {t['share_of_ceiling']:.0%} of `ceiling-hit` | — | {hit_share:.0%} | "
        f"{held(hit_share >= t['share_of_ceiling'])} |",
        f"| p99 on the miss path no worse than before the issue ({t['p99_before']} ms, `cpu`) | — | "
        f"{cpu['latency_ms']['p99']:.1f} ms | {held(cpu['latency_ms']['p99'] <= t['p99_before'])} |",
    ]


def write_report(results_dir=RESULTS, out_dir=REPORT_DIR):
    """RESULTS.md in out_dir, its figures in out_dir/figures, from the
    scenarios' results (and soak.json, bench/soak.py's) in results_dir."""
    import plots
    results = {name: json.loads((results_dir / f"{name}.json").read_text())
               for name in SCENARIOS if (results_dir / f"{name}.json").exists()}
    soak = json.loads((results_dir / "soak.json").read_text()) if (results_dir / "soak.json").exists() else None
    folder = out_dir / "figures"
    drawn = {
        "throughput": plots.throughput(results, cache_text, folder),
        "histograms": plots.latency_histograms(results, cache_text, folder),
        "footprint": plots.footprint_rss(results.get("footprint"), folder),
        "soak": plots.soak_rss(soak, folder),
    }
    for stale in ("throughput.png", "latency-histograms.png", "footprint-rss.png", "soak-rss.png"):
        if stale not in drawn.values() and (folder / stale).exists():
            (folder / stale).unlink()  # no data for it this time: no figure from an older run

    def figure(key, caption):
        return ["", f"![{caption}](figures/{drawn[key]})"] if drawn[key] else []

    lines = [
        "# Bench results",
        "",
        "Generated by `bench/bench.py all` (or `bench/bench.py report` from `bench/results/`), figures in",
        "`bench/figures/`; do not edit by hand.",
        "Server, STS emulator and load generator share the machine's cores, so the server's own",
        "CPU seconds per 1,000 requests is the figure least disturbed by the others.",
        "",
        f"Machine: {machine()}.",
        f"Generated: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| Scenario | What | Identity cache | Requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | Statuses | Errors | Server CPU-s / 1,000 | Server peak RSS MiB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for name, r in results.items():
        if "latency_ms" not in r:
            continue  # footprint: its own section below
        latency = r["latency_ms"]
        statuses = ", ".join(f"{code}: {count}" for code, count in r["statuses"].items()) or "none"
        errors = ", ".join(f"{kind}: {count}" for kind, count in r["errors"].items()) or "none"
        cpu = r.get("server_cpu_seconds_per_1000")
        cpu_text = f"{cpu:.3f}" if cpu is not None else "—"
        lines.append(f"| `{name}` | {r['what']} | {cache_text(name, r)} | {r['throughput']:.0f} | {latency['p50']:.2f} | "
                     f"{latency['p90']:.2f} | "
                     f"{latency['p99']:.2f} | {latency['p99_9']:.2f} | {latency['max']:.2f} | {statuses} | {errors} | "
                     f"{cpu_text} | {r['server_peak_rss_mib']:.1f} |")
    lines += figure("throughput", "Requests/s and p99 per scenario, the nginx ceilings as lines")
    lines += figure("histograms", "Latency histogram per scenario")
    if "cpu" in results:
        r = results["cpu"]
        cpu = r["server_cpu_seconds_per_1000"]
        lines += [
            "",
            "## Against upstream and the targets (scenario `cpu`)",
            "",
            "| | Upstream v0.5.9 | Target | Ours | Ours / upstream |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| Requests/s | {UPSTREAM['throughput']} | ≥ {TARGETS['throughput']} | {r['throughput']:.0f} | "
            f"{r['throughput'] / UPSTREAM['throughput']:.1f}× |",
            f"| p99 ms | {UPSTREAM['p99']} | ≤ {TARGETS['p99']} | {r['latency_ms']['p99']:.1f} | "
            f"{r['latency_ms']['p99'] / UPSTREAM['p99']:.2f}× |",
            f"| Peak RSS MiB | {UPSTREAM['rss']} | ≤ {TARGETS['rss']} | {r['server_peak_rss_mib']:.1f} | "
            f"{r['server_peak_rss_mib'] / UPSTREAM['rss']:.2f}× |",
            f"| Server CPU-s / 1,000 | {UPSTREAM['cpu_per_1000']} | ≤ {TARGETS['cpu_per_1000']} | {cpu:.3f} | "
            f"{cpu / UPSTREAM['cpu_per_1000']:.2f}× |",
            "",
            "Upstream's figures are those measured for issue #7 on this machine class (wrk, same emulator",
            "design, 64 connections); upstream cannot be built here (no Go module downloads).",
        ]
        if "ceiling-miss" in results:
            limit = results["ceiling-miss"]["throughput"]
            lines += ["", f"The machine's limit for a cache miss (every request to STS), `ceiling-miss`: {limit:.0f}/s "
                          f"in this run; scenario `cpu` reaches {100 * r['throughput'] / limit:.0f}% of it."]
    if "cache" in results:
        r = results["cache"]
        lines += ["", "## Identity cache (scenario `cache`)", "",
                  f"{r['throughput']:.0f}/s (target ≥ 30,000/s), p99 {r['latency_ms']['p99']:.2f} ms, "
                  f"{r['server_cpu_seconds_per_1000']:.3f} server CPU-s / 1,000; the server counted "
                  f"{r.get('server_cache_hits', 0):,} hits, {r.get('server_cache_misses', 0):,} misses (STS calls) and "
                  f"{r.get('server_cache_shared', 0):,} reviews that shared another's STS call."]
        if "ceiling-hit" in results:
            limit = results["ceiling-hit"]["throughput"]
            lines += ["", f"The limit for a cache hit (no STS call), `ceiling-hit`: {limit:.0f}/s in this run; "
                          f"scenario `cache` reaches {100 * r['throughput'] / limit:.0f}% of it."]
    if "floor" in results and "ceiling-hit" in results:
        floor, limit = results["floor"]["throughput"], results["ceiling-hit"]["throughput"]
        lines += ["", "## Our server's own limit (scenario `floor`)", "",
                  f"The same requests answered at /healthz, no authentication work: {floor:.0f}/s, "
                  f"{100 * floor / limit:.0f}% of `ceiling-hit`"
                  + (f"; scenario `cache` reaches {100 * results['cache']['throughput'] / floor:.0f}% of it."
                     if "cache" in results else ".")]
    if "footprint" in results:
        r = results["footprint"]
        rss = r["rss_mib"]
        lines += ["", "## Footprint (scenario `footprint`, identity cache off)", "",
                  f"{r['connections']:,} keep-alive TLS connections, one review each, then idle: "
                  f"**{r['kib_per_idle_connection']:.1f} KiB per idle connection** (target ≤ 16 KiB).", "",
                  "| RSS MiB | before | connections idle | closed | burst peak | after the burst |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |",
                  f"| server | {rss['before']} | {rss['idle']} | {rss['closed']} | {rss['burst_peak']} | "
                  f"{rss['after_burst']} |"]
        lines += figure("footprint", "Server RSS through scenario footprint, by phase")
    lines += issue_21_targets(results)
    if soak and soak.get("start") and soak.get("end"):
        start, end = soak["start"], soak["end"]
        load = soak.get("loadgen") or {}
        server_args = " ".join(soak.get("server_args") or []) or "none (the identity cache on, its default)"
        lines += ["", "## Soak (`bench/soak.py`)", "", f"Server arguments added: {server_args}.", "",
                  f"{soak['warmup_s']:.0f} s warm-up + {soak['duration_s']:.0f} s at {soak['rate']:.0f} requests/s "
                  f"({soak['invalid_ratio']:.0%} wrong-secret tokens), abusers at {soak['abuse_rate']:.0f}/s, "
                  f"{soak['mapping_changes']} mapping changes and {soak['sighups']} SIGHUPs: "
                  f"RSS {start['rss_mib']:.1f} → {end['rss_mib']:.1f} MiB (peak {soak['peak_rss_mib']:.1f}), "
                  f"descriptors {start['fds']} → {end['fds']}, {load.get('requests') or 0:,} loadgen requests; "
                  + ("clean." if not soak.get("problems") else "NOT CLEAN: " + "; ".join(soak["problems"]) + ".")]
        lines += figure("soak", "Server RSS and descriptors through the soak")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "RESULTS.md").write_text("\n".join(lines) + "\n")


def summary(result):
    if "kib_per_idle_connection" in result:
        rss = result["rss_mib"]
        return (f"{result['scenario']:10} {result['kib_per_idle_connection']:.1f} KiB per idle connection; RSS MiB "
                f"before {rss['before']}, {result['connections']} idle {rss['idle']}, closed {rss['closed']}, "
                f"burst peak {rss['burst_peak']}, after the burst {rss['after_burst']}")
    latency = result["latency_ms"]
    return (f"{result['scenario']:10} {result['throughput']:9.0f}/s  p50 {latency['p50']:7.2f} ms  "
            f"p99 {latency['p99']:7.2f} ms  p99.9 {latency['p99_9']:7.2f} ms  errors {sum(result['errors'].values())}  "
            + (f"server {result['server_cpu_seconds_per_1000']:.3f} CPU-s/1000, " if result['server_cpu_seconds_per_1000']
               else "") + f"peak RSS {result['server_peak_rss_mib']:.1f} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all", "report"])
    parser.add_argument("--duration", default="20s", type=duration_text,
                        help="measured time per scenario (default 20s)")
    parser.add_argument("--warmup", default="3s", type=duration_text, help="unmeasured time first (default 3s)")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already in build/release")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results' folder (default bench/results)")
    parser.add_argument("--out", type=Path, default=REPORT_DIR,
                        help="where RESULTS.md and figures/ go (default bench)")
    args = parser.parse_args()
    if args.scenario in ("all", "report"):
        ensure_matplotlib()  # before the long runs: the report at their end draws
    if args.scenario == "report":
        write_report(args.results, args.out)
        print(f"wrote {args.out / 'RESULTS.md'} and its figures in {args.out / 'figures'}")
        return
    if not args.no_build:
        build()
    args.results.mkdir(parents=True, exist_ok=True)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for number, name in enumerate(names, 1):
        length = (f"settle, {footprint.CONNECTIONS:,} connections, a {footprint.BURST} burst"
                  if "footprint" in SCENARIOS[name] else f"{args.warmup} warm-up + {args.duration}")
        print(f"[{number}/{len(names)}] {name}: {SCENARIOS[name]['what']} ({length})", file=sys.stderr, flush=True)
        result = run_scenario(name, args.duration, args.warmup)
        (args.results / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(summary(result), flush=True)
    if args.scenario == "all":
        write_report(args.results, args.out)
        print(f"wrote {args.out / 'RESULTS.md'} and its figures in {args.out / 'figures'}")


if __name__ == "__main__":
    sys.exit(main())
