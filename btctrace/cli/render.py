"""Plain-text rendering of a finished trace and progress lines (stderr, TTY only)."""

from __future__ import annotations

import shlex
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterator

import click

from btctrace.cli.terminal import say
from btctrace.exports.writing.background import ExportStatus
from btctrace.exports.writing.safe_text import summarise
from btctrace.runner import TraceOutcome
from btctrace.tracing.proving import ProofStatus, proof_line
from btctrace.tracing.result import STOP_EXPLANATIONS, StopReason
from btctrace.tracing.walk import WalkStatus
from btctrace.units import format_btc

__all__ = ["summary_lines", "files_lines", "finding_printer", "progress_printer", "progress_shown"]


def summary_lines(outcome: TraceOutcome) -> list[str]:
    result = outcome.result
    hops = [t.hop for t in result.txs.values()]
    source = {"offline": f"offline from {outcome.cassette}", "record": f"recorded to {outcome.cassette}",
              "live": "live"}[outcome.mode]
    lines = [
        f"Traced {len(result.txs)} transactions (hops {min(hops, default=0)}-{max(hops, default=0)}) "
        f"{result.direction.value} from {summarise(result.seeds, 'seeds')}; "
        f"{result.requests} requests to {result.api_url} ({source}).",
    ]
    if outcome.sanctions:
        lines.append(outcome.sanctions)
    totals: dict[StopReason, list[int]] = defaultdict(lambda: [0, 0])
    for stop in result.stops:
        totals[stop.reason][0] += 1
        totals[stop.reason][1] += stop.value
    lines.append("Stops:" if totals else "Stops: none")
    for reason in sorted(totals, key=lambda r: r.value):
        count, value = totals[reason]
        lines.append(f"  {reason.value:<17} {count:>5} x  {format_btc(value):>18} BTC  {STOP_EXPLANATIONS[reason]}")
    lines.extend(f"Note: {note}" for note in result.notes)
    if result.proofs is not None:
        lines.append(proof_line(result.proofs))
    lines.extend(_explorer_lines(outcome))
    lines.extend(_store_lines(outcome))
    lines.append("Caps that bit:" if result.caps else "Caps that bit: none")
    lines.extend(f"  {cap.name} (limit {cap.limit}): {cap.detail}" for cap in result.caps)
    return lines


def files_lines(outcome: TraceOutcome) -> list[str]:
    """The files a run wrote, once they all are, and what to open next."""
    folder = shlex.quote(str(outcome.out_dir))
    verify = (f"  btctrace verify {folder}    reruns it offline from the cassette and compares every byte"
              if outcome.mode in ("record", "offline") else
              "  (a live run without --record cannot be verified: add --record FILE to keep the evidence)")
    return [f"Wrote {len(outcome.files)} files to {outcome.out_dir}:", *(f"  {path}" for path in outcome.files),
            "Next:", f"  open {outcome.out_dir / 'report.html'}    the finding on page 1, then the evidence for it",
            f"  btctrace explore {folder}    the graph in your browser, offline", verify]


def finding_printer(progress: "_ProgressLine | None", heading: str = "") -> Callable[[TraceOutcome], None]:
    """What a command gives the runner as *on_traced*: *heading* and the summary on stdout as
    soon as the trace is analysed (the progress line ended first), before the exhibits are written."""
    def show(outcome: TraceOutcome) -> None:
        if progress is not None:
            progress.break_line()
        if heading:
            say(heading)
        say("\n".join(summary_lines(outcome)))
    return show


def _store_lines(outcome: TraceOutcome) -> list[str]:
    """What the store gave: tags, final answers served and kept, links to other cases."""
    view = outcome.store
    if view.kind is None:
        return ["Store: none (--no-store)"]
    if outcome.store_created:
        return [f"Store created at {outcome.store_created} (the first run here): it keeps final explorer answers, "
                "imported tags and the cases run; choose another with --store PATH or BTCTRACE_STORE, or none with "
                "--no-store", *_store_lines(replace(outcome, store_created=""))]
    tags = sum(len(t) for t in view.tags.values())
    where = outcome.explorers.get("store", view.kind)
    lines = [f"Store {where}: {tags} tag(s) on {len(view.tags)} traced address(es)"]
    evidence = outcome.explorers.get("evidence_store")
    if evidence:
        lines.append(f"Evidence cache: {evidence['served']} final answers taken from the store, {evidence['kept']} "
                     f"kept for later runs ({evidence['not_final']} not final yet: asked afresh next time)")
        lines.extend(f"EVIDENCE CACHE FAULT: the kept answer {q['resource']} was quarantined: {q['reason']}"
                     for q in evidence.get("quarantined", []))
    for link in view.case_links:
        lines.append(f"LINKED CASE {link.case_id}: {len(link.addresses)} shared address(es), "
                     f"{len(link.transactions)} transaction(s), {len(link.clusters)} cluster(s)")
    return lines


def _explorer_lines(outcome: TraceOutcome) -> list[str]:
    """Which explorer answered how much, every failover, and the cross-check's verdict."""
    explorers = outcome.explorers
    lines = []
    if len(explorers.get("api_urls", [])) > 1:
        answered = ", ".join(f"{url} {count}" for url, count in explorers["answered"].items())
        lines.append(f"Explorers (calls answered): {answered}")
    for url, rate in explorers.get("rates", {}).items():
        if rate["throttled"]:
            lines.append(f"Rate limited: {url} answered 429 {rate['throttled']} times; "
                         f"requests slowed to {rate['rate']}/s (ceiling {rate['ceiling'] or 'none'})")
    lines.extend(f"Failover: {s['request']} failed at {s['failed']} ({s['error']}); {s['to']} answered"
                 for s in explorers.get("switches", []))
    lines.extend(f"REFUSED: {r['request']}, served by the {r['source']}: {r['detail']}" if r.get("source") else
                 f"REFUSED: {r['request']} at {r['api_url']}: {r['detail']}" for r in explorers.get("refused", []))
    if outcome.result.checks:
        passed = [f"{c['check']} {c['passed']:,}" for c in outcome.result.checks["checks"] if c["passed"]]
        lines.append(f"Explorer answers checked ({outcome.result.checks['network']}), passed per check: "
                     f"{', '.join(passed)}; {len(explorers.get('refused', []))} answers refused")
    check = outcome.result.cross_check
    if check is not None:
        lines.append(f"Cross-check of {len(check.sampled)} transactions across {', '.join(check.explorers)}: "
                     f"{len(check.disagreements)} disagreements, {len(check.failures)} failures")
        lines.extend(f"  DISAGREE {d['txid']} {d['field']}: {d['explorer_a']} {d['value_a'][:80]} | "
                     f"{d['explorer_b']} {d['value_b'][:80]}" for d in check.disagreements)
        lines.extend(f"  FAILED {f['txid']} at {f['api_url']}: {f['error']}" for f in check.failures)
    return lines


class _ProgressLine:
    """One status line on stderr, rewritten in place after each transaction: the walk's
    counts, the explorers' answer rate and the time the rest of this hop should take at it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.started: float | None = None
        self.clock = clock
        self.showing = False

    def __call__(self, status: WalkStatus | ProofStatus | ExportStatus) -> None:
        if isinstance(status, ExportStatus):
            text = f"exhibits: {status.done:,} of {status.total:,} files written ({status.what})".ljust(100)
        else:
            text = self.proof_line(status) if isinstance(status, ProofStatus) else self.line(status)
        self.showing = True
        click.echo("\r" + text + " ", nl=False, err=True)

    def break_line(self) -> None:
        """End the line shown (output on stdout follows on a line of its own)."""
        if self.showing:
            click.echo("", err=True)
            self.showing = False

    @staticmethod
    def proof_line(status: ProofStatus) -> str:
        return (f"proving {status.stage}: {status.done:,} of {status.total:,} blocks; "
                f"{status.requests:,} requests").ljust(100)

    def line(self, status: WalkStatus) -> str:
        now = self.clock()
        if self.started is None:
            self.started = now
        text = (f"hop {status.hop}: {status.transactions:,} transactions, {status.stops:,} stops, "
                f"{status.lookups:,} address look-ups; {status.requests:,} requests")
        elapsed = now - self.started
        if elapsed >= 1.0 and status.requests:
            rate = status.requests / elapsed
            per_tx = status.requests / max(1, status.transactions)
            text += f" at {rate:.1f}/s; this hop: {status.queued:,} to go, ETA {_duration(status.queued * per_tx / rate)}"
        return text

    def close(self) -> None:
        self.break_line()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def progress_printer(quiet: bool) -> _ProgressLine | None:
    """A walk progress callback writing to stderr, or None when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return _ProgressLine()


@contextmanager
def progress_shown(quiet: bool) -> Iterator[_ProgressLine | None]:
    """The progress callback for a command; ends its line however the command ends."""
    progress = progress_printer(quiet)
    try:
        yield progress
    finally:
        if progress is not None:
            progress.close()
