"""A second, independent implementation of the CoinJoin heuristics (graphsense-lib, optional
extra ``btctrace[reference]``), and how its answers compare with btctrace's. Sits beside
``heuristics``: pure, reads :class:`~btctrace.model.Tx` and findings, never the network."""

from __future__ import annotations

from btctrace.reference.agreement import Agreement, compare
from btctrace.reference.report import SecondOpinionReport, could_be_coinjoin, second_opinion
from btctrace.reference.graphsense import (
    REFERENCE_EXTRA,
    SecondOpinion,
    graphsense_opinions,
    reference_implementation,
)

__all__ = ["REFERENCE_EXTRA", "Agreement", "SecondOpinion", "SecondOpinionReport", "compare", "could_be_coinjoin",
           "graphsense_opinions", "reference_implementation", "second_opinion"]
