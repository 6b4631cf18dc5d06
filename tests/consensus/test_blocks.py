"""Headers and Merkle proofs against known vectors: the genesis header (hash, time, proof of
work at its own bits) and a real eight-level Merkle branch; a synthetic block's every branch."""

import pytest

from btctrace.consensus.blocks import (
    header_bytes,
    merkle_branch,
    merkle_root,
    merkle_root_of_branch,
    parse_header,
    target_of_bits,
)

GENESIS = ("0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617f"
           "c81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c")
# A real transaction's branch, with its block's Merkle root (block 00000000000004e1...bf4f)
BRANCH_TXID = "ff4d80f428d244bbd313d14f6b3502e740f3e1dc4768b3115b8cf3734e586856"
BRANCH_ROOT = "847e947a615689a7b4c0bf09ad85c20c6206d1eab25d11d78cde0a298525674f"
BRANCH = ["0bd3573b03203754d77f7d6c47a35e81d53bf149f015ad43ceae1e7a14b2a1d2",
          "e32b529f9573bd30443ee499c96756fa605a3041845e4628e0aab49833598e9e",
          "1efc9dc86232dc76ab61cd6bda4e9507db5da9ef1aaba760e15b108b66a0f093",
          "a9ed5525642b47cbe3abe4242da3f0fdbc60b86e2ead1be4b22002f4207f9a62",
          "487859b95cccaddc17172c0c02ebdb234ff25e9e3c6ba2f7dd8036d0eb9dcdad",
          "c86e37aaa832608ec063e740edea0c6d9507057d00ec904be4a34c2f1fe932dc",
          "3d40e87a98db919283965773b132105cc33ca3123ed2cc562c2de98c6f3385a7",
          "c0d43f577fde226685f3a208889e7039d1cf786320218f3d565cb468ccdde511"]


def test_the_genesis_header():
    header = parse_header(GENESIS)
    assert header.hash == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    assert header.merkle_root == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
    assert (header.time, header.bits, header.nonce) == (1_231_006_505, 0x1D00FFFF, 2_083_236_893)
    assert header.meets_its_target


def test_a_header_with_its_time_moved_has_another_hash_and_no_proof_of_work():
    h = parse_header(GENESIS)
    moved = parse_header(header_bytes(h.version, h.prev_hash, h.merkle_root, h.time + 600, h.bits, h.nonce).hex())
    assert moved.hash != h.hash and not moved.meets_its_target


def test_targets_of_bits():
    assert target_of_bits(0x1D00FFFF) == 0xFFFF << 208
    assert target_of_bits(0x04923456) == 0  # negative (sign bit set)
    assert target_of_bits(0xFF123456) == 0  # overflow


def test_a_real_merkle_branch_reaches_its_root():
    assert merkle_root_of_branch(BRANCH_TXID, BRANCH, 3) == BRANCH_ROOT
    assert merkle_root_of_branch(BRANCH_TXID, BRANCH, 2) != BRANCH_ROOT  # the wrong side at one level


@pytest.mark.parametrize("count", [1, 2, 3, 7, 16])
def test_every_branch_of_a_block_reaches_its_root(count):
    txids = [f"{i:064x}" for i in range(1, count + 1)]
    root = merkle_root(txids)
    assert all(merkle_root_of_branch(t, merkle_branch(txids, i), i) == root for i, t in enumerate(txids))


def test_not_a_header():
    with pytest.raises(ValueError):
        parse_header(GENESIS[:-2])
