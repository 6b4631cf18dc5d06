"""Cluster-level flows: every output of every traced tx is either a flow between clusters or
an internal (same-cluster) move, to the satoshi; mixed funding gets its own tx node."""

from btctrace.graph import schema as S
from btctrace.graph.cluster_flows import cluster_flow_graph


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
