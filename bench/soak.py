#!/usr/bin/env python3
"""Soak: mixed valid and invalid traffic against the real server for a long
time, to show that memory and descriptors stay flat and nothing invalid is
ever let in.

    bench/soak.py --duration 10m            # the figures in bench/README.md
    bench/soak.py --duration 20s --warmup 5s --no-build --json soak.json

The report, samples included, goes to --json (default bench/results/soak.json,
where `bench/bench.py report` finds it for its RSS figure).

What runs, all on loopback, for warm-up + duration:
  - loadgen, open loop at --rate over --connections keep-alive connections,
    a share (--invalid-ratio) of its tokens signed with a wrong secret;
  - abusers, one new connection per request (--abuse-rate per second):
    malformed JSON, bodies that are not TokenReviews, mangled and expired
    tokens, an identity no mapping knows, oversized bodies and headers,
    bytes that are not HTTP, requests cut off mid-way, TLS handshakes
    abandoned, /healthz and /metrics;
  - the STS emulator answering in 2-5 ms and throttling 2% of calls;
  - a mapping change (the config file rewritten) every 15 s and a SIGHUP
    every 60 s (--mapping-change-every, --sighup-every).
The server's RSS, open descriptors and threads are sampled every
--sample-every seconds; "start" is the sample at the end of warm-up, "end"
the one after the load stops.

Exit status 0 when the run is clean: the server survived, no invalid
request was authenticated, every abuser got the answer it should, and
descriptors and RSS grew by no more than --max-fd-growth and
--max-rss-growth-mib. 1 otherwise (the report says why).
"""

import argparse
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the scenarios' fixture, build and process helpers)

CLUSTER_ID = bench.CLUSTER_ID
STRANGER = {  # signs correctly; no mapping names it
    "accessKeyId": "AKIASOAKSTRANGER0001",
    "secretAccessKey": "stranger-secret",
    "arn": "arn:aws:iam::999988887777:user/stranger",
}


def parse_seconds(text):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for suffix in ("ms", "s", "m", "h"):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * units[suffix]
    raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 30s, 10m)")


def process_sample(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    values = {line.split(":")[0]: line.split(":")[1].split() for line in status.splitlines() if ":" in line}
    return {
        "rss_mib": int(values["VmRSS"][0]) / 1024,
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": int(values["Threads"][0]),
    }


class Abuser:
    """Hostile and broken requests, each on a new connection, and what the
    server must answer to each (None: any answer or a close will do, as long
    as nobody is let in)."""

    def __init__(self, port, ca_file, tokens, rate, seed):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self.tokens = tokens  # name -> token, refreshed by the caller
        self.rate = rate
        self.random = random.Random(seed)
        self.counts = {}       # kind -> requests
        self.unexpected = []   # (kind, what happened), first few only
        self.unexpected_count = 0
        self.granted = 0       # invalid requests answered authenticated: must stay 0
        self.running = True

    def review_body(self, token):
        return json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                           "spec": {"token": token}}).encode()

    def request(self, body, extra_headers=b""):
        return (b"POST /authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\n" + extra_headers + b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def kinds(self):
        t = self.tokens
        mangled = t["valid"][:-12] + "AAAAAAAAAAAA"
        return [
            ("malformed_json", lambda: self.exchange(self.request(b'{"apiVersion": "authentication.k8s.io/v1", ')), 400),
            ("not_a_review", lambda: self.exchange(self.request(b'{"kind":"Pod","spec":{"token":7}}')), 400),
            ("garbage_token", lambda: self.exchange(self.request(self.review_body("k8s-aws-v1.!!notbase64!!"))), 403),
            ("mangled_token", lambda: self.exchange(self.request(self.review_body(mangled))), 403),
            ("expired_token", lambda: self.exchange(self.request(self.review_body(t["expired"]))), 403),
            # These reach STS, which throttles some (429).
            ("other_cluster", lambda: self.exchange(self.request(self.review_body(t["other_cluster"]))), (403, 429)),
            ("unmapped_identity", lambda: self.exchange(self.request(self.review_body(t["stranger"]))), (403, 429)),
            ("oversized_body", lambda: self.exchange(self.request(b"x" * (80 * 1024))), 413),
            ("oversized_headers", lambda: self.exchange(self.request(b"{}", b"X-Big: " + b"h" * 9000 + b"\r\n")), 431),
            ("not_http", lambda: self.exchange(b"\x00\x01\x02 SSH-2.0-OpenSSH\r\n\r\n"), 400),
            ("cut_mid_request", lambda: self.exchange(self.request(self.review_body(t["valid"]))[:90], read=False), None),
            ("abandoned_handshake", self.abandoned_handshake, None),
            ("healthz", lambda: self.exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 200),
            ("metrics", lambda: self.exchange(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 200),
        ]

    def exchange(self, data, read=True):
        """(status or None, body) of one request on a new TLS connection."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
            with self.context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                sock.sendall(data)
                if not read:
                    return None, b""
                answer = b""
                try:
                    while not self.complete(answer):
                        chunk = sock.recv(65536)
                        if not chunk:
                            break
                        answer += chunk
                except (ConnectionError, ssl.SSLError, OSError):
                    pass
        if not answer.startswith(b"HTTP/1.1 "):
            return None, answer
        return int(answer[9:12]), answer.split(b"\r\n\r\n", 1)[-1]

    @staticmethod
    def complete(answer):
        """Whether `answer` holds a whole HTTP response (so we need not wait
        for the server's lingering close)."""
        head, separator, body = answer.partition(b"\r\n\r\n")
        if not separator:
            return False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return len(body) >= int(value.strip())
        return False

    def abandoned_handshake(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
            raw.sendall(b"\x16\x03\x01\x00\x50\x01\x00\x00\x4c\x03\x03")
        return None, b""

    def run(self):
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while self.running:
            kind, action, expected = self.random.choice(self.kinds())
            self.counts[kind] = self.counts.get(kind, 0) + 1
            try:
                status, body = action()
            except (ConnectionError, ssl.SSLError, OSError) as error:
                status, body = None, str(error).encode()
            if b'"authenticated":true' in body.replace(b" ", b""):
                self.granted += 1
                self.note(kind, "AUTHENTICATED")
            elif expected is not None and status not in (expected if isinstance(expected, tuple) else (expected,)):
                self.note(kind, f"status {status}, wanted {expected}: {body[:80]!r}")
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def note(self, kind, what):
        self.unexpected_count += 1
        if len(self.unexpected) < 20:
            self.unexpected.append((kind, what))


def sign(bin_dir, identity, cluster_id=CLUSTER_ID, unix_time=None):
    args = [bin_dir / "bench" / "sign-token", "--access-key-id", identity["accessKeyId"],
            "--secret-access-key", identity["secretAccessKey"], "-i", cluster_id, "--region", "us-west-2"]
    if identity.get("sessionToken"):
        args += ["--session-token", identity["sessionToken"]]
    if unix_time is not None:
        args += ["--time", str(int(unix_time))]
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, timeout=30).stdout.strip()


def run(args):
    bin_dir = Path(args.bin_dir).resolve()
    server_bin = bin_dir / "server" / "aws-iam-authenticator"
    with tempfile.TemporaryDirectory(prefix="aia-soak-") as tmp:
        work = Path(tmp)
        bench.write_fixture(work)
        fixture = json.loads((work / "identities.json").read_text())
        first = fixture["identities"][0]
        fixture["identities"].append(STRANGER)
        (work / "identities.json").write_text(json.dumps(fixture))
        config = work / "config.yaml"
        base_config = config.read_text()
        started = []
        report = {"duration_s": args.duration, "warmup_s": args.warmup, "rate": args.rate,
                  "abuse_rate": args.abuse_rate, "invalid_ratio": args.invalid_ratio, "server_args": args.server_arg}
        try:
            emulator = bench.Process([bin_dir / "bench" / "sts-emulator", "--identities", work / "identities.json",
                                      "--state-dir", work / "emulator", "--port", "0", "--latency", "2ms",
                                      "--jitter", "3ms", "--fail-rate", "0.02", "--fail-mode", "throttle"],
                                     work / "emulator.log")
            started.append(emulator)
            sts = emulator.wait_for(r"https://127\.0\.0\.1:\d+").group(0)
            server = bench.Process([server_bin, "server", "--config", config, "--sts-endpoint-override", sts,
                                    "--sts-ca-cert", work / "emulator" / "cert.pem", "--health-address", "127.0.0.1:0",
                                    *args.server_arg],
                                   work / "server.log")
            started.append(server)
            port = int(server.wait_for(r'msg="?listening"? .*port=(\d+)').group(1))
            ca_file = work / "state" / "cert.pem"
            pid = server.proc.pid

            def fresh_tokens():
                return {"valid": sign(bin_dir, first),
                        "expired": sign(bin_dir, first, unix_time=time.time() - 3600),
                        "other_cluster": sign(bin_dir, first, cluster_id="some-other-cluster"),
                        "stranger": sign(bin_dir, STRANGER)}

            # Several threads, so a slow answer (a lingering close) does not hold the others up.
            tokens = fresh_tokens()
            abusers = [Abuser(port, ca_file, tokens, args.abuse_rate / 4, seed=n) for n in range(4)]
            abuse_threads = [threading.Thread(target=a.run, daemon=True) for a in abusers]
            loadgen = subprocess.Popen(
                [str(bin_dir / "bench" / "loadgen"), "--url", f"https://127.0.0.1:{port}/authenticate",
                 "--ca", str(ca_file), "--identities", str(work / "identities.json"), "-i", CLUSTER_ID,
                 "--rate", str(args.rate), "--connections", str(args.connections),
                 "--invalid-ratio", str(args.invalid_ratio), "--duration", f"{int(args.duration * 1000)}ms",
                 "--warmup", f"{int(args.warmup * 1000)}ms", "--json", str(work / "loadgen.json"), "--no-progress"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for thread in abuse_threads:
                thread.start()

            samples = []
            began = time.monotonic()
            end_at = began + args.warmup + args.duration
            next_sample = began
            next_mapping_change, next_sighup = began + args.mapping_change_every, began + args.sighup_every
            next_resign = began + 300
            changes = sighups = 0
            start_sample = None
            while time.monotonic() < end_at and loadgen.poll() is None:
                now = time.monotonic()
                if server.proc.poll() is not None:
                    break
                if now >= next_sample:
                    sample = {"t": round(now - began, 1), **process_sample(pid)}
                    samples.append(sample)
                    if start_sample is None and now - began >= args.warmup:
                        start_sample = sample
                    next_sample += args.sample_every
                if now >= next_mapping_change:
                    changes += 1
                    scratch = work / "config.yaml.new"  # renamed over, as docs/configuration.md asks of writers
                    scratch.write_text(base_config + f"# mapping change {changes}\n  mapUsers:\n"
                                       f"  - userarn: arn:aws:iam::111122223333:user/soak-{changes % 7}\n"
                                       f"    username: soak-{changes % 7}\n")
                    os.replace(scratch, config)
                    next_mapping_change += args.mapping_change_every
                if now >= next_sighup:
                    server.proc.send_signal(signal.SIGHUP)
                    sighups += 1
                    next_sighup += args.sighup_every
                if now >= next_resign:  # keep the abusers' good tokens inside their 15 minutes
                    tokens = fresh_tokens()
                    for abuser in abusers:
                        abuser.tokens = tokens
                    next_resign += 300
                time.sleep(0.1)
            for abuser in abusers:
                abuser.running = False
            for thread in abuse_threads:
                thread.join(timeout=30)
            counts = {}
            for abuser in abusers:
                for kind, count in abuser.counts.items():
                    counts[kind] = counts.get(kind, 0) + count
            examples = [example for abuser in abusers for example in abuser.unexpected][:20]
            loadgen_output, _ = loadgen.communicate(timeout=120)
            alive = server.proc.poll() is None
            if alive:
                time.sleep(1)  # let closing connections finish closing
                end_sample = {"t": round(time.monotonic() - began, 1), **process_sample(pid)}
                samples.append(end_sample)
            else:
                end_sample = None
            start_sample = start_sample or (samples[0] if samples else None)

            load = json.loads((work / "loadgen.json").read_text()) if (work / "loadgen.json").exists() else {}
            report.update({
                "server_alive": alive,
                "loadgen": {key: load.get(key) for key in ("requests", "throughput", "authenticated", "invalid_sent",
                                                           "statuses", "errors", "latency_ms")},
                "abuse": {"requests": sum(counts.values()), "by_kind": dict(sorted(counts.items())),
                          "granted": sum(a.granted for a in abusers),
                          "unexpected": sum(a.unexpected_count for a in abusers),
                          "unexpected_examples": examples},
                "mapping_changes": changes,
                "sighups": sighups,
                "start": start_sample,
                "end": end_sample,
                "peak_rss_mib": max((s["rss_mib"] for s in samples), default=None),
                "samples": samples,
            })
            if not load:
                report["loadgen_output"] = loadgen_output[-2000:]
            return report
        finally:
            for process in reversed(started):
                process.stop()
            if args.keep_logs:
                for name in ("server.log", "emulator.log"):
                    if (work / name).exists():
                        Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
                        (Path(args.keep_logs) / name).write_bytes((work / name).read_bytes())


def verdict(report, args):
    """Reasons the run is not clean (empty when it is)."""
    problems = []
    if not report["server_alive"]:
        problems.append("the server died")
    load = report["loadgen"]
    if load.get("requests") is None:
        problems.append("loadgen produced no results")
    elif load["authenticated"] > load["requests"] - load["invalid_sent"]:
        problems.append(f"loadgen: {load['authenticated']} authenticated of {load['requests']} requests "
                        f"with {load['invalid_sent']} invalid")
    if report["abuse"]["granted"]:
        problems.append(f"{report['abuse']['granted']} invalid requests were authenticated")
    if report["abuse"]["unexpected"]:
        problems.append(f"{report['abuse']['unexpected']} abuser requests got an unexpected answer: "
                        f"{report['abuse']['unexpected_examples'][:5]}")
    start, end = report["start"], report["end"]
    if start and end:
        if end["fds"] - start["fds"] > args.max_fd_growth:
            problems.append(f"descriptors grew from {start['fds']} to {end['fds']}")
        if end["rss_mib"] - start["rss_mib"] > args.max_rss_growth_mib:
            problems.append(f"RSS grew from {start['rss_mib']:.1f} to {end['rss_mib']:.1f} MiB")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=parse_seconds, default=parse_seconds("10m"), help="measured time (default 10m)")
    parser.add_argument("--warmup", type=parse_seconds, default=parse_seconds("30s"), help="before 'start' (default 30s)")
    parser.add_argument("--rate", type=float, default=1000, help="loadgen requests/s (default 1000)")
    parser.add_argument("--connections", type=int, default=16, help="loadgen connections (default 16)")
    parser.add_argument("--invalid-ratio", type=float, default=0.2, help="loadgen share of wrong-secret tokens (0.2)")
    parser.add_argument("--abuse-rate", type=float, default=40, help="abuser requests/s, one connection each (40)")
    parser.add_argument("--sample-every", type=parse_seconds, default=parse_seconds("10s"), help="(default 10s)")
    parser.add_argument("--mapping-change-every", type=parse_seconds, default=parse_seconds("15s"),
                        help="rewrite the config file's mappings this often (default 15s)")
    parser.add_argument("--sighup-every", type=parse_seconds, default=parse_seconds("60s"), help="(default 60s)")
    parser.add_argument("--max-fd-growth", type=int, default=8, help="descriptors end - start allowed (default 8)")
    parser.add_argument("--max-rss-growth-mib", type=float, default=8, help="RSS end - start allowed (default 8)")
    parser.add_argument("--server-arg", action="append", default=[], help="extra server argument (repeatable)")
    parser.add_argument("--bin-dir", default=str(bench.BUILD), help="build directory (default build/release)")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already built")
    parser.add_argument("--json", default=str(bench.RESULTS / "soak.json"),
                        help="write the report, samples included, here too (default bench/results/soak.json, "
                             "which bench/bench.py report draws)")
    parser.add_argument("--keep-logs", help="copy the server's and emulator's logs into this directory")
    args = parser.parse_args()
    if not args.no_build:
        bench.build()
    report = run(args)
    problems = verdict(report, args)
    report["problems"] = problems
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    load, abuse, start, end = report["loadgen"], report["abuse"], report["start"], report["end"]
    print(f"soak: {args.warmup:.0f} s warm-up + {args.duration:.0f} s, loadgen at {args.rate:.0f}/s "
          f"({args.invalid_ratio:.0%} wrong-secret tokens), abusers at {args.abuse_rate:.0f}/s")
    if load.get("requests") is not None:
        print(f"  loadgen   {load['requests']} requests ({load['throughput']:.0f}/s), {load['authenticated']} authenticated, "
              f"statuses {load['statuses']}, transport errors {load['errors'] or 'none'}, "
              f"p99 {load['latency_ms']['p99']:.2f} ms")
    print(f"  abusers   {abuse['requests']} requests, {abuse['granted']} authenticated, {abuse['unexpected']} unexpected")
    print(f"  reloads   {report['mapping_changes']} mapping changes, {report['sighups']} SIGHUPs")
    if start and end:
        print(f"  server    RSS {start['rss_mib']:.1f} -> {end['rss_mib']:.1f} MiB (peak {report['peak_rss_mib']:.1f}), "
              f"descriptors {start['fds']} -> {end['fds']}, threads {start['threads']} -> {end['threads']}")
    print("  verdict   " + ("clean" if not problems else "NOT CLEAN: " + "; ".join(problems)))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
