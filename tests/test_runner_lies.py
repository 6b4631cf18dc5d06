"""Lying explorers, end to end: every lie of btctrace/testing/lies.py told by the loopback server
during a recorded demo trace. Alone, the liar is refused (one clear error naming the check, the
transaction and both values; everything fetched so far journalled). With an honest second
explorer, the run fails over and writes exactly the clean run's outputs, and the manifest says
which answer was refused and why."""

import json

import pytest
from click.testing import CliRunner

from btctrace.cache.journal import journal_path_for
from btctrace.cli import cli
from btctrace.errors import AnswerRefused, BadResponse, ExitCode
from btctrace.exports import OUTPUT_FILES
from btctrace.manifest import MANIFEST_NAME
from btctrace.runner import TraceJob, run_trace, trace_and_analyse
from btctrace.testing.lies import LIE_NAMES, TracedChain, lies_for
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import Seed, TraceLimits
from btctrace.verify import verify_outputs
from tests.conftest import EVIDENCE_BOUND_OUTPUTS, FAST_RETRY, figures_of

LIMITS = TraceLimits(hops=20)
# A lie in an answer the trace had already taken in when the lie shows (outspends that name the
# wrong input of the spender): the honest explorer's answer for the transaction that exposes it
# still contradicts it, so the run is refused, never wrong. (A funder that claims to spend its own
# spender no longer gets that far: its bytes do not hash to its txid, so its own answer is refused
# and the honest explorer's taken instead.)
# A block time is proven against its header after the walk, when the transactions are taken in:
# a moved one is refused then.
REFUSED_EVEN_WITH_FAILOVER = {"outspend-wrong-input", "block-time-moved"}


@pytest.fixture(scope="module")
def explorers(demo):
    with EsploraServer(demo.store) as liar, EsploraServer(demo.store) as honest:
        yield liar, honest


def _job(demo, out, urls, **kwargs):
    return TraceJob(seeds=(Seed("address", demo.ransom_address),), out_dir=out, limits=LIMITS, api_url=urls[0],
                    fallback_urls=tuple(urls[1:]), retry=FAST_RETRY, **kwargs)


def _chain(demo, result, pages) -> TracedChain:
    """A traced peel-like step: funder A (hop >= 1) whose output is spent by traced B."""
    for traced in result.sorted_txs():
        a = traced.tx
        if traced.hop < 1 or a.txid in result.coinjoins:
            continue
        for spent in traced.outspends or ():
            b = result.txs.get(spent.txid) if spent.spent else None
            if b is None or b.tx.txid in result.coinjoins or len(b.tx.outputs) < 2:
                continue
            prevout = demo.store.tx(b.tx.txid)["vin"][spent.vin]["prevout"]
            stand_in = next((o["scriptpubkey_address"] for tx in demo.store.txs.values() for o in tx["vout"]
                             if o.get("scriptpubkey_type") == prevout["scriptpubkey_type"]
                             and o.get("scriptpubkey_address") not in (None, prevout["scriptpubkey_address"])), None)
            if stand_in is None:
                continue
            involved = {o.address for o in a.outputs} | {i.address for i in a.inputs}
            address = next(p for p in pages if p not in involved)
            other = next(t for t in sorted(result.txs) if t not in (a.txid, b.tx.txid))
            return TracedChain(demo.store.tx(a.txid), demo.store.tx(b.tx.txid), spent.vout, spent.vin, other,
                               address, stand_in)
    raise AssertionError("the demo has no traced step to lie about")


@pytest.fixture(scope="module")
def clean(demo, explorers, tmp_path_factory):
    """The clean run over the same two explorers (its output folder and figures), and the chain
    the lies are told about."""
    liar, honest = explorers
    folder = tmp_path_factory.mktemp("clean")
    asked = len(liar.requests)
    outcome = run_trace(_job(demo, folder / "out", [liar.api_url, honest.api_url], record=folder / "c.json"))
    pages = sorted({p.split("/")[3] for p in liar.requests[asked:] if p.startswith("/api/address/") and
                    p.endswith("/txs")})
    figures = _figures(trace_and_analyse(_job(demo, folder / "unused", [liar.api_url, honest.api_url])))
    return folder / "out", _chain(demo, outcome.result, pages), figures


def _figures(traced):
    figures = figures_of(traced)
    figures["trace"]["counts"].pop("requests")  # a second explorer asks again what the first had sent
    return figures


def _lies(clean):
    lies = {lie.name: lie for lie in lies_for(clean[1])}
    assert tuple(lies) == LIE_NAMES
    return lies




def _telling(server, lie):
    server.faults[:] = [lie.fault]
    return lie.fault


@pytest.mark.parametrize("name", LIE_NAMES)
def test_a_lying_explorer_alone_is_refused_naming_the_check(demo, explorers, clean, tmp_path, name):
    liar, _ = explorers
    lie = _lies(clean)[name]
    _telling(liar, lie)
    try:
        with pytest.raises(BadResponse) as raised:
            run_trace(_job(demo, tmp_path / "out", [liar.api_url], record=tmp_path / "c.json"))
    finally:
        liar.faults.clear()
    error = raised.value
    if lie.check == "shape":
        assert "not JSON" in error.message
    else:
        assert isinstance(error, AnswerRefused) and error.check == lie.check, error.message
        assert f"check {lie.check} failed for" in error.message
    assert "\n" not in error.user_message and "--resume" in error.hint
    assert journal_path_for(tmp_path / "c.json").exists() and not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("name", LIE_NAMES)
def test_a_lie_fails_over_to_an_honest_explorer_or_is_refused_never_a_changed_figure(demo, explorers, clean, tmp_path, name):
    """Every figure the exhibits state (trace.json, endpoints, subpoena packet) is the clean run's;
    the full output files are compared byte for byte for two lies below."""
    liar, honest = explorers
    lie = _lies(clean)[name]
    _telling(liar, lie)
    job = _job(demo, tmp_path / "unused", [liar.api_url, honest.api_url], record=tmp_path / "c.json")
    try:
        if name in REFUSED_EVEN_WITH_FAILOVER:
            with pytest.raises(AnswerRefused) as raised:
                trace_and_analyse(job)
            assert raised.value.check == lie.check and honest.api_url in raised.value.hint
            return
        traced = trace_and_analyse(job)
    finally:
        liar.faults.clear()
    assert _figures(traced) == clean[2]
    log = traced.explorers
    assert log["switches"] and log["switches"][0]["failed"] == liar.api_url
    if lie.check != "shape":
        assert {r["check"] for r in log["refused"]} == {lie.check}
        assert all(r["api_url"] == liar.api_url for r in log["refused"])


@pytest.mark.parametrize("name", ["prevout-value-disagrees", "outspends-one-short"])
def test_a_failed_over_run_writes_the_clean_files_and_replays_byte_identical_offline(demo, explorers, clean, tmp_path,
                                                                                      name):
    liar, honest = explorers
    _telling(liar, _lies(clean)[name])
    try:
        run_trace(_job(demo, tmp_path / "out", [liar.api_url, honest.api_url], record=tmp_path / "c.json"))
    finally:
        liar.faults.clear()
    out, reference = tmp_path / "out", clean[0]
    for file in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS - {"trace.json"}):
        assert (out / file).read_bytes() == (reference / file).read_bytes(), file
    refused = json.loads((out / MANIFEST_NAME).read_text())["explorers"]["refused"]
    assert refused and refused[0]["api_url"] == liar.api_url
    report = verify_outputs(tmp_path / "out")
    assert report.ok, [c for c in report.checks if not c.ok]


def test_the_cli_refuses_a_lie_in_one_line_with_exit_4_and_an_altered_cassette_with_exit_5(demo, explorers, clean,
                                                                                             tmp_path, monkeypatch):
    from btctrace.providers.http import RetryPolicy

    monkeypatch.setattr(RetryPolicy.__init__, "__defaults__", (2, 0.001, 0.01, 0.05, (2.0, 2.0)))
    liar, _ = explorers
    chain = clean[1]
    _telling(liar, _lies(clean)["prevout-value-disagrees"])
    try:
        live = CliRunner().invoke(cli, ["trace", demo.ransom_address, "--api-url", liar.api_url, "--hops", "20", "-q",
                                        "--out", str(tmp_path / "live")])
    finally:
        liar.faults.clear()
    assert live.exit_code == ExitCode.PROVIDER, live.output
    line = live.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert f"check prevout_agrees failed for {chain.spender['txid']}" in line
    assert "its prevout says value" in line and "the output is" in line  # both values
    # The same lie inside a recorded cassette: offline it is the cassette's fault (exit 5).
    cassette = json.loads((clean[0].parent / "c.json").read_text())
    for item in cassette["interactions"]:
        body = item["response"]["body"]["string"]
        if chain.spender["txid"] in body and "/outspends" not in item["request"]["uri"]:
            answer = json.loads(body)
            for tx in answer if isinstance(answer, list) else [answer]:
                if tx.get("txid") == chain.spender["txid"]:
                    tx["vin"][chain.vin]["prevout"]["value"] += 7
                    tx["fee"] += 7
            item["response"]["body"]["string"] = json.dumps(answer)
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(cassette))
    offline = CliRunner().invoke(cli, ["trace", demo.ransom_address, "--offline", str(altered), "--hops", "20", "-q",
                                       "--out", str(tmp_path / "offline")])
    assert offline.exit_code == ExitCode.OFFLINE_MISS, offline.output
    assert "prevout_agrees" in offline.output and str(altered) in offline.output and "record it again" in offline.output
