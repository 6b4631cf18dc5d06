"""The report's main figure on paper: one A4/Letter page, text of at least 7 pt, no two texts
and no two boxes overlapping, for the demo and a 1,000-transaction case; every flow's amount on
its arrow or in a numbered footnote."""

import pytest

from btctrace.exports.charts.entity_chart import (
    ENTITY_CHART_HEIGHT_IN,
    MIN_FONT_PT,
    date_range,
    entity_figure,
    flow_text,
)
from btctrace.exports.charts.entity_flow import EntityFlow, entity_chart
from btctrace.exports.charts.label_layout import overlapping_pairs, text_boxes
from btctrace.exports.charts.styles import PRINT_HEIGHT_IN, PRINT_WIDTH_IN

TITLE = "demo-ransom: DemoLocker ransom (synthetic) [SYNTHETIC DATA]: forward trace from bc1qxjg3mae26hp59zqaark3vy"


def _check(figure):
    from matplotlib.patches import FancyBboxPatch

    width, height = figure.get_size_inches()
    assert width <= PRINT_WIDTH_IN and height == ENTITY_CHART_HEIGHT_IN <= PRINT_HEIGHT_IN
    boxes = text_boxes(figure)
    assert min(size for _, size, _ in boxes) >= MIN_FONT_PT
    assert overlapping_pairs(boxes) == []
    renderer = figure.canvas.get_renderer()
    patches = [("box", 0, p.get_window_extent(renderer)) for p in figure.findobj(FancyBboxPatch)
               if p.get_boxstyle().__class__.__name__ == "Round"]
    assert patches and overlapping_pairs(patches) == [], "entity boxes do not overlap"
    frame = figure.bbox
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for _, _, b in boxes)
    return [t for t, _, _ in boxes]


@pytest.mark.parametrize("which", ["demo", "thousand"])
def test_entity_chart_prints_legibly_on_one_page(which, demo_trace, thousand_trace):
    result, graph = (demo_trace[0], demo_trace[1]) if which == "demo" else (thousand_trace[0], thousand_trace[1])
    chart = entity_chart(graph, result.coinjoins)
    texts = _check(entity_figure(chart, TITLE))
    text = "\n".join(texts)
    for flow in chart.flows.values():
        assert flow_text(flow) in texts or f"{flow_text(flow).replace(chr(10), ', ')}" in text or \
            "see entity_flows.csv" in text, "each flow on its arrow, in a footnote, or referred to the CSV"


def test_demo_chart_shows_the_ransom_total_and_the_exchange(demo_trace):
    result, graph, _ = demo_trace
    texts = "\n".join(_check(entity_figure(entity_chart(graph, result.coinjoins), TITLE)))
    assert "Northwind\nExchange" in texts and "Victim" in texts and "CoinJoin" in texts
    assert "50.75193696 BTC" in texts, "the ransom money leaving the extortionist's cluster"


@pytest.mark.parametrize("first, last, text", [
    (1713744686, 1713744686, "22 Apr 2024"), (1713744686, 1714004403, "22–25 Apr 2024"),
    (1714435200, 1714608000, "30 Apr–2 May 2024"), (1703980800, 1704153600, "31 Dec 2023–\n2 Jan 2024"),
    (None, None, "unconfirmed")])
def test_date_ranges_are_short_and_unambiguous(first, last, text):
    assert date_range(first, last) == text


def test_flow_text_counts_transfers_and_sums_exactly():
    flow = EntityFlow("a", "b", sats=1_250_000_000, transfers=3, first=1713744686, last=1714004403)
    assert flow_text(flow) == "3 transfers\n12.5 BTC\n22–25 Apr 2024"
