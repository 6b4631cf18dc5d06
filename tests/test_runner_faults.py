"""Explorer faults, end to end: every fault the loopback server can inject, during a recorded
trace. Each one is either retried to exactly the result (and cassette) of a clean run, or
stops the run with one clear error, with every response fetched so far journalled, and
``--resume`` then ends byte-identical to a clean run."""

import json
import tracemalloc
from dataclasses import replace

import pytest
from click.testing import CliRunner

from btctrace.cache.cassettes import Cassette, RecordingAdapter
from btctrace.cache.journal import Journal, journal_path_for
from btctrace.cli import cli
from btctrace.errors import ExitCode, IncompleteHistory, ProviderError, RateLimited
from btctrace.exports import OUTPUT_FILES
from btctrace.providers.esplora.provider import EsploraProvider
from btctrace.providers.http import HttpFetcher, RetryPolicy, make_session
from btctrace.providers import rate
from btctrace.runner import TraceJob, run_trace
from btctrace.testing.server import EsploraServer, Fault
from btctrace.tracing.result import Direction, Seed, StopReason, TraceLimits
from btctrace.tracing.walk import walk
from tests.conftest import EVIDENCE_BOUND_OUTPUTS, FAST_RETRY, comparable_cassette

NOTICE_429 = '{"message":"Blockstream Explorer API NOTICE: Your request rate exceeds the current limit"}'
LIMITS = TraceLimits(hops=20)


def _record(server, seed, cassette_path, policy=FAST_RETRY):
    """Walk forward from *seed* against *server*, recording: (result signature, cassette)."""
    cassette = Cassette(cassette_path, metadata={"api_url": server.api_url})
    fetcher = HttpFetcher(make_session(RecordingAdapter(cassette)), policy=policy, sleep=lambda s: None)
    result = walk(EsploraProvider(server.api_url, fetcher), (Seed("address", seed),), Direction.FORWARD, LIMITS,
                  workers=2)
    signature = (sorted((t.tx.txid, t.hop) for t in result.txs.values()), result.sorted_stops(), result.caps,
                 result.notes, result.requests)
    return signature, comparable_cassette(cassette.to_json()), fetcher


@pytest.fixture(scope="module")
def demo_server(demo):
    with EsploraServer(demo.store) as server:
        yield server


@pytest.fixture(scope="module")
def clean(demo, demo_server, tmp_path_factory):
    return _record(demo_server, demo.ransom_address, tmp_path_factory.mktemp("clean") / "c.json")[:2]


TRANSIENT = {
    "429-blockstream-notice": Fault(r"/tx/", status=429, body=NOTICE_429, content_type="application/json", times=3),
    "429-retry-after": Fault(r"/address/", status=429, body="Too Many Requests", headers={"Retry-After": "0"}),
    "500": Fault(r"/outspends", status=500, body="Internal Server Error", times=2),
    "502-html": Fault(r"/tx/", status=502, body="<html><h1>502 Bad Gateway</h1></html>", content_type="text/html"),
    "503": Fault(r"/address/", status=503, times=3),
    "timeout": Fault(r"/tx/", status=200, body="[]", delay=2.5),
    "connection-reset": Fault(r"/tx/", action="reset", times=2),
    "truncated-json": Fault(r"/outspends", action="truncate"),
    "malformed-json": Fault(r"/tx/", status=200, body='{"txid": "ab', content_type="application/json"),
    "html-with-200": Fault(r"/address/", status=200, body="<html>Checking your browser…</html>",
                           content_type="text/html", times=2),
}


@pytest.mark.parametrize("name", sorted(TRANSIENT))
def test_a_transient_fault_is_retried_to_the_clean_result_and_cassette(demo, demo_server, clean, tmp_path, name):
    fault = Fault(**vars(TRANSIENT[name]))
    demo_server.faults[:] = [fault]
    policy = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01, max_retry_after=0.05, timeout=(2.0, 1.0))
    try:
        signature, cassette, fetcher = _record(demo_server, demo.ransom_address, tmp_path / "f.json", policy)
    finally:
        demo_server.faults.clear()
    assert fault.times == 0, "the fault was injected"
    assert fetcher.counts["retries"] >= 1
    assert (signature, cassette) == clean


@pytest.fixture
def busy_spender(builder):
    """The seed pays a busy address whose spend of that payment is older than its 25 newest
    transactions: the walk must ask ``/tx/:txid`` for it (the first history page lacks it)."""
    seed, busy = builder.address("p2wpkh"), builder.address("p2wpkh")
    paid = builder.spend(800_101, [builder.coinbase(800_000, seed, 5_000_000_000)], [(busy, 1_000_000)],
                         change=builder.address("p2tr"))[0]
    spender = builder.spend(800_102, [paid], [(builder.address("p2wpkh"), 900_000)],
                            change=builder.address("p2tr"))[0].txid
    coin = builder.coinbase(800_103, builder.address("p2wpkh"), 5_000_000_000)
    for i in range(30):
        coin = builder.spend(800_104 + i, [coin], [(busy, 10_000)], change=builder.address("p2tr"))[1]
    with EsploraServer(builder.store) as server:
        yield server, seed, spender


def test_a_transaction_missing_once_is_asked_again_to_the_clean_result(busy_spender, tmp_path):
    server, seed, spender = busy_spender
    clean = _record(server, seed, tmp_path / "clean.json")[:2]
    assert spender in dict(clean[0][0])
    fault = Fault(rf"/tx/{spender}$", status=404, body="Transaction not found")
    server.faults[:] = [fault]
    assert _record(server, seed, tmp_path / "v.json")[:2] == clean and fault.times == 0


def test_a_transaction_that_vanishes_for_good_is_a_recorded_stop(busy_spender, tmp_path):
    server, seed, spender = busy_spender
    server.faults[:] = [Fault(rf"/tx/{spender}$", status=404, body="Transaction not found", times=2)]
    (txs, stops, *_), _, _ = _record(server, seed, tmp_path / "v.json")
    vanished = [s for s in stops if s.reason is StopReason.VANISHED]
    assert [s.next_txid for s in vanished] == [spender] and spender not in dict(txs)
    assert vanished[0].value == 1_000_000 and "not found" in vanished[0].detail


@pytest.fixture
def paged(builder):
    """A seed address with 61 confirmed transactions: three pages of history."""
    target = builder.address("p2wpkh")
    coin = builder.coinbase(800_000, builder.address("p2wpkh"), 5_000_000_000)
    for i in range(61):
        coin = builder.spend(800_101 + i, [coin], [(target, 10_000 + i)], change=builder.address("p2tr"))[1]
    with EsploraServer(builder.store) as server:
        yield server, target


def test_an_empty_page_mid_paging_is_asked_again_to_the_clean_result(paged, tmp_path):
    """electrs also answers an empty page for an unknown ``last_seen_txid`` (explorer-apis.md §1.3)."""
    server, target = paged
    clean = _record(server, target, tmp_path / "clean.json")[:2]
    fault = Fault(r"/txs/chain/", status=200, body="[]", content_type="application/json")
    server.faults[:] = [fault]
    assert _record(server, target, tmp_path / "f.json")[:2] == clean and fault.times == 0


def test_a_history_that_stays_short_stops_with_a_clear_error(paged, tmp_path):
    server, target = paged
    server.faults[:] = [Fault(r"/txs/chain/", status=200, body="[]", content_type="application/json", times=2)]
    with pytest.raises(IncompleteHistory, match=f"25 of the 61 confirmed transactions it counts for {target}"):
        _record(server, target, tmp_path / "f.json")


def _job(demo, api_url, out, cassette, **kwargs):
    return TraceJob(seeds=(Seed("address", demo.ransom_address),), out_dir=out, limits=LIMITS, api_url=api_url,
                    record=cassette, retry=FAST_RETRY, **kwargs)


def test_a_persistent_fault_stops_keeping_everything_and_resume_ends_identical(demo, demo_server, tmp_path):
    run_trace(_job(demo, demo_server.api_url, tmp_path / "ref", tmp_path / "ref.json"))
    outspends = Fault(r"/outspends", status=429, body=NOTICE_429, content_type="application/json", times=10**6)
    demo_server.faults[:] = [outspends]
    cassette, out = tmp_path / "case.json", tmp_path / "out"
    try:
        with pytest.raises(RateLimited) as raised:
            run_trace(_job(demo, demo_server.api_url, out, cassette))
    finally:
        demo_server.faults.clear()
    journal = journal_path_for(cassette)
    assert "--resume" in raised.value.hint and str(journal) in raised.value.hint
    kept = Journal.read(journal)
    assert kept and not cassette.exists()
    run_trace(_job(demo, demo_server.api_url, out, cassette, resume=True, force=True))
    for name in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS):
        assert (out / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    assert comparable_cassette(cassette.read_text()) == comparable_cassette((tmp_path / "ref.json").read_text())


def test_the_cli_says_what_failed_in_one_line_with_the_provider_exit_code(demo, demo_server, tmp_path, monkeypatch):
    monkeypatch.setattr(RetryPolicy.__init__, "__defaults__", (2, 0.001, 0.01, 0.05, (2.0, 2.0)))
    # an explorer failing after its retries rests 30 s, then 60, 120 ... before it is asked again:
    # the same rests, in hundredths, so the test takes seconds, not four minutes
    monkeypatch.setattr(rate, "_FIRST_REST", 0.3)
    monkeypatch.setattr(rate, "_MAX_REST", 6.0)
    demo_server.faults[:] = [Fault(r"/tx/", status=503, times=10**6)]
    try:
        result = CliRunner().invoke(cli, ["trace", demo.ransom_address, "--api-url", demo_server.api_url, "--out",
                                          str(tmp_path / "out"), "--record", str(tmp_path / "c.json"), "-q"])
    finally:
        demo_server.faults.clear()
    assert result.exit_code == ExitCode.PROVIDER
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "HTTP 503" in lines[0] and "--resume" in lines[0]
    assert "Traceback" not in result.output
    assert all(json.loads(line)["response"]["status"]["code"] == 200
               for line in (tmp_path / "c.json.journal").read_text().splitlines())


def test_every_provider_error_has_the_provider_exit_code():
    assert issubclass(IncompleteHistory, ProviderError) and ProviderError.exit_code == ExitCode.PROVIDER


def test_a_transaction_with_100000_outputs_is_bounded_and_its_fan_out_recorded(builder):
    seed = builder.address("p2wpkh")
    coin = builder.coinbase(800_000, seed, 5_000_000_000)
    outputs = [(builder.address("p2wpkh"), 10_000) for _ in range(100_000)]
    bomb = builder.spend(800_101, [coin], outputs, change=builder.address("p2tr"))
    for index in (7, 70_000, 99_999):  # three of the outputs are spent on
        builder.spend(800_102, [bomb[index]], [(builder.address("p2wpkh"), 5_000)])
    with EsploraServer(builder.store) as server:
        # The server takes seconds to write 26 MB of JSON on a busy 2-core machine: allow for it.
        fetcher = HttpFetcher(make_session(), policy=replace(FAST_RETRY, timeout=(2.0, 60.0)))
        tracemalloc.start()
        try:
            result = walk(EsploraProvider(server.api_url, fetcher), (Seed("address", seed),), Direction.FORWARD,
                          LIMITS)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert len(result.txs) == 2 and result.requests == 3  # no look-up per output: the seed page, 2 outspends
    fanned = [s for s in result.stops if s.reason is StopReason.FAN_OUT]
    assert sorted(s.index for s in fanned) == [7, 70_000, 99_999]
    assert "100,001 transfers to follow > limit 1,000" in fanned[0].detail
    assert sum(s.reason is StopReason.UNSPENT for s in result.stops) == 100_001 - 3
    assert peak < 400 * 2**20
