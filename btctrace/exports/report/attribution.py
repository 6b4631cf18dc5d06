"""What the trace learned from attributions: sanctioned addresses it touched, clusters named by a
member's tag, endpoints named through their sweep, and links to other cases. One model, used by
``trace.json``, the report, the subpoena packet and the summary line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from btctrace.analysis import Analysis
from btctrace.graph import schema as S
from btctrace.store.snapshot import StoreView
from btctrace.tags import Tag, TagIndex
from btctrace.tracing.result import TraceResult

__all__ = ["SanctionHit", "attribution_section", "deposit_names", "sanction_hits", "sanction_line"]


@dataclass(frozen=True)
class SanctionHit:
    address: str
    role: str
    tag: Tag

    @property
    def list_name(self) -> str:
        return self.tag.tagpack.split(":", 1)[-1]

    def describe(self) -> str:
        entry = self.tag.entry or self.tag.label
        listed = f", listed {self.tag.listed_on}" if self.tag.listed_on else ""
        return f"{self.address} ({self.role}) on {self.list_name}: {entry}{listed}"


def sanction_hits(graph: nx.MultiDiGraph, tags: TagIndex) -> list[SanctionHit]:
    """Every traced address on an imported sanctions list, one hit per list entry."""
    hits = []
    for address, sanctions in tags.sanctioned().items():
        if address in graph and graph.nodes[address].get(S.KIND) == S.KIND_ADDRESS:
            role = str(graph.nodes[address].get("role") or "")
            hits += [SanctionHit(address, role, tag) for tag in sanctions]
    return sorted(hits, key=lambda h: (h.address, h.tag.tagpack, h.tag.entry))


def sanction_line(hits: list[SanctionHit]) -> str:
    """One line for the summary and the report's first page ("" when nothing is sanctioned)."""
    if not hits:
        return ""
    addresses = sorted({h.address for h in hits})
    shown = "; ".join(h.describe() for h in hits[:3])
    more = f"; and {len(hits) - 3} more" if len(hits) > 3 else ""
    count = "1 traced address" if len(addresses) == 1 else f"{len(addresses):,} traced addresses"
    return f"SANCTIONS: {count} on a sanctions list: {shown}{more}"


def deposit_names(result: TraceResult) -> dict[str, Any]:
    """Endpoint address -> the step that named it through its sweep."""
    return {step.address: step for step in result.deposits if step.named_by is not None}


def _tag_json(tag: Tag) -> dict[str, Any]:
    return {"address": tag.address, "label": tag.label, "category": tag.category, "source": tag.source,
            "confidence": tag.confidence, "from": tag.tagpack, "kind": tag.kind, "entry": tag.entry,
            "abuse": tag.abuse, "listed_on": tag.listed_on, "file_sha256": tag.file_sha256, "imported_at": tag.imported_at}


def _clusters(analysis: Analysis) -> list[dict[str, Any]]:
    return [{"cluster": a.cluster, "label": a.label, "category": a.category, "confidence": a.confidence,
             "confidence_basis": "one step below the best member tag: it also rests on common-input clustering",
             "addresses": len(a.addresses), "named_only_through_cluster": a.untagged,
             "tags": [_tag_json(t) for t in a.tagged], "conflict": a.conflict,
             "merges": [{"a": m.a, "b": m.b, "txid": m.txid, "rule": m.rule, "reference": m.reference}
                        for m in a.merges]} for a in analysis.attributions]


def _deposits(result: TraceResult) -> list[dict[str, Any]]:
    return [{"address": s.address, "paid_in": f"{s.txid}:{s.vout}", "sweep_txid": s.sweep_txid,
             "co_spenders": s.co_spenders, "named_by": _tag_json(s.named_by) if s.named_by else None,
             "requests": s.requests, "outcome": s.outcome} for s in result.deposits]


def _tagged_addresses(graph: nx.MultiDiGraph, tags: TagIndex) -> list[dict[str, Any]]:
    """Every traced address with a tag of its own (sanctions entries apart), each tag whole."""
    rows = []
    for node, data in graph.nodes(data=True):
        if data.get(S.KIND) != S.KIND_ADDRESS or not data.get("address"):
            continue
        own = [t for t in tags.every(node) if not t.sanctions]
        if own:
            rows.append({"address": node, "role": str(data.get("role") or ""), "cluster": data.get("cluster", ""),
                         "how": "tag on the address", "tags": [_tag_json(t) for t in own]})
    return sorted(rows, key=lambda row: row["address"])


def attribution_section(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, tags: TagIndex,
                        view: StoreView) -> dict[str, Any]:
    return {
        "store": view.kind,
        "addresses": _tagged_addresses(graph, tags),
        "tags_from_store": sum(len(t) for t in view.tags.values()),
        "sanctions": [{"address": h.address, "role": h.role, "list": h.list_name, "entry": h.tag.entry,
                       "listed_on": h.tag.listed_on, "source": h.tag.source} for h in sanction_hits(graph, tags)],
        "clusters": _clusters(analysis),
        "deposits": _deposits(result),
        "case_links": [link.to_json() for link in view.case_links],
    }
