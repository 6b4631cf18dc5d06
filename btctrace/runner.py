"""Wire the stages: transport (live, recording or replay) -> provider -> walk -> graph ->
exports. The only place they are put together; the CLI calls :func:`run_trace` or
:func:`run_case`."""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from btctrace.analysis import Analysis, analyse
from btctrace.cache.interactions import normalise_uri
from btctrace.cache.provenance import sha256_file
from btctrace.case import Case
from btctrace.errors import AnswerRefused, BtctraceError, UsageProblem
from btctrace.exports import prepare_out_dir, sanctions_line, write_outputs, write_taint_outputs
from btctrace.exports.interchange.trace_json import read_trace_document, result_from_document
from btctrace.exports.writing.atomic import begin_writing, finish_writing
from btctrace.graph.build import build_graph
from btctrace.job import DEFAULT_WORKERS, TraceJob
from btctrace.manifest import build_manifest, stated_parameters, write_manifest, write_taint_manifest
from btctrace.memory import collection_paused, long_lived_frozen, release_freed_memory
from btctrace.notes import load_notes
from btctrace.price_table import load_price_table
from btctrace.providers.esplora.client import EsploraClient
from btctrace.providers.failover import FailoverProvider, cross_check
from btctrace.providers.http import HttpFetcher
from btctrace.store.cases import CaseRecord
from btctrace.store.evidence import EvidenceCache
from btctrace.store.run import RunStore, case_items, open_run_store
from btctrace.store.snapshot import StoreView
from btctrace.tags import TagIndex, load_tagpacks
from btctrace.tracing.accounting import TaintReport, taint_report, unanswerable_seed
from btctrace.tracing.deposits import follow_deposits
from btctrace.tracing.proving import prove_trace
from btctrace.tracing.result import Direction, TraceResult
from btctrace.tracing.taint import METHODS
from btctrace.tracing.walk import Progress, walk
from btctrace.transport import API_URL_ENV, Transport, abandon_recording, open_transport, resolve_api_url
from btctrace.units import format_utc
from btctrace.valuation import Prices, fetch_prices

# TraceJob and DEFAULT_WORKERS live in btctrace.job (below the transport and the manifest, which
# read a job too); they are named here as well, beside the functions that run a job.
__all__ = ["API_URL_ENV", "DEFAULT_WORKERS", "TraceJob", "Traced", "TraceOutcome", "TaintOutcome", "trace_and_analyse",
           "run_trace", "run_case", "run_taint", "resolve_api_url", "walk_workers"]


@dataclass
class TraceOutcome:
    result: TraceResult
    graph: nx.MultiDiGraph
    out_dir: Path
    files: list[Path]
    mode: str  # "live" | "record" | "offline"
    cassette: Path | None = None
    explorers: dict = field(default_factory=dict)  # which explorer answered what; failovers
    store: StoreView = field(default_factory=StoreView)  # what the run took from the store
    sanctions: str = ""  # one line naming the traced addresses on a sanctions list ("" when none)
    store_created: str = ""  # where this run created the store (the first run on this machine), else ""


def _check_job(job: TraceJob) -> None:
    if job.offline and job.record:
        raise UsageProblem("--offline and --record cannot be used together",
                           "Record once with --record, then replay with --offline")
    if not job.seeds:
        raise UsageProblem("no seed given", "Give at least one address, txid or txid:vout")
    if job.record is not None and (job.record.exists() or job.record.is_symlink()) and not (job.force or job.resume):
        raise UsageProblem(f"the cassette {job.record} exists: it is the evidence of an earlier run, whose folder "
                           "verifies only against it", "Add --force to record over it, or --resume to continue it")
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
    if job.attribute_endpoints < 0:
        raise UsageProblem(f"--attribute-endpoints must not be negative, got {job.attribute_endpoints}")
    if job.max_response_bytes < 1024:
        raise UsageProblem(f"--max-response-mb is too small ({job.max_response_bytes} bytes)")
    if job.price_table is not None:
        load_price_table(job.price_table)  # a bad table is refused before anything is fetched


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
    run_store: RunStore = field(default_factory=RunStore)
    run_id: str = ""  # this run, named in its manifest and in the cassette it records


def _evidence_tip(transport: Transport, run_store: RunStore) -> None:
    """The explorer's tip height, which decides which answers are final enough to keep. Asked
    on a fetcher of its own: recorded in the cassette, but not one of the trace's requests (an
    offline rerun, which keeps nothing, never asks it)."""
    if run_store.evidence is None:
        return
    primary = transport.providers[0]
    fetcher = HttpFetcher(transport.session, rate=None, policy=primary.fetcher.policy)
    primary.fetcher.take_slot()  # the host's rate limit covers this request too
    try:
        run_store.evidence.tip_height = EsploraClient(primary.api_url, fetcher).tip_height()
    except BtctraceError:
        run_store.evidence.tip_height = None  # nothing is kept; the trace goes on


def walk_workers(job: TraceJob) -> int:
    """Threads fetching in parallel: the job's for the network; one for an offline replay,
    whose answers are on disk and whose threads would only wait for each other (issue 31: 10,000
    transactions traced and analysed in 5.0-5.3 s with one, 8.0-9.1 s with four)."""
    return 1 if job.offline is not None else job.workers


def _walk_and_value(job: TraceJob, provider: FailoverProvider, tags: TagIndex,
                    progress: Progress | None) -> tuple[TraceResult, Prices]:
    result = walk(provider, job.seeds, job.direction, job.limits, tags=tags, progress=progress,
                  workers=walk_workers(job))
    tags.prefetch(x.address for t in result.txs.values() for x in (*t.tx.inputs, *t.tx.outputs) if x.address)
    result.deposits = follow_deposits(provider, result, tags, job.attribute_endpoints)
    # block times proven before they are priced
    result.proofs = prove_trace(provider, result, job.prove_all, job.require_proofs, progress=progress)
    table = load_price_table(job.price_table) if job.price_table else None
    return result, fetch_prices(provider, result, table)


def _walk_trusting_no_cache(job: TraceJob, transport: Transport, provider: FailoverProvider,
                            evidence: EvidenceCache | None, tags: TagIndex,
                            progress: Progress | None) -> tuple[TraceResult, Prices, FailoverProvider]:
    """The walk; when the checks refused an answer in a run the evidence store served answers
    to, the store's answers are suspects: each is asked of the explorer afresh (a kept answer
    that differs is quarantined, :class:`~btctrace.store.evidence.EvidenceCache`), and when
    any was, the walk runs once more from the explorer with new checks, the refusals it no
    longer meets laid at the store's door (issue 32)."""
    try:
        result, prices = _walk_and_value(job, provider, tags, progress)
        failure = None
    except AnswerRefused as exc:
        failure = exc
    if evidence is None or not (failure or provider.refusals) or not evidence.recheck_served(
            lambda uri: transport.providers[0].fetcher.get(uri, fresh=True, keep_text=False)):
        if failure is not None:
            raise failure
        return result, prices, provider
    first = provider
    transport.providers = transport.new_providers()
    provider = FailoverProvider(transport.providers, transport.replay_order)
    result, prices = _walk_and_value(job, provider, tags, progress)
    provider.cache_refusals = [r for r in first.refusals if r not in provider.refusals]
    return result, prices, provider


def _trace(job: TraceJob, tags: TagIndex, run_store: RunStore,
           progress: Progress | None, run_id: str = "") -> tuple[TraceResult, Prices, dict, str]:
    """Open the transport, walk and value: the result, its prices, the explorers' log and the
    mode. The transport (the cassette, every answer fetched) is let go on return."""
    try:
        transport = open_transport(job, run_store.evidence, run_id)
    except BaseException:
        run_store.close()
        raise
    provider = FailoverProvider(transport.providers, transport.replay_order)
    try:
        _evidence_tip(transport, run_store)
        result, prices, provider = _walk_trusting_no_cache(job, transport, provider, run_store.evidence, tags,
                                                           progress)
        if job.cross_check and len(transport.providers) > 1:
            result.cross_check = cross_check(transport.providers, sorted(result.txs), job.cross_check)
    except BaseException as exc:
        run_store.close()
        abandon_recording(transport.recording, exc, job.offline)
        raise
    finally:
        transport.session.close()
    if transport.recording is not None:
        transport.recording.finish()
    result.checks = provider.ledger.summary()
    return result, prices, provider.log(), transport.mode


def trace_and_analyse(job: TraceJob, progress: Progress | None = None) -> Traced:
    """Trace (recording, replaying or live), check, value and analyse: everything
    :func:`run_trace` writes, without writing it. Automatic cycle collection is paused for a
    replay and for the analysis (:func:`~btctrace.memory.collection_paused`); a live walk,
    which makes network objects for hours, keeps it."""
    _check_job(job)
    tags = load_tagpacks(list(job.tag_paths)) if job.tag_paths else TagIndex()
    run_store = open_run_store(job.store, job.no_store, job.store_snapshot, evidence=not job.offline)
    tags.lookup = run_store.tag_lookup()
    with collection_paused(job.offline is not None):  # a replay: paused from the walk to the graph
        run_id = uuid.uuid4().hex
        result, prices, explorers, mode = _trace(job, tags, run_store, progress, run_id)
        # The cassette and every answer fetched are let go: the trace holds what the rest needs
        # (the largest cases would otherwise carry both through analysis and every export). A
        # replay's transport holds no reference cycle (tested): reference counting has freed it,
        # and a collection would only walk the trace's objects (0.13 s at 10,000 transactions).
        # A live or recording transport's network objects do refer to each other: collected.
        release_freed_memory(collect=job.offline is None)
        with collection_paused():
            analysis = analyse(result, job.collapse_threshold, job.allow_collapse, job.cluster_change, tags,
                               usd_per_btc=prices.floats_by_txid(result))
            tags.lookup = None  # every address the trace touched was asked: what follows reads only these
            graph = build_graph(result, tags, analysis.clusters.ids())
    release_freed_memory()
    if run_store.store is not None:
        explorers["store"] = run_store.store.location  # where it lives: the manifest's business only
    if run_store.evidence is not None:
        run_store.evidence.commit(refused_uris(explorers))
        explorers["evidence_store"] = dict(run_store.evidence.counts, tip_height=run_store.evidence.tip_height,
                                           quarantined=run_store.evidence.quarantined)
    return Traced(result, analysis, graph, tags, prices, mode, explorers, run_store, run_id)


def refused_uris(explorers: dict) -> set[str]:
    """The URLs whose answers the checks refused, never kept in the evidence cache: a refused
    transaction or outspends answer discards both answers that explorer gave for that txid."""
    uris = set()
    for refusal in explorers.get("refused", []):
        kind, _, txid = refusal["request"].partition(" ")
        if kind in ("tx", "outspends"):
            base = f"{refusal['api_url']}/tx/{txid}"
            uris.update({normalise_uri(base), normalise_uri(base + "/outspends")})
    return uris


def _case_record(job: TraceJob) -> CaseRecord | None:
    """The case to register (not for a rerun from a pinned snapshot: verify). Without a case
    file the seeds name the case, so tracing the same seeds again replaces it instead of linking
    the trace to itself."""
    if job.store_snapshot is not None:
        return None
    seeds = sorted(s.value if s.vout is None else f"{s.value}:{s.vout}" for s in job.seeds)
    case_id = job.case.id
    if not case_id:
        digest = hashlib.sha256("\n".join(seeds).encode()).hexdigest()[:12]
        case_id = f"trace {seeds[0]}" + (f" +{len(seeds) - 1} seeds ({digest})" if len(seeds) > 1 else "")
    return CaseRecord(case_id, job.case.title or case_id, str(job.out_dir.resolve()), seeds)


def run_trace(job: TraceJob, progress: Progress | None = None,
              on_traced: Callable[[TraceOutcome], None] | None = None) -> TraceOutcome:
    """Trace, then write every output into ``job.out_dir``. With ``job.record`` every response
    is journalled as it arrives, so a trace that fails or is interrupted loses nothing fetched.
    *on_traced* is given the outcome (no files yet) as soon as the trace and its analysis are
    done, before the exports: the first answer is not held back by the charts; *progress* is
    told of the walk, the proofs and then the exports."""
    _check_job(job)
    notes = load_notes(job.notes_path) if job.notes_path else []  # a bad file is refused before any work
    prepare_out_dir(job.out_dir, job.force)
    # A replay keeps automatic collection paused from the walk to the end of the exports: let on
    # in between, its first pass would walk the whole model once more (0.15 s at 10,000).
    with collection_paused(job.offline is not None):
        traced = trace_and_analyse(job, progress)
        # The exports make millions of short-lived objects, hardly a cycle; the few they do make
        # are collected between exports, among what the exports made only (the model is frozen).
        with collection_paused(), long_lived_frozen():
            try:
                view = traced.run_store.finish(traced.tags, case_items(traced.graph), _case_record(job))
            finally:
                traced.run_store.close()
            evidence = {"case file": job.case_file, "cassette": job.record or job.offline}
            if on_traced is not None:
                on_traced(_outcome(job, traced, view, []))
            begin_writing(job.out_dir)  # marked incomplete until the manifest is written
            traced.result.run_parameters = stated_parameters(job)  # trace.json states them too: verify compares
            files = write_outputs(traced.result, traced.analysis, traced.graph, traced.tags, job.case,
                                  job.out_dir, traced.prices, evidence, job.chart_by_time, job.sankey_method,
                                  notes, view, progress)
    api_url = traced.explorers["api_urls"][0]
    files.append(write_manifest(job.out_dir, build_manifest(job, api_url, traced.mode, files, traced.explorers,
                                                            traced.run_id)))
    finish_writing(job.out_dir)
    return _outcome(job, traced, view, files)


def _outcome(job: TraceJob, traced: Traced, view: StoreView, files: list[Path]) -> TraceOutcome:
    store = traced.run_store.store
    return TraceOutcome(traced.result, traced.graph, job.out_dir, files, traced.mode, job.record or job.offline,
                        traced.explorers, view, sanctions_line(traced.graph, traced.tags),
                        store.location if store is not None and store.created else "")


def run_case(case: Case, out_dir: Path | None = None, live: bool = False, record: bool = False,
             force: bool = False, api_url: str | None = None, progress: Progress | None = None,
             workers: int | None = None, resume: bool = False, store: str | None = None, no_store: bool = False,
             attribute_endpoints: int = 0, price_table: Path | None = None,
             require_proofs: bool = False, on_traced: Callable[[TraceOutcome], None] | None = None) -> TraceOutcome:
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
        case=case.info, case_file=case.path,
        collapse_threshold=case.collapse_threshold, allow_collapse=case.allow_collapse,
        cluster_change=case.cluster_change, chart_by_time=case.chart_by_time,
        store=store, no_store=no_store, attribute_endpoints=attribute_endpoints,
        price_table=price_table or case.price_table, prove_all=case.prove_all,
        require_proofs=require_proofs or case.require_proofs,
    )
    return run_trace(job, progress, on_traced)


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
    files = write_taint_outputs(report, target, force)
    files.append(write_taint_manifest(target, files, sha256_file(out_dir / "trace.json"), seeds, methods))
    return TaintOutcome(report, files)
