"""What the flow chart draws: wide untraced fans folded into "N others" with their satoshis,
and the styles a reader looks for (CoinJoin, peel steps, services, holdings)."""


from btctrace.analysis import analyse
from btctrace.exports.charts.flow_display import CHART_KEYS, LAYOUT_KEYS, MAX_LEAVES, display_graph
from btctrace.exports.charts.flow_layout import fold_crowded_columns, layout
from btctrace.graph import schema as S


def test_coinjoin_fan_is_folded_and_keeps_every_satoshi(demo, demo_trace):
    result, graph, _ = demo_trace
    shown = display_graph(graph, frozenset(result.coinjoins))
    before = sum(d["value"] for _, _, d in graph.out_edges(demo.coinjoin_txid, data=True))
    after = sum(d["value"] for _, _, d in shown.out_edges(demo.coinjoin_txid, data=True))
    assert shown.out_degree(demo.coinjoin_txid) == MAX_LEAVES < graph.out_degree(demo.coinjoin_txid)
    assert before == after
    others = shown.nodes[f"{demo.coinjoin_txid}:others-out"]
    assert others["label"] == f"{graph.out_degree(demo.coinjoin_txid) - MAX_LEAVES + 1} others"
    assert shown.nodes[demo.coinjoin_txid]["style"] == "coinjoin"


def test_styles_for_services_peels_and_holdings(demo, demo_trace):
    result, graph, tags = demo_trace
    peels = frozenset(s.txid for c in analyse(result, tags=tags).peel_chains for s in c.steps)
    shown = display_graph(graph, frozenset(result.coinjoins), peels)
    assert shown.nodes[demo.large_address]["style"] == "service"
    assert all(shown.nodes[t]["style"] == "peel" for t in demo.peel_txids if t in shown)
    assert shown.nodes[demo.ransom_address]["style"] == S.ROLE_SEED
    assert graph.number_of_nodes() > shown.number_of_nodes()


def test_a_display_of_only_the_layouts_or_charts_keys_folds_and_lays_out_as_the_full_one(thousand_trace):
    result, graph, analysis = thousand_trace
    peels = frozenset(s.txid for c in analysis.peel_chains for s in c.steps)
    full = display_graph(graph, frozenset(result.coinjoins), peels)
    for keys in (LAYOUT_KEYS, CHART_KEYS):
        light = display_graph(graph, frozenset(result.coinjoins), peels, keys)
        assert {n: d["style"] for n, d in light.nodes(data=True)} == {n: d["style"] for n, d in full.nodes(data=True)}
        assert list(light.edges(keys=True)) == list(full.edges(keys=True))
        folded_full, folded_light = fold_crowded_columns(full, limit=40), fold_crowded_columns(light, limit=40)
        assert folded_light.graph["fold_members"] == folded_full.graph["fold_members"]
        assert layout(folded_light) == layout(folded_full)
