"""USD values at the time of each transaction, from the explorer's historical-price endpoint
(mempool.space ``/api/v1/historical-price``, the latest price before a timestamp; see
``formats-and-tools.md`` §5). Asked once per block hour and recorded in the cassette like every
other response. Where no price is known the exhibits say ``n/a``, never 0."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from btctrace.errors import ProviderError
from btctrace.tracing.result import TraceResult

__all__ = ["NOT_AVAILABLE", "Prices", "fetch_prices"]

NOT_AVAILABLE = "n/a"
_HOUR = 3600


@dataclass
class Prices:
    """USD per BTC by block hour (the price at the start of the hour)."""

    source: str = ""
    by_hour: dict[int, Decimal | None] = field(default_factory=dict)
    note: str = ""
    requests: int = 0

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


def fetch_prices(provider, result: TraceResult) -> Prices:
    """Ask *provider* for the USD price of every block hour in *result*. An explorer without the
    endpoint answers the first ask with 404 and is not asked again; failures are noted, not fatal."""
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
    return prices
