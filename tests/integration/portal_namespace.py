#!/usr/bin/env python3
"""Runs a command where an AWS host name leads to the test's emulator, for
clients that have no endpoint override (Debian's AWS CLI v2 has none for
the IAM Identity Center portal). Run under `unshare --mount --net` (see
run_in_namespace()); inside, it:

  - brings loopback up (the new network namespace has nothing else, so the
    command reaches no real host, and port 443 is this namespace's own);
  - binds its own /etc/hosts (names -> 127.0.0.1) and /etc/nsswitch.conf
    ("hosts: files") over the system's, in this mount namespace only;
  - listens on 127.0.0.1:443 and passes every connection, bytes unchanged,
    to a Unix socket the test serves: a path in the file system reaches
    across network namespaces, so TLS ends at the emulator outside;
  - runs the command with a deadline, in its own process group, killed
    whole when late, and exits with its status (124 when it was late).

    bridge = Bridge(unix_listener(path), lambda: socket.create_connection(("127.0.0.1", emulator.port)))
    completed = run_in_namespace(path, ["portal.sso.us-east-1.amazonaws.com"], workdir, command, env, timeout)
    bridge.close()
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

HTTPS_PORT = 443


class Bridge:
    """Accepts connections on `listener` and joins each to a new one from
    `connect()`, copying bytes both ways until either side closes."""

    def __init__(self, listener, connect):
        self.listener = listener
        self.listener.settimeout(0.2)
        self.connect = connect
        self.running = True
        self.lock = threading.Lock()
        self.sockets = []
        self.threads = []
        self.accepted = 0
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            try:
                upstream = self.connect()
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
                for source, sink in ((client, upstream), (upstream, client)):
                    thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                    self.threads.append(thread)
                    thread.start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)  # the other direction may still be talking
            except OSError:
                pass

    def close(self, timeout=10):
        self.running = False
        self.acceptor.join(timeout=timeout)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            threads = list(self.threads)
        for thread in threads:
            thread.join(timeout=timeout)


def unix_listener(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(16)
    return listener


def run_in_namespace(socket_path, hosts, workdir, command, env, timeout):
    """`command` run by this script under `unshare --mount --net` (as a
    mapped root when not root); a CompletedProcess. Killed whole, with
    everything it started, if it outlives `timeout` seconds."""
    user_namespace = [] if os.geteuid() == 0 else ["--map-root-user"]
    args = ["unshare", "--mount", "--net", *user_namespace, "--", sys.executable, __file__,
            "--socket", socket_path, "--workdir", workdir, "--timeout", timeout,
            *[arg for host in hosts for arg in ("--host", host)], "--", *command]
    process = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, start_new_session=True)
    try:
        # The script enforces `timeout` on the command; this one is for the script.
        stdout, stderr = process.communicate(timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=10)
        stderr += f"\n(killed after {timeout + 10} s)"
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def setup_namespace(workdir, hosts):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts_file = workdir / "hosts"
    hosts_file.write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {host}\n" for host in hosts))
    nsswitch = workdir / "nsswitch.conf"
    nsswitch.write_text("hosts: files\n")
    for private, system in ((hosts_file, "/etc/hosts"), (nsswitch, "/etc/nsswitch.conf")):
        subprocess.run(["mount", "--bind", str(private), system], check=True)


def run_command(command, timeout):
    process = subprocess.Popen(command, start_new_session=True)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        print(f"portal_namespace: {command[0]} still running after {timeout} s: killed", file=sys.stderr)
        return 124


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True, help="the Unix socket that leads to the emulator")
    parser.add_argument("--host", action="append", required=True, help="a name for 127.0.0.1 (repeatable)")
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    setup_namespace(args.workdir, args.host)
    listener = socket.create_server(("127.0.0.1", HTTPS_PORT))

    def to_emulator():
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(args.socket)
        return upstream

    bridge = Bridge(listener, to_emulator)
    try:
        status = run_command(args.command, args.timeout)
    finally:
        bridge.close()
    sys.exit(status)


if __name__ == "__main__":
    main()
