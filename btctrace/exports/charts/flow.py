"""The address-level flow chart, the detailed exhibit: left to right by hop, in printed pages.

Laid out by :mod:`btctrace.exports.charts.flow_layout` (transactions in odd columns, addresses
beside them, crowded columns folded, :data:`~btctrace.exports.charts.flow_layout.RANKS_PER_PAGE`
hops a page). Backward traces are mirrored so the seed stays on the right. Drawn at print size
(:mod:`btctrace.exports.charts.styles`) with text of at least :data:`MIN_FONT_PT` points; parallel
transfers share one arrow and one summed label, and no two labels overprint
(:mod:`btctrace.exports.charts.label_layout`). ``flow.pdf`` has one page per hop range;
``flow.svg`` and ``flow.png`` show the same pages one below the other. SVG ids use a fixed hash
salt and no dates are embedded, so reruns give identical bytes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from btctrace.exports.charts.figure_files import figure_svg, save_pdf_pages, save_stacked_png, stacked_svg
from btctrace.exports.charts.flow_display import CHART_KEYS, display_graph
from btctrace.exports.charts.flow_layout import ALWAYS_LABELLED, FlowPage, flow_pages, fold_crowded_columns
from btctrace.exports.charts.label_layout import LabelPlacer
from btctrace.exports.charts.styles import (
    FONT,
    PRINT_HEIGHT_IN,
    PRINT_WIDTH_IN,
    ROLE_STYLES,
    short_btc,
    short_id,
    wrap_words,
)
from btctrace.exports.writing.atomic import write_atomically
from btctrace.exports.writing.safe_text import xml_text
from btctrace.graph import schema as S

__all__ = ["MIN_FONT_PT", "draw_flow_pages", "draw_flow"]

MIN_FONT_PT = 6.0
_NODE_PT, _EDGE_PT = 6.5, 6.0
_LABEL_CHARS = 20
_DPI = 150


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
    for node in sorted(page.positions, key=lambda n: (graph.nodes[n].get("role") not in ALWAYS_LABELLED, n)):
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
