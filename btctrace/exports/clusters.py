"""The cluster-level flow graph: who paid whom, with addresses folded into their clusters.

Each output of a traced transaction is a flow from the cluster that funded the transaction to
the cluster that received the output. A transaction funded by several clusters (a CoinJoin, or
inputs that were not merged) is its own source node ``tx:<txid>``, so mixed flows are not
pinned on any one owner. Flows inside one cluster (change) are counted apart, not drawn.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from btctrace.exports.graphml import ReadyGraph, plain_attributes, ready_node, write_ready_graphml
from btctrace.exports.tables import write_csv
from btctrace.graph import schema as S
from btctrace.graph.derived import derived
from btctrace.units import format_btc, format_utc

__all__ = ["CLUSTER_FLOW_COLUMNS", "cluster_flow_graph", "cluster_flows_frame", "write_cluster_outputs"]

CLUSTER_FLOW_COLUMNS = ["from_cluster", "to_cluster", "value_sats", "value_btc", "transfers", "first_utc",
                        "last_utc", "txids"]


def _cluster_of(graph: nx.MultiDiGraph, node: str) -> str:
    return graph.nodes[node].get("cluster") or node


def _add_cluster_nodes(flows: nx.DiGraph, graph: nx.MultiDiGraph) -> None:
    members: dict[str, list[dict]] = {}
    for node, data in graph.nodes(data=True):
        if data[S.KIND] == S.KIND_ADDRESS:
            members.setdefault(_cluster_of(graph, node), []).append(data)
    for cluster, datas in sorted(members.items()):
        flows.add_node(cluster, kind="cluster", size=len(datas),
                       labels=";".join(sorted({d["label"] for d in datas if d["label"]})),
                       roles=";".join(sorted({d["role"] for d in datas})))


def _add_flow(flows: nx.DiGraph, source: str, target: str, data: dict) -> None:
    if not flows.has_edge(source, target):
        flows.add_edge(source, target, value=0, transfers=0, first=None, last=None, txids=set())
    edge = flows.edges[source, target]
    edge["value"] += data["value"]
    edge["transfers"] += 1
    edge["txids"].add(data["txid"])
    if data["block_time"] is not None:
        edge["first"] = min(filter(None, (edge["first"], data["block_time"])))
        edge["last"] = max(filter(None, (edge["last"], data["block_time"])))


def cluster_flow_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """A DiGraph of clusters with aggregated flows (satoshis, transfers, first/last time, txids):
    worked out once per graph (:mod:`btctrace.graph.derived`), to be read, not changed."""
    return derived(graph, "cluster_flows", _cluster_flow_graph)


def _cluster_flow_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    flows = nx.DiGraph(internal_sats=0)
    _add_cluster_nodes(flows, graph)
    for tx, data in sorted(graph.nodes(data=True)):
        if data[S.KIND] != S.KIND_TX:
            continue
        funders = sorted({_cluster_of(graph, source) for source, _ in graph.in_edges(tx)})
        source = funders[0] if len(funders) == 1 else f"tx:{tx}"
        if source not in flows:
            flows.add_node(source, kind="mixed_tx", size=0, labels="", roles=f"{len(funders)} funding clusters")
        for _, target, edge in sorted(graph.out_edges(tx, data=True), key=lambda e: e[2]["index"]):
            destination = _cluster_of(graph, target)
            if destination == source:
                flows.graph["internal_sats"] += edge["value"]
                continue
            _add_flow(flows, source, destination, edge)
    return flows


def _sorted_flows(flows: nx.DiGraph) -> list[tuple[str, str, dict]]:
    """The flows by (from, to): one flow per pair, so this is the order a stable sort gives."""
    return sorted(flows.edges(data=True), key=lambda e: (e[0], e[1]))


def cluster_flows_frame(flows: nx.DiGraph) -> pd.DataFrame:
    """One row per flow, sorted by (from, to), built column by column: a row dict per flow held
    the flows of a 100,000-transaction case twice over at the largest export process's peak."""
    ordered = _sorted_flows(flows)
    columns = {
        "from_cluster": [a for a, _, _ in ordered], "to_cluster": [b for _, b, _ in ordered],
        "value_sats": [d["value"] for _, _, d in ordered],
        "value_btc": [format_btc(d["value"]) for _, _, d in ordered],
        "transfers": [d["transfers"] for _, _, d in ordered],
        "first_utc": [format_utc(d["first"]) for _, _, d in ordered],
        "last_utc": [format_utc(d["last"]) for _, _, d in ordered],
        "txids": [";".join(sorted(d["txids"])) for _, _, d in ordered]}
    return pd.DataFrame(columns, columns=CLUSTER_FLOW_COLUMNS)


def _cluster_ready(flows: nx.DiGraph) -> ReadyGraph:
    """The cluster graph as GraphML writes it, made directly (no NetworkX copy of it first):
    nodes sorted, one edge per flow by (from, to), each flow's txids joined."""
    nodes = [ready_node(node, data) for node, data in sorted(flows.nodes(data=True))]
    edges = [(a, b, 0, plain_attributes({"value": d["value"], "transfers": d["transfers"], "first_time": d["first"],
                                         "last_time": d["last"], "txids": ";".join(sorted(d["txids"]))}))
             for a, b, d in _sorted_flows(flows)]
    return ReadyGraph(plain_attributes({"internal_sats": flows.graph["internal_sats"]}), nodes, edges)


def write_cluster_outputs(graph: nx.MultiDiGraph, csv_path: Path, graphml_path: Path) -> None:
    flows = cluster_flow_graph(graph)
    write_csv(cluster_flows_frame(flows), csv_path)
    write_ready_graphml(_cluster_ready(flows), graphml_path)
