"""The address-level chart, in printed pages laid out by the layout engine: text never below 6 pt
at print size, no two texts overprinting and no arrow over a text (measured from matplotlib's
own extents), no more crossings than the engine's layout, parallel transfers on one arrow
worded as transfers (never "5×"), pages that fit A4 and Letter, the same pages in flow.pdf,
flow.svg and flow.png; without the engine, columns that say so."""

import re

import pytest

from btctrace.exports.charts.figure_files import svg_pages
from btctrace.exports.charts.flow import MIN_FONT_PT, draw_flow, draw_flow_pages
from btctrace.exports.charts.label_layout import overlapping_pairs, text_boxes
from btctrace.exports.charts import flow as flow_module
from btctrace.exports.charts.layered import engine_available
from btctrace.exports.charts.styles import PRINT_HEIGHT_IN, PRINT_WIDTH_IN
from tests.exports.charts.drawn import arrow_lines, crossings_drawn, texts_crossed_by

TITLE = "demo-ransom: DemoLocker ransom (synthetic) [SYNTHETIC DATA]: forward trace from " + "bc1q" * 12


needs_engine = pytest.mark.skipif(not engine_available(), reason="the layout engine (pygraphviz) is not installed")


def _assert_printable(figures, engine: bool = True):
    for number, figure in enumerate(figures, 1):
        width, height = figure.get_size_inches()
        assert width <= PRINT_WIDTH_IN and height <= PRINT_HEIGHT_IN, "prints at 100 % on A4 and Letter"
        boxes = text_boxes(figure)
        assert boxes, f"page {number} has text"
        small = [(t, size) for t, size, _ in boxes if size < MIN_FONT_PT]
        assert small == [], f"page {number}: text below {MIN_FONT_PT} pt"
        assert overlapping_pairs(boxes) == [], f"page {number}: labels overprint"
        if engine:
            assert texts_crossed_by(arrow_lines(figure), boxes) == [], f"page {number}: an arrow runs over a text"
            stated = re.search(r"(\d+) arrow crossings? on this page", " ".join(t for t, _, _ in boxes).replace("\n", " "))
            assert stated and crossings_drawn(figure) <= int(stated.group(1)), "no more crossings than the engine's"
        frame = figure.bbox
        outside = [t for t, _, box in boxes if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y1 > frame.y1]
        assert outside == [], f"page {number}: text cut at the edge"


@needs_engine
def test_demo_pages_are_legible_with_no_overlap(demo_trace):
    _, graph, _ = demo_trace
    figures = draw_flow_pages(graph, TITLE)
    assert 5 <= len(figures) <= 15, "15 hops, up to 3 a page as they fit"
    _assert_printable(figures)


def test_without_the_engine_the_pages_are_columns_and_say_so(demo_trace, monkeypatch):
    monkeypatch.setattr(flow_module, "engine_available", lambda: False)
    _, graph, _ = demo_trace
    figures = draw_flow_pages(graph, TITLE)
    assert len(figures) == 5, "15 hop ranks of 3 per page"
    _assert_printable(figures, engine=False)
    assert "layout engine (pygraphviz) is not installed" in " ".join(t for t, _, _ in text_boxes(figures[0]))


@needs_engine
def test_thousand_transaction_pages_are_legible_with_no_overlap(thousand_trace):
    result, graph, analysis = thousand_trace
    figures = draw_flow_pages(graph, TITLE, coinjoins=frozenset(result.coinjoins))
    _assert_printable(figures)


def test_parallel_transfers_share_one_arrow_and_one_summed_label(demo_trace, demo):
    _, graph, _ = demo_trace
    figure = draw_flow_pages(graph, TITLE)[0]
    texts = [t.replace("\n", ", ") for t, _, _ in text_boxes(figure)]
    assert "5 transfers, 50.752 in total" in texts, "the seed's five payments into one transaction: one label, summed"
    assert not any("×" in t for t in texts), "never '5× 50.752', which reads as five times the amount"


@pytest.fixture(scope="module")
def written(demo_trace, tmp_path_factory):
    _, graph, _ = demo_trace
    folder = tmp_path_factory.mktemp("flow")
    paths = [folder / "flow.svg", folder / "flow.png", folder / "flow.pdf"]
    pages = draw_flow(graph, TITLE, paths)
    return pages, paths


def test_pdf_svg_and_png_hold_the_same_pages(written):
    from PIL import Image

    pages, (svg, png, pdf) = written
    assert len(re.findall(rb"/Type /Page[^s]", pdf.read_bytes())) == pages
    assert len(svg_pages(svg.read_text())) == pages
    width, height = Image.open(png).size
    assert width == round(PRINT_WIDTH_IN * 100) and height == pages * round(PRINT_HEIGHT_IN * 100)


def test_svg_pages_are_standalone_svg_documents(written):
    import xml.etree.ElementTree as ET

    _, (svg, _, _) = written
    ET.fromstring(svg.read_text().split("?>", 1)[1])  # the whole file parses
    for page in svg_pages(svg.read_text()):
        assert ET.fromstring(page).tag.endswith("svg")

