"""The entity-level flow: the right boxes for the demo's payers, seed, exchange, holdings and
CoinJoin, named by what the chain shows (a victim only where the case file says so); every satoshi of the cluster flows either on an arrow or counted as moved inside a
box; crowded columns folded with their sums kept."""

from btctrace.exports.charts.entity_flow import ENTITY_FLOW_COLUMNS, ENTITY_KINDS, entity_chart, entity_flows_frame
from btctrace.graph import schema as S
from btctrace.graph.cluster_flows import cluster_flow_graph


def _moved(graph, chart):
    """Satoshis of the cluster flows plus what was paid into multi-owner transactions."""
    flows = cluster_flow_graph(graph)
    into_mixed = sum(d["value"] for n in flows.nodes if n.startswith("tx:")
                     for _, _, d in graph.in_edges(n[3:], data=True))
    return sum(d["value"] for _, _, d in flows.edges(data=True)) + flows.graph["internal_sats"] + into_mixed


def test_demo_entities_are_the_boxes_an_investigator_names(demo_trace, demo):
    result, graph, _ = demo_trace
    chart = entity_chart(graph, result.coinjoins)
    kinds = {e.kind for e in chart.entities.values()}
    assert {"payer", "seed", "service", "holding", "coinjoin"} <= kinds and "victim" not in kinds
    payers = [e for e in chart.entities.values() if e.kind == "payer"]
    assert len(payers) == 4, "four paying clusters (one paid twice)"
    service = next(e for e in chart.entities.values() if e.kind == "service")
    assert service.name == "Northwind Exchange (synthetic)" and len(service.addresses) == 5
    coinjoin = next(e for e in chart.entities.values() if e.kind == "coinjoin")
    assert coinjoin.txids == {demo.coinjoin_txid}
    seed_box = next(e for e in chart.entities.values() if e.kind == "seed")
    paid = sum(f.sats for f in chart.flows.values() if f.target == seed_box.id)
    assert paid == 5_075_200_000, "the five ransom payments, summed"
    assert all(ENTITY_KINDS[e.kind][0] == e.column for e in chart.entities.values())


def test_every_satoshi_is_on_an_arrow_or_inside_a_box(demo_trace, thousand_trace):
    for result, graph in ((demo_trace[0], demo_trace[1]), (thousand_trace[0], thousand_trace[1])):
        chart = entity_chart(graph, result.coinjoins)
        drawn = sum(f.sats for f in chart.flows.values())
        assert drawn + chart.internal_sats == _moved(graph, chart)


def test_a_crowded_column_is_folded_with_its_sums_kept(thousand_trace):
    result, graph, _ = thousand_trace
    wide = entity_chart(graph, result.coinjoins, max_per_column=10_000)
    folded = entity_chart(graph, result.coinjoins, max_per_column=7)
    columns = {}
    for entity in folded.entities.values():
        columns[entity.column] = columns.get(entity.column, 0) + 1
    assert max(columns.values()) <= 7 and len(wide.entities) > len(folded.entities)
    assert any(e.folded for e in folded.entities.values()) and any("Folded" in n for n in folded.notes)
    total = sum(f.sats for f in folded.flows.values()) + folded.internal_sats
    assert total == sum(f.sats for f in wide.flows.values()) + wide.internal_sats
    addresses = set().union(*(e.addresses for e in folded.entities.values()))
    assert addresses == set().union(*(e.addresses for e in wide.entities.values()))


def test_flows_carry_transfers_dates_and_txids(demo_trace):
    result, graph, _ = demo_trace
    chart = entity_chart(graph, result.coinjoins)
    for flow in chart.flows.values():
        assert flow.transfers >= 1 and flow.txids and flow.sats > 0
        assert flow.first is None or flow.first <= flow.last
        assert all(t in graph and graph.nodes[t][S.KIND] == S.KIND_TX for t in flow.txids)


def test_entity_flows_csv_lists_every_arrow_heaviest_first(thousand_trace):
    result, graph, _ = thousand_trace
    chart = entity_chart(graph, result.coinjoins)
    frame = entity_flows_frame(chart)
    assert list(frame.columns) == ENTITY_FLOW_COLUMNS and len(frame) == len(chart.flows)
    assert frame["value_sats"].sum() == sum(f.sats for f in chart.flows.values())
    assert list(frame["value_sats"]) == sorted(frame["value_sats"], reverse=True)
    assert all(int(b.replace(".", "")) == s for b, s in zip(frame["value_btc"], frame["value_sats"]))


def test_only_the_case_file_makes_a_payer_a_victim_or_names_the_seeds_holder(demo_trace, demo):
    from btctrace.graph.case_roles import mark_case_roles

    result, graph, _ = demo_trace
    marked = graph.copy()
    payment = next(t for t, traced in sorted(result.txs.items()) if traced.hop == 0
                   and any(o.address == demo.ransom_address for o in traced.tx.outputs))
    roles = mark_case_roles(marked, (payment, "1NotInThisTraceXXXXXXXXXXXXXXXXXX"), "DemoLocker affiliate",
                            "case file demo.toml")
    assert roles.victims and roles.not_in_trace == ("1NotInThisTraceXXXXXXXXXXXXXXXXXX",)
    assert all(marked.nodes[a]["case_role_source"] == "case file demo.toml" for a in roles.victims)
    chart = entity_chart(marked, result.coinjoins, max_per_column=None)
    victims = [e for e in chart.entities.values() if e.kind == "victim"]
    assert len(victims) == 1 and victims[0].addresses & set(roles.victims)
    assert sum(e.kind == "payer" for e in chart.entities.values()) == 3, "the other payers stay payers"
    seed = next(e for e in chart.entities.values() if e.kind == "seed")
    assert seed.case_role == "DemoLocker affiliate"


def test_a_sanctioned_or_tagged_box_is_never_folded_away(thousand_trace):
    from btctrace.exports.charts.entity_flow import fold_entities

    result, graph, _ = thousand_trace
    wide = entity_chart(graph, result.coinjoins, max_per_column=None)
    lightest = min((e for e in wide.entities.values() if e.kind == "holding"),
                   key=lambda e: sum(f.sats for f in wide.flows.values() if e.id in (f.source, f.target)))
    lightest.sanctioned = True
    folded = fold_entities(wide, 2)
    assert lightest.id in folded.entities
    assert fold_entities(folded, 2).entities.keys() >= {lightest.id}, "folding twice keeps it too"
