"""Esplora provider: client + mapper, returning model objects. Transactions seen in an
address history page are kept, so the walk never asks ``/tx/:txid`` for them again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from btctrace.errors import BadResponse
from btctrace.model import AddressHistory, AddressStats, Outspend, Tx
from btctrace.providers.esplora.client import EsploraClient
from btctrace.providers.esplora.mapping import (
    address_stats_from_json,
    outspends_from_json,
    price_from_json,
    tx_from_json,
)
from btctrace.providers.http import HttpFetcher

__all__ = ["DEFAULT_API_URL", "EsploraProvider"]

DEFAULT_API_URL = "https://blockstream.info/api"


def _mapped(url: str, mapper: Callable[[Any], Any], raw: Any) -> Any:
    try:
        return mapper(raw)
    except ValueError as exc:
        raise BadResponse(url, 200, str(exc)) from exc


class EsploraProvider:
    """Implements :class:`btctrace.providers.base.Provider` over an Esplora API."""

    def __init__(self, api_url: str, fetcher: HttpFetcher) -> None:
        self.client = EsploraClient(api_url, fetcher)
        self.api_url = self.client.api_url
        self.fetcher = fetcher
        self._txs: dict[str, Tx] = {}  # dict get/setdefault are atomic: safe across worker threads

    def request_count(self) -> int:
        return self.fetcher.counts["requests"]

    def get_tx(self, txid: str) -> Tx:
        tx = self._txs.get(txid)
        if tx is None:
            tx = _mapped(f"{self.api_url}/tx/{txid}", tx_from_json, self.client.tx(txid))
            if tx.txid != txid:
                raise BadResponse(f"{self.api_url}/tx/{txid}", 200, f"asked for {txid}, got {tx.txid}")
            self._txs[txid] = tx
        return tx

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]:
        url = f"{self.api_url}/tx/{txid}/outspends"
        return _mapped(url, outspends_from_json, self.client.outspends(txid))

    def get_address_stats(self, address: str) -> AddressStats:
        url = f"{self.api_url}/address/{address}"
        return _mapped(url, address_stats_from_json, self.client.address(address))

    def get_price_usd(self, timestamp: int) -> Decimal | None:
        """USD per BTC just before *timestamp*, or None where the explorer has no prices."""
        url = f"{self.api_url}/v1/historical-price?timestamp={timestamp}"
        return _mapped(url, price_from_json, self.client.historical_price(timestamp))

    def get_address_history(self, address: str, max_txs: int) -> AddressHistory:
        """All transactions of *address* (deduplicated by txid), at most *max_txs*."""
        seen: dict[str, Tx] = {}
        pages = 0
        truncated = False
        for page in self.client.address_txs_pages(address):
            pages += 1
            for raw in page:
                tx = _mapped(f"{self.api_url}/address/{address}/txs", tx_from_json, raw)
                self._txs.setdefault(tx.txid, tx)
                seen.setdefault(tx.txid, tx)
            if len(seen) >= max_txs:
                truncated = True
                break
        txs = tuple(seen.values())[:max_txs]
        return AddressHistory(address=address, txs=txs, pages=pages, truncated=truncated)
