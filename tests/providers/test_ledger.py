"""Checks between answers (btctrace/providers/ledger.py): a spender and what it spends must tell
the same story, whichever of the two the trace takes in first, and every pair is counted once."""

import copy
import json

import pytest

from btctrace.model import Outspend
from btctrace.providers.checks import CheckFailure
from btctrace.providers.esplora.mapping import outspends_from_json, tx_from_json
from btctrace.providers.ledger import AnswerLedger

TX0 = "333f45431e47b9543772013ac83a9b33cc58dc3245ccfd48b972107bb8405c13"  # Whirlpool Tx0
MIX = "323df21f0b0756f98336437aa3d2fb87e02b59f1946b714a7b09df04d429dec2"  # its input 0 spends Tx0:8


@pytest.fixture
def whirlpool(colonial_dir):
    """The real Whirlpool Tx0 and the mix whose input 0 spends Tx0 output 8 (raw Esplora JSON)."""
    return (json.loads((colonial_dir / "coinjoin_tx0.json").read_text()),
            json.loads((colonial_dir / "coinjoin_tx.json").read_text()))


def admit(ledger, *raw):
    for obj in raw:
        ledger.admit_tx(ledger.accept_tx(tx_from_json(obj)))


def refusal(earlier, later):
    """The failure met admitting raw transaction *later* after the raw transactions *earlier*;
    the refused one is never taken in."""
    ledger = AnswerLedger()
    admit(ledger, *earlier)
    with pytest.raises(CheckFailure) as raised:
        admit(ledger, later)
    assert ledger.admitted(later["txid"]) is None
    return raised.value


def passed(ledger, name):
    return next(c["passed"] for c in ledger.summary()["checks"] if c["check"] == name)


@pytest.mark.parametrize("order", ["funder first", "spender first"])
def test_a_real_spend_agrees_in_either_order_and_is_counted_once(whirlpool, order):
    tx0, mix = whirlpool
    ledger = AnswerLedger()
    admit(ledger, *((tx0, mix) if order == "funder first" else (mix, tx0)))
    assert passed(ledger, "prevout_agrees") == 1 and passed(ledger, "spend_order") == 1
    assert passed(ledger, "acyclic") == 2 and passed(ledger, "txid") == 2


@pytest.mark.parametrize("order", ["funder first", "spender first"])
@pytest.mark.parametrize("field,value", [("value", 5_010_001), ("scriptpubkey_address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")])
def test_a_prevout_that_disagrees_with_the_funding_output_is_refused(whirlpool, order, field, value):
    tx0, mix = whirlpool
    lied = copy.deepcopy(mix)
    lied["vin"][0]["prevout"][field] = value
    lied["fee"] += lied["vin"][0]["prevout"]["value"] - mix["vin"][0]["prevout"]["value"]  # money still adds up
    first, second = (tx0, lied) if order == "funder first" else (lied, tx0)
    failure = refusal([first], second)
    assert failure.check == "prevout_agrees" and failure.subject == MIX
    assert f"spends {TX0}:8" in failure.detail and "the output is 5,010,000 sat" in failure.detail


def test_a_prevout_of_an_output_the_funder_does_not_have_is_refused(whirlpool):
    tx0, mix = whirlpool
    lied = copy.deepcopy(mix)
    lied["vin"][0]["vout"] = 99
    assert "that transaction has 19 outputs" in refusal([tx0], lied).detail


def test_a_spender_in_an_earlier_block_than_what_it_spends_is_refused(whirlpool):
    tx0, mix = whirlpool
    lied = copy.deepcopy(mix)
    lied["status"]["block_height"] = tx0["status"]["block_height"] - 1
    failure = refusal([tx0], lied)
    assert failure.check == "spend_order" and "before block 574,556" in failure.detail


def test_a_confirmed_spender_of_an_unconfirmed_transaction_is_refused(whirlpool):
    tx0, mix = whirlpool
    unconfirmed = copy.deepcopy(tx0)
    unconfirmed["status"] = {"confirmed": False}
    assert "confirmed, but what it spends is not" in refusal([mix], unconfirmed).detail


def _outspends(tx0, mix):
    entries = [{"spent": False} for _ in tx0["vout"]]
    entries[8] = {"spent": True, "txid": MIX, "vin": 0}
    return outspends_from_json(entries)


def test_outspends_and_the_spender_agree_in_either_order(whirlpool):
    tx0, mix = whirlpool
    ledger = AnswerLedger()
    admit(ledger, tx0)
    ledger.admit_outspends(TX0, _outspends(tx0, mix))
    admit(ledger, mix)
    other = AnswerLedger()
    admit(other, tx0, mix)
    other.admit_outspends(TX0, _outspends(tx0, mix))
    assert passed(ledger, "spender_spends") == passed(other, "spender_spends") == 1


@pytest.mark.parametrize("entry,said", [
    ({"spent": False}, "unspent"),
    ({"spent": True, "txid": MIX, "vin": 3}, f"name {MIX} input 3 as the spender of output 8"),
    ({"spent": True, "txid": "cd" * 32, "vin": 0}, f"spent by {'cd' * 32}:0"),
])
def test_outspends_that_contradict_a_traced_spender_are_refused_in_either_order(whirlpool, entry, said):
    tx0, mix = whirlpool
    entries = [{"spent": False} for _ in tx0["vout"]]
    entries[8] = entry
    lying = outspends_from_json(entries)
    ledger = AnswerLedger()
    admit(ledger, tx0, mix)
    with pytest.raises(CheckFailure) as raised:
        ledger.admit_outspends(TX0, lying)
    assert raised.value.check == "spender_spends" and said in raised.value.detail
    if entry.get("txid") != MIX:
        return
    earlier = AnswerLedger()  # the outspends first, then the spender they misname
    admit(earlier, tx0)
    earlier.admit_outspends(TX0, lying)
    with pytest.raises(CheckFailure, match="spender_spends|name"):
        admit(earlier, mix)


def test_outspends_naming_a_transaction_that_spends_something_else_are_refused(whirlpool):
    tx0, mix = whirlpool
    entries = [{"spent": False} for _ in tx0["vout"]]
    entries[8] = {"spent": True, "txid": MIX, "vin": 0}
    entries[2] = {"spent": True, "txid": MIX, "vin": 1}  # the mix's input 1 spends another coin
    ledger = AnswerLedger()
    admit(ledger, tx0)
    ledger.admit_outspends(TX0, outspends_from_json(entries))
    with pytest.raises(CheckFailure) as raised:
        admit(ledger, mix)
    assert raised.value.check == "spender_spends" and "input 1 as the spender of output 2" in raised.value.detail


def test_two_traced_transactions_spending_one_output_are_refused(whirlpool):
    tx0, mix = whirlpool
    double = copy.deepcopy(mix)
    double["txid"] = "ef" * 32
    assert f"which traced transaction {MIX} spends too" in refusal([tx0, mix], double).detail


def test_a_cycle_among_traced_transactions_is_refused(builder):
    a_address, b_address = builder.address("p2wpkh"), builder.address("p2wpkh")
    coin = builder.coinbase(800_000, a_address, 5_000_000_000)
    a = builder.spend(800_101, [coin], [(b_address, 1_000_000)], change=a_address)
    b = builder.spend(800_101, [a[0]], [(a_address, 900_000)])
    a_raw, b_raw = (copy.deepcopy(builder.store.tx(t)) for t in (a[0].txid, b[0].txid))
    # The lie: A also spends B's output 0, in the same block, with money still adding up.
    a_raw["vin"].append({"txid": b_raw["txid"], "vout": 0, "prevout": copy.deepcopy(b_raw["vout"][0]),
                         "is_coinbase": False, "sequence": 0})
    a_raw["fee"] += b_raw["vout"][0]["value"]
    failure = refusal([a_raw], b_raw)
    assert failure.check == "acyclic" and a_raw["txid"] in failure.detail


def test_admitting_twice_counts_once(whirlpool):
    tx0, mix = whirlpool
    ledger = AnswerLedger()
    admit(ledger, tx0, mix, mix, tx0)
    assert passed(ledger, "txid") == 2 and passed(ledger, "prevout_agrees") == 1 and passed(ledger, "acyclic") == 2


def test_the_summary_lists_every_counted_check_in_order(whirlpool):
    tx0, mix = whirlpool
    ledger = AnswerLedger("mainnet")
    admit(ledger, tx0)
    ledger.accept_outspends(tx_from_json(tx0), tuple(Outspend(i, False) for i in range(len(tx0["vout"]))))
    summary = ledger.summary()
    assert summary["network"] == "mainnet"
    names = [c["check"] for c in summary["checks"]]
    assert names[:2] == ["txid", "value_range"] and "shape" not in names and len(names) == len(set(names))
    assert {c["check"]: c["passed"] for c in summary["checks"]}["outspends_length"] == 1
