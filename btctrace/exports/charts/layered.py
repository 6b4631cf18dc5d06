"""Layered ("Sugiyama") layout of a flow chart by Graphviz ``dot``, through pygraphviz.

``dot`` ranks the boxes along the flow, orders each rank to minimise edge crossings and routes
every edge as a spline around the boxes (Gansner, Koutsofios, North & Vo, "A technique for
drawing directed graphs", IEEE TSE 19(3), 1993). The chart measures its own texts (matplotlib)
and gives ``dot`` each box's size; an edge's label is a box of its own on the edge (the edge
runs into it and out again), so ``dot`` keeps it clear of every other box and route: no text
overprints another or sits on an arrow. Positions and routes are read back in points; the
drawing follows them exactly, so the crossings drawn are the engine's own (:func:`crossings`
counts them).

pygraphviz's wheels carry Graphviz itself (BSD-3-Clause binding, Graphviz under EPL-1.0, used as
a library): ``pip install`` is enough on Linux x86-64/ARM64, macOS ARM64 and Windows x64.
Elsewhere :func:`engine_available` is False and the charts fall back to their own column
layout, saying so on the chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ENGINE", "Box", "Route", "Layout", "engine_available", "layered_layout", "crossings", "lines_cross", "sampled"]

ENGINE = "Graphviz dot (pygraphviz)"
_POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Box:
    """A node to place: its id and size in points."""
    id: str
    width: float
    height: float


@dataclass(frozen=True)
class Route:
    """An edge as laid out: cubic Bezier control points (points), from *source* to *target*."""
    source: str
    target: str
    points: tuple[tuple[float, float], ...]
    arrow_tip: tuple[float, float] | None = None  # where the arrowhead points, when dot gives one

    def line(self) -> list[tuple[float, float]]:
        """The route as drawn, a polyline: the spline sampled, then on to the arrow's tip."""
        return sampled(self.points) + ([self.arrow_tip] if self.arrow_tip is not None else [])


@dataclass
class Layout:
    """Box centres and edge routes in points (origin bottom left), and the drawing's size."""
    width: float
    height: float
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)  # as given: width, height
    routes: list[Route] = field(default_factory=list)
    rankdir: str = "LR"


def engine_available() -> bool:
    """True when pygraphviz (with its Graphviz) can be imported."""
    try:
        import pygraphviz  # noqa: F401
    except ImportError:
        return False
    return True


def _pair(text: str) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _route(source: str, target: str, pos: str) -> Route:
    """A route from dot's ``pos``: optional "s,x,y" and "e,x,y" ends, then 3n+1 control points."""
    tip = None
    points = []
    for part in pos.replace("\\\n", "").split():
        if part.startswith("e,"):
            tip = _pair(part[2:])
        elif not part.startswith("s,"):
            points.append(_pair(part))
    return Route(source, target, tuple(points), tip)


def layered_layout(boxes: list[Box], edges: list[tuple[str, str]], rankdir: str = "LR",
                   same_rank: list[list[str]] = (), gap: float = 14.0) -> Layout:
    """Lay *boxes* and *edges* (source id, target id) out with ``dot``. Boxes keep their sizes;
    *same_rank* groups are put on one rank; *gap* (points) is kept between boxes and ranks.
    Same input, same layout (dot is deterministic; input order is kept). Graphviz sees only
    neutral names ("n0", "n1"...): an id holds untrusted text (a tag label) that never reaches it."""
    import pygraphviz

    if not boxes:
        return Layout(0.0, 0.0, rankdir=rankdir)  # nothing to draw (a seed with no history)
    graph = pygraphviz.AGraph(directed=True, strict=False)
    graph.graph_attr.update(rankdir=rankdir, nodesep=f"{gap / _POINTS_PER_INCH:.3f}",
                            ranksep=f"{gap / _POINTS_PER_INCH:.3f}", splines="spline", margin="0")
    graph.node_attr.update(shape="box", fixedsize="true", label="")
    graph.edge_attr.update(arrowsize="0.6")
    name = {box.id: f"n{number}" for number, box in enumerate(boxes)}
    for box in boxes:
        graph.add_node(name[box.id], width=f"{box.width / _POINTS_PER_INCH:.4f}",
                       height=f"{box.height / _POINTS_PER_INCH:.4f}")
    for number, (source, target) in enumerate(edges):
        graph.add_edge(name[source], name[target], key=str(number))
    for number, group in enumerate(same_rank):
        graph.add_subgraph([name[member] for member in group], name=f"rank{number}", rank="same")
    graph.layout(prog="dot")
    _, _, width, height = (float(v) for v in graph.graph_attr["bb"].split(","))
    layout = Layout(width, height, rankdir=rankdir)
    for box in boxes:
        layout.centres[box.id] = _pair(graph.get_node(name[box.id]).attr["pos"])
        layout.sizes[box.id] = (box.width, box.height)
    for number, (source, target) in enumerate(edges):
        pos = graph.get_edge(name[source], name[target], key=str(number)).attr["pos"]
        layout.routes.append(_route(source, target, pos))
    return layout


def sampled(points: tuple[tuple[float, float], ...], steps: int = 12) -> list[tuple[float, float]]:
    """A cubic Bezier spline (3n+1 control points) as a polyline of *steps* segments a piece."""
    line = [points[0]]
    for start in range(0, len(points) - 3, 3):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[start:start + 4]
        for step in range(1, steps + 1):
            t = step / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            line.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return line


def _segments_cross(p, q, r, s) -> bool:
    """Proper intersection of segments pq and rs (touching ends do not count)."""
    def side(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    d1, d2, d3, d4 = side(r, s, p), side(r, s, q), side(p, q, r), side(p, q, s)
    return ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4)


def _bounds(line: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in line], [p[1] for p in line]
    return min(xs), min(ys), max(xs), max(ys)


def crossings(lines: list[tuple[str, str, list[tuple[float, float]]]]) -> int:
    """How many pairs of drawn edges cross (polylines with their end nodes), each pair once
    however often it crosses; edges that share an end node are not counted against each
    other (they meet there by design). Pairs whose extents do not meet are never compared
    segment by segment (a page of a thousand edges is counted in a blink)."""
    bounded = sorted(((_bounds(line), a, b, line) for a, b, line in lines), key=lambda item: item[0][0])
    count = 0
    for i, ((x0, y0, x1, y1), a, b, first) in enumerate(bounded):
        for (u0, v0, u1, v1), c, d, second in bounded[i + 1:]:
            if u0 > x1:
                break  # sorted by left edge: no later line reaches this one
            if v0 > y1 or v1 < y0 or {a, b} & {c, d}:
                continue
            count += lines_cross(first, second)
    return count


def lines_cross(first: list[tuple[float, float]], second: list[tuple[float, float]]) -> bool:
    """True when two polylines cross properly somewhere (touching ends do not count)."""
    for p, q in zip(first, first[1:]):
        px0, px1 = (p[0], q[0]) if p[0] <= q[0] else (q[0], p[0])
        py0, py1 = (p[1], q[1]) if p[1] <= q[1] else (q[1], p[1])
        for r, s in zip(second, second[1:]):
            if px1 < min(r[0], s[0]) or max(r[0], s[0]) < px0 or py1 < min(r[1], s[1]) or max(r[1], s[1]) < py0:
                continue
            if _segments_cross(p, q, r, s):
                return True
    return False
