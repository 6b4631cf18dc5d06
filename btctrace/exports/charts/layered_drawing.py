"""Drawing a layout made by :mod:`btctrace.exports.charts.layered` with matplotlib: texts measured
at their printed size (the boxes ``dot`` is given), routes drawn exactly as ``dot`` gives them
(one artist per route: spline and arrowhead), and the choice between a left-to-right and a
top-to-bottom layout by which prints larger. Shared by the entity chart and the address-level
chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from btctrace.exports.charts.layered import Box, Layout, Route, crossings, layered_layout

__all__ = ["PAD", "LINE_SPACING", "Fitted", "measure", "best_layout", "draw_route", "layout_axes", "layout_words"]

PAD = 4.0  # points of box around a text
LINE_SPACING = 1.15


@dataclass(frozen=True)
class Fitted:
    """A layout, its scale onto the page (1.0: printed at the measured sizes), the text of
    each box, and how many pairs of its routes cross (two routes meeting at one box are not
    counted against each other: they meet there by design), counted when first asked: the
    layouts a chart tries and does not print are never counted."""
    layout: Layout
    scale: float
    texts: dict[str, str]

    @cached_property
    def crossings(self) -> int:
        return crossings([(r.source, r.target, r.line()) for r in self.layout.routes])


def measure(figure, text: str, size: float, extra_width: float = 0.0) -> tuple[float, float]:
    """Width and height in points of *text* at *size* points, with :data:`PAD` around it and
    *extra_width* more (room for a marker). Kept on *figure*: a chart that tries several page
    breaks and both directions measures each text once."""
    measured = figure.__dict__.setdefault("_btctrace_measured", {})
    key = (text, size, figure.dpi)
    if key not in measured:
        renderer = figure.canvas.get_renderer()
        artist = figure.text(0, 0, text, fontsize=size, linespacing=LINE_SPACING, parse_math=False)  # literal
        box = artist.get_window_extent(renderer)
        artist.remove()
        measured[key] = (box.width * 72 / figure.dpi + 2 * PAD, box.height * 72 / figure.dpi + 2 * PAD)
    width, height = measured[key]
    return width + extra_width, height


def best_layout(make_boxes: Callable[[bool], tuple[list[Box], dict[str, str]]], edges: list[tuple[str, str]],
                area: tuple[float, float], same_rank: list[list[str]] = (), gap: float = 10.0) -> Fitted:
    """Lay out left to right, then top to bottom (the boxes made narrow for it:
    ``make_boxes(True)``), and keep the one that shrinks least to fit *area* (points); left to
    right on a tie."""
    best = None
    for rankdir in ("LR", "TB"):
        boxes, texts = make_boxes(rankdir == "TB")
        layout = layered_layout(boxes, edges, rankdir, same_rank=[g for g in same_rank if len(g) > 1], gap=gap)
        scale = min(1.0, area[0] / max(layout.width, 1.0), area[1] / max(layout.height, 1.0))
        if best is None or scale > best[1] + 1e-9:
            best = (layout, scale, texts)
    layout, scale, texts = best
    return Fitted(layout, scale, texts)


def draw_route(axes, route: Route, width: float, arrow: bool, colour: str = "#444444") -> None:
    """One route as one artist: the spline, then on to the arrow's tip (with its head when
    *arrow*; a route into an arrow's label box has none)."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    points = list(route.points) + ([route.arrow_tip] if route.arrow_tip is not None else [])
    codes = [Path.MOVETO] + [Path.CURVE4] * (len(route.points) - 1) + \
        ([Path.LINETO] if route.arrow_tip is not None else [])
    # add_artist, not add_patch: the axes' limits are set by the layout, and add_patch would
    # work out each route's extent only to widen limits nothing reads (0.6 s of a 10-page chart)
    axes.add_artist(FancyArrowPatch(path=Path(points, codes), arrowstyle="-|>" if arrow else "-", mutation_scale=8,
                                   color=colour, linewidth=width, zorder=2, clip_on=False,
                                   capstyle="butt", joinstyle="miter"))


def layout_axes(figure, fitted: Fitted, area: tuple[float, float, float, float], min_scale: float):
    """Axes for *fitted* in *area* (figure fractions: left, bottom, width, height), centred and at
    its top, with the layout's points as data units, at its scale (never below *min_scale*, the
    smallest legible); returns the axes and the scale used."""
    left, bottom, width, height = area
    page_w, page_h = (v * 72 for v in figure.get_size_inches())
    scale = max(fitted.scale, min_scale)
    layout_w, layout_h = max(fitted.layout.width, 1.0), max(fitted.layout.height, 1.0)  # an empty chart: 1 pt
    w, h = layout_w * scale / page_w, layout_h * scale / page_h
    axes = figure.add_axes((left + (width - w) / 2, bottom + height - h, w, h))
    axes.set_axis_off()
    axes.set_xlim(0, layout_w)
    axes.set_ylim(0, layout_h)
    return axes, scale


def layout_words(fitted: Fitted) -> str:
    """"money flows top to bottom; 2 arrow crossings": what a chart says of its layout."""
    flows = "left to right" if fitted.layout.rankdir == "LR" else "top to bottom"
    return f"money flows {flows}; {fitted.crossings} arrow crossing{'s' if fitted.crossings != 1 else ''}"
