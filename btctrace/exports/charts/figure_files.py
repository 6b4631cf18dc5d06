"""Saving multi-page charts: one PDF page per figure, the pages one below the other in one
SVG (each page a nested ``<svg>`` after a ``<!-- page N -->`` comment, so the report can embed
them page by page) and in one PNG. Fixed hash salt and no dates: same figures, same bytes."""

from __future__ import annotations

from pathlib import Path

from btctrace.exports.writing.safe_text import chart_text

__all__ = ["figure_svg", "printable", "stacked_svg", "svg_pages", "save_pdf_pages", "save_stacked_png"]


def printable(figure):
    """*figure* with every text it draws as :func:`chart_text` has it (the one place chart text
    is made safe to draw, whatever chart made it); the figure itself, for chaining."""
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        shown = text.get_text()
        if shown and not (shown.isascii() and shown.isprintable()):
            text.set_text(chart_text(shown))
    return figure


def figure_svg(figure) -> str:
    """One figure as SVG text (fixed hash salt, no date)."""
    import io

    import matplotlib

    printable(figure)

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "btctrace", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def stacked_svg(pages: list[str]) -> str:
    """Several SVG documents one below the other in one SVG (each page keeps its own size and
    follows a ``<!-- page N -->`` comment; :func:`svg_pages` splits them again)."""
    import re

    bodies, widths, heights = [], [], []
    for page in pages:
        page = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", page)
        size = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', page)
        width, height = float(size.group(1)), float(size.group(2))
        bodies.append(f"<!-- page {len(bodies) + 1} -->\n" + page.replace("<svg ", f'<svg y="{sum(heights)}" ', 1))
        widths.append(width)
        heights.append(height)
    total = sum(heights)
    return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{max(widths)}pt" height="{total}pt" viewBox="0 0 {max(widths)} {total}" version="1.1">\n'
            + "\n".join(bodies) + "\n</svg>\n")


def svg_pages(stacked: str) -> list[str]:
    """The pages of a :func:`stacked_svg` document, each a standalone ``<svg>`` element."""
    import re

    parts = re.split(r"<!-- page \d+ -->\n", stacked)[1:]
    pages = [re.sub(r'^<svg y="[\d.]+" ', "<svg ", part) for part in parts]
    if pages:
        pages[-1] = pages[-1].rsplit("</svg>", 1)[0]  # the outer document's closing tag
    return [page.strip() for page in pages]


def save_pdf_pages(figures: list, path: Path) -> None:
    """One PDF page per figure, with no dates in the metadata (same chart, same bytes)."""
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path, metadata={"CreationDate": None, "ModDate": None}) as pdf:
        for figure in figures:
            pdf.savefig(printable(figure))


def save_stacked_png(figures: list, path: Path) -> None:
    """The pages one below the other in one PNG, at 100 dpi (no metadata: same bytes); each
    figure's own dpi is restored."""
    import numpy as np
    from PIL import Image

    images = []
    for figure in figures:
        printable(figure)
        dpi = figure.get_dpi()
        figure.set_dpi(100)
        figure.canvas.draw()
        images.append(np.asarray(figure.canvas.buffer_rgba())[:, :, :3])
        figure.set_dpi(dpi)
    Image.fromarray(np.vstack(images)).save(path, format="png", optimize=False)
