"""Labels never overprint: a label with no free spot is left out and counted, and the overlap
check finds what overlaps (and not what merely touches)."""

from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from btctrace.exports.charts.label_layout import LabelPlacer, overlapping_pairs, text_boxes


def _axes():
    figure = Figure(figsize=(4, 3), dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, 4)
    axes.set_ylim(0, 3)
    axes.set_axis_off()
    return figure, axes


def test_a_second_label_on_a_busy_edge_moves_along_it():
    figure, axes = _axes()
    placer = LabelPlacer(figure)
    first = placer.along(axes, (0, 1.5), (4, 1.5), "1.5 BTC", fontsize=8, ha="center", va="center")
    second = placer.along(axes, (0, 1.5), (4, 1.5), "2.5 BTC", fontsize=8, ha="center", va="center")
    assert first is not None and second is not None and first.get_position() != second.get_position()
    assert overlapping_pairs(text_boxes(figure)) == []


def test_a_label_with_no_room_is_left_out_and_counted():
    figure, axes = _axes()
    placer = LabelPlacer(figure)
    placer.block(Bbox.from_extents(0, 0, 400, 300))  # the whole figure is taken
    assert placer.along(axes, (0, 1.5), (4, 1.5), "1.5 BTC", fontsize=8) is None
    assert placer.left_out == 1 and text_boxes(figure) == []


def test_overlapping_pairs_finds_overlaps_not_touching_edges():
    boxes = [("a", 7, Bbox.from_extents(0, 0, 10, 10)), ("b", 7, Bbox.from_extents(10, 0, 20, 10)),
             ("c", 7, Bbox.from_extents(15, 5, 30, 15))]
    assert overlapping_pairs(boxes) == [("b", "c")]
