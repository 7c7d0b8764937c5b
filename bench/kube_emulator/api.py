"""The API semantics, without HTTP: discovery documents, Status objects,
validation, and create/update/patch/delete on the store. Functions return
(code, body) or raise ApiError carrying a Status."""

import base64
import copy
import json
import re

import yaml

import patches
from store import CONFIGMAPS, GROUP, IAM_IDENTITY_MAPPINGS, NAMESPACES, RESOURCES, Expired


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.status = status(code, reason, message, details)
        self.code = code


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


def details(resource, name=None, **extra):
    out = {}
    if name:
        out["name"] = name
    if resource.group:
        out["group"] = resource.group
    out["kind"] = resource.plural
    out.update(extra)
    return out


def not_found(resource, name):
    return ApiError(404, "NotFound", f'{resource.qualified} "{name}" not found', details(resource, name))


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def conflict(resource, name):
    return ApiError(409, "Conflict",
                    f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object has been modified; '
                    "please apply your changes to the latest version and try again", details(resource, name))


def expired(error):
    return ApiError(410, "Expired", str(error))


# --- discovery ---------------------------------------------------------------

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
           "platform": "linux/amd64", "emulator": "bench/kube_emulator"}


def api_versions(address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}


def _group_version():
    return {"groupVersion": f"{GROUP}/v1alpha1", "version": "v1alpha1"}


def api_group():
    return {"kind": "APIGroup", "apiVersion": "v1", "name": GROUP, "versions": [_group_version()],
            "preferredVersion": _group_version()}


def api_group_list():
    group = api_group()
    del group["kind"], group["apiVersion"]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [group]}


def _resource_entry(resource):
    entry = {"name": resource.plural, "singularName": resource.singular, "namespaced": resource.namespaced,
             "kind": resource.kind, "verbs": sorted(resource.verbs)}
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    return entry


def resource_list(group, version):
    entries = []
    for resource in RESOURCES:
        if resource.group == group and resource.version == version:
            entries.append(_resource_entry(resource))
            if resource.status_subresource:
                entries.append({"name": resource.plural + "/status", "singularName": "",
                                "namespaced": resource.namespaced, "kind": resource.kind,
                                "verbs": ["get", "patch", "update"]})
    group_version = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": entries}


def find_resource(group, version, plural):
    for resource in RESOURCES:
        if (resource.group, resource.version, resource.plural) == (group, version, plural):
            return resource
    return None


# --- selectors ----------------------------------------------------------------

def parse_field_selector(text, resource):
    """[(field, op, value)] for metadata.name / metadata.namespace; 400 otherwise."""
    terms = []
    for term in filter(None, (part.strip() for part in (text or "").split(","))):
        match = re.fullmatch(r"([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)", term)
        if not match:
            raise ApiError(400, "BadRequest", f'invalid selector: \'{text}\'; can\'t understand \'{term}\'')
        field, op, value = match.groups()
        if field not in ("metadata.name", "metadata.namespace"):
            raise ApiError(400, "BadRequest",
                           f'"{field}" is not a known field selector: only "metadata.name", "metadata.namespace"')
        terms.append((field, "!=" if op == "!=" else "=", value))
    return terms


def parse_label_selector(text):
    """[(key, op, values)] with op in = != in notin exists !exists."""
    terms = []
    text = text or ""
    for term in re.findall(r"[^,(]+(?:\([^)]*\))?", text):
        term = term.strip()
        if not term:
            continue
        match = re.fullmatch(r"([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)", term)
        if match:
            terms.append((match.group(1), match.group(2), {v.strip() for v in match.group(3).split(",") if v.strip()}))
            continue
        match = re.fullmatch(r"([\w./-]+)\s*(==|!=|=)\s*([\w./-]*)", term)
        if match:
            terms.append((match.group(1), "!=" if match.group(2) == "!=" else "=", {match.group(3)}))
            continue
        match = re.fullmatch(r"(!?)\s*([\w./-]+)", term)
        if match:
            terms.append((match.group(2), "!exists" if match.group(1) else "exists", set()))
            continue
        raise ApiError(400, "BadRequest", f"unable to parse requirement: found '{term}'")
    return terms


def field_name(terms):
    for field, op, value in terms:
        if field == "metadata.name" and op == "=":
            return value
    return None


def matches(obj, field_terms, label_terms):
    metadata = obj.get("metadata", {})
    for field, op, value in field_terms:
        actual = metadata.get(field.split(".", 1)[1], "")
        if (actual == value) != (op == "="):
            return False
    labels = metadata.get("labels") or {}
    for key, op, values in label_terms:
        present = key in labels
        if op == "exists" and not present or op == "!exists" and present:
            return False
        if op in ("=", "in") and (not present or labels[key] not in values):
            return False
        if op in ("!=", "notin") and present and labels[key] in values:
            return False
    return True


# --- bodies and validation ----------------------------------------------------------

DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


def decode_body(body, content_type):
    """The JSON object in a create/update body (JSON, YAML or protobuf)."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    try:
        if media == "application/json":
            obj = json.loads(body.decode("utf-8") if body else "")
        elif media == "application/yaml":
            obj = yaml.safe_load(body.decode("utf-8"))
        elif media == "application/vnd.kubernetes.protobuf":
            obj = patches.decode_protobuf_configmap(body)
        else:
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media types include: "
                           "application/json, application/yaml, application/vnd.kubernetes.protobuf")
    except (ValueError, yaml.YAMLError, patches.PatchError) as error:
        raise ApiError(400, "BadRequest", f"the object provided is unrecognized: {error}") from None
    if not isinstance(obj, dict):
        raise ApiError(400, "BadRequest", "the object provided is unrecognized: expected a JSON object")
    return obj


def invalid(resource, name, causes):
    """422 with the real server's shape: `Kind "name" is invalid: field: msg`."""
    kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    texts = [f"{field}: {message}" for field, _, message in causes]
    summary = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {summary}',
                    {"name": name, **({"group": resource.group} if resource.group else {}), "kind": resource.kind,
                     "causes": [{"reason": reason, "message": message, "field": field}
                                for field, reason, message in causes]})


def _name_causes(name):
    if not name:
        return [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]
    if len(name) > 253 or not DNS_SUBDOMAIN.fullmatch(name):
        return [("metadata.name", "FieldValueInvalid",
                 f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
                 "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                 "'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    return []


def _string_map(obj, field, what):
    value = obj.get(field)
    if value is None:
        return
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ApiError(400, "BadRequest", f"{what}: json: cannot unmarshal into Go struct field {what} of type "
                                          "map[string]string")


def normalize(resource, obj, namespace, url_name=None):
    """Checks a body against the URL and the schema; returns it with
    apiVersion/kind/namespace set. `url_name` is set for PUT/PATCH."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version not in (None, "") and api_version != resource.api_version:
        raise ApiError(400, "BadRequest", f"the API version in the data ({api_version}) does not match the "
                                          f"expected API version ({resource.api_version})")
    if kind not in (None, "") and kind != resource.kind:
        raise ApiError(400, "BadRequest", f"the kind in the data ({kind}) does not match the expected kind "
                                          f"({resource.kind})")
    metadata = obj.get("metadata")
    if metadata is None:
        metadata = obj["metadata"] = {}
    if not isinstance(metadata, dict):
        raise ApiError(400, "BadRequest", "the object provided is unrecognized: metadata must be an object")
    _string_map(metadata, "labels", "ObjectMeta.labels")
    _string_map(metadata, "annotations", "ObjectMeta.annotations")
    name = metadata.get("name") or ""
    if not isinstance(name, str):
        raise ApiError(400, "BadRequest", "the object provided is unrecognized: metadata.name must be a string")
    if url_name is not None:
        if name == "":
            metadata["name"] = name = url_name
        elif name != url_name:
            raise ApiError(400, "BadRequest",
                           f"the name of the object ({name}) does not match the name on the URL ({url_name})")
    object_namespace = metadata.get("namespace") or ""
    if resource.namespaced:
        if object_namespace and object_namespace != namespace:
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace "
                                              "sent on the request")
        metadata["namespace"] = namespace
    else:
        metadata.pop("namespace", None)
    causes = _name_causes(name)
    if resource is CONFIGMAPS:
        _string_map(obj, "data", "ConfigMap.data")
        _string_map(obj, "binaryData", "ConfigMap.binaryData")
        for field in ("data", "binaryData"):
            for key, value in (obj.get(field) or {}).items():
                if len(key) > 253 or not CONFIG_KEY.fullmatch(key):
                    causes.append((f"{field}[{key}]", "FieldValueInvalid",
                                   f'Invalid value: "{key}": a valid config key must consist of alphanumeric '
                                   "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                                   "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
                if field == "binaryData":
                    try:
                        base64.b64decode(value, validate=True)
                    except ValueError:
                        raise ApiError(400, "BadRequest", "ConfigMap.binaryData: illegal base64 data") from None
        for unknown in set(obj) - {"apiVersion", "kind", "metadata", "data", "binaryData", "immutable"}:
            del obj[unknown]             # dropped, as without fieldValidation=Strict
    elif resource is IAM_IDENTITY_MAPPINGS:
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            causes.append(("spec", "FieldValueRequired", "Required value"))
        else:
            for field in ("arn", "username"):
                if field not in spec:
                    causes.append((f"spec.{field}", "FieldValueRequired", "Required value"))
                elif not isinstance(spec[field], str):
                    causes.append((f"spec.{field}", "FieldValueTypeInvalid",
                                   f'Invalid value: "{type(spec[field]).__name__}": spec.{field} in body must be '
                                   "of type string"))
            groups = spec.get("groups")
            if groups is not None and (not isinstance(groups, list) or not all(isinstance(g, str) for g in groups)):
                causes.append(("spec.groups", "FieldValueTypeInvalid", "Invalid value: spec.groups in body must be "
                                                                       "of type array of strings"))
        state = obj.get("status")
        if state is not None and not isinstance(state, dict):
            causes.append(("status", "FieldValueTypeInvalid", "Invalid value: status in body must be of type object"))
    elif resource is NAMESPACES:
        raise ApiError(405, "MethodNotAllowed", "the emulator's namespaces are fixed")
    if causes:
        raise invalid(resource, name or url_name or "", causes)
    obj["apiVersion"], obj["kind"] = resource.api_version, resource.kind
    return obj


def _same(a, b):
    def strip(obj):
        obj = copy.deepcopy(obj)
        obj.get("metadata", {}).pop("resourceVersion", None)
        return obj
    return strip(a) == strip(b)


# --- writes (called with store.cond held) ------------------------------------------

def create(store, resource, namespace, body, dry_run=False):
    if resource.namespaced and not store.namespace_exists(namespace):
        raise ApiError(404, "NotFound", f'namespaces "{namespace}" not found', {"name": namespace, "kind": "namespaces"})
    obj = normalize(resource, body, namespace)
    name = obj["metadata"]["name"]
    if store.get(resource, namespace, name) is not None:
        raise ApiError(409, "AlreadyExists", f'{resource.qualified} "{name}" already exists', details(resource, name))
    metadata = obj["metadata"]
    for server_field in ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp",
                         "selfLink", "managedFields"):
        metadata.pop(server_field, None)
    if resource.status_subresource:
        obj.pop("status", None)          # a create cannot set status
        metadata["generation"] = 1
    if dry_run:
        return copy.deepcopy(obj)
    return store.put(resource, namespace, obj, created=True)


def replace(store, resource, namespace, name, new, status_only=False, dry_run=False):
    """The shared end of update and patch: preconditions, the status
    subresource rule, immutable metadata, no-op detection."""
    current = store.get(resource, namespace, name)
    if current is None:
        raise not_found(resource, name)
    new_metadata = new.get("metadata")
    if new_metadata is not None and not isinstance(new_metadata, dict):
        raise ApiError(400, "BadRequest", "the object provided is unrecognized: metadata must be an object")
    requested_rv = (new_metadata or {}).get("resourceVersion")
    if requested_rv is not None and not isinstance(requested_rv, str):
        raise ApiError(400, "BadRequest", "the object provided is unrecognized: metadata.resourceVersion must be "
                                          "a string")
    if requested_rv not in (None, "") and requested_rv != current["metadata"]["resourceVersion"]:
        raise conflict(resource, name)
    if status_only:
        result = copy.deepcopy(current)
        if isinstance(new.get("status"), dict):
            result["status"] = copy.deepcopy(new["status"])
        else:
            result.pop("status", None)
        normalize(resource, copy.deepcopy(result), namespace, name)   # the status must still be well-formed
    else:
        result = normalize(resource, new, namespace, name)
        if resource.status_subresource:
            if "status" in current:
                result["status"] = copy.deepcopy(current["status"])
            else:
                result.pop("status", None)
    metadata, old = result["metadata"], current["metadata"]
    for kept in ("uid", "creationTimestamp", "name"):
        metadata[kept] = old[kept]
    metadata.pop("managedFields", None)
    if resource.namespaced:
        metadata["namespace"] = namespace
    if resource.status_subresource:
        generation = old.get("generation", 1)
        if not status_only and result.get("spec") != current.get("spec"):
            generation += 1
        metadata["generation"] = generation
    else:
        metadata.pop("generation", None)
    if current.get("immutable") is True and not _same({k: v for k, v in result.items() if k != "metadata"},
                                                      {k: v for k, v in current.items() if k != "metadata"}):
        raise invalid(resource, name, [("data", "FieldValueForbidden",
                                        "Forbidden: field is immutable when `immutable` is set")])
    if _same(result, current):
        return copy.deepcopy(current)     # nothing changed: same resourceVersion, no event
    metadata["resourceVersion"] = old["resourceVersion"]
    if dry_run:
        return copy.deepcopy(result)
    return store.put(resource, namespace, result, created=False)


PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")


def patch(store, resource, namespace, name, body, content_type, status_only=False, dry_run=False):
    media = (content_type or "").split(";")[0].strip().lower()
    accepted = [t for t in PATCH_TYPES if resource is CONFIGMAPS or "strategic" not in t]
    if media not in accepted:
        raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted "
                                                    "media types include: " + ", ".join(accepted))
    try:
        document = yaml.safe_load(body.decode("utf-8")) if media.endswith("yaml") else json.loads(body or b"null")
    except (ValueError, yaml.YAMLError) as error:
        raise ApiError(400, "BadRequest", f"error decoding patch: {error}") from None
    current = store.get(resource, namespace, name)
    if current is None:
        if media == "application/apply-patch+yaml" and isinstance(document, dict) and not status_only:
            document.setdefault("metadata", {})
            if isinstance(document["metadata"], dict):
                if document["metadata"].get("name", name) != name:
                    raise ApiError(400, "BadRequest", f"the name of the object ({document['metadata']['name']}) "
                                                      f"does not match the name on the URL ({name})")
                document["metadata"]["name"] = name
            return 201, create(store, resource, namespace, document, dry_run)
        raise not_found(resource, name)
    try:
        if media == "application/json-patch+json":
            patched = patches.json_patch(current, document)
        elif media == "application/strategic-merge-patch+json":
            if not isinstance(document, dict):
                raise patches.PatchError("the patch must be a JSON object")
            patched = patches.strategic_merge_patch(current, document)
        else:
            if not isinstance(document, dict):
                raise patches.PatchError("the patch must be a JSON object")
            patched = patches.merge_patch(current, document)
    except patches.PatchError as error:
        # The real server's generic 422: the cause carries the patch library's message.
        raise ApiError(422, "Invalid", "the server rejected our request due to an error in our request",
                       {"causes": [{"reason": "UnexpectedServerResponse", "message": str(error)}]}) from None
    if not isinstance(patched, dict):
        raise ApiError(422, "Invalid", "the server rejected our request: the patched document is not an object",
                       details(resource, name))
    patched_metadata = patched.get("metadata")
    patched_name = patched_metadata.get("name") if isinstance(patched_metadata, dict) else name
    if patched_name != name:
        raise invalid(resource, name, [("metadata.name", "FieldValueInvalid",
                                        f'Invalid value: "{patched_name}": field is immutable')])
    return 200, replace(store, resource, namespace, name, patched, status_only, dry_run)


def delete(store, resource, namespace, name, body, dry_run=False):
    current = store.get(resource, namespace, name)
    if current is None:
        raise not_found(resource, name)
    options = {}
    if body and body.strip():
        try:
            options = json.loads(body)
        except ValueError as error:
            raise ApiError(400, "BadRequest", f"the object provided is unrecognized: {error}") from None
        if not isinstance(options, dict):
            raise ApiError(400, "BadRequest", "the object provided is unrecognized: DeleteOptions must be an object")
    policy = options.get("propagationPolicy")
    if policy not in (None, "Orphan", "Background", "Foreground"):
        raise ApiError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
                                       f'"{policy}": supported values: "Foreground", "Background", "Orphan", "nil"')
    preconditions = options.get("preconditions") or {}
    if preconditions.get("uid") not in (None, "") and preconditions["uid"] != current["metadata"]["uid"]:
        raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {resource.qualified} "{name}": Precondition '
                                        f'failed: UID in precondition: {preconditions["uid"]}, UID in object meta: '
                                        f'{current["metadata"]["uid"]}', details(resource, name))
    wanted_rv = preconditions.get("resourceVersion")
    if wanted_rv not in (None, "") and wanted_rv != current["metadata"]["resourceVersion"]:
        raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {resource.qualified} "{name}": the '
                                        f"ResourceVersion in the precondition ({wanted_rv}) does not match the "
                                        f'ResourceVersion in record ({current["metadata"]["resourceVersion"]}). '
                                        "The object might have been modified", details(resource, name))
    if dry_run:
        gone = copy.deepcopy(current)
    else:
        gone = store.delete(resource, namespace, name)
    if resource.group:
        return gone                      # custom resources answer with the deleted object
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": name, "kind": resource.plural, "uid": current["metadata"]["uid"]}}


def list_object(store, resource, namespace, field_terms, label_terms):
    items = [obj for obj in store.list(resource, namespace) if matches(obj, field_terms, label_terms)]
    return {"kind": resource.list_kind, "apiVersion": resource.api_version,
            "metadata": {"resourceVersion": str(store.rv)}, "items": items}


__all__ = ["ApiError", "Expired"]
