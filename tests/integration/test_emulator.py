"""The STS emulator on its own: it must be as strict as STS, or the other
integration tests prove nothing."""

import base64
import http.client
import json
import ssl
import urllib.parse

import pytest

from harness import ADMIN, CLUSTER_ID, sign_token


def replay(emulator, token, cluster_id=CLUSTER_ID, accept="application/json", host_override=None):
    """Sends the token's presigned request to the emulator as our server would."""
    url = base64.urlsafe_b64decode(token[len("k8s-aws-v1."):] + "==").decode()
    parts = urllib.parse.urlsplit(url)
    context = ssl.create_default_context(cafile=emulator.ca_file)
    connection = http.client.HTTPSConnection("127.0.0.1", emulator.port, context=context, timeout=10)
    try:
        headers = {"Host": host_override or parts.netloc, "x-k8s-aws-id": cluster_id}
        if accept:
            headers["Accept"] = accept
        connection.request("GET", parts.path + "?" + parts.query, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read().decode()
    finally:
        connection.close()


def test_json_answer(emulator):
    status, content_type, body = replay(emulator, sign_token(ADMIN))
    assert (status, content_type) == (200, "application/json")
    result = json.loads(body)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
    assert result["Arn"] == ADMIN["arn"]
    assert result["Account"] == "111122223333"
    assert result["UserId"].startswith("AROA") and result["UserId"].endswith(":alice@example.com")


def test_xml_answer_without_accept_json(emulator):
    status, content_type, body = replay(emulator, sign_token(ADMIN), accept=None)
    assert (status, content_type) == (200, "text/xml")
    assert body.startswith('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    assert f"<Arn>{ADMIN['arn']}</Arn>" in body


@pytest.mark.parametrize(
    "change, status, code",
    [
        (dict(cluster_id="another-cluster"), 403, "SignatureDoesNotMatch"),
        (dict(host_override="sts.eu-west-1.amazonaws.com"), 403, "SignatureDoesNotMatch"),
        (dict(host_override="example.com"), 400, "InvalidHost"),
    ],
)
def test_refusals_carry_sts_codes(emulator, change, status, code):
    got_status, _, body = replay(emulator, sign_token(ADMIN), **change)
    assert got_status == status
    assert json.loads(body)["Error"]["Code"] == code


def test_unknown_key_and_wrong_session_token(emulator):
    status, _, body = replay(emulator, sign_token(dict(ADMIN, accessKeyId="ASIAUNKNOWNKEY000001")), accept=None)
    assert status == 403
    assert "<Code>InvalidClientTokenId</Code>" in body
    status, _, body = replay(emulator, sign_token(dict(ADMIN, sessionToken="wrong")))
    assert (status, json.loads(body)["Error"]["Code"]) == (403, "InvalidClientTokenId")


def test_tampered_query_is_refused(emulator):
    token = sign_token(ADMIN)
    url = base64.urlsafe_b64decode(token[len("k8s-aws-v1."):] + "==").decode()
    tampered = url.replace("Version=2011-06-15", "Version=2011-06-15&Extra=1")
    forged = "k8s-aws-v1." + base64.urlsafe_b64encode(tampered.encode()).decode().rstrip("=")
    status, _, body = replay(emulator, forged)
    assert (status, json.loads(body)["Error"]["Code"]) == (403, "SignatureDoesNotMatch")


def test_stats_count_requests(emulator):
    before = emulator.stats()
    replay(emulator, sign_token(ADMIN))
    replay(emulator, sign_token(ADMIN), cluster_id="x")
    after = emulator.stats()
    assert after["requests"] - before["requests"] == 2
    assert after["succeeded"] - before["succeeded"] == 1
    assert after["refused"] - before["refused"] == 1
