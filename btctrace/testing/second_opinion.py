"""Score btctrace's CoinJoin detectors and the reference implementation (graphsense-lib, when
installed) side by side: agreement per kind on any set of transactions, and recall, false
flags and precision per label on the held-out generator (:mod:`btctrace.testing.coordinators`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.model import Tx
from btctrace.providers.esplora.mapping import tx_from_json
from btctrace.reference import Agreement, compare, graphsense_opinions
from btctrace.testing.coordinators import LOOK_ALIKES, HeldOut

__all__ = ["KindAgreement", "LabelScore", "agreements", "agreement_by_kind", "held_out_txs", "score_held_out",
           "precision_any", "real_transactions"]


@dataclass(frozen=True)
class KindAgreement:
    kind: str  # the truth's kind where known, else btctrace's (or the reference's) kind
    support: int
    counts: dict[str, int]  # verdict -> transactions

    @property
    def agreement(self) -> float:
        agreed = self.counts.get("agree", 0) + self.counts.get("neither", 0)
        return agreed / self.support if self.support else 1.0


@dataclass(frozen=True)
class LabelScore:
    label: str  # kind/variant
    support: int
    owners: int  # most wallets behind one of these transactions' inputs
    ours_right: int  # btctrace names the true kind
    ours_flagged: int  # btctrace calls it any CoinJoin
    theirs_right: int | None  # the same for the reference (None: not installed)
    theirs_flagged: int | None

    @property
    def is_coinjoin(self) -> bool:
        return self.label.split("/")[0] not in LOOK_ALIKES


def agreements(txs: Iterable[Tx]) -> list[Agreement]:
    """btctrace's finding against the reference's opinion, per transaction (coinbases skipped)."""
    ordinary = [tx for tx in txs if not tx.is_coinbase]
    opinions = graphsense_opinions(ordinary)
    return [compare(detect_coinjoin(tx), opinions[tx.txid]) for tx in sorted(ordinary, key=lambda t: t.txid)]


def agreement_by_kind(found: list[Agreement], truth: dict[str, str] | None = None) -> list[KindAgreement]:
    """Group by the true kind (``truth``: txid -> kind; others are "ordinary"), or without a
    truth by whichever implementation named a kind."""
    groups: dict[str, Counter] = {}
    for item in found:
        kind = (truth.get(item.txid, "ordinary") if truth is not None
                else item.ours or item.theirs or "ordinary")
        groups.setdefault(kind.split("/")[0], Counter())[item.verdict] += 1
    return [KindAgreement(kind, sum(c.values()), dict(sorted(c.items()))) for kind, c in sorted(groups.items())]


def held_out_txs(held: HeldOut) -> dict[str, Tx]:
    return {txid: tx_from_json(held.builder.store.txs[txid]) for txid in sorted(held.label)}


def score_held_out(held: HeldOut, with_reference: bool) -> list[LabelScore]:
    """One row per label (kind/variant) of the held-out set."""
    txs = held_out_txs(held)
    ours = {txid: detect_coinjoin(tx) for txid, tx in txs.items()}
    theirs = graphsense_opinions(txs.values()) if with_reference else {}
    rows = []
    for label in sorted(set(held.label.values())):
        members = [t for t, lab in held.label.items() if lab == label]
        kind = label.split("/")[0]
        rows.append(LabelScore(
            label, len(members), max(held.owners[t] for t in members),
            sum(1 for t in members if ours[t] is not None and ours[t].heuristic == f"coinjoin.{kind}"),
            sum(1 for t in members if ours[t] is not None),
            sum(1 for t in members if theirs[t].kind == kind) if theirs else None,
            sum(1 for t in members if theirs[t].is_coinjoin) if theirs else None))
    return rows


def precision_any(rows: list[LabelScore], ours: bool = True) -> float | None:
    """Share of flagged transactions that are CoinJoins, counting as false flags only the
    look-alikes one wallet made (batch payouts, single-wallet Stonewalls): a flagged two-wallet
    transaction (STONEWALLx2, PayJoin) keeps apart coins two people own, as a CoinJoin flag should."""
    def flagged(row: LabelScore) -> int:
        value = row.ours_flagged if ours else row.theirs_flagged
        return value or 0
    true = sum(flagged(r) for r in rows if r.is_coinjoin)
    false = sum(flagged(r) for r in rows if not r.is_coinjoin and r.owners == 1)
    return true / (true + false) if true + false else None


def real_transactions(folder: Path) -> dict[str, Tx]:
    """Every transaction in a folder of recorded Esplora answers (``/tx/:txid`` objects and
    ``/address/:a/txs`` lists), deduplicated by txid."""
    found: dict[str, Tx] = {}
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text())
        for raw in document if isinstance(document, list) else [document]:
            if isinstance(raw, dict) and "txid" in raw and "vin" in raw:
                found.setdefault(raw["txid"], tx_from_json(raw))
    return found
