"""The second opinion for one trace: the reference implementation's answer for every traced
transaction that either implementation calls a CoinJoin. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from btctrace.heuristics import Finding
from btctrace.model import Tx
from btctrace.reference.agreement import AGREE, Agreement, compare
from btctrace.reference.graphsense import REFERENCE_EXTRA, graphsense_opinions, reference_implementation

__all__ = ["SecondOpinionReport", "second_opinion", "could_be_coinjoin"]


@dataclass(frozen=True)
class SecondOpinionReport:
    implementation: str | None  # "graphsense-lib 2.18.1", or None when the extra is not installed
    agreements: tuple[Agreement, ...] = ()  # by txid; only transactions either side calls a CoinJoin
    install: str = REFERENCE_EXTRA

    def of(self, txid: str) -> Agreement | None:
        return next((a for a in self.agreements if a.txid == txid), None)

    def describe(self, txid: str) -> str:
        """One line on what the reference says of btctrace's CoinJoin *txid* (report, explorer)."""
        if self.implementation is None:
            return f"not asked: install {self.install} for graphsense-lib's opinion"
        agreement = self.of(txid)
        if agreement is None or agreement.theirs is None:
            return f"{self.implementation}: not a CoinJoin ({agreement.detail if agreement else 'no detector fired'})"
        confidence = f", confidence {agreement.confidence}/100" if agreement.confidence is not None else ""
        word = "agrees" if agreement.verdict == AGREE else "a CoinJoin, but another protocol"
        return f"{self.implementation} {word}: {agreement.theirs}{confidence} ({agreement.detail})"


def could_be_coinjoin(tx: Tx) -> bool:
    """Whether any detector of either implementation could fire: every one needs >= 2 inputs and
    >= 3 outputs, except the Whirlpool Tx0, which needs an output without an address (graphsense-lib
    takes any such output for the OP_RETURN)."""
    if tx.is_coinbase:
        return False
    return (len(tx.inputs) >= 2 and len(tx.outputs) >= 3) or any(o.address is None for o in tx.outputs)


def second_opinion(txs: Iterable[Tx], coinjoins: Mapping[str, Finding]) -> SecondOpinionReport:
    """Ask the reference about every traced transaction that could be a CoinJoin."""
    implementation = reference_implementation()
    if implementation is None:
        return SecondOpinionReport(None)
    candidates = [tx for tx in txs if could_be_coinjoin(tx)]
    opinions = graphsense_opinions(candidates)
    found = [compare(coinjoins.get(txid), opinion) for txid, opinion in sorted(opinions.items())]
    return SecondOpinionReport(implementation, tuple(a for a in found if a.ours or a.theirs))
