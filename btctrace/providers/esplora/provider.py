"""Esplora provider: client + mapper, returning model objects. Transactions seen in an
address history page are kept, so the walk never asks ``/tx/:txid`` for them again.

An address's counts come from the first page of its history when that page holds all of it
(fewer than 25 confirmed and 50 mempool transactions, electrs' page sizes): one request gives
the exact ``chain_stats`` *and* the transaction that spends the output being followed, so a
forward hop costs two requests (outspends, history) instead of three (outspends, stats, tx).
Only a busier address, or an empty first page, is asked ``/address/:a`` as well."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from btctrace.errors import BadResponse
from btctrace.model import AddressHistory, AddressStats, Outspend, Tx
from btctrace.providers.esplora.client import EsploraClient
from btctrace.providers.esplora.mapping import (
    address_stats_from_history,
    address_stats_from_json,
    outspends_from_json,
    price_from_json,
    tx_from_json,
)
from btctrace.providers.base import ESPLORA_CHAIN_PAGE_SIZE, ESPLORA_MEMPOOL_PAGE_SIZE
from btctrace.providers.http import HttpFetcher

__all__ = ["DEFAULT_API_URL", "EsploraProvider"]

DEFAULT_API_URL = "https://blockstream.info/api"


# A JSON answer of the wrong shape fails in the mapper with one of these: it is the explorer's
# fault (or a damaged cassette's), never data, so it becomes a BadResponse.
_SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def _mapped(url: str, mapper: Callable[[Any], Any], raw: Any) -> Any:
    try:
        return mapper(raw)
    except _SHAPE_ERRORS as exc:
        detail = str(exc) if isinstance(exc, ValueError) else f"unexpected JSON shape ({type(exc).__name__}: {exc})"
        raise BadResponse(url, 200, detail[:300]) from exc


class EsploraProvider:
    """Implements :class:`btctrace.providers.base.Provider` over an Esplora API."""

    def __init__(self, api_url: str, fetcher: HttpFetcher) -> None:
        self.client = EsploraClient(api_url, fetcher)
        self.api_url = self.client.api_url
        self.fetcher = fetcher
        self._txs: dict[str, Tx] = {}  # dict get/setdefault are atomic: safe across worker threads

    def request_count(self) -> int:
        return self.fetcher.answered()

    def get_tx(self, txid: str, fresh: bool = False) -> Tx:
        """The transaction *txid*; *fresh* asks the explorer again (after it denied knowing a
        transaction its own outspends named)."""
        tx = None if fresh else self._txs.get(txid)
        if tx is None:
            tx = _mapped(f"{self.api_url}/tx/{txid}", tx_from_json, self.client.tx(txid, fresh))
            if tx.txid != txid:
                raise BadResponse(f"{self.api_url}/tx/{txid}", 200, f"asked for {txid}, got {tx.txid}")
            self._txs[txid] = tx
        return tx

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]:
        url = f"{self.api_url}/tx/{txid}/outspends"
        return _mapped(url, outspends_from_json, self.client.outspends(txid))

    def get_address_stats(self, address: str) -> AddressStats:
        """Counts of *address*: from its first history page when that is all of it, else
        from ``/address/:a`` (see the module docstring)."""
        page = self.client.first_history_page(address)
        txs = [self._keep(f"{self.api_url}/address/{address}/txs", raw) for raw in page]
        confirmed = sum(1 for tx in txs if tx.status.confirmed)
        if txs and confirmed < ESPLORA_CHAIN_PAGE_SIZE and len(txs) - confirmed < ESPLORA_MEMPOOL_PAGE_SIZE:
            return address_stats_from_history(address, txs)
        url = f"{self.api_url}/address/{address}"
        return _mapped(url, address_stats_from_json, self.client.address(address))

    def _keep(self, url: str, raw: Any) -> Tx:
        """The transaction of a history page entry, mapped once however many pages hold it."""
        known = self._txs.get(raw.get("txid")) if isinstance(raw, dict) and isinstance(raw.get("txid"), str) else None
        if known is not None:
            return known
        tx = _mapped(url, tx_from_json, raw)
        return self._txs.setdefault(tx.txid, tx)

    def get_price_usd(self, timestamp: int) -> Decimal | None:
        """USD per BTC just before *timestamp*, or None where the explorer has no prices."""
        url = f"{self.api_url}/v1/historical-price?timestamp={timestamp}"
        return _mapped(url, price_from_json, self.client.historical_price(timestamp))

    def get_address_history(self, address: str, max_txs: int, confirmed_count: int | None = None) -> AddressHistory:
        """All transactions of *address* (deduplicated by txid), at most *max_txs*; with
        *confirmed_count* a history shorter than that is refused (see the client)."""
        seen: dict[str, Tx] = {}
        pages = 0
        truncated = False
        for page in self.client.address_txs_pages(address, confirmed_count):
            pages += 1
            for raw in page:
                tx = self._keep(f"{self.api_url}/address/{address}/txs", raw)
                seen.setdefault(tx.txid, tx)
            if len(seen) >= max_txs:
                truncated = True
                break
        txs = tuple(seen.values())[:max_txs]
        return AddressHistory(address=address, txs=txs, pages=pages, truncated=truncated)
