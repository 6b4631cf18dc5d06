"""Blocks for a synthetic chain: real 80-byte headers (proof of work at regtest's easiest
target, ``bits`` 0x207fffff, about two nonces tried a block) whose Merkle roots commit to the
synthetic transactions of each height, so the loopback server can answer
``/block/:hash/header`` and ``/tx/:txid/merkle-proof`` like electrs, and every block hash and
time a synthetic transaction is given is its header's. A test development utility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from btctrace.consensus.blocks import header_bytes, merkle_branch, merkle_root, parse_header
from btctrace.consensus.transactions import double_sha256

__all__ = ["SyntheticBlocks", "EASIEST_BITS"]

EASIEST_BITS = 0x207FFFFF  # regtest's proof-of-work limit (Bitcoin Core chainparams.cpp)


@dataclass(frozen=True)
class _Block:
    header: str  # hex
    height: int
    txids: tuple[str, ...]


def _mine(prev_hash: str, root: str, time: int) -> str:
    for nonce in range(1 << 32):
        raw = header_bytes(0x20000000, prev_hash, root, time, EASIEST_BITS, nonce)
        if parse_header(raw.hex()).meets_its_target:
            return raw.hex()
    raise ValueError("no nonce meets the target")  # pragma: no cover: half of all nonces do


class SyntheticBlocks:
    """The blocks of the synthetic transactions *txs* (Esplora objects, in chain order): one
    per height, its transactions in the order they were added. :meth:`seal` writes each block's
    hash into its transactions' status."""

    def __init__(self, txs: list[dict[str, Any]]) -> None:
        by_height: dict[int, list[dict[str, Any]]] = {}
        for tx in txs:
            status = tx.get("status") or {}
            if status.get("confirmed"):
                by_height.setdefault(status["block_height"], []).append(tx)
        self._by_hash: dict[str, _Block] = {}
        self._block_of: dict[str, tuple[str, int]] = {}  # txid -> (block hash, index)
        prev = "00" * 32
        for height in sorted(by_height):
            members = by_height[height]
            txids = tuple(tx["txid"] for tx in members)
            header = _mine(prev, merkle_root(list(txids)), members[0]["status"]["block_time"])
            prev = double_sha256(bytes.fromhex(header))[::-1].hex()
            self._by_hash[prev] = _Block(header, height, txids)
            for index, tx in enumerate(members):
                self._block_of[tx["txid"]] = (prev, index)
                tx["status"]["block_hash"] = prev

    def header(self, block_hash: str) -> str | None:
        block = self._by_hash.get(block_hash)
        return block.header if block else None

    def txids(self, block_hash: str) -> list[str] | None:
        block = self._by_hash.get(block_hash)
        return list(block.txids) if block else None

    def merkle_proof(self, txid: str) -> dict[str, Any] | None:
        """Esplora's ``/tx/:txid/merkle-proof`` answer, or None (unknown or unconfirmed)."""
        found = self._block_of.get(txid)
        if found is None:
            return None
        block = self._by_hash[found[0]]
        return {"block_height": block.height, "merkle": merkle_branch(list(block.txids), found[1]), "pos": found[1]}
