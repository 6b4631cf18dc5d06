"""Heuristics: pure functions over :class:`~btctrace.model.Tx` (and precomputed chain facts)
that return :class:`Finding` objects carrying the rule, the reason in plain words and the
source they follow. They never do I/O. One module per family."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a heuristic concluded about one transaction, and why.

    ``candidates`` are output indices (for change heuristics); tx-level findings leave it empty.
    ``confidence`` is the heuristic's prior in [0, 1]; measured accuracy is published separately.
    """

    heuristic: str
    txid: str
    confidence: float
    reason: str
    reference: str
    candidates: tuple[int, ...] = ()
