"""HTTP: the TLS API listener (one thread per connection, keep-alive,
chunked watch streams) and the plain-HTTP loopback control listener."""

import collections
import copy
import json
import select
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import api
import auth
from store import GROUP, Expired

ANONYMOUS_PATHS = ("/version", "/healthz", "/livez", "/readyz")


class Faults:
    """What the control endpoint switched on."""

    def __init__(self, latency_ms=0):
        self.lock = threading.Lock()
        self.down = None          # None, "close" (drop connections) or "503"
        self.latency_ms = latency_ms
        self.garbage = None       # None, "json" (a non-JSON line) or "truncate" (a cut chunk)
        # One-shot faults of updates (PUT), for read-modify-write clients:
        self.conflict_updates = 0  # the next N updates answer 409 Conflict, the store untouched
        self.hold_update_ms = 0    # the next update waits this long first, so another change can land

    def snapshot(self):
        with self.lock:
            return {"down": self.down, "latency_ms": self.latency_ms, "garbage": self.garbage,
                    "conflict_updates": self.conflict_updates, "hold_update_ms": self.hold_update_ms}

    def take_update_fault(self):
        """("conflict", 0), ("hold", ms) or (None, 0) for the update arriving now."""
        with self.lock:
            if self.conflict_updates:
                self.conflict_updates -= 1
                return "conflict", 0
            if self.hold_update_ms:
                hold, self.hold_update_ms = self.hold_update_ms, 0
                return "hold", hold
        return None, 0

    def update(self, changes):
        with self.lock:
            if "down" in changes:
                if changes["down"] not in (None, "close", "503"):
                    raise ValueError('down: null, "close" or "503"')
                self.down = changes["down"]
            if "latency_ms" in changes:
                value = changes["latency_ms"]
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise ValueError("latency_ms: a number >= 0")
                self.latency_ms = value
            if "garbage" in changes:
                if changes["garbage"] not in (None, "json", "truncate"):
                    raise ValueError('garbage: null, "json" or "truncate"')
                self.garbage = changes["garbage"]
            for name in ("conflict_updates", "hold_update_ms"):
                if name in changes:
                    value = changes[name]
                    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                        raise ValueError(f"{name}: an integer >= 0")
                    setattr(self, name, value)
        return self.snapshot()


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = collections.Counter()
        self.by_verb = collections.Counter()
        self.by_resource = collections.Counter()
        self.by_code = collections.Counter()

    def add(self, name, amount=1):
        with self.lock:
            self.values[name] += amount

    def request(self, verb, resource):
        with self.lock:
            self.values["requests"] += 1
            self.by_verb[verb] += 1
            self.by_resource[resource] += 1

    def answered(self, code):
        with self.lock:
            self.by_code[str(code)] += 1

    def snapshot(self):
        with self.lock:
            out = dict(self.values)
            out.update({"by_verb": dict(self.by_verb), "by_resource": dict(self.by_resource),
                        "by_code": dict(self.by_code)})
        return out


class Emulator:
    """Everything the handlers share."""

    def __init__(self, store, authorizer, options):
        self.store = store
        self.authorizer = authorizer
        self.options = options
        self.faults = Faults(options.latency_ms)
        self.counters = Counters()
        self.stopping = threading.Event()

    def stats(self):
        out = self.counters.snapshot()
        with self.store.cond:
            out.update({"watches_open": len(self.store.watches), "resource_version": self.store.rv,
                        "compacted": self.store.compacted, "objects": len(self.store.objects),
                        "open_watches": [{"id": w.id, "resource": w.resource.plural, "namespace": w.namespace,
                                          "user": w.user, "position": w.position}
                                         for w in self.store.watches.values()]})
        out["faults"] = self.faults.snapshot()
        out["auth"] = self.authorizer.describe()
        for name in ("requests", "connections", "refused_connections", "tls_failures", "watches_total",
                     "watch_events", "bookmarks", "conflict_faults", "held_updates"):
            out.setdefault(name, 0)
        return out

    def drop_watches(self):
        with self.store.cond:
            for watch in self.store.watches.values():
                watch.dropped = True
            count = len(self.store.watches)
            self.store.cond.notify_all()
        return count

    def compact(self, up_to=None, expire_watches=True):
        with self.store.cond:
            point = self.store.compact(up_to)
            expired = 0
            if expire_watches:
                for watch in self.store.watches.values():
                    watch.expired = str(Expired(watch.position, point))
                    expired += 1
            self.store.cond.notify_all()
        return {"compacted": point, "expired_watches": expired}

    def shutdown_watches(self):
        with self.store.cond:
            for watch in self.store.watches.values():
                watch.stopping = True
            self.store.cond.notify_all()


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address, emulator, ssl_context):
        self.emulator = emulator
        self.ssl_context = ssl_context
        super().__init__(address, ApiHandler)

    def finish_request(self, request, client_address):
        """TLS handshake in the connection's own thread, not the accept loop."""
        emulator = self.emulator
        if emulator.faults.snapshot()["down"] == "close" or emulator.stopping.is_set():
            emulator.counters.add("refused_connections")
            request.close()
            return
        emulator.counters.add("connections")
        request.settimeout(10)
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            emulator.counters.add("tls_failures")
            request.close()
            return
        handler = None
        try:
            handler = self.RequestHandlerClass(connection, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            if handler is not None and handler.unread_body:
                linger(connection)
            try:
                connection.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        traceback.print_exc(file=sys.stderr)


def linger(connection, seconds=1.0):
    """Closes our side first and drains what the client still sends, so an
    early answer (413) is not lost to a TCP reset."""
    try:
        connection.settimeout(0.2)
        connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and connection.recv(65536):
            pass
    except (OSError, ValueError):
        pass


class Route:
    """A parsed resource URL."""

    def __init__(self, resource, namespace, name, subresource):
        self.resource, self.namespace, self.name, self.subresource = resource, namespace, name, subresource


def parse_resource_path(parts):
    """Route for /api/v1/... and /apis/<group>/<version>/... or None."""
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    resource = api.find_resource(group, version, rest[0])
    if resource is None:
        return None
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    if subresource is not None and (subresource != "status" or not resource.status_subresource):
        return None
    if namespace is not None and not resource.namespaced:
        return None
    if resource.namespaced and namespace is None and name is not None:
        return None
    return Route(resource, namespace, name, subresource)


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-emulator"
    sys_version = ""
    timeout = 120          # an idle keep-alive connection is closed after this
    unread_body = False    # a request body was refused unread: close with a linger

    def log_message(self, format, *args):
        if self.server.emulator.options.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    # --- answering ---

    def send_body(self, code, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.server.emulator.counters.answered(code)

    def send_status(self, error):
        self.send_body(error.code, error.status)

    def send_error(self, code, message=None, explain=None):
        """Malformed requests (http.server's own checks): a Status, with
        HTTP/1.1 headers even when the request line was unreadable."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        reason = {400: "BadRequest", 414: "RequestURITooLong", 431: "RequestHeaderFieldsTooLarge",
                  501: "MethodNotAllowed", 505: "BadRequest"}.get(code, "BadRequest")
        try:
            self.send_body(code, api.status(code, reason, message or "bad request"))
        except OSError:
            pass

    # --- reading ---

    def read_body(self):
        limit = self.server.emulator.options.max_body
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise api.ApiError(400, "BadRequest", "malformed chunked body") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > limit:
                    raise api.ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        if not length.isdigit():
            raise api.ApiError(400, "BadRequest", "invalid Content-Length")
        if int(length) > limit:
            raise api.ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            raise ConnectionError("short body")
        return body

    def user(self):
        """(user, error): the authenticated user name, or a 401."""
        cert = self.connection.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        return value
        header = self.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.server.emulator.authorizer.user_for_token(token.strip())

    # --- dispatch ---

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, ssl.SSLError, OSError):
            self.close_connection = True

    def do_any(self):
        emulator = self.server.emulator
        emulator.counters.add("arrived")
        faults = emulator.faults.snapshot()
        if faults["down"] == "close":
            self.close_connection = True
            return
        if faults["latency_ms"]:
            time.sleep(faults["latency_ms"] / 1000)
        url = urllib.parse.urlsplit(self.path)
        try:
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            body = self.read_body()
        except api.ApiError as error:
            self.close_connection = True
            self.unread_body = True
            return self.send_status(error)
        if faults["down"] == "503":
            return self.send_status(api.ApiError(503, "ServiceUnavailable", "the server is currently unable to "
                                                                            "handle the request"))
        path = url.path.rstrip("/") or "/"
        user = self.user()
        if user is None and not (self.headers.get("Authorization") is None and path in ANONYMOUS_PATHS):
            emulator.counters.add("unauthorized")
            return self.send_status(api.ApiError(401, "Unauthorized", "Unauthorized"))
        try:
            self.route(path, query, body, user)
        except api.ApiError as error:
            self.send_status(error)
        except (ConnectionError, ssl.SSLError, TimeoutError, BrokenPipeError):
            self.close_connection = True
        except Exception:  # never crash on bad input: report a 500 and keep serving
            traceback.print_exc(file=sys.stderr)
            emulator.counters.add("internal_errors")
            self.close_connection = True
            try:
                self.send_status(api.ApiError(500, "InternalError", "Internal error occurred: emulator failure"))
            except OSError:
                pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_any

    def route(self, path, query, body, user):
        emulator = self.server.emulator
        if path in ANONYMOUS_PATHS:
            emulator.counters.request("get", path)
            if path == "/version":
                return self.send_body(200, api.VERSION)
            return self.send_body(200, b"ok", "text/plain; charset=utf-8")
        if self.command == "GET" and self.discovery(path):
            return
        parts = [part for part in path.split("/") if part]
        target = parse_resource_path(parts)
        if target is None:
            emulator.counters.request("unknown", path)
            raise api.path_not_found()
        resource, name, namespace = target.resource, target.name, target.namespace
        verb = self.verb(target, query)
        if verb is None:
            raise api.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                                        "resource")
        if verb not in resource.verbs and not (target.subresource and verb in ("get", "update", "patch")):
            raise api.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                                        "resource")
        if resource.namespaced and namespace is None and verb not in ("list", "watch"):
            raise api.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                                        "resource")
        emulator.counters.request(verb, resource.plural + ("/" + target.subresource if target.subresource else ""))
        field_terms = api.parse_field_selector(query.get("fieldSelector"), resource)
        label_terms = api.parse_label_selector(query.get("labelSelector"))
        rbac_resource = resource.plural + ("/" + target.subresource if target.subresource else "")
        if not emulator.authorizer.allowed(user, verb, resource.group, rbac_resource, namespace, name,
                                           api.field_name(field_terms)):
            emulator.counters.add("forbidden")
            raise api.ApiError(403, "Forbidden", auth.forbidden_message(user, verb, resource.group, rbac_resource,
                                                                      namespace, name),
                               api.details(resource, name))
        if verb == "watch":
            return self.watch(resource, namespace, query, field_terms, label_terms, user)
        if verb == "update":
            fault, hold_ms = emulator.faults.take_update_fault()
            if fault == "conflict":
                emulator.counters.add("conflict_faults")
                raise api.conflict(resource, name)
            if fault == "hold":
                # Outside the store lock: other requests go on meanwhile.
                emulator.counters.add("held_updates")
                time.sleep(hold_ms / 1000)
        dry_run = query.get("dryRun") == "All"
        store = emulator.store
        status_only = target.subresource == "status"
        content_type = self.headers.get("Content-Type")
        with store.cond:
            if verb == "get":
                obj = store.get(resource, namespace, name)
                if obj is None:
                    raise api.not_found(resource, name)
                return self.send_body(200, copy.deepcopy(obj))
            if verb == "list":
                return self.send_body(200, api.list_object(store, resource, namespace, field_terms, label_terms))
            if verb == "create":
                return self.send_body(201, api.create(store, resource, namespace,
                                                      api.decode_body(body, content_type), dry_run))
            if verb == "update":
                new = api.decode_body(body, content_type)
                return self.send_body(200, api.replace(store, resource, namespace, name, new, status_only, dry_run))
            if verb == "patch":
                code, obj = api.patch(store, resource, namespace, name, body, content_type, status_only, dry_run)
                return self.send_body(code, obj)
            if verb == "delete":
                return self.send_body(200, api.delete(store, resource, namespace, name, body, dry_run))
            if verb == "deletecollection":
                gone = [obj for obj in store.list(resource, namespace)
                        if api.matches(obj, field_terms, label_terms)]
                for obj in gone:
                    if not dry_run:
                        store.delete(resource, obj["metadata"].get("namespace"), obj["metadata"]["name"])
                return self.send_body(200, {"kind": resource.list_kind, "apiVersion": resource.api_version,
                                            "metadata": {"resourceVersion": str(store.rv)}, "items": gone})
        raise api.path_not_found()

    def verb(self, target, query):
        collection = target.name is None
        if self.command in ("GET", "HEAD"):
            if not collection:
                return "get"
            return "watch" if query.get("watch", "").lower() in ("1", "true") else "list"
        if target.subresource and self.command not in ("PUT", "PATCH"):
            return None
        return {("POST", True): "create", ("PUT", False): "update", ("PATCH", False): "patch",
                ("DELETE", False): "delete", ("DELETE", True): "deletecollection"}.get((self.command, collection))

    def discovery(self, path):
        """Discovery and OpenAPI: served to every authenticated user."""
        emulator = self.server.emulator
        documents = {
            "/api": lambda: api.api_versions(f"127.0.0.1:{self.server.server_address[1]}"),
            "/apis": api.api_group_list,
            "/api/v1": lambda: api.resource_list("", "v1"),
            f"/apis/{GROUP}": api.api_group,
            f"/apis/{GROUP}/v1alpha1": lambda: api.resource_list(GROUP, "v1alpha1"),
        }
        if path in documents:
            emulator.counters.request("discovery", path)
            self.send_body(200, documents[path]())
            return True
        if path == "/openapi/v2":
            # An empty protobuf document: kubectl finds no schema, skips
            # client-side validation and uses its built-in patch metadata.
            emulator.counters.request("discovery", path)
            self.send_body(200, b"", "application/octet-stream")
            return True
        return False

    # --- watch ---

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def client_gone(self):
        """Whether the peer closed a watch connection (it sends nothing while watching)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            self.connection.settimeout(0.05)
            try:
                return self.connection.recv(1024) == b""
            finally:
                self.connection.settimeout(self.timeout)
        except ssl.SSLWantReadError:
            return False
        except (OSError, ValueError):
            return True

    def send_garbage(self):
        """The garbage fault: a non-JSON line and a clean end, or a chunk cut
        short and a closed connection. True when sent."""
        emulator = self.server.emulator
        garbage = emulator.faults.snapshot()["garbage"]
        if garbage == "json":
            emulator.counters.add("garbage_sent")
            self.write_chunk(b"this is not JSON {\n")
            self.wfile.write(b"0\r\n\r\n")
            return True
        if garbage == "truncate":
            emulator.counters.add("garbage_sent")
            self.wfile.write(b"400\r\n{\"type\":\"MODIFIED\",\"object\":{\"kind\"")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        return False

    def watch(self, resource, namespace, query, field_terms, label_terms, user):
        emulator = self.server.emulator
        store = emulator.store
        options = emulator.options
        bookmarks = query.get("allowWatchBookmarks", "").lower() in ("1", "true")
        try:
            timeout = int(query["timeoutSeconds"]) if query.get("timeoutSeconds") else options.watch_timeout
        except ValueError:
            raise api.ApiError(400, "BadRequest", "timeoutSeconds: invalid value") from None
        requested = query.get("resourceVersion", "")
        if requested not in ("", "0") and not requested.isdigit():
            raise api.ApiError(400, "BadRequest", f'invalid resource version: "{requested}"')
        with store.cond:
            if len(store.watches) >= options.max_watches:
                raise api.ApiError(429, "TooManyRequests", "too many open watches: the emulator's limit is "
                                                           f"{options.max_watches}", {"retryAfterSeconds": 1})
            initial = []
            if requested in ("", "0"):
                initial = [obj for obj in store.list(resource, namespace)
                           if api.matches(obj, field_terms, label_terms)]
                position = store.rv
            else:
                position = int(requested)
                try:
                    store.check_version(position)
                except Expired as error:
                    raise api.expired(error) from None
            watch = store.open_watch(resource, namespace, user, position)
        emulator.counters.add("watches_total")
        self.close_connection = True     # a watch ends its connection
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache, private")
            self.end_headers()
            emulator.counters.answered(200)
            self.stream(watch, initial, field_terms, label_terms, bookmarks, timeout)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            with store.cond:
                store.close_watch(watch)

    def stream(self, watch, initial, field_terms, label_terms, bookmarks, timeout):
        emulator = self.server.emulator
        store = emulator.store
        counters = emulator.counters
        resource = watch.resource
        for obj in initial:
            self.write_chunk(json.dumps({"type": "ADDED", "object": obj}).encode() + b"\n")
            counters.add("watch_events")
        deadline = time.monotonic() + timeout
        interval = emulator.options.bookmark_interval
        next_bookmark = time.monotonic() + interval
        while True:
            if self.send_garbage():
                return
            now = time.monotonic()
            wake = min(deadline, next_bookmark if bookmarks else deadline, now + 1.0)
            with store.cond:
                if not (watch.dropped or watch.expired or watch.stopping or emulator.stopping.is_set()):
                    if not store.events_after(watch.position, resource, watch.namespace):
                        store.cond.wait(max(0.0, wake - now))
                if watch.position < store.compacted and not watch.expired:
                    watch.expired = str(Expired(watch.position, store.compacted))
                dropped, expired = watch.dropped, watch.expired
                stopping = watch.stopping or emulator.stopping.is_set()
                events = [] if expired else store.events_after(watch.position, resource, watch.namespace)
                if not expired:
                    watch.position = max(watch.position, store.rv)
                current_rv = store.rv
            if dropped:
                counters.add("watches_dropped")
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            for _, kind, obj in events:
                if api.matches(obj, field_terms, label_terms):
                    self.write_chunk(json.dumps({"type": kind, "object": obj}).encode() + b"\n")
                    counters.add("watch_events")
            if expired:
                counters.add("watches_expired")
                error = api.status(410, "Expired", expired)
                self.write_chunk(json.dumps({"type": "ERROR", "object": error}).encode() + b"\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            now = time.monotonic()
            if stopping or now >= deadline:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            if bookmarks and now >= next_bookmark:
                mark = {"type": "BOOKMARK", "object": {"kind": resource.kind, "apiVersion": resource.api_version,
                                                       "metadata": {"resourceVersion": str(current_rv)}}}
                self.write_chunk(json.dumps(mark).encode() + b"\n")
                counters.add("bookmarks")
                next_bookmark = now + interval
            if not events and self.client_gone():
                return


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, emulator):
        self.emulator = emulator
        super().__init__(address, ControlHandler)


class ControlHandler(BaseHTTPRequestHandler):
    """GET /stats, GET|POST /faults, POST /drop-watches, POST /compact,
    POST /reload-auth. Plain HTTP, loopback only."""
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format, *args):
        pass

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        emulator = self.server.emulator
        if self.path == "/stats":
            return self.answer(200, emulator.stats())
        if self.path == "/faults":
            return self.answer(200, emulator.faults.snapshot())
        return self.answer(404, {"error": "unknown control path"})

    def do_POST(self):
        emulator = self.server.emulator
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > 65536:
            self.close_connection = True
            return self.answer(400, {"error": "bad Content-Length"})
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            if self.path == "/faults":
                return self.answer(200, emulator.faults.update(body))
            if self.path == "/drop-watches":
                return self.answer(200, {"dropped": emulator.drop_watches()})
            if self.path == "/compact":
                return self.answer(200, emulator.compact(body.get("resourceVersion"),
                                                         body.get("expire_watches", True)))
            if self.path == "/reload-auth":
                emulator.authorizer.reload(force=True)
                return self.answer(200, emulator.authorizer.describe())
        except (ValueError, TypeError) as error:
            return self.answer(400, {"error": str(error)})
        return self.answer(404, {"error": "unknown control path"})
