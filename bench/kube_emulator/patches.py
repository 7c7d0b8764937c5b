"""Body formats: the three patch types a real API server applies, and the
Kubernetes protobuf envelope kubectl 1.32 uses for `create configmap`.

Every failure raises PatchError with the message a real server would put in
its Status; the caller picks the HTTP code."""

import copy


class PatchError(Exception):
    pass


def merge_patch(target, patch):
    """RFC 7386: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def strategic_merge_patch(target, patch):
    """Strategic merge patch for types without merge-keyed lists (ConfigMap):
    maps merge, null deletes, lists replace. The list directives kubectl may
    emit ($patch, $retainKeys, $setElementOrder/..., $deleteFromPrimitiveList/...)
    have nothing to act on and are dropped; `$patch: delete` on a map empties it,
    `$patch: replace` replaces it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    base = {} if directive == "replace" else (copy.deepcopy(target) if isinstance(target, dict) else {})
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            base.pop(key, None)
            continue
        merged = strategic_merge_patch(base.get(key), value)
        if merged is None:
            base.pop(key, None)
        else:
            base[key] = merged
    return base


def _pointer(path):
    if path == "":
        return []
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer: {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _index(container, token, for_add=False):
    if token == "-" and for_add:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError(f"invalid index: {token!r}")
    index = int(token)
    limit = len(container) if for_add else len(container) - 1
    if index > limit:
        raise PatchError(f"index out of bounds: {index}")
    return index


def _parent(doc, parts, path):
    node = doc
    for token in parts[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise PatchError(f"doc is missing path: \"{path}\"")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token)]
        else:
            raise PatchError(f"doc is missing path: \"{path}\"")
    return node


def _get(doc, path):
    parts = _pointer(path)
    if not parts:
        return doc
    parent = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"doc is missing path: \"{path}\"")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last)]
    raise PatchError(f"doc is missing path: \"{path}\"")


def _remove(doc, path):
    parts = _pointer(path)
    if not parts:
        raise PatchError("cannot remove the whole document")
    parent = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"Unable to remove nonexistent key: {last}: missing value")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last))
    raise PatchError(f"doc is missing path: \"{path}\"")


def _add(doc, path, value, replace=False):
    parts = _pointer(path)
    if not parts:
        return copy.deepcopy(value)
    parent = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"replace operation does not apply: doc is missing key: {path}: missing value")
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        if replace:
            parent[_index(parent, last)] = copy.deepcopy(value)
        else:
            parent.insert(_index(parent, last, for_add=True), copy.deepcopy(value))
    else:
        raise PatchError(f"doc is missing path: \"{path}\"")
    return doc


def json_patch(doc, operations):
    """RFC 6902 on a copy of `doc`."""
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("Unexpected kind: <nil>")
        kind = op["op"]
        path = op.get("path")
        if path is None:
            raise PatchError(f"{kind} operation missing path")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"{kind} operation missing value")
        if kind == "add":
            doc = _add(doc, path, op["value"])
        elif kind == "replace":
            doc = _add(doc, path, op["value"], replace=True)
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value {path} failed: test failed")
        elif kind in ("move", "copy"):
            source = op.get("from")
            if source is None:
                raise PatchError(f"{kind} operation missing from")
            value = _remove(doc, source) if kind == "move" else copy.deepcopy(_get(doc, source))
            doc = _add(doc, path, value)
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


# --- Kubernetes protobuf ("k8s\0" + runtime.Unknown) -----------------------

PROTOBUF_MAGIC = b"k8s\x00"


def _varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise PatchError("protobuf: truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _fields(data):
    """(field number, wire type, value) for every field of one message."""
    pos = 0
    out = []
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise PatchError("protobuf: truncated field")
            value = data[pos:pos + length]
            pos += length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise PatchError(f"protobuf: unsupported wire type {wire}")
        if pos > len(data):
            raise PatchError("protobuf: truncated field")
        out.append((number, wire, value))
    return out


def _text(value):
    try:
        return value.decode("utf-8")
    except (UnicodeDecodeError, AttributeError):
        raise PatchError("protobuf: invalid UTF-8 string") from None


def _map_entry(value):
    key = val = b""
    for number, wire, item in _fields(value):
        if wire != 2:
            continue
        if number == 1:
            key = item
        elif number == 2:
            val = item
    return key, val


def decode_protobuf_configmap(body):
    """The JSON form of a protobuf-encoded ConfigMap (the only protobuf body
    kubectl sends: `create configmap`). Empty optional strings are dropped."""
    if not body.startswith(PROTOBUF_MAGIC):
        raise PatchError("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
    api_version = kind = ""
    raw = b""
    for number, wire, value in _fields(body[len(PROTOBUF_MAGIC):]):
        if number == 1 and wire == 2:
            for sub, sub_wire, item in _fields(value):
                if sub_wire == 2 and sub == 1:
                    api_version = _text(item)
                elif sub_wire == 2 and sub == 2:
                    kind = _text(item)
        elif number == 2 and wire == 2:
            raw = value
    if kind != "ConfigMap" or api_version != "v1":
        raise PatchError(f"protobuf: only v1 ConfigMap bodies are understood, not {api_version}/{kind}")
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    metadata = obj["metadata"]
    for number, wire, value in _fields(raw):
        if wire == 2 and number == 1:
            for sub, sub_wire, item in _fields(value):
                if sub_wire != 2:
                    continue
                names = {1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"}
                if sub in names and item:
                    metadata[names[sub]] = _text(item)
                elif sub in (11, 12):
                    key, val = _map_entry(item)
                    metadata.setdefault("labels" if sub == 11 else "annotations", {})[_text(key)] = _text(val)
        elif wire == 2 and number == 2:
            key, val = _map_entry(value)
            obj.setdefault("data", {})[_text(key)] = _text(val)
        elif wire == 2 and number == 3:
            import base64
            key, val = _map_entry(value)
            obj.setdefault("binaryData", {})[_text(key)] = base64.b64encode(val).decode()
        elif wire == 0 and number == 4:
            obj["immutable"] = bool(value)
    return obj
