"""Draw the entity-level flow (:mod:`btctrace.exports.charts.entity_flow`): the report's main
figure.

Labelled boxes in four columns (victims, extortionist, the hops between: wallets, intermediary
addresses and CoinJoins, and where the money ended), and one arrow per pair of entities with
what it stands for: "3 transfers, 12.5 BTC, 22–25 Apr 2024". Drawn at print size
(:mod:`btctrace.exports.charts.styles`): every text is at least :data:`MIN_FONT_PT` points on an
A4 or Letter page, and no two texts overprint (:mod:`btctrace.exports.charts.label_layout`).
Deterministic: same chart, same bytes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from btctrace.exports.charts.entity_flow import ENTITY_KINDS, Entity, EntityChart, EntityFlow, entity_weights
from btctrace.exports.charts.label_layout import LabelPlacer
from btctrace.exports.charts.styles import FONT, PRINT_WIDTH_IN, save_figure, short_btc, shorten_words, wrap_words
from btctrace.notes import Note

__all__ = ["MIN_FONT_PT", "ENTITY_CHART_HEIGHT_IN", "date_range", "flow_text", "note_marks", "entity_figure",
           "draw_entity_flow"]

MIN_FONT_PT = 7.0
ENTITY_CHART_HEIGHT_IN = 8.2
_BOX_PT, _EDGE_PT, _TITLE_PT = 7.5, 7.0, 9.0
_COLUMNS = 4
_BOX_WIDTH = 0.5  # of a column
_WRAP = 16
_FOOTNOTES = 5
_DPI = 150


def date_range(first: int | None, last: int | None) -> str:
    """UTC dates, short and unambiguous: "22 Apr 2024", "22–25 Apr 2024", "30 Apr–2 May 2024"."""
    if first is None or last is None:
        return "unconfirmed"
    a, b = (datetime.fromtimestamp(t, tz=timezone.utc) for t in (first, last))
    if a.date() == b.date():
        return f"{a.day} {a:%b %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b}–{b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y}–\n{b.day} {b:%b %Y}"


def flow_text(flow: EntityFlow) -> str:
    """"3 transfers", "12.5 BTC" and the UTC date range, one per line (they fit between columns)."""
    count = "1 transfer" if flow.transfers == 1 else f"{flow.transfers} transfers"
    return f"{count}\n{short_btc(flow.sats)}\n{date_range(flow.first, flow.last)}"


def _box_text(entity: Entity, marks: list[str]) -> str:
    lines = [ENTITY_KINDS[entity.kind][1], wrap_words(entity.short_name, _WRAP, lines=2)]
    if entity.detail():
        lines.append(shorten_words(entity.detail(), _WRAP + 8))
    if marks:
        lines.append(shorten_words("analyst's note " + " ".join(marks), _WRAP + 8))
    return "\n".join(lines)


def note_marks(chart: EntityChart, notes: list[Note]) -> dict[str, list[tuple[str, Note]]]:
    """Entity id -> its analyst's notes, each with its mark ("A1", "A2"...): a note on an
    address, a transaction or the entity itself belongs to the box that holds it."""
    marks: dict[str, list[tuple[str, Note]]] = {}
    number = 0
    for note in notes:
        for entity in sorted(chart.entities.values(), key=lambda e: e.id):
            if note.subject == entity.id or note.subject in entity.addresses or note.subject in entity.txids:
                number += 1
                marks.setdefault(entity.id, []).append((f"A{number}", note))
                break
    return marks


def _positions(chart: EntityChart) -> dict[str, tuple[float, float]]:
    """Column by kind; the first column heaviest first from the top, each later one ordered by
    the mean height of what pays into it (fewer crossings), then by weight; spread evenly."""
    weight = entity_weights(chart)
    payers: dict[str, list[str]] = {}
    for flow in chart.flows.values():
        payers.setdefault(flow.target, []).append(flow.source)
    columns: dict[int, list[Entity]] = {}
    for entity in chart.entities.values():
        columns.setdefault(entity.column, []).append(entity)
    positions: dict[str, tuple[float, float]] = {}
    for column in sorted(columns):
        members = columns[column]

        def key(entity: Entity) -> tuple[float, int, str]:
            heights = [positions[p][1] for p in payers.get(entity.id, []) if p in positions]
            return (-sum(heights) / len(heights) if heights else 0.0, -weight.get(entity.id, 0), entity.id)
        members.sort(key=key)
        for row, entity in enumerate(members):
            positions[entity.id] = (column + 0.5, 1 - (row + 0.5) / len(members))
    return positions


def _draw_boxes(axes, chart: EntityChart, positions, placer: LabelPlacer,
                marks: dict[str, list[tuple[str, Note]]]) -> dict[str, object]:
    from matplotlib.patches import FancyBboxPatch

    patches = {}
    for entity_id in sorted(positions):
        entity = chart.entities[entity_id]
        x, y = positions[entity_id]
        noted = marks.get(entity_id, [])
        text = axes.text(x, y, _box_text(entity, [m for m, _ in noted]), fontsize=_BOX_PT, ha="center",
                         va="center", zorder=4,
                         linespacing=1.15)
        box = text.get_window_extent(placer.renderer).expanded(1.0, 1.0).padded(6)
        (x0, y0), (x1, y1) = axes.transData.inverted().transform([(box.x0, box.y0), (box.x1, box.y1)])
        half = _BOX_WIDTH / 2
        patch = FancyBboxPatch((min(x0, x - half), y0), max(x1 - x0, 2 * half), y1 - y0,
                               boxstyle="round,pad=0,rounding_size=0.02", facecolor=ENTITY_KINDS[entity.kind][2],
                               edgecolor=noted[0][1].colour if noted else "#333333",
                               linewidth=2.2 if noted else 0.7, zorder=3)
        axes.add_patch(patch)
        placer.block(patch.get_window_extent(placer.renderer))
        patches[entity_id] = patch
    return patches


def _draw_flows(axes, chart: EntityChart, positions, patches, placer: LabelPlacer) -> list[str]:
    """One arrow per flow, width by amount; its text on the arrow, or where there is no room, a
    numbered mark on the arrow and the text in the returned footnotes."""
    from matplotlib.patches import FancyArrowPatch

    footnotes: list[str] = []
    ordered = sorted(chart.flows.values(), key=lambda f: (-f.sats, f.source, f.target))
    pairs = set(chart.flows)
    for flow in ordered:
        (x0, y0), (x1, y1) = positions[flow.source], positions[flow.target]
        backward = x1 <= x0 or (flow.target, flow.source) in pairs
        bend = 0.3 if backward else 0.0
        arrow = FancyArrowPatch(posA=(x0, y0), posB=(x1, y1), patchA=patches[flow.source], patchB=patches[flow.target],
                                arrowstyle="-|>", mutation_scale=9, color="#444444",
                                linewidth=0.6 + 2.4 * (flow.sats / max(f.sats for f in ordered)),
                                connectionstyle=f"arc3,rad={bend}", zorder=2)
        axes.add_patch(arrow)
        style = {"fontsize": _EDGE_PT, "ha": "center", "va": "center", "zorder": 5,
                 "bbox": {"facecolor": "white", "edgecolor": "#999999", "pad": 1.2, "linewidth": 0.3}}
        if placer.along(axes, (x0, y0), (x1, y1), flow_text(flow), bend, **style) is None:
            mark = f"[{len(footnotes) + 1}]"
            placer.left_out -= placer.along(axes, (x0, y0), (x1, y1), mark, bend, **style) is not None
            footnotes.append(f"{mark} {flow_text(flow).replace(chr(10), ', ')}: "  # amounts first: never cut
                             f"{_name(chart, flow.source)} → {_name(chart, flow.target)}")
    return footnotes


def _name(chart: EntityChart, entity_id: str) -> str:
    entity = chart.entities[entity_id]
    return f"{ENTITY_KINDS[entity.kind][1]} {entity.short_name}"


def entity_figure(chart: EntityChart, title: str, analyst_notes: list[Note] = ()):
    """The chart as a matplotlib figure (:data:`PRINT_WIDTH_IN` × :data:`ENTITY_CHART_HEIGHT_IN`)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PRINT_WIDTH_IN, ENTITY_CHART_HEIGHT_IN), dpi=_DPI)
    placer = LabelPlacer(figure)
    axes = figure.add_axes((0.01, 0.15, 0.98, 0.73))
    axes.set_axis_off()
    axes.set_xlim(0, _COLUMNS)
    axes.set_ylim(0, 1)
    placer.fixed(figure.text(0.01, 0.99, wrap_words(title, 95), fontsize=_TITLE_PT, va="top"))
    heads = ["Victims", "Extortionist", "Hops: wallets,\nCoinJoins", "Where it ended"]
    for column, head in enumerate(heads):
        placer.fixed(axes.text(column + 0.5, 1.02, head, fontsize=_BOX_PT, ha="center", va="bottom",
                               color="#555555", fontweight="bold"))
    positions = _positions(chart)
    marks = note_marks(chart, list(analyst_notes))
    patches = _draw_boxes(axes, chart, positions, placer, marks)
    footnotes = _draw_flows(axes, chart, positions, patches, placer)
    notes = ["Amounts are the BTC that moved between the boxes (all outputs, not taint); entity_flows.csv lists "
             "every arrow with its txids.", *chart.notes]
    if placer.left_out:
        notes.append(f"{placer.left_out} flow(s) without a mark for lack of room: see entity_flows.csv.")
    lines = [wrap_words(" ".join(notes), 125, lines=4)]
    lines += [shorten_words(f"[{mark}] Analyst's note (their words, not the tool's): {note.text}", 125)
              for marked in marks.values() for mark, note in marked]
    lines += [shorten_words(f, 125) for f in footnotes[:_FOOTNOTES]]
    if len(footnotes) > _FOOTNOTES:
        lines.append(f"[{_FOOTNOTES + 1}]–[{len(footnotes)}]: see entity_flows.csv (heaviest first).")
    figure.text(0.01, 0.008, "\n".join(lines), fontsize=MIN_FONT_PT, va="bottom", color="#333333")
    return figure


def draw_entity_flow(chart: EntityChart, title: str, paths: list[Path], analyst_notes: list[Note] = ()) -> None:
    """Draw once, save to each of *paths* (format by suffix), same bytes for the same chart."""
    import matplotlib

    with matplotlib.rc_context({"font.family": FONT}):
        save_figure(entity_figure(chart, title, analyst_notes), paths, tight=False)
