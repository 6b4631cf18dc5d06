"""What the address-level chart writes, whichever layout draws it: an address as head…tail with
its tag, a transaction as its txid head and UTC time, and an arrow's amount ("0.5 BTC", or "2
transfers, 150.0001 BTC in total": two transfers are never read as twice the amount)."""

from __future__ import annotations

import networkx as nx

from btctrace.exports.charts.styles import short_btc, short_id, wrap_words
from btctrace.exports.writing.safe_text import xml_text
from btctrace.graph import schema as S

__all__ = ["LABEL_CHARS", "node_label", "edge_label", "merged_edges"]

LABEL_CHARS = 20


def _short(node: str) -> str:
    return short_id(node, 6, 5, keep=14)


def node_label(graph: nx.MultiDiGraph, node: str) -> str:
    """An address (head…tail) and its tag or cluster; a transaction's txid head and time."""
    data = graph.nodes[node]
    if data.get("peel_steps"):  # a peel chain drawn as one element: its facts one a line, as written
        return xml_text(data["label"])
    label = wrap_words(xml_text(data.get("label") or ""), LABEL_CHARS)
    if data[S.KIND] == S.KIND_TX:
        return label or f"tx {node[:8]}\n{data['time_utc'][:16].replace('T', ' ')}"
    if not data.get("address"):
        return label or node[:12]
    if not label and data.get("cluster") and graph.graph.get("cluster_sizes", {}).get(data["cluster"], 1) > 1:
        label = f"cluster {data['cluster']}"
    return f"{_short(node)}\n{label}" if label else _short(node)


def edge_label(transfers: list[dict], narrow: bool = False) -> str:
    """The summed BTC of the transfers one arrow stands for, without the unit the page's header
    gives ("0.5"; "2 transfers, 150.0001 in total"); USD values are in transfers.csv."""
    total = short_btc(sum(d["value"] for d in transfers)).removesuffix(" BTC")
    count = sum(d.get("transfers", 1) for d in transfers)  # an arrow of gathered peels counts each
    if count == 1:
        return total
    return f"{count:,} transfers{chr(10) if narrow else ', '}{total} in total"


def merged_edges(graph: nx.MultiDiGraph, nodes) -> list[tuple[str, str, list[dict]]]:
    """Transfers between the same two nodes of *nodes* share one arrow (their sum on one
    label), heaviest first."""
    merged: dict[tuple[str, str], list[dict]] = {}
    for source, target, data in graph.edges(data=True):
        if source in nodes and target in nodes:
            merged.setdefault((source, target), []).append(data)
    return sorted(((s, t, d) for (s, t), d in merged.items()), key=lambda e: (-sum(x["value"] for x in e[2]), e[0], e[1]))
