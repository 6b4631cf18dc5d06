"""A :class:`~btctrace.providers.base.Provider` over a :class:`ChainStore`, without HTTP: for
unit tests of the walk. It maps the store's Esplora JSON with the real mappers and counts the
requests an Esplora client would have made."""

from __future__ import annotations

from collections import Counter

from btctrace.errors import NotFound
from btctrace.model import AddressHistory, AddressStats, Outspend, Tx
from btctrace.providers.esplora.mapping import address_stats_from_json, outspends_from_json, tx_from_json
from btctrace.testing.chain import ChainStore

__all__ = ["StoreProvider"]


class StoreProvider:
    def __init__(self, store: ChainStore, api_url: str = "memory://chain") -> None:
        self.store = store
        self.api_url = api_url
        self.calls: Counter = Counter()

    def request_count(self) -> int:
        return sum(self.calls.values())

    def get_tx(self, txid: str, fresh: bool = False) -> Tx:
        self.calls[f"/tx/{txid}"] += 1
        raw = self.store.tx(txid)
        if raw is None:
            raise NotFound(f"{self.api_url}/tx/{txid}", "transaction", txid)
        return tx_from_json(raw)

    prefetch_tx = get_tx

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]:
        self.calls[f"/tx/{txid}/outspends"] += 1
        raw = self.store.outspends(txid)
        if raw is None:
            raise NotFound(f"{self.api_url}/tx/{txid}/outspends", "transaction", txid)
        return outspends_from_json(raw)

    prefetch_outspends = get_outspends

    def get_address_stats(self, address: str) -> AddressStats:
        self.calls[f"/address/{address}"] += 1
        return address_stats_from_json(self.store.address_stats(address))

    def get_address_history(self, address: str, max_txs: int, confirmed_count: int | None = None) -> AddressHistory:
        self.calls[f"/address/{address}/txs"] += 1
        txids = self.store.address_txids(address)
        txs = tuple(tx_from_json(self.store.tx(t)) for t in txids[:max_txs])
        return AddressHistory(address, txs, pages=1, truncated=len(txids) > max_txs)
