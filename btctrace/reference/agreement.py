"""Compare btctrace's CoinJoin finding with the reference implementation's opinion of the same
transaction, in words an investigator can put in a report. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from btctrace.heuristics import Finding
from btctrace.reference.graphsense import SecondOpinion

__all__ = ["AGREE", "AGREE_OTHER_KIND", "OURS_ONLY", "THEIRS_ONLY", "NEITHER", "Agreement", "compare"]

AGREE = "agree"
AGREE_OTHER_KIND = "both CoinJoin, other protocol"
OURS_ONLY = "btctrace only"
THEIRS_ONLY = "reference only"
NEITHER = "neither"


@dataclass(frozen=True, slots=True)
class Agreement:
    txid: str
    ours: str | None  # btctrace's kind (detector name without "coinjoin.") or None
    theirs: str | None  # the reference's kind, "generic" for its BlockSci port alone, or None
    verdict: str
    detail: str  # the reference's own words
    confidence: int | None = None  # the reference's own score (0-100) for its kind

    @property
    def agrees(self) -> bool:
        return self.verdict in (AGREE, NEITHER)


def _theirs(opinion: SecondOpinion) -> str | None:
    return opinion.kind or ("generic" if opinion.generic else None)


def compare(finding: Finding | None, opinion: SecondOpinion) -> Agreement:
    """*finding* is btctrace's (None: not a CoinJoin). btctrace's generic rule agrees with the
    reference's generic port or any of its protocol detectors."""
    ours = finding.heuristic.removeprefix("coinjoin.") if finding is not None else None
    theirs = _theirs(opinion)
    if ours is None:
        verdict = NEITHER if theirs is None else THEIRS_ONLY
    elif theirs is None:
        verdict = OURS_ONLY
    elif ours == theirs or ours == "generic":
        verdict = AGREE
    else:
        verdict = AGREE_OTHER_KIND
    return Agreement(opinion.txid, ours, theirs, verdict, opinion.detail, opinion.confidence)
