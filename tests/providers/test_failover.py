"""Failover between explorers and the cross-check, against two loopback servers."""

import json

import pytest

from btctrace.errors import NotFound, ProviderUnavailable
from btctrace.exports import OUTPUT_FILES
from btctrace.manifest import MANIFEST_NAME
from btctrace.providers.esplora.provider import EsploraProvider
from btctrace.providers.failover import FailoverProvider, cross_check
from btctrace.providers.http import HttpFetcher, make_session
from btctrace.runner import TraceJob, run_trace
from btctrace.testing.server import EsploraServer, Fault, TokenBucket
from btctrace.tracing.result import Seed, TraceLimits
from btctrace.verify import verify_outputs
from tests.conftest import EVIDENCE_BOUND_OUTPUTS, FAST_RETRY


@pytest.fixture(scope="module")
def two_explorers(demo):
    with EsploraServer(demo.store) as first, EsploraServer(demo.store) as second:
        yield first, second


def _provider(server):
    return EsploraProvider(server.api_url, HttpFetcher(make_session(), policy=FAST_RETRY, sleep=lambda s: None))


def _job(demo, out, primary, fallbacks=(), **kwargs):
    # No store: its final answers would let the failing explorer answer some requests, and which
    # explorer answers what after a switch then depends on the worker threads' timing.
    return TraceJob(seeds=(Seed("address", demo.ransom_address),), out_dir=out, limits=TraceLimits(hops=20),
                    api_url=primary, fallback_urls=tuple(fallbacks), retry=FAST_RETRY, no_store=True, **kwargs)


def test_a_failing_explorer_hands_over_and_the_manifest_says_who_answered(demo, two_explorers, tmp_path):
    first, second = two_explorers
    run_trace(_job(demo, tmp_path / "ref", first.api_url, record=tmp_path / "ref.json"))
    first.faults[:] = [Fault(r"/tx/", status=503, times=10**6)]
    try:
        outcome = run_trace(_job(demo, tmp_path / "out", first.api_url, [second.api_url],
                                 record=tmp_path / "case.json"))
    finally:
        first.faults.clear()
    for name in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS - {"trace.json"}):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    traced, reference = (json.loads((tmp_path / run / "trace.json").read_text()) for run in ("out", "ref"))
    # The explorers share the run's answers: nothing the first sent inside a history page is asked again.
    assert _parameters_given(traced, reference) == {"fallback_urls"}  # the runs were given other explorers
    assert traced == reference
    # The cassette holds the one-explorer run's requests and answers, each under the first URL;
    # an answer of the second names it.
    cassette, one_explorer = (json.loads((tmp_path / name).read_text())["interactions"] for name in ("case.json", "ref.json"))
    assert [(i["request"]["uri"], i["response"]["body"]) for i in cassette] == \
        [(i["request"]["uri"], i["response"]["body"]) for i in one_explorer]
    served = [i["response"]["served_by"] for i in cassette if "served_by" in i["response"]]
    assert served and all(url.startswith(second.api_url + "/") for url in served)
    explorers = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())["explorers"]
    assert explorers["api_urls"] == [first.api_url, second.api_url]
    assert explorers["answered"][first.api_url] >= 2 and explorers["answered"][second.api_url] >= 20
    switch = explorers["switches"][0]
    assert switch["failed"] == first.api_url and switch["to"] == second.api_url and "HTTP 503" in switch["error"]
    assert outcome.explorers == explorers
    # Offline, the cassette answers for both explorers and the rerun is byte-identical.
    assert verify_outputs(tmp_path / "out").ok


def test_not_found_is_an_answer_not_a_reason_to_fail_over(two_explorers):
    first, second = two_explorers
    provider = FailoverProvider([_provider(first), _provider(second)])
    asked_before = len(second.requests)
    with pytest.raises(NotFound):
        provider.get_tx("00" * 32)
    assert not provider.answered and provider.switches == [] and len(second.requests) == asked_before


def test_when_every_explorer_fails_the_first_error_names_the_others(two_explorers):
    first, second = two_explorers
    first.faults[:] = [Fault(r"/tx/", status=503, times=10**6)]
    second.faults[:] = [Fault(r"/tx/", status=502, times=10**6)]
    provider = FailoverProvider([_provider(first), _provider(second)])
    try:
        for _ in range(2):  # asked again, the cached error is raised again: its hint does not grow
            with pytest.raises(ProviderUnavailable, match="HTTP 503") as raised:
                provider.get_tx("ab" * 32)
    finally:
        first.faults.clear()
        second.faults.clear()
    assert second.api_url in raised.value.hint and "HTTP 502" in raised.value.hint
    assert raised.value.hint.count("Every other explorer failed too") == 1


def _parameters_given(*documents) -> set[str]:
    """The run parameters in which two trace.json documents differ (taken out of both)."""
    first, second = (document.pop("run_parameters") for document in documents)
    return {key for key in set(first) | set(second) if first.get(key) != second.get(key)}


def _second_says_another_height(demo, second):
    """*second* answers the ransom address's first transaction one block higher: (txid, its answer)."""
    txid = demo.store.address_txids(demo.ransom_address)[0]
    altered = json.loads(json.dumps(demo.store.tx(txid)))
    altered["status"]["block_height"] += 1
    second.faults[:] = [Fault(rf"/tx/{txid}$", status=200, body=json.dumps(altered),
                              content_type="application/json", times=10**6)]
    return txid, altered


def test_the_cross_check_reports_a_field_two_explorers_disagree_on(demo, two_explorers):
    first, second = two_explorers
    txid, altered = _second_says_another_height(demo, second)
    try:
        check = cross_check([_provider(first), _provider(second)], [txid, *demo.store.address_txids(demo.ransom_address)],
                            50)
    finally:
        second.faults.clear()
    assert txid in check.sampled and check.failures == []
    assert [(d["txid"], d["field"]) for d in check.disagreements] == [(txid, "block_height")]
    assert check.disagreements[0]["value_b"] == str(altered["status"]["block_height"])


def test_a_traced_cross_check_lands_in_trace_json(demo, two_explorers, tmp_path):
    first, second = two_explorers
    outcome = run_trace(_job(demo, tmp_path / "out", first.api_url, [second.api_url], cross_check=5))
    section = json.loads((tmp_path / "out" / "trace.json").read_text())["cross_check"]
    assert len(section["sampled"]) == 5 and section["disagreements"] == [] and section["failures"] == []
    assert section["explorers"] == [first.api_url, second.api_url]
    assert outcome.result.cross_check.sampled == section["sampled"]


def test_rate_limited_explorers_share_the_requests_and_the_run_is_a_one_explorer_run(demo, tmp_path):
    """Two explorers behind token buckets: each answers part of the trace, every 429 is retried,
    the outputs and the cassette's requests and answers are those of one unlimited explorer,
    and the offline rerun (each answer replayed from the explorer that gave it) is identical."""
    with EsploraServer(demo.store) as first, EsploraServer(demo.store) as second:
        run_trace(_job(demo, tmp_path / "ref", first.api_url, record=tmp_path / "ref.json"))
        first.bucket, second.bucket = TokenBucket(8.0, burst=3), TokenBucket(16.0, burst=3)
        outcome = run_trace(_job(demo, tmp_path / "out", first.api_url, [second.api_url],
                                 record=tmp_path / "case.json", workers=4))
    explorers = outcome.explorers
    assert all(count > 0 for count in explorers["answered"].values()), explorers["answered"]
    # Unpaced at first, each explorer answers some 429s before its rate is learnt (how many
    # depends on timing: benchmarks/live_throughput.py measures the share); every one was retried.
    assert first.bucket.refused + second.bucket.refused > 0
    for name in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS - {"trace.json"}):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    traced, reference = (json.loads((tmp_path / run / "trace.json").read_text()) for run in ("out", "ref"))
    assert _parameters_given(traced, reference) == {"fallback_urls"}  # the runs were given other explorers
    assert traced == reference
    cassette, one_explorer = (json.loads((tmp_path / name).read_text())["interactions"] for name in ("case.json", "ref.json"))
    assert [(i["request"], i["response"]["body"]) for i in cassette] == \
        [(i["request"], i["response"]["body"]) for i in one_explorer]
    assert explorers["rates"][first.api_url]["throttled"] == first.bucket.refused
    assert verify_outputs(tmp_path / "out").ok


def test_a_traced_cross_check_asks_each_explorer_itself(demo, two_explorers, tmp_path):
    """The explorers of a run share the transactions they fetched; the cross-check must still
    compare each explorer's own answer (a shared copy compared with itself always agrees)."""
    first, second = two_explorers
    txid, altered = _second_says_another_height(demo, second)
    try:
        outcome = run_trace(_job(demo, tmp_path / "out", first.api_url, [second.api_url], cross_check=500))
    finally:
        second.faults.clear()
    check = outcome.result.cross_check
    assert txid in check.sampled
    assert [(d["txid"], d["field"], d["explorer_b"]) for d in check.disagreements] == \
        [(txid, "block_height", second.api_url)]
