"""The investigator's own daily USD prices: a second opinion on the explorer's.

A CSV file with a header ``date,usd`` and one row per UTC day (``2021-05-08,57354.20``), for
instance a published daily reference rate the case already relies on. btctrace never fetches
it: the investigator supplies it (``--price-table``), and its SHA-256 goes into the manifest
like every other piece of evidence. Read strictly: a bad row is refused naming its line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from btctrace.errors import UsageProblem
from btctrace.files import open_regular

__all__ = ["PriceTable", "load_price_table"]

_DAY = 86_400
_MAX_ROWS = 100_000  # about 270 years of days


class PriceTable:
    """USD per BTC by UTC day (unix seconds of its midnight), and where it came from."""

    def __init__(self, source: str, by_day: dict[int, Decimal]) -> None:
        self.source = source  # the file's name and SHA-256
        self.by_day = by_day

    def on(self, moment: int) -> tuple[int, Decimal] | None:
        """(the day, its price) for unix time *moment*, or None when the table lacks that day."""
        day = moment // _DAY * _DAY
        price = self.by_day.get(day)
        return (day, price) if price is not None else None


def _row(path: Path, number: int, row: list[str]) -> tuple[int, Decimal]:
    problem = ""
    try:
        day = date.fromisoformat(row[0].strip())
        price = Decimal(row[1].strip())
        if not price.is_finite() or price <= 0:
            problem = f"price {row[1].strip()!r} is not a positive number"
    except (IndexError, ValueError, InvalidOperation):
        problem = "expected 'YYYY-MM-DD,USD per BTC'"
    if problem or len(row) != 2:
        raise UsageProblem(f"price table {path}, line {number}: {problem or 'expected two columns'}",
                           "Give a CSV with the header 'date,usd' and one row per UTC day")
    return (day - date(1970, 1, 1)).days * _DAY, price


def load_price_table(path: Path) -> PriceTable:
    """Read the daily price table at *path* (see the module docstring)."""
    try:
        with open_regular(path, "rb") as stream:
            raw = stream.read()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"price table {path} cannot be read ({exc})", "Give a UTF-8 CSV file") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["date", "usd"]:
        raise UsageProblem(f"price table {path}: the first line must be 'date,usd'",
                           "Give a CSV with the header 'date,usd' and one row per UTC day")
    if len(rows) > _MAX_ROWS:
        raise UsageProblem(f"price table {path} has {len(rows):,} rows, more than {_MAX_ROWS:,}")
    by_day: dict[int, Decimal] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        day, price = _row(path, number, row)
        if day in by_day:
            raise UsageProblem(f"price table {path}, line {number}: a second price for the same day")
        by_day[day] = price
    # named by its file name and digest, never its path: the same table gives the same exhibits
    # wherever it lies (the manifest keeps where it was)
    return PriceTable(f"{Path(path).name} (sha256 {hashlib.sha256(raw).hexdigest()})", by_day)
