"""Scenario `footprint` (see bench.py): what idle keep-alive connections
cost the server in memory, and whether its memory comes back after a burst.

With the server started and settled, CONNECTIONS clients each open a TLS
keep-alive connection, send one TokenReview (a fresh token: an STS call)
and then stay quiet, as kube-apiserver's connections do between bursts.
RSS is read from /proc before, while they are open, after they close, at
the peak of a 64-connection burst of load and after it; KiB per idle
connection is (RSS with them open - RSS before) / CONNECTIONS. RSS is also
sampled every 100 ms throughout, for the report's figure. Each phase is
announced on stderr as it begins, so a long run shows where it is."""

import http.client
import json
import resource
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

CONNECTIONS = 1000
SETTLE = 2.0  # seconds for the server to go quiet before a reading
BURST = "5s"


def status_kib(pid, field):
    """A size from /proc/PID/status: VmRSS (resident now), VmHWM (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak(pid):
    """VmHWM starts again from the present RSS (Linux: 5 > clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def peak_kib(pid):
    return status_kib(pid, "VmHWM")


class Sampler:
    """RSS every 100 ms, with the phase it was in, until stopped."""

    def __init__(self, pid):
        self.pid = pid
        self.phase = "start"
        self.samples = []
        self.started = time.monotonic()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                self.samples.append([round(time.monotonic() - self.started, 2), rss_kib(self.pid), self.phase])
            except OSError:
                return
            time.sleep(0.1)

    def enter(self, phase, what):
        """The samples from now on are in `phase`; says so on stderr."""
        self.phase = phase
        print(f"  footprint {time.monotonic() - self.started:5.1f} s: {phase} ({what}), "
              f"RSS {rss_kib(self.pid) / 1024:.1f} MiB", file=sys.stderr, flush=True)

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)


def raise_descriptor_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def review_body(token):
    return json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}})


def open_reviewed(port, ca_file, tokens):
    """CONNECTIONS keep-alive connections, each after one answered review."""
    context = ssl.create_default_context(cafile=str(ca_file))
    connections = []
    for n in range(CONNECTIONS):
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        connection.request("POST", "/authenticate", body=review_body(tokens[n % len(tokens)]),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"review {n} answered {response.status}")
        connections.append(connection)
    return connections


def measure(pid, port, ca_file, tokens, loadgen_burst):
    """The figures; `loadgen_burst()` runs the burst and returns when it ends."""
    sampler = Sampler(pid)
    try:
        time.sleep(SETTLE)
        before = rss_kib(pid)
        sampler.enter("connecting", f"{CONNECTIONS:,} keep-alive connections, one review each")
        connections = open_reviewed(port, ca_file, tokens)
        sampler.enter("idle", f"the {CONNECTIONS:,} held open, {SETTLE:.0f} s")
        time.sleep(SETTLE)
        idle = rss_kib(pid)
        sampler.enter("closed", f"all closed, {SETTLE:.0f} s")
        for connection in connections:
            connection.close()
        time.sleep(SETTLE)
        closed = rss_kib(pid)
        sampler.enter("burst", f"loadgen, {BURST}")
        reset_peak(pid)  # the burst's own peak, not the idle connections'
        loadgen_burst()
        burst_peak = peak_kib(pid)
        sampler.enter("after burst", f"{SETTLE:.0f} s quiet")
        time.sleep(SETTLE)
        after_burst = rss_kib(pid)
        print(f"  footprint {time.monotonic() - sampler.started:5.1f} s: done", file=sys.stderr, flush=True)
    finally:
        sampler.stop()
    mib = lambda kib: round(kib / 1024, 1)  # noqa: E731
    return {
        "connections": CONNECTIONS,
        "kib_per_idle_connection": round((idle - before) / CONNECTIONS, 1),
        "rss_mib": {"before": mib(before), "idle": mib(idle), "closed": mib(closed), "burst_peak": mib(burst_peak),
                    "after_burst": mib(after_burst)},
        "samples": sampler.samples,
    }


def sign_tokens(sign_token, identities, cluster_id):
    """One fresh token per identity."""
    tokens = []
    for identity in identities:
        tokens.append(subprocess.run(
            [str(sign_token), "--access-key-id", identity["accessKeyId"], "--secret-access-key",
             identity["secretAccessKey"], "--session-token", identity["sessionToken"], "-i", cluster_id,
             "--region", "us-west-2"], capture_output=True, text=True, check=True).stdout.strip())
    return tokens
