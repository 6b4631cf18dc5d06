"""Transaction bytes from Esplora JSON: every real transaction in ../shared (legacy P2PKH, P2SH,
segwit v0, taproot outputs, a 562-input seizure) hashes to its txid and makes its size and
weight; embit's serialiser gives the same txids; any change to a committed field changes them."""

import copy
import json

import pytest
from embit.script import Script, Witness
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from btctrace.consensus.transactions import compact_size, tx_bytes, txid_of


def _real_txs(colonial_dir):
    txs = []
    for path in sorted(colonial_dir.glob("*.json")):
        data = json.loads(path.read_text())
        txs += [t for t in (data if isinstance(data, list) else [data]) if isinstance(t, dict) and "vin" in t]
    return txs


def _embit_txid(raw):
    vin = [TransactionInput(bytes.fromhex(i["txid"]), i["vout"], Script(bytes.fromhex(i["scriptsig"])), i["sequence"],
                            Witness([bytes.fromhex(w) for w in i.get("witness", [])])) for i in raw["vin"]]
    vout = [TransactionOutput(o["value"], Script(bytes.fromhex(o["scriptpubkey"]))) for o in raw["vout"]]
    return Transaction(raw["version"], vin, vout, raw["locktime"]).txid().hex()


def test_every_real_transaction_hashes_to_its_txid_size_and_weight(colonial_dir):
    txs = _real_txs(colonial_dir)
    assert len(txs) >= 17
    kinds = {o["scriptpubkey_type"] for t in txs for o in t["vout"]} | \
        {i["prevout"]["scriptpubkey_type"] for t in txs for i in t["vin"] if i.get("prevout")}
    assert {"p2pkh", "p2sh", "v0_p2wpkh", "v0_p2wsh", "v1_p2tr", "op_return"} <= kinds
    assert any(not any(i.get("witness") for i in t["vin"]) for t in txs)  # legacy serialisation too
    for raw in txs:
        computed = tx_bytes(raw)
        assert (computed.txid, computed.size, computed.weight) == (raw["txid"], raw["size"], raw["weight"])


def test_embit_serialises_the_same_txids(colonial_dir):
    for raw in _real_txs(colonial_dir):
        if not any(i.get("is_coinbase") for i in raw["vin"]):
            assert _embit_txid(raw) == txid_of(raw)


@pytest.mark.parametrize("change", ["output value", "input order", "scriptsig", "locktime", "sequence",
                                    "output script"])
def test_a_change_to_any_committed_field_changes_the_txid(colonial_dir, change):
    raw = next(t for t in _real_txs(colonial_dir) if len(t["vin"]) > 1 and t["vin"][0]["scriptsig"])
    lied = copy.deepcopy(raw)
    if change == "output value":
        lied["vout"][0]["value"] += 1
    elif change == "input order":
        lied["vin"].reverse()
    elif change == "scriptsig":
        lied["vin"][0]["scriptsig"] = "00" + lied["vin"][0]["scriptsig"][2:]
    elif change == "locktime":
        lied["locktime"] += 1
    elif change == "sequence":
        lied["vin"][0]["sequence"] ^= 1
    else:
        lied["vout"][0]["scriptpubkey"] = lied["vout"][0]["scriptpubkey"][:-2] + "00"
    assert txid_of(lied) != raw["txid"]


def test_witnesses_change_size_and_weight_but_never_the_txid(colonial_dir):
    raw = next(t for t in _real_txs(colonial_dir) if any(i.get("witness") for i in t["vin"]))
    lied = copy.deepcopy(raw)
    lied["vin"][0]["witness"] = lied["vin"][0]["witness"] + ["00"]
    assert tx_bytes(lied).txid == raw["txid"] and tx_bytes(lied).size == raw["size"] + 2


def test_compact_size_boundaries():
    assert [compact_size(n).hex() for n in (0, 252, 253, 65535, 65536, 2**32)] == \
        ["00", "fc", "fdfd00", "fdffff", "fe00000100", "ff0000000001000000"]


@pytest.mark.parametrize("field,value", [("version", "2"), ("locktime", -1), ("vin", None)])
def test_fields_of_the_wrong_type_are_named(field, value):
    raw = {"version": 2, "locktime": 0, "vin": [], "vout": []}
    raw[field] = value
    with pytest.raises(ValueError):
        tx_bytes(raw)
