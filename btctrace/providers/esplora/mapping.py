"""Pure mappers from Esplora JSON (Blockstream esplora ``API.md``; electrs ``src/rest.rs``) to
:mod:`btctrace.model`. No I/O. Unexpected shapes raise :class:`ValueError`, which the client
turns into a :class:`~btctrace.errors.BadResponse` naming the URL.
"""

from __future__ import annotations

from decimal import Decimal
from sys import intern
from typing import Any

from btctrace.model import AddressStats, Outspend, Tx, TxIn, TxOut, TxStatus
from btctrace.providers.checks import CheckFailure, check_price

__all__ = ["script_type_name", "status_from_json", "tx_from_json", "outspends_from_json", "address_stats_from_json",
           "address_stats_from_history", "price_from_json"]

# Esplora's scriptpubkey_type names -> btctrace's (mempool/electrs src/util/transaction.rs).
_SCRIPT_TYPES = {
    "v0_p2wpkh": "p2wpkh",
    "v0_p2wsh": "p2wsh",
    "v1_p2tr": "p2tr",
    "op_return": "op_return",
}


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"field {key!r} should be an integer, got {value!r}")
    return value


def _shared(value: Any) -> Any:
    """One string object for every copy of a txid, address or block hash across the answers
    (each answer's decoder makes its own: a txid is named by its transaction, its spenders'
    inputs and its outspends): about 15 % less memory for a large trace. Anything but a str is
    returned as it is, for the checks to refuse."""
    return intern(value) if type(value) is str else value


def script_type_name(raw: str | None) -> str:
    if not raw:
        return "unknown"
    return _SCRIPT_TYPES.get(raw) or _shared(raw)


def status_from_json(obj: dict[str, Any] | None) -> TxStatus:
    """TxStatus; the optional keys are omitted (not null) when unconfirmed."""
    if not obj or not obj.get("confirmed"):
        return TxStatus(confirmed=False)
    return TxStatus(
        confirmed=True,
        block_height=_int(obj, "block_height"),
        block_hash=_shared(obj.get("block_hash")),
        block_time=_int(obj, "block_time"),
    )


def _txout_from_json(index: int, obj: dict[str, Any]) -> TxOut:
    return TxOut(
        index=index,
        value=_int(obj, "value"),
        script_type=script_type_name(obj.get("scriptpubkey_type")),
        address=_shared(obj.get("scriptpubkey_address")),
    )


def _txin_from_json(index: int, obj: dict[str, Any]) -> TxIn:
    if obj.get("is_coinbase"):
        return TxIn(index, None, None, 0, None, "coinbase", _int(obj, "sequence"), is_coinbase=True)
    prevout = obj.get("prevout")
    if not isinstance(prevout, dict):
        raise ValueError(f"input {index} has no prevout")
    return TxIn(
        index=index,
        prev_txid=_shared(str(obj["txid"])),
        prev_vout=_int(obj, "vout"),
        value=_int(prevout, "value"),
        address=_shared(prevout.get("scriptpubkey_address")),
        script_type=script_type_name(prevout.get("scriptpubkey_type")),
        sequence=_int(obj, "sequence"),
    )


def tx_from_json(obj: Any) -> Tx:
    """One Esplora transaction object -> :class:`Tx`."""
    if not isinstance(obj, dict) or "txid" not in obj:
        raise ValueError("not an Esplora transaction object (no 'txid')")
    try:
        inputs = tuple(_txin_from_json(i, item) for i, item in enumerate(obj["vin"]))
        if "fee" not in obj and not any(txin.is_coinbase for txin in inputs):
            raise CheckFailure("money_conserved", str(obj["txid"])[:80], "the answer gives no fee")
        return Tx(
            txid=_shared(str(obj["txid"])),
            version=_int(obj, "version"),
            locktime=_int(obj, "locktime"),
            size=_int(obj, "size"),
            weight=_int(obj, "weight"),
            fee=_int(obj, "fee") if "fee" in obj else 0,
            inputs=inputs,
            outputs=tuple(_txout_from_json(i, item) for i, item in enumerate(obj["vout"])),
            status=status_from_json(obj.get("status")),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"transaction {str(obj.get('txid'))[:80]} lacks field {exc}") from exc


def outspends_from_json(obj: Any) -> tuple[Outspend, ...]:
    """``/tx/:txid/outspends`` array -> one :class:`Outspend` per output, in vout order."""
    if not isinstance(obj, list):
        raise ValueError("outspends should be a JSON array")
    result = []
    for vout, item in enumerate(obj):
        if not isinstance(item, dict) or "spent" not in item:
            raise ValueError(f"outspend {vout} has no 'spent' field")
        if item["spent"]:
            status = status_from_json(item.get("status")) if "status" in item else None
            result.append(Outspend(vout, True, _shared(str(item["txid"])), _int(item, "vin"), status))
        else:
            result.append(Outspend(vout, False))
    return tuple(result)


def address_stats_from_json(obj: Any) -> AddressStats:
    """``/address/:a`` -> :class:`AddressStats` (chain stats plus the mempool tx count)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("chain_stats"), dict):
        raise ValueError("not an Esplora address object (no 'chain_stats')")
    chain = obj["chain_stats"]
    mempool = obj.get("mempool_stats") or {}
    return AddressStats(
        address=str(obj.get("address", "")),
        tx_count=_int(chain, "tx_count"),
        funded_txo_count=_int(chain, "funded_txo_count"),
        funded_txo_sum=_int(chain, "funded_txo_sum"),
        spent_txo_count=_int(chain, "spent_txo_count"),
        spent_txo_sum=_int(chain, "spent_txo_sum"),
        mempool_tx_count=int(mempool.get("tx_count", 0)),
    )


def address_stats_from_history(address: str, txs: list[Tx]) -> AddressStats:
    """The ``chain_stats`` of *address* (plus its mempool count) computed from its complete
    history, exactly as electrs counts them: confirmed transactions, the outputs they pay to
    the address and the inputs spending from it."""
    confirmed = [tx for tx in txs if tx.status.confirmed]
    funded = [o.value for tx in confirmed for o in tx.outputs if o.address == address]
    spent = [i.value for tx in confirmed for i in tx.inputs if i.address == address]
    return AddressStats(address=address, tx_count=len(confirmed), funded_txo_count=len(funded),
                        funded_txo_sum=sum(funded), spent_txo_count=len(spent), spent_txo_sum=sum(spent),
                        mempool_tx_count=len(txs) - len(confirmed))


def price_from_json(obj: Any, asked: int) -> Decimal | None:
    """USD per BTC from a historical-price answer for the time *asked*; None when absent.
    mempool.space answers ``USD: 0`` before 2010-07-19 and ``-1`` for a missing currency: no
    price, not a price of 0."""
    if obj is None:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("prices"), list):
        raise ValueError("not a historical-price answer (no 'prices' list)")
    if not obj["prices"]:
        return None
    value = obj["prices"][0].get("USD")
    if not isinstance(value, (int, Decimal)) or isinstance(value, bool):
        raise ValueError(f"USD price should be a number, got {value!r}")
    price = Decimal(value)
    check_price(obj["prices"][0].get("time"), price, asked)
    return price if price > 0 else None
