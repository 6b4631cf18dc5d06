"""Measured accuracy of btctrace's heuristics on simulated wallets with known ownership.

    python benchmarks/heuristics_accuracy.py            # seeds 1-3
    python benchmarks/heuristics_accuracy.py --seeds 1 2 3 4 5 --wallets 200 --payments 3000

For each seed, :func:`btctrace.testing.simulator.simulate` builds a chain (ordinary payments with
varied wallet behaviour, exchange batch payouts and a consolidation, peel chains, and CoinJoins
of each kind) and :func:`btctrace.testing.accuracy.evaluate` scores every heuristic against the
truth. Prints, per heuristic, precision and recall (CoinJoins, clusters: pairwise) or coverage
(change: share of transactions with change where it decides), pooled over the seeds, and the
targets from issue 4. Synthetic ground truth: the simulator follows the same published protocol
rules the detectors encode, so CoinJoin figures measure false positives on ordinary traffic more
than they measure recall on real-world variants.
"""

from __future__ import annotations

import argparse
import time

from btctrace.testing.accuracy import Score, evaluate
from btctrace.testing.simulator import simulate

TARGETS = {
    ("clusters", "common input, CoinJoins excluded"): "precision 100 %",
    ("change", "combiner"): "precision >= 95 %",
}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:6.2f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--wallets", type=int, default=120)
    parser.add_argument("--payments", type=int, default=1_200)
    parser.add_argument("--coinjoins", type=int, default=15, help="CoinJoin rounds per kind")
    args = parser.parse_args()
    runs: list[list[Score]] = []
    started = time.perf_counter()
    for seed in args.seeds:
        sim = simulate(seed=seed, wallets=args.wallets, payments=args.payments, coinjoins=args.coinjoins)
        runs.append(evaluate(sim))
    print(f"{len(args.seeds)} seeds, {time.perf_counter() - started:.1f} s")
    print(f"{'family':<9} {'heuristic':<34} {'precision':>10} {'recall/cov.':>11} {'support':>8}  target / detail")
    for index, first in enumerate(runs[0]):
        scores = [run[index] for run in runs]
        precision = _pooled(scores, "precision")
        recall = _pooled(scores, "recall_or_coverage")
        support = sum(s.support for s in scores)
        target = TARGETS.get((first.family, first.name), "precision >= 99.5 %" if first.family == "coinjoin" else "")
        details = f"seed {args.seeds[0]}: {first.detail}" if first.detail else ""
        print(f"{first.family:<9} {first.name:<34} {_pct(precision):>10} {_pct(recall):>11} {support:>8}  "
              f"{target}{' | ' if target and details else ''}{details}")


def _pooled(scores: list[Score], attribute: str) -> float | None:
    """Mean over seeds, weighted by support (seeds where the figure is undefined are skipped)."""
    pairs = [(getattr(s, attribute), s.support) for s in scores if getattr(s, attribute) is not None]
    weight = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / weight if weight else None


if __name__ == "__main__":
    main()
