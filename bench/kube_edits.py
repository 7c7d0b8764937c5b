#!/usr/bin/env python3
"""How fast an aws-auth edit reaches the answers, and what an API outage
does, measured against the real server following the Kubernetes API
emulator (bench/kube_emulator) in EKSConfigMap mode.

    bench/kube_edits.py                       # 100 edits by kubectl, then the outage run
    bench/kube_edits.py --edits 20 --no-build --json out.json

Edits: each is `kubectl patch` of the aws-auth ConfigMap (the real client;
Debian's or the image's kubectl) changing the username one identity maps
to; a client polls TokenReviews for that identity on a keep-alive
connection meanwhile. Two times per edit: from kubectl's exit (the API has
answered, so the change is stored and its watch event sent) to the first
review that answers with the new name, and from kubectl's start (what an
operator waits for, kubectl's own start-up included).

Outage: the API closes every connection for --outage seconds. Reviews keep
being sent the whole time and must all answer with the table in force;
/readyz must stay ready. When the API is back, an edit is made at once and
the time until the answers follow it is reported: that is the watcher's
backoff plus one list.
"""

import argparse
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (build and process helpers)

KUBE_EMULATOR = bench.ROOT / "bench" / "kube_emulator" / "kube_emulator.py"
IDENTITY = {"accessKeyId": "AKIAKUBEEDITS0000001", "secretAccessKey": "kube-edits-secret",
            "arn": "arn:aws:iam::111122223333:user/editor"}
ADMIN_TOKEN = "kube-edits-admin-token-0000"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def aws_auth_patch(username):
    map_users = f"- userarn: {IDENTITY['arn']}\n  username: {username}\n  groups: [editors]\n"
    return json.dumps({"data": {"mapUsers": map_users}})


class Reviewer:
    """TokenReviews for IDENTITY over one keep-alive connection."""

    def __init__(self, port, ca_file, token):
        self.connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                                      context=ssl.create_default_context(cafile=str(ca_file)))
        self.body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                "spec": {"token": token}})

    def username(self):
        self.connection.request("POST", "/authenticate", body=self.body,
                                headers={"Content-Type": "application/json"})
        answer = json.loads(self.connection.getresponse().read())
        status = answer["status"]
        return status["user"]["username"] if status.get("authenticated") else None

    def ready(self):
        self.connection.request("GET", "/readyz")
        response = self.connection.getresponse()
        response.read()
        return response.status == 200

    def wait_for(self, username, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.username() == username:
                return time.monotonic()
        raise RuntimeError(f"the answers did not become {username!r} within {timeout} s")


def control(port, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"emulator control {path}: {response.status}")


def run(args, work):
    started = []
    try:
        (work / "identities.json").write_text(json.dumps({"identities": [IDENTITY]}))
        (work / "auth.json").write_text(json.dumps({"users": [
            {"name": "admin", "tokens": [ADMIN_TOKEN], "rules": [{"verbs": ["*"], "apiGroups": ["*"],
                                                                 "resources": ["*"]}]}]}))
        sts = bench.Process([bench.EMULATOR, "--identities", work / "identities.json", "--state-dir", work / "sts",
                             "--port", "0"], work / "sts.log")
        started.append(sts)
        sts_url = sts.wait_for(r"https://127\.0\.0\.1:\d+").group(0)
        api = bench.Process([sys.executable, KUBE_EMULATOR, "--state-dir", work / "kube", "--auth",
                             work / "auth.json"], work / "kube.log")
        started.append(api)
        api_port = int(api.wait_for(r"listening on https://127\.0\.0\.1:(\d+)").group(1))
        control_port = int(api.wait_for(r"control on http://127\.0\.0\.1:(\d+)").group(1))
        ca = api.wait_for(r"(?m)^ca (.+)$").group(1)
        kubeconfig = work / "kubeconfig.json"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "bench",
            "clusters": [{"name": "bench", "cluster": {"server": f"https://127.0.0.1:{api_port}",
                                                        "certificate-authority": ca}}],
            "users": [{"name": "admin", "user": {"token": ADMIN_TOKEN}}],
            "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "admin"}}]}))
        kubectl = ["kubectl", "--kubeconfig", str(kubeconfig), "-n", "kube-system"]
        manifest = work / "aws-auth.json"
        manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
                                        "data": json.loads(aws_auth_patch("edit-0"))["data"]}))
        subprocess.run([*kubectl, "create", "-f", str(manifest)], check=True, capture_output=True, timeout=30)

        (work / "config.yaml").write_text(f"clusterID: {bench.CLUSTER_ID}\nserver:\n  port: 0\n"
                                          f"  stateDir: {work / 'state'}\n"
                                          f"  generateKubeconfig: {work / 'webhook.yaml'}\n")
        server = bench.Process([bench.SERVER, "server", "--config", work / "config.yaml", "--backend-mode",
                                "EKSConfigMap", "--kubeconfig", kubeconfig, "--sts-endpoint-override", sts_url,
                                "--sts-ca-cert", work / "sts" / "cert.pem", "--health-address", "127.0.0.1:0",
                                "--identity-cache-ttl", "0"], work / "server.log")
        started.append(server)
        port = int(server.wait_for(r'msg="?listening"? .*port=(\d+)').group(1))
        token = subprocess.run([bench.BUILD / "bench" / "sign-token", "--access-key-id", IDENTITY["accessKeyId"],
                                "--secret-access-key", IDENTITY["secretAccessKey"], "-i", bench.CLUSTER_ID,
                                "--region", "us-west-2"], capture_output=True, text=True, check=True).stdout.strip()
        reviewer = Reviewer(port, work / "state" / "cert.pem", token)
        reviewer.wait_for("edit-0", 20)

        from_ack, from_start = [], []
        for n in range(1, args.edits + 1):
            name = f"edit-{n}"
            began = time.monotonic()
            subprocess.run([*kubectl, "patch", "configmap", "aws-auth", "--type", "merge", "-p", aws_auth_patch(name)],
                           check=True, capture_output=True, timeout=30)
            acknowledged = time.monotonic()
            seen = reviewer.wait_for(name, 10)
            from_ack.append((seen - acknowledged) * 1000)
            from_start.append((seen - began) * 1000)
            if n % 10 == 0:
                print(f"  {n}/{args.edits} edits", file=sys.stderr, flush=True)

        # The outage: reviews all along, then an edit as soon as the API is back.
        control(control_port, "/faults", {"down": "close"})
        control(control_port, "/drop-watches", {})
        outage_end = time.monotonic() + args.outage
        answered, wrong, not_ready = 0, 0, 0
        last = f"edit-{args.edits}"
        while time.monotonic() < outage_end:
            answered += 1
            wrong += reviewer.username() != last
            not_ready += not reviewer.ready()
        control(control_port, "/faults", {"down": None})
        back = time.monotonic()
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()),
                                        "data": json.loads(aws_auth_patch("after-outage"))["data"]}))
        subprocess.run([*kubectl, "replace", "-f", str(manifest)], check=True, capture_output=True, timeout=30)
        recovered = reviewer.wait_for("after-outage", 60)
        failures = bench.server_metrics(port, work).get("aws_iam_authenticator_configmap_watch_failures_total", 0)
        return {
            "edits": args.edits,
            "from_api_ack_ms": {"p50": percentile(from_ack, 0.5), "p99": percentile(from_ack, 0.99),
                                "max": max(from_ack)},
            "from_kubectl_start_ms": {"p50": percentile(from_start, 0.5), "p99": percentile(from_start, 0.99),
                                      "max": max(from_start)},
            "outage_seconds": args.outage,
            "outage_reviews": answered,
            "outage_wrong_answers": wrong,
            "outage_not_ready_answers": not_ready,
            "outage_recovery_seconds": recovered - back,
            "configmap_watch_failures_total": failures,
        }
    finally:
        for process in reversed(started):
            process.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--outage", type=float, default=10.0, help="seconds the API is down")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already in build/release")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not args.no_build:
        bench.build()
    with tempfile.TemporaryDirectory(prefix="aia-kube-edits-") as tmp:
        result = run(args, Path(tmp))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
