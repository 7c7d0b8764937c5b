"""A small DNS server for tests that need name resolution under control: it
answers A queries for the names it is given at once, and every other name
with NXDOMAIN after a delay, as an unknown name is answered on a real
network. Answers are sent concurrently (a delayed answer never holds up the
next query), and every query is counted by name.

Only UDP, only the question forms glibc's getaddrinfo sends (one question,
class IN); anything else gets FORMERR."""

import asyncio
import struct
import threading
from collections import Counter

TYPE_A = 1
TYPE_AAAA = 28
CLASS_IN = 1
RCODE_FORMERR = 1
RCODE_NXDOMAIN = 3


def _read_name(message, offset):
    labels = []
    while True:
        if offset >= len(message):
            raise ValueError("name runs past the message")
        length = message[offset]
        offset += 1
        if length == 0:
            return ".".join(labels).lower(), offset
        if length > 63:
            raise ValueError("compressed or oversized label in a question")
        labels.append(message[offset:offset + length].decode("ascii", errors="replace"))
        offset += length


def parse_question(message):
    """(id, flags, name, qtype, end of the question) of a query."""
    if len(message) < 12:
        raise ValueError("short header")
    query_id, flags, qdcount = struct.unpack("!HHH", message[:6])
    if qdcount != 1 or flags & 0x8000:
        raise ValueError("not a single-question query")
    name, offset = _read_name(message, 12)
    if offset + 4 > len(message):
        raise ValueError("truncated question")
    qtype, qclass = struct.unpack("!HH", message[offset:offset + 4])
    if qclass != CLASS_IN:
        raise ValueError("not class IN")
    return query_id, flags, name, qtype, offset + 4


def build_answer(message, rcode, addresses=()):
    query_id, flags, _, _, question_end = parse_question(message)
    recursion_desired = flags & 0x0100
    out_flags = 0x8000 | 0x0400 | recursion_desired | 0x0080 | rcode  # QR, AA, RD as asked, RA
    header = struct.pack("!HHHHHH", query_id, out_flags, 1, len(addresses), 0, 0)
    answers = b""
    for address in addresses:
        octets = bytes(int(part) for part in address.split("."))
        answers += struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, 60, 4) + octets
    return header + message[12:question_end] + answers


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server):
        self.server = server
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        server = self.server
        try:
            _, _, name, qtype, _ = parse_question(data)
        except ValueError:
            if len(data) >= 12:
                header = struct.pack("!HHHHHH", struct.unpack("!H", data[:2])[0], 0x8000 | RCODE_FORMERR, 0, 0, 0, 0)
                self.transport.sendto(header, addr)
            return
        with server.lock:
            server.queries[name] += 1
        if name in server.names:
            addresses = [server.names[name]] if qtype == TYPE_A else []  # AAAA: no data, at once
            self.transport.sendto(build_answer(data, 0, addresses), addr)
            return
        answer = build_answer(data, RCODE_NXDOMAIN)
        asyncio.get_running_loop().call_later(server.delay, self.transport.sendto, answer, addr)


class SlowDns:
    """Serves on (address, port) from its own thread until close()."""

    def __init__(self, names, delay=0.1, address="127.0.0.1", port=53):
        self.names = {name.lower(): ip for name, ip in names.items()}
        self.delay = delay
        self.queries = Counter()
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.error = None

        def run():
            asyncio.set_event_loop(self.loop)
            try:
                self.transport, _ = self.loop.run_until_complete(
                    self.loop.create_datagram_endpoint(lambda: _Protocol(self), local_addr=(address, port)))
            except OSError as error:
                self.error = error
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.transport.close()
            self.loop.run_until_complete(asyncio.sleep(0))
            self.loop.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if not ready.wait(timeout=10):
            raise TimeoutError("DNS server did not start")
        if self.error:
            raise self.error

    def query_counts(self):
        with self.lock:
            return Counter(self.queries)

    def close(self):
        if self.error is None:
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
