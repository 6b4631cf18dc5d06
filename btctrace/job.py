"""What one trace is asked to do: its seeds, limits, explorers, evidence (record, replay, resume),
tags, store and exhibit options. Read by the runner, which carries it out, by the transport,
which opens the explorers and the cassette it names, and by the manifest, which records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from btctrace.addresses import MAINNET
from btctrace.case import CaseInfo
from btctrace.heuristics.clustering import DEFAULT_COLLAPSE_THRESHOLD
from btctrace.providers.http import DEFAULT_MAX_BODY_BYTES, RetryPolicy
from btctrace.tracing.result import Direction, Seed, TraceLimits

__all__ = ["DEFAULT_WORKERS", "TraceJob"]

DEFAULT_WORKERS = 4


@dataclass(frozen=True)
class TraceJob:
    """One trace to run (:func:`btctrace.runner.run_trace`): every field is a parameter the
    manifest records, so the run can be repeated from it."""

    seeds: tuple[Seed, ...]
    out_dir: Path
    direction: Direction = Direction.FORWARD
    limits: TraceLimits = field(default_factory=TraceLimits)
    network: str = MAINNET  # explorer answers must hold addresses of this network
    api_url: str | None = None  # None: $BTCTRACE_API_URL, the cassette's, or the default
    fallback_urls: tuple[str, ...] = ()  # explorers asked, in order, when the one in use fails
    cross_check: int = 0  # transactions compared across all explorers after the trace
    prove_all: bool = False  # a Merkle proof for every traced transaction, not only the findings'
    require_proofs: bool = False  # refuse the run when a block or transaction cannot be proven
    max_response_bytes: int = DEFAULT_MAX_BODY_BYTES
    record: Path | None = None
    resume: bool = False  # continue an interrupted --record from its journal
    offline: Path | None = None
    tag_paths: tuple[Path, ...] = ()
    notes_path: Path | None = None  # the analyst's notes (explorer.html's download), shown as theirs
    price_table: Path | None = None  # the investigator's daily USD prices: a second opinion on the explorer's
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
    store: str | None = None  # the store's location; None: $BTCTRACE_STORE or the user's data folder
    no_store: bool = False  # use no store at all (tags only from --tags)
    store_snapshot: Path | None = None  # take tags and case links from this pinned snapshot (verify)
    attribute_endpoints: int = 0  # extra requests per unlabelled endpoint to follow its sweep
