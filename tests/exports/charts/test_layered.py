"""The layout engine's adapter: Graphviz dot through pygraphviz keeps the boxes' sizes, places
no two boxes over each other, routes each edge from its source's box to its target's, gives the
same layout for the same input, and counts crossings as a reader sees them."""

import pytest

from btctrace.exports.charts.layered import Box, crossings, engine_available, layered_layout, lines_cross, sampled

pytestmark = pytest.mark.skipif(not engine_available(), reason="the layout engine (pygraphviz) is not installed")

BOXES = [Box("a", 80, 30), Box("b", 60, 20), Box("c", 100, 40), Box("d", 50, 20)]
EDGES = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]


def _overlap(layout, first, second):
    (x0, y0), (w0, h0) = layout.centres[first], layout.sizes[first]
    (x1, y1), (w1, h1) = layout.centres[second], layout.sizes[second]
    return abs(x0 - x1) * 2 < w0 + w1 and abs(y0 - y1) * 2 < h0 + h1


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_boxes_keep_their_size_and_never_overlap(rankdir):
    layout = layered_layout(BOXES, EDGES, rankdir)
    assert layout.sizes == {b.id: (b.width, b.height) for b in BOXES}
    assert not any(_overlap(layout, a.id, b.id) for i, a in enumerate(BOXES) for b in BOXES[i + 1:])
    for box in BOXES:
        x, y = layout.centres[box.id]
        assert box.width / 2 - 0.5 <= x <= layout.width - box.width / 2 + 0.5
        assert box.height / 2 - 0.5 <= y <= layout.height - box.height / 2 + 0.5


def test_each_route_runs_from_its_source_box_to_its_target_box():
    layout = layered_layout(BOXES, EDGES, "LR")
    for route in layout.routes:
        for end, node in ((route.line()[0], route.source), (route.line()[-1], route.target)):
            (x, y), (w, h) = layout.centres[node], layout.sizes[node]
            assert abs(end[0] - x) <= w / 2 + 2 and abs(end[1] - y) <= h / 2 + 2


def test_the_same_input_gives_the_same_layout():
    first, second = layered_layout(BOXES, EDGES, "TB"), layered_layout(BOXES, EDGES, "TB")
    assert first.centres == second.centres and first.routes == second.routes


def test_crossings_count_pairs_that_cross_not_those_that_meet_at_a_box():
    x = [(0.0, 0.0), (10.0, 10.0)]
    other = [(0.0, 10.0), (10.0, 0.0)]
    assert lines_cross(x, other) and not lines_cross(x, [(10.0, 10.0), (20.0, 0.0)])
    assert crossings([("a", "b", x), ("c", "d", other)]) == 1
    assert crossings([("a", "b", x), ("a", "d", other)]) == 0, "both leave a: they meet there by design"
    assert sampled(((0, 0), (1, 1), (2, 1), (3, 0)), steps=4)[-1] == (3, 0)


def test_ids_holding_any_text_never_reach_graphviz_as_names():
    hostile = ['a" -> b [label="x"]; //', "tag\x00one", "tag\x00two", "n0"]  # a C string ends at NUL
    boxes = [Box(text, 40, 20) for text in hostile]
    layout = layered_layout(boxes, [(hostile[0], hostile[1]), (hostile[2], hostile[3])], "LR")
    assert set(layout.centres) == set(hostile) and len(layout.routes) == 2
    assert len(set(layout.centres.values())) == len(hostile), "four boxes in four places"
    assert [(r.source, r.target) for r in layout.routes] == [(hostile[0], hostile[1]), (hostile[2], hostile[3])]
