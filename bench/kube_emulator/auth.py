"""Who is calling, and may they: the emulator's CA and certificates, and the
RBAC-like rule table (`--auth FILE`, JSON or YAML, re-read when it changes).

File format:

    users:
    - name: admin                 # the user name; a client cert with CN=admin is this user
      tokens: [admin-token]       # bearer tokens that authenticate as this user
      rules:
      - verbs: ["*"]              # get list watch create update patch delete ("*" = all)
        apiGroups: ["*"]          # "" is the core group
        resources: ["*"]          # e.g. configmaps, iamidentitymappings, iamidentitymappings/status
        namespaces: [kube-system] # optional; absent = every namespace and the cluster scope
        resourceNames: [aws-auth] # optional; list/watch then need fieldSelector metadata.name=<one of them>
"""

import datetime
import ipaddress
import os
import threading

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name, organization=None):
    attributes = []
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _write_key(path, key):
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.chmod(path, 0o600)


class CertificateAuthority:
    """A throwaway CA in the state directory: signs the server certificate
    and, on request, client certificates (CN = user name)."""

    def __init__(self, state_dir):
        self.dir = state_dir
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.name = _name("kube-emulator-ca")
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = self.dir / "ca.crt"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, stem, common_name, organization=None, server=False):
        """Writes <stem>.crt and <stem>.key; returns their paths."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organization)).issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                                  else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        )
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        cert_path, key_path = self.dir / f"{stem}.crt", self.dir / f"{stem}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key_path, key)
        return cert_path, key_path


VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")


class AuthError(Exception):
    pass


def _strings(value, what):
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AuthError(f"{what} must be a list of strings")
    return value


def parse_rules(text):
    """{token: user}, {user: [rule]} from the file's text."""
    data = yaml.safe_load(text) if text.strip() else {}
    if not isinstance(data, dict) or not isinstance(data.get("users", []), list):
        raise AuthError("the auth file must be a mapping with a `users` list")
    tokens, rules = {}, {}
    for user in data.get("users", []):
        if not isinstance(user, dict) or not isinstance(user.get("name"), str) or not user["name"]:
            raise AuthError("every user needs a non-empty `name`")
        name = user["name"]
        for token in _strings(user.get("tokens", []), f"{name}: tokens"):
            tokens[token] = name
        parsed = []
        for rule in user.get("rules", []) or []:
            if not isinstance(rule, dict):
                raise AuthError(f"{name}: every rule must be a mapping")
            parsed.append({
                "verbs": _strings(rule.get("verbs", []), f"{name}: verbs"),
                "apiGroups": _strings(rule.get("apiGroups", []), f"{name}: apiGroups"),
                "resources": _strings(rule.get("resources", []), f"{name}: resources"),
                "namespaces": _strings(rule.get("namespaces"), f"{name}: namespaces"),
                "resourceNames": _strings(rule.get("resourceNames"), f"{name}: resourceNames"),
            })
        rules[name] = parsed
    return tokens, rules


def _covers(allowed, value):
    return "*" in allowed or value in allowed


class Authorizer:
    """The rule table; re-read when the file's mtime or size changes (checked
    on each request) or when reload() is called."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.tokens, self.rules = {}, {}
        self.stamp = None
        self.reloads = 0
        self.last_error = None
        if path is not None:
            self.reload(force=True, strict=True)

    def reload(self, force=False, strict=False):
        if self.path is None:
            return
        try:
            info = os.stat(self.path)
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
            if not force and stamp == self.stamp:
                return
            with open(self.path, encoding="utf-8") as handle:
                tokens, rules = parse_rules(handle.read())
        except (OSError, AuthError, yaml.YAMLError) as error:
            if strict:
                raise AuthError(f"{self.path}: {error}") from error
            self.last_error = str(error)  # the last good table stays
            return
        with self.lock:
            self.tokens, self.rules, self.stamp = tokens, rules, stamp
            self.reloads += 1
            self.last_error = None

    def user_for_token(self, token):
        self.reload()
        with self.lock:
            return self.tokens.get(token)

    def allowed(self, user, verb, group, resource, namespace, name, field_name):
        """Whether `user` may do `verb` on `resource` (possibly "x/status").
        `field_name` is the metadata.name a list/watch is narrowed to."""
        self.reload()
        with self.lock:
            rules = self.rules.get(user, [])
        for rule in rules:
            if not (_covers(rule["verbs"], verb) and _covers(rule["apiGroups"], group)
                    and _covers(rule["resources"], resource)):
                continue
            if rule["namespaces"] is not None and (namespace is None or not _covers(rule["namespaces"], namespace)):
                continue
            if rule["resourceNames"] is not None:
                target = name if name is not None else field_name
                if target is None or target not in rule["resourceNames"]:
                    continue
            return True
        return False

    def describe(self):
        with self.lock:
            return {"users": sorted(self.rules), "tokens": len(self.tokens), "reloads": self.reloads,
                    "last_error": self.last_error}


def forbidden_message(user, verb, group, resource, namespace, name):
    """The real authorizer's wording."""
    subresource = ""
    if "/" in resource:
        resource, subresource = resource.split("/", 1)
    what = f'{resource} "{name}"' if name else resource
    scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    resource_text = f'"{resource}/{subresource}"' if subresource else f'"{resource}"'
    return (f'{what} is forbidden: User "{user}" cannot {verb} resource {resource_text} '
            f'in API group "{group}"{scope}')

