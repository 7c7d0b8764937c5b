"""Signals: SIGTERM and SIGINT shut down gracefully (no new connections,
requests in progress finish, idle connections close at once, exit 0, all
within server.shutdownGracePeriod); a second signal stops at once; SIGHUP
re-reads the mapping sources."""

import asyncio
import re
import signal
import socket
import ssl
import threading
import time

import pytest

from harness import ADMIN, metric_value, scaled, sign_token

LATENCY = 2.0  # seconds STS takes to answer in these tests


def review_in_background(server, token):
    """Starts a review on its own connection; the result lands in the dict."""
    outcome = {}

    def run():
        try:
            connection = server.connection(timeout=30)
            connection.request("POST", "/authenticate",
                               body=('{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",'
                                     '"spec":{"token":"%s"}}' % token),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            outcome["status"] = response.status
            outcome["body"] = response.read()
            outcome["connection"] = response.getheader("Connection")
            connection.close()
        except Exception as error:  # the dict tells the test
            outcome["error"] = error
        outcome["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def wait_for_inflight(emulator, count, timeout=10):
    """Until the emulator has received `count` requests (so a review waits for STS)."""
    deadline = time.monotonic() + scaled(timeout)
    while emulator.stats()["arrived"] < count:
        if time.monotonic() > deadline:
            raise AssertionError("the review never reached STS")
        time.sleep(0.02)


def review_in_progress(start_emulator, start_server, latency, grace):
    """A server whose STS answers after `latency`, and a review that is
    waiting for it: (server, emulator, review thread, its outcome)."""
    emulator = start_emulator("--latency", latency)
    server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file,
                           "--identity-cache-ttl", "0"], server_keys={"shutdownGracePeriod": grace})
    thread, outcome = review_in_background(server, sign_token(ADMIN))
    wait_for_inflight(emulator, 1)
    return server, emulator, thread, outcome


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_finishes_requests_in_progress(start_emulator, start_server, sig):
    server, _, thread, outcome = review_in_progress(start_emulator, start_server, f"{int(LATENCY * 1000)}ms",
                                                    grace="10s")
    idle = server.connection()
    idle.request("GET", "/healthz")
    assert idle.getresponse().read() == b"ok"  # now an idle keep-alive connection

    signalled = time.monotonic()
    server.process.proc.send_signal(sig)
    server.process.wait_for_text("shutting down: no new connections")

    assert refused(server.port), "still accepting after the signal"
    assert idle.sock.recv(1) == b"", "the idle connection was not closed"
    idle.close()

    assert server.process.wait_exit(timeout=10) == 0
    exited = time.monotonic()
    thread.join(timeout=10)
    assert "error" not in outcome, outcome
    assert outcome["status"] == 200 and b'"authenticated":true' in outcome["body"], outcome
    assert outcome["connection"] == "close"
    # It waited for the review, and no longer than that.
    assert outcome["at"] <= exited + scaled(0.2)
    assert exited - signalled < LATENCY + scaled(2), exited - signalled


def test_the_grace_period_bounds_the_shutdown(start_emulator, start_server):
    server, _, thread, outcome = review_in_progress(start_emulator, start_server, "8s", grace="1s")
    signalled = time.monotonic()
    server.process.proc.send_signal(signal.SIGTERM)
    assert server.process.wait_exit(timeout=10) == 0
    assert time.monotonic() - signalled < scaled(3)
    thread.join(timeout=10)
    assert "status" not in outcome, "an answer after the grace period?"  # the connection was dropped unanswered
    server.process.wait_for_text('msg="shutdown grace period over; connections with requests in progress were closed" '
                                 'connections=1')


def test_a_second_signal_stops_at_once(start_emulator, start_server):
    server, _, thread, outcome = review_in_progress(start_emulator, start_server, "8s", grace="30s")
    server.process.proc.send_signal(signal.SIGTERM)
    server.process.wait_for_text("shutting down")
    signalled = time.monotonic()
    server.process.proc.send_signal(signal.SIGTERM)
    assert server.process.wait_exit(timeout=10) == 0
    assert time.monotonic() - signalled < scaled(3)
    server.process.wait_for_text("second signal: stopping now")
    thread.join(timeout=10)


def test_sighup_reloads_the_mapping_sources(start_server, emulator):
    server = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file])

    def successful_loads():
        return metric_value(server.metrics(), "aws_iam_authenticator_mapping_reload_total",
                            source="MountedFile", result="success")

    before = successful_loads()
    time.sleep(2.5)  # nothing changes on its own
    assert successful_loads() == before
    server.process.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + scaled(5)
    while successful_loads() == before:
        assert time.monotonic() < deadline, "SIGHUP did not reload the mappings"
        time.sleep(0.05)
    # Served throughout, with the same answers.
    status, answer = server.review(sign_token(ADMIN))
    assert status == 200 and answer["status"]["user"]["username"] == "admin:alice-example.com"
    assert server.process.proc.poll() is None


async def _race_round(server, connections, traffic_seconds):
    """64 keep-alive connections sending reviews back to back; SIGTERM
    arrives in the middle. Returns (answered, lost, sent before the signal):
    a request whose bytes were handed to the kernel before the signal and
    that got no answer is lost."""
    context = ssl.create_default_context(cafile=str(server.ca_file))
    body = b'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"k8s-aws-v1.x"}}'
    request = (b"POST /authenticate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    streams = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", server.port, ssl=context)
                                     for _ in range(connections)))
    signalled_at = [None]
    counts = {"answered": 0, "lost": 0, "sent_before": 0, "refused_after": 0, "not_sent": 0}

    async def sender(reader, writer):
        while True:
            try:
                writer.write(request)
                await writer.drain()
            except (ConnectionError, ssl.SSLError):
                counts["not_sent"] += 1  # the server had closed the connection first
                break
            sent_at = time.monotonic()
            before = signalled_at[0] is None or sent_at < signalled_at[0]
            counts["sent_before"] += before
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), scaled(10))
            except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
                counts["lost" if before else "refused_after"] += 1
                break
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            counts["answered"] += 1
            if re.search(rb"(?i)\r\nconnection: *close", head):
                break
        writer.close()

    tasks = [asyncio.create_task(sender(r, w)) for r, w in streams]
    await asyncio.sleep(traffic_seconds)
    signalled_at[0] = time.monotonic()
    server.process.proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(asyncio.gather(*tasks), scaled(30))
    return counts


def test_requests_sent_before_the_signal_are_all_answered(start_server):
    """The shutdown race, repeated: an idle keep-alive connection closed
    while its next request was already in the socket lost that request.
    Every round, every request sent before SIGTERM gets an answer."""
    rounds = []
    for round_number in range(20):
        server = start_server(["--threads", "2"], server_keys={"shutdownGracePeriod": "10s"},
                              name=f"race{round_number}")
        counts = asyncio.run(_race_round(server, 64, 0.2 + 0.05 * (round_number % 5)))
        assert server.process.wait_exit(timeout=20) == 0
        rounds.append(counts)
    for counts in rounds:
        assert counts["lost"] == 0, rounds
        assert counts["answered"] >= 64, rounds
    print(rounds)


def test_a_signal_right_after_start_stops_cleanly(start_server):
    """SIGTERM at once, before the first accept may even be pending: the
    shutdown must not wait on a listening socket that is still blocking."""
    for attempt in range(10):
        server = start_server(name=f"early{attempt}")
        started = time.monotonic()
        server.process.proc.send_signal(signal.SIGTERM)
        assert server.process.wait_exit(timeout=10) == 0
        assert time.monotonic() - started < scaled(3)
