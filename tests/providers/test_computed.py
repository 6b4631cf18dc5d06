"""The recomputed checks on real answers: the Colonial Pipeline ransom address's history with its
75 BTC payment left out is refused (its spender, listed, spends it); its real chain_stats add up;
an address swapped in a real answer is refused though its script type fits; headers and Merkle
proofs are proven or refused."""

import copy
import json
from dataclasses import replace

import pytest

from btctrace.consensus.blocks import header_bytes, merkle_branch, merkle_root, parse_header
from btctrace.model import TxStatus
from btctrace.providers.checks import AddressValidator, CheckFailure
from btctrace.providers.computed import (
    check_block_time,
    check_block_txids,
    check_header,
    check_history_complete,
    check_merkle_proof,
    check_scripts,
    check_stats_add_up,
    check_tx_bytes,
)
from btctrace.providers.esplora.mapping import address_stats_from_history, address_stats_from_json, tx_from_json
from btctrace.testing.blocks import EASIEST_BITS
from tests.consensus.test_blocks import GENESIS

RANSOM = "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"
PAYMENT = "6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2"


@pytest.fixture
def ransom_history(colonial_dir):
    return json.loads((colonial_dir / "colonial_ransom_txs.json").read_text())


def _refused(check, call, *args):
    with pytest.raises(CheckFailure) as raised:
        call(*args)
    assert raised.value.check == check
    return raised.value


def test_real_answers_pass(ransom_history):
    for raw in ransom_history:
        check_tx_bytes(raw)
        check_scripts(raw, AddressValidator())


def test_a_swapped_output_address_of_the_same_type_is_refused(ransom_history):
    raw = copy.deepcopy(next(t for t in ransom_history if t["txid"] == PAYMENT))
    out = raw["vout"][3]
    assert out["scriptpubkey_address"] == RANSOM
    out["scriptpubkey_address"] = "1DToN8Q6y31TGAz75Df729Bnujk6Xg7q5X"  # P2PKH too, another key's
    failure = _refused("address_matches_script", check_scripts, raw, AddressValidator())
    assert "output 3" in failure.detail
    check_tx_bytes(raw)  # the address is not in the bytes: only its script proves it


def test_an_address_hidden_or_a_type_renamed_is_refused(ransom_history):
    raw = copy.deepcopy(ransom_history[0])
    raw["vout"][0].pop("scriptpubkey_address")
    _refused("address_matches_script", check_scripts, raw, AddressValidator())
    raw = copy.deepcopy(ransom_history[0])
    raw["vout"][0]["scriptpubkey_type"] = "p2sh"
    _refused("address_matches_script", check_scripts, raw, AddressValidator())


def test_a_value_moved_from_the_fee_to_an_output_is_refused(ransom_history):
    raw = copy.deepcopy(ransom_history[0])
    raw["vout"][0]["value"] += 1_000
    raw["fee"] -= 1_000
    _refused("txid_matches", check_tx_bytes, raw)


def test_the_ransom_history_without_its_payment_is_refused(ransom_history):
    txs = [tx_from_json(raw) for raw in ransom_history]
    check_history_complete(RANSOM, txs)
    failure = _refused("history_complete", check_history_complete, RANSOM, [t for t in txs if t.txid != PAYMENT])
    assert PAYMENT in failure.detail


def test_the_real_chain_stats_add_up_and_a_changed_sum_does_not(ransom_history, colonial_dir):
    stats = address_stats_from_json(json.loads((colonial_dir / "colonial_ransom_stats.json").read_text()))
    added_up = address_stats_from_history(RANSOM, [tx_from_json(raw) for raw in ransom_history])
    check_stats_add_up(stats, added_up)
    lied = replace(stats, funded_txo_sum=stats.funded_txo_sum - 1)
    assert "funded_txo_sum" in _refused("history_complete", check_stats_add_up, lied, added_up).detail


def test_headers_are_proven_by_their_hash_and_work():
    genesis = parse_header(GENESIS)
    assert check_header(GENESIS, genesis.hash) == genesis
    _refused("header_proven", check_header, GENESIS, "00" * 32)
    _refused("header_proven", check_header, "not hex", genesis.hash)
    lazy = header_bytes(1, "00" * 32, genesis.merkle_root, genesis.time, 0x1D00FFFF, 1).hex()
    _refused("header_proven", check_header, lazy, parse_header(lazy).hash)


def _synthetic_block(txids):
    for nonce in range(100):
        header = parse_header(header_bytes(0x20000000, "00" * 32, merkle_root(txids), 1_700_000_000, EASIEST_BITS,
                                           nonce).hex())
        if header.meets_its_target:
            return header
    raise AssertionError


def test_block_time_and_merkle_proof(ransom_history):
    tx = tx_from_json(ransom_history[0])
    txids = [f"{i:064x}" for i in range(5)] + [tx.txid]
    header = _synthetic_block(txids)
    tx = replace(tx, status=TxStatus(True, 900_000, header.hash, header.time))
    check_block_time(tx, header)
    proof = {"block_height": 900_000, "merkle": merkle_branch(txids, 5), "pos": 5}
    check_merkle_proof(tx, proof, header)
    _refused("merkle_proven", check_merkle_proof, tx, {**proof, "pos": 4}, header)
    _refused("merkle_proven", check_merkle_proof, tx, {**proof, "block_height": 900_001}, header)
    _refused("merkle_proven", check_merkle_proof, tx, {"merkle": "x"}, header)
    moved = replace(tx, status=TxStatus(True, 900_000, header.hash, header.time + 600))
    _refused("block_time_proven", check_block_time, moved, header)


def test_a_blocks_txid_list_proves_its_members_and_nothing_else(ransom_history):
    tx = tx_from_json(ransom_history[0])
    txids = [f"{i:064x}" for i in range(1, 8)] + [tx.txid]
    header = _synthetic_block(txids)
    check_block_txids(txids, header, [tx])
    _refused("merkle_proven", check_block_txids, txids[:-1], header, [tx])  # another root
    stranger = tx_from_json(ransom_history[1])
    assert "do not include it" in _refused("merkle_proven", check_block_txids, txids, header, [stranger]).detail
    _refused("merkle_proven", check_block_txids, [t.upper() for t in txids], header, [tx])


def test_past_the_mempool_page_an_unconfirmed_spenders_funder_may_be_unlisted(ransom_history):
    """Explorers list 50 unconfirmed transactions at most: an unconfirmed spender of the 51st is
    no contradiction; a confirmed spender of a missing transaction still is."""
    txs = [tx_from_json(raw) for raw in ransom_history]
    forward = next(t for t in txs if t.txid != PAYMENT and any(i.prev_txid == PAYMENT for i in t.inputs))
    unconfirmed = replace(forward, status=TxStatus(False))
    strangers = [replace(txs[0], txid=f"{n:064x}", status=TxStatus(False)) for n in range(49)]
    check_history_complete(RANSOM, [unconfirmed, *strangers])  # 50 unconfirmed listed: the page is full
    _refused("history_complete", check_history_complete, RANSOM, [unconfirmed, *strangers[:10]])
    _refused("history_complete", check_history_complete, RANSOM, [forward, *strangers])
