"""A case with one ransom address per victim: 1,000 seeds traced offline end to end (trace,
heuristics, taint, every export), with the peak memory and the flow chart's size.

    python benchmarks/many_seeds.py              # 1,000 seeds
    python benchmarks/many_seeds.py --seeds 5000

Targets: within 1 GB peak, a flow chart of bounded size, titles and summaries that name a few
seeds and count the rest.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from matplotlib.image import imread

from btctrace.runner import TraceJob, run_trace
from btctrace.testing.synthetic import make_many_seeds_case, record_synthetic
from btctrace.tracing.result import Seed, TraceLimits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=1_000)
    args = parser.parse_args()
    store, addresses = make_many_seeds_case(args.seeds)
    seeds = tuple(Seed("address", address) for address in addresses)
    limits = TraceLimits(hops=3, max_transactions=4 * args.seeds)
    with tempfile.TemporaryDirectory() as folder:
        cassette = record_synthetic(store, Path(folder) / "many.json", seeds, limits)
        started = time.perf_counter()
        outcome = run_trace(TraceJob(seeds=seeds, out_dir=Path(folder) / "out", limits=limits, offline=cassette))
        seconds = time.perf_counter() - started
        height, width = imread(Path(folder) / "out" / "flow.png").shape[:2]
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(f"{args.seeds:,} seeds: {len(outcome.result.txs):,} transactions in {seconds:.1f} s, peak RSS {peak:.0f} MiB "
          f"(target: under 1,024), flow.png {width} x {height} px")


if __name__ == "__main__":
    main()
