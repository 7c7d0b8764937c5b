"""deploy/: every manifest parses and says what the server needs, the
ConfigMaps load with the server's own loaders, the kube-apiserver patches do
what they claim, the image carries every library the binary links, and the
systemd unit verifies and starts the server as written."""

import base64
import copy
import http.client
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml

import harness
import kube
from certificates import make_pair

ROOT = harness.ROOT
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
SERVICE = DEPLOY / "systemd" / "aws-iam-authenticator.service"
IMAGE = "aws-iam-authenticator-cpp:0.1.0"
SERVER_UID = 10000
CLUSTER_SCOPED_KINDS = {"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "IAMIdentityMapping"}
# What --backend-mode takes (upstream's names, their aliases, and ours).
BACKEND_MODES = {"MountedFile", "File", "EKSConfigMap", "ConfigMap", "CRD", "EKSConfigMapFile", "DynamicFile"}
API_MODES = {"EKSConfigMap", "ConfigMap", "CRD"}
SERVICE_ACCOUNT = "aws-iam-authenticator"


def load_one(path):
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert len(documents) == 1, f"{path}: expected one document, got {len(documents)}"
    return documents[0]


def config_map_config():
    """The server configuration inside deploy/kubernetes/config.yaml."""
    config_map = load_one(KUBERNETES / "config.yaml")
    return yaml.safe_load(config_map["data"]["config.yaml"]), config_map["data"]["config.yaml"]


def run_binary(*args, timeout=30):
    result = subprocess.run([str(harness.SERVER), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                            env=harness.server_environment(Path("/nonexistent")))
    return result.returncode, result.stdout + result.stderr


def load_all(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def test_every_yaml_file_parses_and_kubernetes_objects_have_their_required_fields():
    files = sorted(DEPLOY.rglob("*.yaml"))
    assert len(files) >= 16, files
    for path in files:
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        assert documents, f"{path} is empty"
        for document in documents:
            if isinstance(document, dict) and "kind" in document and "apiVersion" in document \
                    and "kubeadm" not in document["apiVersion"]:
                assert document["metadata"]["name"], path
                # Cluster-scoped kinds have no namespace; everything else is in kube-system.
                expected = None if document["kind"] in CLUSTER_SCOPED_KINDS else "kube-system"
                assert document["metadata"].get("namespace") == expected, path


def test_config_map_holds_a_config_the_server_accepts(tmp_path):
    config, text = config_map_config()
    assert config["server"]["port"] == 21362
    assert config["server"]["address"] == "127.0.0.1"
    # Point the file locations into the test's directory, change nothing else,
    # and start the real server on it.
    state = tmp_path / "state"
    kubeconfig = tmp_path / "kubeconfig.yaml"
    aws_auth = tmp_path / "aws-auth"
    aws_auth.mkdir()
    shutil.copy(KUBERNETES / "aws-auth.yaml", aws_auth / "aws-auth.yaml")
    for old, new in ((config["server"]["stateDir"], state), (config["server"]["generateKubeconfig"], kubeconfig),
                     (config["server"]["awsAuthPath"], aws_auth / "aws-auth.yaml")):
        assert old in text
        text = text.replace(old, str(new))
    text = text.replace("port: 21362", "port: 0")
    server = harness.Server(tmp_path / "server", config_text=text)
    try:
        server.wait_ready()
        server.process.wait_for_text("source=MountedFile")
        loads = re.findall(r'msg="mapping source loaded" source=(\S+) .* problems=(\d+)', server.process.text())
        assert sorted(loads) == [("EKSConfigMapFile", "0"), ("MountedFile", "0")], server.process.text()
        status, body = server.post(None, path="/healthz", method="GET")
        assert status == 200, body
        assert kubeconfig.exists()
    finally:
        assert server.stop() == 0


def test_aws_auth_config_map_loads_with_the_servers_loader(tmp_path):
    _, text = config_map_config()
    config = tmp_path / "config.yaml"
    config.write_text(text)
    aws_auth = load_one(KUBERNETES / "aws-auth.yaml")
    assert aws_auth["kind"] == "ConfigMap" and aws_auth["metadata"]["name"] == "aws-auth"
    expected = {
        "arn:aws:sts::111122223333:assumed-role/KubernetesAdmin/alice": ("admin:alice", "system:masters"),
        "arn:aws:sts::111122223333:assumed-role/dev-payments/bob": ("dev:bob", "developers"),
        "arn:aws:iam::111122223333:user/ci": ("ci", "deployers"),
        "arn:aws:sts::111122223333:assumed-role/KubernetesBreakGlass/oncall": ("break-glass:oncall", "system:masters"),
    }
    # The manifest as a file, and as kubelet mounts it: one file per key.
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    for key, value in aws_auth["data"].items():
        (mounted / key).write_text(value)
    for source in (KUBERNETES / "aws-auth.yaml", mounted):
        for arn, (username, group) in expected.items():
            status, out = run_binary("explain", "--config", config, "--aws-auth-path", source, "--arn", arn)
            assert status == 0, out
            assert "problem" not in out.lower(), out
            assert re.search(rf"^  username: {re.escape(username)}$", out, re.M), out
            assert group in out, out
        status, out = run_binary("explain", "--config", config, "--aws-auth-path", source,
                                 "--arn", "arn:aws:iam::111122223333:user/mallory")
        assert status == 1, out


DAEMONSETS = ("daemonset.yaml", "daemonset-eksconfigmap.yaml", "daemonset-crd.yaml")
STATIC_PODS = ("static-pod.yaml", "static-pod-eksconfigmap.yaml")
# The RBAC each API mode's manifests need.
RBAC_FOR_MODE = {"EKSConfigMap": "rbac-eksconfigmap.yaml", "CRD": "rbac-crd.yaml"}


def pod_spec(name):
    document = load_one(KUBERNETES / name)
    if name in STATIC_PODS:
        assert document["kind"] == "Pod" and document["apiVersion"] == "v1"
        return document["spec"]
    assert document["kind"] == "DaemonSet" and document["apiVersion"] == "apps/v1"
    template = document["spec"]["template"]
    assert document["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    return template["spec"]


def pod_specs():
    """(file, pod spec) for every DaemonSet's template and every static pod."""
    return [(name, pod_spec(name)) for name in DAEMONSETS + STATIC_PODS]


def flag_values(args, flag):
    """Every value of `flag` in `args` (`--flag=value` or `--flag value`)."""
    values = []
    for index, arg in enumerate(args):
        if arg.startswith(flag + "="):
            values.append(arg.split("=", 1)[1])
        elif arg == flag:
            values.append(args[index + 1])
    return values


def backend_modes(args):
    """The modes --backend-mode names (repeatable, comma lists), else the config's."""
    given = [mode for value in flag_values(args, "--backend-mode") for mode in value.split(",")]
    if given:
        return given
    config, _ = config_map_config()
    return config["server"]["backendMode"]


@pytest.mark.parametrize("name,spec", pod_specs())
def test_pod_specs_run_the_server_safely_next_to_kube_apiserver(name, spec):
    config, _ = config_map_config()
    port = config["server"]["port"]
    assert spec["hostNetwork"] is True, name
    (container,) = spec["containers"]
    modes = backend_modes(container["args"])
    assert modes and set(modes) <= BACKEND_MODES, (name, modes)
    assert len(set(modes)) == len(modes), (name, modes)
    # Only a pod that reads the API in-cluster gets a token, and then its own account.
    in_cluster = bool(API_MODES & set(modes)) and not flag_values(container["args"], "--kubeconfig")
    assert spec["automountServiceAccountToken"] is in_cluster, name
    assert spec.get("serviceAccountName") == (SERVICE_ACCOUNT if in_cluster else None), name
    if name in STATIC_PODS:
        assert "serviceAccountName" not in spec, f"{name}: a static pod cannot use a ServiceAccount"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == SERVER_UID
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    # Longer than the server's own grace period, so SIGTERM drains first.
    grace = int(config["server"]["shutdownGracePeriod"].rstrip("s"))
    assert spec["terminationGracePeriodSeconds"] > grace

    assert container["image"] == IMAGE
    assert container["args"][0] == "server"
    # Ready once every mapping source has loaded; alive while it answers at all:
    # on the TLS port, or (the API modes' manifests) on the plain-HTTP health
    # listener, upstream's :21363 (config.yaml leaves server.healthAddress alone).
    assert "healthAddress" not in config["server"]
    listeners = {("HTTPS", port, config["server"]["address"]), ("HTTP", 21363, "127.0.0.1")}
    if API_MODES & set(modes):
        listeners = {("HTTP", 21363, "127.0.0.1")}
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = container[probe]["httpGet"]
        assert get["path"] == path, name
        assert (get["scheme"], get["port"], get["host"]) in listeners, name
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert requests["cpu"] and requests["memory"] and limits["memory"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert "add" not in security["capabilities"]
    assert not security.get("privileged")

    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    for mount in mounts.values():
        assert mount["name"] in volumes, f"{name}: mount {mount['name']} has no volume"
        assert "subPath" not in mount, f"{name}: subPath mounts never see updates"

    def mounted_at(path):
        """The mount holding `path` and the host path it maps to, if any."""
        best = max((m for m in mounts if PurePosixPath(path).is_relative_to(m)), key=len, default=None)
        assert best is not None, f"{name}: nothing mounted for {path}"
        volume = volumes[mounts[best]["name"]]
        return mounts[best], volume

    # The files the server writes live on the host, at the same paths, so that
    # kube-apiserver (a static pod with its own mount) reads the kubeconfig.
    for key in ("stateDir", "generateKubeconfig"):
        path = config["server"][key]
        if key == "generateKubeconfig":
            path = str(PurePosixPath(path).parent)
        mount, volume = mounted_at(path)
        assert not mount.get("readOnly"), f"{name}: {path} must be writable"
        assert volume["hostPath"]["path"] == mount["mountPath"] == path, name
    config_flag = next(a for a in container["args"] if a.startswith("--config="))
    _, volume = mounted_at(config_flag.split("=", 1)[1])
    assert "configMap" in volume or "hostPath" in volume


@pytest.mark.parametrize("name", DAEMONSETS)
def test_daemonset_init_container_only_hands_the_host_directories_over(name):
    spec = pod_spec(name)
    assert spec["nodeSelector"] == {"node-role.kubernetes.io/control-plane": ""}
    assert any(t["key"] == "node-role.kubernetes.io/control-plane" for t in spec["tolerations"])
    (init,) = spec["initContainers"]
    command = init["command"]
    assert command[:3] == ["chown", "-R", f"{SERVER_UID}:{SERVER_UID}"]
    host_paths = {v["hostPath"]["path"] for v in spec["volumes"] if "hostPath" in v}
    assert set(command[3:]) == host_paths
    assert {m["mountPath"] for m in init["volumeMounts"]} == host_paths
    assert init["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["CHOWN"]}
    assert init["securityContext"]["allowPrivilegeEscalation"] is False
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["config"]["configMap"]["name"] == load_one(KUBERNETES / "config.yaml")["metadata"]["name"]
    config, _ = config_map_config()
    (main,) = spec["containers"]
    modes = backend_modes(main["args"])
    if "EKSConfigMapFile" in modes:
        assert volumes["aws-auth"]["configMap"]["name"] == "aws-auth"
        aws_auth_mount = next(m for m in main["volumeMounts"] if m["name"] == "aws-auth")
        assert aws_auth_mount["mountPath"] == config["server"]["awsAuthPath"]
    else:
        assert "aws-auth" not in volumes, f"{name}: reads aws-auth through the API, mounts nothing for it"


# --- the Kubernetes API modes: CRD, RBAC, manifests --------------------------


def rbac_objects(name):
    """{kind: [objects]} of an RBAC file."""
    objects = {}
    for document in load_all(KUBERNETES / name):
        objects.setdefault(document["kind"], []).append(document)
    return objects


def granted_rules(name):
    """What each subject of the file's bindings may do: a set of
    (namespace or None for cluster-wide, apiGroup, resource, verb, resourceName or None)."""
    objects = rbac_objects(name)
    roles = {(role["kind"], role["metadata"]["name"]): role
             for role in objects.get("Role", []) + objects.get("ClusterRole", [])}
    granted = {}
    for binding in objects.get("RoleBinding", []) + objects.get("ClusterRoleBinding", []):
        reference = binding["roleRef"]
        assert reference["apiGroup"] == "rbac.authorization.k8s.io"
        role = roles[(reference["kind"], reference["name"])]  # bound in the same file
        if reference["kind"] == "Role":
            assert binding["kind"] == "RoleBinding"
            assert role["metadata"]["namespace"] == binding["metadata"]["namespace"]
        # A RoleBinding grants in its namespace only, whatever it refers to.
        scope = binding["metadata"]["namespace"] if binding["kind"] == "RoleBinding" else None
        for subject in binding["subjects"]:
            key = (subject["kind"], subject.get("namespace"), subject["name"])
            for rule in role["rules"]:
                assert "nonResourceURLs" not in rule
                for text in rule["apiGroups"] + rule["resources"] + rule["verbs"] + rule.get("resourceNames", []):
                    assert "*" not in text, f"{name}: wildcard in {rule}"
                for group in rule["apiGroups"]:
                    for resource in rule["resources"]:
                        for verb in rule["verbs"]:
                            for resource_name in rule.get("resourceNames") or [None]:
                                granted.setdefault(key, set()).add((scope, group, resource, verb, resource_name))
    return granted


SERVICE_ACCOUNT_SUBJECT = ("ServiceAccount", "kube-system", SERVICE_ACCOUNT)
STATIC_POD_USER = ("User", None, "aws-iam-authenticator")

# Exactly what each mode needs, no more: the server lists and watches aws-auth
# with fieldSelector=metadata.name=aws-auth, which kube-apiserver authorizes
# as a request for that one name (so resourceNames covers list and watch);
# IAMIdentityMappings are cluster-scoped (a ClusterRoleBinding), and the only
# write is the status subresource's update (no events, no patch).
LEAST_RULES = {
    "rbac-eksconfigmap.yaml": {("kube-system", "", "configmaps", verb, "aws-auth") for verb in ("get", "list", "watch")},
    "rbac-crd.yaml": {(None, "iamauthenticator.k8s.aws", "iamidentitymappings", verb, None)
                      for verb in ("get", "list", "watch")}
                     | {(None, "iamauthenticator.k8s.aws", "iamidentitymappings/status", "update", None)},
}


@pytest.mark.parametrize("name", sorted(LEAST_RULES))
def test_rbac_grants_each_api_mode_exactly_what_it_needs(name):
    objects = rbac_objects(name)
    assert set(objects) <= {"ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}, name
    (account,) = objects["ServiceAccount"]
    assert (account["metadata"]["name"], account["metadata"]["namespace"]) == (SERVICE_ACCOUNT, "kube-system")
    granted = granted_rules(name)
    assert granted[SERVICE_ACCOUNT_SUBJECT] == LEAST_RULES[name]
    # The static pod's certificate user gets the same, where a static pod exists for the mode.
    assert set(granted) <= {SERVICE_ACCOUNT_SUBJECT, STATIC_POD_USER}
    for subject, rules in granted.items():
        assert rules == LEAST_RULES[name], subject
    if name == "rbac-crd.yaml":
        assert not objects.get("RoleBinding"), "a RoleBinding never grants cluster-scoped iamidentitymappings"


@pytest.mark.parametrize("name", [n for n in DAEMONSETS + STATIC_PODS if API_MODES & set(backend_modes(
    pod_spec(n)["containers"][0]["args"]))])
def test_api_mode_manifests_name_an_account_their_rbac_binds(name):
    spec = pod_spec(name)
    (container,) = spec["containers"]
    modes = {{"ConfigMap": "EKSConfigMap"}.get(mode, mode) for mode in backend_modes(container["args"])}
    for mode in modes & set(RBAC_FOR_MODE):
        granted = granted_rules(RBAC_FOR_MODE[mode])
        if name in STATIC_PODS:
            # No ServiceAccount: a client certificate's user, through --kubeconfig on a mounted host path.
            (kubeconfig,) = flag_values(container["args"], "--kubeconfig")
            assert any(PurePosixPath(kubeconfig).is_relative_to(m["mountPath"]) for m in container["volumeMounts"])
            assert STATIC_POD_USER in granted, name
            assert "CN=aws-iam-authenticator" in (KUBERNETES / name).read_text().replace("/CN=", "CN="), name
        else:
            assert not flag_values(container["args"], "--kubeconfig"), f"{name}: in-cluster, with its ServiceAccount"
            assert SERVICE_ACCOUNT_SUBJECT in granted, name
            assert spec["serviceAccountName"] == SERVICE_ACCOUNT


def crd_version():
    crd = load_one(KUBERNETES / "iamidentitymapping-crd.yaml")
    assert (crd["apiVersion"], crd["kind"]) == ("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    spec = crd["spec"]
    assert crd["metadata"]["name"] == f"{spec['names']['plural']}.{spec['group']}"
    assert (spec["group"], spec["scope"]) == ("iamauthenticator.k8s.aws", "Cluster")
    assert (spec["names"]["kind"], spec["names"]["plural"], spec["names"]["singular"]) == (
        "IAMIdentityMapping", "iamidentitymappings", "iamidentitymapping")
    (version,) = spec["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    return version


def schema_problems(schema, value, where="object"):
    """The structural-schema subset the CRD uses: type, properties, required, items."""
    kind = schema.get("type")
    expected = {"object": dict, "string": str, "array": list}
    if kind and not isinstance(value, expected[kind]):
        return [f"{where}: not a {kind}"]
    problems = []
    if kind == "object":
        problems += [f"{where}.{key}: required" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += schema_problems(sub, value[key], f"{where}.{key}")
        unknown = set(value) - set(schema.get("properties", {}))
        if schema.get("properties") and where != "object.metadata":
            problems += [f"{where}.{key}: unknown field" for key in sorted(unknown)]
    if kind == "array":
        for index, item in enumerate(value):
            problems += schema_problems(schema["items"], item, f"{where}[{index}]")
    return problems


def test_crd_is_upstreams_kind_with_a_status_subresource_and_printer_columns():
    version = crd_version()
    assert version["subresources"] == {"status": {}}  # the server writes status with update on /status
    schema = version["schema"]["openAPIV3Schema"]
    spec = schema["properties"]["spec"]
    assert sorted(spec["required"]) == ["arn", "username"]
    assert {key: value["type"] for key, value in spec["properties"].items()} == {
        "arn": "string", "username": "string", "groups": "array"}
    assert spec["properties"]["groups"]["items"] == {"type": "string"}
    status = schema["properties"]["status"]["properties"]
    assert {key: value["type"] for key, value in status.items()} == {"canonicalARN": "string", "userID": "string"}
    # Every printer column shows a field the schema has.
    columns = {column["name"]: column["jsonPath"] for column in version["additionalPrinterColumns"]}
    assert columns["ARN"] == ".spec.arn" and columns["Username"] == ".spec.username"
    assert columns["CanonicalARN"] == ".status.canonicalARN"
    for path in columns.values():
        if path.startswith(".metadata."):
            continue  # ObjectMeta's fields, not the schema's
        node = schema
        for part in path.lstrip(".").split("."):
            node = node["properties"][part]

    # The example passes the schema; objects without arn or username do not.
    example = load_one(KUBERNETES / "example-iamidentitymapping.yaml")
    assert example["apiVersion"] == "iamauthenticator.k8s.aws/v1alpha1" and example["kind"] == "IAMIdentityMapping"
    assert schema_problems(schema, example) == []
    for missing in ("arn", "username"):
        broken = copy.deepcopy(example)
        del broken["spec"][missing]
        assert schema_problems(schema, broken) == [f"object.spec.{missing}: required"]
    broken = copy.deepcopy(example)
    broken["spec"]["groups"] = "system:masters"
    assert schema_problems(schema, broken) == ["object.spec.groups: not a array"]


KUBE_APISERVER_MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.30.0
    command:
    - kube-apiserver
    - --advertise-address=10.0.0.10
    - --authorization-mode=Node,RBAC
    volumeMounts:
    - name: k8s-certs
      mountPath: /etc/kubernetes/pki
      readOnly: true
  hostNetwork: true
  volumes:
  - name: k8s-certs
    hostPath:
      path: /etc/kubernetes/pki
      type: DirectoryOrCreate
"""


def apply_json_patch(document, operations):
    """RFC 6902, the subset kubeadm patches here use: `add`, with `-` for
    the end of a list."""
    document = copy.deepcopy(document)
    for operation in operations:
        assert operation["op"] == "add", operation
        *parents, last = operation["path"].lstrip("/").split("/")
        target = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            assert last == "-" or last.isdigit()
            target.insert(len(target) if last == "-" else int(last), operation["value"])
        else:
            target[last] = operation["value"]
    return document


def kube_apiserver_flags(command):
    return dict(arg[2:].split("=", 1) for arg in command if arg.startswith("--"))


def test_kubeadm_patch_points_kube_apiserver_at_the_generated_kubeconfig():
    patch_file = KUBERNETES / "kubeadm-patches" / "kube-apiserver+json.yaml"
    # kubeadm's --patches naming: target[suffix][+patchtype].extension
    assert re.fullmatch(r"kube-apiserver\+json\.yaml", patch_file.name)
    patched = apply_json_patch(yaml.safe_load(KUBE_APISERVER_MANIFEST), load_one(patch_file))
    (container,) = patched["spec"]["containers"]
    flags = kube_apiserver_flags(container["command"])
    config, _ = config_map_config()
    kubeconfig = config["server"]["generateKubeconfig"]
    assert flags["authentication-token-webhook-config-file"] == kubeconfig
    assert flags["authentication-token-webhook-version"] == "v1"
    assert re.fullmatch(r"\d+[smh]", flags["authentication-token-webhook-cache-ttl"])
    assert flags["authorization-mode"] == "Node,RBAC"  # the existing flags stay
    mount = next(m for m in container["volumeMounts"] if PurePosixPath(kubeconfig).is_relative_to(m["mountPath"]))
    assert mount["readOnly"] is True
    volume = next(v for v in patched["spec"]["volumes"] if v["name"] == mount["name"])
    assert volume["hostPath"]["path"] == mount["mountPath"]

    # The ClusterConfiguration variant says the same.
    cluster = load_one(KUBERNETES / "kubeadm-cluster-configuration.yaml")
    assert cluster["kind"] == "ClusterConfiguration"
    assert cluster["apiServer"]["extraArgs"] == {key: value for key, value in flags.items()
                                                 if key.startswith("authentication-token-webhook")}
    (extra,) = cluster["apiServer"]["extraVolumes"]
    assert (extra["hostPath"], extra["mountPath"], extra["readOnly"]) == (volume["hostPath"]["path"],
                                                                          mount["mountPath"], True)


def test_the_kubeconfig_the_server_writes_is_one_kube_apiserver_can_use(tmp_path):
    """The webhook kubeconfig the patched kube-apiserver will read."""
    server = harness.Server(tmp_path)
    try:
        server.wait_ready()
        kubeconfig = yaml.safe_load(server.kubeconfig.read_text())
    finally:
        server.stop()
    (cluster,) = kubeconfig["clusters"]
    assert cluster["cluster"]["server"] == f"https://localhost:{server.port}/authenticate"  # upstream's default host
    authority = base64.b64decode(cluster["cluster"]["certificate-authority-data"])
    assert authority == server.ca_file.read_bytes()
    assert kubeconfig["current-context"] in {c["name"] for c in kubeconfig["contexts"]}


# --- the container image ----------------------------------------------------


def dockerfile_stages():
    """{stage name: its instructions, continuation lines joined}."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    stages, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction.upper() == "FROM":
            base, _, name = rest.partition(" AS ")
            current = stages.setdefault(name.strip(), [])
            current.append(("FROM", base.strip()))
        else:
            current.append((instruction.upper(), rest.strip()))
    return stages


def apt_packages(instructions):
    packages = set()
    for instruction, rest in instructions:
        if instruction == "RUN" and "apt-get install" in rest:
            words = rest.split("apt-get install", 1)[1].split("&&")[0].split()
            packages |= {w for w in words if not w.startswith("-")}
    return packages


def owning_package(library):
    """The Debian package that ships `library` (merged /usr: try both)."""
    candidates = {library, os.path.realpath(library)}
    for path in list(candidates):
        if path.startswith("/usr/"):
            candidates.add(path[4:])
        else:
            candidates.add("/usr" + path)
    for path in candidates:
        result = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True, timeout=30)
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].strip()
    raise AssertionError(f"no Debian package ships {library}")


# In every Debian image (Priority: required); the sanitizer runtimes only in
# sanitizer builds, which the image never is.
BASE_PACKAGES = {"libc6", "libgcc-s1"}
SANITIZER_RUNTIME = re.compile(r"lib(asan|ubsan|tsan|lsan)\.so")


def test_runtime_image_has_a_package_for_every_library_the_binary_links():
    stages = dockerfile_stages()
    assert set(stages) == {"build", "runtime"}
    assert ("FROM", "debian:bookworm") in stages["build"]
    assert ("FROM", "debian:bookworm-slim") in stages["runtime"]
    runtime_packages = apt_packages(stages["runtime"])
    result = subprocess.run(["ldd", str(harness.SERVER)], capture_output=True, text=True, timeout=30, check=True)
    needed = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+) => (\S+)", line)
        if match and not SANITIZER_RUNTIME.match(match.group(1)):
            needed[match.group(1)] = owning_package(match.group(2))
    assert "libssl.so.3" in needed and "libyaml-cpp.so.0.7" in needed, needed
    missing = {lib: pkg for lib, pkg in needed.items() if pkg not in runtime_packages | BASE_PACKAGES}
    assert not missing, f"deploy/Dockerfile's runtime stage lacks {missing}"
    unused = runtime_packages - set(needed.values()) - {"ca-certificates"}
    assert not unused, f"runtime packages no library needs: {unused}"
    assert "ca-certificates" in runtime_packages  # STS's certificate is verified


def test_build_stage_installs_what_install_deps_lists_for_the_libraries():
    stages = dockerfile_stages()
    build_packages = apt_packages(stages["build"])
    install_deps = (ROOT / "scripts" / "install-deps.sh").read_text()
    libraries = re.search(r"# libraries.*?\n(.*?)\n\s*#", install_deps, re.S).group(1).split()
    assert libraries and set(libraries) <= build_packages, set(libraries) - build_packages


def test_image_runs_the_server_as_the_manifests_user():
    runtime = dict(dockerfile_stages()["runtime"])
    user = runtime["USER"].split(":")
    assert user == [str(SERVER_UID), str(SERVER_UID)]
    copied_to = runtime["COPY"].split()[-1]
    entrypoint = yaml.safe_load(runtime["ENTRYPOINT"])  # JSON arrays are YAML
    assert entrypoint == [copied_to]
    assert yaml.safe_load(runtime["CMD"])[0] == "server"
    config, _ = config_map_config()
    assert runtime["EXPOSE"] == str(config["server"]["port"])


# --- systemd ----------------------------------------------------------------


def unit_exec_start():
    text = SERVICE.read_text().replace("\\\n", " ")
    return shlex.split(re.search(r"^ExecStart=(.*)$", text, re.M).group(1))


def test_systemd_unit_verifies_and_is_hardened(tmp_path):
    # Skipped where systemd-analyze is missing, except under CI=true: there it fails.
    systemd_analyze = harness.require_tool("systemd-analyze", "systemd")
    text = SERVICE.read_text()
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "DynamicUser=yes", "CapabilityBoundingSet=\n",
                    "ExecReload=/bin/kill -HUP $MAINPID"):
        assert setting in text, setting
    # verify needs the binary to exist: point ExecStart at the built one.
    unit = tmp_path / SERVICE.name
    unit.write_text(text.replace("/usr/local/bin/aws-iam-authenticator", str(harness.SERVER)))
    result = subprocess.run([systemd_analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if SERVICE.name in line or "ExecStart" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)],
                            capture_output=True, text=True, timeout=60)
    exposure = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert exposure, result.stdout + result.stderr
    assert float(exposure.group(1)) <= 2.0, result.stdout  # systemd calls up to 2.0 "OK"


def test_systemd_unit_command_line_starts_the_server(tmp_path):
    args = unit_exec_start()
    assert args[0] == "/usr/local/bin/aws-iam-authenticator" and args[1] == "server"
    # The same flags with the paths moved into the test's directory.
    config_text = (DEPLOY / "systemd" / "config.yaml").read_text()
    config = yaml.safe_load(config_text)
    aws_auth = tmp_path / "aws-auth.yaml"
    shutil.copy(KUBERNETES / "aws-auth.yaml", aws_auth)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(config_text.replace(config["server"]["awsAuthPath"], str(aws_auth))
                           .replace("port: 21362", "port: 0"))
    replacements = {"/etc/aws-iam-authenticator/config.yaml": config_file,
                    "/var/lib/aws-iam-authenticator": tmp_path / "state"}
    moved = []
    for arg in args[2:]:
        for old, new in replacements.items():
            arg = arg.replace(old, str(new))
        moved.append(arg)
    kubeconfig = Path(moved[moved.index("--generate-kubeconfig") + 1])
    process = harness.Process([harness.SERVER, "server", *moved], env=harness.server_environment(tmp_path))
    try:
        process.wait_for_line(r'msg=listening')
        process.wait_for_text("mapping source loaded")
        assert kubeconfig.exists()
        assert (tmp_path / "state" / "cert.pem").exists()
    finally:
        assert process.stop() == 0


# --- the API modes' manifests against the emulated API, with only their RBAC --


def emulator_rules(grants):
    """The emulator's rule table (bench/kube_emulator/auth.py) for one subject's grants."""
    rules = []
    for scope, group, resource, verb, resource_name in sorted(grants, key=str):
        rule = {"verbs": [verb], "apiGroups": [group], "resources": [resource]}
        if scope is not None:
            rule["namespaces"] = [scope]
        if resource_name is not None:
            rule["resourceNames"] = [resource_name]
        rules.append(rule)
    return rules


SERVER_TOKEN = "aws-iam-authenticator-sa-token-0123456789"


def start_manifest_server(tmp_path, name, api, kubeconfig):
    """The server with the manifest's own arguments and config.yaml's config,
    only the file locations moved, the API kubeconfig the test's."""
    (container,) = pod_spec(name)["containers"]
    _, text = config_map_config()
    config, _ = config_map_config()
    for old, new in ((config["server"]["stateDir"], tmp_path / "state"),
                     (config["server"]["generateKubeconfig"], tmp_path / "webhook.yaml")):
        text = text.replace(old, str(new))
    text = text.replace("port: 21362", "port: 0")
    args = []
    for arg in container["args"][1:]:
        if arg.startswith("--config="):
            continue
        if arg.startswith("--kubeconfig="):
            arg = f"--kubeconfig={kubeconfig}"
        args.append(arg)
    if not flag_values(args, "--kubeconfig"):
        # In-cluster in the pod (the token kubelet mounts); the same token through a kubeconfig here.
        args.append(f"--kubeconfig={kubeconfig}")
    return harness.Server(tmp_path / "server", config_text=text, args=args).wait_ready()


def readyz(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.health_port, timeout=harness.scaled(5))
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status
    finally:
        connection.close()


def api_loads(server):
    """(source, roles, users) of each JSON `mapping source loaded` line."""
    loads = []
    for line in server.process.text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry["msg"] in ("mapping source loaded", "mapping source reloaded"):
                loads.append((entry["source"], entry["roles"], entry["users"]))
    return loads


@pytest.fixture
def kube_api(tmp_path):
    started = []

    def start(users):
        emulator = kube.KubeEmulator(tmp_path / "kube", users=kube.default_users() + users,
                                     client_certs=("admin", STATIC_POD_USER[2]))
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.mark.parametrize("name", ["daemonset-eksconfigmap.yaml", "static-pod-eksconfigmap.yaml"])
def test_eksconfigmap_manifests_read_aws_auth_with_only_their_rbac(tmp_path, kube_api, name):
    grants = granted_rules("rbac-eksconfigmap.yaml")
    static = name in STATIC_PODS
    subject = STATIC_POD_USER if static else SERVICE_ACCOUNT_SUBJECT
    api = kube_api([{"name": STATIC_POD_USER[2] if static else "service-account",
                     "tokens": [] if static else [SERVER_TOKEN], "rules": emulator_rules(grants[subject])}])
    kubeconfig = api.kubeconfig(tmp_path / "api-kubeconfig.json", user=STATIC_POD_USER[2]) if static \
        else api.kubeconfig(tmp_path / "api-kubeconfig.json", token=SERVER_TOKEN)
    server = start_manifest_server(tmp_path, name, api, kubeconfig)
    try:
        # No aws-auth yet is an answer too (no mappings from it, as upstream): ready.
        harness.wait_until(lambda: readyz(server) == 200, what="/readyz once aws-auth is read")
        api.ok("POST", "/api/v1/namespaces/kube-system/configmaps", load_one(KUBERNETES / "aws-auth.yaml"))
        harness.wait_until(lambda: ("EKSConfigMap", "3", "1") in api_loads(server), what="aws-auth's mappings")
        log = server.process.text()
        assert "cannot read a mapping source" not in log, log  # never refused, never failed
    finally:
        assert server.stop() == 0


def test_crd_manifests_map_the_example_with_only_their_rbac(tmp_path, kube_api):
    grants = granted_rules("rbac-crd.yaml")
    api = kube_api([{"name": "service-account", "tokens": [SERVER_TOKEN],
                     "rules": emulator_rules(grants[SERVICE_ACCOUNT_SUBJECT])}])
    kubectl = kube.kubectl_runner(tmp_path, api.kubeconfig(tmp_path / "admin.json"))
    # The emulator serves the kind itself (it has no CRD registry), hence --validate=false.
    applied = kubectl("apply", "--validate=false", "-f", str(KUBERNETES / "example-iamidentitymapping.yaml"))
    assert applied.returncode == 0, applied.stderr
    assert "iamidentitymapping.iamauthenticator.k8s.aws/kubernetes-admin created" in applied.stdout
    server = start_manifest_server(tmp_path, "daemonset-crd.yaml", api,
                                   api.kubeconfig(tmp_path / "api-kubeconfig.json", token=SERVER_TOKEN))
    try:
        harness.wait_until(lambda: readyz(server) == 200, what="/readyz once the mappings are read")
        example = load_one(KUBERNETES / "example-iamidentitymapping.yaml")

        def written():
            result = kubectl("get", "iamidentitymappings", example["metadata"]["name"], "-o", "json")
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout).get("status", {}).get("canonicalARN")

        harness.wait_until(lambda: written() is not None, what="status.canonicalARN")
        assert written() == example["spec"]["arn"].lower()
        log = server.process.text()
        assert "cannot read a mapping source" not in log, log  # never refused, never failed
    finally:
        assert server.stop() == 0


def refusals(server):
    """The JSON `cannot read a mapping source` lines."""
    return [entry for entry in (json.loads(line) for line in server.process.text().splitlines()
                                if line.startswith("{"))
            if entry["msg"] == "cannot read a mapping source from the Kubernetes API; retrying"]


def test_crd_rbac_bound_in_a_namespace_only_is_not_enough(tmp_path, kube_api):
    """Upstream's example binds its ClusterRole with a RoleBinding in kube-system:
    that grants nothing on cluster-scoped objects, and the server says so."""
    grants = {(("kube-system",) + grant[1:]) for grant in granted_rules("rbac-crd.yaml")[SERVICE_ACCOUNT_SUBJECT]}
    api = kube_api([{"name": "service-account", "tokens": [SERVER_TOKEN], "rules": emulator_rules(grants)}])
    server = start_manifest_server(tmp_path, "daemonset-crd.yaml", api,
                                   api.kubeconfig(tmp_path / "api-kubeconfig.json", token=SERVER_TOKEN))
    try:
        harness.wait_until(lambda: refusals(server), what="the refusal")
        (refusal, *_) = refusals(server)
        assert refusal["source"] == "CRD" and "403" in refusal["error"], refusal
        assert "iamidentitymappings.iamauthenticator.k8s.aws" in refusal["hint"], refusal
        assert readyz(server) == 503
    finally:
        assert server.stop() == 0


def kops_argument_lists():
    """{backend mode: args} from the YAML blocks of deploy/kubernetes/kops-args.md."""
    text = (KUBERNETES / "kops-args.md").read_text()
    blocks = re.findall(r"```yaml\n# kops-args: (\S+)\n(.*?)```", text, re.S)
    assert len(blocks) == 2, blocks
    return {mode: yaml.safe_load(body) for mode, body in blocks}


@pytest.mark.parametrize("mode", sorted(kops_argument_lists()))
def test_kops_style_arguments_start_the_server_on_the_api_modes(tmp_path, kube_api, mode):
    args = kops_argument_lists()[mode]
    assert args[0] == "server" and flag_values(args, "--backend-mode") == [mode]
    assert set(mode.split(",")) <= BACKEND_MODES
    # kops's RBAC is wider than ours; ours is enough.
    grants = set()
    for single in mode.split(","):
        if single in RBAC_FOR_MODE:
            grants |= granted_rules(RBAC_FOR_MODE[single])[SERVICE_ACCOUNT_SUBJECT]
    api = kube_api([{"name": "service-account", "tokens": [SERVER_TOKEN], "rules": emulator_rules(grants)}])
    config = tmp_path / "config.yaml"
    config.write_text(f"clusterID: {harness.CLUSTER_ID}\nserver:\n  mapRoles: []\n")
    state = tmp_path / "state"
    state.mkdir()
    cert_pem, key_pem, _ = make_pair(host="127.0.0.1")  # kops's PKI puts the pair there
    (state / "cert.pem").write_bytes(cert_pem)
    (state / "key.pem").write_bytes(key_pem)
    (state / "key.pem").chmod(0o600)
    moved = {"/etc/aws-iam-authenticator/config.yaml": config, "/var/aws-iam-authenticator": state}
    arguments = []
    for arg in args:
        for old, new in moved.items():
            arg = arg.replace(old, str(new))
        arguments.append(arg)
    # The test's additions: a free port, where the webhook kubeconfig would be, the
    # API through a kubeconfig (in-cluster in kops's pods).
    arguments += ["--port", "0", f"--generate-kubeconfig={tmp_path / 'webhook.yaml'}",
                  f"--kubeconfig={api.kubeconfig(tmp_path / 'api.json', token=SERVER_TOKEN)}"]
    process = harness.Process([harness.SERVER, *arguments], env=harness.server_environment(tmp_path))
    try:
        port = int(process.wait_for_line(r'msg="health listener" .*port=(\d+)').group(1))
        process.wait_for_line(r"msg=listening")

        def ready():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=harness.scaled(5))
            try:
                connection.request("GET", "/readyz")
                return connection.getresponse().status == 200
            finally:
                connection.close()

        harness.wait_until(ready, what="/readyz")
        for single in mode.split(","):
            harness.wait_until(lambda: re.search(rf'msg="mapping source loaded" .*source={single}\b', process.text()),
                               what=f"{single} loaded")
        assert "cannot read a mapping source" not in process.text(), process.text()
        assert not (tmp_path / "webhook.yaml").exists()  # pregenerated: left alone
    finally:
        assert process.stop() == 0


def test_static_pod_openssl_recipe_makes_a_client_certificate_kubeconfig(tmp_path):
    """The openssl and kubectl commands in static-pod-eksconfigmap.yaml's
    comment, run as written with a throwaway cluster CA in place of
    /etc/kubernetes/pki and the test's directory in place of the host's."""
    openssl = harness.require_tool("openssl", "openssl")
    kubectl = harness.require_tool("kubectl", "kubernetes-client")
    text = (KUBERNETES / "static-pod-eksconfigmap.yaml").read_text()
    recipe = re.search(r"^# or with openssl and kubectl.*?\n(.*?)^# The certificate expires", text, re.S | re.M).group(1)
    # The indented lines are the commands; the others are prose.
    script = "\n".join(line[4:] for line in recipe.splitlines() if line.startswith("#   "))
    script = script.replace("\\\n", " ")
    pki = tmp_path / "pki"
    pki.mkdir()
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=kubernetes", "-days", "2", "-keyout", str(pki / "ca.key"), "-out", str(pki / "ca.crt")],
                   check=True, capture_output=True, timeout=60)
    host_dir = tmp_path / "host"
    host_dir.mkdir()
    script = (script.replace("/etc/kubernetes/pki", str(pki))
              .replace("/etc/kubernetes/aws-iam-authenticator", str(host_dir))
              .replace("SERVER", "https://10.0.0.10:6443")
              .replace("chown 10000:10000", "true"))  # the test is not root everywhere
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, HOME=str(tmp_path), PATH=f"{Path(kubectl).parent}:{os.environ['PATH']}"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in host_dir.iterdir()) == ["api-kubeconfig.yaml"]  # the key went into it
    assert (host_dir / "api-kubeconfig.yaml").stat().st_mode & 0o077 == 0

    config = yaml.safe_load((host_dir / "api-kubeconfig.yaml").read_text())
    (context,) = config["contexts"]
    assert config["current-context"] == context["name"]
    (user,) = config["users"]
    assert user["name"] == context["context"]["user"]
    (cluster,) = config["clusters"]
    assert cluster["cluster"]["server"] == "https://10.0.0.10:6443"
    assert base64.b64decode(cluster["cluster"]["certificate-authority-data"]) == (pki / "ca.crt").read_bytes()
    certificate = tmp_path / "client.crt"
    certificate.write_bytes(base64.b64decode(user["user"]["client-certificate-data"]))
    verified = subprocess.run([openssl, "verify", "-purpose", "sslclient", "-CAfile", str(pki / "ca.crt"),
                               str(certificate)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    subject = subprocess.run([openssl, "x509", "-noout", "-subject", "-in", str(certificate)],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    # The user rbac-eksconfigmap.yaml binds.
    assert re.search(r"CN ?= ?aws-iam-authenticator$", subject.strip()), subject
    assert STATIC_POD_USER in granted_rules("rbac-eksconfigmap.yaml")
