"""The named checks of one explorer answer on its own (btctrace/providers/checks.py): real answers
pass every one, and each lie about a real transaction is refused by the check named for it."""

import copy
import json

import pytest

from btctrace.model import AddressStats, Outspend
from btctrace.providers.checks import (
    CHECKS,
    MAX_MONEY,
    AddressValidator,
    CheckFailure,
    check_address_stats,
    check_history_entry,
    check_outspends,
    check_price,
    check_tx,
)
from btctrace.providers.esplora.mapping import outspends_from_json, price_from_json, tx_from_json

SEIZURE = "bitfinex_seizure_tx.json"  # 562 inputs
REAL_TX_FILES = ["bitfinex_theft_tx.json", SEIZURE, "coinjoin_tx0.json", "coinjoin_tx.json"]
REAL_LISTINGS = ["colonial_ransom_txs.json", "colonial_anchor_txs.json", "colonial_fbi_txs.json", "hydra_anchor_txs.json"]
MAINNET = AddressValidator()


def real_txs(colonial_dir):
    raw = [json.loads((colonial_dir / name).read_text()) for name in REAL_TX_FILES]
    for name in REAL_LISTINGS:
        raw += json.loads((colonial_dir / name).read_text())
    return raw


def test_every_real_answer_passes_every_check(colonial_dir):
    raw = real_txs(colonial_dir)
    assert len(raw) >= 17
    for obj in raw:
        check_tx(tx_from_json(obj), MAINNET, asked=obj["txid"])


def test_every_demo_answer_passes_every_check(demo):
    for obj in demo.store.txs.values():
        tx = tx_from_json(obj)
        check_tx(tx, MAINNET, asked=tx.txid)
        check_outspends(tx, outspends_from_json(demo.store.outspends(tx.txid)))


@pytest.fixture
def seizure(colonial_dir):
    return json.loads((colonial_dir / SEIZURE).read_text())


def refused_by(obj, asked=None, validator=MAINNET):
    with pytest.raises(CheckFailure) as raised:
        check_tx(tx_from_json(obj), validator, asked=asked)
    assert raised.value.check in CHECKS
    return raised.value


def test_another_transaction_than_asked_is_refused(seizure):
    failure = refused_by(seizure, asked="ab" * 32)
    assert failure.check == "txid" and seizure["txid"] in failure.detail


def test_an_upper_case_txid_is_refused(seizure):
    lied = copy.deepcopy(seizure)
    lied["txid"] = lied["txid"].upper()
    assert refused_by(lied).check == "txid"


def test_a_fee_that_is_not_inputs_minus_outputs_is_refused_with_both_values(seizure):
    lied = copy.deepcopy(seizure)
    lied["fee"] += 1
    failure = refused_by(lied)
    assert failure.check == "money_conserved" and failure.subject == seizure["txid"]
    inputs = sum(i["prevout"]["value"] for i in seizure["vin"])
    assert f"inputs {inputs:,} sat" in failure.detail and f"fee {seizure['fee'] + 1:,} sat" in failure.detail


def test_outputs_above_inputs_are_refused(seizure):
    lied = copy.deepcopy(seizure)
    lied["vout"][0]["value"] += lied["fee"] + 1
    lied["fee"] = 0
    assert refused_by(lied).check == "money_conserved"


@pytest.mark.parametrize("value", [-1, MAX_MONEY + 1])
def test_a_value_outside_the_money_supply_is_refused(seizure, value):
    lied = copy.deepcopy(seizure)
    lied["vout"][1]["value"] = value
    assert refused_by(lied).check == "value_range"


def test_a_negative_fee_is_refused(seizure):
    lied = copy.deepcopy(seizure)
    lied["fee"] = -5
    assert refused_by(lied).check == "value_range"


def test_a_missing_fee_is_refused_but_a_coinbase_needs_none(seizure, builder):
    lied = copy.deepcopy(seizure)
    del lied["fee"]
    with pytest.raises(CheckFailure, match="no fee"):
        tx_from_json(lied)
    coin = builder.store.tx(builder.coinbase(800_000, builder.address("p2wpkh"), 5_000_000_000).txid)
    unfeed = {k: v for k, v in coin.items() if k != "fee"}
    check_tx(tx_from_json(unfeed), MAINNET)


def test_a_transaction_spending_its_own_output_is_refused(seizure):
    lied = copy.deepcopy(seizure)
    lied["vin"][3]["txid"] = lied["txid"]
    assert refused_by(lied).check == "no_self_spend"


@pytest.mark.parametrize("address,problem", [
    ({"evil": 1}, "dict"),
    (42, "int"),
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "does not parse as a mainnet address"),
    ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "does not parse"),  # one character changed: bad checksum
])
def test_an_address_that_is_not_a_valid_address_string_is_refused(seizure, address, problem):
    lied = copy.deepcopy(seizure)
    lied["vout"][0]["scriptpubkey_address"] = address
    failure = refused_by(lied)
    assert failure.check == "address" and problem in failure.detail


def test_an_address_of_another_type_than_its_script_is_refused(seizure):
    lied = copy.deepcopy(seizure)
    lied["vout"][1]["scriptpubkey_address"] = "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"  # p2pkh on a p2wpkh script
    assert "is p2pkh, its script says p2wpkh" in refused_by(lied).detail


def test_testnet_answers_pass_on_testnet(builder):
    coin = builder.store.tx(builder.coinbase(800_000, builder.address("p2wpkh"), 5_000_000_000).txid)
    lied = copy.deepcopy(coin)
    lied["vout"][0]["scriptpubkey_address"] = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
    check_tx(tx_from_json(lied), AddressValidator("testnet"))
    assert refused_by(lied).check == "address"


@pytest.mark.parametrize("status,problem", [
    ({"block_height": -1}, "outside"),
    ({"block_height": 10**9}, "more than one block a minute"),
    ({"block_time": 1_000_000_000}, "before the mainnet genesis"),
    ({"block_time": 4_102_444_800}, "more than 2 hours ahead"),
    ({"block_hash": "not a hash"}, "not 64 lower-case hex"),
])
def test_an_impossible_block_is_refused(seizure, status, problem):
    lied = copy.deepcopy(seizure)
    lied["status"].update(status)
    failure = refused_by(lied)
    assert failure.check == "block" and problem in failure.detail


def test_an_unconfirmed_transaction_has_no_block_to_check(seizure):
    lied = copy.deepcopy(seizure)
    lied["status"] = {"confirmed": False}
    check_tx(tx_from_json(lied), MAINNET)


def test_outspends_one_entry_short_or_naming_itself_are_refused(demo):
    txid = next(t for t, obj in demo.store.txs.items() if len(obj["vout"]) >= 2 and
                any(e["spent"] for e in demo.store.outspends(t)))
    tx = tx_from_json(demo.store.tx(txid))
    entries = demo.store.outspends(txid)
    with pytest.raises(CheckFailure, match=f"{len(entries) - 1} outspends entries for {len(entries)} outputs"):
        check_outspends(tx, outspends_from_json(entries[:-1]))
    spent = next(i for i, e in enumerate(entries) if e["spent"])
    selfish = [dict(e) for e in entries]
    selfish[spent]["txid"] = txid
    with pytest.raises(CheckFailure) as raised:
        check_outspends(tx, outspends_from_json(selfish))
    assert raised.value.check == "outspend_entry"
    bad = (Outspend(0, True, "xyz", 0),) + tuple(outspends_from_json(entries))[1:]
    with pytest.raises(CheckFailure, match="not a txid"):
        check_outspends(tx, bad)


def test_address_counts_of_another_address_or_spending_more_than_funded_are_refused():
    honest = AddressStats("1abc", 3, 2, 500, 1, 200)
    check_address_stats(honest, "1abc")
    with pytest.raises(CheckFailure, match="asked for 1abc"):
        check_address_stats(AddressStats("1xyz", 3, 2, 500, 1, 200), "1abc")
    with pytest.raises(CheckFailure, match="spent 1 outputs"):
        check_address_stats(AddressStats("1abc", 3, 1, 100, 1, 200), "1abc")
    with pytest.raises(CheckFailure, match="negative"):
        check_address_stats(AddressStats("1abc", -3, 1, 100, 0, 0), "1abc")


def test_a_history_entry_that_does_not_touch_the_address_is_refused(seizure):
    tx = tx_from_json(seizure)
    check_history_entry(tx, tx.outputs[0].address)
    check_history_entry(tx, tx.inputs[0].address)
    with pytest.raises(CheckFailure) as raised:
        check_history_entry(tx, "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr")
    assert raised.value.check == "history_entry"


def test_a_price_dated_after_the_time_asked_is_refused_but_the_pre_2010_stand_in_is_no_price():
    from decimal import Decimal

    assert price_from_json({"prices": [{"time": 1_620_000_000, "USD": 57000}]}, 1_620_000_001) == Decimal(57000)
    with pytest.raises(CheckFailure, match="dated 1620000001"):
        price_from_json({"prices": [{"time": 1_620_000_001, "USD": 57000}]}, 1_620_000_001)
    assert price_from_json({"prices": [{"time": 1_279_497_600, "USD": 0}]}, 1_231_006_506) is None
    with pytest.raises(CheckFailure, match="not a finite number"):
        check_price(1, Decimal("NaN"), 2)


def test_every_check_has_a_name_a_subject_and_a_rule():
    assert len(CHECKS) >= 15
    assert all(rule.name and rule.subject and rule.rule for rule in CHECKS.values())


def test_a_second_copy_of_a_transaction_must_be_the_same_but_may_have_been_mined_since(seizure):
    from dataclasses import replace

    from btctrace.model import TxStatus
    from btctrace.providers.checks import check_copy

    known = tx_from_json(seizure)
    check_copy(known, tx_from_json(seizure))
    lied = copy.deepcopy(seizure)
    lied["vout"][0]["value"] += 1
    lied["fee"] -= 1
    with pytest.raises(CheckFailure) as raised:
        check_copy(known, tx_from_json(lied))
    assert raised.value.check == "copies_agree" and "fee is 1057373; an earlier answer's is 1057374" in raised.value.detail
    pending = replace(known, status=TxStatus(confirmed=False))
    check_copy(pending, known)  # mined between two requests
    moved = replace(known, status=replace(known.status, block_height=known.block_height + 1))
    with pytest.raises(CheckFailure, match="status"):
        check_copy(known, moved)
