"""The trace graph: every input and output of every traced tx, roles by precedence."""

from collections import Counter

import networkx as nx

from btctrace.graph import schema as S
from btctrace.testing.provider import StoreProvider
from btctrace.tracing.result import Seed, TraceLimits
from btctrace.tracing.walk import trace_forward
from btctrace.graph.build import build_graph


def test_every_input_and_output_is_an_edge(demo_trace):
    result, graph, _ = demo_trace
    expected = sum(len(t.tx.inputs) + len(t.tx.outputs) for t in result.txs.values())
    assert graph.number_of_edges() == expected
    assert isinstance(graph, nx.MultiDiGraph)
    for source, target, key, data in graph.edges(keys=True, data=True):
        tx_node = target if data["side"] == S.SIDE_INPUT else source
        assert graph.nodes[tx_node][S.KIND] == S.KIND_TX and data["txid"] == tx_node
        assert key == S.edge_key(data["side"], data["index"]) and isinstance(data["value"], int)


def test_tx_nodes_balance_to_the_satoshi(demo_trace):
    _, graph, _ = demo_trace
    for node, data in graph.nodes(data=True):
        if data[S.KIND] == S.KIND_TX and not data["coinbase"]:
            ins = sum(d["value"] for _, _, d in graph.in_edges(node, data=True))
            outs = sum(d["value"] for _, _, d in graph.out_edges(node, data=True))
            assert ins - outs == data["fee"]


def test_demo_roles(demo, demo_trace):
    _, graph, _ = demo_trace
    roles = {n: d["role"] for n, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_ADDRESS}
    assert roles[demo.ransom_address] == S.ROLE_SEED
    assert Counter(roles.values())[S.ROLE_PAYER] == 4
    assert "victim" not in roles.values(), "paying the seed makes a payer, not a victim"
    assert all(d["case_role"] == "" for _, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_ADDRESS)
    deposits = [a for a in demo.exchange_addresses[1:] if a in roles]
    assert deposits and all(roles[a] == S.ROLE_ENDPOINT for a in deposits)
    assert graph.nodes[deposits[0]]["label"] == "Northwind Exchange (synthetic)"
    assert roles[demo.large_address] == S.ROLE_ENDPOINT
    assert all(roles[a] == S.ROLE_HOLDING for a in demo.holdings)


def test_nodes_are_sorted_and_build_is_repeatable(demo, demo_trace):
    result, graph, tags = demo_trace
    assert list(graph.nodes) == sorted(graph.nodes)
    again = build_graph(result, tags, {n: d["cluster"] for n, d in graph.nodes(data=True) if d.get("cluster")})
    assert list(again.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))


def test_unknown_script_outputs_get_a_pseudo_node(builder):
    b = builder
    coin = b.coinbase(800_000, b.address("p2wpkh"), 100_000)
    burn = b.spend(800_001, [coin], [(None, 0)], change=b.address("p2wpkh"))
    result = trace_forward(StoreProvider(b.store), (Seed("tx", burn[0].txid),), TraceLimits(hops=1))
    graph = build_graph(result)
    assert f"op_return:{burn[0].txid}:out0" in graph


def test_attribute_names_are_exactly_the_schema(demo_trace):
    _, graph, _ = demo_trace
    for _, data in graph.nodes(data=True):
        expected = S.TX_ATTRS if data[S.KIND] == S.KIND_TX else S.ADDRESS_ATTRS
        assert set(data) == {S.KIND, *expected}
    for _, _, data in graph.edges(data=True):
        assert set(data) == set(S.EDGE_ATTRS)
