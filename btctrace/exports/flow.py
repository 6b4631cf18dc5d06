"""A first flow chart: left to right by hop, amounts on edges, seeds and endpoints marked.

Transactions are small squares in odd columns (2·hop+1); addresses sit in the column after
the transaction that paid them (or before the one they pay, for payers). Backward traces are
mirrored so the seed stays on the right. Layout is computed, not random; SVG ids use a fixed
hash salt and no dates are embedded, so reruns give identical bytes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from btctrace.exports.flow_display import display_graph
from btctrace.exports.safe_text import xml_text
from btctrace.exports.writing import write_atomically
from btctrace.graph import schema as S
from btctrace.units import format_btc

__all__ = ["ROLE_STYLES", "MAX_PER_COLUMN", "layout", "fold_crowded_columns", "draw_flow", "save_figure"]

# style -> (face colour, marker, legend text); styles come from flow_display.display_graph
ROLE_STYLES = {
    S.ROLE_SEED: ("#d62728", "*", "ransom address (seed)"),
    S.ROLE_VICTIM: ("#1f77b4", "o", "victim payment"),
    "extortionist": ("#e377c2", "o", "extortionist cluster"),
    S.ROLE_INTERMEDIARY: ("#ff7f0e", "o", "intermediary"),
    "service": ("#9467bd", "D", "exchange / service"),
    S.ROLE_ENDPOINT: ("#c5b0d5", "D", "endpoint (trace limit)"),
    S.ROLE_HOLDING: ("#2ca02c", "s", "holding (unspent)"),
    S.ROLE_COUNTERPARTY: ("#bbbbbb", "o", "counterparty (not traced)"),
    "tx": ("#444444", "s", "transaction"),
    "peel": ("#ff7f0e", "s", "peel-chain step"),
    "coinjoin": ("#000000", "h", "CoinJoin"),
}
_MAX_EDGE_LABELS = 400  # above this, edges are drawn plain (no arrows, no amounts)
_MAX_NODE_LABELS = 150  # a crowded chart labels its seeds and only this many of the largest endpoints
_ALWAYS_LABELLED = {S.ROLE_SEED, S.ROLE_ENDPOINT, S.ROLE_HOLDING}
MAX_PER_COLUMN = 24  # more nodes than this in one column are folded into "N others"
_DPI = 120


def _ranks(graph: nx.MultiDiGraph, by_time: bool) -> dict[str, int]:
    """Transaction -> column rank: its hop, or (by time) the rank of its block time
    (unconfirmed last)."""
    fixed = {n: (d["column"] - 1) // 2 for n, d in graph.nodes(data=True) if "column" in d}
    txs = {n: d for n, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_TX and n not in fixed}
    if not by_time:
        return {**{n: d["hop"] for n, d in txs.items()}, **fixed}
    times = sorted({d["block_time"] if d["block_time"] is not None else 1 << 62 for d in txs.values()})
    order = {t: i for i, t in enumerate(times)}
    return {**{n: order[d["block_time"] if d["block_time"] is not None else 1 << 62] for n, d in txs.items()}, **fixed}


def _column(graph: nx.MultiDiGraph, node: str, ranks: dict[str, int]) -> int:
    data = graph.nodes[node]
    if "column" in data:  # a folded "N others" node keeps the column of what it stands for
        return data["column"]
    if data[S.KIND] == S.KIND_TX:
        return 2 * ranks[node] + 1
    pays_into = [2 * ranks[tx] for tx in graph.successors(node)]
    paid_by = [2 * ranks[tx] + 2 for tx in graph.predecessors(node)]
    if data.get("role") == S.ROLE_VICTIM or not paid_by:
        return min(pays_into, default=0)
    return min(paid_by)


def _weight(graph: nx.MultiDiGraph, node: str) -> int:
    return sum(d["value"] for _, _, d in graph.in_edges(node, data=True)) + \
        sum(d["value"] for _, _, d in graph.out_edges(node, data=True))


def fold_crowded_columns(graph: nx.MultiDiGraph, by_time: bool = False, limit: int = MAX_PER_COLUMN) -> nx.MultiDiGraph:
    """In a column with more than *limit* nodes, keep the largest (seeds, services and holdings
    first, as many as fit) and fold the rest into one "N others" node; edges to and from folded
    nodes are summed per neighbour, so every satoshi stays on the chart. A thousand seeds make
    one crowded column like any other: the chart keeps a bounded size."""
    ranks = _ranks(graph, by_time)
    columns: dict[int, list[str]] = {}
    for node in graph.nodes:
        columns.setdefault(_column(graph, node, ranks), []).append(node)
    merged: dict[str, str] = {}
    folded = graph.copy()
    for column, nodes in sorted(columns.items()):
        by_weight = sorted(nodes, key=lambda n: (-_weight(graph, n), n))
        kept = [n for n in by_weight if graph.nodes[n].get("role") in _ALWAYS_LABELLED][:max(limit - 1, 1)]
        rest = [n for n in by_weight if n not in set(kept)]
        if len(kept) + len(rest) <= limit or len(rest) < 2:
            continue
        fold = rest[max(0, limit - 1 - len(kept)):]
        node = f"others@{column}"
        kind = graph.nodes[fold[0]][S.KIND]
        folded.add_node(node, **{S.KIND: kind, "address": "", "role": S.ROLE_COUNTERPARTY, "cluster": "",
                                 "label": f"{len(fold)} others", "style": "tx" if kind == S.KIND_TX else
                                 S.ROLE_COUNTERPARTY, "column": column, "time_utc": "", "hop": -1})
        merged.update({n: node for n in fold})
    if not merged:
        return graph
    sums: dict[tuple[str, str, str], dict] = {}
    for source, target, data in graph.edges(data=True):
        if source in merged or target in merged:
            key = (merged.get(source, source), merged.get(target, target), data["side"])
            entry = sums.setdefault(key, {**data, "value": 0})
            entry["value"] += data["value"]
    folded.remove_nodes_from(merged)
    for (source, target, side), data in sorted(sums.items()):
        folded.add_edge(source, target, key=f"folded-{side}", **data)
    return folded


def layout(graph: nx.MultiDiGraph, mirrored: bool = False, by_time: bool = False) -> dict[str, tuple[float, float]]:
    """Deterministic positions: column by hop (or by block time); within a column, nodes are
    ordered by the mean height of their neighbours in earlier columns (barycentre heuristic,
    fewer crossings), then by role and id; columns are centred."""
    ranks = _ranks(graph, by_time)
    columns: dict[int, list[str]] = {}
    for node in graph.nodes:
        columns.setdefault(_column(graph, node, ranks), []).append(node)
    role_order = {role: i for i, role in enumerate(S.ROLES)}
    placed: dict[str, tuple[int, float]] = {}
    for column in sorted(columns):
        nodes = columns[column]
        def key(node: str) -> tuple[float, int, str]:
            heights = [placed[n][1] for n in nx.all_neighbors(graph, node) if n in placed and placed[n][0] < column]
            centre = -sum(heights) / len(heights) if heights else float("inf")
            return (centre, role_order.get(graph.nodes[node].get("role"), -1), node)
        nodes.sort(key=key)
        offset = (len(nodes) - 1) / 2
        for row, node in enumerate(nodes):
            placed[node] = (column, offset - row)
    return {node: (-column if mirrored else column, y) for node, (column, y) in placed.items()}


def _short(node: str) -> str:
    return node if len(node) <= 14 else f"{node[:6]}…{node[-4:]}"


def _node_label(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node]
    if data[S.KIND] == S.KIND_TX:
        if data.get("label"):
            return xml_text(data["label"])
        return f"tx {node[:8]}\n{data['time_utc'][:16].replace('T', ' ')}"
    if not data.get("address"):
        return xml_text(data.get("label") or node[:12])
    label = xml_text(data.get("label") or "")
    if not label and data.get("cluster") and graph.graph.get("cluster_sizes", {}).get(data["cluster"], 1) > 1:
        label = f"cluster {data['cluster']}"
    return f"{_short(node)}\n{label[:28]}" if label else _short(node)


def _figure(positions: dict[str, tuple[float, float]]):
    from matplotlib.figure import Figure

    xs = [x for x, _ in positions.values()] or [0]
    ys = [y for _, y in positions.values()] or [0]
    width = min(80.0, max(8.0, 1.1 * (max(xs) - min(xs) + 2)))
    height = min(80.0, max(6.0, 0.75 * (max(ys) - min(ys) + 2)))
    figure = Figure(figsize=(width, height), dpi=_DPI)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_xlim(min(xs) - 1, max(xs) + 1)
    axes.set_ylim(min(ys) - 1, max(ys) + 1)
    return figure, axes


def _edge_label(data: dict, prices) -> str:
    text = f"{format_btc(data['value'])} BTC"
    usd = prices.usd(data["value"], data["block_time"]) if prices is not None else "n/a"
    return text if usd == "n/a" else f"{text}\n${usd}"


def _draw_edges(axes, graph: nx.MultiDiGraph, positions, prices=None) -> None:
    if graph.number_of_edges() > _MAX_EDGE_LABELS:
        _draw_plain_edges(axes, graph, positions)
        return
    for source, target, data in graph.edges(data=True):
        (x0, y0), (x1, y1) = positions[source], positions[target]
        traced = data["side"] == S.SIDE_INPUT or graph.nodes[target].get("role") != S.ROLE_COUNTERPARTY
        axes.annotate("", xy=(x1, y1), xytext=(x0, y0),
                      arrowprops={"arrowstyle": "-|>", "color": "#555555" if traced else "#cccccc",
                                  "lw": 0.7, "shrinkA": 6, "shrinkB": 6})
        above = data["side"] == S.SIDE_INPUT  # input labels above the line, outputs below
        axes.text((x0 + x1) / 2, (y0 + y1) / 2, _edge_label(data, prices), fontsize=5,
                  ha="center", va="bottom" if above else "top", color="#333333")


def _draw_plain_edges(axes, graph: nx.MultiDiGraph, positions) -> None:
    """Many edges: plain segments in one collection (left to right is the direction), no labels;
    per-edge arrows and labels would take minutes to draw and be unreadable anyway."""
    from matplotlib.collections import LineCollection

    segments = [(positions[s], positions[t]) for s, t in graph.edges()]
    axes.add_collection(LineCollection(segments, colors="#888888", linewidths=0.4, zorder=1))


def _draw_nodes(axes, graph: nx.MultiDiGraph, positions) -> None:
    """One scatter per style; labels on every node of a small chart, and on a large one only on
    the seeds and the largest endpoints and holdings (the nodes a reader looks for; every
    address is in the tables)."""
    groups: dict[tuple[str, str, int], list[str]] = {}
    for node, data in graph.nodes(data=True):
        colour, marker, _ = ROLE_STYLES[data.get("style") or ("tx" if data[S.KIND] == S.KIND_TX else data["role"])]
        groups.setdefault((colour, marker, 30 if data[S.KIND] == S.KIND_TX else 90), []).append(node)
    for (colour, marker, size), nodes in sorted(groups.items()):
        axes.scatter([positions[n][0] for n in nodes], [positions[n][1] for n in nodes], s=size, c=colour,
                     marker=marker, edgecolors="black", linewidths=0.4, zorder=3)
    labelled = list(graph.nodes)
    if graph.number_of_nodes() > _MAX_EDGE_LABELS:
        labelled = [n for n in graph.nodes if graph.nodes[n].get("role") == S.ROLE_SEED]
        others = sorted((n for n in graph.nodes if graph.nodes[n].get("role") in _ALWAYS_LABELLED - {S.ROLE_SEED}),
                        key=lambda n: (-_weight(graph, n), n))
        labelled += others[:_MAX_NODE_LABELS]
    for node in labelled:
        x, y = positions[node]
        axes.text(x, y - 0.18, _node_label(graph, node), fontsize=5, ha="center", va="top", zorder=4)


def _legend(axes, graph: nx.MultiDiGraph) -> None:
    """The styles present, outside the plot on the right, in a fixed order."""
    from matplotlib.lines import Line2D

    present = {data.get("style") for _, data in graph.nodes(data=True)}
    handles = [Line2D([], [], marker=m, color="white", markerfacecolor=c, markeredgecolor="black", markersize=7, label=t)
               for style, (c, m, t) in ROLE_STYLES.items() if style in present]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=True)


def draw_flow(graph: nx.MultiDiGraph, title: str, paths: list[Path], mirrored: bool = False,
              coinjoins: frozenset[str] = frozenset(), peel_txids: frozenset[str] = frozenset(), prices=None,
              by_time: bool = False) -> None:
    """Draw the flow chart once and save it to each of *paths* (format from the suffix). Edge
    labels carry BTC (and USD when *prices* know it); transaction nodes carry their UTC date."""
    import matplotlib

    graph = fold_crowded_columns(display_graph(graph, coinjoins, peel_txids), by_time)
    sizes: dict[str, int] = {}
    for _, data in graph.nodes(data=True):
        if data.get("cluster"):
            sizes[data["cluster"]] = sizes.get(data["cluster"], 0) + 1
    graph.graph["cluster_sizes"] = sizes
    positions = layout(graph, mirrored, by_time)
    with matplotlib.rc_context({"svg.hashsalt": "btctrace", "svg.fonttype": "path", "font.family": "DejaVu Sans"}):
        figure, axes = _figure(positions)
        _draw_edges(axes, graph, positions, prices)
        _draw_nodes(axes, graph, positions)
        _legend(axes, graph)
        axes.set_title(title, fontsize=10, loc="left")
        save_figure(figure, paths)


def save_figure(figure, paths: list[Path]) -> None:
    """Save in each format by suffix, with no date in SVG/PDF metadata and a fixed SVG hash salt,
    so the same chart gives the same bytes."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "btctrace", "svg.fonttype": "path"}):
        for path in paths:
            metadata = {"Date": None} if path.suffix == ".svg" else \
                {"CreationDate": None, "ModDate": None} if path.suffix == ".pdf" else {"Software": None}
            write_atomically(path, lambda temporary: figure.savefig(temporary, format=path.suffix.lstrip("."),
                                                                     metadata=metadata, bbox_inches="tight"))
