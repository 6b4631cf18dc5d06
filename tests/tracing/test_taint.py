"""Taint methods on hand-built transactions with known answers: tainted and clean inputs mixed,
fees, outputs spent together again; exact integer shares; reconciliation on the demo case."""

import hashlib

import pytest

from btctrace.model import Tx, TxIn, TxOut, TxStatus
from btctrace.tracing.accounting import TaintConservationError, taint_report
from btctrace.tracing.taint import dependency_order, haircut_shares, pour, propagate


def tx(name, inputs, outputs, fee):
    """inputs: [(prev_txid, prev_vout, value)]; outputs: [value]."""
    txid = hashlib.sha256(name.encode()).hexdigest()
    ins = tuple(TxIn(i, p, v, value, f"in-{name}-{i}", "p2wpkh", 0xFFFFFFFD) for i, (p, v, value) in enumerate(inputs))
    outs = tuple(TxOut(i, value, "p2wpkh", f"out-{name}-{i}") for i, value in enumerate(outputs))
    return Tx(txid, 2, 0, 200, 800, fee, ins, outs, TxStatus(True, 800_000, "", 1_700_000_000))


@pytest.fixture
def mixed():
    """seed tx S pays 60 (tainted) ; A spends S:0 + 40 clean -> [70, 25], fee 5;
    B spends A:0 + 10 clean -> [78], fee 2."""
    s = tx("S", [("f" * 64, 0, 61)], [60], 1)
    a = tx("A", [(s.txid, 0, 60), ("c" * 64, 0, 40)], [70, 25], 5)
    b = tx("B", [(a.txid, 0, 70), ("d" * 64, 0, 10)], [78], 2)
    return {t.txid: t for t in (s, a, b)}, s, a, b


def flows(mixed, method):
    txs, s, a, b = mixed
    flow = propagate(txs, [(s.txid, 0)], method)
    return flow, [flow.outputs.get((a.txid, 0), 0), flow.outputs.get((a.txid, 1), 0), flow.fees.get(a.txid, 0)], \
        [flow.outputs.get((b.txid, 0), 0), flow.fees.get(b.txid, 0)]


def test_each_transaction_comes_after_those_it_spends_and_a_given_order_is_the_one_followed(mixed):
    txs, s, a, b = mixed
    order = dependency_order(txs)
    assert order.index(s.txid) < order.index(a.txid) < order.index(b.txid)
    assert propagate(txs, [(s.txid, 0)], "fifo", order=order).outputs == propagate(txs, [(s.txid, 0)], "fifo").outputs
    assert propagate(txs, [(s.txid, 0)], "poison", order=[s.txid]).outputs == {(s.txid, 0): 60}  # only what it is given


def test_poison_taints_everything_and_counts_what_it_absorbed(mixed):
    flow, at_a, at_b = flows(mixed, "poison")
    assert at_a == [70, 25, 5] and at_b == [78, 2] and flow.absorbed == 40 + 10


def test_haircut_is_proportional_and_exact(mixed):
    flow, at_a, at_b = flows(mixed, "haircut")
    assert at_a == [42, 15, 3]  # 60 % of 70, 25 and 5
    assert at_b == [41, 1]  # 42/80 of 78 = 40.95, of 2 = 1.05: largest remainder gives 41 + 1
    assert sum(at_b) == at_a[0]


def test_fifo_pours_inputs_in_order_fee_last(mixed):
    flow, at_a, at_b = flows(mixed, "fifo")
    assert at_a == [60, 0, 0] and at_b == [60, 0]
    txs, s, a, b = mixed
    assert flow.intervals[(a.txid, 0)] == [(0, 60)]


def test_lifo_takes_the_last_input_first(mixed):
    flow, at_a, at_b = flows(mixed, "lifo")
    assert at_a == [30, 25, 5]
    assert at_b == [28, 2]  # B's clean input comes last, so it is poured first


def test_haircut_shares_always_add_up():
    assert haircut_shares(7, 10, [3, 3, 4]) == [2, 2, 3]
    for tainted in range(0, 101, 7):
        assert sum(haircut_shares(tainted, 100, [33, 33, 33, 1])) == tainted


def test_pour_keeps_exact_intervals():
    assert pour([(10, [(2, 5)]), (10, [(0, 10)])], [4, 12, 4]) == [[(2, 4)], [(0, 1), (6, 12)], [(0, 4)]]


def test_demo_reconciles_under_every_method(demo_trace):
    result, _, tags = demo_trace
    report = taint_report(result, tags)
    for totals in report.totals.values():
        assert totals.balanced and totals.seed == 5_075_200_000
    assert report.rows[0].sats["fifo"] >= report.rows[-1].sats["fifo"]
    assert {r.reason for r in report.rows} == {"unspent", "tagged_service", "large_address", "coinjoin"}
    assert report.narrative and report.narrative[0].startswith("Hop 1:")
    assert report.narrative_length == len(report.narrative), "the streamed narrative's length is known before it is made"


def test_a_tainted_output_with_nowhere_to_go_is_a_bug(demo_trace):
    import copy

    result, _, tags = demo_trace
    broken = copy.copy(result)
    broken.stops = [s for s in result.stops if s.reason.value != "unspent"]
    with pytest.raises(TaintConservationError, match="neither passed on nor at a stop"):
        taint_report(broken, tags)
