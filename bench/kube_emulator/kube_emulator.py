#!/usr/bin/python3
"""A Kubernetes API server emulator for integration tests: ConfigMaps,
Namespaces (fixed) and the IAMIdentityMapping custom resource, over
loopback HTTPS, strict enough for the real kubectl. See bench/README.md.

Prints, flushed, one per line:
    listening on https://127.0.0.1:PORT
    ca STATE_DIR/ca.crt
    control on http://127.0.0.1:PORT
    client-cert NAME CERT KEY        (one per --make-client-cert)
"""

import argparse
import signal
import ssl
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import auth    # noqa: E402
import server  # noqa: E402
import store   # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", required=True, type=Path, help="where the CA and certificates are written")
    parser.add_argument("--port", type=int, default=0, help="API port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--control-port", type=int, default=0, help="plain-HTTP control port on 127.0.0.1 (0: free)")
    parser.add_argument("--auth", type=Path, help="users and rules (JSON or YAML), re-read when it changes")
    parser.add_argument("--make-client-cert", action="append", default=[], metavar="NAME[:GROUP]",
                        help="write STATE_DIR/NAME.crt/.key signed by the CA, CN=NAME (O=GROUP)")
    parser.add_argument("--client-ca", type=Path, help="also trust client certificates signed by this CA")
    parser.add_argument("--bookmark-interval", type=float, default=5.0,
                        help="seconds between BOOKMARK events on watches that allow them")
    parser.add_argument("--watch-timeout", type=int, default=1800,
                        help="seconds a watch without timeoutSeconds stays open")
    parser.add_argument("--max-watches", type=int, default=100)
    parser.add_argument("--max-body", type=int, default=3 * 1024 * 1024, help="request body limit in bytes")
    parser.add_argument("--history", type=int, default=1000,
                        help="events kept for watch resumption; older resourceVersions get 410")
    parser.add_argument("--latency-ms", type=float, default=0, help="added before every API answer")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    options.state_dir = options.state_dir.resolve()
    options.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        authorizer = auth.Authorizer(options.auth)
    except auth.AuthError as error:
        print(f"kube-emulator: {error}", file=sys.stderr)
        return 2
    authority = auth.CertificateAuthority(options.state_dir)
    server_cert, server_key = authority.issue("server", "kube-apiserver", server=True)
    client_certs = []
    for spec in options.make_client_cert:
        name, _, group = spec.partition(":")
        if not name or "/" in name or name.startswith("."):
            print(f"kube-emulator: bad client certificate name {name!r}", file=sys.stderr)
            return 2
        client_certs.append((name, *authority.issue(f"client-{name}", name, group or None)))

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(server_cert, server_key)
    context.load_verify_locations(authority.ca_file)
    if options.client_ca:
        context.load_verify_locations(options.client_ca)
    context.verify_mode = ssl.CERT_OPTIONAL
    context.set_alpn_protocols(["http/1.1"])    # no h2: this is an HTTP/1.1 server

    emulator = server.Emulator(store.Store(history=options.history), authorizer, options)
    api_server = server.ApiServer(("127.0.0.1", options.port), emulator, context)
    control = server.ControlServer(("127.0.0.1", options.control_port), emulator)

    def stop(signum, frame):
        emulator.stopping.set()
        emulator.shutdown_watches()
        threading.Thread(target=api_server.shutdown, daemon=True).start()
        threading.Thread(target=control.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=control.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    print(f"listening on https://127.0.0.1:{api_server.server_address[1]}", flush=True)
    print(f"ca {authority.ca_file}", flush=True)
    print(f"control on http://127.0.0.1:{control.server_address[1]}", flush=True)
    for name, cert, key in client_certs:
        print(f"client-cert {name} {cert} {key}", flush=True)
    api_server.serve_forever(poll_interval=0.2)
    # Give open watches a moment to write their final chunk.
    deadline = threading.Event()
    for _ in range(20):
        with emulator.store.cond:
            if not emulator.store.watches:
                break
        deadline.wait(0.05)
    api_server.server_close()
    control.server_close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
