"""Offline end to end: trace + heuristics + taint + every export, for synthetic cases of
1,000, 10,000 and 100,000 transactions, with peak memory and the growth exponent.

    python benchmarks/end_to_end.py                         # 1k, 10k, 100k; 3 runs (1 for 100k)
    python benchmarks/end_to_end.py --sizes 1000 10000 --runs 5
    python benchmarks/end_to_end.py --shape deep --sizes 500 2000 --runs 3
    python benchmarks/end_to_end.py --shape both --sizes 100 500 1000 2000 5000 10000

``--shape`` picks the case's shape (:func:`btctrace.testing.synthetic.make_case`): ``wide``
(many short branches, the default) or ``deep`` (one peel chain of SIZE hops, the commonest
laundering shape), or ``both``, one after the other, with the time per transaction of each
size against the smallest size of its shape (issue 31: at most 1.3x) and, where both shapes
ran a size, deep against wide. Each row also gives the flow chart's printed pages and the
sizes of report.html and explorer.html.

Each case is made by :func:`make_synthetic_case` and recorded once to a real cassette (answers
computed in-process); then ``run_trace`` replays it offline into a fresh folder, in a fresh
subprocess per run so that the peak RSS is that run's (the largest of the
run and the children that write its exports beside it: btctrace/exports/writing/background.py). Printed: median wall time, peak RSS,
time per transaction, the ratio of the run to its parsing floor (the time, in the same child,
to load the cassette and parse every body with the standard ``json`` module), and the exponent
b of time ~ n^b fitted over the sizes (1 = linear). Targets (issue 18): 10,000 transactions
within 10x the floor; 100,000 under 2 GB; b <= 1.05 from 1,000 to 100,000.

    python benchmarks/end_to_end.py --check-cost 10000 --runs 5

measures what checking every explorer answer costs (btctrace/providers/checks.py and
ledger.py): runs with and without the checks, alternating in fresh subprocesses, in one
invocation; prints both medians and their ratio. Target: at most 5 % more.

    python benchmarks/end_to_end.py --store-cost 10000 --runs 5

measures what the investigation store costs (tag look-ups of every address, case registration
and links, the snapshot): runs with a store holding ~499,000 synthetic TagPack tags and with
``--no-store``, alternating. Target: at most 5 % more.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from btctrace.cache.cassettes import ReplayAdapter
import btctrace.runner
import btctrace.transport
from btctrace.providers.esplora.provider import EsploraProvider
from btctrace.providers.ledger import AnswerLedger
from btctrace.providers.http import HttpFetcher, make_session
from btctrace.runner import TraceJob, run_trace
from btctrace.testing.synthetic import SHAPES, SYNTHETIC_API_URL, StoreCassette, make_case
from btctrace.tracing.result import Direction, Seed, TraceLimits
from btctrace.tracing.proving import prove_trace
from btctrace.tracing.walk import walk
from btctrace.valuation import fetch_prices


def limits_for(size: int) -> TraceLimits:
    return TraceLimits(hops=100_000, max_transactions=size * 2)


def record(size: int, folder: Path, shape: str = "wide") -> tuple[Path, str, int]:
    """Record a forward trace of a synthetic case of *size* transactions: (cassette, seed, txs)."""
    case = make_case(shape, size)
    store = StoreCassette(case.store, folder / f"synthetic-{shape}-{size}.json")
    provider = EsploraProvider(SYNTHETIC_API_URL, HttpFetcher(make_session(ReplayAdapter(store), trust_env=False)))
    result = walk(provider, (Seed("address", case.ransom_address),), Direction.FORWARD, limits_for(size))
    prove_trace(provider, result)  # the run proves its blocks and findings: their answers are recorded too
    fetch_prices(provider, result)
    store.recorded.save()
    store.close()
    return store.path, case.ransom_address, len(result.txs)


class UncheckedLedger(AnswerLedger):
    """For the cost measurement only: every answer passes without a check."""

    def accept_tx(self, tx, asked=None, raw=None):
        return tx

    def accept_copy(self, known, copy, raw=None):
        return known

    def accept_history(self, address, txs, stats=None, added_up=None):
        return None

    def accept_outspends(self, tx, outspends):
        return outspends

    def accept_stats(self, stats, asked):
        return stats

    def accept_history_entry(self, tx, address):
        return None

    def accept_price(self, price, asked):
        return price

    def admit_tx(self, tx):
        return tx

    def admit_outspends(self, txid, outspends):
        return outspends


CHECK_METHODS = ("accept_tx", "accept_outspends", "accept_stats", "accept_history_entry", "accept_price", "admit_tx",
                 "admit_outspends", "accept_copy", "accept_history")


class TimedLedger(AnswerLedger):
    """The real checks, with the time spent in them summed (a direct, noise-free attribution)."""

    seconds = 0.0


def _timed(name: str):
    method = getattr(AnswerLedger, name)

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return method(self, *args, **kwargs)
        finally:
            TimedLedger.seconds += time.perf_counter() - started
    return timed


for _name in CHECK_METHODS:
    setattr(TimedLedger, _name, _timed(_name))


def parse_floor(cassette: Path) -> float:
    """Seconds to load *cassette* and parse every JSON body in it with the standard ``json``
    module: the least any offline run must spend (issue 18's floor)."""
    started = time.perf_counter()
    for item in json.loads(cassette.read_text(encoding="utf-8"))["interactions"]:
        body = item["response"]["body"]["string"]
        if body[:1] in ("[", "{"):
            json.loads(body)
    return time.perf_counter() - started


def own_peak_kib() -> int:
    """This process's peak resident size since it started, in KiB: ``VmHWM`` of its own memory
    map. Not ``ru_maxrss``: Linux carries the parent's peak into a child across the vfork+exec
    that ``subprocess`` uses, so each run would report the benchmark's own peak (it holds the
    synthetic case) instead of its own. The forked export children are measured by
    ``RUSAGE_CHILDREN``, which a fork starts afresh."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


PROVING = {"seconds": 0.0, "requests": 0}


def _timed_proving(provider, result, all_txs=False, require=False, **options):
    """The proving stage (headers, block times, Merkle proofs, with their replayed requests), timed."""
    started = time.perf_counter()
    try:
        record = prove_trace(provider, result, all_txs, require, **options)
        PROVING["requests"] = record.requests
        return record
    finally:
        PROVING["seconds"] += time.perf_counter() - started


def one_run(size: int, cassette: Path, seed: str, out: Path, checks: bool = True, store: str | None = None) -> dict:
    btctrace.transport.AnswerLedger = TimedLedger if checks else UncheckedLedger
    btctrace.runner.prove_trace = _timed_proving
    floor = parse_floor(cassette)
    started = time.perf_counter()
    outcome = run_trace(TraceJob(seeds=(Seed("address", seed),), out_dir=out, limits=limits_for(size),
                                 offline=cassette, force=True, workers=1, store=store, no_store=store is None))
    seconds = time.perf_counter() - started
    # Charts and graph files are written by forked children: the peak is the largest process's.
    peak_mib = max(own_peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return {"seconds": seconds, "peak_mib": peak_mib, "txs": len(outcome.result.txs), "files": len(outcome.files),
            **exhibit_sizes(out),
            "in_checks": TimedLedger.seconds, "in_proofs": PROVING["seconds"], "proof_requests": PROVING["requests"],
            "requests": outcome.result.requests, "floor": floor}


def exhibit_sizes(out: Path) -> dict:
    """The flow chart's printed pages, the report's and explorer's sizes and the largest file."""
    pdf = (out / "flow.pdf").read_bytes()
    largest = max(out.iterdir(), key=lambda f: f.stat().st_size)
    return {"flow_pages": len(re.findall(rb"/Type\s*/Page[^s]", pdf)),
            "report_mb": (out / "report.html").stat().st_size / 1e6,
            "explorer_mb": (out / "explorer.html").stat().st_size / 1e6,
            "largest": f"{largest.name} {largest.stat().st_size / 1e6:.1f} MB"}


def _child(size: int, cassette: Path, seed: str, *flags: str) -> dict:
    command = [sys.executable, __file__, "--one", str(size), str(cassette), seed, *flags]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def check_cost(size: int, runs: int) -> None:
    """Median end-to-end time with and without the answer checks, alternating, in one run."""
    with tempfile.TemporaryDirectory() as folder:
        cassette, seed, txs = record(size, Path(folder))
        timings: dict[str, list[float]] = {"checked": [], "unchecked": [], "in_checks": [], "in_proofs": []}
        for _ in range(runs):
            run = _child(size, cassette, seed)
            timings["checked"].append(run["seconds"])
            timings["in_checks"].append(run["in_checks"] / run["seconds"])
            timings["in_proofs"].append(run["in_proofs"] / run["seconds"])
            timings["unchecked"].append(_child(size, cassette, seed, "--unchecked")["seconds"])
    checked, unchecked = (statistics.median(timings[k]) for k in ("checked", "unchecked"))
    print(f"{txs:,} transactions, {runs} runs each, alternating")
    print(f"  with checks:    median {checked:.2f} s  ({', '.join(f'{t:.2f}' for t in timings['checked'])})")
    print(f"  without checks: median {unchecked:.2f} s  ({', '.join(f'{t:.2f}' for t in timings['unchecked'])})")
    print(f"  cost of the checks: {100 * (checked / unchecked - 1):+.1f} % of the median (target: at most +5 %)")
    print(f"  time inside the checks, measured within each checked run: median "
          f"{100 * statistics.median(timings['in_checks']):.1f} % of the run "
          f"({', '.join(f'{100 * share:.1f}' for share in timings['in_checks'])})")
    print(f"  proving blocks and findings ({run['proof_requests']:,} requests beside the walk's {run['requests']:,}): "
          f"median {100 * statistics.median(timings['in_proofs']):.1f} % of the run "
          f"({', '.join(f'{100 * share:.1f}' for share in timings['in_proofs'])})")


def store_cost(size: int, runs: int) -> None:
    """Median end-to-end time with a well-filled store and without one, alternating, in one run."""
    from btctrace.store import open_store
    from btctrace.testing.tagpacks import write_synthetic_tagpacks

    with tempfile.TemporaryDirectory() as folder:
        cassette, seed, txs = record(size, Path(folder))
        location = str(Path(folder) / "store.sqlite")
        tags, _ = write_synthetic_tagpacks(Path(folder) / "packs")
        store = open_store(location)
        store.import_file("tagpack", Path(folder) / "packs")
        store.close()
        timings: dict[str, list[float]] = {"store": [], "none": []}
        for _ in range(runs):
            timings["store"].append(_child(size, cassette, seed, "--store", location)["seconds"])
            timings["none"].append(_child(size, cassette, seed)["seconds"])
    with_store, without = (statistics.median(timings[k]) for k in ("store", "none"))
    print(f"{txs:,} transactions, {runs} runs each, alternating; the store holds {tags:,} tags")
    print(f"  with the store: median {with_store:.2f} s  ({', '.join(f'{t:.2f}' for t in timings['store'])})")
    print(f"  --no-store:     median {without:.2f} s  ({', '.join(f'{t:.2f}' for t in timings['none'])})")
    print(f"  cost of the store: {100 * (with_store / without - 1):+.1f} % of the median (target: at most +5 %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (sizes above 20,000: one)")
    parser.add_argument("--shape", choices=(*SHAPES, "both"), default="wide",
                        help="wide: many short branches; deep: one peel chain; both: one then the other")
    parser.add_argument("--one", nargs=3, metavar=("SIZE", "CASSETTE", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--unchecked", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check-cost", type=int, metavar="SIZE", help="time SIZE with and without the answer checks")
    parser.add_argument("--store-cost", type=int, metavar="SIZE", help="time SIZE with a filled store and without")
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as out:
            print(json.dumps(one_run(int(args.one[0]), Path(args.one[1]), args.one[2], Path(out) / "out",
                                     checks=not args.unchecked, store=args.store)))
        return
    if args.store_cost:
        store_cost(args.store_cost, args.runs)
        return
    if args.check_cost:
        check_cost(args.check_cost, args.runs)
        return
    shapes = SHAPES if args.shape == "both" else (args.shape,)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for shape in shapes:
            for size in args.sizes:
                rows.append(measure_size(shape, size, args.runs, Path(folder)))
    print_rows(rows)


def measure_size(shape: str, size: int, runs: int, folder: Path) -> dict:
    """Record a case of *shape* and *size*, then replay it *runs* times (once above 20,000)."""
    started = time.perf_counter()
    cassette, seed, txs = record(size, folder, shape)
    made = time.perf_counter() - started
    measured = [_child(size, cassette, seed) for _ in range(runs if size <= 20_000 else 1)]
    seconds = statistics.median(r["seconds"] for r in measured)
    return {"shape": shape, "size": size, "txs": txs, "seconds": seconds, "runs": len(measured),
            "ratio": statistics.median(r["seconds"] / r["floor"] for r in measured),
            "peak": max(r["peak_mib"] for r in measured), "cassette_mib": cassette.stat().st_size / 2**20,
            "made": made, **{k: measured[-1][k] for k in ("flow_pages", "report_mb", "explorer_mb", "largest")}}


def print_rows(rows: list[dict]) -> None:
    """The table, then per shape the cost per transaction against its smallest size and the growth
    exponent, then deep against wide where both ran a size."""
    print(f"{'shape':>5} {'size':>7} {'traced':>7} {'median s':>9} {'ms/tx':>6} {'x floor':>7} {'peak MiB':>8} "
          f"{'runs':>4} {'pages':>5} {'report MB':>9} {'explorer MB':>11}  largest file")
    for r in rows:
        print(f"{r['shape']:>5} {r['size']:>7,} {r['txs']:>7,} {r['seconds']:>9.2f} {1000 * r['seconds'] / r['txs']:>6.2f} "
              f"{r['ratio']:>7.1f} {r['peak']:>8.0f} {r['runs']:>4} {r['flow_pages']:>5} {r['report_mb']:>9.2f} "
              f"{r['explorer_mb']:>11.2f}  {r['largest']}")
    for shape in dict.fromkeys(r["shape"] for r in rows):
        mine = [r for r in rows if r["shape"] == shape]
        base = mine[0]["seconds"] / mine[0]["txs"]
        print(f"{shape}: time per transaction against {mine[0]['txs']:,} transactions: " + ", ".join(
            f"{r['txs']:,}: {r['seconds'] / r['txs'] / base:.2f}x" for r in mine[1:]))
        if len(mine) > 1:
            xs, ys = [math.log(r["txs"]) for r in mine], [math.log(r["seconds"]) for r in mine]
            mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)
            print(f"{shape}: growth exponent (time ~ n^b): b = {slope:.2f}")
    wide = {r["size"]: r for r in rows if r["shape"] == "wide"}
    for r in (r for r in rows if r["shape"] == "deep" and r["size"] in wide):
        w = wide[r["size"]]
        print(f"{r['size']:,}: deep against wide, per transaction: {(r['seconds'] / r['txs']) / (w['seconds'] / w['txs']):.2f}x "
              f"time, {r['peak'] / w['peak']:.2f}x peak memory")

if __name__ == "__main__":
    main()
