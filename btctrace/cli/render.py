"""Plain-text rendering of a finished trace and progress lines (stderr, TTY only)."""

from __future__ import annotations

import sys
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator

import click

from btctrace.exports.safe_text import summarise
from btctrace.runner import TraceOutcome
from btctrace.tracing.result import STOP_EXPLANATIONS, StopReason, TraceResult
from btctrace.units import format_btc

__all__ = ["summary_lines", "progress_printer", "progress_shown"]


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
    lines.extend(_explorer_lines(outcome))
    lines.extend(_store_lines(outcome))
    lines.append("Caps that bit:" if result.caps else "Caps that bit: none")
    lines.extend(f"  {cap.name} (limit {cap.limit}): {cap.detail}" for cap in result.caps)
    lines.append(f"Wrote {len(outcome.files)} files to {outcome.out_dir}:")
    lines.extend(f"  {path}" for path in outcome.files)
    return lines


def _store_lines(outcome: TraceOutcome) -> list[str]:
    """What the store gave: tags, final answers served and kept, links to other cases."""
    view = outcome.store
    if view.kind is None:
        return ["Store: none (--no-store)"]
    tags = sum(len(t) for t in view.tags.values())
    where = outcome.explorers.get("store", view.kind)
    lines = [f"Store {where}: {tags} tag(s) on {len(view.tags)} traced address(es)"]
    evidence = outcome.explorers.get("evidence_store")
    if evidence:
        lines.append(f"Evidence cache: {evidence['served']} final answers taken from the store, {evidence['kept']} "
                     f"kept for later runs ({evidence['not_final']} not final yet: asked afresh next time)")
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
    lines.extend(f"Failover: {s['request']} failed at {s['failed']} ({s['error']}); {s['to']} answered"
                 for s in explorers.get("switches", []))
    lines.extend(f"REFUSED: {r['request']} at {r['api_url']}: {r['detail']}" for r in explorers.get("refused", []))
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
    """One status line on stderr, rewritten in place after each transaction."""

    def __init__(self) -> None:
        self.started = False

    def __call__(self, hop: int, result: TraceResult) -> None:
        self.started = True
        click.echo(f"\rhop {hop}: {len(result.txs)} transactions, {len(result.stops)} stops, "
                   f"{len(result.address_stats)} address look-ups ", nl=False, err=True)

    def close(self) -> None:
        if self.started:
            click.echo("", err=True)


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
