"""reservedPrefixConfig as upstream takes it: entries for any backend mode
(those of backends this build runs apply to them; upstream's API-watching
modes are kept; a name no backend has is a warning), and a reserved prefix
denies the mapping that would produce it."""

import json
import time

import harness
from harness import ADMIN, BOB, sign_token

ADMIN_ROLE = "arn:aws:iam::111122223333:role/Admin"
BOB_ARN = "arn:aws:iam::111122223333:user/bob"


def test_eks_style_reserved_prefixes(start_server, emulator, tmp_path):
    dynamic = tmp_path / "dynamic.json"
    dynamic.write_text(json.dumps({
        "Version": "1", "LastUpdatedDateTime": str(int(time.time())),
        "mapRoles": [{"rolearn": ADMIN_ROLE, "username": "system:admin", "groups": ["system:masters"]}],
        "mapUsers": [{"userarn": BOB_ARN, "username": "bob", "groups": ["dev"]}],
    }))
    config_text = (
        f"clusterID: {harness.CLUSTER_ID}\nserver:\n  port: 0\n  stateDir: {tmp_path / 'state'}\n"
        f"  generateKubeconfig: {tmp_path / 'kubeconfig.yaml'}\n"
        f"  backendMode: [DynamicFile]\n  dynamicfilepath: {dynamic}\n"
        "  reservedPrefixConfig:\n"
        "  - backendMode: DynamicFile\n    usernamePrefixReserveList: ['system:', 'eks:']\n"
        "  - backendMode: EKSConfigMap\n    usernamePrefixReserveList: ['aws:']\n"
        "  - backendMode: CRD\n    usernamePrefixReserveList: ['aws:']\n"
        "  - backendMode: Magic\n    usernamePrefixReserveList: ['m:']\n"
    )
    srv = start_server(["--sts-endpoint-override", emulator.url, "--sts-ca-cert", emulator.ca_file],
                       config_text=config_text)
    text = srv.process.text()
    assert 'server.reservedPrefixConfig[3].backendmode: \\"Magic\\" is no backend\'s mode; ignored' in text
    # Upstream's API-watching modes are accepted silently, kept for when they run.
    assert "reservedPrefixConfig[1]" not in text and "reservedPrefixConfig[2]" not in text

    status, answer = srv.review(sign_token(BOB))
    assert status == 200 and answer["status"]["user"]["username"] == "bob"
    status, answer = srv.review(sign_token(ADMIN))
    assert status == 403 and answer["status"]["authenticated"] is False
    denied = srv.process.wait_for_text("invalid username 'system:admin' for mapper DynamicFile")
    assert "username must not begin with with the following prefixes: [system: eks:]" in denied
