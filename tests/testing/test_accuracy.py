"""The heuristics meet issue 4's targets on a small simulated chain with known ownership, and
the simulator is deterministic. (benchmarks/heuristics_accuracy.py runs the full-size version.)"""

import pytest

from btctrace.testing.accuracy import evaluate
from btctrace.testing.simulator import simulate


@pytest.fixture(scope="module")
def scores():
    sim = simulate(seed=7, wallets=60, payments=400, batches=6, peel_chains=6, coinjoins=6)
    return {(s.family, s.name): s for s in evaluate(sim)}


def test_every_coinjoin_kind_is_detected_without_false_positives(scores):
    kinds = [s for (family, name), s in scores.items() if family == "coinjoin" and not name.startswith("any")]
    assert {s.name for s in kinds} == {"whirlpool_tx0", "whirlpool_mix", "wasabi1", "wabisabi", "joinmarket"}
    assert all(s.precision >= 0.995 and s.support > 0 for s in kinds)
    assert scores[("coinjoin", "any (vs ordinary txs)")].detail == "0 false positives"


def test_common_input_clusters_with_coinjoin_exclusion_never_merge_two_owners(scores):
    assert scores[("clusters", "common input, CoinJoins excluded")].precision == 1.0
    assert scores[("clusters", "common input, no exclusion")].precision < 0.5  # why exclusion matters


def test_change_combiner_precision_where_it_decides(scores):
    combiner = scores[("change", "combiner")]
    assert combiner.precision >= 0.95 and combiner.recall_or_coverage >= 0.5


def test_simulation_is_deterministic():
    first = simulate(seed=3, wallets=20, payments=50, batches=2, peel_chains=2, coinjoins=2)
    second = simulate(seed=3, wallets=20, payments=50, batches=2, peel_chains=2, coinjoins=2)
    assert first.builder.store.txs == second.builder.store.txs and first.truth == second.truth
