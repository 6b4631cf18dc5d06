"""What the entity chart's boxes and arrows say, whichever layout draws them.

A box: what the entity is (its kind, in the chain's words: "Paid the seed", "Seed (trace
start)", "Exchange/service"...), its name (tag label, cluster or address as head…tail, never
broken), how many addresses, what the case file says of it, a sanctions marker, and the
analyst's note marks. An arrow: "2 transfers, 75.0005 BTC in total" and the UTC dates, so two
transfers are never read as twice the amount.
"""

from __future__ import annotations

from datetime import datetime, timezone

from btctrace.exports.charts.entity_flow import ENTITY_KINDS, Entity, EntityChart, EntityFlow
from btctrace.exports.charts.styles import short_btc, shorten_words, wrap_words
from btctrace.notes import Note

__all__ = ["SANCTIONS_MARK", "box_text", "date_range", "entity_name", "flow_text", "note_marks"]

SANCTIONS_MARK = "ON A SANCTIONS LIST"
_WRAP = 18


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


def flow_text(flow: EntityFlow, narrow: bool = False) -> str:
    """"1 transfer, 12.5 BTC" or "3 transfers, 12.5 BTC in total", then the UTC date range on a
    line of its own (two transfers are never read as twice the amount); *narrow*: the count and
    the amount on lines of their own too (for charts whose labels sit side by side)."""
    amount = short_btc(flow.sats)
    count = f"1 transfer, {amount}" if flow.transfers == 1 else f"{flow.transfers:,} transfers, {amount} in total"
    return f"{count.replace(', ', chr(10)) if narrow else count}\n{date_range(flow.first, flow.last)}"


def box_text(entity: Entity, marks: list[str]) -> str:
    """The lines of one box (see the module docstring)."""
    lines = [ENTITY_KINDS[entity.kind][1], wrap_words(entity.short_name, _WRAP, lines=2)]
    if entity.detail():
        lines.append(wrap_words(entity.detail(), _WRAP + 6, lines=2))
    if entity.case_role:
        lines.append(wrap_words(f"case file: held by {entity.case_role}", _WRAP + 6, lines=2))
    if entity.sanctioned:
        lines.append(SANCTIONS_MARK)
    if marks:
        lines.append(shorten_words("analyst's note " + " ".join(marks), _WRAP + 6))
    return "\n".join(lines)


def entity_name(chart: EntityChart, entity_id: str) -> str:
    entity = chart.entities[entity_id]
    return f"{ENTITY_KINDS[entity.kind][1]} {entity.short_name}"


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
