"""Score the heuristics against a simulation's ground truth (:mod:`btctrace.testing.simulator`).

- CoinJoin detectors: precision and recall per kind, and false positives on every ordinary
  transaction (payments, exchange batch payouts, consolidations, peels).
- Common-input clusters: pairwise precision and recall (a pair of input addresses in one
  cluster is right when one wallet owns both), with and without CoinJoin exclusion.
- Change: per heuristic and for the combiner, precision where it decides (exactly one
  candidate) and coverage (the share of transactions with change where it decides).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import comb

from btctrace.heuristics.change import CHANGE_HEURISTICS, ChainFacts, combine
from btctrace.heuristics.clustering import cluster_common_inputs
from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.model import Tx
from btctrace.providers.esplora.mapping import address_stats_from_json, tx_from_json
from btctrace.testing.simulator import Simulation

__all__ = ["Score", "ChangeRate", "evaluate", "change_rates"]


@dataclass(frozen=True)
class Score:
    family: str
    name: str
    precision: float | None
    recall_or_coverage: float | None
    support: int
    detail: str = ""


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _coinjoin_scores(txs: dict[str, Tx], truth: dict[str, str]) -> tuple[list[Score], dict]:
    found = {txid: f for txid, tx in txs.items() if (f := detect_coinjoin(tx)) is not None}
    predicted = {txid: f.heuristic.removeprefix("coinjoin.") for txid, f in found.items()}
    scores = []
    for kind in sorted(set(truth.values())):
        hits = sum(1 for t, k in predicted.items() if k == kind and truth.get(t) == kind)
        said = sum(1 for k in predicted.values() if k == kind)
        actual = sum(1 for k in truth.values() if k == kind)
        scores.append(Score("coinjoin", kind, _ratio(hits, said), _ratio(hits, actual), actual))
    ordinary = [t for t in txs if t not in truth and not txs[t].is_coinbase]
    false = sum(1 for t in ordinary if t in predicted)
    any_hits = sum(1 for t in predicted if t in truth)
    scores.append(Score("coinjoin", "any (vs ordinary txs)", _ratio(any_hits, len(predicted)),
                        _ratio(any_hits, len(truth)), len(ordinary), f"{false} false positives"))
    return scores, found


def _pairwise(groups: list[list[str]], owner: dict[str, str], population: set[str]) -> tuple[float | None, float | None]:
    same = total = 0
    for group in groups:
        members = [a for a in group if a in population]
        total += comb(len(members), 2)
        same += sum(comb(n, 2) for n in Counter(owner[a] for a in members).values())
    owned = Counter(owner[a] for a in population)
    possible = sum(comb(n, 2) for n in owned.values())
    return _ratio(same, total), _ratio(same, possible)


def _cluster_scores(txs: dict[str, Tx], owner: dict[str, str], found: dict) -> list[Score]:
    population = {i.address for tx in txs.values() for i in tx.inputs if i.address}
    scores = []
    for name, coinjoins in (("common input, CoinJoins excluded", found), ("common input, no exclusion", {})):
        clusters = cluster_common_inputs(txs.values(), coinjoins, collapse_threshold=10**9)
        precision, recall = _pairwise(clusters.groups(), owner, population)
        scores.append(Score("clusters", name, precision, recall, len(population), "pairwise, spent addresses"))
    return scores


def _facts(sim: Simulation, txs: dict[str, Tx]) -> ChainFacts:
    spenders = {(i.prev_txid, i.prev_vout): tx for tx in txs.values() for i in tx.inputs if i.prev_txid}
    stats = {a: address_stats_from_json(sim.builder.store.address_stats(a)) for a in sim.truth.owner}
    return ChainFacts(spenders=spenders, stats=stats)


def _change_scores(txs: dict[str, Tx], change: dict[str, int], facts: ChainFacts) -> list[Score]:
    decided: Counter = Counter()
    correct: Counter = Counter()
    for txid, truth in change.items():
        tx = txs[txid]
        for heuristic in CHANGE_HEURISTICS:
            finding = heuristic(tx, facts)
            if finding is not None and len(finding.candidates) == 1:
                decided[heuristic.__name__] += 1
                correct[heuristic.__name__] += finding.candidates[0] == truth
        verdict = combine(tx, facts)
        if verdict.change is not None:
            decided["combiner"] += 1
            correct["combiner"] += verdict.change == truth
    names = [h.__name__ for h in CHANGE_HEURISTICS] + ["combiner"]
    return [Score("change", name, _ratio(correct[name], decided[name]), _ratio(decided[name], len(change)),
                  len(change), f"decides {decided[name]}") for name in names]


@dataclass(frozen=True)
class ChangeRate:
    """One heuristic over the ground-truth subset: true- and false-positive rates as shares of
    all its transactions (Moeser & Narayanan's definition: deciding for the wrong output is a false
    positive; not deciding is neither)."""

    heuristic: str
    tpr: float
    fpr: float
    support: int


def change_rates(sim: Simulation) -> list[ChangeRate]:
    """Rates on the transactions Moeser & Narayanan's ground truth keeps: two spendable outputs,
    one of them the known change, no address reuse (dissertation-code, "3a Export Ground Truth")."""
    txs = {txid: tx_from_json(raw) for txid, raw in sim.builder.store.txs.items()}
    facts = _facts(sim, txs)
    subset = []
    for txid, change in sim.truth.change.items():
        tx = txs[txid]
        inputs = {i.address for i in tx.inputs}
        if len([o for o in tx.outputs if o.address]) == 2 and not any(o.address in inputs for o in tx.outputs):
            subset.append((tx, change))
    rates = []
    for heuristic in CHANGE_HEURISTICS:
        right = wrong = 0
        for tx, change in subset:
            finding = heuristic(tx, facts)
            if finding is not None and len(finding.candidates) == 1:
                right += finding.candidates[0] == change
                wrong += finding.candidates[0] != change
        rates.append(ChangeRate(heuristic.__name__, right / len(subset), wrong / len(subset), len(subset)))
    return rates


def evaluate(sim: Simulation) -> list[Score]:
    """Every score for one simulation."""
    txs = {txid: tx_from_json(raw) for txid, raw in sim.builder.store.txs.items()}
    coinjoin_scores, found = _coinjoin_scores(txs, sim.truth.coinjoin)
    return (coinjoin_scores + _cluster_scores(txs, sim.truth.owner, found)
            + _change_scores(txs, sim.truth.change, _facts(sim, txs)))
