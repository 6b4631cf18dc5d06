"""Per-node flows, summed in one pass, equal what each node's own edges say."""

from btctrace.graph.flows import node_flows


def test_one_pass_gives_each_nodes_own_edges_totals_times_and_hops(demo_trace):
    _, graph, _ = demo_trace
    flows = node_flows(graph)
    assert set(flows) == set(graph)
    for node in graph:
        edges = [d for _, _, d in graph.in_edges(node, data=True)] + [d for _, _, d in graph.out_edges(node, data=True)]
        times = [d["block_time"] for d in edges if d["block_time"] is not None]
        flow = flows[node]
        assert flow.received == sum(d["value"] for _, _, d in graph.in_edges(node, data=True))
        assert flow.sent == sum(d["value"] for _, _, d in graph.out_edges(node, data=True))
        assert (flow.first_time, flow.last_time) == ((min(times), max(times)) if times else (None, None))
        assert sorted(flow.hops) == sorted(d["hop"] for d in edges)
    assert node_flows(graph) is flows  # computed once per graph


def test_a_derived_value_is_worked_out_again_when_the_graph_gains_a_node(demo_trace):
    _, graph, _ = demo_trace
    copy = graph.copy()
    before = node_flows(copy)
    copy.add_node("bc1-new", kind="address", role="counterparty")
    after = node_flows(copy)
    assert after is not before and "bc1-new" in after and "bc1-new" not in before
