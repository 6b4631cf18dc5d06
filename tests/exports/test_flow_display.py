"""What the flow chart draws: wide untraced fans folded into "N others" with their satoshis,
and the styles a reader looks for (CoinJoin, peel steps, services, holdings)."""

from collections import Counter

from btctrace.analysis import analyse
from btctrace.exports.flow import MAX_PER_COLUMN, _column, _ranks, fold_crowded_columns, layout
from btctrace.exports.flow_display import CHART_KEYS, LAYOUT_KEYS, MAX_LEAVES, display_graph
from btctrace.graph import schema as S
from btctrace.graph.build import build_graph
from btctrace.testing.provider import StoreProvider
from btctrace.tracing.result import Seed, TraceLimits
from btctrace.tracing.walk import trace_forward


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


def test_crowded_columns_fold_into_n_others_keeping_every_satoshi(builder):
    b = builder
    payers = [b.address("p2wpkh") for _ in range(60)]
    fan = b.spend(800_001, [b.coinbase(800_000, b.address("p2wpkh"), 100_000_000)], [(p, 1_000_000) for p in payers],
                  change=b.address("p2wpkh"))
    sink = b.address("p2wpkh")
    for coin in fan[:60]:
        b.spend(800_002, [coin], [], change=sink)
    result = trace_forward(StoreProvider(b.store), (Seed("tx", fan[0].txid),), TraceLimits(hops=2))
    graph = build_graph(result)
    folded = fold_crowded_columns(graph)
    assert folded.number_of_nodes() < graph.number_of_nodes()
    others = [n for n in folded if n.startswith("others@")]
    assert others and all(folded.nodes[n]["label"].endswith(" others") for n in others)
    total = sum(d["value"] for _, _, d in graph.edges(data=True))
    assert sum(d["value"] for _, _, d in folded.edges(data=True)) == total
    ranks = _ranks(folded, False)
    per_column = Counter(_column(folded, n, ranks) for n in folded)
    assert max(per_column.values()) <= MAX_PER_COLUMN + 2  # plus seeds, services and holdings kept


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
