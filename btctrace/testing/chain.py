"""An in-memory chain of Esplora transaction objects that answers Esplora queries.

Used by the loopback server (:mod:`btctrace.testing.server`) for the demo generator, the
provider tests and the real-case check. Spending links (outspends) and address histories are
derived only from the transactions present; address stats can be overridden with recorded
real ones. Ordering follows electrs: newest first, mempool before confirmed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from btctrace.testing.blocks import SyntheticBlocks

__all__ = ["ChainStore", "CHAIN_PAGE_SIZE", "MEMPOOL_PAGE_SIZE"]

CHAIN_PAGE_SIZE = 25
MEMPOOL_PAGE_SIZE = 50


@dataclass
class ChainStore:
    txs: dict[str, dict[str, Any]] = field(default_factory=dict)
    stats_override: dict[str, dict[str, Any]] = field(default_factory=dict)
    tip_height: int | None = None
    price_usd: Callable[[int], float] | None = None  # hour (unix s) -> USD per BTC; None: no price endpoint

    def __post_init__(self) -> None:
        self._synthetic: list[dict[str, Any]] = []  # made by the chain builder: given real block headers
        self._blocks: SyntheticBlocks | None = None  # of the synthetic transactions, made when first asked
        self._position: dict[str, int] = {}
        self._by_address: dict[str, list[str]] = {}
        self._spends: dict[tuple[str, int], tuple[str, int]] = {}
        for tx in list(self.txs.values()):
            self._index(tx)

    # ----- building -----------------------------------------------------------------------
    def add_tx(self, tx: dict[str, Any], synthetic: bool = False) -> None:
        """Add one Esplora transaction object (with prevouts and status); later adds of the
        same txid are ignored (address listings overlap). A *synthetic* transaction is put in
        a synthetic block with a real header (:mod:`btctrace.testing.blocks`), which sets its
        block hash; a real one keeps its own, and no header or Merkle proof is served for it."""
        if tx["txid"] in self._position:
            return
        self.txs[tx["txid"]] = tx
        self._index(tx)
        if synthetic:
            self._synthetic.append(tx)
            self._blocks = None

    def blocks(self) -> SyntheticBlocks:
        """The synthetic blocks, made again after a synthetic transaction was added (every
        query asks first, so the block hashes served are always the headers')."""
        if self._blocks is None:
            self._blocks = SyntheticBlocks(self._synthetic)
        return self._blocks

    def block_header(self, block_hash: str) -> str | None:
        return self.blocks().header(block_hash)

    def block_txids(self, block_hash: str) -> list[str] | None:
        return self.blocks().txids(block_hash)

    def merkle_proof(self, txid: str) -> dict[str, Any] | None:
        return self.blocks().merkle_proof(txid)

    def _index(self, tx: dict[str, Any]) -> None:
        txid = tx["txid"]
        self._position[txid] = len(self._position)
        involved = set()
        for vin_index, vin in enumerate(tx["vin"]):
            if vin.get("is_coinbase"):
                continue
            self._spends[(vin["txid"], vin["vout"])] = (txid, vin_index)
            address = (vin.get("prevout") or {}).get("scriptpubkey_address")
            if address:
                involved.add(address)
        for out in tx["vout"]:
            if out.get("scriptpubkey_address"):
                involved.add(out["scriptpubkey_address"])
        for address in involved:
            self._by_address.setdefault(address, []).append(txid)

    @classmethod
    def from_files(cls, paths: list[Path]) -> "ChainStore":
        """Load Esplora JSON files: a transaction object or an address listing (array)."""
        store = cls()
        for path in paths:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            for tx in data if isinstance(data, list) else [data]:
                store.add_tx(tx)
        return store

    # ----- queries ------------------------------------------------------------------------
    def _sort_key(self, txid: str) -> tuple[int, int, int]:
        status = self.txs[txid].get("status") or {}
        if not status.get("confirmed"):
            return (1, 0, self._position[txid])
        return (0, status["block_height"], self._position[txid])

    def tx(self, txid: str) -> dict[str, Any] | None:
        self.blocks()
        return self.txs.get(txid)

    def outspends(self, txid: str) -> list[dict[str, Any]] | None:
        tx = self.tx(txid)
        if tx is None:
            return None
        result = []
        for vout in range(len(tx["vout"])):
            spender = self._spends.get((txid, vout))
            if spender is None:
                result.append({"spent": False})
            else:
                spending = self.txs[spender[0]]
                result.append({"spent": True, "txid": spender[0], "vin": spender[1], "status": spending["status"]})
        return result

    def address_txids(self, address: str) -> list[str]:
        """Newest first: mempool transactions, then confirmed by height (desc)."""
        self.blocks()
        return sorted(self._by_address.get(address, []), key=self._sort_key, reverse=True)

    def _is_confirmed(self, txid: str) -> bool:
        return bool((self.txs[txid].get("status") or {}).get("confirmed"))

    def address_txs(self, address: str) -> list[dict[str, Any]]:
        """``/address/:a/txs``: up to 50 mempool plus the first 25 confirmed."""
        txids = self.address_txids(address)
        mempool = [t for t in txids if not self._is_confirmed(t)][:MEMPOOL_PAGE_SIZE]
        chain = [t for t in txids if self._is_confirmed(t)][:CHAIN_PAGE_SIZE]
        return [self.txs[t] for t in mempool + chain]

    def address_txs_chain(self, address: str, last_seen: str | None) -> list[dict[str, Any]]:
        """``/address/:a/txs/chain[/:last_seen]``; an unknown *last_seen* gives an empty page
        (electrs skips rows until it meets it)."""
        chain = [t for t in self.address_txids(address) if self._is_confirmed(t)]
        if last_seen is not None:
            if last_seen not in chain:
                return []
            chain = chain[chain.index(last_seen) + 1 :]
        return [self.txs[t] for t in chain[:CHAIN_PAGE_SIZE]]

    def address_stats(self, address: str) -> dict[str, Any]:
        if address in self.stats_override:
            return self.stats_override[address]
        chain = {"tx_count": 0, "funded_txo_count": 0, "funded_txo_sum": 0, "spent_txo_count": 0, "spent_txo_sum": 0}
        mempool = dict(chain)
        for txid in self._by_address.get(address, []):
            tx = self.txs[txid]
            stats = chain if self._is_confirmed(txid) else mempool
            stats["tx_count"] += 1
            for out in tx["vout"]:
                if out.get("scriptpubkey_address") == address:
                    stats["funded_txo_count"] += 1
                    stats["funded_txo_sum"] += out["value"]
            for vin in tx["vin"]:
                if (vin.get("prevout") or {}).get("scriptpubkey_address") == address:
                    stats["spent_txo_count"] += 1
                    stats["spent_txo_sum"] += vin["prevout"]["value"]
        return {"address": address, "chain_stats": chain, "mempool_stats": mempool}
