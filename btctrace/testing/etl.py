"""Esplora transaction JSON -> bitcoin-etl / BigQuery ``crypto_bitcoin.transactions`` rows, to
make small exports of synthetic chains for the whole-chain clustering backends' tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from btctrace.scale.etl import ETL_SCRIPT_TYPES
from btctrace.testing.chain import ChainStore

__all__ = ["etl_row", "write_etl_export"]

_FROM_ESPLORA = {"v0_p2wpkh": "witness_v0_keyhash", "v0_p2wsh": "witness_v0_scripthash", "v1_p2tr": "witness_v1_taproot",
                 **{ours: theirs for theirs, ours in ETL_SCRIPT_TYPES.items()}}


def _item(index: int, script: dict[str, Any], value: int, extra: dict[str, Any]) -> dict[str, Any]:
    address = script.get("scriptpubkey_address")
    return {"index": index, "type": _FROM_ESPLORA.get(script.get("scriptpubkey_type", ""), "nonstandard"),
            "addresses": [address] if address else [], "value": value, "script_hex": script.get("scriptpubkey", ""),
            **extra}


def etl_row(tx: dict[str, Any]) -> dict[str, Any]:
    status = tx.get("status") or {}
    coinbase = any(i.get("is_coinbase") for i in tx["vin"])
    inputs = [] if coinbase else [
        _item(n, i["prevout"], i["prevout"]["value"],
              {"spent_transaction_hash": i["txid"], "spent_output_index": i["vout"], "sequence": i["sequence"]})
        for n, i in enumerate(tx["vin"])]
    outputs = [_item(n, o, o["value"], {}) for n, o in enumerate(tx["vout"])]
    return {"hash": tx["txid"], "size": tx["size"], "virtual_size": (tx["weight"] + 3) // 4, "version": tx["version"],
            "lock_time": tx["locktime"], "block_number": status.get("block_height"),
            "block_hash": status.get("block_hash"), "block_timestamp": status.get("block_time"),
            "is_coinbase": coinbase, "input_count": len(inputs), "output_count": len(outputs),
            "input_value": sum(i["value"] for i in inputs), "output_value": sum(o["value"] for o in outputs),
            "fee": tx.get("fee", 0), "inputs": inputs, "outputs": outputs}


def write_etl_export(store: ChainStore, path: Path) -> Path:
    """Every transaction of *store* as bitcoin-etl JSON lines, sorted by txid."""
    path.write_text("".join(json.dumps(etl_row(store.txs[txid]), sort_keys=True) + "\n" for txid in sorted(store.txs)),
                    encoding="utf-8")
    return path
