"""Common-input clustering of a whole chain (or any export of it) on one machine.

The input is one row per transaction input: ``tx`` (an integer id), ``address`` (an integer
id) and the transaction's ``coinjoin`` flag, the shape of bitcoin-etl / BigQuery
``crypto_bitcoin.inputs`` once address strings are mapped to integers. Every address spent
in one transaction is linked to the first input address of that transaction (Meiklejohn et
al., IMC 2013; the multi-input heuristic), except in CoinJoins, whose inputs belong to many
owners (the same exclusion as :mod:`btctrace.heuristics.clustering`). The links are a sparse
matrix and its connected components (scipy, Pearce's algorithm) are the clusters: no Python
loop per edge, so a million transactions cluster in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from btctrace.errors import MissingDependency

__all__ = ["cluster_labels", "cospend_edges"]


def cospend_edges(inputs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(first input address, other input address) for every non-CoinJoin transaction."""
    kept = inputs.loc[~inputs["coinjoin"].to_numpy(dtype=bool), ["tx", "address"]]
    first = kept.groupby("tx", sort=False)["address"].transform("first").to_numpy()
    others = kept["address"].to_numpy()
    linked = first != others
    return first[linked], others[linked]


def cluster_labels(inputs: pd.DataFrame, address_count: int) -> np.ndarray:
    """Cluster label per address id (0 .. address_count-1): equal labels, same owner by the
    multi-input heuristic. Labels are the smallest address id in each cluster, so two runs
    (or two backends) give identical arrays."""
    try:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components
    except ImportError:
        raise MissingDependency("whole-chain clustering", "scipy") from None
    if address_count == 0:
        return np.empty(0, dtype=np.int64)
    sources, targets = cospend_edges(inputs)
    ones = np.ones(len(sources), dtype=np.int8)
    matrix = coo_matrix((ones, (sources, targets)), shape=(address_count, address_count)).tocsr()
    _, components = connected_components(matrix, directed=False)
    smallest = np.full(components.max() + 1, address_count, dtype=np.int64)
    np.minimum.at(smallest, components, np.arange(address_count))
    return smallest[components]
