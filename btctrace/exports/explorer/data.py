"""What the case explorer shows, as one JSON document built from the finished trace: the address
and transaction graph (Cytoscape.js elements, with everything the trace knows about each node
and edge), the entity view (:mod:`btctrace.exports.charts.entity_flow`), and the legend. Pure and
deterministic: sorted elements, no run time, amounts as integer satoshis (JavaScript numbers
hold them exactly: 21 million BTC is below 2^53 satoshis).
"""

from __future__ import annotations

from typing import Any, Iterator

import networkx as nx

from btctrace.analysis import Analysis
from btctrace.exports.charts.entity_flow import ENTITY_KINDS, EntityChart, internal_note
from btctrace.exports.charts.entity_layered import LABEL_PREFIX, ordered_flows, screen_layout
from btctrace.exports.charts.entity_text import SANCTIONS_MARK, box_text
from btctrace.exports.charts.layered import engine_available
from btctrace.exports.explorer.attribution import AttributionIndex
from btctrace.exports.charts.flow_display import LAYOUT_KEYS, display_graph
from btctrace.exports.charts.flow_layout import fold_crowded_columns, layout
from btctrace.exports.charts.styles import ROLE_STYLES, short_id
from btctrace.exports.interchange.ready import edge_id
from btctrace.graph import schema as S
from btctrace.graph.build import node_for
from btctrace.graph.flows import node_flows
from btctrace.jsontext import Streamed
from btctrace.memory import release_freed_memory
from btctrace.notes import Note
from btctrace.tracing.proving import HOW_PROVEN
from btctrace.tracing.result import Direction, TraceResult
from btctrace.units import format_btc, format_utc

__all__ = ["explorer_document"]

_COLUMN_PX, _ROW_PX = 160, 46  # the address view's layout: the static chart's columns and rows, in pixels
_PER_COLUMN = 40  # more in one column are grouped into "N others" until clicked


def _taint_by_address(result: TraceResult, analysis: Analysis) -> dict[str, dict[str, int]]:
    """Tainted satoshis received per address (the graph node each output is drawn at), per method."""
    by_address: dict[str, dict[str, int]] = {}
    if analysis.taint is None:
        return by_address
    for method, flow in sorted(analysis.taint.flows.items()):
        for (txid, vout), sats in flow.outputs.items():
            if sats:
                totals = by_address.setdefault(node_for(result.txs[txid].tx, S.SIDE_OUTPUT, vout), {})
                totals[method] = totals.get(method, 0) + sats
    return by_address


def _merges_by_cluster(graph: nx.MultiDiGraph, analysis: Analysis) -> dict[str, list[dict[str, str]]]:
    merges: dict[str, list[dict[str, str]]] = {}
    for merge in sorted(analysis.clusters.merges, key=lambda m: (m.txid, m.a, m.b)):
        cluster = graph.nodes[merge.a].get("cluster", "") if merge.a in graph else ""
        merges.setdefault(cluster, []).append({"a": merge.a, "b": merge.b, "txid": merge.txid, "rule": merge.rule,
                                               "source": merge.reference})
    return merges


def _tx_node(node: str, data: dict, result: TraceResult, analysis: Analysis) -> dict[str, Any]:
    finding = result.coinjoins.get(node)
    verdict = analysis.change.get(node)
    return {"id": node, "kind": "tx", "label": f"tx {node[:10]}", "style": data.get("style", "tx"),
            "hop": data["hop"], "time": data["time_utc"], "block": data["block_height"], "fee": data["fee"],
            "proof": HOW_PROVEN.get(data.get("proof", ""), ""),
            "value": data["output_value"], "coinjoin": None if finding is None else
            {"detector": finding.heuristic, "confidence": finding.confidence, "reason": finding.reason,
             "source": finding.reference, "second opinion": analysis.second_opinion.describe(node)},
            "change": None if verdict is None else {
                "output": verdict.change, "deciding": list(verdict.deciding), "reason": verdict.reason,
                "votes": {str(index): list(names) for index, names in sorted(verdict.votes.items())}}}


def _address_node(node: str, data: dict, graph: nx.MultiDiGraph, taint: dict, merges: dict,
                  known: AttributionIndex) -> dict[str, Any]:
    flows = node_flows(graph)[node]
    received, sent, hops = flows.received, flows.sent, flows.hops
    cluster = data.get("cluster", "")
    short = short_id(node, 7, 5, keep=16)
    sanctions = known.sanctions.get(node, [])
    tag = data.get("label", "") if data.get("category") != "sanction" else ""  # the list is said by the mark
    label = "\n".join(x for x in (SANCTIONS_MARK if sanctions else "", short, tag) if x)
    return {"id": node, "kind": "address", "label": label, "style": data.get("style", data["role"]),
            "role": data["role"], "role_words": S.ROLE_WORDS.get(data["role"], data["role"]),
            "hop": min(hops, default=0), "received": received, "sent": sent,
            "tags": known.tags_of(node, cluster, data), "sanctions": sanctions, "sanctioned": bool(sanctions),
            "other_cases": known.other_cases.get(node, []),
            "case_role": data.get("case_role", ""), "case_role_source": data.get("case_role_source", ""),
            "cluster": cluster, "merges": merges.get(cluster, []) if cluster else [],
            "stop": data.get("stop_reasons", ""), "taint": taint.get(node, {})}


def _edge(source: str, target: str, key: str, data: dict) -> dict[str, Any]:
    return {"id": edge_id(source, target, key, data), "source": source, "target": target, "value": data["value"],
            "btc": format_btc(data["value"]), "txid": data["txid"], "index": data["index"], "side": data["side"],
            "hop": data["hop"], "time": format_utc(data["block_time"])}


def _address_view(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph,
                  known: AttributionIndex, taint: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Nodes and edges as :class:`Streamed` arrays, made as the page is written (the largest
    cases would otherwise hold every element, and the chart's copies of the graph, at once)."""
    display = display_graph(graph, frozenset(result.coinjoins),
                             frozenset(s.txid for c in analysis.peel_chains for s in c.steps), LAYOUT_KEYS,
                             tuple(analysis.peel_chains))
    folded = fold_crowded_columns(display, limit=_PER_COLUMN)
    folds = _fan_folds(graph, display) + _column_folds(folded, display)
    positions = _positions(folded, folds, result.direction is Direction.BACKWARD)
    styles = {node: data["style"] for node, data in display.nodes(data=True)}
    del display, folded  # what the elements need is taken: the copies go before the elements are made
    release_freed_memory(collect=True)  # a NetworkX graph refers to itself (its cached views): collected, not freed
    merges = _merges_by_cluster(graph, analysis)
    for fold in folds:
        fold.update(positions[fold["id"]])

    def nodes() -> Iterator[dict[str, Any]]:  # every node: folded ones are shown when their group is clicked
        for node, data in sorted(graph.nodes(data=True)):
            data = {**data, "style": styles[node] if node in styles else data.get("role", "tx")}
            element = _tx_node(node, data, result, analysis) if data[S.KIND] == S.KIND_TX \
                else _address_node(node, data, graph, taint, merges, known)
            element.update(positions[node])
            yield element

    def edges() -> Iterator[dict[str, Any]]:
        ordered = sorted(graph.edges(keys=True), key=lambda e: (e[0], e[1], str(e[2])))
        return (_edge(s, t, k, graph.edges[s, t, k]) for s, t, k in ordered)

    return {"nodes": Streamed(nodes, graph.number_of_nodes()), "edges": Streamed(edges, graph.number_of_edges()),
            "folds": folds}


def _positions(folded: nx.MultiDiGraph, folds: list[dict[str, Any]], mirrored: bool) -> dict[str, dict[str, int]]:
    """Pixels: the static chart's layering of the folded view; the members of a group stacked
    below it, where they appear when it is clicked (a fan inside a column group, below that)."""
    positions = {node: {"x": round(x * _COLUMN_PX), "y": round(-y * _ROW_PX)}
                 for node, (x, y) in layout(folded, mirrored).items()}
    pending = list(reversed(folds))  # column groups (last) first: fan groups may sit inside them
    while pending:
        fold = next((f for f in pending if f["id"] in positions), None)
        if fold is None:
            raise ValueError("a folded group has no place")  # a bug: every group is in the layout or a group
        pending.remove(fold)
        x, y = positions[fold["id"]]["x"], positions[fold["id"]]["y"]
        for row, member in enumerate(fold["members"], 1):
            positions[member] = {"x": x + _COLUMN_PX // 4, "y": y + row * _ROW_PX}
    return positions


def _column_folds(folded: nx.MultiDiGraph, display: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """A column of more than :data:`_PER_COLUMN` nodes shows the largest and one "N others"
    group (as the static chart does), expanded when clicked: a first look at a large case is a
    chart, not a wall of thousands of nodes. A peel chain and its gathered peels are groups too
    (:mod:`btctrace.exports.charts.peel_display`), found in *display* when a column group holds them."""
    groups = []
    for fold, members in sorted(folded.graph.get("fold_members", {}).items()):
        shown = folded if fold in folded else display
        edges = [{"source": s, "target": t, "value": d["value"]} for s, t, d in
                 sorted(list(shown.in_edges(fold, data=True)) + list(shown.out_edges(fold, data=True)),
                        key=lambda e: (e[0], e[1], e[2]["side"]))]
        groups.append({"id": fold, "label": shown.nodes[fold]["label"], "members": members, "edges": edges,
                       "value": sum(e["value"] for e in edges)})
    return groups


def _fan_folds(graph: nx.MultiDiGraph, display: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The wide fans the chart folds ("N others"), with their members: the page shows the fold
    first and its members when it is clicked."""
    folds = []
    for node, data in sorted(display.nodes(data=True)):
        if node in graph or ":others-" not in node:  # a peel chain's groups are listed with the columns'
            continue
        tx, side = node.rsplit(":others-", 1)
        neighbours = graph.successors(tx) if side == "out" else graph.predecessors(tx)
        shown = set(display.successors(tx) if side == "out" else display.predecessors(tx))
        members = sorted(n for n in neighbours if n not in shown and n not in display)
        value = sum(d["value"] for _, _, d in display.edges(node, data=True)) + \
            sum(d["value"] for _, _, d in display.in_edges(node, data=True))
        folds.append({"id": node, "tx": tx, "side": side, "label": data["label"], "members": members, "value": value})
    return folds


def _entity_taint(entity, taint: dict[str, dict[str, int]]) -> dict[str, int]:
    """Tainted satoshis received by an entity's addresses, per method: the address view's
    figures summed, so both views give the same taint for the same place."""
    totals: dict[str, int] = {}
    for address in entity.addresses:
        for method, sats in taint.get(address, {}).items():
            totals[method] = totals.get(method, 0) + sats
    return dict(sorted(totals.items()))


def _entity_node(entity, taint: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {"id": entity.id, "kind": entity.kind, "kind_words": ENTITY_KINDS[entity.kind][1],
            "label": box_text(entity, []),  # the printed chart's words
            "name": entity.name, "detail": entity.detail(), "column": entity.column,
            "colour": ENTITY_KINDS[entity.kind][2], "addresses": sorted(entity.addresses), "txids": sorted(entity.txids),
            "folded": entity.folded, "sanctioned": entity.sanctioned, "case_role": entity.case_role,
            "taint": _entity_taint(entity, taint)}


ENTITY_FONT_PX = 12  # the entity view's text at zoom 1 (app.js ENTITY_FONT)
_ENTITY_AREA_PX = (1000, 640)
_SCREEN_SLACK = 8  # pixels wider than measured: a browser's text runs a little wider than matplotlib's  # the pane the first view should fit (a 1400 x 900 window less the panel)


def _entity_positions(chart: EntityChart, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Positions (pixels, y down) from the layout engine that lays out the printed chart, and
    a box for each arrow's amount on the arrow (kind ``amount``): the view reads as the report's
    figure does, no label over another. Without the engine the page lays the view out itself."""
    if not engine_available():
        return []
    fitted = screen_layout(chart, ENTITY_FONT_PX, _ENTITY_AREA_PX)
    height = fitted.layout.height
    for node in nodes:
        x, y = fitted.layout.centres[node["id"]]
        w, h = fitted.layout.sizes[node["id"]]
        node.update(x=round(x, 1), y=round(height - y, 1), w=round(w + _SCREEN_SLACK, 1), h=round(h, 1))
    amounts = []
    for number, flow in enumerate(ordered_flows(chart)):
        label = f"{LABEL_PREFIX}{number}"
        (x, y), (w, h) = fitted.layout.centres[label], fitted.layout.sizes[label]
        amounts.append({"id": f"amount:{flow.source}->{flow.target}", "kind": "amount", "flow": f"{flow.source}->"
                        f"{flow.target}", "label": fitted.texts[label], "x": round(x, 1), "y": round(height - y, 1),
                        "w": round(w, 1), "h": round(h, 1)})
    return amounts


def _entity_view(chart: EntityChart, taint: dict[str, dict[str, int]]) -> dict[str, list]:
    nodes = [_entity_node(e, taint) for e in sorted(chart.entities.values(), key=lambda e: e.id)]
    amounts = _entity_positions(chart, nodes)
    edges = [{"id": f"{f.source}->{f.target}", "source": f.source, "target": f.target, "value": f.sats,
              "btc": format_btc(f.sats), "transfers": f.transfers, "first": format_utc(f.first),
              "last": format_utc(f.last), "txids": sorted(f.txids)}
             for f in sorted(chart.flows.values(), key=lambda f: (f.source, f.target))]
    return {"nodes": nodes, "edges": edges, "amounts": amounts,
            "notes": [*chart.notes, internal_note(chart)] if chart.internal_sats else list(chart.notes)}


def explorer_document(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, chart: EntityChart,
                      title: str, notes: list[Note] = (), attribution: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document the explorer page reads (see the module docstring); *attribution*
    (:func:`~btctrace.exports.report.attribution.attribution_section`) gives each address its
    tags in full, its sanctions entries and the other cases that share it."""
    seeds = sorted(n for n, d in graph.nodes(data=True) if d.get("role") == S.ROLE_SEED)
    methods = sorted(analysis.taint.flows) if analysis.taint else []
    known = AttributionIndex.of(attribution or {})
    taint = _taint_by_address(result, analysis)  # both views show the same figures: worked out once
    return {"schema": "btctrace.explorer/1", "title": title, "direction": result.direction.value, "seeds": seeds,
            "methods": methods, "max_hop": max((t.hop for t in result.txs.values()), default=0),
            "sanctions": (attribution or {}).get("sanctions", []),
            "legend": [{"style": style, "colour": colour, "text": text}
                       for style, (colour, _, text) in ROLE_STYLES.items()],
            "address_view": _address_view(result, analysis, graph, known, taint),
            "entity_view": _entity_view(chart, taint),
            "notes": {n.subject: {"text": n.text, "colour": n.colour} for n in notes}}
