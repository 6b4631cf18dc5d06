"""What the flow chart draws: the trace graph with chart styles, and wide fans folded.

A transaction paying (or paid by) more than a handful of untraced leaf addresses shows the
largest few and one "N others" node carrying the rest of the satoshis, so a 500-node trace reads
as a chart, not a hairball (issue 6). Styles mark the roles a reader looks for: the seed,
who paid it, the seed's cluster, peel-chain steps, CoinJoins, exchanges/services, holdings.
"""

from __future__ import annotations

import networkx as nx

from btctrace.exports.charts.peel_display import collapse_peel_chains
from btctrace.graph import schema as S
from btctrace.graph.case_roles import CASE_ROLE_VICTIM
from btctrace.graph.copying import graph_copy

__all__ = ["MAX_LEAVES", "SERVICE_CATEGORIES", "LAYOUT_KEYS", "CHART_KEYS", "display_graph"]

MAX_LEAVES = 6
SERVICE_CATEGORIES = frozenset({"exchange", "wallet_service", "payment_processor", "mixing_service", "gambling",
                                "market", "miner", "atm", "service"})


def _address_style(data: dict, seed_cluster: set[str], node: str) -> str:
    if data.get("case_role") == CASE_ROLE_VICTIM:
        return "case_victim"  # a role the case file gives, marked as such
    if data["role"] == S.ROLE_ENDPOINT and (data.get("category") in SERVICE_CATEGORIES
                                           or "large_address" in data.get("stop_reasons", "")):
        return "service"
    if data["role"] in {S.ROLE_INTERMEDIARY, S.ROLE_HOLDING} and node in seed_cluster:
        return "seed_cluster" if data["role"] == S.ROLE_INTERMEDIARY else S.ROLE_HOLDING
    return data["role"]


def _fold(display: nx.MultiDiGraph, tx: str, side: str) -> None:
    adjacent = display.succ[tx] if side == S.SIDE_OUTPUT else display.pred[tx]
    if sum(map(len, adjacent.values())) <= MAX_LEAVES:
        return  # too few transfers on this side to fold (most transactions): no edge looked at
    edges = list(display.out_edges(tx, keys=True, data=True)) if side == S.SIDE_OUTPUT else \
        list(display.in_edges(tx, keys=True, data=True))
    leaf = [e for e in edges if display.degree(e[1] if side == S.SIDE_OUTPUT else e[0]) == 1
            and display.nodes[e[1] if side == S.SIDE_OUTPUT else e[0]].get("role") == S.ROLE_COUNTERPARTY]
    if len(leaf) <= MAX_LEAVES:
        return
    leaf.sort(key=lambda e: (-e[3]["value"], e[3]["index"]))
    folded = leaf[MAX_LEAVES - 1:]
    node = f"{tx}:others-{'out' if side == S.SIDE_OUTPUT else 'in'}"
    first = folded[0][3]
    display.add_node(node, **{S.KIND: S.KIND_ADDRESS, "address": "", "role": S.ROLE_COUNTERPARTY,
                              "label": f"{len(folded)} others", "style": S.ROLE_COUNTERPARTY, "cluster": ""})
    attrs = {**first, "value": sum(e[3]["value"] for e in folded), "index": first["index"]}
    for source, target, _, _ in folded:
        display.remove_node(target if side == S.SIDE_OUTPUT else source)
    if side == S.SIDE_OUTPUT:
        display.add_edge(tx, node, key="others", **attrs)
    else:
        display.add_edge(node, tx, key="others", **attrs)


LAYOUT_KEYS = ((S.KIND, "role", "hop", "block_time", "label"),  # what folding and the layout read of a node
               ("value", "index", "side"))  # ... and of an edge
CHART_KEYS = (LAYOUT_KEYS[0] + ("address", "cluster", "time_utc"), LAYOUT_KEYS[1])  # ... and the chart


def display_graph(graph: nx.MultiDiGraph, coinjoins: frozenset[str] = frozenset(),
                  peel_txids: frozenset[str] = frozenset(),
                  keys: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
                  peel_chains: tuple = ()) -> nx.MultiDiGraph:
    """A copy of *graph* with a ``style`` on every node, each long peel chain of *peel_chains*
    one element (:mod:`btctrace.exports.charts.peel_display`) and wide untraced fans folded. With
    *keys* (node keys, edge keys) the copy keeps only those attributes: :data:`LAYOUT_KEYS` for
    the explorer's positions and groups (a third of a full copy at 100,000 transactions),
    :data:`CHART_KEYS` for the flow chart."""
    display = graph.copy() if keys is None else graph_copy(graph, node_keys=keys[0], edge_keys=keys[1])
    seeds = {n for n, d in graph.nodes(data=True) if d.get("role") == S.ROLE_SEED}
    seed_clusters = {graph.nodes[n].get("cluster") for n in seeds} - {""}
    seed_cluster = {n for n, d in graph.nodes(data=True) if d.get("cluster") in seed_clusters}
    for node, data in display.nodes(data=True):
        if data[S.KIND] == S.KIND_TX:
            data["style"] = "coinjoin" if node in coinjoins else "peel" if node in peel_txids else "tx"
        else:
            data["style"] = _address_style(graph.nodes[node], seed_cluster, node)
    collapse_peel_chains(display, peel_chains)
    for tx in sorted(n for n, d in display.nodes(data=True) if d[S.KIND] == S.KIND_TX):
        _fold(display, tx, S.SIDE_OUTPUT)
        _fold(display, tx, S.SIDE_INPUT)
    return display
