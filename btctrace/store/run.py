"""The store's part in one trace run: tags looked up as the walk meets addresses, final answers
served from and kept in the evidence cache, and after the trace the case registered and its
links to other cases found. With a pinned snapshot (``verify``, or a rerun given one) the store
is not opened at all: tags and links come from the snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from btctrace.graph.schema import KIND, KIND_ADDRESS, KIND_TX
from btctrace.store import Store, open_store
from btctrace.store.cases import CaseItem, CaseRecord
from btctrace.store.evidence import EvidenceCache
from btctrace.store.snapshot import StoreView
from btctrace.tags import TagIndex, TagLookup

__all__ = ["RunStore", "case_items", "open_run_store"]


@dataclass
class RunStore:
    store: Store | None = None  # None: no store (--no-store) or a pinned snapshot
    pinned: StoreView | None = None
    evidence: EvidenceCache | None = None

    def tag_lookup(self) -> TagLookup | None:
        if self.pinned is not None:
            return self.pinned.lookup
        return self.store.lookup if self.store is not None else None

    def finish(self, tags: TagIndex, items: list[CaseItem], record: CaseRecord | None) -> StoreView:
        """What the run took from the store; registers the case (when *record*) after its links
        to other cases were found, so a case never links to itself."""
        if self.pinned is not None:
            return self.pinned
        if self.store is None:
            return StoreView()
        view = StoreView(self.store.db.kind, dict(sorted(tags.from_store.items())))
        if record is not None:
            view.case_links = self.store.links(record.case_id, items)
            record.items = items
            self.store.register(record)
        return view

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def open_run_store(location: str | None, disabled: bool, snapshot: Path | None, evidence: bool) -> RunStore:
    """*snapshot* wins over the store; *disabled* (``--no-store``) opens nothing; *evidence*
    (live and recording runs) also serves and keeps final explorer answers."""
    if snapshot is not None:
        return RunStore(pinned=StoreView.read(snapshot))
    if disabled:
        return RunStore()
    store = open_store(location)
    return RunStore(store=store, evidence=store.evidence_cache() if evidence else None)


def case_items(graph: nx.MultiDiGraph) -> list[CaseItem]:
    """Every transaction (with its hop) and address (lowest hop, role, cluster) of a trace."""
    items = []
    sizes: dict[str, int] = {}
    for _, data in graph.nodes(data=True):
        if data.get(KIND) == KIND_ADDRESS and data.get("cluster"):
            sizes[data["cluster"]] = sizes.get(data["cluster"], 0) + 1
    for node, data in sorted(graph.nodes(data=True)):
        if data.get(KIND) == KIND_TX:
            items.append(CaseItem("tx", node, data.get("hop"), "transaction"))
        elif data.get(KIND) == KIND_ADDRESS and data.get("address"):
            hops = [d.get("hop") for _, _, d in graph.in_edges(node, data=True)] + \
                   [d.get("hop") for _, _, d in graph.out_edges(node, data=True)]
            known = [h for h in hops if isinstance(h, int)]
            cluster = str(data.get("cluster") or "")
            items.append(CaseItem("address", node, min(known) if known else None, str(data.get("role") or ""),
                                  cluster if sizes.get(cluster, 0) > 1 else ""))
    return items
