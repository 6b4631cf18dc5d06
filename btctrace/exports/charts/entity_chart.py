"""Draw the entity-level flow (:mod:`btctrace.exports.charts.entity_flow`): the report's main
figure.

Labelled boxes (who paid the seed, the seed, the wallets, intermediary addresses and CoinJoins
between, and where the money ended) and one arrow per pair of entities with what it stands for:
"3 transfers, 12.5 BTC in total, 22–25 Apr 2024". Laid out by Graphviz ``dot``
(:mod:`btctrace.exports.charts.entity_layered`): layered along the flow, crossings minimised,
every label on its own arrow; without the engine, in columns by kind
(:mod:`btctrace.exports.charts.entity_columns`), and the chart says so. Drawn at print size
(:mod:`btctrace.exports.charts.styles`): every text is at least :data:`MIN_FONT_PT` points on
an A4 or Letter page, and no two texts overprint. Deterministic: same chart, same bytes.
"""

from __future__ import annotations

from pathlib import Path

from btctrace.exports.charts.entity_columns import draw_columns
from btctrace.exports.charts.entity_flow import EntityChart, fold_entities, internal_note
from btctrace.exports.charts.entity_layered import draw_laid_out, lay_out_entities
from btctrace.exports.charts.entity_text import date_range, flow_text, note_marks
from btctrace.exports.charts.label_layout import LabelPlacer
from btctrace.exports.charts.layered import ENGINE, engine_available
from btctrace.exports.charts.layered_drawing import Fitted, layout_axes, layout_words
from btctrace.exports.charts.styles import FONT, PRINT_WIDTH_IN, save_figure, shorten_words, wrap_words
from btctrace.notes import Note

__all__ = ["MIN_FONT_PT", "ENTITY_CHART_HEIGHT_IN", "date_range", "flow_text", "note_marks", "fit_chart",
           "entity_figure", "draw_entity_flow"]

MIN_FONT_PT = 7.0
ENTITY_CHART_HEIGHT_IN = 8.2
_BOX_PT, _EDGE_PT, _TITLE_PT = 8.0, 7.5, 9.0  # shrunk to fit down to MIN_FONT_PT
_FOLD_STEPS = (7, 5, 4, 3, 2)  # boxes kept per kind before the rest are folded, while the chart does not fit
_CHART = (0.01, 0.10, 0.98, 0.825)  # the chart's area on the figure (left, bottom, width, height)
_COLUMN_CHART = (0.01, 0.15, 0.98, 0.73)  # the fallback's: its columns have their heads above
_FOOTNOTES = 5
_DPI = 150


def fit_chart(figure, chart: EntityChart, marks: dict) -> tuple[EntityChart, Fitted]:
    """The chart as drawn on *figure*: laid out by the engine, with more boxes folded while it
    would print its text below :data:`MIN_FONT_PT` (sums kept), and its layout."""
    _, _, width, height = _CHART
    page_w, page_h = (v * 72 for v in figure.get_size_inches())
    for limit in _FOLD_STEPS:
        drawn = fold_entities(chart, limit)
        laid = lay_out_entities(figure, drawn, marks, (_BOX_PT, _EDGE_PT), (page_w * width, page_h * height))
        if laid.scale * _EDGE_PT >= MIN_FONT_PT:
            break
    return drawn, laid


def _engine_chart(figure, chart: EntityChart, marks: dict) -> tuple[EntityChart, list[str], float]:
    """Fit (:func:`fit_chart`) and draw; the chart drawn, the notes it adds and where it ends
    (a fraction of the figure's height: the notes follow right below)."""
    drawn, laid = fit_chart(figure, chart, marks)
    axes, scale = layout_axes(figure, laid, _CHART, MIN_FONT_PT / _EDGE_PT)
    draw_laid_out(axes, drawn, laid, marks, (_BOX_PT * scale, _EDGE_PT * scale))
    return drawn, [f"Laid out by {ENGINE} (layered, crossings minimised): {layout_words(laid)}."], \
        axes.get_position().y0


def entity_figure(chart: EntityChart, title: str, analyst_notes: list[Note] = ()):
    """The chart as a matplotlib figure (:data:`PRINT_WIDTH_IN` × :data:`ENTITY_CHART_HEIGHT_IN`)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PRINT_WIDTH_IN, ENTITY_CHART_HEIGHT_IN), dpi=_DPI)
    placer = LabelPlacer(figure)
    placer.fixed(figure.text(0.01, 0.99, wrap_words(title, 95), fontsize=_TITLE_PT, va="top"))
    marks = note_marks(chart, list(analyst_notes))
    footnotes: list[str] = []
    engine_notes: list[str] = []
    chart_bottom = None
    if engine_available():
        chart, engine_notes, chart_bottom = _engine_chart(figure, chart, marks)
    else:
        chart = fold_entities(chart, _FOLD_STEPS[0])
        axes = figure.add_axes(_COLUMN_CHART)
        axes.set_axis_off()
        footnotes = draw_columns(axes, chart, placer, marks)
        engine_notes.append("Laid out in columns by kind: the layout engine (pygraphviz) is not installed.")
        if placer.left_out:
            engine_notes.append(f"{placer.left_out} flow(s) without a mark for lack of room: see entity_flows.csv.")
    notes = ["Amounts are the BTC that moved between the boxes (all outputs, not taint); entity_flows.csv lists "
             "every arrow with its txids.", *chart.notes, internal_note(chart), *engine_notes]
    lines = [wrap_words(" ".join(n for n in notes if n), 125, lines=6)]
    lines += [shorten_words(f"[{mark}] Analyst's note (their words, not the tool's): {note.text}", 125)
              for marked in marks.values() for mark, note in marked]
    lines += [shorten_words(f, 125) for f in footnotes[:_FOOTNOTES]]
    if len(footnotes) > _FOOTNOTES:
        lines.append(f"[{_FOOTNOTES + 1}]–[{len(footnotes)}]: see entity_flows.csv (heaviest first).")
    if chart_bottom is None:
        figure.text(0.01, 0.008, "\n".join(lines), fontsize=MIN_FONT_PT, va="bottom", color="#333333")
    else:  # right below the chart, however short it is
        figure.text(0.01, chart_bottom - 0.02, "\n".join(lines), fontsize=MIN_FONT_PT, va="top", color="#333333")
    return figure


def draw_entity_flow(chart: EntityChart, title: str, paths: list[Path], analyst_notes: list[Note] = ()) -> None:
    """Draw once, save to each of *paths* (format by suffix), same bytes for the same chart."""
    import matplotlib

    with matplotlib.rc_context({"font.family": FONT}):
        save_figure(entity_figure(chart, title, analyst_notes), paths, tight=True)  # the page's empty foot cropped
