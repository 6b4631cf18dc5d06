"""Copies of the trace graph (btctrace/graph/copying.py)."""

from btctrace.graph.copying import graph_copy


def test_a_copy_without_folded_nodes_is_networkx_copy_then_remove(demo_trace):
    _, graph, _ = demo_trace
    left_out = {node: "x" for node in list(graph.nodes)[::3]}
    expected = graph.copy()
    expected.remove_nodes_from(left_out)
    copy = graph_copy(graph, left_out)
    assert list(copy.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(copy.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert all(list(copy.in_edges(n, keys=True)) == list(expected.in_edges(n, keys=True)) for n in expected)
    assert copy.graph == expected.graph and copy.graph is not graph.graph
    next(iter(copy.nodes.values()))["probe"] = 1
    assert "probe" not in graph.nodes[next(iter(copy.nodes))], "attributes are copied, not shared"


def test_a_copy_with_chosen_keys_holds_only_those(demo_trace):
    _, graph, _ = demo_trace
    light = graph_copy(graph, node_keys=("kind", "role"), edge_keys=("value",))
    assert list(light.edges(keys=True)) == list(graph.edges(keys=True))
    assert all(set(d) <= {"kind", "role"} and d["kind"] == graph.nodes[n]["kind"] for n, d in light.nodes(data=True))
    assert [d for _, _, d in light.edges(data=True)] == [{"value": d["value"]} for _, _, d in graph.edges(data=True)]
