"""One page of the address-level chart laid out by Graphviz ``dot``
(:mod:`btctrace.exports.charts.layered`): each address and transaction a box of its measured
text with its role's marker, each arrow's amount a box of its own on the arrow, the nodes of one
hop column on one rank (the page keeps its hop order), crossings minimised by the engine.
Routes are drawn as the engine gives them; traced transfers dark, untraced ones light.
"""

from __future__ import annotations

import networkx as nx

from btctrace.exports.charts.flow_layout import FlowPage
from btctrace.exports.charts.flow_text import edge_label, merged_edges, node_label
from btctrace.exports.charts.layered import Box
from btctrace.exports.charts.layered_drawing import LINE_SPACING, PAD, Fitted, best_layout, draw_route, measure
from btctrace.exports.charts.styles import ROLE_STYLES
from btctrace.graph import schema as S

__all__ = ["lay_out_page", "draw_page"]

_MARKER = 10.0  # points left of a node's text for its marker
_LABEL = "amount:"
_GAP = 6.0


def _style(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node]
    return data.get("style") or ("tx" if data[S.KIND] == S.KIND_TX else data["role"])


def _boxes(figure, graph: nx.MultiDiGraph, page: FlowPage, edges, sizes: tuple[float, float],
           narrow: bool) -> tuple[list[Box], dict[str, str]]:
    texts: dict[str, str] = {}
    boxes = []
    for node in sorted(page.positions):
        texts[node] = node_label(graph, node)
        boxes.append(Box(node, *measure(figure, texts[node], sizes[0], _MARKER)))
    for number, (_, _, transfers) in enumerate(edges):
        label = f"{_LABEL}{number}"
        texts[label] = edge_label(transfers, narrow)
        boxes.append(Box(label, *measure(figure, texts[label], sizes[1])))
    return boxes, texts


def lay_out_page(figure, graph: nx.MultiDiGraph, page: FlowPage, sizes: tuple[float, float],
                 area: tuple[float, float]) -> tuple[Fitted, list]:
    """The page's layout (left to right or top to bottom, whichever prints larger in *area*,
    points) and its arrows (source, target, transfers), heaviest first."""
    edges = merged_edges(graph, page.positions)
    routes = []
    for number, (source, target, _) in enumerate(edges):
        routes += [(source, f"{_LABEL}{number}"), (f"{_LABEL}{number}", target)]
    fitted = best_layout(lambda narrow: _boxes(figure, graph, page, edges, sizes, narrow), routes, area, gap=_GAP)
    return fitted, edges


def draw_page(axes, graph: nx.MultiDiGraph, fitted: Fitted, edges, sizes: tuple[float, float]) -> None:
    """Nodes, amounts and routes on *axes*, whose data units are the layout's points; *sizes*
    are the printed font sizes of the nodes' and the amounts' text."""
    from matplotlib.patches import FancyBboxPatch

    layout, scale = fitted.layout, fitted.scale
    colour = {}
    for number, (source, target, transfers) in enumerate(edges):
        traced = transfers[0]["side"] == S.SIDE_INPUT or graph.nodes[target].get("role") != S.ROLE_COUNTERPARTY
        colour[f"{_LABEL}{number}"] = "#555555" if traced else "#bbbbbb"
    for route in layout.routes:
        into_label = route.target.startswith(_LABEL)
        draw_route(axes, route, 0.6 * max(scale, 0.5), not into_label,
                   colour[route.target if into_label else route.source])
    markers: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for node, (x, y) in sorted(layout.centres.items()):
        width, height = layout.sizes[node]
        label = node.startswith(_LABEL)
        tx = not label and graph.nodes[node][S.KIND] == S.KIND_TX
        axes.add_artist(FancyBboxPatch((x - width / 2, y - height / 2), width, height, clip_on=False, zorder=3,
                                      boxstyle="square,pad=0" if label else "round,pad=0,rounding_size=2",
                                      facecolor="#f2f2f2" if tx else "white",
                                      edgecolor="#bbbbbb" if label else "#888888", linewidth=0.3 if label else 0.5))
        if label:
            axes.text(x, y, fitted.texts[node], fontsize=sizes[1], ha="center", va="center", zorder=4,
                      linespacing=LINE_SPACING, color="#222222", clip_on=False, parse_math=False)
            continue
        face, marker, _ = ROLE_STYLES[_style(graph, node)]
        markers.setdefault((face, marker), []).append((x - width / 2 + (PAD + _MARKER / 2) * 0.8, y))
        axes.text(x - width / 2 + PAD + _MARKER, y, fitted.texts[node], fontsize=sizes[0], ha="left", va="center",
                  zorder=4, linespacing=LINE_SPACING, color="#222222", clip_on=False, parse_math=False)
    for (face, marker), points in sorted(markers.items()):
        axes.scatter([p[0] for p in points], [p[1] for p in points], s=22 * scale, c=face, marker=marker,
                     edgecolors="black", linewidths=0.4, zorder=5, clip_on=False)
