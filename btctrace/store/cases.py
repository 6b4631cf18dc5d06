"""Cases in the store: what each case run touched (seeds, addresses with hop, role and cluster,
transactions with hop), which cases touched an address or transaction, and which other cases
share addresses, transactions or clusters with a case, with the shared items as evidence.

Haslhofer et al. (eCrime 2023) found 41 % of 34 cyber-fraud cases linked to another through
shared addresses: a unit working many cases needs to be told."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from btctrace.errors import UsageProblem
from btctrace.store.database import Database, typed_row

__all__ = ["CaseItem", "CaseLink", "CaseRecord", "CaseTouch", "case_links", "cases_touching", "register_case"]


_HOP = (int, type(None))


@dataclass(frozen=True)
class CaseItem:
    kind: str  # address | tx
    item: str
    hop: int | None
    role: str
    cluster: str = ""  # the address's cluster id in that case (C0001 …), "" when alone


@dataclass
class CaseRecord:
    case_id: str
    title: str
    out_dir: str
    seeds: list[str]
    items: list[CaseItem] = field(default_factory=list)


def register_case(db: Database, record: CaseRecord) -> None:
    """Register (or replace) one case's items, in one transaction."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = {kind: sum(1 for i in record.items if i.kind == kind) for kind in ("tx", "address")}
    with db.transaction():
        db.execute("DELETE FROM case_items WHERE case_id = ?", (record.case_id,))
        db.execute("DELETE FROM cases WHERE case_id = ?", (record.case_id,))
        db.execute("INSERT INTO cases (case_id, title, registered_at, out_dir, seeds, transactions, addresses) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (record.case_id, record.title, now, record.out_dir,
                                                    json.dumps(record.seeds), counts["tx"], counts["address"]))
        db.copy_rows("case_items", ("case_id", "kind", "item", "hop", "role", "cluster"),
                     ((record.case_id, i.kind, i.item, i.hop, i.role, i.cluster) for i in record.items))


@dataclass(frozen=True)
class CaseTouch:
    case_id: str
    title: str
    registered_at: str
    kind: str
    hop: int | None
    role: str
    cluster: str


def cases_touching(db: Database, item: str) -> list[CaseTouch]:
    """Every case that touched *item* (an address or txid), oldest registration first."""
    rows = db.query("SELECT c.case_id, c.title, c.registered_at, i.kind, i.hop, i.role, i.cluster "
                    "FROM case_items i JOIN cases c ON c.case_id = i.case_id WHERE i.item = ? "
                    "ORDER BY c.registered_at, c.case_id", (item,))
    return [CaseTouch(*typed_row(db, "case_items", row, (str, str, str, str, _HOP, str, str))) for row in rows]


@dataclass(frozen=True)
class SharedCluster:
    here: str  # the cluster id in the case asked about
    there: str  # the cluster id in the other case
    size_here: int
    size_there: int
    shared: tuple[str, ...]  # the addresses both clusters hold


@dataclass
class CaseLink:
    """Another case sharing items with the case asked about."""

    case_id: str
    title: str
    addresses: list[tuple[str, str, str]] = field(default_factory=list)  # address, role here, role there
    transactions: list[str] = field(default_factory=list)
    clusters: list[SharedCluster] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"case_id": self.case_id, "title": self.title,
                "shared_addresses": [{"address": a, "role_here": r1, "role_there": r2} for a, r1, r2 in self.addresses],
                "shared_transactions": self.transactions,
                "shared_clusters": [{"here": c.here, "there": c.there, "size_here": c.size_here,
                                     "size_there": c.size_there, "shared_addresses": list(c.shared)}
                                    for c in self.clusters]}

    @classmethod
    def from_json(cls, data: dict) -> "CaseLink":
        return cls(str(data["case_id"]), str(data["title"]),
                   [(str(a["address"]), str(a["role_here"]), str(a["role_there"])) for a in data["shared_addresses"]],
                   [str(t) for t in data["shared_transactions"]],
                   [SharedCluster(str(c["here"]), str(c["there"]), int(c["size_here"]), int(c["size_there"]),
                                  tuple(str(a) for a in c["shared_addresses"])) for c in data["shared_clusters"]])


def _cluster_sizes(db: Database, case_id: str) -> dict[str, int]:
    rows = db.query("SELECT cluster, COUNT(*) FROM case_items WHERE case_id = ? AND kind = 'address' "
                    "AND cluster <> '' GROUP BY cluster", (case_id,))
    return dict(typed_row(db, "case_items", row, (str, int)) for row in rows)


def case_links(db: Database, case_id: str, items: list[CaseItem] | None = None) -> list[CaseLink]:
    """Other cases sharing addresses, transactions or clusters with *case_id* (or with *items*,
    for a case not registered yet), most shared first."""
    if items is None:
        if not db.query("SELECT 1 FROM cases WHERE case_id = ?", (case_id,)):
            raise UsageProblem(f"the store {db.location} holds no case {case_id!r}",
                               "Give the case id of a case run with this store (see its manifest.json)")
        rows = db.query("SELECT kind, item, hop, role, cluster FROM case_items WHERE case_id = ?", (case_id,))
        items = [CaseItem(*typed_row(db, "case_items", row, (str, str, _HOP, str, str))) for row in rows]
    mine = {(i.kind, i.item): i for i in items}
    if not mine:
        return []
    found: dict[str, CaseLink] = {}
    sizes_here: dict[str, int] = {}
    for i in items:
        if i.cluster:
            sizes_here[i.cluster] = sizes_here.get(i.cluster, 0) + 1
    shared_clusters: dict[tuple[str, str, str], list[str]] = {}
    wanted = sorted({i.item for i in items})
    for start in range(0, len(wanted), 900):
        batch = wanted[start:start + 900]
        rows = db.query("SELECT c.case_id, c.title, i.kind, i.item, i.role, i.cluster FROM case_items i "
                        f"JOIN cases c ON c.case_id = i.case_id WHERE i.item IN ({', '.join('?' * len(batch))}) "
                        "AND i.case_id <> ?", (*batch, case_id))
        for row in rows:
            other, title, kind, item, role, cluster = typed_row(db, "case_items", row, (str,) * 6)
            here = mine.get((kind, item))
            if here is None:
                continue
            link = found.setdefault(other, CaseLink(other, title))
            if kind == "tx":
                link.transactions.append(item)
                continue
            link.addresses.append((item, here.role, role))
            if here.cluster and cluster:
                shared_clusters.setdefault((other, here.cluster, cluster), []).append(item)
    for (other, here_cluster, there_cluster), shared in sorted(shared_clusters.items()):
        there_sizes = _cluster_sizes(db, other)
        found[other].clusters.append(SharedCluster(here_cluster, there_cluster, sizes_here.get(here_cluster, 0),
                                                   there_sizes.get(there_cluster, 0), tuple(sorted(shared))))
    for link in found.values():
        link.addresses.sort()
        link.transactions.sort()
    return sorted(found.values(), key=lambda l: (-(len(l.addresses) + len(l.transactions)), l.case_id))
