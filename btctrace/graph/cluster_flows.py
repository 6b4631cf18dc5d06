"""The cluster-level flow graph: who paid whom, with addresses folded into their clusters.

Each output of a traced transaction is a flow from the cluster that funded the transaction to
the cluster that received the output. A transaction funded by several clusters (a CoinJoin, or
inputs that were not merged) is its own source node ``tx:<txid>``, so mixed flows are not
pinned on any one owner. Flows inside one cluster (change) are counted apart, not drawn.
Worked out once per graph (:mod:`btctrace.graph.derived`): read by the entity chart and written
as ``cluster_flows.csv`` and ``clusters.graphml`` (:mod:`btctrace.exports.interchange.clusters`).
"""

from __future__ import annotations

import networkx as nx

from btctrace.graph import schema as S
from btctrace.graph.derived import derived

__all__ = ["cluster_flow_graph"]


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
    flows = nx.DiGraph(internal_sats=0, internal_by_cluster={})  # moved inside one cluster: in all, and per cluster
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
                inside = flows.graph["internal_by_cluster"]
                inside[source] = inside.get(source, 0) + edge["value"]
                continue
            _add_flow(flows, source, destination, edge)
    return flows
