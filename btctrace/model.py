"""Frozen domain types. Amounts are ``int`` satoshis; times are unix seconds (UTC).

Past a provider's mapper nothing is a raw dict: heuristics, the walk and the exporters take
these types only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TxStatus", "TxIn", "TxOut", "Tx", "Outspend", "AddressStats", "AddressHistory"]


@dataclass(frozen=True, slots=True)
class TxStatus:
    """Where a transaction sits in the chain; ``confirmed=False`` means mempool."""

    confirmed: bool
    block_height: int | None = None
    block_hash: str | None = None
    block_time: int | None = None


@dataclass(frozen=True, slots=True)
class TxOut:
    index: int
    value: int
    script_type: str
    address: str | None  # None for OP_RETURN, bare multisig, P2PK and non-standard scripts


@dataclass(frozen=True, slots=True)
class TxIn:
    """One input. ``prev_txid``/``prev_vout`` name the spent output; coinbase inputs have no
    previous output and no value."""

    index: int
    prev_txid: str | None
    prev_vout: int | None
    value: int
    address: str | None
    script_type: str
    sequence: int
    is_coinbase: bool = False


@dataclass(frozen=True, slots=True)
class Tx:
    txid: str
    version: int
    locktime: int
    size: int
    weight: int
    fee: int
    inputs: tuple[TxIn, ...]
    outputs: tuple[TxOut, ...]
    status: TxStatus

    @property
    def is_coinbase(self) -> bool:
        return any(txin.is_coinbase for txin in self.inputs)

    @property
    def input_value(self) -> int:
        return sum(txin.value for txin in self.inputs)

    @property
    def output_value(self) -> int:
        return sum(txout.value for txout in self.outputs)

    @property
    def block_time(self) -> int | None:
        return self.status.block_time

    @property
    def block_height(self) -> int | None:
        return self.status.block_height


@dataclass(frozen=True, slots=True)
class Outspend:
    """Whether output *vout* is spent, and by which input of which transaction."""

    vout: int
    spent: bool
    txid: str | None = None
    vin: int | None = None
    status: TxStatus | None = None


@dataclass(frozen=True, slots=True)
class AddressStats:
    """Esplora ``chain_stats``/``mempool_stats`` of one address."""

    address: str
    tx_count: int
    funded_txo_count: int
    funded_txo_sum: int
    spent_txo_count: int
    spent_txo_sum: int
    mempool_tx_count: int = 0

    @property
    def balance(self) -> int:
        return self.funded_txo_sum - self.spent_txo_sum


@dataclass(frozen=True, slots=True)
class AddressHistory:
    """Transactions of one address, newest first, deduplicated by txid.

    ``truncated`` is True when paging stopped at ``max_txs`` before the end of the history.
    """

    address: str
    txs: tuple[Tx, ...]
    pages: int
    truncated: bool = False
