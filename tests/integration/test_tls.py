"""The server's TLS: TLS 1.2 and 1.3 only, forward-secret AEAD suites, no
compression, no renegotiation; the certificate and key are followed on disk
(rotation without restart), and a bad new pair keeps the one in use."""

import base64
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest

from certificates import make_pair
from harness import metric_value, wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import harness

    srv = harness.Server(tmp_path_factory.mktemp("tls"))
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


def s_client(server, *options, stdin=b""):
    """openssl s_client's whole output for one connection attempt."""
    result = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", *options],
                            input=stdin, capture_output=True, timeout=20)
    return (result.stdout + result.stderr).decode(errors="replace")


def handshake(server, **context_settings):
    """The negotiated (version, cipher) with a Python client limited as told."""
    context = ssl.create_default_context(cafile=str(server.ca_file))
    for name, value in context_settings.items():
        setattr(context, name, value)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            return sock.version(), sock.cipher()[0], sock.compression()


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_1_2_and_1_3_are_served(server, version):
    v = getattr(ssl.TLSVersion, version)
    negotiated, cipher, compression = handshake(server, minimum_version=v, maximum_version=v)
    assert negotiated == version.replace("_", ".")
    assert compression is None
    if version == "TLSv1_2":
        assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher), cipher


@pytest.mark.parametrize("flag", ["-tls1", "-tls1_1"])
def test_old_protocols_are_refused_by_the_server(server, flag):
    # SECLEVEL=0 lets this client offer them; the alert is the server's answer.
    output = s_client(server, flag, "-cipher", "DEFAULT@SECLEVEL=0")
    assert "alert protocol version" in output, output


@pytest.mark.parametrize("cipher", ["ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA", "AES128-GCM-SHA256",
                                    "ECDHE-ECDSA-AES128-SHA"])
def test_cbc_and_non_forward_secret_suites_are_refused(server, cipher):
    output = s_client(server, "-tls1_2", "-cipher", cipher + "@SECLEVEL=0")
    assert "alert handshake failure" in output, output
    # The same client with an AEAD, forward-secret suite gets through.
    assert "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" in s_client(server, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")


def test_compression_is_off(server):
    output = s_client(server, "-tls1_2")
    assert "Compression: NONE" in output, output


def test_client_renegotiation_is_refused(server):
    # s_client renegotiates on a line "R" read on its own; the server answers
    # no_renegotiation, and the request that follows never gets an answer.
    client = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-tls1_2"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(1)
        client.stdin.write(b"R\n")
        client.stdin.flush()
        time.sleep(1)
        try:
            client.stdin.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            client.stdin.flush()
            time.sleep(1)
            client.stdin.close()
        except BrokenPipeError:
            pass  # s_client has already given up on the connection
        output = client.stdout.read().decode(errors="replace")
        client.wait(timeout=10)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait(timeout=10)
    assert "RENEGOTIATING" in output, output
    assert "no renegotiation" in output, output
    assert "HTTP/1.1 200" not in output, output


# Rotation ----------------------------------------------------------------

def presented_certificate(server):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw) as sock:
            return sock.getpeercert(binary_form=True)


def install(state_dir, cert_pem, key_pem):
    """Writes the pair as a rotation tool would: each file renamed over."""
    for name, data in (("key.pem", key_pem), ("cert.pem", cert_pem)):
        scratch = state_dir / (name + ".new")
        scratch.write_bytes(data)
        os.chmod(scratch, 0o600)
        os.replace(scratch, state_dir / name)


def reloads(server, result):
    return metric_value(server.metrics(), "aws_iam_authenticator_certificate_reload_total", result=result)


def test_a_rotated_certificate_is_served_without_restart(start_server):
    server = start_server()
    original = presented_certificate(server)
    kept = server.connection()
    try:
        kept.request("GET", "/healthz")
        assert kept.getresponse().read() == b"ok"

        cert_pem, key_pem, der = make_pair(valid_until_days=90)
        install(server.state_dir, cert_pem, key_pem)
        wait_until(lambda: presented_certificate(server) == der, what="the new certificate")
        assert der != original

        # An open connection carries on with the certificate it was made with.
        kept.request("GET", "/healthz")
        assert kept.getresponse().read() == b"ok"
    finally:
        kept.close()
    # New clients verify with the new certificate (the harness trusts cert.pem).
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")
    # kube-apiserver's kubeconfig now names it too.
    kubeconfig = server.kubeconfig.read_text()
    assert base64.b64decode(kubeconfig.split("certificate-authority-data: ")[1].split()[0]) == cert_pem
    assert reloads(server, "success") == 1
    expiry = metric_value(server.metrics(), "aws_iam_authenticator_certificate_expiry_timestamp_seconds")
    assert abs(expiry - (time.time() + 90 * 86400)) < 3600
    server.process.wait_for_text('msg="serving certificate reloaded"')


@pytest.mark.parametrize("damage", ["garbage", "mismatched key", "expired", "not yet valid", "missing key",
                                    "another host"])
def test_a_bad_new_certificate_keeps_the_old_one(start_server, damage):
    server = start_server()
    in_use = presented_certificate(server)
    # The test's own client keeps trusting the certificate in use.
    trusted = server.workdir / "trusted.pem"
    trusted.write_bytes((server.state_dir / "cert.pem").read_bytes())
    server.ca_file = trusted
    cert_pem, key_pem, _ = make_pair()
    if damage == "garbage":
        install(server.state_dir, b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", key_pem)
    elif damage == "mismatched key":
        install(server.state_dir, cert_pem, make_pair()[1])
    elif damage == "expired":
        cert_pem, key_pem, _ = make_pair(valid_from_days=-30, valid_until_days=-1)
        install(server.state_dir, cert_pem, key_pem)
    elif damage == "not yet valid":
        cert_pem, key_pem, _ = make_pair(valid_from_days=2, valid_until_days=30)
        install(server.state_dir, cert_pem, key_pem)
    elif damage == "another host":
        # kube-apiserver connects to localhost: a certificate for another host would fail every review.
        cert_pem, key_pem, _ = make_pair(host="10.9.9.9", localhost=False)
        install(server.state_dir, cert_pem, key_pem)
    else:
        install(server.state_dir, cert_pem, b"")
        os.unlink(server.state_dir / "key.pem")

    wait_until(lambda: reloads(server, "failure") == 1, what="the failed reload to be counted")
    assert presented_certificate(server) == in_use
    log = server.process.wait_for_text('msg="new serving certificate not loaded; the one in use stays"')
    assert "BEGIN" not in log and "PRIVATE KEY" not in log

    # Fixed: the next good pair is taken.
    good_cert, good_key, good_der = make_pair()
    install(server.state_dir, good_cert, good_key)
    wait_until(lambda: presented_certificate(server) == good_der, what="the repaired pair")
    server.ca_file = server.state_dir / "cert.pem"
    # The new certificate is served a moment before the reload is counted.
    wait_until(lambda: reloads(server, "success") == 1, what="the reload to be counted")
    assert reloads(server, "failure") == 1


def test_sighup_reloads_the_certificate_at_once(start_server):
    server = start_server()
    assert reloads(server, "success") == 0
    # Unchanged files: only SIGHUP makes the server load them again.
    os.kill(server.process.proc.pid, signal.SIGHUP)
    wait_until(lambda: reloads(server, "success") == 1, what="the SIGHUP reload")
    server.process.wait_for_text('msg="reloading on SIGHUP: mapping sources and serving certificate"')
    assert server.post(None, path="/healthz", method="GET") == (200, "ok")
