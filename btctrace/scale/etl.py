"""bitcoin-etl / BigQuery ``crypto_bitcoin.transactions`` exports: read them, flag CoinJoins
with btctrace's own detectors, and cluster their addresses in process.

One transaction per JSON line (or Parquet row) with nested ``inputs`` and ``outputs``, as
``bitcoin-etl export_blocks_and_transactions`` and BigQuery's ``transactions`` table give them
(``blockchain-etl/bitcoin-etl:README.md``; ``formats-and-tools.md`` §6). Each input carries
``addresses`` and ``value``; the first address names the input's owner.

The result of either backend (this one, or :mod:`btctrace.scale.spark`) is a frame of
``address, cluster`` sorted by address, where ``cluster`` is the alphabetically first address
of the address's cluster: the same input gives the same frame, row for row.
"""

from __future__ import annotations

import numbers
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from btctrace.files import NotRegularFile, open_regular
from btctrace import safejson
from btctrace.errors import UsageProblem
from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.model import Tx, TxIn, TxOut, TxStatus
from btctrace.scale.cioh import cluster_labels

__all__ = ["ETL_SCRIPT_TYPES", "tx_from_etl", "read_etl", "input_rows", "cluster_export"]

# bitcoin-etl script types -> btctrace's (Esplora's) names.
ETL_SCRIPT_TYPES = {
    "pubkeyhash": "p2pkh", "scripthash": "p2sh", "witness_v0_keyhash": "p2wpkh",
    "witness_v0_scripthash": "p2wsh", "witness_v1_taproot": "p2tr", "nulldata": "op_return",
    "pubkey": "p2pk", "multisig": "multisig", "nonstandard": "unknown", "witness_unknown": "unknown",
}


def _as_list(value: Any) -> Any:
    """Parquet gives repeated fields as numpy arrays; JSON as lists."""
    return list(value) if isinstance(value, (np.ndarray, tuple)) else value


def _whole(value: Any) -> bool:
    """A whole number of satoshis as JSON, Parquet or BigQuery give it (int, numpy int,
    Decimal, digit string)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return isinstance(value, str) and value.isdigit()


def _row_problem(row: Any) -> str:
    """What makes *row* not a bitcoin-etl transaction, or "" (fields read by btctrace only)."""
    if not isinstance(row, dict):
        return f"a JSON {type(row).__name__}, not a transaction object"
    if not isinstance(row.get("hash"), str) or not row["hash"]:
        return "no 'hash' (txid) string"
    for side in ("inputs", "outputs"):
        items = _as_list(row.get(side))
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return f"'{side}' is not a list of objects"
        for item in items:
            addresses, value = _as_list(item.get("addresses")), item.get("value")
            if addresses is not None and (not isinstance(addresses, list) or
                                          not all(isinstance(a, str) for a in addresses)):
                return f"an {side[:-1]}'s 'addresses' is not a list of strings"
            if value is not None and not _whole(value):
                return f"an {side[:-1]}'s 'value' {str(value)[:40]!r} is not a whole number of satoshis"
    return ""


def _checked(row: Any, where: str) -> dict[str, Any]:
    problem = _row_problem(row)
    if problem:
        raise UsageProblem(f"{where} is not a bitcoin-etl transaction: {problem}",
                           "Give a bitcoin-etl or BigQuery crypto_bitcoin.transactions export")
    return row


def _address(item: dict[str, Any]) -> str | None:
    addresses = item.get("addresses") or []
    return str(addresses[0]) if addresses else None


def tx_from_etl(row: dict[str, Any]) -> Tx:
    """One bitcoin-etl transaction -> :class:`Tx` (what the CoinJoin detectors read)."""
    inputs = tuple(
        TxIn(int(i.get("index", n)), i.get("spent_transaction_hash"), i.get("spent_output_index"),
             int(i.get("value") or 0), _address(i), ETL_SCRIPT_TYPES.get(i.get("type") or "", "unknown"),
             int(i.get("sequence") or 0), is_coinbase=bool(row.get("is_coinbase")))
        for n, i in enumerate(row.get("inputs") or []))
    outputs = tuple(
        TxOut(int(o.get("index", n)), int(o.get("value") or 0), ETL_SCRIPT_TYPES.get(o.get("type") or "", "unknown"),
              _address(o))
        for n, o in enumerate(row.get("outputs") or []))
    size = int(row.get("size") or 0)
    return Tx(str(row["hash"]), int(row.get("version") or 1), int(row.get("lock_time") or 0), size,
              int(row.get("virtual_size") or size) * 4, int(row.get("fee") or 0), inputs, outputs,
              TxStatus(row.get("block_number") is not None, row.get("block_number"), row.get("block_hash"), None))


def read_etl(path: Path) -> Iterator[dict[str, Any]]:
    """Transactions of a bitcoin-etl export: JSON lines (``.json``, ``.jsonl``) or Parquet."""
    path = Path(path)
    if path.suffix == ".parquet":
        try:
            open_regular(path, "rb").close()
        except (OSError, NotRegularFile) as exc:
            raise UsageProblem(f"cannot read {path}: {exc}") from None
        try:
            frame = pd.read_parquet(path)
        except ImportError as exc:
            raise UsageProblem(f"reading {path} needs a Parquet engine", "pip install pyarrow") from exc
        for number, row in enumerate(frame.to_dict("records"), 1):
            yield _checked(row, f"{path} row {number}")
        return
    try:
        with open_regular(path) as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    try:
                        row = safejson.loads(line)
                    except ValueError:
                        raise UsageProblem(f"{path} line {number} is not a JSON transaction",
                                           "Give a bitcoin-etl JSON-lines export") from None
                    yield _checked(row, f"{path} line {number}")
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    except NotRegularFile as exc:
        raise UsageProblem(f"cannot read {exc}") from None


def input_rows(transactions: Iterator[dict[str, Any]]) -> pd.DataFrame:
    """One row per input with an address: ``txid``, ``address``, ``coinjoin`` (btctrace's
    detectors, so both backends exclude exactly the same transactions). Coinbases have none."""
    rows = []
    for row in transactions:
        if row.get("is_coinbase"):
            continue
        coinjoin = detect_coinjoin(tx_from_etl(row)) is not None
        rows.extend((row["hash"], address, coinjoin) for i in row.get("inputs") or [] if (address := _address(i)))
    return pd.DataFrame(rows, columns=["txid", "address", "coinjoin"])


def cluster_export(path: Path) -> pd.DataFrame:
    """Common-input clusters of the addresses spending in a bitcoin-etl export, in process."""
    inputs = input_rows(read_etl(path))
    addresses, address_ids = np.unique(inputs["address"].to_numpy(dtype=str), return_inverse=True)
    tx_ids = pd.factorize(inputs["txid"])[0]
    labels = cluster_labels(pd.DataFrame({"tx": tx_ids, "address": address_ids, "coinjoin": inputs["coinjoin"]}),
                            len(addresses))
    return pd.DataFrame({"address": addresses, "cluster": addresses[labels]})
