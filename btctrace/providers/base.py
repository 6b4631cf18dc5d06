"""What the walk needs from an explorer. The walk depends on this Protocol only."""

from __future__ import annotations

from typing import Protocol

from btctrace.model import AddressHistory, AddressStats, Outspend, Tx

__all__ = ["Provider", "ESPLORA_CHAIN_PAGE_SIZE", "ESPLORA_MEMPOOL_PAGE_SIZE"]

# Confirmed transactions per page of /address/:a/txs/chain (electrs CHAIN_TXS_PER_PAGE).
ESPLORA_CHAIN_PAGE_SIZE = 25
# Mempool transactions at most on the first page of /address/:a/txs (electrs MAX_MEMPOOL_TXS).
ESPLORA_MEMPOOL_PAGE_SIZE = 50


class Provider(Protocol):
    """``get_tx`` and ``get_outspends`` give what the walk takes into the trace (checked
    against the rest of it); the ``prefetch_*`` methods fetch the same ahead of time on worker
    threads, checking each answer on its own only (see :mod:`btctrace.providers.ledger`)."""

    api_url: str

    def get_tx(self, txid: str, fresh: bool = False) -> Tx: ...

    def prefetch_tx(self, txid: str) -> Tx: ...

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]: ...

    def prefetch_outspends(self, txid: str) -> tuple[Outspend, ...]: ...

    def get_address_stats(self, address: str) -> AddressStats: ...

    def get_address_history(self, address: str, max_txs: int, confirmed_count: int | None = None) -> AddressHistory: ...

    def request_count(self) -> int: ...
