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


# Decisions where btctrace and graphsense-lib differed (README, "Where btctrace and graphsense-lib differ").

def test_whirlpool_mix_without_an_entrant_cannot_pay_its_fee_and_is_refused():
    assert detect_whirlpool_mix(whirlpool_mix(entrants=0)) is None


def test_whirlpool_entrant_paying_less_than_the_coordinators_miner_fee_min_is_refused():
    mix = whirlpool_mix(entrants=1)
    cheap = make_tx([(mix.inputs[0].address, 1_000_050)] + [(i.address, i.value) for i in mix.inputs[1:]],
                    [(o.address, o.value) for o in mix.outputs])
    assert detect_whirlpool_mix(cheap) is None  # 50 sat < miner-fee-min 102
    paying = make_tx([(mix.inputs[0].address, 1_000_102)] + [(i.address, i.value) for i in mix.inputs[1:]],
                     [(o.address, o.value) for o in mix.outputs])
    assert detect_whirlpool_mix(paying) is not None


def test_genesis_mix_of_new_entrants_only_is_flagged_with_lower_confidence():
    usual, genesis = detect_whirlpool_mix(whirlpool_mix(entrants=2)), detect_whirlpool_mix(whirlpool_mix(entrants=5))
    assert usual.confidence == 0.9 and genesis.confidence == 0.6 and "no remixer" in genesis.reason


def test_ten_input_whirlpool_mix_is_flagged_with_lower_confidence():
    assert detect_whirlpool_mix(whirlpool_mix(n=8)).confidence == 0.9  # 5 + 3 surge inputs
    ten = detect_whirlpool_mix(whirlpool_mix(n=10))
    assert ten.confidence == 0.6 and "10 inputs" in ten.reason
    assert detect_whirlpool_mix(whirlpool_mix(n=11)) is None


def test_tx0_with_one_premix_output_and_change_just_above_a_smaller_pool():
    outs = [(None, 0), ("fee", 50_000), ("change", 159_858), ("premix", 1_000_443)]
    finding = detect_whirlpool_tx0(make_tx([("w", 1_300_000)], outs))
    assert finding is not None and "1000000 sat pool: 1 premix outputs" in finding.reason


def test_wasabi1_round_with_mixing_levels_counts_every_level():
    """25 participants at d, 10 of them also at 2d, 25 changes, one coordinator fee: the base level
    alone (25) is under (|O| - 1) / 2 = 30, all levels (35) are not (WalletWasabi 1.1 levels)."""
    d = 9_990_000
    ins = [(a, 35_000_000) for a in addresses("in", 30)]
    outs = ([(a, d) for a in addresses("mix", 25)] + [(a, 2 * d) for a in addresses("lvl", 10)]
            + [(a, 3_000_000 + i) for i, a in enumerate(addresses("chg", 25))] + [("coordinator", 75_000)])
    finding = detect_wasabi1(make_tx(ins, outs))
    assert finding is not None and "35 mixed outputs" in finding.reason and finding.confidence == 0.8


def test_small_wasabi1_round_is_flagged_with_lower_confidence():
    ins = [(a, 12_000_000) for a in addresses("in", 12)]
    outs = [(a, 10_003_000) for a in addresses("mix", 12)] + [(a, 1_500_000 + i) for i, a in enumerate(addresses("c", 12))]
    assert detect_wasabi1(make_tx(ins, outs)).confidence == 0.6


def test_wasabi1_change_near_the_denomination_is_not_a_mixed_output():
    """A change of 0.098 BTC is within graphsense-lib's 5 % window but not the round's exact value."""
    ins = [(a, 21_000_000) for a in addresses("in", 20)]
    outs = ([(a, 10_000_000) for a in addresses("mix", 20)] + [("near", 9_800_000)]
            + [(a, 1_000_000 + i) for i, a in enumerate(addresses("c", 19))])
    assert "20 outputs of 10000000 sat" in detect_wasabi1(make_tx(ins, outs)).reason


def test_wabisabi_round_without_change_is_flagged_with_lower_confidence():
    tiers = [5_000_000, 2_000_000, 1_048_576, 531_441]
    ins = [(a, 9_000_000) for a in addresses("in", 24)]
    outs = [(a, tiers[i % 4]) for i, a in enumerate(addresses("o", 24))]
    finding = detect_wabisabi(make_tx(ins, outs))
    assert finding.confidence == 0.7 and "no change" in finding.reason
    with_change = detect_wabisabi(make_tx(ins, outs + [("change", 123_457)]))
    assert with_change.confidence == 0.9


def test_wabisabi_needs_standard_denominations_not_just_repeated_amounts():
    ins = [(a, 9_000_000) for a in addresses("in", 24)]
    outs = [(a, (4_000_001, 2_000_003, 1_000_007)[i % 3]) for i, a in enumerate(addresses("o", 24))] + [("c", 77_777)]
    assert detect_wabisabi(make_tx(ins, outs)) is None


def test_exchange_batch_payout_of_equal_amounts_is_not_joinmarket():
    ins = [(a, 50_000_000) for a in addresses("hot", 6)]
    batch = make_tx(ins, [(a, 3_000_000) for a in addresses("user", 5)] + [("change", 280_000_000)])
    assert detect_coinjoin(batch) is None
    makers = make_tx(ins, [(a, 3_000_000) for a in addresses("cj", 5)] + [(a, 40_000_000 + i) for i, a in
                                                                           enumerate(addresses("chg", 4))])
    assert detect_joinmarket(makers).confidence == 0.6


def test_stonewall_is_flagged_by_the_generic_rule_with_lower_confidence():
    tx = make_tx([("alice", 3_000_000), ("bob", 2_500_000)],
                 [("p1", 1_000_000), ("p2", 1_000_000), ("c1", 1_990_000), ("c2", 1_490_000)])
    finding = detect_generic(tx)
    assert finding.confidence == 0.5 and "STONEWALLx2" in finding.reason
