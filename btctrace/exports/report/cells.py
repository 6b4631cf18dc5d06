"""The report's table cells, one rule per kind of content: a number right-aligned and never
broken, a txid or address in monospace and never broken, a UTC time on one line, other text
escaped with the identifiers inside it marked; and the two table shapes the report uses."""

from __future__ import annotations

import re
from typing import Any, Iterable

from btctrace.exports.writing.safe_text import html_text as _e

__all__ = ["Markup", "cell", "table", "paired_table"]

_IDENTIFIER = re.compile(r"[0-9a-f]{64}(:\d+)?|(bc1|tb1|bcrt1)[0-9a-z]{8,90}|[123mn][1-9A-HJ-NP-Za-km-z]{25,34}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z?")


class Markup(str):
    """Cell content already rendered as HTML by this module (never data that was not escaped)."""


def _inline(text: str) -> str:
    """Escaped text with each txid or address inside it in monospace, breakable only inside,
    and each UTC time kept on one line."""
    marked = _IDENTIFIER.sub(lambda m: f'<span class="id">{m.group(0)}</span>', _e(text))
    return _TIME.sub(lambda m: f'<span class="t">{m.group(0)}</span>', marked)


def cell(value: Any, numeric: bool, span: int = 1) -> str:
    """One cell, classed by what it holds: a number (right, never broken), a txid or address
    (monospace, broken only inside it: two lines at most), a UTC time (never broken), or text
    (broken between words; identifiers inside it as above)."""
    spanned = f' colspan="{span}"' if span > 1 else ""
    if isinstance(value, Markup):
        return f"<td{spanned}>{value}</td>"
    text = "" if value is None else str(value)
    kind = "n" if numeric else "id" if _IDENTIFIER.fullmatch(text) else "t" if _TIME.fullmatch(text) else ""
    return f'<td class="{kind}"{spanned}>{_e(text)}</td>' if kind else f"<td{spanned}>{_inline(text)}</td>"


def table(headers: list[str], rows: Iterable[Iterable[Any]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(c, i in numeric) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def paired_table(headers: list[str], rows: list[tuple[list[Any], set[int], Markup]]) -> str:
    """Two table rows per item: its short fields, then a full-width row with its identifiers
    whole (so no column has to hold a 64-character txid)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for cells, numeric, detail in rows:
        body.append("<tr>" + "".join(cell(c, i in numeric) for i, c in enumerate(cells)) + "</tr>")
        body.append(f'<tr class="detail">{cell(detail, False, len(headers))}</tr>')
    return f'<table class="packet"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
