"""A loopback Esplora-compatible HTTP server over a :class:`ChainStore`, with scripted faults.

A development and test utility: the demo generator records its cassette against it, the
provider tests exercise paging and retries on it, and the real-case check serves recorded
Colonial Pipeline responses through it. It binds 127.0.0.1 only.

    with EsploraServer(store) as server:
        provider = ...(server.api_url)
"""

from __future__ import annotations

import json
import re
import socket
import struct
import sys
from urllib.parse import parse_qsl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from btctrace.testing.chain import ChainStore

__all__ = ["Fault", "EsploraServer", "TokenBucket"]

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_ROUTES = [
    (re.compile(r"/tx/([^/]+)"), "tx"),
    (re.compile(r"/tx/([^/]+)/outspends"), "outspends"),
    (re.compile(r"/tx/([^/]+)/status"), "status"),
    (re.compile(r"/address/([^/]+)"), "address"),
    (re.compile(r"/address/([^/]+)/txs"), "address_txs"),
    (re.compile(r"/address/([^/]+)/txs/chain"), "address_chain"),
    (re.compile(r"/address/([^/]+)/txs/chain/([^/]+)"), "address_chain"),
    (re.compile(r"/blocks/tip/height"), "tip"),
    (re.compile(r"/block/([^/]+)/header"), "header"),
    (re.compile(r"/block/([^/]+)/txids"), "block_txids"),
    (re.compile(r"/tx/([^/]+)/merkle-proof"), "merkle_proof"),
]


@dataclass
class Fault:
    """Answer the next *times* requests whose path matches *pattern* with this instead.

    *action* says how: ``answer`` (send *status* and *body*), ``reset`` (close the connection
    without answering: a TCP reset), ``truncate`` (send the real answer's headers and only the
    first half of its body, then close) or ``flood`` (declare and stream *size* bytes of
    JSON-looking filler, never holding them in memory: a hostile or broken explorer) or
    ``rewrite`` (answer what *rewrite* makes of the true JSON answer, given the path: a lying
    explorer; see :mod:`btctrace.testing.lies`)."""

    pattern: str
    status: int = 503
    body: str = "Service Unavailable"
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0
    content_type: str = "text/plain"
    action: str = "answer"
    size: int = 0
    declare_size: bool = True  # flood: send Content-Length (False: stream without declaring it)
    rewrite: Callable[[str, Any], Any] | None = None  # rewrite: (path, true answer) -> the answer sent


class TokenBucket:
    """A server-side rate limit as public explorers enforce it (the nginx ``limit_req`` model
    the self-host Esplora template uses: *rate* requests a second, bursts up to *burst*).
    :meth:`take` is False when the request is beyond the limit (answered 429)."""

    def __init__(self, rate: float, burst: float = 1.0, retry_after: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.retry_after, self.clock = rate, burst, retry_after, clock
        self.tokens = burst
        self.accepted = 0
        self.refused = 0
        self.first_at: float | None = None  # clock times of the first and the last request
        self.last_at: float | None = None
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self.clock()
            self.first_at = now if self.first_at is None else self.first_at
            self.last_at = now
            self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
            self._last = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                self.accepted += 1
                return True
            self.refused += 1
            return False


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waited for the
    # client's delayed ACK, 40 ms an answer on a kept-alive connection (a 5,000-hop recording took 10 minutes)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        return None

    def _send(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
        payload = body.encode("utf-8")
        self._head(status, content_type, len(payload), headers)
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner.record_request(self.path, self.headers.get("Authorization"))
        if owner.bucket is not None and not owner.bucket.take():
            headers = {"Retry-After": owner.bucket.retry_after} if owner.bucket.retry_after else None
            self._send(429, '{"message":"Your request rate exceeds the current limit"}', "application/json", headers)
            return
        time.sleep(owner.delay)
        fault = owner.take_fault(path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.action not in ("truncate", "rewrite"):
                self._fault(fault)
                return
        if not path.startswith(owner.prefix):
            self._send(404, f'endpoint does not exist "{path}"', "text/plain")
            return
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        status, body = owner.answer(path[len(owner.prefix):], query)
        if fault is not None and fault.action == "rewrite":
            if status == 200 and not isinstance(body, str):
                body = fault.rewrite(path, body)
            fault = None
        text, content_type = (body, "text/plain") if isinstance(body, str) else \
            (json.dumps(body, separators=(",", ":")), "application/json")
        if fault is not None:  # truncate: the right headers, half the body, then hang up
            payload = text.encode("utf-8")
            self._head(status, content_type, len(payload))
            self.wfile.write(payload[: len(payload) // 2])
            self.close_connection = True
            return
        self._send(status, text, content_type)

    def _head(self, status: int, content_type: str, length: int | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _fault(self, fault: Fault) -> None:
        if fault.action == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if fault.action == "flood":
            self._head(200, "application/json", fault.size if fault.declare_size else None)
            self.close_connection = True
            chunk = b'{"txid":"' + b"0" * 65_000 + b'"},'
            sent = 0
            while sent < fault.size:
                piece = chunk[: fault.size - sent]
                self.wfile.write(piece)
                sent += len(piece)
            return
        self._send(fault.status, fault.body, fault.content_type, fault.headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "EsploraServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout test) is expected; anything else is reported."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            super().handle_error(request, client_address)


class EsploraServer:
    """Serve *store* at ``http://127.0.0.1:<port><prefix>`` in a background thread."""

    def __init__(self, store: ChainStore, port: int = 0, prefix: str = "/api") -> None:
        self.store = store
        self.prefix = prefix
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.authorizations: set[str] = set()  # every Authorization header a request carried
        self.delay = 0.0  # seconds before every answer: a slow explorer
        self.bucket: TokenBucket | None = None  # a rate limit, answered 429 beyond
        self.serves_proofs = True  # False: like an explorer without block headers and Merkle proofs (404)
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), name="esplora-loopback", daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{self.prefix}"

    def __enter__(self) -> "EsploraServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def close(self) -> None:
        """Release the socket of a server that was never started (used for :meth:`answer` only)."""
        self._httpd.server_close()

    def record_request(self, path: str, authorization: str | None = None) -> None:
        with self._lock:
            self.requests.append(path)
            if authorization:
                self.authorizations.add(authorization)

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and re.search(fault.pattern, path):
                    fault.times -= 1
                    return fault
        return None

    def answer(self, path: str, query: str = "") -> tuple[int, Any]:
        if path == "/v1/historical-price":
            return self._price(dict(parse_qsl(query)))
        for pattern, name in _ROUTES:
            match = pattern.fullmatch(path)
            if match:
                return getattr(self, f"_{name}")(*match.groups())
        return 404, f'endpoint does not exist "{self.prefix}{path}"'

    def _tx(self, txid: str) -> tuple[int, Any]:
        if not _HEX64.fullmatch(txid):
            return 400, "Invalid hex string"
        tx = self.store.tx(txid.lower())
        return (200, tx) if tx is not None else (404, "Transaction not found")

    def _outspends(self, txid: str) -> tuple[int, Any]:
        if not _HEX64.fullmatch(txid):
            return 400, "Invalid hex string"
        spends = self.store.outspends(txid.lower())
        return (200, spends) if spends is not None else (404, "Transaction not found")

    def _status(self, txid: str) -> tuple[int, Any]:
        tx = self.store.tx(txid.lower())  # like electrs: unknown ids answer 200 unconfirmed
        return 200, (tx["status"] if tx else {"confirmed": False})

    def _address(self, address: str) -> tuple[int, Any]:
        return 200, self.store.address_stats(address)

    def _address_txs(self, address: str) -> tuple[int, Any]:
        return 200, self.store.address_txs(address)

    def _address_chain(self, address: str, last_seen: str | None = None) -> tuple[int, Any]:
        return 200, self.store.address_txs_chain(address, last_seen)

    def _price(self, query: dict[str, str]) -> tuple[int, Any]:
        """mempool.space style: the latest stored price strictly before the timestamp."""
        if self.store.price_usd is None:
            return 404, f'endpoint does not exist "{self.prefix}/v1/historical-price"'
        if query.get("currency", "USD") != "USD" or not query.get("timestamp", "").isdigit():
            return 400, "Invalid parameters"
        hour = (int(query["timestamp"]) - 1) // 3600 * 3600
        return 200, {"prices": [{"time": hour, "USD": self.store.price_usd(hour)}], "exchangeRates": {}}

    def _header(self, block_hash: str) -> tuple[int, Any]:
        header = self.store.block_header(block_hash.lower()) if self.serves_proofs else None
        return (200, header) if header is not None else (404, "Block not found")

    def _block_txids(self, block_hash: str) -> tuple[int, Any]:
        txids = self.store.block_txids(block_hash.lower()) if self.serves_proofs else None
        return (200, txids) if txids is not None else (404, "Block not found")

    def _merkle_proof(self, txid: str) -> tuple[int, Any]:
        proof = self.store.merkle_proof(txid.lower()) if self.serves_proofs else None
        return (200, proof) if proof is not None else (404, "Transaction not found or is unconfirmed")

    def _tip(self) -> tuple[int, Any]:
        return 200, str(self.store.tip_height or 0)
