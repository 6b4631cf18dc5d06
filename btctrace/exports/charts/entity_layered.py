"""Draw the entity chart on a layout by Graphviz ``dot`` (:mod:`btctrace.exports.charts.layered`).

Every box and every arrow's label is measured here (matplotlib, at its printed size) and given
to ``dot`` as a box of that size; an arrow runs from its payer into its label and from the label
on to its payee, so a label always sits on its own arrow, never on another text or arrow. The
layout is tried left to right and top to bottom and the one that prints larger on the page is
kept (never below :data:`~btctrace.exports.charts.entity_chart.MIN_FONT_PT`: the chart folds
more boxes first). Routes are drawn exactly as ``dot`` gives them.
"""

from __future__ import annotations

from btctrace.exports.charts.entity_flow import ENTITY_KINDS, EntityChart
from btctrace.exports.charts.entity_text import box_text, flow_text
from btctrace.exports.charts.layered import Box
from btctrace.exports.charts.layered_drawing import LINE_SPACING, Fitted, best_layout, draw_route, measure
from btctrace.notes import Note

__all__ = ["LABEL_PREFIX", "lay_out_entities", "draw_laid_out", "ordered_flows", "screen_layout"]

_GAP = 10.0  # points between boxes and between ranks
_LABEL = LABEL_PREFIX = "label:"  # id prefix of an arrow's label box: label:<n> for ordered_flows(chart)[n]


def _boxes(figure, chart: EntityChart, marks: dict, sizes: tuple[float, float],
           narrow: bool) -> tuple[list[Box], dict[str, str]]:
    texts: dict[str, str] = {}
    boxes = []
    for entity_id in sorted(chart.entities):
        texts[entity_id] = box_text(chart.entities[entity_id], [m for m, _ in marks.get(entity_id, [])])
        boxes.append(Box(entity_id, *measure(figure, texts[entity_id], sizes[0])))
    for number, flow in enumerate(ordered_flows(chart)):
        label = f"{_LABEL}{number}"
        texts[label] = flow_text(flow, narrow)
        boxes.append(Box(label, *measure(figure, texts[label], sizes[1])))
    return boxes, texts


def ordered_flows(chart: EntityChart):
    """The chart's flows, heaviest first: the order their label boxes are numbered in."""
    return sorted(chart.flows.values(), key=lambda f: (-f.sats, f.source, f.target))


def lay_out_entities(figure, chart: EntityChart, marks: dict, sizes: tuple[float, float],
                     area: tuple[float, float]) -> Fitted:
    """Lay the chart out left to right and top to bottom (its arrows' labels narrower, as they
    sit side by side); keep the one that needs the least shrinking to fit *area* (points)."""
    edges = []
    for number, flow in enumerate(ordered_flows(chart)):
        edges += [(flow.source, f"{_LABEL}{number}"), (f"{_LABEL}{number}", flow.target)]
    seeds = [e for e in sorted(chart.entities) if chart.entities[e].kind == "seed"]
    return best_layout(lambda narrow: _boxes(figure, chart, marks, sizes, narrow), edges, area, [seeds], _GAP)


def draw_laid_out(axes, chart: EntityChart, laid: Fitted, marks: dict[str, list[tuple[str, Note]]],
                  sizes: tuple[float, float]) -> None:
    """Boxes, labels and routes on *axes* (whose data units are the layout's points); *sizes*
    are the printed font sizes of the boxes' and the labels' text."""
    from matplotlib.patches import FancyBboxPatch

    layout, scale = laid.layout, laid.scale
    flows = ordered_flows(chart)
    heaviest = max((f.sats for f in flows), default=1) or 1
    widths = {}
    for number, flow in enumerate(flows):
        widths[f"{_LABEL}{number}"] = 0.6 + 2.4 * flow.sats / heaviest
    for route in layout.routes:
        into_label = route.target.startswith(_LABEL)
        label = route.target if into_label else route.source
        draw_route(axes, route, widths[label] * max(scale, 0.5), arrow=not into_label)
    for node, (x, y) in sorted(layout.centres.items()):
        label = node.startswith(_LABEL)
        entity = None if label else chart.entities[node]
        noted = marks.get(node, [])
        width, height = layout.sizes[node]
        edge = "#c00000" if entity is not None and entity.sanctioned else \
            (noted[0][1].colour if noted else ("#999999" if label else "#333333"))
        axes.add_artist(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                      boxstyle="round,pad=0,rounding_size=3" if not label else "square,pad=0",
                                      facecolor="white" if label else ENTITY_KINDS[entity.kind][2],
                                      edgecolor=edge, linewidth=(2.2 if noted or (entity and entity.sanctioned)
                                                                 else 0.3 if label else 0.7), zorder=3,
                                      clip_on=False))
        axes.text(x, y, laid.texts[node], fontsize=sizes[1] if label else sizes[0], ha="center",
                  va="center", linespacing=LINE_SPACING, zorder=4, color="#222222", clip_on=False, parse_math=False)


def screen_layout(chart: EntityChart, font_px: float, area_px: tuple[float, float]) -> Fitted:
    """The same layout for a screen (the explorer's entity view): texts measured at *font_px*
    (a point of the layout is a pixel at zoom 1), the orientation that fits *area_px* better."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 8), dpi=72)  # 72 dpi: measured points are pixels
    FigureCanvasAgg(figure)
    return lay_out_entities(figure, chart, {}, (font_px, font_px - 1), area_px)
