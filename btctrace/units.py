"""Satoshi amounts: parsing and display. Amounts are ``int`` satoshis everywhere; BTC strings
are made here for display only, with :class:`~decimal.Decimal`, never ``float``."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from decimal import Decimal, InvalidOperation

__all__ = ["SATS_PER_BTC", "format_btc", "parse_btc", "format_utc", "parse_utc", "readable_utc", "readable_date",
           "counted"]

SATS_PER_BTC = 100_000_000


def format_btc(sats: int) -> str:
    """``7500030000`` -> ``"75.00030000"`` (always 8 decimals, exact)."""
    if not isinstance(sats, int) or isinstance(sats, bool):
        raise TypeError(f"satoshi amounts are int, got {type(sats).__name__}")
    sign = "-" if sats < 0 else ""
    whole, frac = divmod(abs(sats), SATS_PER_BTC)
    return f"{sign}{whole}.{frac:08d}"


def parse_btc(text: str) -> int:
    """``"0.0001"`` -> ``10000``. Rejects more than 8 decimals and non-numbers."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a BTC amount") from exc
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a BTC amount")
    sats = value * SATS_PER_BTC
    if sats != sats.to_integral_value():
        raise ValueError(f"{text!r} has more than 8 decimals")
    return int(sats)


@lru_cache(maxsize=1 << 16)
def format_utc(timestamp: int | None) -> str:
    """Unix seconds -> ``"2021-05-08T17:12:57Z"``; ``""`` for unknown (unconfirmed). Cached:
    the exports of a case format the same few thousand block times hundreds of thousands of times."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> int:
    """ISO date or date-time (UTC unless an offset is given) -> unix seconds."""
    raw = str(text).strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an ISO date such as 2021-05-08 or 2021-05-08T17:00:00Z") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def readable_utc(timestamp: int | None) -> str:
    """Unix seconds for a person, with the ISO form beside it: ``"8 May 2021, 17:12 UTC
    (2021-05-08T17:12:57Z)"``; ``"unconfirmed"`` for no time."""
    if timestamp is None:
        return "unconfirmed"
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC ({format_utc(timestamp)})"


def readable_date(iso_date: str) -> str:
    """``"2026-12-04"`` -> ``"4 December 2026 (2026-12-04)"``; other text as it is."""
    try:
        moment = datetime.strptime(iso_date, "%Y-%m-%d")
    except ValueError:
        return iso_date
    return f"{moment.day} {moment:%B %Y} ({iso_date})"


def counted(number: int, noun: str, nouns: str | None = None) -> str:
    """``counted(1, "hop")`` -> ``"1 hop"``, ``counted(3, "hop")`` -> ``"3 hops"`` (thousands
    separated); *nouns* for an irregular plural (``counted(2, "address", "addresses")``)."""
    return f"{number:,} {noun if number == 1 else nouns or noun + 's'}"
