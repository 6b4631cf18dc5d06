"""Wire the stages: transport (live, recording or replay) -> provider -> walk -> graph ->
exports. The only place they are put together; the CLI calls :func:`run_trace` or
:func:`run_case`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from btctrace import __version__
from btctrace.cache.cassettes import Cassette, Journal, RecordingAdapter, ReplayAdapter, journal_path_for
from btctrace.case import Case
from btctrace.errors import BtctraceError, Interrupted, OutputError, UsageProblem
from btctrace.exports import CaseInfo, prepare_out_dir, write_outputs
from btctrace.exports.endpoints import endpoints_frame, taint_section
from btctrace.exports.tables import write_csv
from btctrace.exports.trace_json import read_trace_document, result_from_document
from btctrace.graph.build import build_graph
from btctrace.analysis import analyse
from btctrace.heuristics.clustering import DEFAULT_COLLAPSE_THRESHOLD
from btctrace.manifest import build_manifest, write_manifest
from btctrace.providers.esplora.provider import DEFAULT_API_URL, EsploraProvider
from btctrace.providers.http import HttpFetcher, RetryPolicy, default_rate_for, make_session
from btctrace.tags import TagIndex, load_tagpacks
from btctrace.tracing.result import Direction, Seed, TraceLimits, TraceResult
from btctrace.tracing.accounting import TaintReport, taint_report
from btctrace.tracing.taint import METHODS
from btctrace.tracing.walk import Progress, walk
from btctrace.valuation import fetch_prices

__all__ = ["API_URL_ENV", "DEFAULT_WORKERS", "TraceJob", "TraceOutcome", "TaintOutcome", "run_trace", "run_case",
           "run_taint", "resolve_api_url"]

API_URL_ENV = "BTCTRACE_API_URL"
DEFAULT_WORKERS = 4


@dataclass(frozen=True)
class TraceJob:
    seeds: tuple[Seed, ...]
    out_dir: Path
    direction: Direction = Direction.FORWARD
    limits: TraceLimits = field(default_factory=TraceLimits)
    api_url: str | None = None  # None: $BTCTRACE_API_URL, the cassette's, or the default
    record: Path | None = None
    resume: bool = False  # continue an interrupted --record from its journal
    offline: Path | None = None
    tag_paths: tuple[Path, ...] = ()
    rate: float | None = None  # requests/second; None: the host's default
    force: bool = False
    workers: int = DEFAULT_WORKERS
    case: CaseInfo = field(default_factory=CaseInfo)
    case_file: Path | None = None
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD
    allow_collapse: bool = False
    cluster_change: bool = False  # also merge decided change outputs (marked rule "change")
    chart_by_time: bool = False  # flow chart columns by block time instead of hop
    sankey_method: str = "fifo"  # taint method the Sankey chart shows
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class TraceOutcome:
    result: TraceResult
    graph: nx.MultiDiGraph
    out_dir: Path
    files: list[Path]
    mode: str  # "live" | "record" | "offline"
    cassette: Path | None = None


def resolve_api_url(given: str | None, cassette: Cassette | None) -> str:
    """An explicit URL wins; offline, the URL the cassette was recorded from; then the env."""
    if given:
        return given.rstrip("/")
    if cassette is not None and cassette.metadata.get("api_url"):
        return str(cassette.metadata["api_url"])
    return os.environ.get(API_URL_ENV, DEFAULT_API_URL).rstrip("/")


def _check_job(job: TraceJob) -> None:
    if job.offline and job.record:
        raise UsageProblem("--offline and --record cannot be used together",
                           "Record once with --record, then replay with --offline")
    if not job.seeds:
        raise UsageProblem("no seed given", "Give at least one address, txid or txid:vout")
    if job.rate is not None and job.rate <= 0:
        raise UsageProblem(f"--rate must be above 0, got {job.rate}")
    if job.sankey_method not in METHODS:
        raise UsageProblem(f"unknown taint method {job.sankey_method!r}", f"Use one of {', '.join(METHODS)}")
    if job.workers < 1:
        raise UsageProblem(f"--workers must be at least 1, got {job.workers}")


class _Recording:
    """A recording in progress: the cassette it fills and the journal that makes it crash-safe.
    On success the cassette is written atomically and the journal removed; on failure the
    journal stays, holding every response fetched, for ``--resume``."""

    def __init__(self, path: Path, api_url: str, resume: bool) -> None:
        self.journal_path = journal_path_for(path)
        if self.journal_path.exists() and not resume:
            raise UsageProblem(f"an interrupted recording left {self.journal_path}",
                               "Add --resume to continue it, or delete it to start again")
        if resume and not (self.journal_path.exists() or path.exists()):
            raise UsageProblem(f"--resume: there is no journal {self.journal_path} or cassette {path} to continue")
        self.cassette = Cassette(path, metadata={"api_url": api_url, "recorded_by": f"btctrace {__version__}"})
        if resume:  # reuse the answers; a failure (the cause of the stop) is asked again
            earlier = list(Cassette.load(path).interactions.values()) if path.exists() else []
            if self.journal_path.exists():
                earlier += Journal.read(self.journal_path)
            for item in earlier:
                if item["response"]["status"]["code"] == 200:
                    self.cassette.add_interaction(item)
        self.resumed = len(self.cassette.interactions)
        self.journal = Journal(self.journal_path)

    def finish(self) -> None:
        self.journal.close()
        self.cassette.save()
        self.journal_path.unlink()

    def abandon(self) -> None:
        self.journal.close()


def _transport(job: TraceJob) -> tuple[HttpFetcher, str, _Recording | None, str]:
    if job.offline:
        cassette = Cassette.load(job.offline)
        api_url = resolve_api_url(job.api_url, cassette)
        # Replayed answers never change, so a recorded failure is not retried.
        policy = replace(job.retry, attempts=1)
        fetcher = HttpFetcher(make_session(ReplayAdapter(cassette), trust_env=False), rate=None, policy=policy)
        return fetcher, api_url, None, "offline"
    api_url = resolve_api_url(job.api_url, None)
    rate = job.rate if job.rate is not None else default_rate_for(api_url)
    if job.record:
        recording = _Recording(job.record, api_url, job.resume)
        adapter = RecordingAdapter(recording.cassette, recording.journal)
        return HttpFetcher(make_session(adapter), rate=rate, policy=job.retry), api_url, recording, "record"
    return HttpFetcher(make_session(), rate=rate, policy=job.retry), api_url, None, "live"


def _abandon(recording: _Recording | None, exc: BaseException) -> None:
    """Keep the journal of a failed recording and say how to continue it."""
    journal = str(recording.journal_path) if recording is not None else None
    if recording is not None:
        recording.abandon()
    if isinstance(exc, KeyboardInterrupt):
        raise Interrupted(journal) from None
    if journal and isinstance(exc, BtctraceError):
        exc.hint = f"{exc.hint}. Responses fetched so far are kept in {journal}: fix the cause and rerun with --resume"


def run_trace(job: TraceJob, progress: Progress | None = None) -> TraceOutcome:
    """Trace, then write every output into ``job.out_dir``. With ``job.record`` every response
    is journalled as it arrives, so a trace that fails or is interrupted loses nothing fetched."""
    _check_job(job)
    prepare_out_dir(job.out_dir, job.force)
    tags = load_tagpacks(list(job.tag_paths)) if job.tag_paths else TagIndex()
    fetcher, api_url, recording, mode = _transport(job)
    provider = EsploraProvider(api_url, fetcher)
    try:
        result = walk(provider, job.seeds, job.direction, job.limits, tags=tags, progress=progress,
                      workers=job.workers)
        prices = fetch_prices(provider, result)
    except BaseException as exc:
        _abandon(recording, exc)
        raise
    finally:
        fetcher.session.close()
    if recording is not None:
        recording.finish()
    analysis = analyse(result, job.collapse_threshold, job.allow_collapse, job.cluster_change, tags,
                       usd_per_btc=prices.floats_by_txid(result))
    graph = build_graph(result, tags, analysis.clusters.ids())
    evidence = {"case file": job.case_file, "cassette": job.record or job.offline}
    files = write_outputs(result, analysis, graph, tags, job.case, job.out_dir, prices, evidence, job.chart_by_time,
                          job.sankey_method)
    files.append(write_manifest(job.out_dir, build_manifest(job, api_url, mode, files)))
    return TraceOutcome(result, graph, job.out_dir, files, mode, job.record or job.offline)


def run_case(case: Case, out_dir: Path | None = None, live: bool = False, record: bool = False,
             force: bool = False, api_url: str | None = None, progress: Progress | None = None,
             workers: int | None = None, resume: bool = False) -> TraceOutcome:
    """Run a case file. By default it replays the case's cassette offline; ``live`` fetches
    from the explorer and ``record`` re-records the cassette (which needs ``force`` if it exists)."""
    cassette = case.cassette
    record = record or resume
    if record and cassette is None:
        raise UsageProblem(f"case {case.id} names no [provider] cassette to record to")
    if record and cassette.exists() and not (force or resume):
        raise UsageProblem(f"the cassette {cassette} exists", "Add --force to record it again")
    offline = None
    if not (live or record):
        if cassette is None or not cassette.exists():
            raise UsageProblem(f"case {case.id} has no recorded cassette ({cassette or 'none named'})",
                               "Run it with --record (online) first, or --live")
        offline = cassette
    job = TraceJob(
        seeds=case.seeds, out_dir=out_dir or Path("out") / case.id, direction=case.direction, limits=case.limits,
        api_url=api_url or (None if offline else case.api_url), record=cassette if record else None, resume=resume,
        offline=offline, tag_paths=case.tag_paths, rate=case.rate, force=force,
        workers=workers or case.workers or DEFAULT_WORKERS,
        case=CaseInfo(case.id, case.title, case.synthetic), case_file=case.path,
        collapse_threshold=case.collapse_threshold, allow_collapse=case.allow_collapse,
        cluster_change=case.cluster_change, chart_by_time=case.chart_by_time,
    )
    return run_trace(job, progress)


@dataclass
class TaintOutcome:
    report: TaintReport
    files: list[Path]


def run_taint(out_dir: Path, seeds: list[tuple[str, int]] | None = None, methods: tuple[str, ...] = METHODS,
              write_dir: Path | None = None, force: bool = False) -> TaintOutcome:
    """Recompute taint from a trace's ``trace.json`` (no network), optionally from other seed
    outputs, and write ``endpoints.csv`` and ``taint.json`` into *write_dir* (default
    ``<out_dir>/taint``)."""
    result, tags = result_from_document(read_trace_document(out_dir))
    if result.direction is not Direction.FORWARD:
        raise UsageProblem(f"{out_dir} holds a {result.direction.value} trace", "Taint follows money forward: trace forward")
    unknown = [f"{t}:{v}" for t, v in seeds or [] if t not in result.txs or v >= len(result.txs[t].tx.outputs)]
    if unknown:
        raise UsageProblem(f"seed outputs not in this trace: {', '.join(unknown)}", "Use txid:vout of a traced transaction")
    try:
        report = taint_report(result, tags, seeds, methods)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    target = write_dir or out_dir / "taint"
    files = [target / "endpoints.csv", target / "taint.json"]
    existing = [f for f in files if f.exists()]
    if existing and not force:
        raise OutputError(str(target), "it already holds taint results", "Add --force to overwrite them")
    target.mkdir(parents=True, exist_ok=True)
    write_csv(endpoints_frame(report), files[0])
    files[1].write_text(json.dumps(taint_section(report), indent=2) + "\n", encoding="utf-8")
    return TaintOutcome(report, files)
