"""The address-level chart, in printed pages: text never below 6 pt at print size, no two texts
overprinting (measured with matplotlib's own text extents), parallel transfers on one arrow,
pages that fit A4 and Letter, and the same pages in flow.pdf, flow.svg and flow.png."""

import re

import pytest

from btctrace.exports.charts.figure_files import svg_pages
from btctrace.exports.charts.flow import MIN_FONT_PT, draw_flow, draw_flow_pages
from btctrace.exports.charts.label_layout import overlapping_pairs, text_boxes
from btctrace.exports.charts.styles import PRINT_HEIGHT_IN, PRINT_WIDTH_IN

TITLE = "demo-ransom: DemoLocker ransom (synthetic) [SYNTHETIC DATA]: forward trace from " + "bc1q" * 12


def _assert_printable(figures):
    for number, figure in enumerate(figures, 1):
        width, height = figure.get_size_inches()
        assert width <= PRINT_WIDTH_IN and height <= PRINT_HEIGHT_IN, "prints at 100 % on A4 and Letter"
        boxes = text_boxes(figure)
        assert boxes, f"page {number} has text"
        small = [(t, size) for t, size, _ in boxes if size < MIN_FONT_PT]
        assert small == [], f"page {number}: text below {MIN_FONT_PT} pt"
        assert overlapping_pairs(boxes) == [], f"page {number}: labels overprint"
        frame = figure.bbox
        outside = [t for t, _, box in boxes if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y1 > frame.y1]
        assert outside == [], f"page {number}: text cut at the edge"


def test_demo_pages_are_legible_with_no_overlap(demo_trace):
    _, graph, _ = demo_trace
    figures = draw_flow_pages(graph, TITLE)
    assert len(figures) == 5, "15 hop ranks of 3 per page"
    _assert_printable(figures)


def test_thousand_transaction_pages_are_legible_with_no_overlap(thousand_trace):
    result, graph, analysis = thousand_trace
    figures = draw_flow_pages(graph, TITLE, coinjoins=frozenset(result.coinjoins))
    _assert_printable(figures)


def test_parallel_transfers_share_one_arrow_and_one_summed_label(demo_trace, demo):
    _, graph, _ = demo_trace
    figure = draw_flow_pages(graph, TITLE)[0]
    texts = [t for t, _, _ in text_boxes(figure)]
    assert "5× 50.752 BTC" in texts, "the seed's five payments into one transaction: one label, summed"


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

