"""Place chart labels so that no two overprint (the flow charts' text must stay readable on
paper). Matplotlib measures each text's extent itself; a label is tried at a few positions
along its edge and kept at the first that overlaps nothing placed before, or left out and
counted (the chart's footnote says how many, and the tables hold every amount).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LabelPlacer", "text_boxes", "overlapping_pairs"]

_ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # fractions of the edge, middle first
_CELL = 64  # pixels: the taken boxes are kept in a grid of this size, so a check looks only nearby


@dataclass
class LabelPlacer:
    """Keeps the display-space boxes already taken on one figure."""
    figure: object
    pad: float = 1.0  # pixels kept free around each box
    taken: dict = field(default_factory=dict)  # grid cell -> boxes (x0, y0, x1, y1) touching it
    left_out: int = 0

    def __post_init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not isinstance(self.figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.figure)
        self.renderer = self.figure.canvas.get_renderer()

    def block(self, box) -> None:
        """Mark a display-space box (a marker, the legend, a placed label) as taken."""
        extents = (box.x0, box.y0, box.x1, box.y1)
        for cell in _cells(extents):
            self.taken.setdefault(cell, []).append(extents)

    def fixed(self, text) -> None:
        """A text that must be shown where it is (a title)."""
        self.block(text.get_window_extent(self.renderer))

    def _free(self, box) -> bool:
        x0, y0, x1, y1 = box.x0 - self.pad, box.y0 - self.pad, box.x1 + self.pad, box.y1 + self.pad
        for cell in _cells((x0, y0, x1, y1)):
            for a0, b0, a1, b1 in self.taken.get(cell, ()):
                if x0 <= a1 and a0 <= x1 and y0 <= b1 and b0 <= y1:
                    return False
        return True

    def first_free(self, axes, candidates: list[tuple[float, float, str, dict]], **style):
        """Draw the first candidate (x, y, text, extra style) whose box is free and inside the
        figure; None (and one more left out) when none is. Each text is measured once: moving it
        moves its box by the same amount in display space."""
        from matplotlib.transforms import Bbox

        artist = axes.text(0, 0, "", **style)
        measured: dict = {}
        to_display = axes.transData.transform
        for x, y, text, extra in candidates:
            key = (text, tuple(sorted(extra.items())))
            anchor = to_display((x, y))
            if key not in measured:
                artist.set_position((x, y))
                artist.set_text(text)
                artist.update(extra)
                box = artist.get_window_extent(self.renderer)
                measured[key] = (box.x0 - anchor[0], box.y0 - anchor[1], box.x1 - anchor[0], box.y1 - anchor[1])
            dx0, dy0, dx1, dy1 = measured[key]
            box = Bbox.from_extents(anchor[0] + dx0, anchor[1] + dy0, anchor[0] + dx1, anchor[1] + dy1)
            if self._free(box) and self._inside(box):
                artist.set_position((x, y))
                artist.set_text(text)
                artist.update(extra)
                self.block(box)
                return artist
        artist.remove()
        self.left_out += 1
        return None

    def along(self, axes, start: tuple[float, float], end: tuple[float, float], text: str, bend: float = 0.0,
              **style):
        """Put *text* on the edge start→end (straight, or an ``arc3`` curve of rad *bend*) at the
        first free position, middle first."""
        to_display, to_data = axes.transData.transform, axes.transData.inverted().transform
        (x0, y0), (x1, y1) = to_display(start), to_display(end)
        candidates = []
        step = style.get("fontsize", 6) * self.figure.dpi / 72 * 1.1  # one line of the label's text
        for shift in (0.0, step, -step, 2 * step, -2 * step, 3 * step, -3 * step):  # on the line, then off it
            for fraction in _ALONG:
                bulge = 2 * fraction * (1 - fraction) * bend  # quadratic Bezier: control point rad·(dy, -dx) off
                point = (x0 + (x1 - x0) * fraction + bulge * (y1 - y0),
                         y0 + (y1 - y0) * fraction - bulge * (x1 - x0) + shift)
                candidates.append((*to_data(point), text, {}))
        return self.first_free(axes, candidates, **style)

    def _inside(self, box) -> bool:
        frame = self.figure.bbox
        return box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1


def _cells(extents: tuple[float, float, float, float]):
    x0, y0, x1, y1 = (int(v // _CELL) for v in extents)
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


def text_boxes(figure) -> list[tuple[str, float, object]]:
    """Every visible, non-empty text of *figure* (legend and titles included) as (text, font
    size in points, display-space box), from matplotlib's own layout."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    figure.draw_without_rendering()
    boxes = []
    for artist in figure.findobj(Text):
        if artist.get_visible() and artist.get_text().strip() and artist.figure is not None:
            boxes.append((artist.get_text(), float(artist.get_fontsize()), artist.get_window_extent(renderer)))
    return boxes


def overlapping_pairs(boxes: list[tuple[str, float, object]]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (sweep over x, so thousands of labels stay fast)."""
    ordered = sorted(boxes, key=lambda b: b[2].x0)
    pairs, active = [], []
    for text, _, box in ordered:
        active = [(t, b) for t, b in active if b.x1 > box.x0]
        pairs += [(t, text) for t, b in active if _overlap(b, box)]
        active.append((text, box))
    return pairs


def _overlap(first, second) -> bool:
    """More than half a pixel of overlap both ways (touching edges do not count)."""
    from matplotlib.transforms import Bbox

    common = Bbox.intersection(first, second)
    return common is not None and common.width > 0.5 and common.height > 0.5
