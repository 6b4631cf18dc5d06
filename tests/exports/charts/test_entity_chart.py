"""The report's main figure on paper: one A4/Letter page, text of at least 7 pt, laid out by the
layout engine; no two texts overlapping and no arrow crossing a text (measured from the
rendered figure); the arrows crossing no more than in the engine's own layout; every arrow of
the drawn chart labelled on the arrow; two transfers never read as twice the amount."""

import pytest

from btctrace.exports.charts import entity_chart as entity_chart_module
from btctrace.exports.charts.entity_chart import (
    ENTITY_CHART_HEIGHT_IN,
    MIN_FONT_PT,
    date_range,
    entity_figure,
    fit_chart,
    flow_text,
)
from btctrace.exports.charts.entity_flow import EntityFlow, entity_chart
from btctrace.exports.charts.label_layout import overlapping_pairs, text_boxes
from btctrace.exports.charts.layered import engine_available
from btctrace.exports.charts.styles import PRINT_HEIGHT_IN, PRINT_WIDTH_IN
from tests.exports.charts.drawn import arrow_lines, crossings_drawn, texts_crossed_by

TITLE = "demo-ransom: DemoLocker ransom (synthetic) [SYNTHETIC DATA]: forward trace from bc1qxjg3mae26hp59zqaark3vy"
needs_engine = pytest.mark.skipif(not engine_available(), reason="the layout engine (pygraphviz) is not installed")


def check_printed(figure, arrows_clear: bool = True):
    """Every text legible, inside the page, overprinting nothing and (laid out by the engine)
    crossed by no arrow."""
    from matplotlib.patches import FancyBboxPatch

    width, height = figure.get_size_inches()
    assert width <= PRINT_WIDTH_IN and height == ENTITY_CHART_HEIGHT_IN <= PRINT_HEIGHT_IN
    boxes = text_boxes(figure)
    assert min(size for _, size, _ in boxes) >= MIN_FONT_PT - 1e-6
    assert overlapping_pairs(boxes) == []
    if arrows_clear:
        assert texts_crossed_by(arrow_lines(figure), boxes) == [], "no arrow runs over a text"
    renderer = figure.canvas.get_renderer()
    patches = [("box", 0, p.get_window_extent(renderer)) for p in figure.findobj(FancyBboxPatch)]
    assert patches and overlapping_pairs(patches) == [], "boxes do not overlap"
    frame = figure.bbox
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
               for _, _, b in boxes + patches)
    return [t for t, _, _ in boxes]


def _scratch():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PRINT_WIDTH_IN, ENTITY_CHART_HEIGHT_IN), dpi=150)
    FigureCanvasAgg(figure)
    return figure


@needs_engine
@pytest.mark.parametrize("which", ["demo", "thousand"])
def test_entity_chart_prints_legibly_with_every_arrow_labelled(which, demo_trace, thousand_trace):
    result, graph = (demo_trace[0], demo_trace[1]) if which == "demo" else (thousand_trace[0], thousand_trace[1])
    chart = entity_chart(graph, result.coinjoins, max_per_column=None)
    figure = entity_figure(chart, TITLE)
    texts = check_printed(figure)
    drawn, laid = fit_chart(_scratch(), chart, {})
    narrow = laid.layout.rankdir == "TB"
    assert all(flow_text(flow, narrow) in texts for flow in drawn.flows.values()), "every arrow carries its label"
    assert not any(t.startswith("[") for t in texts), "no flow is footnoted"
    assert sum(f.sats for f in drawn.flows.values()) + drawn.internal_sats == \
        sum(f.sats for f in chart.flows.values()) + chart.internal_sats, "folding for room keeps every satoshi"


@needs_engine
def test_arrows_cross_no_more_than_in_the_engines_layout(demo_trace, thousand_trace):
    for result, graph in ((demo_trace[0], demo_trace[1]), (thousand_trace[0], thousand_trace[1])):
        chart = entity_chart(graph, result.coinjoins, max_per_column=None)
        figure = entity_figure(chart, TITLE)
        _, laid = fit_chart(_scratch(), chart, {})
        assert crossings_drawn(figure) <= laid.crossings
        assert f"{laid.crossings} arrow crossing" in "\n".join(check_printed(figure)).replace("\n", " ")


def test_demo_chart_names_what_the_chain_shows_not_who_the_parties_are(demo_trace):
    result, graph, _ = demo_trace
    texts = "\n".join(check_printed(entity_figure(entity_chart(graph, result.coinjoins, max_per_column=None), TITLE)))
    assert "Northwind Exchange" in texts and "Paid the seed" in texts and "CoinJoin" in texts
    assert "Seed (trace start)" in texts and "50.75193696 BTC" in texts, "the money leaving the seed's cluster"
    assert "Victim" not in texts and "Extortionist" not in texts, "no role the chain does not show"
    assert "not to be added to any total" in texts.replace("\n", " ")


def test_without_the_engine_the_chart_falls_back_to_columns_and_says_so(demo_trace, monkeypatch):
    monkeypatch.setattr(entity_chart_module, "engine_available", lambda: False)
    result, graph, _ = demo_trace
    texts = check_printed(entity_figure(entity_chart(graph, result.coinjoins, max_per_column=None), TITLE), False)
    assert "layout engine (pygraphviz) is not installed" in " ".join(texts).replace("\n", " ")
    assert "Paid the seed" in texts and "Seed" in texts


@pytest.mark.parametrize("first, last, text", [
    (1713744686, 1713744686, "22 Apr 2024"), (1713744686, 1714004403, "22–25 Apr 2024"),
    (1714435200, 1714608000, "30 Apr–2 May 2024"), (1703980800, 1704153600, "31 Dec 2023–\n2 Jan 2024"),
    (None, None, "unconfirmed")])
def test_date_ranges_are_short_and_unambiguous(first, last, text):
    assert date_range(first, last) == text


def test_two_transfers_are_never_read_as_twice_the_amount():
    several = EntityFlow("a", "b", sats=1_250_000_000, transfers=3, first=1713744686, last=1714004403)
    assert flow_text(several) == "3 transfers, 12.5 BTC in total\n22–25 Apr 2024"
    assert flow_text(several, narrow=True) == "3 transfers\n12.5 BTC in total\n22–25 Apr 2024"
    one = EntityFlow("a", "b", sats=7_500_030_000, transfers=1, first=1620493977, last=1620493977)
    assert flow_text(one) == "1 transfer, 75.0003 BTC\n8 May 2021"
