"""The pure mapper, on Esplora JSON shaped as documented (Blockstream esplora API.md) and on the
real Colonial Pipeline responses in ../shared (read at test time, never copied)."""

import json

import pytest

from btctrace.providers.esplora.mapping import (
    address_stats_from_json,
    outspends_from_json,
    status_from_json,
    tx_from_json,
)

TXID = "ab" * 32
COINBASE_TX = {
    "txid": TXID, "version": 2, "locktime": 0, "size": 200, "weight": 692, "fee": 0,
    "vin": [{"txid": "0" * 64, "vout": 4294967295, "prevout": None, "scriptsig": "03a0bb0d", "scriptsig_asm": "",
             "witness": ["00" * 32], "is_coinbase": True, "sequence": 4294967295}],
    "vout": [
        {"scriptpubkey": "0014" + "11" * 20, "scriptpubkey_asm": "", "scriptpubkey_type": "v0_p2wpkh",
         "scriptpubkey_address": "bc1qzyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3r8y8t4", "value": 312_500_000},
        {"scriptpubkey": "6a24aa21a9ed", "scriptpubkey_asm": "OP_RETURN", "scriptpubkey_type": "op_return", "value": 0},
    ],
    "status": {"confirmed": True, "block_height": 900_000, "block_hash": "00" * 32, "block_time": 1_747_000_000},
}


def test_coinbase_input_has_no_prevout_and_zero_value():
    tx = tx_from_json(COINBASE_TX)
    assert tx.is_coinbase
    assert tx.inputs[0].prev_txid is None and tx.inputs[0].value == 0
    assert tx.outputs[0].script_type == "p2wpkh"
    assert tx.outputs[1].address is None and tx.outputs[1].script_type == "op_return"
    assert tx.block_height == 900_000 and tx.block_time == 1_747_000_000


def test_unconfirmed_status_omits_optional_keys():
    status = status_from_json({"confirmed": False})
    assert not status.confirmed and status.block_height is None and status.block_time is None
    tx = tx_from_json({**COINBASE_TX, "status": {"confirmed": False}})
    assert tx.block_time is None and not tx.status.confirmed


def test_float_amounts_are_refused():
    bad = json.loads(json.dumps(COINBASE_TX))
    bad["vout"][0]["value"] = 3.125
    with pytest.raises(ValueError, match="integer"):
        tx_from_json(bad)


@pytest.mark.parametrize("broken", [{}, [], "Transaction not found", {"txid": TXID}])
def test_non_transactions_are_refused(broken):
    with pytest.raises(ValueError):
        tx_from_json(broken)


def test_outspends_carry_the_spending_input():
    spends = outspends_from_json([
        {"spent": True, "txid": "cd" * 32, "vin": 3, "status": COINBASE_TX["status"]},
        {"spent": False},
    ])
    assert spends[0].spent and spends[0].txid == "cd" * 32 and spends[0].vin == 3
    assert spends[0].status.block_height == 900_000
    assert not spends[1].spent and spends[1].txid is None
    with pytest.raises(ValueError):
        outspends_from_json({"spent": False})


def test_address_stats_balance():
    stats = address_stats_from_json({
        "address": "a", "chain_stats": {"tx_count": 3, "funded_txo_count": 2, "funded_txo_sum": 7_500_050_000,
                                        "spent_txo_count": 2, "spent_txo_sum": 7_500_050_000},
        "mempool_stats": {"tx_count": 1}})
    assert stats.tx_count == 3 and stats.balance == 0 and stats.mempool_tx_count == 1


def test_real_colonial_ransom_payment_maps_to_the_satoshi(colonial_dir):
    txs = {t["txid"]: t for t in json.loads((colonial_dir / "colonial_ransom_txs.json").read_text())}
    payment = tx_from_json(txs["6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2"])
    assert payment.outputs[3].address == "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"
    assert payment.outputs[3].value == 7_500_030_000
    assert payment.block_height == 682_599 and payment.block_time == 1_620_493_977
    forward = tx_from_json(txs["915fb4f0a030937f2c1d2210996e8eb32b5a41b331965c7ec78961923775bd62"])
    assert forward.input_value - forward.output_value == forward.fee == 14_061
    assert [(i.prev_txid[:8], i.prev_vout) for i in forward.inputs] == [("61689f0c", 0), ("6a798026", 3)]


def test_real_colonial_address_stats(colonial_dir):
    stats = address_stats_from_json(json.loads((colonial_dir / "colonial_ransom_stats.json").read_text()))
    assert stats.tx_count == 3 and stats.funded_txo_sum == 7_500_050_000 and stats.balance == 0
