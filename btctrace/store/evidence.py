"""The evidence cache: explorer answers that cannot change, kept across runs and cases.

Final answers only: a transaction with at least :data:`FINAL_CONFIRMATIONS` confirmations when
it was fetched, and an outspends list whose every output is spent by a transaction with as many
(a reorganisation deeper than six blocks is the threshold Bitcoin users have long treated as
final: Nakamoto 2008, §11). Unspent outputs, address histories, prices and mempool answers are
never kept: they are asked afresh on every run.

Each kept answer carries the URL it came from, its ``fetched_at`` time and the SHA-256 of its
body, checked again whenever it is used (a row that no longer matches is ignored and asked
again). An answer used from the store goes into the run's cassette as an ordinary interaction
with its original ``fetched_at`` and a ``from_store`` mark, so the offline rerun and ``verify``
work exactly as for a fetched answer.

Answers are judged as they arrive but written only when the run has finished and only if the
answer checks did not refuse them (:meth:`EvidenceCache.commit`): a lying explorer's answer,
refused and failed over, is never kept to be served to a later run.

A kept answer is served at most once a run. Asked again (the checks refused it and ask afresh),
the request goes to the explorer; when the fresh answer differs from the one served, the kept
row is the one at fault: it is moved to ``evidence_quarantine`` at once with the reason, counted,
and reported as the cache's fault (issue 32: a row edited together with its SHA-256 was served,
the explorer blamed, and every later run failed). A row that fails its SHA-256 or whose values
have the wrong types is quarantined the same way, and the explorer asked.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from btctrace import safejson
from btctrace.errors import BtctraceError, StoreError
from btctrace.store.database import Database, typed_row

__all__ = ["FINAL_CONFIRMATIONS", "EvidenceCache", "resource_of"]

FINAL_CONFIRMATIONS = 6
_RESOURCE = re.compile(r"/tx/([0-9a-f]{64})(/outspends)?$")


def resource_of(uri: str) -> str | None:
    """``tx:<txid>`` or ``outspends:<txid>`` for the answers that may be kept, else None."""
    match = _RESOURCE.search(urlsplit(uri).path)
    if match is None:
        return None
    return f"{'outspends' if match.group(2) else 'tx'}:{match.group(1)}"


def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _final_height(status: Any, tip: int) -> int | None:
    """The block height of a confirmed status buried deep enough, else None."""
    if not isinstance(status, dict) or status.get("confirmed") is not True:
        return None
    height = status.get("block_height")
    if not isinstance(height, int) or isinstance(height, bool) or tip - height + 1 < FINAL_CONFIRMATIONS:
        return None
    return height


def final_height(resource: str, data: Any, tip: int) -> int | None:
    """The (highest) block height the answer rests on, when it is final; else None."""
    kind, txid = resource.split(":", 1)
    if kind == "tx":
        if not isinstance(data, dict) or data.get("txid") != txid:
            return None
        return _final_height(data.get("status"), tip)
    if not isinstance(data, list) or not data:
        return None
    heights = []
    for entry in data:
        if not isinstance(entry, dict) or entry.get("spent") is not True:
            return None
        height = _final_height(entry.get("status"), tip)
        if height is None:
            return None
        heights.append(height)
    return max(heights)


class EvidenceCache:
    """Lookups and offers for one run; ``tip_height`` must be set (from the explorer) before any
    answer can be judged final. Counts what it served, kept and declined."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.tip_height: int | None = None
        self.counts = {"served": 0, "kept": 0, "not_final": 0, "mismatched": 0, "refused": 0, "quarantined": 0}
        self.quarantined: list[dict[str, str]] = []  # resource, reason, quarantined_at of each row moved out
        self._served: dict[str, tuple[str, str]] = {}  # uri -> (resource, sha256) served this run
        self._lock = threading.Lock()
        self._pending: dict[str, tuple] = {}  # uri -> the row to write when the run has finished

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    def lookup(self, uri: str) -> dict[str, Any] | None:
        """A cassette interaction answering *uri* from the store, or None (not kept, already
        served this run, or a bad row, which is quarantined)."""
        resource = resource_of(uri)
        if resource is None or uri in self._served:
            return None
        rows = self.db.query("SELECT source_url, fetched_at, sha256, status, content_type, body, stored_at "
                             "FROM evidence WHERE resource = ?", (resource,))
        if not rows:
            return None
        try:
            source_url, fetched_at, sha256, status, content_type, body, stored_at = typed_row(
                self.db, "evidence", rows[0], (str, str, str, int, str, str, str))
        except StoreError as exc:
            self._quarantine(resource, f"unreadable row ({exc.args[0] if exc.args else exc})")
            return None
        if _sha256(body) != sha256:
            self._count("mismatched")
            self._quarantine(resource, "its body no longer matches its SHA-256")
            return None
        with self._lock:
            self._served[uri] = (resource, sha256)
        self._count("served")
        return {
            "request": {"method": "GET", "uri": uri, "body": None, "headers": {}},
            "response": {"status": {"code": int(status), "message": "OK"},
                         "headers": {"Content-Type": [content_type]} if content_type else {},
                         "body": {"string": body}, "fetched_at": fetched_at,
                         "from_store": {"source_url": source_url, "sha256": sha256, "stored_at": stored_at}},
        }

    def recheck_served(self, fetch_fresh: "Callable[[str], Any]") -> bool:
        """Ask the explorer afresh for every answer served from the store this run (through
        *fetch_fresh*, whose answer comes back through :meth:`offer`); True when any differed
        and was quarantined. Asked only after the checks refused an answer."""
        before = self.counts["quarantined"]
        for uri in sorted(self._served):
            try:
                fetch_fresh(uri)
            except BtctraceError:
                continue  # the explorer cannot answer now: the kept answer is not shown at fault
        return self.counts["quarantined"] > before

    def _quarantine(self, resource: str, reason: str) -> None:
        """Move the kept row of *resource* out of the cache (into ``evidence_quarantine``, kept
        for the examiner), so no later run is served it."""
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.db.transaction():
            self.db.execute("DELETE FROM evidence_quarantine WHERE resource = ?", (resource,))
            self.db.execute("INSERT INTO evidence_quarantine SELECT e.*, CAST(? AS TEXT), CAST(? AS TEXT) FROM evidence e "
                            "WHERE e.resource = ?",
                            (reason, now, resource))
            self.db.execute("DELETE FROM evidence WHERE resource = ?", (resource,))
        with self._lock:
            self.counts["quarantined"] += 1
            self.quarantined.append({"resource": resource, "reason": reason, "quarantined_at": now})

    def _disagrees(self, uri: str, body: str) -> None:
        """A fresh answer to a request served from the store this run: when it differs, the
        kept row is at fault and quarantined."""
        fresh = _sha256(body)
        with self._lock:
            resource, kept = self._served[uri]
            if fresh == kept:
                return
            self._served[uri] = (resource, fresh)  # judged once: the fresh answer stands
        self._quarantine(resource, f"the explorer's fresh answer differs (kept sha256 {kept[:16]}…, "
                                   f"fresh {fresh[:16]}…)")

    def offer(self, item: dict[str, Any]) -> bool:
        """Note a fetched interaction to keep when it is final; True when it is. Nothing is
        written before :meth:`commit`."""
        uri, response = item["request"]["uri"], item["response"]
        if uri in self._served and response["status"]["code"] == 200:
            self._disagrees(uri, response["body"]["string"])
        resource = resource_of(uri)
        if resource is None or self.tip_height is None or response["status"]["code"] != 200:
            return False
        body = response["body"]["string"]
        try:
            height = final_height(resource, safejson.loads(body), self.tip_height)
        except ValueError:
            height = None
        if height is None:
            self._count("not_final")
            return False
        content_type = (response.get("headers", {}).get("Content-Type") or [""])[0]
        with self._lock:
            self._pending[uri] = (resource, uri, response.get("fetched_at", ""), _sha256(body), 200, content_type, body,
                                  height, self.tip_height)
        return True

    def commit(self, refused_uris: set[str] = frozenset()) -> int:
        """Write the final answers of a finished run, except those the checks refused; how many."""
        with self._lock:
            rows = [row for uri, row in sorted(self._pending.items()) if uri not in refused_uris]
            self.counts["refused"] += len(self._pending) - len(rows)
            self._pending.clear()
        if not rows:
            return 0
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.db.transaction():
            self.db.executemany(
                "INSERT INTO evidence (resource, source_url, fetched_at, sha256, status, content_type, body, "
                "block_height, tip_height, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (resource) DO UPDATE SET source_url = excluded.source_url, fetched_at = "
                "excluded.fetched_at, sha256 = excluded.sha256, body = excluded.body, content_type = "
                "excluded.content_type, block_height = excluded.block_height, tip_height = excluded.tip_height, "
                "stored_at = excluded.stored_at", [(*row, now) for row in rows])
        self._count_many("kept", len(rows))
        return len(rows)

    def _count_many(self, name: str, number: int) -> None:
        with self._lock:
            self.counts[name] += number
