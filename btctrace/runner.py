"""Wire the stages: transport (live, recording or replay) -> provider -> walk -> graph ->
exports. The only place they are put together; the CLI calls :func:`run_trace` or
:func:`run_case`."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from btctrace import __version__, safejson
from btctrace.addresses import MAINNET
from btctrace.cache.cassettes import Cassette, Journal, RecordingAdapter, ReplaySession, journal_path_for
from btctrace.case import Case
from btctrace.errors import AnswerRefused, BtctraceError, CassetteAnswerRefused, Interrupted, OutputError, UsageProblem
from btctrace.exports import CaseInfo, prepare_out_dir, write_outputs
from btctrace.exports.endpoints import endpoints_frame, taint_section
from btctrace.exports.tables import write_csv
from btctrace.exports.trace_json import read_trace_document, result_from_document
from btctrace.exports.writing import begin_writing, finish_writing, write_text
from btctrace.graph.build import build_graph
from btctrace.analysis import Analysis, analyse
from btctrace.heuristics.clustering import DEFAULT_COLLAPSE_THRESHOLD
from btctrace.manifest import build_manifest, write_manifest
from btctrace.providers.esplora.provider import DEFAULT_API_URL, EsploraProvider
from btctrace.providers.failover import FailoverProvider, cross_check
from btctrace.providers.http import DEFAULT_MAX_BODY_BYTES, HttpFetcher, RetryPolicy, default_rate_for, make_session
from btctrace.providers.ledger import AnswerLedger
from btctrace.notes import load_notes
from btctrace.tags import TagIndex, load_tagpacks
from btctrace.tracing.result import Direction, Seed, TraceLimits, TraceResult
from btctrace.tracing.accounting import TaintReport, taint_report, unanswerable_seed
from btctrace.tracing.taint import METHODS
from btctrace.tracing.walk import Progress, walk
from btctrace.units import format_utc
from btctrace.valuation import Prices, fetch_prices

__all__ = ["API_URL_ENV", "DEFAULT_WORKERS", "TraceJob", "Traced", "TraceOutcome", "TaintOutcome", "trace_and_analyse",
           "run_trace", "run_case", "run_taint", "resolve_api_url"]

API_URL_ENV = "BTCTRACE_API_URL"
DEFAULT_WORKERS = 4


@dataclass(frozen=True)
class TraceJob:
    seeds: tuple[Seed, ...]
    out_dir: Path
    direction: Direction = Direction.FORWARD
    limits: TraceLimits = field(default_factory=TraceLimits)
    network: str = MAINNET  # explorer answers must hold addresses of this network
    api_url: str | None = None  # None: $BTCTRACE_API_URL, the cassette's, or the default
    fallback_urls: tuple[str, ...] = ()  # explorers asked, in order, when the one in use fails
    cross_check: int = 0  # transactions compared across all explorers after the trace
    max_response_bytes: int = DEFAULT_MAX_BODY_BYTES
    record: Path | None = None
    resume: bool = False  # continue an interrupted --record from its journal
    offline: Path | None = None
    tag_paths: tuple[Path, ...] = ()
    notes_path: Path | None = None  # the analyst's notes (explorer.html's download), shown as theirs
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
    explorers: dict = field(default_factory=dict)  # which explorer answered what; failovers


def resolve_api_url(given: str | None, cassette: Cassette | None) -> str:
    """An explicit URL wins; offline, the URL the cassette was recorded from; then the env."""
    if given:
        return given.rstrip("/")
    if cassette is not None and cassette.metadata.get("api_url"):
        return str(cassette.metadata["api_url"])
    return os.environ.get(API_URL_ENV, DEFAULT_API_URL).rstrip("/")


def resolve_api_urls(job: "TraceJob", cassette: Cassette | None) -> list[str]:
    """The explorers in the order asked: the primary (see :func:`resolve_api_url`), then the
    fallbacks given, or offline without a given URL, those the cassette was recorded with."""
    primary = resolve_api_url(job.api_url, cassette)
    fallbacks = [url.rstrip("/") for url in job.fallback_urls]
    if not job.api_url and cassette is not None and not fallbacks:
        fallbacks = [str(url) for url in cassette.metadata.get("api_urls", [])]
    urls = list(dict.fromkeys([primary, *fallbacks]))
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageProblem(f"explorer URL {url!r} is not an http(s) URL",
                               "Give an Esplora base URL such as https://blockstream.info/api")
    return urls


def _check_job(job: TraceJob) -> None:
    if job.offline and job.record:
        raise UsageProblem("--offline and --record cannot be used together",
                           "Record once with --record, then replay with --offline")
    if not job.seeds:
        raise UsageProblem("no seed given", "Give at least one address, txid or txid:vout")
    if job.rate is not None and not (math.isfinite(job.rate) and 0.001 <= job.rate <= 1000):
        raise UsageProblem(f"--rate must be from 0.001 to 1,000 requests a second, got {job.rate}")
    since, until = job.limits.since, job.limits.until
    if since is not None and until is not None and since > until:
        raise UsageProblem(f"--since ({format_utc(since)}) is after --until ({format_utc(until)}): the window holds no time")
    if job.sankey_method not in METHODS:
        raise UsageProblem(f"unknown taint method {job.sankey_method!r}", f"Use one of {', '.join(METHODS)}")
    if job.workers < 1:
        raise UsageProblem(f"--workers must be at least 1, got {job.workers}")
    if job.cross_check < 0:
        raise UsageProblem(f"--cross-check must not be negative, got {job.cross_check}")
    if job.max_response_bytes < 1024:
        raise UsageProblem(f"--max-response-mb is too small ({job.max_response_bytes} bytes)")


class _Recording:
    """A recording in progress: the cassette it fills and the journal that makes it crash-safe.
    On success the cassette is written atomically and the journal removed; on failure the
    journal stays, holding every response fetched, for ``--resume``."""

    def __init__(self, path: Path, api_urls: list[str], resume: bool) -> None:
        self.journal_path = journal_path_for(path)
        left = self.journal_path.exists()
        self.journal = Journal(self.journal_path)  # the lock: a second recording to this cassette is refused
        try:
            self._start(path, api_urls, resume, left)
        except BaseException:
            if left:
                self.journal.close()  # an interrupted recording's journal stays for --resume
            else:
                self.journal.finish()
            raise

    def _start(self, path: Path, api_urls: list[str], resume: bool, left: bool) -> None:
        if left and not resume:
            raise UsageProblem(f"an interrupted recording left {self.journal_path}",
                               "Add --resume to continue it, or delete it to start again")
        if resume and not (left or path.exists()):
            raise UsageProblem(f"--resume: there is no journal {self.journal_path} or cassette {path} to continue")
        metadata = {"api_url": api_urls[0], "recorded_by": f"btctrace {__version__}"}
        if len(api_urls) > 1:
            metadata["api_urls"] = api_urls[1:]
        self.cassette = Cassette(path, metadata=metadata)
        if resume:  # reuse the answers; a failure (the cause of the stop) is asked again
            earlier = list(Cassette.load(path).interactions.values()) if path.exists() else []
            if left:
                earlier += Journal.read(self.journal_path)
            for item in earlier:
                if _usable_answer(item):
                    self.cassette.add_interaction(item)
        self.resumed = len(self.cassette.interactions)

    def finish(self) -> None:
        self.cassette.save()
        self.journal.finish()

    def abandon(self) -> None:
        self.journal.close()


def _usable_answer(item: dict) -> bool:
    """A kept answer worth reusing on --resume: a 200 whose body is JSON (a cut-off or HTML
    body that stopped the run is asked again)."""
    if item["response"]["status"]["code"] != 200:
        return False
    try:
        safejson.loads(item["response"]["body"]["string"])
    except ValueError:
        return False
    return True


@dataclass
class _Transport:
    session: Any  # a requests.Session (live or recording) or a ReplaySession (offline)
    providers: list[EsploraProvider]
    recording: _Recording | None
    mode: str


def _transport(job: TraceJob) -> _Transport:
    """One session (live, recording or replay) and one provider per explorer, each with the
    rate limit of its host."""
    recording = None
    if job.offline:
        cassette = Cassette.load(job.offline)
        api_urls = resolve_api_urls(job, cassette)
        # Replayed answers never change, so a recorded failure is not retried.
        policy, mode = replace(job.retry, attempts=1), "offline"
        session = ReplaySession(cassette)
    else:
        api_urls, policy = resolve_api_urls(job, None), job.retry
        if job.record:
            recording, mode = _Recording(job.record, api_urls, job.resume), "record"
            session = make_session(RecordingAdapter(recording.cassette, recording.journal, job.max_response_bytes))
        else:
            session, mode = make_session(), "live"
    providers = []
    ledger = AnswerLedger(job.network)  # one for all explorers: answers are checked against each other
    for url in api_urls:
        rate = None if mode == "offline" else job.rate if job.rate is not None else default_rate_for(url)
        fetcher = HttpFetcher(session, rate=rate, policy=policy, max_body_bytes=job.max_response_bytes)
        providers.append(EsploraProvider(url, fetcher, ledger))
    return _Transport(session, providers, recording, mode)


def _abandon(recording: _Recording | None, exc: BaseException, cassette: Path | None = None) -> None:
    """Keep the journal of a failed recording and say how to continue it. Offline, an answer
    of the cassette that fails a check is the cassette's fault (exit 5, not 4)."""
    if cassette is not None and isinstance(exc, AnswerRefused):
        raise CassetteAnswerRefused(str(cassette), exc) from None
    journal = str(recording.journal_path) if recording is not None else None
    if recording is not None:
        recording.abandon()
    if isinstance(exc, KeyboardInterrupt):
        raise Interrupted(journal) from None
    if journal and isinstance(exc, BtctraceError):
        exc.hint = f"{exc.hint}. Responses fetched so far are kept in {journal}: fix the cause and rerun with --resume"


@dataclass
class Traced:
    """A finished trace and its analysis, before any output is written."""

    result: TraceResult
    analysis: Analysis
    graph: nx.MultiDiGraph
    tags: TagIndex
    prices: Prices
    mode: str
    explorers: dict  # which explorer answered what; failovers; refused answers


def trace_and_analyse(job: TraceJob, progress: Progress | None = None) -> Traced:
    """Trace (recording, replaying or live), check, value and analyse: everything
    :func:`run_trace` writes, without writing it."""
    _check_job(job)
    tags = load_tagpacks(list(job.tag_paths)) if job.tag_paths else TagIndex()
    transport = _transport(job)
    provider = FailoverProvider(transport.providers)
    try:
        result = walk(provider, job.seeds, job.direction, job.limits, tags=tags, progress=progress,
                      workers=job.workers)
        prices = fetch_prices(provider, result)
        if job.cross_check and len(transport.providers) > 1:
            result.cross_check = cross_check(transport.providers, sorted(result.txs), job.cross_check)
    except BaseException as exc:
        _abandon(transport.recording, exc, job.offline)
        raise
    finally:
        transport.session.close()
    if transport.recording is not None:
        transport.recording.finish()
    result.checks = provider.ledger.summary()
    analysis = analyse(result, job.collapse_threshold, job.allow_collapse, job.cluster_change, tags,
                       usd_per_btc=prices.floats_by_txid(result))
    graph = build_graph(result, tags, analysis.clusters.ids())
    return Traced(result, analysis, graph, tags, prices, transport.mode, provider.log())


def run_trace(job: TraceJob, progress: Progress | None = None) -> TraceOutcome:
    """Trace, then write every output into ``job.out_dir``. With ``job.record`` every response
    is journalled as it arrives, so a trace that fails or is interrupted loses nothing fetched."""
    _check_job(job)
    notes = load_notes(job.notes_path) if job.notes_path else []  # a bad file is refused before any work
    prepare_out_dir(job.out_dir, job.force)
    traced = trace_and_analyse(job, progress)
    evidence = {"case file": job.case_file, "cassette": job.record or job.offline}
    begin_writing(job.out_dir)  # marked incomplete until the manifest is written
    files = write_outputs(traced.result, traced.analysis, traced.graph, traced.tags, job.case, job.out_dir,
                          traced.prices, evidence, job.chart_by_time, job.sankey_method, notes)
    api_url = traced.explorers["api_urls"][0]
    files.append(write_manifest(job.out_dir, build_manifest(job, api_url, traced.mode, files, traced.explorers)))
    finish_writing(job.out_dir)
    return TraceOutcome(traced.result, traced.graph, job.out_dir, files, traced.mode, job.record or job.offline,
                        traced.explorers)


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
        network=case.network,
        api_url=api_url or (None if offline else case.api_url),
        fallback_urls=() if api_url or offline else case.fallback_urls, cross_check=case.cross_check,
        record=cassette if record else None, resume=resume,
        offline=offline, tag_paths=case.tag_paths, notes_path=case.notes_path, rate=case.rate, force=force,
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
    for point in seeds or []:
        problem = unanswerable_seed(result, point)
        if problem:
            raise UsageProblem(f"no taint from seed {point[0]}:{point[1]}: {problem}")
    try:
        report = taint_report(result, tags, seeds, methods)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    target = write_dir or out_dir / "taint"
    files = [target / "endpoints.csv", target / "taint.json"]
    existing = [f for f in files if f.exists()]
    if existing and not force:
        raise OutputError(str(target), "it already holds taint results", "Add --force to overwrite them")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(str(target), exc.strerror or str(exc)) from exc
    write_csv(endpoints_frame(report), files[0])
    write_text(files[1], json.dumps(taint_section(report), indent=2) + "\n")
    return TaintOutcome(report, files)
