"""Cluster-level flows: every output of every traced tx is either a flow between clusters or
an internal (same-cluster) move, to the satoshi; mixed funding gets its own tx node."""

import networkx as nx

from btctrace.exports.clusters import cluster_flow_graph, cluster_flows_frame, write_cluster_outputs
from btctrace.graph import schema as S


def test_flows_and_internal_moves_account_for_every_output(demo_trace):
    _, graph, _ = demo_trace
    flows = cluster_flow_graph(graph)
    outputs = sum(d["value"] for _, _, d in graph.edges(data=True) if d["side"] == S.SIDE_OUTPUT)
    assert sum(d["value"] for _, _, d in flows.edges(data=True)) + flows.graph["internal_sats"] == outputs


def test_a_coinjoin_is_a_mixed_source_not_one_owner(demo, demo_trace):
    _, graph, _ = demo_trace
    flows = cluster_flow_graph(graph)
    node = f"tx:{demo.coinjoin_txid}"
    assert flows.nodes[node]["kind"] == "mixed_tx" and flows.out_degree(node) == 10


def test_cluster_outputs_are_written_and_read_back(demo_trace, tmp_path):
    _, graph, _ = demo_trace
    write_cluster_outputs(graph, tmp_path / "f.csv", tmp_path / "c.graphml")
    back = nx.read_graphml(tmp_path / "c.graphml", force_multigraph=True)
    frame = cluster_flows_frame(cluster_flow_graph(graph))
    assert back.number_of_edges() == len(frame) and (tmp_path / "f.csv").read_text().startswith("from_cluster,")
