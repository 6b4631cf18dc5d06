"""Every seed shape has a defined answer: CoinJoin transactions and outputs (the real Whirlpool
Tx0 and mix), outputs out of range or carrying nothing, seeds downstream of other seeds, and
``taint --seed`` on any output of a trace."""

import json

import pytest

from btctrace.errors import ExitCode, InvalidSeed, UsageProblem
from btctrace.runner import TraceJob, run_taint, run_trace
from btctrace.testing.chain import ChainStore
from btctrace.testing.provider import StoreProvider
from btctrace.testing.server import EsploraServer
from btctrace.tracing.accounting import taint_report
from btctrace.tracing.result import Seed, StopReason, TraceLimits
from btctrace.tracing.seeds import MAX_VOUT, parse_seed
from btctrace.tracing.taint import propagate
from btctrace.tracing.walk import trace_forward

TX0 = "333f45431e47b9543772013ac83a9b33cc58dc3245ccfd48b972107bb8405c13"  # Whirlpool Tx0, output 0 OP_RETURN
MIX = "323df21f0b0756f98336437aa3d2fb87e02b59f1946b714a7b09df04d429dec2"  # spends Tx0:8


@pytest.fixture
def whirlpool(colonial_dir):
    return StoreProvider(ChainStore.from_files([colonial_dir / "coinjoin_tx0.json", colonial_dir / "coinjoin_tx.json"]))


def test_an_output_number_beyond_32_bits_is_refused_before_any_request():
    with pytest.raises(InvalidSeed, match="at most 4,294,967,295") as raised:
        parse_seed(f"{TX0}:{'9' * 30}")
    assert raised.value.exit_code == ExitCode.USAGE
    assert parse_seed(f"{TX0}:{MAX_VOUT}").vout == MAX_VOUT


def test_a_coinjoin_transaction_as_seed_starts_there_and_each_output_ends_as_a_coinjoin_stop(whirlpool):
    result = trace_forward(whirlpool, (Seed("tx", TX0),), TraceLimits())
    assert set(result.txs) == {TX0} and TX0 in result.coinjoins
    stops = {s.index: s for s in result.stops}
    assert sorted(stops) == list(range(1, 19)), "every output with value; not the zero-value OP_RETURN"
    assert all(s.reason is StopReason.COINJOIN and s.next_txid == TX0 and s.side == "output" for s in stops.values())
    report = taint_report(result)
    assert all(total.balanced for total in report.totals.values())
    assert report.totals["fifo"].seed == sum(s.value for s in stops.values())


def test_a_coinjoin_output_as_seed_ends_at_once_or_is_followed_through(whirlpool):
    result = trace_forward(whirlpool, (Seed("outpoint", TX0, 8),), TraceLimits())
    assert [(s.reason, s.index) for s in result.stops] == [(StopReason.COINJOIN, 8)]
    through = trace_forward(whirlpool, (Seed("outpoint", TX0, 8),), TraceLimits(through_coinjoins=True))
    assert set(through.txs) == {TX0, MIX} and set(through.coinjoins) == {TX0, MIX}
    assert {s.reason for s in through.stops} == {StopReason.UNSPENT}  # the mix's outputs (no spender in the files)
    assert all(total.balanced for total in taint_report(through).totals.values())


def test_a_vout_out_of_range_says_how_many_outputs_there_are(whirlpool):
    with pytest.raises(InvalidSeed, match="its transaction has 5 outputs \\(vout 0 to 4\\)"):
        trace_forward(whirlpool, (Seed("outpoint", MIX, 5),), TraceLimits())


def test_a_zero_value_op_return_seed_carries_no_value(whirlpool):
    with pytest.raises(InvalidSeed, match="zero-value OP_RETURN .* carries no value"):
        trace_forward(whirlpool, (Seed("outpoint", TX0, 0),), TraceLimits())


@pytest.fixture(scope="module")
def demo_server(demo):
    with EsploraServer(demo.store) as server:
        yield server


def _run(demo, server, out, *seeds):
    job = TraceJob(seeds=tuple(parse_seed(s) for s in seeds), out_dir=out, api_url=server.api_url,
                   limits=TraceLimits(hops=20))
    return run_trace(job)


def _victim_payments(demo):
    """The demo's first ransom payment P (from a victim), and the victim's next payment C, which
    spends P's change: C lies downstream of P."""
    for txid in reversed(demo.store.address_txids(demo.ransom_address)):
        for entry in demo.store.outspends(txid):
            child = entry.get("txid")
            if child and any(o.get("scriptpubkey_address") == demo.ransom_address for o in demo.store.tx(child)["vout"]):
                return txid, child
    raise AssertionError("no victim paid twice from change")


def test_a_seed_downstream_of_another_is_traced_once_and_counted_once(demo, demo_server, tmp_path):
    payment, child = _victim_payments(demo)
    result = _run(demo, demo_server, tmp_path / "out", payment, child).result
    assert result.txs[payment].hop == result.txs[child].hop == 0
    report = json.loads((tmp_path / "out" / "trace.json").read_text())["taint"]
    assert all(m["balanced"] for m in report["methods"].values())
    txs = {t: x.tx for t, x in result.txs.items()}
    naive = sum(o.value for t in (payment, child) for o in txs[t].outputs)
    for method in ("poison", "haircut", "fifo", "lifo"):
        upstream = propagate(txs, [(payment, o.index) for o in txs[payment].outputs if o.value], method)
        inherited = sum(upstream.outputs.get((child, o.index), 0) for o in txs[child].outputs)
        assert inherited > 0 and report["methods"][method]["seed_sats"] == naive - inherited, method
    assert any(f"Seed {child}:" in note and "counted once" in note for note in report["notes"])


def test_an_address_and_its_own_transaction_as_seeds_follow_the_payers_later_change(demo, demo_server, tmp_path):
    payment, child = _victim_payments(demo)
    outcome = _run(demo, demo_server, tmp_path / "out", demo.ransom_address, payment)
    result = outcome.result
    # The payment's change is seed money (a txid seed), so the victim's later payment is followed
    # on every output, not only on what the ransom address received.
    followed = {(s.txid, s.index) for s in result.stops} | \
        {(i.prev_txid, i.prev_vout) for t in result.txs.values() for i in t.tx.inputs}
    assert all((child, o.index) in followed for o in result.txs[child].tx.outputs if o.value)
    taint = json.loads((tmp_path / "out" / "trace.json").read_text())["taint"]
    assert all(m["balanced"] for m in taint["methods"].values())


def test_taint_from_any_output_of_a_trace_is_an_answer_or_one_line_saying_why_not(demo, demo_server, tmp_path):
    out = tmp_path / "out"
    _run(demo, demo_server, out, demo.ransom_address)
    document = json.loads((out / "trace.json").read_text())
    answered, refused = 0, set()
    for tx in document["transactions"]:
        for output in tx["outputs"]:
            try:
                outcome = run_taint(out, [(tx["txid"], output["index"])], write_dir=tmp_path / "t", force=True)
            except UsageProblem as exc:
                assert "\n" not in exc.user_message
                refused.add(exc.message.split(": ", 1)[1].split(" ")[0])
                continue
            answered += 1
            assert all(total.balanced for total in outcome.report.totals.values())
    assert answered >= 30 and refused <= {"it", "the", "its", "that"}
    with pytest.raises(UsageProblem, match="is an output of CoinJoin"):
        run_taint(out, [(demo.coinjoin_txid, 0)], write_dir=tmp_path / "t", force=True)
