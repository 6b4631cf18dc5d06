"""What the walk needs from an explorer. The walk depends on this Protocol only."""

from __future__ import annotations

from typing import Protocol

from btctrace.model import AddressHistory, AddressStats, Outspend, Tx

__all__ = ["Provider", "ESPLORA_CHAIN_PAGE_SIZE"]

# Confirmed transactions per page of /address/:a/txs/chain (electrs CHAIN_TXS_PER_PAGE).
ESPLORA_CHAIN_PAGE_SIZE = 25


class Provider(Protocol):
    api_url: str

    def get_tx(self, txid: str) -> Tx: ...

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]: ...

    def get_address_stats(self, address: str) -> AddressStats: ...

    def get_address_history(self, address: str, max_txs: int) -> AddressHistory: ...

    def request_count(self) -> int: ...
