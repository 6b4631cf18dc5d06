"""One rule per output format for text that comes from outside (TagPack labels, case titles,
explorer strings), used by every exporter:

- **spreadsheets** (CSV, XLSX): a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return is prefixed with ``'`` so Excel and Calc show it instead of evaluating it
  (OWASP, "CSV Injection"); numbers, and text that is a plain number, stay as they are; a
  carriage return inside a cell becomes a newline (which the CSV writer quotes; a bare one
  would end the row for every reader); a bidirectional override or isolate (U+202A-U+202E,
  U+2066-U+2069) is written as its code point, ``[U+202E]``, so a cell cannot show its text
  reversed (Boucher & Anderson, "Trojan Source", 2021);
- **XML** (GraphML, GEXF, SVG, XLSX parts, DOT labels that Graphviz turns into SVG): characters
  XML 1.0 forbids (C0 controls but tab, newline and carriage return; lone surrogates;
  U+FFFE/U+FFFF) become U+FFFD, so Gephi, yEd, NetworkX and browsers can read the file;
- **charts**: drawn literally, matplotlib's ``$...$`` math parsing off (:data:`CHART_RC`); control
  characters shown as U+FFFD and invisible format characters (bidi marks, zero widths, BOM)
  left out (:func:`chart_text`, applied to every text of a figure as it is saved): the fonts have
  no glyph for them, and matplotlib's PDF writer fails on some (issue 32);
- **HTML**: escaped, XML-forbidden characters replaced.

Long lists (the seeds of a case with a thousand victims) are shortened for titles and summaries by
:func:`summarise`.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "CHART_RC", "chart_text", "spreadsheet_text", "spreadsheet_frame", "xml_text", "xml_attribute",
           "xml_escaped", "dot_string", "json_in_html", "html_text", "summarise"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHART_RC = {"text.parse_math": False}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# ... and U+FEFF, which XML allows but matplotlib's PDF writer cannot place (IndexError in
# track_glyph: a title holding one killed the flow chart; issue 32): a byte-order mark inside a
# label carries nothing a reader could see
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufeff\ufffe\uffff]")
# What xml_attribute / xml_escaped must treat: markup, quotes, controls, what XML forbids.
_XML_NEEDS_CARE = re.compile("[&<>\"'\x00-\x1f\ud800-\udfff\ufffe\uffff]")


_CHART_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CHART_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def chart_text(value: Any) -> str:
    """Text as a chart draws it: controls as U+FFFD, invisible format characters left out."""
    text = str(value)
    if text.isascii() and text.isprintable():
        return text
    return _CHART_INVISIBLE.sub("", _CHART_CONTROL.sub("\ufffd", text))


def spreadsheet_text(value: Any) -> Any:
    """*value* as a spreadsheet may show it without evaluating it (see the module docstring)."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", value) if _BIDI.search(value) else value


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every text cell neutralised (a copy only where a cell needs it)."""
    changed = None
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        try:
            risky = values.str.startswith(FORMULA_PREFIXES, na=False) | values.str.contains("\r", na=False, regex=False) \
                | values.str.contains(_BIDI, na=False)
        except AttributeError:  # no text in this column
            continue
        if risky.any():
            changed = frame.copy() if changed is None else changed
            changed[column] = values.map(spreadsheet_text)
    return frame if changed is None else changed


def xml_text(value: Any) -> str:
    """``str(value)`` without the characters XML 1.0 forbids (each becomes U+FFFD)."""
    return _XML_FORBIDDEN.sub("\ufffd", str(value))


def xml_attribute(value: Any) -> str:
    """``quoteattr(xml_text(value))``: a quoted XML attribute value, the same bytes, without
    the two passes for the text (nearly all of it: ids, amounts, names) that needs neither."""
    text = str(value)
    if _XML_NEEDS_CARE.search(text) is None:
        return f'"{text}"'
    return quoteattr(xml_text(text))


def xml_escaped(value: Any) -> str:
    """``escape(xml_text(value))``: XML element text, the same bytes (see :func:`xml_attribute`)."""
    text = str(value)
    if _XML_NEEDS_CARE.search(text) is None:
        return text
    return escape(xml_text(text))


def dot_string(value: Any) -> str:
    """A Graphviz DOT quoted string: backslashes, quotes and newlines escaped, XML-forbidden
    characters replaced (Graphviz writes labels into SVG)."""
    text = xml_text(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


def json_in_html(json_text: str) -> str:
    """JSON text made safe inside an HTML ``<script>`` element: every ``<`` written as the JSON
    escape ``\\u003c``. ``<`` can only stand inside a JSON string, where the escape means the same
    character, so the result is always valid JSON with the same value, and neither ``</script``
    nor ``<!--`` can appear in it (the old ``<\\!--`` was not valid JSON: a label holding
    ``<!--`` left explorer.html blank; issue 32)."""
    return json_text.replace("<", "\\u003c")


def html_text(value: Any) -> str:
    return html.escape(xml_text(value), quote=True)


def summarise(items: Iterable[Any], noun: str, shown: int = 3) -> str:
    """``"bc1q…"`` for one item; ``"1,000 seeds: a, b, c and 997 more"`` for many."""
    texts = [str(item) for item in items]
    if len(texts) <= shown + 1:
        return ", ".join(texts)
    return f"{len(texts):,} {noun}: {', '.join(texts[:shown])} and {len(texts) - shown:,} more"
