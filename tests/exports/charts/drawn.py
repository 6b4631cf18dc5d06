"""What a chart figure draws, measured from matplotlib's rendered artists (display pixels): the
arrows as polylines, the texts they run over, and how often they cross. Shared by the chart
tests and the real-case gallery."""

from btctrace.exports.charts.layered import lines_cross

__all__ = ["arrow_lines", "crossings_drawn", "texts_crossed_by"]


def arrow_lines(figure) -> list[tuple[int, list[tuple[float, float]]]]:
    """Every arrow and route drawn on *figure* (not the boxes), flattened to display-space
    polylines, each with the number of the artist that drew it (an arrowhead and its shaft are
    one artist)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, PathPatch

    figure.draw_without_rendering()
    lines = []
    for number, artist in enumerate(figure.findobj(lambda a: isinstance(a, (PathPatch, FancyArrowPatch, Line2D)))):
        if isinstance(artist, FancyBboxPatch) or not artist.get_visible():
            continue
        if isinstance(artist, Line2D):
            points = artist.get_transform().transform(artist.get_xydata())
            lines.append((number, [tuple(p) for p in points]))
            continue
        path = artist.get_path()
        transform = artist.get_patch_transform() + artist.get_transform() if not isinstance(artist, FancyArrowPatch) \
            else artist.get_transform()
        for polygon in path.transformed(transform).to_polygons(closed_only=False):
            lines.append((number, [tuple(p) for p in polygon]))
    return [(number, line) for number, line in lines if len(line) > 1]


def texts_crossed_by(lines, boxes, inset: float = 1.0) -> list[str]:
    """The texts (from ``label_layout.text_boxes``) that an arrow's line runs into."""
    crossed = []
    for text, _, box in boxes:
        x0, y0, x1, y1 = box.x0 + inset, box.y0 + inset, box.x1 - inset, box.y1 - inset
        for _, line in lines:
            if any(_segment_meets_box(p, q, (x0, y0, x1, y1)) for p, q in zip(line, line[1:])):
                crossed.append(text)
                break
    return crossed


def _segment_meets_box(p, q, box, steps: int = 8) -> bool:
    x0, y0, x1, y1 = box
    if max(p[0], q[0]) < x0 or min(p[0], q[0]) > x1 or max(p[1], q[1]) < y0 or min(p[1], q[1]) > y1:
        return False
    for step in range(steps + 1):
        t = step / steps
        x, y = p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False


def _box_at(point, boxes) -> int:
    """The index of the box nearest *point* (an arrow starts and ends on a box's border)."""
    def distance(box):
        dx = max(box.x0 - point[0], 0, point[0] - box.x1)
        dy = max(box.y0 - point[1], 0, point[1] - box.y1)
        return dx * dx + dy * dy
    return min(range(len(boxes)), key=lambda i: distance(boxes[i]))


def crossings_drawn(figure) -> int:
    """How many pairs of drawn arrows cross (an arrow: one artist, shaft and head), as the
    rendered figure shows them; two arrows that start or end at one box are not counted against
    each other (they meet there by design: the same rule as the engine's count)."""
    from matplotlib.patches import FancyBboxPatch

    drawn: dict[int, list] = {}
    for number, line in arrow_lines(figure):
        drawn.setdefault(number, []).append(line)
    renderer = figure.canvas.get_renderer()
    boxes = [p.get_window_extent(renderer) for p in figure.findobj(FancyBboxPatch)]
    arrows = [(drawn[n], {_box_at(drawn[n][0][0], boxes), _box_at(drawn[n][0][-1], boxes)}) for n in sorted(drawn)]
    return sum(not ends & other_ends and any(lines_cross(a, b) for a in lines for b in other_lines)
               for i, (lines, ends) in enumerate(arrows) for other_lines, other_ends in arrows[i + 1:])
