"""CoinJoin detectors: each protocol's shape is found, ordinary shapes are not, and the real
Whirlpool Tx0 and mix from ../shared get the right verdicts."""

import json

import pytest

from btctrace.heuristics.coinjoin import (
    WABISABI_DENOMINATIONS,
    detect_coinjoin,
    detect_generic,
    detect_joinmarket,
    detect_wabisabi,
    detect_wasabi1,
    detect_whirlpool_mix,
    detect_whirlpool_tx0,
)
from btctrace.providers.esplora.mapping import tx_from_json
from tests.heuristics.shapes import addresses, make_tx

COIN = 100_000_000


def whirlpool_mix(denomination=1_000_000, n=5, entrants=2):
    ins = [(a, denomination + (30_000 if i < entrants else 0)) for i, a in enumerate(addresses("in", n))]
    return make_tx(ins, [(a, denomination) for a in addresses("out", n)])


def test_whirlpool_mix():
    finding = detect_coinjoin(whirlpool_mix())
    assert finding.heuristic == "coinjoin.whirlpool_mix" and "2 new entrants" in finding.reason
    assert detect_whirlpool_mix(whirlpool_mix(n=4)) is None  # too few
    assert detect_whirlpool_mix(whirlpool_mix(denomination=2_000_000)) is None  # not a pool
    mix = whirlpool_mix()
    over = make_tx([("x", 1_000_000 + 200_000)] + [(i.address, i.value) for i in mix.inputs[1:]],
                   [(o.address, o.value) for o in mix.outputs])
    assert detect_whirlpool_mix(over) is None  # an input above d + 110,000


def test_whirlpool_tx0():
    outs = [(None, 0), ("fee", 175_000), ("change", 1_234_567)] + [(a, 5_010_000) for a in addresses("pre", 10)]
    tx0 = make_tx([("wallet", 52_000_000)], outs)
    assert detect_coinjoin(tx0).heuristic == "coinjoin.whirlpool_tx0"
    assert detect_whirlpool_tx0(make_tx([("w", 52_000_000)], outs[1:])) is None  # no OP_RETURN
    no_fee = [o for o in outs if o[0] != "fee"]
    assert detect_whirlpool_tx0(make_tx([("w", 52_000_000)], no_fee)) is None


def test_wasabi1():
    ins = [(a, 12_000_000) for a in addresses("in", 30)]
    outs = [(a, 10_003_000) for a in addresses("mix", 25)] + [(a, 1_500_000) for a in addresses("chg", 5)]
    assert detect_coinjoin(make_tx(ins, outs)).heuristic == "coinjoin.wasabi1"
    assert detect_wasabi1(make_tx(ins[:9], outs)) is None  # fewer than 10 inputs
    reused = [("same", 12_000_000)] * 5 + ins[5:]
    assert detect_wasabi1(make_tx(reused, outs)) is None  # one owner holds > 10 % of inputs


def test_wabisabi():
    tiers = [5_000_000, 2_000_000, 1_048_576, 531_441]
    assert all(t in WABISABI_DENOMINATIONS for t in tiers)
    outs = [(f"o{t}-{k}", t) for t in tiers for k in range(6)] + [("change1", 777_777), ("change2", 123_457)]
    ins = [(a, 2_700_000) for a in addresses("in", 25)]
    assert detect_coinjoin(make_tx(ins, outs)).heuristic == "coinjoin.wabisabi"
    assert detect_wabisabi(make_tx(ins[:19], outs)) is None
    assert detect_wabisabi(make_tx(ins, outs + [("dust", 4_000)])) is None  # an output below 5,000 sat


def test_joinmarket_and_the_exchange_batch_it_must_not_match():
    ins = [(a, 60_000_000) for a in addresses("maker", 4)] + [("taker", 55_000_000)]
    outs = [(a, 50_000_000) for a in addresses("cj", 5)] + [(a, 9_990_000) for a in addresses("chg", 4)]
    assert detect_coinjoin(make_tx(ins, outs)).heuristic == "coinjoin.joinmarket"
    batch_ins = [(f"hot{i}", 40_000_000) for i in range(60)]
    batch_outs = [(a, 10_000_000) for a in addresses("user", 62)] + [("hotchange", 1_000_000)]
    assert detect_joinmarket(make_tx(batch_ins, batch_outs)) is None


def test_generic_equal_output_rule():
    ins = [(a, 2 * COIN) for a in addresses("in", 3)]
    outs = [(a, COIN) for a in addresses("eq", 3)] + [(a, COIN - 1_000 * (k + 1)) for k, a in enumerate(addresses("c", 3))]
    assert detect_generic(make_tx(ins, outs)) is not None
    dust = [(a, 546) for a in addresses("d", 3)] + [(a, 5 * COIN) for a in addresses("c", 3)]
    assert detect_generic(make_tx(ins, dust)) is None
    one_owner = [("same", 2 * COIN)] * 3
    assert detect_generic(make_tx(one_owner, outs)) is None


@pytest.mark.parametrize("shape", [
    ([("a", COIN)], [("b", 60_000_000), ("c", 39_990_000)]),  # payment with change
    ([("a", COIN), ("b", COIN)], [("c", 199_990_000)]),  # consolidation
    ([("a", 10 * COIN)], [(f"u{i}", 10_000_000) for i in range(40)] + [("a", 5 * COIN)]),  # batch payout
])
def test_ordinary_shapes_are_not_coinjoins(shape):
    assert detect_coinjoin(make_tx(*shape)) is None


def test_coinbase_is_never_a_coinjoin():
    from btctrace.model import Tx, TxIn, TxOut, TxStatus

    coinbase = Tx("ab" * 32, 2, 0, 100, 400, 0, (TxIn(0, None, None, 0, None, "coinbase", 0, True),),
                  tuple(TxOut(i, 1_000, "p2wpkh", f"m{i}") for i in range(4)), TxStatus(True, 1, "", 1))
    assert detect_coinjoin(coinbase) is None


def test_real_whirlpool_transactions(colonial_dir):
    tx0 = tx_from_json(json.loads((colonial_dir / "coinjoin_tx0.json").read_text()))
    mix = tx_from_json(json.loads((colonial_dir / "coinjoin_tx.json").read_text()))
    assert detect_coinjoin(tx0).heuristic == "coinjoin.whirlpool_tx0" and "5000000 sat pool" in detect_coinjoin(tx0).reason
    assert detect_coinjoin(mix).heuristic == "coinjoin.whirlpool_mix"
    assert mix.inputs[0].prev_txid == tx0.txid  # the mix spends the Tx0's premix output


def test_real_ordinary_transactions_are_not_flagged(colonial_dir):
    ordinary = []
    for path in sorted(colonial_dir.glob("*_txs.json")):
        ordinary += json.loads(path.read_text())
    for name in ("bitfinex_theft_tx.json", "bitfinex_seizure_tx.json"):
        ordinary.append(json.loads((colonial_dir / name).read_text()))
    flagged = [raw["txid"] for raw in ordinary if detect_coinjoin(tx_from_json(raw))]
    assert len(ordinary) >= 15 and flagged == []


def test_demo_coinjoin_is_found_and_nothing_else(demo):
    found = {txid for txid, raw in demo.store.txs.items() if detect_coinjoin(tx_from_json(raw))}
    assert found == {demo.coinjoin_txid}


def test_stonewall_shape_is_caught_by_the_generic_rule():
    """Samourai Stonewall (two equal outputs, inputs possibly from two owners) needs no detector
    of its own: the generic equal-output rule already keeps it out of common-input clustering."""
    tx = make_tx([("alice", 3_000_000), ("bob", 2_500_000)],
                 [("p1", 1_000_000), ("p2", 1_000_000), ("c1", 1_990_000), ("c2", 1_490_000)])
    assert detect_coinjoin(tx).heuristic == "coinjoin.generic"
