"""graphsense-lib as a second opinion (skipped without ``pip install 'btctrace[reference]'``):
the agreement pinned on the 16 real transactions of ../shared and on a simulated set, and each
rule difference decided in the README ("Where btctrace and graphsense-lib differ")."""

import pytest

from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.providers.esplora.mapping import tx_from_json
from btctrace.reference import compare, graphsense_opinions, reference_implementation, second_opinion
from btctrace.testing.second_opinion import agreement_by_kind, agreements, real_transactions
from btctrace.testing.simulator import simulate
from tests.heuristics.shapes import addresses, make_tx

pytestmark = pytest.mark.skipif(reference_implementation() is None, reason="graphsense-lib (btctrace[reference]) absent")


def verdict(tx):
    return compare(detect_coinjoin(tx), graphsense_opinions([tx])[tx.txid])


def test_the_pinned_version_is_installed():
    assert reference_implementation().startswith("graphsense-lib 2.18.")


def test_real_transactions_agree_whirlpool_found_nothing_else(colonial_dir):
    txs = real_transactions(colonial_dir)
    found = agreements(txs.values())
    assert len(found) == 16 and all(a.agrees for a in found)
    assert sorted(a.ours for a in found if a.ours) == ["whirlpool_mix", "whirlpool_tx0"]


def test_agreement_on_a_simulated_set_is_pinned():
    """Seed 7: every disagreement is a Whirlpool mix of five new entrants (graphsense-lib allows
    1-4) or a small Wasabi 1.x round its even-split gate rejects; ordinary traffic: no flags on
    either side."""
    sim = simulate(seed=7, wallets=60, payments=400, batches=6, peel_chains=6, coinjoins=6)
    txs = {t: tx_from_json(r) for t, r in sim.builder.store.txs.items()}
    by_kind = {k.kind: k for k in agreement_by_kind(agreements(txs.values()), sim.truth.coinjoin)}
    assert by_kind["ordinary"].counts == {"neither": by_kind["ordinary"].support}
    for kind in ("whirlpool_tx0", "wabisabi", "joinmarket"):
        assert by_kind[kind].counts == {"agree": by_kind[kind].support}
    assert set(by_kind["whirlpool_mix"].counts) <= {"agree", "btctrace only"}
    assert set(by_kind["wasabi1"].counts) <= {"agree", "btctrace only"}
    assert by_kind["whirlpool_mix"].counts["agree"] >= by_kind["whirlpool_mix"].support // 2


def whirlpool(n, entrants, extra=30_000):
    ins = [(a, 1_000_000 + (extra if i < entrants else 0)) for i, a in enumerate(addresses("in", n))]
    return make_tx(ins, [(a, 1_000_000) for a in addresses("out", n)])


def test_ten_input_whirlpool_mix_btctrace_alone_at_lower_confidence():
    found = verdict(whirlpool(10, 2))
    assert found.verdict == "btctrace only" and detect_coinjoin(whirlpool(10, 2)).confidence == 0.6


def test_entrant_paying_50_sat_neither_now():
    assert verdict(whirlpool(5, 1, extra=50)).verdict == "neither"


def test_wabisabi_without_change_btctrace_alone_at_lower_confidence():
    tiers = [5_000_000, 2_000_000, 1_048_576, 531_441]
    tx = make_tx([(a, 9_000_000) for a in addresses("in", 24)], [(a, tiers[i % 4]) for i, a in enumerate(addresses("o", 24))])
    assert verdict(tx).verdict == "btctrace only" and detect_coinjoin(tx).confidence == 0.7


def test_wabisabi_shape_with_repeated_non_standard_amounts_reference_alone():
    outs = [(a, (4_000_001, 2_000_003, 1_000_007)[i % 3]) for i, a in enumerate(addresses("o", 24))] + [("c", 77_777)]
    tx = make_tx([(a, 9_000_000) for a in addresses("in", 24)], outs)
    found = verdict(tx)
    assert found.verdict == "reference only" and found.theirs == "wabisabi"


def test_second_opinion_lists_only_what_either_side_calls_a_coinjoin():
    mix, ordinary = whirlpool(5, 2), make_tx([("a", 5_000_000)], [("b", 1_000_000), ("c", 3_990_000)])
    report = second_opinion([mix, ordinary], {mix.txid: detect_coinjoin(mix)})
    assert report.implementation == reference_implementation()
    assert [a.txid for a in report.agreements] == [mix.txid] and report.of(mix.txid).verdict == "agree"
