"""Wire the stages: transport (live, recording or replay) -> provider -> walk -> graph ->
exports. The only place they are put together; the CLI calls :func:`run_trace` or
:func:`run_case`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from btctrace import __version__
from btctrace.cache.cassettes import Cassette, RecordingAdapter, ReplayAdapter
from btctrace.case import Case
from btctrace.errors import UsageProblem
from btctrace.exports import CaseInfo, prepare_out_dir, write_outputs
from btctrace.graph.build import build_graph
from btctrace.providers.esplora.provider import DEFAULT_API_URL, EsploraProvider
from btctrace.providers.http import HttpFetcher, RetryPolicy, default_rate_for, make_session
from btctrace.tags import TagIndex, load_tagpacks
from btctrace.tracing.result import Direction, Seed, TraceLimits, TraceResult
from btctrace.tracing.walk import Progress, walk

__all__ = ["API_URL_ENV", "DEFAULT_WORKERS", "TraceJob", "TraceOutcome", "run_trace", "run_case", "resolve_api_url"]

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
    offline: Path | None = None
    tag_paths: tuple[Path, ...] = ()
    rate: float | None = None  # requests/second; None: the host's default
    force: bool = False
    workers: int = DEFAULT_WORKERS
    case: CaseInfo = field(default_factory=CaseInfo)
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
    if job.workers < 1:
        raise UsageProblem(f"--workers must be at least 1, got {job.workers}")


def _transport(job: TraceJob) -> tuple[HttpFetcher, str, Cassette | None, str]:
    if job.offline:
        cassette = Cassette.load(job.offline)
        api_url = resolve_api_url(job.api_url, cassette)
        # Replayed answers never change, so a recorded failure is not retried.
        policy = replace(job.retry, attempts=1)
        fetcher = HttpFetcher(make_session(ReplayAdapter(cassette)), rate=None, policy=policy)
        return fetcher, api_url, None, "offline"
    api_url = resolve_api_url(job.api_url, None)
    rate = job.rate if job.rate is not None else default_rate_for(api_url)
    if job.record:
        cassette = Cassette(job.record, metadata={"api_url": api_url, "recorded_by": f"btctrace {__version__}"})
        fetcher = HttpFetcher(make_session(RecordingAdapter(cassette)), rate=rate, policy=job.retry)
        return fetcher, api_url, cassette, "record"
    return HttpFetcher(make_session(), rate=rate, policy=job.retry), api_url, None, "live"


def run_trace(job: TraceJob, progress: Progress | None = None) -> TraceOutcome:
    """Trace, then write every output into ``job.out_dir``. With ``job.record`` the cassette
    is saved even when the trace fails part-way, so nothing fetched is lost."""
    _check_job(job)
    prepare_out_dir(job.out_dir, job.force)
    tags = load_tagpacks(list(job.tag_paths)) if job.tag_paths else TagIndex()
    fetcher, api_url, recording, mode = _transport(job)
    provider = EsploraProvider(api_url, fetcher)
    try:
        result = walk(provider, job.seeds, job.direction, job.limits, tags=tags, progress=progress,
                      workers=job.workers)
    finally:
        if recording is not None:
            recording.save()
        fetcher.session.close()
    graph = build_graph(result, tags)
    files = write_outputs(result, graph, tags, job.case, job.out_dir)
    return TraceOutcome(result, graph, job.out_dir, files, mode, job.record or job.offline)


def run_case(case: Case, out_dir: Path | None = None, live: bool = False, record: bool = False,
             force: bool = False, api_url: str | None = None, progress: Progress | None = None,
             workers: int | None = None) -> TraceOutcome:
    """Run a case file. By default it replays the case's cassette offline; ``live`` fetches
    from the explorer and ``record`` re-records the cassette (which needs ``force`` if it exists)."""
    cassette = case.cassette
    if record and cassette is None:
        raise UsageProblem(f"case {case.id} names no [provider] cassette to record to")
    if record and cassette.exists() and not force:
        raise UsageProblem(f"the cassette {cassette} exists", "Add --force to record it again")
    offline = None
    if not (live or record):
        if cassette is None or not cassette.exists():
            raise UsageProblem(f"case {case.id} has no recorded cassette ({cassette or 'none named'})",
                               "Run it with --record (online) first, or --live")
        offline = cassette
    job = TraceJob(
        seeds=case.seeds, out_dir=out_dir or Path("out") / case.id, direction=case.direction, limits=case.limits,
        api_url=api_url or (None if offline else case.api_url), record=cassette if record else None,
        offline=offline, tag_paths=case.tag_paths, rate=case.rate, force=force,
        workers=workers or case.workers or DEFAULT_WORKERS,
        case=CaseInfo(case.id, case.title, case.synthetic),
    )
    return run_trace(job, progress)
