"""The address-level flow chart, the detailed exhibit, in printed pages of up to
:data:`~btctrace.exports.charts.flow_layout.RANKS_PER_PAGE` hops (as many as fit).

Each page is laid out by Graphviz ``dot`` (:mod:`btctrace.exports.charts.flow_layered`): money
flows left to right or down the page, every amount in its own box on its arrow, crowded columns
folded only while a page would not fit (:mod:`btctrace.exports.charts.flow_layout` pages and
folds). Without the engine, pages of hop columns (backward traces mirrored so the seed stays on
the right) with labels placed where they do not overprint
(:mod:`btctrace.exports.charts.label_layout`). Drawn at print size
(:mod:`btctrace.exports.charts.styles`) with text of at least :data:`MIN_FONT_PT` points;
parallel transfers share one arrow and one summed label ("5 transfers, 50.752 in total").
``flow.pdf`` has one page per hop range; ``flow.svg`` and ``flow.png`` show the same pages one
below the other. SVG ids use a fixed hash salt and no dates are embedded, so reruns give
identical bytes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from btctrace.exports.charts.figure_files import figure_svg, save_pdf_pages, save_stacked_png, stacked_svg
from btctrace.exports.charts.flow_display import CHART_KEYS, display_graph
from btctrace.exports.charts.flow_layout import (
    ALWAYS_LABELLED,
    MAX_PER_COLUMN,
    RANKS_PER_PAGE,
    FlowPage,
    flow_pages,
    fold_crowded_columns,
    last_rank,
    layout,
    page_at,
)
from btctrace.exports.charts.flow_layered import draw_page, lay_out_page
from btctrace.exports.charts.flow_text import edge_label, merged_edges, node_label
from btctrace.exports.charts.label_layout import LabelPlacer
from btctrace.exports.charts.peel_display import rank_hops
from btctrace.exports.charts.layered import ENGINE, engine_available
from btctrace.exports.charts.layered_drawing import Fitted, layout_axes, layout_words
from btctrace.exports.charts.styles import (
    FONT,
    PRINT_HEIGHT_IN,
    PRINT_WIDTH_IN,
    ROLE_STYLES,
    wrap_words,
)
from btctrace.exports.writing.atomic import write_atomically
from btctrace.graph import schema as S

__all__ = ["MIN_FONT_PT", "draw_flow_pages", "draw_flow"]

MIN_FONT_PT = 6.0
_NODE_PT, _EDGE_PT = 7.0, 6.5  # shrunk to fit down to MIN_FONT_PT
_DPI = 150


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
    for node in sorted(page.positions, key=lambda n: (graph.nodes[n].get("role") not in ALWAYS_LABELLED, n)):
        x, y = page.positions[node]
        full = node_label(graph, node)
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

    edges = merged_edges(graph, page.positions)
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
        placer.along(axes, (x0, y0), (x1, y1), edge_label(transfers), bend, fontsize=_EDGE_PT,
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
_AREA = (0.02, _CHART_BOTTOM, 0.96, _CHART_TOP - _CHART_BOTTOM)  # the engine's chart area (left, bottom, w, h)
_FOLD_STEPS = (MAX_PER_COLUMN, 10, 7, 5, 3)  # nodes kept per column, tried in turn until every page fits
_PEEL_NOTE = "; a long peel chain is one box here, every hop of it in peel_chains.csv"
_MAX_ROW_IN = 1.3  # a sparse page spreads its rows up to this far apart


def _band(figure, bottom: float, top: float):
    """The display-space box of a horizontal band of *figure* (fractions of its height)."""
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(0, bottom * figure.bbox.height, figure.bbox.width, top * figure.bbox.height)


def _page_header(figure, placer: LabelPlacer, graph: nx.MultiDiGraph, page: FlowPage, pages: int, title: str,
                 by_time: bool) -> None:
    what = "time ranks" if by_time else "hops"
    first, last = (page.first_rank, page.last_rank) if by_time else rank_hops(graph, page.first_rank, page.last_rank)
    header = [figure.text(0.03, 0.988, wrap_words(title, 100), fontsize=8, va="top"),
              figure.text(0.03, 0.952, f"Address-level flow, page {page.number} of {pages}: {what} "
                                       f"{first:,}–{last:,}. Every amount is in BTC; parallel "
                                       "transfers are summed on one arrow.", fontsize=7, va="top", color="#333333")]
    for text in header:
        placer.fixed(text)


def _engine_page_figure(graph: nx.MultiDiGraph, page: FlowPage, pages: int, title: str, by_time: bool,
                        fitted: Fitted, edges: list):
    """One page laid out by the engine (:mod:`btctrace.exports.charts.flow_layered`)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PRINT_WIDTH_IN, PRINT_HEIGHT_IN), dpi=_DPI)
    placer = LabelPlacer(figure)
    _page_header(figure, placer, graph, page, pages, title, by_time)
    _legend(figure, graph, placer)
    axes, scale = layout_axes(figure, fitted, _AREA, MIN_FONT_PT / _EDGE_PT)
    draw_page(axes, graph, fitted, edges, (_NODE_PT * scale, _EDGE_PT * scale))
    figure.text(0.03, 0.012, wrap_words(f"Every address, transfer and amount is in addresses.csv and transfers.csv"
                                        f"{_PEEL_NOTE if graph.graph.get('peel_elements') else ''}. "
                                        f"Laid out by {ENGINE}: {layout_words(fitted)} on this page.", 140),
                fontsize=6.5, va="bottom", color="#333333")
    return figure


def _page_figure(graph: nx.MultiDiGraph, page: FlowPage, pages: int, title: str, by_time: bool):
    """One page laid out in columns (without the engine)."""
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
    _page_header(figure, placer, graph, page, pages, title, by_time)
    _legend(figure, graph, placer)
    _draw_nodes(axes, graph, page, placer)
    _draw_edges(axes, graph, page, placer)
    note = ("Every address, transfer and amount is in addresses.csv and transfers.csv"
            f"{_PEEL_NOTE if graph.graph.get('peel_elements') else ''}. Laid out in columns by hop: "
            "the layout engine (pygraphviz) is not installed."
            + (f" {placer.left_out} label(s) left out here for room." if placer.left_out else ""))
    figure.text(0.03, 0.012, note, fontsize=6.5, va="bottom", color="#333333")
    return figure


def _engine_pages(display: nx.MultiDiGraph, title: str, by_time: bool) -> list:
    """The pages laid out by the engine: crowded columns folded no more than needed for every
    page to print its text at :data:`MIN_FONT_PT` or more (sums kept), each page holding as
    many hops as fit, up to :data:`RANKS_PER_PAGE`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scratch = Figure(figsize=(PRINT_WIDTH_IN, PRINT_HEIGHT_IN), dpi=_DPI)
    FigureCanvasAgg(scratch)
    for limit in _FOLD_STEPS:
        graph = _sized(fold_crowded_columns(display, by_time, limit))
        pages = _paginate(scratch, graph, by_time, last_try=limit == _FOLD_STEPS[-1])
        if pages is not None:
            break
    return [_engine_page_figure(graph, page, len(pages), title, by_time, fitted, edges)
            for page, fitted, edges in pages]


def _paginate(scratch, graph: nx.MultiDiGraph, by_time: bool, last_try: bool) -> list | None:
    """Pages of as many hops as fit (fewer where one does not), each laid out; None when a
    single hop does not fit (unless *last_try*: then it is drawn at the smallest legible size)."""
    area = (_AREA[2] * PRINT_WIDTH_IN * 72, _AREA[3] * PRINT_HEIGHT_IN * 72)
    placed = layout(graph, False, by_time)
    top, first, pages = last_rank(graph, by_time), 0, []
    while first <= top:
        for last in range(min(first + RANKS_PER_PAGE - 1, top), first - 1, -1):
            page = _connected(graph, page_at(placed, len(pages) + 1, first, last))
            fitted, edges = lay_out_page(scratch, graph, page, (_NODE_PT, _EDGE_PT), area)
            if fitted.scale * _EDGE_PT >= MIN_FONT_PT:
                break
        else:
            if not last_try:
                return None
        pages.append((page, fitted, edges))
        first = last + 1
    return pages


def _connected(graph: nx.MultiDiGraph, page: FlowPage) -> FlowPage:
    """*page* without the nodes that have no transfer on it (an address between two pages is
    shown where it pays or is paid)."""
    nodes = page.positions
    linked = {n for n in nodes if any(m in nodes for m in nx.all_neighbors(graph, n))}
    return FlowPage(page.number, page.first_rank, page.last_rank,
                    {n: xy for n, xy in nodes.items() if n in linked}, page.columns)


def _sized(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """*graph* with the size of each cluster it shows (a node names its cluster only when the
    cluster has other members on the chart)."""
    sizes: dict[str, int] = {}
    for _, data in graph.nodes(data=True):
        if data.get("cluster"):
            sizes[data["cluster"]] = sizes.get(data["cluster"], 0) + 1
    graph.graph["cluster_sizes"] = sizes
    return graph


def draw_flow_pages(graph: nx.MultiDiGraph, title: str, mirrored: bool = False,
                    coinjoins: frozenset[str] = frozenset(), peel_txids: frozenset[str] = frozenset(),
                    by_time: bool = False, peel_chains: tuple = ()) -> list:
    """The chart's pages as matplotlib figures (one per :class:`FlowPage`): laid out by the
    engine (money always flows left to right or down the page, so a backward trace needs no
    mirroring), or without it in mirrored columns."""
    display = display_graph(graph, coinjoins, peel_txids, CHART_KEYS, peel_chains)
    if engine_available():
        return _engine_pages(display, title, by_time)
    graph = _sized(fold_crowded_columns(display, by_time))
    pages = flow_pages(graph, mirrored, by_time)
    return [_page_figure(graph, page, len(pages), title, by_time) for page in pages]


def draw_flow(graph: nx.MultiDiGraph, title: str, paths: list[Path], mirrored: bool = False,
              coinjoins: frozenset[str] = frozenset(), peel_txids: frozenset[str] = frozenset(),
              by_time: bool = False, peel_chains: tuple = ()) -> int:
    """Draw the pages once; save a multi-page PDF and, for SVG and PNG, the pages one below the
    other. Returns the number of pages."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "btctrace", "svg.fonttype": "path", "font.family": FONT}):
        figures = draw_flow_pages(graph, title, mirrored, coinjoins, peel_txids, by_time, peel_chains)
        for path in paths:
            if path.suffix == ".pdf":
                write_atomically(path, lambda temporary: save_pdf_pages(figures, temporary))
            elif path.suffix == ".svg":
                write_atomically(path, lambda temporary: temporary.write_text(  # drawn inside: a failure names the file
                    stacked_svg([figure_svg(f) for f in figures]), encoding="utf-8"))
            else:
                write_atomically(path, lambda temporary: save_stacked_png(figures, temporary))
    return len(figures)
