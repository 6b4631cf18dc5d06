"""The runner wires transport, walk and exports: API URL resolution, and a cassette recorded by
btctrace replayed through stock vcrpy gives the same trace."""

import pytest

from btctrace.cache.cassettes import Cassette
from btctrace.exports import OUTPUT_FILES
from btctrace.runner import API_URL_ENV, TraceJob, resolve_api_url, run_trace
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import Seed, TraceLimits
from tests.conftest import EVIDENCE_BOUND_OUTPUTS


def test_api_url_precedence(tmp_path, monkeypatch):
    cassette = Cassette(tmp_path / "c.json", metadata={"api_url": "http://recorded/api"})
    monkeypatch.setenv(API_URL_ENV, "http://env/api/")
    assert resolve_api_url("http://given/api/", cassette) == "http://given/api"
    assert resolve_api_url(None, cassette) == "http://recorded/api"
    assert resolve_api_url(None, None) == "http://env/api"
    monkeypatch.delenv(API_URL_ENV)
    assert resolve_api_url(None, None) == "https://blockstream.info/api"


def test_stock_vcrpy_replays_a_btctrace_trace_to_the_same_outputs(demo, tmp_path):
    vcr = pytest.importorskip("vcr")
    seeds = (Seed("address", demo.ransom_address),)
    limits = TraceLimits(hops=4)
    with EsploraServer(demo.store) as server:
        api_url = server.api_url
        run_trace(TraceJob(seeds, tmp_path / "live", limits=limits, api_url=api_url, record=tmp_path / "c.json"))
    # The server is gone: only vcrpy can answer now.
    with vcr.use_cassette(str(tmp_path / "c.json"), serializer="json", record_mode="none",
                          allow_playback_repeats=True):
        run_trace(TraceJob(seeds, tmp_path / "vcr", limits=limits, api_url=api_url))
    for name in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS):
        assert (tmp_path / "live" / name).read_bytes() == (tmp_path / "vcr" / name).read_bytes(), name


def test_an_offline_replay_walks_on_one_thread_and_a_live_run_on_the_jobs(tmp_path):
    from btctrace.runner import TraceJob, walk_workers
    from btctrace.tracing.result import Seed

    seeds = (Seed("address", "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"),)
    assert walk_workers(TraceJob(seeds, tmp_path, workers=6)) == 6
    assert walk_workers(TraceJob(seeds, tmp_path, workers=6, offline=tmp_path / "c.json")) == 1


def test_the_first_answer_comes_before_the_exhibits_and_progress_covers_them(demo, tmp_path):
    from btctrace.exports.writing.background import ExportStatus

    seen, statuses = [], []

    def on_traced(outcome):
        seen.append((outcome.files, len(outcome.result.txs), (tmp_path / "out" / "report.html").exists(),
                     (tmp_path / "out" / "flow.pdf").exists()))

    with EsploraServer(demo.store) as server:
        outcome = run_trace(TraceJob((Seed("address", demo.ransom_address),), tmp_path / "out",
                                     limits=TraceLimits(hops=20, max_transactions=40), api_url=server.api_url,
                                     no_store=True), progress=statuses.append, on_traced=on_traced)
    assert seen == [([], len(outcome.result.txs), False, False)], "told once, before any exhibit was written"
    exports = [s for s in statuses if isinstance(s, ExportStatus)]
    assert [s.done for s in exports] == sorted(s.done for s in exports) and exports[-1].what == "report"
    assert exports[-1].done == exports[-1].total == len(OUTPUT_FILES)
    assert {s.what for s in exports} >= {"flow chart", "graph files", "charts", "explorer", "tables and sharing files"}
