"""A minimal XLSX writer: typed cells, one sheet per frame, fixed dates.

The link table of a 10,000-transaction trace is half a million cells; openpyxl and XlsxWriter
spend several seconds on them, cell object by cell object. A sheet is only XML, so it is
written here directly (ECMA-376 Part 1 SpreadsheetML, the parts Excel, LibreOffice, openpyxl and
pandas need: content types, relationships, workbook, a minimal style sheet, one worksheet per
sheet), with every zip entry and the document dates fixed: the bytes depend only on the data.

Columns named in *types* are written as numbers a spreadsheet can sum and sort: amounts in BTC
(shown with 8 decimals; the decimal text is written as it is, no float arithmetic here), USD,
integers, and UTC dates, times and date-times as spreadsheet serial numbers with a date format.
Every sheet has column widths, a frozen header row and an autofilter. Text cells are neutralised
as untrusted (:func:`btctrace.exports.writing.safe_text.spreadsheet_text`).
"""

from __future__ import annotations

import math
import re
import zipfile
from datetime import datetime, timezone
from decimal import Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from btctrace.exports.writing.atomic import write_atomically
from btctrace.exports.writing.safe_text import spreadsheet_text, xml_escaped, xml_text

__all__ = ["CELL_TYPES", "write_xlsx"]

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# type -> style index in styles.xml (cellXfs): 0 general, 1 BTC, 2 USD, 3 date, 4 time, 5 date-time, 6 header
CELL_TYPES = {"int": 0, "btc": 1, "usd": 2, "date": 3, "time": 4, "datetime": 5}
_HEADER_STYLE = 6
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_EPOCH_SERIAL_DAYS = 25569  # 1970-01-01 in the 1900 date system (Excel, LibreOffice)


@lru_cache(maxsize=1 << 16)
def _serial(text: str, kind: str) -> str | None:
    """A UTC date, time or ISO date-time as a spreadsheet serial number (days), exact to the second."""
    try:
        if kind == "time":
            hours, minutes, seconds = (int(x) for x in text.split(":"))
            seconds_of_day = hours * 3600 + minutes * 60 + seconds
            days = 0
        else:
            when = datetime.fromisoformat(text.replace("Z", "+00:00")) if kind == "datetime" else \
                datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
            unix = int(when.timestamp())
            days, seconds_of_day = divmod(unix, 86400)
            days += _EPOCH_SERIAL_DAYS
    except ValueError:
        return None
    if not seconds_of_day:
        return str(days)
    with localcontext() as context:
        context.prec = 17
        return str(Decimal(days) + Decimal(seconds_of_day) / Decimal(86400))


def _typed(reference: str, value: object, kind: str | None) -> str | None:
    """The cell for a typed column, or None when the value is not of that type (then text)."""
    if kind is None or value is None:
        return None
    text = str(value)
    if kind in {"date", "time", "datetime"}:
        number = _serial(text, kind)
    else:
        number = text if _NUMBER.fullmatch(text) else None
    return None if number is None else f'<c r="{reference}" s="{CELL_TYPES[kind]}"><v>{number}</v></c>'


def _cell(reference: str, value: object, kind: str | None = None, style: int = 0) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    typed = _typed(reference, value, kind)
    if typed is not None:
        return typed
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    text = _text_payload(str(value))
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


@lru_cache(maxsize=1 << 16)
def _text_payload(value: str) -> str:
    """A text cell's content: neutralised (untrusted), XML-safe. Labels, types and ids repeat
    row after row: each is prepared once."""
    return xml_escaped(spreadsheet_text(value))


def _widths(frame: pd.DataFrame) -> list[float]:
    """Column widths in characters: the longest of the header and the cells, within 8..64."""
    widths = []
    for column in frame.columns:
        values = frame[column].astype(str)
        longest = int(values.str.len().max()) if len(values) else 0
        widths.append(float(min(64, max(8, len(str(column)) + 3, longest + 2))))
    return widths


_ROWS_PER_CHUNK = 2000


def _sheet_chunks(frame: pd.DataFrame, types: dict[str, str]) -> Iterator[str]:
    """The worksheet XML, a few thousand rows at a time: a 100,000-transaction link table is a
    gigabyte of XML, streamed into the zip rather than built whole."""
    letters = [_column_letters(i) for i in range(len(frame.columns))]
    kinds = [types.get(str(c)) for c in frame.columns]
    header = "".join(_cell(f"{letter}1", str(c), style=_HEADER_STYLE) for letter, c in zip(letters, frame.columns))
    columns = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                      for i, w in enumerate(_widths(frame), 1))
    view = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>')
    yield f'{_XML}<worksheet xmlns="{_MAIN}">{view}<cols>{columns}</cols><sheetData><row r="1">{header}</row>'
    body: list[str] = []
    for number, row in enumerate(frame.astype(object).itertuples(index=False, name=None), 2):
        cells = "".join(_cell(f"{letter}{number}", value, kind) for letter, value, kind in zip(letters, row, kinds))
        body.append(f'<row r="{number}">{cells}</row>')
        if len(body) == _ROWS_PER_CHUNK:
            yield "".join(body)
            body = []
    yield "".join(body)
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    yield f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>'


def _filter_ranges(sheets: dict[str, pd.DataFrame]) -> str:
    """The hidden names Excel keeps for each sheet's autofilter range."""
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted_sheet(name))}!$A$1:${_column_letters(max(len(frame.columns), 1) - 1)}${len(frame) + 1}"
        "</definedName>" for i, (name, frame) in enumerate(sheets.items()))
    return f"<definedNames>{names}</definedNames>"


def _quoted_sheet(name: str) -> str:
    return "'" + xml_text(name).replace("'", "''") + "'"


def _parts(names: list[str], defined_names: str = "") -> dict[str, str]:
    sheets = "".join(f'<sheet name={quoteattr(xml_text(name))} sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1))
    relations = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                        for i in range(1, len(names) + 1))
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(names) + 1))
    styles_id = len(names) + 1
    return {
        "[Content_Types].xml": f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/'
        f'vnd.openxmlformats-package.core-properties+xml"/>{overrides}</Types>',
        "_rels/.rels": f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>',
        "docProps/core.xml": f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
        'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>btctrace</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>',
        "xl/workbook.xml": f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets>{defined_names}</workbook>',
        "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships xmlns="{_PKG_REL}">{relations}'
        f'<Relationship Id="rId{styles_id}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="4">'
        '<numFmt numFmtId="164" formatCode="0.00000000"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>'
        '<numFmt numFmtId="166" formatCode="hh:mm:ss"/><numFmt numFmtId="167" formatCode="yyyy-mm-dd hh:mm:ss"/>'
        '</numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
        'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
        '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    }


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path, types: dict[str, str] | None = None) -> None:
    """One worksheet per frame (header row, then the rows), named by the dict's keys; columns
    named in *types* (column -> a :data:`CELL_TYPES` key) are written as numbers or dates."""
    parts: dict[str, Callable[[], Iterable[str]]] = {
        name: (lambda text=text: (text,)) for name, text in _parts(list(sheets), _filter_ranges(sheets)).items()}
    parts.update({f"xl/worksheets/sheet{i}.xml": (lambda frame=frame: _sheet_chunks(frame, types or {}))
                  for i, frame in enumerate(sheets.values(), 1)})

    def write(temporary: Path) -> None:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
            for name in sorted(parts):
                entry = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with target.open(entry, "w") as stream:
                    for chunk in parts[name]():
                        stream.write(chunk.encode("utf-8"))
    write_atomically(path, write)
