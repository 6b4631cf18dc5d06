"""USD values at the time of each transaction, from the explorer's historical-price endpoint
(mempool.space ``/api/v1/historical-price``, the latest price before a timestamp; see
``formats-and-tools.md`` §5). Asked once per block hour and recorded in the cassette like every
other response. Where no price is known the exhibits say ``n/a``, never 0. Each price is held
against the days around it (``price_in_line``) and, when the investigator supplies a daily price
table (:mod:`btctrace.price_table`), against it: a disagreement is printed beside the amount."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from btctrace.errors import AnswerRefused, BtctraceError, ProviderError, released
from btctrace.price_table import PriceTable
from btctrace.tracing.result import TraceResult
from btctrace.units import format_utc

__all__ = ["NOT_AVAILABLE", "IN_LINE_FACTOR", "DISPUTE_SHARE", "Prices", "fetch_prices"]

NOT_AVAILABLE = "n/a"
IN_LINE_FACTOR = 2
DISPUTE_SHARE = Decimal("0.10")
_HOUR = 3600
_DAY = 86_400


@dataclass
class Prices:
    """USD per BTC by block hour (the price at the start of the hour)."""

    source: str = ""
    by_hour: dict[int, Decimal | None] = field(default_factory=dict)
    note: str = ""
    requests: int = 0
    second_source: str = ""  # where the second opinion came from (the investigator's table), or ""
    second: dict[int, Decimal | None] = field(default_factory=dict)  # by hour: the second opinion's price
    disputed: dict[int, str] = field(default_factory=dict)  # by hour: why the price is in doubt
    unchecked: list[int] = field(default_factory=list)  # hours with no price a day before or after to check

    def note_of(self, block_time: int | None) -> str:
        """What to print beside a USD amount: why its price is in doubt, or ""."""
        return "" if block_time is None else self.disputed.get(block_time // _HOUR * _HOUR, "")

    def per_btc(self, block_time: int | None) -> Decimal | None:
        if block_time is None:
            return None
        return self.by_hour.get(block_time // _HOUR * _HOUR)

    def usd(self, sats: int, block_time: int | None) -> str:
        """Display string: the USD value to the cent, or ``n/a``."""
        price = self.per_btc(block_time)
        if price is None:
            return NOT_AVAILABLE
        return str((Decimal(sats) * price / Decimal(100_000_000)).quantize(Decimal("0.01"), ROUND_HALF_EVEN))

    def floats_by_txid(self, result: TraceResult) -> dict[str, float]:
        """For the round-amount change heuristic only (a comparison, not money)."""
        return {txid: float(p) for txid, t in result.txs.items() if (p := self.per_btc(t.tx.block_time)) is not None}


def fetch_prices(provider, result: TraceResult, table: PriceTable | None = None) -> Prices:
    """Ask *provider* for the USD price of every block hour in *result*. An explorer without the
    endpoint answers the first ask with 404 and is not asked again; failures are noted, not fatal.
    Each price is checked against its neighbours (refused when out of line) and, with *table*,
    against the investigator's price of its day (noted beside the amount when they differ)."""
    prices = Prices(source=f"{provider.api_url}/v1/historical-price")
    hours = sorted({t.tx.block_time // _HOUR * _HOUR for t in result.txs.values() if t.tx.block_time is not None})
    for hour in hours:
        try:
            price = provider.get_price_usd(hour + 1)
        except ProviderError as exc:
            prices.note = f"prices unavailable: {exc.message}"
            break
        prices.requests += 1
        if price is None and not any(v is not None for v in prices.by_hour.values()):
            prices.note = f"no historical prices at {provider.api_url}: USD values are n/a"
            break
        prices.by_hour[hour] = price
    _check_in_line(provider, prices)
    if table is not None:
        _second_opinion(prices, table)
    return prices


def _second_opinion(prices: Prices, table: PriceTable) -> None:
    """Each explorer price beside the table's price of its day: more than
    :data:`DISPUTE_SHARE` apart, the amount is marked disputed, naming both (an hourly price
    and a daily one differ by a few per cent on a quiet day)."""
    prices.second_source = table.source
    for hour, price in sorted(prices.by_hour.items()):
        found = table.on(hour)
        prices.second[hour] = found[1] if found else None
        if found is None:
            continue
        day, second = found
        if price is None:
            prices.disputed[hour] = f"the explorer has no price; the price table says USD {second} on {format_utc(day)[:10]}"
        elif abs(price - second) > DISPUTE_SHARE * second:
            prices.disputed[hour] = (f"disputed: the explorer's USD {price} per BTC is {100 * (price / second - 1):+.1f} % "
                                     f"off the price table's USD {second} on {format_utc(day)[:10]}")


def _check_in_line(provider, prices: Prices) -> None:
    """``price_in_line``: each price within a factor of :data:`IN_LINE_FACTOR` of the prices a
    day before and a day after its day (asked once per day; bitcoin has never halved or doubled
    within a day since 2013, and a false price would put a false USD amount in a subpoena). A
    price out of line is refused, naming both."""
    neighbours: dict[int, Decimal | None] = {}
    for hour, price in sorted(prices.by_hour.items()):
        if price is None:
            continue
        day = hour // _DAY * _DAY
        for around in (day - _DAY, day + 2 * _DAY):
            if around not in neighbours:
                neighbours[around] = _neighbour(provider, around)
                prices.requests += 1
        known = [n for n in (neighbours[day - _DAY], neighbours[day + 2 * _DAY]) if n]
        if not known:
            prices.unchecked.append(hour)  # no price around it: said in trace.json and the report
            continue
        if not min(known) / IN_LINE_FACTOR <= price <= max(known) * IN_LINE_FACTOR:
            raise AnswerRefused(f"{provider.api_url}/v1/historical-price?timestamp={hour + 1}", "price_in_line",
                                f"the price of {format_utc(hour)}", f"USD {price} per BTC, out of line with "
                                f"USD {' and '.join(str(n) for n in known)} a day before and after")
        provider.ledger.passed("price_in_line", str(hour))


def _neighbour(provider, moment: int) -> Decimal | None:
    """The price at *moment*, or None where there is none to be had (no price then, an
    explorer failure, a cassette recorded before btctrace asked for it). A refused answer is
    refused."""
    try:
        return provider.get_price_usd(moment)
    except AnswerRefused:
        raise
    except BtctraceError as exc:
        released(exc)
        return None
