"""Where the flow chart puts each node: crowded columns fold into "N others" keeping every
satoshi, pages share the addresses between them, a backward trace is mirrored."""

from collections import Counter

from btctrace.exports.charts.flow_display import display_graph
from btctrace.exports.charts.flow_layout import MAX_PER_COLUMN, _column, _ranks, flow_pages, fold_crowded_columns
from btctrace.graph import schema as S
from btctrace.graph.build import build_graph
from btctrace.testing.provider import StoreProvider
from btctrace.tracing.result import Seed, TraceLimits
from btctrace.tracing.walk import trace_forward


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


def test_an_address_between_two_pages_is_on_both(demo_trace):
    _, graph, _ = demo_trace
    folded = fold_crowded_columns(display_graph(graph))
    pages = flow_pages(folded)
    shared = set(pages[0].positions) & set(pages[1].positions)
    assert shared and all(folded.nodes[n][S.KIND] == S.KIND_ADDRESS for n in shared)
    assert all(pages[0].positions[n][0] == pages[0].columns - 1 and pages[1].positions[n][0] == 0 for n in shared)
    every = set().union(*(p.positions for p in pages))
    assert every == set(folded.nodes), "every node is on some page"


def test_backward_pages_put_the_seed_on_the_right(demo_trace):
    _, graph, _ = demo_trace
    page = flow_pages(fold_crowded_columns(display_graph(graph)), mirrored=True)[0]
    seed = next(n for n in page.positions if graph.nodes[n].get("role") == S.ROLE_SEED)
    assert page.positions[seed][0] > page.columns / 2
