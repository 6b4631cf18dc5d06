"""The address-level flow chart, the detailed exhibit: left to right by hop, in printed pages.

Transactions are small squares in odd columns (2·hop+1); addresses sit in the column after
the transaction that paid them (or before the one they pay, for payers). Backward traces are
mirrored so the seed stays on the right. Each page holds :data:`RANKS_PER_PAGE` hops (or
time ranks) and at most :data:`MAX_PER_COLUMN` nodes a column (the rest folded into "N others",
sums kept), drawn at print size (:mod:`btctrace.exports.styles`) with text of at least
:data:`MIN_FONT_PT` points; parallel transfers share one arrow and one summed label, and no two
labels overprint (:mod:`btctrace.exports.label_layout`). ``flow.pdf`` has one page per hop
range; ``flow.svg`` and ``flow.png`` show the same pages one below the other. Layout is
computed, not random; SVG ids use a fixed hash salt and no dates are embedded, so reruns give
identical bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from btctrace.exports.flow_display import CHART_KEYS, display_graph
from btctrace.exports.figure_files import figure_svg, save_pdf_pages, save_stacked_png, stacked_svg
from btctrace.exports.label_layout import LabelPlacer
from btctrace.exports.styles import FONT, PRINT_HEIGHT_IN, PRINT_WIDTH_IN, ROLE_STYLES, short_btc, \
    short_id, wrap_words
from btctrace.exports.safe_text import xml_text
from btctrace.graph import schema as S
from btctrace.graph.copying import graph_copy

__all__ = ["MAX_PER_COLUMN", "RANKS_PER_PAGE", "MAX_TIME_RANKS", "MIN_FONT_PT", "FlowPage", "layout",
           "fold_crowded_columns", "flow_pages", "draw_flow_pages", "draw_flow"]

_ALWAYS_LABELLED = {S.ROLE_SEED, S.ROLE_ENDPOINT, S.ROLE_HOLDING}
MAX_PER_COLUMN = 14  # more nodes than this in one column are folded into "N others"
RANKS_PER_PAGE = 3  # hops (or time ranks) per printed page: 7 columns across the page
MAX_TIME_RANKS = 60  # by time: at most 20 pages
MIN_FONT_PT = 6.0
_NODE_PT, _EDGE_PT = 6.5, 6.0
_LABEL_CHARS = 20
_DPI = 150


def _ranks(graph: nx.MultiDiGraph, by_time: bool) -> dict[str, int]:
    """Transaction -> column rank: its hop, or (by time) the rank of its block time (unconfirmed
    last); more than :data:`MAX_TIME_RANKS` distinct times share ranks in time order, so a long
    case by time stays a bounded number of pages."""
    fixed = {n: (d["column"] - 1) // 2 for n, d in graph.nodes(data=True) if "column" in d}
    txs = {n: d for n, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_TX and n not in fixed}
    if not by_time:
        return {**{n: d["hop"] for n, d in txs.items()}, **fixed}
    times = sorted({d["block_time"] if d["block_time"] is not None else 1 << 62 for d in txs.values()})
    order = {t: i * min(len(times), MAX_TIME_RANKS) // len(times) for i, t in enumerate(times)}
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


def _weights(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Node -> the satoshis of every transfer into and out of it (one pass over the edges)."""
    weights = dict.fromkeys(graph, 0)
    for source, target, value in graph.edges(data="value"):
        weights[source] += value
        weights[target] += value
    return weights


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
    fold_nodes: list[tuple[str, dict]] = []
    weights = _weights(graph)
    for column, nodes in sorted(columns.items()):
        by_weight = sorted(nodes, key=lambda n: (-weights[n], n))
        kept = [n for n in by_weight if graph.nodes[n].get("role") in _ALWAYS_LABELLED][:max(limit - 1, 1)]
        kept_set = set(kept)
        rest = [n for n in by_weight if n not in kept_set]
        if len(kept) + len(rest) <= limit or len(rest) < 2:
            continue
        fold = rest[max(0, limit - 1 - len(kept)):]
        node = f"others@{column}"
        kind = graph.nodes[fold[0]][S.KIND]
        fold_nodes.append((node, {S.KIND: kind, "address": "", "role": S.ROLE_COUNTERPARTY, "cluster": "",
                                  "label": f"{len(fold)} others", "style": "tx" if kind == S.KIND_TX else
                                  S.ROLE_COUNTERPARTY, "column": column, "time_utc": "", "hop": -1}))
        merged.update({n: node for n in fold})
    if not merged:
        return graph
    folded = graph_copy(graph, merged)
    folded.add_nodes_from(fold_nodes)
    sums: dict[tuple[str, str, str], dict] = {}
    for source, target, data in graph.edges(data=True):
        if source in merged or target in merged:
            key = (merged.get(source, source), merged.get(target, target), data["side"])
            entry = sums.setdefault(key, {**data, "value": 0})
            entry["value"] += data["value"]
    for (source, target, side), data in sorted(sums.items()):
        folded.add_edge(source, target, key=f"folded-{side}", **data)
    members: dict[str, list[str]] = {}
    for node, fold in sorted(merged.items()):
        members.setdefault(fold, []).append(node)
    folded.graph["fold_members"] = members  # fold node -> what it stands for (the explorer expands it)
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


@dataclass(frozen=True)
class FlowPage:
    """One printed page: its hop (or time-rank) range and where each of its nodes sits."""
    number: int
    first_rank: int
    last_rank: int
    positions: dict  # node -> (x, y) on this page
    columns: int


def flow_pages(graph: nx.MultiDiGraph, mirrored: bool = False, by_time: bool = False,
               ranks_per_page: int = RANKS_PER_PAGE) -> list[FlowPage]:
    """Split the (folded) chart into pages of *ranks_per_page* ranks. An address between two
    pages' transactions appears on both (last column of one, first of the next)."""
    ranks = _ranks(graph, by_time)
    placed = layout(graph, False, by_time)
    last_rank = max(ranks.values(), default=0)
    pages = []
    for number, first in enumerate(range(0, last_rank + 1, ranks_per_page)):
        last = min(first + ranks_per_page - 1, last_rank)
        low, high = 2 * first, 2 * last + 2
        members: dict[int, list[str]] = {}
        for node, (column, y) in placed.items():
            if low <= column <= high:
                members.setdefault(int(column), []).append(node)
        positions = {}
        for column, nodes in members.items():
            nodes.sort(key=lambda n: (-placed[n][1], n))
            offset = (len(nodes) - 1) / 2
            for row, node in enumerate(nodes):
                x = column - low
                positions[node] = (high - low - x if mirrored else x, offset - row)
        pages.append(FlowPage(number + 1, first, last, positions, high - low + 1))
    return pages


def _short(node: str) -> str:
    return short_id(node, 6, 5, keep=14)


def _node_label(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node]
    label = wrap_words(xml_text(data.get("label") or ""), _LABEL_CHARS)
    if data[S.KIND] == S.KIND_TX:
        return label or f"tx {node[:8]}\n{data['time_utc'][:16].replace('T', ' ')}"
    if not data.get("address"):
        return label or node[:12]
    if not label and data.get("cluster") and graph.graph.get("cluster_sizes", {}).get(data["cluster"], 1) > 1:
        label = f"cluster {data['cluster']}"
    return f"{_short(node)}\n{label}" if label else _short(node)


def _edge_label(transfers: list[dict]) -> str:
    """The summed BTC of the transfers one arrow stands for (USD values are in transfers.csv)."""
    total = sum(d["value"] for d in transfers)
    return short_btc(total) if len(transfers) == 1 else f"{len(transfers)}× {short_btc(total)}"


def _merged_edges(graph: nx.MultiDiGraph, page: FlowPage) -> list[tuple[str, str, list[dict]]]:
    """Transfers between the same two nodes share one arrow (their sum on one label)."""
    merged: dict[tuple[str, str], list[dict]] = {}
    for source, target, data in graph.edges(data=True):
        if source in page.positions and target in page.positions:
            merged.setdefault((source, target), []).append(data)
    return sorted(((s, t, d) for (s, t), d in merged.items()), key=lambda e: (-sum(x["value"] for x in e[2]), e[0], e[1]))


def _draw_nodes(axes, graph: nx.MultiDiGraph, page: FlowPage, placer: LabelPlacer) -> None:
    """Markers by style; each name below its marker (above, for a transaction, so neighbouring
    columns alternate), else on the other side, else shortened, else left out and counted."""
    groups: dict[tuple[str, str, int], list[str]] = {}
    for node in sorted(page.positions):
        data = graph.nodes[node]
        colour, marker, _ = ROLE_STYLES[data.get("style") or ("tx" if data[S.KIND] == S.KIND_TX else data["role"])]
        groups.setdefault((colour, marker, 30 if data[S.KIND] == S.KIND_TX else 70), []).append(node)
    for (colour, marker, size), nodes in sorted(groups.items()):
        axes.scatter([page.positions[n][0] for n in nodes], [page.positions[n][1] for n in nodes], s=size,
                     c=colour, marker=marker, edgecolors="black", linewidths=0.4, zorder=3)
    for node in sorted(page.positions):
        placer.block(_marker_box(axes.transData.transform(page.positions[node])))
    for node in sorted(page.positions, key=lambda n: (graph.nodes[n].get("role") not in _ALWAYS_LABELLED, n)):
        x, y = page.positions[node]
        full = _node_label(graph, node)
        short = full.split("\n")[0] if graph.nodes[node][S.KIND] != S.KIND_TX else f"tx {node[:8]}"
        below, above = {"va": "top"}, {"va": "bottom"}
        first, second = (above, below) if graph.nodes[node][S.KIND] == S.KIND_TX else (below, above)
        gap = {"top": -0.13, "bottom": 0.13}
        candidates = [(x, y + gap[side["va"]], text, side) for text in (full, short) for side in (first, second)]
        placer.first_free(axes, candidates, fontsize=_NODE_PT, ha="center", zorder=4,
                          bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.2, "alpha": 0.8})


def _marker_box(centre):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(centre[0] - 6, centre[1] - 6, centre[0] + 6, centre[1] + 6)


def _draw_edges(axes, graph: nx.MultiDiGraph, page: FlowPage, placer: LabelPlacer) -> None:
    """One arrow per pair of nodes (both ways: two arcs), its summed amount on a free spot."""
    from matplotlib.patches import FancyArrowPatch

    edges = _merged_edges(graph, page)
    pairs = {(s, t) for s, t, _ in edges}
    for source, target, transfers in edges:
        (x0, y0), (x1, y1) = page.positions[source], page.positions[target]
        bend = 0.25 if (target, source) in pairs else 0.0
        traced = transfers[0]["side"] == S.SIDE_INPUT or graph.nodes[target].get("role") != S.ROLE_COUNTERPARTY
        # add_artist, not add_patch: the axes' limits are fixed, and add_patch would work out each
        # arrow's clipped path once more only to widen data limits nothing reads
        axes.add_artist(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=8, shrinkA=5, shrinkB=5,
                                        color="#555555" if traced else "#bbbbbb", linewidth=0.6,
                                        connectionstyle=f"arc3,rad={bend}", zorder=1))
        placer.along(axes, (x0, y0), (x1, y1), _edge_label(transfers), bend, fontsize=_EDGE_PT,
                     ha="center", va="center", color="#222222", zorder=5,
                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.85})


def _legend(figure, graph: nx.MultiDiGraph, placer: LabelPlacer) -> None:
    """The styles present, in a fixed order, in the band below the chart."""
    from matplotlib.lines import Line2D

    present = {data.get("style") for _, data in graph.nodes(data=True)}
    handles = [Line2D([], [], marker=m, color="white", markerfacecolor=c, markeredgecolor="black", markersize=6, label=t)
               for style, (c, m, t) in ROLE_STYLES.items() if style in present]
    figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, 0.035), ncol=3, fontsize=7, frameon=False)
    placer.block(_band(figure, 0.0, _CHART_BOTTOM))


_CHART_BOTTOM, _CHART_TOP = 0.15, 0.925  # figure fractions: legend and notes below, titles above
_MAX_ROW_IN = 1.3  # a sparse page spreads its rows up to this far apart


def _band(figure, bottom: float, top: float):
    """The display-space box of a horizontal band of *figure* (fractions of its height)."""
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(0, bottom * figure.bbox.height, figure.bbox.width, top * figure.bbox.height)


def _page_figure(graph: nx.MultiDiGraph, page: FlowPage, pages: int, title: str, by_time: bool):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PRINT_WIDTH_IN, PRINT_HEIGHT_IN), dpi=_DPI)
    placer = LabelPlacer(figure)
    axes = figure.add_axes((0.03, _CHART_BOTTOM, 0.94, _CHART_TOP - _CHART_BOTTOM))
    axes.set_axis_off()
    ys = [y for _, y in page.positions.values()] or [0]
    height_in = PRINT_HEIGHT_IN * (_CHART_TOP - _CHART_BOTTOM)
    span = max(max(ys) - min(ys) + 1.2, height_in / _MAX_ROW_IN)  # a sparse page spreads up to _MAX_ROW_IN a row
    axes.set_xlim(-0.6, page.columns - 0.4)
    axes.set_ylim(-span / 2 - 0.1, span / 2 - 0.1)
    what = "time ranks" if by_time else "hops"
    header = [figure.text(0.03, 0.988, wrap_words(title, 110), fontsize=8, va="top"),
              figure.text(0.03, 0.952, f"Address-level flow, page {page.number} of {pages}: {what} "
                                       f"{page.first_rank}–{page.last_rank}. Amounts in BTC; parallel transfers "
                                       "summed (n×).", fontsize=7, va="top", color="#333333")]
    for text in header:
        placer.fixed(text)
    _legend(figure, graph, placer)
    _draw_nodes(axes, graph, page, placer)
    _draw_edges(axes, graph, page, placer)
    note = ("Every address, transfer and amount is in addresses.csv and transfers.csv."
            + (f" {placer.left_out} label(s) left out here for room." if placer.left_out else ""))
    figure.text(0.03, 0.012, note, fontsize=6.5, va="bottom", color="#333333")
    return figure


def draw_flow_pages(graph: nx.MultiDiGraph, title: str, mirrored: bool = False,
                    coinjoins: frozenset[str] = frozenset(), peel_txids: frozenset[str] = frozenset(),
                    by_time: bool = False) -> list:
    """The chart's pages as matplotlib figures (one per :class:`FlowPage`)."""
    graph = fold_crowded_columns(display_graph(graph, coinjoins, peel_txids, CHART_KEYS), by_time)
    sizes: dict[str, int] = {}
    for _, data in graph.nodes(data=True):
        if data.get("cluster"):
            sizes[data["cluster"]] = sizes.get(data["cluster"], 0) + 1
    graph.graph["cluster_sizes"] = sizes
    pages = flow_pages(graph, mirrored, by_time)
    return [_page_figure(graph, page, len(pages), title, by_time) for page in pages]


def draw_flow(graph: nx.MultiDiGraph, title: str, paths: list[Path], mirrored: bool = False,
              coinjoins: frozenset[str] = frozenset(), peel_txids: frozenset[str] = frozenset(),
              by_time: bool = False) -> int:
    """Draw the pages once; save a multi-page PDF and, for SVG and PNG, the pages one below the
    other. Returns the number of pages."""
    import matplotlib

    from btctrace.exports.writing import write_atomically

    with matplotlib.rc_context({"svg.hashsalt": "btctrace", "svg.fonttype": "path", "font.family": FONT}):
        figures = draw_flow_pages(graph, title, mirrored, coinjoins, peel_txids, by_time)
        for path in paths:
            if path.suffix == ".pdf":
                write_atomically(path, lambda temporary: save_pdf_pages(figures, temporary))
            elif path.suffix == ".svg":
                write_atomically(path, lambda temporary: temporary.write_text(  # drawn inside: a failure names the file
                    stacked_svg([figure_svg(f) for f in figures]), encoding="utf-8"))
            else:
                write_atomically(path, lambda temporary: save_stacked_png(figures, temporary))
    return len(figures)
