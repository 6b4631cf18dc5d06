"""Block headers and Merkle proofs: what ties a transaction to a block, and a block to its time.

A header is 80 bytes (Bitcoin Core ``primitives/block.h``): version, previous block hash, Merkle
root, time, bits, nonce, little-endian. Its double SHA-256, byte-reversed, is the block hash;
proof of work means that hash, read as a number, is at most the target the compact ``bits``
encode (``arith_uint256::SetCompact``). A transaction is in the block when hashing its txid up
the Merkle branch Esplora's ``/tx/:txid/merkle-proof`` gives (Electrum's format: sibling hashes
in display order, ``pos`` the transaction's index, whose bits say left or right at each level)
reaches the header's Merkle root. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from btctrace.consensus.transactions import double_sha256

__all__ = ["BlockHeader", "parse_header", "header_bytes", "target_of_bits", "merkle_root_of_branch",
           "merkle_root", "merkle_branch"]

HEADER_BYTES = 80


@dataclass(frozen=True, slots=True)
class BlockHeader:
    hash: str  # display hex (byte-reversed double SHA-256 of the 80 bytes)
    version: int
    prev_hash: str
    merkle_root: str  # display hex
    time: int
    bits: int
    nonce: int

    @property
    def target(self) -> int:
        return target_of_bits(self.bits)

    @property
    def meets_its_target(self) -> bool:
        """Proof of work: the hash is at most the (positive) target its own bits state."""
        return 0 < self.target and int(self.hash, 16) <= self.target


def parse_header(text: str) -> BlockHeader:
    """The header in hex *text* (Esplora's ``/block/:hash/header``); ValueError unless 80 bytes."""
    raw = bytes.fromhex(text.strip())
    if len(raw) != HEADER_BYTES:
        raise ValueError(f"a block header is {HEADER_BYTES} bytes, this is {len(raw)}")
    word = lambda at: int.from_bytes(raw[at:at + 4], "little")  # noqa: E731
    return BlockHeader(double_sha256(raw)[::-1].hex(), word(0), raw[4:36][::-1].hex(), raw[36:68][::-1].hex(),
                       word(68), word(72), word(76))


def header_bytes(version: int, prev_hash: str, merkle_root_hex: str, time: int, bits: int, nonce: int) -> bytes:
    """The 80 bytes of a header from its fields (hashes in display hex)."""
    return (version.to_bytes(4, "little") + bytes.fromhex(prev_hash)[::-1] + bytes.fromhex(merkle_root_hex)[::-1]
            + time.to_bytes(4, "little") + bits.to_bytes(4, "little") + nonce.to_bytes(4, "little"))


def target_of_bits(bits: int) -> int:
    """The target compact *bits* encode; 0 for a negative or overflowing encoding (which no
    header may use: Bitcoin Core ``CheckProofOfWork`` refuses them)."""
    exponent, mantissa = bits >> 24, bits & 0x007FFFFF
    if bits & 0x00800000 and mantissa:
        return 0  # negative
    target = mantissa >> 8 * (3 - exponent) if exponent <= 3 else mantissa << 8 * (exponent - 3)
    return target if target < 1 << 256 else 0


def _pair(left: bytes, right: bytes) -> bytes:
    return double_sha256(left + right)


def merkle_root_of_branch(txid: str, branch: list[str], pos: int) -> str:
    """The Merkle root (display hex) *txid* reaches up *branch* from index *pos*."""
    node = bytes.fromhex(txid)[::-1]
    for sibling_hex in branch:
        sibling = bytes.fromhex(sibling_hex)[::-1]
        if len(sibling) != 32:
            raise ValueError("a Merkle branch hash is not 32 bytes")
        node = _pair(sibling, node) if pos & 1 else _pair(node, sibling)
        pos >>= 1
    return node[::-1].hex()


def _levels(txids: list[str]) -> list[list[bytes]]:
    level = [bytes.fromhex(t)[::-1] for t in txids]
    levels = [level]
    while len(level) > 1:
        if len(level) % 2:
            level = level + [level[-1]]  # an odd level pairs its last hash with itself
            levels[-1] = level
        level = [_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def merkle_root(txids: list[str]) -> str:
    """The Merkle root (display hex) of a block whose transactions are *txids*, in order."""
    return _levels(txids)[-1][0][::-1].hex()


def merkle_branch(txids: list[str], index: int) -> list[str]:
    """The branch (display hex, Electrum's order) from transaction *index* to the root."""
    branch = []
    for level in _levels(txids)[:-1]:
        branch.append(level[index ^ 1][::-1].hex())
        index >>= 1
    return branch
