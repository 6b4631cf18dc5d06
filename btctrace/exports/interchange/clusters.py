"""``cluster_flows.csv`` and ``clusters.graphml``: the cluster-level flow graph
(:func:`btctrace.graph.cluster_flows.cluster_flow_graph`) as a table, one row per flow sorted by
(from, to), and as GraphML (nodes sorted, each flow's txids joined); ``merges.csv``: every
clustering merge, pair by pair, with its transaction, rule and source (the report summarises
them per transaction)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from btctrace.exports.interchange.graphml import write_ready_graphml
from btctrace.exports.interchange.ready import ReadyGraph, plain_attributes, ready_node
from btctrace.exports.interchange.tables import write_csv
from btctrace.graph.cluster_flows import cluster_flow_graph
from btctrace.units import format_btc, format_utc

__all__ = ["CLUSTER_FLOW_COLUMNS", "MERGE_COLUMNS", "cluster_flows_frame", "merges_frame", "write_cluster_outputs"]

MERGE_COLUMNS = ["txid", "address_a", "address_b", "rule", "reference"]


def merges_frame(merges) -> pd.DataFrame:
    """One row per merge (:class:`~btctrace.heuristics.clustering.Merge`), by txid then addresses."""
    rows = sorted((m.txid, m.a, m.b, m.rule, m.reference) for m in merges)
    return pd.DataFrame(rows, columns=MERGE_COLUMNS)

CLUSTER_FLOW_COLUMNS = ["from_cluster", "to_cluster", "value_sats", "value_btc", "transfers", "first_utc",
                        "last_utc", "txids"]


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
