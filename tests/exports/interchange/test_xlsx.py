"""link_table.xlsx in its real readers (openpyxl, pandas): both sheets, amounts as numbers and
UTC dates as dates, header frozen, autofilter, column widths."""

import pandas as pd
import pytest

from btctrace.exports.interchange.link_table import ENTITY_COLUMNS, LINK_COLUMNS


def test_xlsx_opens_with_openpyxl(written):
    openpyxl = pytest.importorskip("openpyxl")
    folder, _, graph = written
    book = openpyxl.load_workbook(folder / "link_table.xlsx", read_only=True)
    assert book.sheetnames == ["links", "entities"]
    rows = list(book["links"].iter_rows(values_only=True))
    assert list(rows[0]) == LINK_COLUMNS and len(rows) - 1 == graph.number_of_edges()
    assert list(next(book["entities"].iter_rows(values_only=True))) == ENTITY_COLUMNS


def test_xlsx_amounts_are_numbers_and_dates_are_dates_that_sum_and_sort(written):
    import datetime

    openpyxl = pytest.importorskip("openpyxl")
    folder, _, graph = written
    book = openpyxl.load_workbook(folder / "link_table.xlsx")
    links = book["links"]
    header = [c.value for c in links[1]]
    column = {name: header.index(name) for name in header}
    rows = [[c.value for c in row] for row in links.iter_rows(min_row=2)]
    assert all(isinstance(r[column["Amount_sats"]], int) for r in rows)
    assert all(isinstance(r[column["Amount_BTC"]], float) for r in rows)
    assert sum(r[column["Amount_sats"]] for r in rows) == sum(d["value"] for _, _, d in graph.edges(data=True))
    csv = pd.read_csv(folder / "link_table.csv", dtype=str)
    for row, (_, text) in zip(rows, csv.iterrows()):
        assert row[column["Date_UTC"]] == datetime.datetime.fromisoformat(text["Date_UTC"])
        assert row[column["Time_UTC"]] == datetime.time.fromisoformat(text["Time_UTC"])
        assert row[column["TxID"]] == text["TxID"], "text stays text"
    assert links["B2"].number_format == "General" and links["J2"].number_format == "0.00000000"
    assert links.freeze_panes == "A2" and links.auto_filter.ref == f"A1:Q{len(rows) + 1}"
    assert all(links.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJKLMNOPQ")
    assert links.column_dimensions["M"].width >= 64, "a txid column is wide enough for a txid"
    entities = book["entities"]
    first_seen = [r[6].value for r in entities.iter_rows(min_row=2) if r[6].value is not None]
    assert first_seen and all(isinstance(v, datetime.datetime) for v in first_seen)
    typed = pd.read_excel(folder / "link_table.xlsx", sheet_name="links")
    assert typed["Amount_BTC"].dtype.kind == "f" and typed["Date_UTC"].dtype.kind == "M"
