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
    api_url: str

    def get_tx(self, txid: str, fresh: bool = False) -> Tx: ...

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]: ...

    def get_address_stats(self, address: str) -> AddressStats: ...

    def get_address_history(self, address: str, max_txs: int, confirmed_count: int | None = None) -> AddressHistory: ...

    def request_count(self) -> int: ...
