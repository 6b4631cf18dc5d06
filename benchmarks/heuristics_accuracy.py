"""Measured accuracy of btctrace's heuristics, held against independent ground truth and an
independent implementation.

    python benchmarks/heuristics_accuracy.py            # seeds 1-3
    python benchmarks/heuristics_accuracy.py --seeds 1 2 3 4 5 --wallets 200 --payments 3000

Four parts:

1. The wallet simulator (:mod:`btctrace.testing.simulator`): precision and recall (CoinJoins,
   clusters: pairwise) or coverage (change) against its truth, pooled over the seeds. Its
   CoinJoins follow the same protocol rules as the detectors: partly circular.
2. Change heuristics on the subset Moeser & Narayanan's ground truth keeps (two outputs, no
   reuse), as true- and false-positive rates beside their published figures.
3. The held-out generator (:mod:`btctrace.testing.coordinators`): CoinJoins built from the
   coordinators' own parameters and ordinary look-alikes; recall per variant and false flags,
   for btctrace and (with ``pip install 'btctrace[reference]'``) graphsense-lib.
4. With the extra: agreement with graphsense-lib per CoinJoin kind on the simulator's
   transactions and on the real transactions in ``../shared/data/bih-validation-esplora``
   (when present), every disagreement listed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from btctrace.heuristics.measured import PUBLISHED_CHANGE_RATES
from btctrace.providers.esplora.mapping import tx_from_json
from btctrace.reference import reference_implementation
from btctrace.testing.accuracy import Score, change_rates, evaluate
from btctrace.testing.coordinators import generate_held_out
from btctrace.testing.second_opinion import (
    agreement_by_kind,
    agreements,
    precision_any,
    real_transactions,
    score_held_out,
)
from btctrace.testing.simulator import simulate

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "bih-validation-esplora"
TARGETS = {
    ("clusters", "common input, CoinJoins excluded"): "precision 100 %",
    ("change", "combiner"): "precision >= 95 %",
}


def _pct(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{100 * value:6.{digits}f} %"


def _share(part: int | None, whole: int) -> str:
    return "-" if part is None else f"{part:>4}/{whole:<4} {_pct(part / whole if whole else None, 1)}"


def _simulator(args: argparse.Namespace) -> list:
    runs: list[list[Score]] = []
    sims = []
    for seed in args.seeds:
        sims.append(simulate(seed=seed, wallets=args.wallets, payments=args.payments, coinjoins=args.coinjoins))
        runs.append(evaluate(sims[-1]))
    print(f"\n1. Wallet simulator, seeds {args.seeds}")
    print(f"{'family':<9} {'heuristic':<34} {'precision':>10} {'recall/cov.':>11} {'support':>8}  target / detail")
    for index, first in enumerate(runs[0]):
        scores = [run[index] for run in runs]
        target = TARGETS.get((first.family, first.name), "precision >= 99.5 %" if first.family == "coinjoin" else "")
        details = f"seed {args.seeds[0]}: {first.detail}" if first.detail else ""
        print(f"{first.family:<9} {first.name:<34} {_pct(_pooled(scores, 'precision')):>10} "
              f"{_pct(_pooled(scores, 'recall_or_coverage')):>11} {sum(s.support for s in scores):>8}  "
              f"{target}{' | ' if target and details else ''}{details}")
    return sims


def _change_vs_published(sims: list) -> None:
    rates = [change_rates(sim) for sim in sims]
    print("\n2. Change heuristics vs Moeser & Narayanan (TPR / FPR as shares of all ground-truth transactions)")
    print(f"{'btctrace heuristic':<20} {'TPR':>8} {'FPR':>8} {'support':>8}   published heuristic: TPR / FPR")
    for ours, theirs, tpr, fpr in PUBLISHED_CHANGE_RATES:
        rows = [next(r for r in run if r.heuristic == ours) for run in rates]
        support = sum(r.support for r in rows)
        mean_tpr = sum(r.tpr * r.support for r in rows) / support
        mean_fpr = sum(r.fpr * r.support for r in rows) / support
        print(f"{ours:<20} {mean_tpr:8.3f} {mean_fpr:8.4f} {support:>8}   {theirs}: {tpr:.3f} / {fpr:.4f}")


def _held_out(args: argparse.Namespace, with_reference: bool) -> None:
    rows_by_seed = [score_held_out(generate_held_out(seed, args.held_out_rounds), with_reference) for seed in args.seeds]
    print(f"\n3. Held-out generator (coordinators' parameters), seeds {args.seeds}, {args.held_out_rounds} rounds "
          "per variant; 'right' = named the true kind, 'flagged' = called any CoinJoin")
    print(f"{'label':<34} {'owners':>6} {'btctrace right':>18} {'btctrace flagged':>18} "
          f"{'reference right':>18} {'reference flagged':>18}")
    for index, first in enumerate(rows_by_seed[0]):
        rows = [seed_rows[index] for seed_rows in rows_by_seed]
        support = sum(r.support for r in rows)
        theirs = (lambda attr: None if not with_reference else sum(getattr(r, attr) for r in rows))
        print(f"{first.label:<34} {max(r.owners for r in rows):>6} {_share(sum(r.ours_right for r in rows), support):>18} "
              f"{_share(sum(r.ours_flagged for r in rows), support):>18} {_share(theirs('theirs_right'), support):>18} "
              f"{_share(theirs('theirs_flagged'), support):>18}")
    pooled = [row for seed_rows in rows_by_seed for row in seed_rows]
    print(f"precision (CoinJoin flags; one-wallet look-alikes count as false): btctrace {_pct(precision_any(pooled))}"
          + (f", reference {_pct(precision_any(pooled, ours=False))}" if with_reference else ""))
    coinjoins = [r for r in pooled if r.is_coinjoin]
    print(f"recall (any CoinJoin flag over every generated CoinJoin): btctrace "
          f"{_pct(sum(r.ours_flagged for r in coinjoins) / sum(r.support for r in coinjoins))}"
          + (f", reference {_pct(sum(r.theirs_flagged for r in coinjoins) / sum(r.support for r in coinjoins))}"
             if with_reference else ""))


def _agreement(sims: list) -> None:
    print(f"\n4. Agreement with {reference_implementation()} per CoinJoin kind")
    sets = [(f"simulator seed {i + 1}", {t: tx_from_json(r) for t, r in sim.builder.store.txs.items()},
             sim.truth.coinjoin) for i, sim in enumerate(sims)]
    if REAL.is_dir():
        sets.append(("real transactions (bih-validation-esplora)", real_transactions(REAL), None))
    for name, txs, truth in sets:
        found = agreements(txs.values())
        print(f"{name}: {len(found)} transactions")
        for kind in agreement_by_kind(found, truth):
            print(f"  {kind.kind:<14} {kind.support:>6}  agreement {_pct(kind.agreement)}  {kind.counts}")
        for item in found:
            if not item.agrees:
                print(f"    differs: {item.txid} btctrace={item.ours} reference={item.theirs} ({item.detail})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--wallets", type=int, default=120)
    parser.add_argument("--payments", type=int, default=1_200)
    parser.add_argument("--coinjoins", type=int, default=15, help="CoinJoin rounds per kind")
    parser.add_argument("--held-out-rounds", type=int, default=40, help="held-out rounds per variant and seed")
    args = parser.parse_args()
    started = time.perf_counter()
    with_reference = reference_implementation() is not None
    print(f"reference implementation: {reference_implementation() or 'not installed (pip install btctrace[reference])'}")
    sims = _simulator(args)
    _change_vs_published(sims)
    _held_out(args, with_reference)
    if with_reference:
        _agreement(sims)
    print(f"\n{time.perf_counter() - started:.1f} s")


def _pooled(scores: list[Score], attribute: str) -> float | None:
    """Mean over seeds, weighted by support (seeds where the figure is undefined are skipped)."""
    pairs = [(getattr(s, attribute), s.support) for s in scores if getattr(s, attribute) is not None]
    weight = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / weight if weight else None


if __name__ == "__main__":
    main()
