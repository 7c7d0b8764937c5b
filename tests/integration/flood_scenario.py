#!/usr/bin/env python3
"""The invented-region flood, as an attacker who can reach kube-apiserver
would send it, with genuine users' reviews alongside. Run inside private
mount, network and UTS namespaces (see test_flood.py), where it owns the
loopback interface, port 53 and port 443 and gives the server its own
/etc/resolv.conf:

  - a DNS server that resolves the genuine STS hosts to 127.0.0.1 at once
    and answers every other name with NXDOMAIN after 100 ms;
  - the STS emulator on 127.0.0.1:443 with a certificate for those hosts, so
    the server reaches "STS" by name, as it reaches AWS;
  - the server, with no endpoint override: every STS host it contacts is
    resolved through that DNS server.

Then `--flood` connections each send one TokenReview at once, every one a
well-formed token for a distinct invented region (credential scope to match,
a signature of the right shape, a fresh X-Amz-Date), while
`--genuine-connections` others send reviews of fresh tokens of a mapped user
back to back. Prints one JSON object with what happened."""

import argparse
import asyncio
import base64
import json
import os
import secrets
import ssl
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from slow_dns import SlowDns  # noqa: E402

GENUINE_REGION = "us-west-2"
GENUINE_HOSTS = [f"sts.{GENUINE_REGION}.amazonaws.com", "sts.amazonaws.com"]


def setup_namespace(workdir):
    """Loopback up, a private resolver configuration bound over the
    system's (in this mount namespace only)."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # A non-loopback address, so AI_ADDRCONFIG lookups behave as on a host.
    subprocess.run(["ip", "addr", "add", "10.99.0.1/8", "dev", "lo"], check=True)
    subprocess.run(["hostname", "flood-test"], check=True)
    resolv = workdir / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n")
    nsswitch = workdir / "nsswitch.conf"
    nsswitch.write_text("hosts: files dns\n")
    for private, system in ((resolv, "/etc/resolv.conf"), (nsswitch, "/etc/nsswitch.conf")):
        subprocess.run(["mount", "--bind", str(private), system], check=True)


def invented_regions(count):
    return [f"us-zz{i}-4" for i in range(count)]


def flood_token(region, cluster_id):
    """A token for an invented region that passes every offline check a
    region-shaped host passes: right shape, fresh, scoped to its host."""
    now = datetime.now(timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    credential = f"AKIAFLOODEXAMPLE0001/{now.strftime('%Y%m%d')}/{region}/sts/aws4_request"
    query = "&".join([
        "Action=GetCallerIdentity",
        "Version=2011-06-15",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=" + credential.replace("/", "%2F"),
        "X-Amz-Date=" + amz_date,
        "X-Amz-Expires=60",
        "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
        "X-Amz-Signature=" + secrets.token_hex(32),
    ])
    url = f"https://sts.{region}.amazonaws.com/?{query}"
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def review_request(token):
    body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}})
    return (f"POST /authenticate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}").encode()


async def read_answer(reader):
    """(status, authenticated) of one HTTP answer."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length)
    authenticated = False
    try:
        authenticated = bool(json.loads(body)["status"]["authenticated"])
    except (ValueError, KeyError, TypeError):
        pass
    return status, authenticated


async def open_connections(port, context, count, parallel=100):
    gate = asyncio.Semaphore(parallel)

    async def one():
        async with gate:
            return await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")

    return await asyncio.gather(*(one() for _ in range(count)))


async def drive(port, ca_file, flood_tokens, genuine_tokens, genuine_connections, timeout, min_genuine=100,
                pause=0.05, genuine_delay=0.5):
    context = ssl.create_default_context(cafile=ca_file)
    flood_conns = await asyncio.wait_for(open_connections(port, context, len(flood_tokens)), timeout)
    genuine_conns = await asyncio.wait_for(open_connections(port, context, genuine_connections), timeout)

    flood_results = []
    genuine_results = []  # (status, authenticated, seconds)
    flood_done = asyncio.Event()
    tokens = iter(genuine_tokens)

    async def flood_one(connection, token):
        reader, writer = connection
        writer.write(review_request(token))
        await writer.drain()
        try:
            flood_results.append(await read_answer(reader))
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            flood_results.append(("error", str(error)))

    async def genuine_loop(connection):
        reader, writer = connection
        while not flood_done.is_set() or len(genuine_results) < min_genuine:
            token = next(tokens, None)
            if token is None:
                return
            started = time.monotonic()
            writer.write(review_request(token))
            await writer.drain()
            status, authenticated = await read_answer(reader)
            genuine_results.append((status, authenticated, time.monotonic() - started))
            await asyncio.sleep(pause)  # a user's pace, not a second flood

    started = time.monotonic()
    flood_task = asyncio.gather(*(flood_one(c, t) for c, t in zip(flood_conns, flood_tokens)))
    # The genuine users come once the flood is in: they find whatever it left.
    await asyncio.sleep(genuine_delay)
    genuine_tasks = [asyncio.create_task(genuine_loop(c)) for c in genuine_conns]
    await asyncio.wait_for(flood_task, timeout)
    flood_seconds = time.monotonic() - started
    flood_done.set()
    await asyncio.wait_for(asyncio.gather(*genuine_tasks), timeout)
    for _, writer in flood_conns + genuine_conns:
        writer.close()
    return flood_results, genuine_results, flood_seconds


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--mode", choices=["unknown", "allowed"], required=True,
                        help="unknown: regions no setting admits; allowed: every one listed in server.stsRegions")
    parser.add_argument("--flood", type=int, default=2500)
    parser.add_argument("--regions", type=int, default=0,
                        help="distinct invented regions the flood spreads over (default: one per review)")
    parser.add_argument("--genuine-connections", type=int, default=4)
    parser.add_argument("--genuine-tokens", type=int, default=800)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--genuine-pause", type=float, default=0.05, help="seconds between one connection's reviews")
    parser.add_argument("--genuine-delay", type=float, default=0.5, help="seconds after the flood the genuine users start")
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    setup_namespace(workdir)

    regions = invented_regions(args.regions or args.flood)
    dns = SlowDns({host: "127.0.0.1" for host in GENUINE_HOSTS}, delay=0.1)
    emulator = server = None
    try:
        emulator = harness.Emulator(workdir / "emulator", "--address", "127.0.0.1", "--port", "443",
                                    *[arg for host in GENUINE_HOSTS for arg in ("--tls-name", host)])
        server_keys = {"stsCACertFile": emulator.ca_file, "region": GENUINE_REGION}
        if args.mode == "allowed":
            server_keys["stsRegions"] = json.dumps(regions)
        server = harness.Server(workdir / "server", args=["--threads", "2"], server_keys=server_keys).wait_ready()

        genuine_tokens = harness.sign_token_batch(harness.ADMIN, args.genuine_tokens, region=GENUINE_REGION)
        flood_tokens = [flood_token(regions[i % len(regions)], harness.CLUSTER_ID) for i in range(args.flood)]

        flood, genuine, flood_seconds = asyncio.run(
            drive(server.port, str(server.ca_file), flood_tokens, genuine_tokens, args.genuine_connections,
                  args.timeout, pause=args.genuine_pause, genuine_delay=args.genuine_delay))
        metrics = server.metrics()
        queries = dns.query_counts()
    finally:
        if server:
            server.stop()
        if emulator:
            emulator.stop()
        dns.close()

    latencies = [seconds for _, _, seconds in genuine]
    invented_queries = sum(count for name, count in queries.items() if name not in GENUINE_HOSTS)
    result = {
        "mode": args.mode,
        "flood_sent": len(flood),
        "flood_granted": sum(1 for r in flood if r[0] == 200 and r[1] is True),
        "flood_statuses": dict(sorted(((str(s), sum(1 for r in flood if str(r[0]) == str(s)))
                                       for s in {r[0] for r in flood}))),
        "flood_seconds": round(flood_seconds, 3),
        "genuine_sent": len(genuine),
        "genuine_granted": sum(1 for status, ok, _ in genuine if status == 200 and ok),
        "genuine_429": sum(1 for status, _, _ in genuine if status == 429),
        "genuine_p50": percentile(latencies, 0.50),
        "genuine_p99": percentile(latencies, 0.99),
        "genuine_max": max(latencies) if latencies else None,
        "dns_queries_invented": invented_queries,
        "dns_queries_genuine": sum(queries[host] for host in GENUINE_HOSTS),
        "metrics": {line.split(" ")[0]: float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                    if line.startswith(("aws_iam_authenticator_sts", "aws_iam_authenticator_authenticate_latency_seconds_count"))},
        "server_log_tail": server.process.output[-5:] if server else [],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
