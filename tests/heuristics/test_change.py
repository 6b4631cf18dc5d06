"""Change heuristics: each names its candidates with a reason or abstains; the combiner decides
only when every deciding heuristic agrees. Scenarios are named after the wallet behaviour."""

from btctrace.heuristics.change import (
    ChainFacts,
    address_reuse,
    combine,
    fresh_address,
    optimal_change,
    peel_continuation,
    round_value,
    script_type_match,
    wallet_fingerprint,
)
from btctrace.model import AddressStats
from tests.heuristics.shapes import make_tx


def stats(address, funded):
    return AddressStats(address, funded + 1, funded, funded * 10, 0, 0)


def test_self_change_pays_back_to_an_input():
    tx = make_tx([("me", 100_000)], [("shop", 60_000), ("me", 39_000)])
    assert address_reuse(tx, ChainFacts()).candidates == (1,)


def test_script_type_of_the_inputs():
    tx = make_tx([("me", 100_000, "p2tr")], [("shop", 60_000, "p2pkh"), ("back", 39_000, "p2tr")])
    assert script_type_match(tx, ChainFacts()).candidates == (1,)
    same = make_tx([("me", 100_000, "p2tr")], [("a", 60_000, "p2tr"), ("b", 39_000, "p2tr")])
    assert script_type_match(same, ChainFacts()) is None  # names every output: no information


def test_optimal_change_is_smaller_than_every_input():
    tx = make_tx([("a", 50_000), ("b", 70_000)], [("shop", 100_000), ("back", 19_000)])
    assert optimal_change(tx, ChainFacts()).candidates == (1,)
    assert optimal_change(make_tx([("a", 50_000)], [("x", 30_000), ("y", 19_000)]), ChainFacts()) is None


def test_round_payment_in_btc_and_in_usd():
    tx = make_tx([("me", 10_000_000)], [("shop", 5_000_000), ("back", 4_987_654)])
    assert round_value(tx, ChainFacts()).candidates == (1,)
    usd = make_tx([("me", 10_000_000)], [("shop", 1_666_667), ("back", 6_543_210)])  # $1,000.00 and $3,925.93
    assert round_value(usd, ChainFacts()) is None
    assert round_value(usd, ChainFacts(usd_per_btc={usd.txid: 60_000.0})).candidates == (1,)


def test_fresh_address_needs_every_outputs_history():
    tx = make_tx([("me", 100_000)], [("shop", 60_000), ("new", 39_000)])
    assert fresh_address(tx, ChainFacts(stats={"shop": stats("shop", 40)})) is None
    facts = ChainFacts(stats={"shop": stats("shop", 40), "new": stats("new", 1)})
    assert fresh_address(tx, facts).candidates == (1,)


def test_wallet_fingerprint_of_the_spender():
    tx = make_tx([("me", 100_000)], [("shop", 60_000), ("back", 39_000)], version=2, locktime=799_999)
    ours = make_tx([("back", 39_000)], [("next", 38_000)], version=2, locktime=800_000, height=800_001)
    theirs = make_tx([("shop", 60_000)], [("x", 59_000)], version=1, locktime=0, sequence=0xFFFFFFFF)
    facts = ChainFacts(spenders={(tx.txid, 0): theirs, (tx.txid, 1): ours})
    finding = wallet_fingerprint(tx, facts)
    assert finding.candidates == (1,) and "anti-fee-sniping on" in finding.reason


def test_peel_chain_continuation():
    step = make_tx([("a", 10_000_000)], [("peel", 1_000_000), ("next", 8_990_000)])
    after = make_tx([("next", 8_990_000)], [("peel2", 1_000_000), ("next2", 7_980_000)])
    cashout = make_tx([("peel", 1_000_000), ("other", 5)], [("x", 990_000)])
    facts = ChainFacts(spenders={(step.txid, 0): cashout, (step.txid, 1): after})
    assert peel_continuation(step, facts).candidates == (1,)


def test_combiner_agrees_and_reports_votes():
    tx = make_tx([("me", 10_000_000, "p2wpkh")], [("shop", 5_000_000, "p2pkh"), ("me", 4_987_654, "p2wpkh")])
    verdict = combine(tx, ChainFacts())
    assert verdict.change == 1
    assert set(verdict.deciding) == {"change.address_reuse", "change.script_type", "change.round_value"}
    assert verdict.votes == {1: ("change.address_reuse", "change.script_type", "change.round_value")}


def test_combiner_refuses_when_deciding_heuristics_disagree():
    # self-change says output 0; the round-amount rule says output 1 (output 0 is round)
    tx = make_tx([("me", 10_000_000)], [("me", 5_000_000), ("other", 4_987_654)])
    verdict = combine(tx, ChainFacts())
    assert verdict.change is None and "disagree" in verdict.reason


def test_combiner_without_any_signal():
    tx = make_tx([("me", 10_000_000)], [("a", 5_000_001), ("b", 4_987_654)])
    verdict = combine(tx, ChainFacts())
    assert verdict.change is None and verdict.reason == "no heuristic names a single output"
