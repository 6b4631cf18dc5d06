"""The held-out generator: deterministic, every variant present, money conserved, and the
detectors' recall and false flags on it (its rules come from the coordinators, not from them)."""

import pytest

from btctrace.providers.esplora.mapping import tx_from_json
from btctrace.testing.coordinators import STANDARD_OUTPUTS, generate_held_out
from btctrace.testing.second_opinion import precision_any, score_held_out


@pytest.fixture(scope="module")
def held():
    return generate_held_out(seed=3, rounds=8)


def test_generator_is_deterministic(held):
    again = generate_held_out(seed=3, rounds=8)
    assert again.builder.store.txs == held.builder.store.txs and again.label == held.label


def test_every_variant_and_look_alike_is_generated(held):
    kinds = {label.split("/")[0] for label in held.label.values()}
    assert kinds == {"whirlpool_tx0", "whirlpool_mix", "wasabi1", "wabisabi", "joinmarket", "batch_equal",
                     "stonewall", "payjoin"}
    assert {"whirlpool_mix/genesis", "wabisabi/no_change", "wasabi1/change_near_denomination",
            "joinmarket/sweep", "stonewall/x2"} <= set(held.label.values())


def test_every_transaction_conserves_money(held):
    for txid in held.label:
        tx = tx_from_json(held.builder.store.txs[txid])
        assert sum(i.value for i in tx.inputs) == sum(o.value for o in tx.outputs) + tx.fee and tx.fee >= 0


def test_wabisabi_standard_denominations_from_the_six_series():
    assert len(STANDARD_OUTPUTS) == len(set(STANDARD_OUTPUTS)) and STANDARD_OUTPUTS[-1] == 5_000
    assert {5_000, 6_561, 10_000, 1_048_576, 134_375_000_000} <= set(STANDARD_OUTPUTS)


def test_detectors_on_held_out_coinjoins_and_look_alikes(held):
    rows = {r.label: r for r in score_held_out(held, with_reference=False)}
    for label, row in rows.items():
        if row.is_coinjoin:
            assert row.ours_flagged >= 0.75 * row.support, label
    assert rows["batch_equal/exchange"].ours_flagged == 0 and rows["payjoin/bip78"].ours_flagged == 0
    assert rows["whirlpool_mix/genesis"].ours_right == rows["whirlpool_mix/genesis"].support
    # Stonewall (one wallet) and STONEWALLx2 (two) look alike by design: both flagged by the generic rule
    assert rows["stonewall/single"].ours_flagged == rows["stonewall/single"].support
    assert 0.5 < precision_any(list(rows.values())) < 1.0
