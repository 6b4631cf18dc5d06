"""A long peel chain is drawn as one element: its steps and the change passed down it inside,
plain peels gathered and counted, marked or followed peels on their own, every satoshi kept."""

import pytest

from btctrace.exports.charts.flow_display import CHART_KEYS, display_graph
from btctrace.exports.charts.flow_text import edge_label, node_label
from btctrace.exports.charts.peel_display import PEEL_ELEMENT_STEPS, chain_node_id, rank_hops
from btctrace.graph import schema as S


@pytest.fixture(scope="module")
def deep():
    """A 300-transaction peel chain traced forward without HTTP: (result, graph, analysis)."""
    from btctrace.analysis import analyse
    from btctrace.graph.build import build_graph
    from btctrace.tags import TagIndex
    from btctrace.testing.provider import StoreProvider
    from btctrace.testing.synthetic import make_peel_chain_case
    from btctrace.tracing.result import Seed, TraceLimits
    from btctrace.tracing.walk import trace_forward

    case = make_peel_chain_case(300)
    result = trace_forward(StoreProvider(case.store), (Seed("address", case.ransom_address),),
                           TraceLimits(hops=1_000, max_transactions=1_000), tags=TagIndex())
    analysis = analyse(result)
    return result, build_graph(result, TagIndex(), analysis.clusters.ids()), analysis


def _display(graph, analysis, **kwargs):
    steps = frozenset(s.txid for c in analysis.peel_chains for s in c.steps)
    return display_graph(graph, frozenset(), steps, CHART_KEYS, tuple(analysis.peel_chains), **kwargs)


def test_a_long_chain_is_one_element_holding_every_satoshi(deep):
    result, graph, analysis = deep
    (chain,) = analysis.peel_chains
    assert chain.length >= 290
    display = _display(graph, analysis)
    element = chain_node_id(1)
    assert display.graph["peel_elements"] == [element]
    assert not any(step.txid in display for step in chain.steps), "no step drawn on its own"
    first = result.txs[chain.steps[0].txid].tx
    assert sum(v for _, _, v in display.in_edges(element, data="value")) == sum(i.value for i in first.inputs)
    out = sum(v for _, _, v in display.out_edges(element, data="value"))
    assert out == chain.total_peeled + chain.steps[-1].continuation_value, "every peel and the change passed on"
    label = node_label(display, element)
    assert label.startswith(f"peel chain: {chain.length:,} hops\n{chain.length:,} peels")
    assert f"from tx {chain.steps[0].txid[:8]}" in label and f"to tx {chain.steps[-1].txid[:8]}" in label


def test_plain_peels_are_one_counted_node_the_explorer_can_open(deep):
    _, graph, analysis = deep
    (chain,) = analysis.peel_chains
    display = _display(graph, analysis)
    element = chain_node_id(1)
    gathered = [n for n in display.successors(element) if n.startswith(f"{element}:peels-")]
    assert len(gathered) == 1
    (edge,) = display.get_edge_data(element, gathered[0]).values()
    members = display.graph["fold_members"][gathered[0]]
    assert edge["transfers"] == len(members) == chain.length
    assert edge_label([edge]).startswith(f"{chain.length:,} transfers, ")
    opened = display.graph["fold_members"][element]
    steps = [s.txid for s in chain.steps]
    assert [m for m in opened if m in set(steps)] == steps, "opening it shows the steps in chain order"
    assert opened[1] in set(graph.successors(steps[0])) and opened[2] == steps[1], \
        "each step is followed by the address its change went to"


def test_a_tagged_peel_keeps_its_own_node(deep):
    _, graph, analysis = deep
    (chain,) = analysis.peel_chains
    tagged = chain.steps[10].peel_address
    copy = graph.copy()
    copy.nodes[tagged]["label"] = "Northwind Exchange"
    display = _display(copy, analysis)
    assert tagged in display and display.has_edge(chain_node_id(1), tagged)
    assert len(display.graph["fold_members"][f"{chain_node_id(1)}:peels-holding"]) == chain.length - 1


def test_a_short_chain_is_drawn_hop_by_hop(deep):
    _, graph, analysis = deep
    (chain,) = analysis.peel_chains
    from btctrace.exports.charts.peel_display import collapse_peel_chains

    display = display_graph(graph, frozenset(), frozenset(), CHART_KEYS)
    assert collapse_peel_chains(display, analysis.peel_chains, min_steps=chain.length + 1) == []
    assert all(step.txid in display for step in chain.steps) and PEEL_ELEMENT_STEPS <= chain.length


def test_hop_columns_close_up_and_pages_name_the_hops_they_hold(deep):
    _, graph, analysis = deep
    (chain,) = analysis.peel_chains
    display = _display(graph, analysis)
    hops = sorted({d["hop"] for _, d in display.nodes(data=True) if d[S.KIND] == S.KIND_TX})
    assert hops == list(range(len(hops))), "no empty columns where the chain's hops were"
    element_rank = display.nodes[chain_node_id(1)]["hop"]
    first_hop = graph.nodes[chain.steps[0].txid]["hop"]
    assert rank_hops(display, element_rank, element_rank) == (first_hop, first_hop + chain.length - 1)
