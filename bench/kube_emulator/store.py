"""The objects, the global resourceVersion, the event history watches read,
and the compaction point. One lock guards it all; a condition wakes watches."""

import collections
import copy
import datetime
import threading
import uuid
from dataclasses import dataclass, field

GROUP = "iamauthenticator.k8s.aws"


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple
    short_names: tuple = ()
    categories: tuple = ()
    status_subresource: bool = False

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self):
        return self.kind + "List"

    @property
    def qualified(self):
        """How messages name the resource: `configmaps`, `iamidentitymappings.iamauthenticator.k8s.aws`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

CONFIGMAPS = Resource("", "v1", "configmaps", "configmap", "ConfigMap", True, ALL_VERBS, ("cm",))
NAMESPACES = Resource("", "v1", "namespaces", "namespace", "Namespace", False, ("get", "list", "watch"), ("ns",))
IAM_IDENTITY_MAPPINGS = Resource(GROUP, "v1alpha1", "iamidentitymappings", "iamidentitymapping",
                                 "IAMIdentityMapping", False, ALL_VERBS, (), ("all",), status_subresource=True)
RESOURCES = (CONFIGMAPS, NAMESPACES, IAM_IDENTITY_MAPPINGS)


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Expired(Exception):
    """A resourceVersion older than the compaction point."""

    def __init__(self, requested, oldest):
        super().__init__(f"too old resource version: {requested} ({oldest})")


@dataclass
class Watch:
    """One open watch stream, as the store and the control endpoint see it."""
    resource: Resource
    namespace: object
    user: str
    position: int                     # the last resourceVersion this watch has looked past
    dropped: bool = False             # drop-watch fault: close without a clean end
    expired: object = None            # compaction: send ERROR 410 with this message, then end
    stopping: bool = False            # shutdown: end cleanly
    id: int = 0
    extra: dict = field(default_factory=dict)


class Store:
    def __init__(self, history=1000, first_rv=1):
        self.cond = threading.Condition()
        self.rv = first_rv
        self.compacted = 0              # events at or below this are gone: watches must start at or after it
        self.objects = {}               # (plural, namespace or "", name) -> object
        self.events = collections.deque()   # (rv, resource plural, namespace, type, object)
        self.history = history
        self.watches = {}
        self.next_watch = 1
        for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.rv += 1
            self.objects[("namespaces", "", name)] = {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "uid": str(uuid.uuid4()), "resourceVersion": str(self.rv),
                             "creationTimestamp": now_text(),
                             "labels": {"kubernetes.io/metadata.name": name}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}

    # All methods below are called with self.cond held.

    def get(self, resource, namespace, name):
        return self.objects.get((resource.plural, namespace or "", name))

    def namespace_exists(self, namespace):
        return ("namespaces", "", namespace) in self.objects

    def list(self, resource, namespace):
        items = [obj for (plural, ns, _), obj in self.objects.items()
                 if plural == resource.plural and (namespace is None or ns == namespace)]
        items.sort(key=lambda obj: (obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
        return [copy.deepcopy(obj) for obj in items]

    def _record(self, resource, namespace, kind, obj):
        self.events.append((self.rv, resource.plural, namespace or "", kind, copy.deepcopy(obj)))
        while len(self.events) > self.history:
            dropped = self.events.popleft()
            self.compacted = max(self.compacted, dropped[0])
        self.cond.notify_all()

    def put(self, resource, namespace, obj, created):
        """Stores `obj` under a new resourceVersion and records the event."""
        self.rv += 1
        metadata = obj["metadata"]
        metadata["resourceVersion"] = str(self.rv)
        if created:
            metadata["uid"] = str(uuid.uuid4())
            metadata["creationTimestamp"] = now_text()
        self.objects[(resource.plural, namespace or "", metadata["name"])] = obj
        self._record(resource, namespace, "ADDED" if created else "MODIFIED", obj)
        return copy.deepcopy(obj)

    def delete(self, resource, namespace, name):
        obj = self.objects.pop((resource.plural, namespace or "", name))
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        self._record(resource, namespace, "DELETED", obj)
        return copy.deepcopy(obj)

    def check_version(self, requested):
        if requested < self.compacted:
            raise Expired(requested, self.compacted)

    def events_after(self, position, resource, namespace):
        """Events with rv > position for the resource (and namespace)."""
        return [(rv, kind, obj) for rv, plural, ns, kind, obj in self.events
                if rv > position and plural == resource.plural and (namespace is None or ns == namespace)]

    def compact(self, up_to=None):
        """Advances the compaction point (default: the current resourceVersion)."""
        target = self.rv if up_to is None else min(int(up_to), self.rv)
        if target > self.compacted:
            self.compacted = target
            while self.events and self.events[0][0] <= target:
                self.events.popleft()
        self.cond.notify_all()
        return self.compacted

    def open_watch(self, resource, namespace, user, position):
        watch = Watch(resource, namespace, user, position, id=self.next_watch)
        self.next_watch += 1
        self.watches[watch.id] = watch
        return watch

    def close_watch(self, watch):
        self.watches.pop(watch.id, None)
