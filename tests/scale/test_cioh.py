"""Whole-chain common-input clustering: known answers, CoinJoin exclusion, and agreement
with NetworkX on a random chain."""

import networkx as nx
import numpy as np
import pandas as pd

from btctrace.scale.cioh import cluster_labels, cospend_edges


def _inputs(rows):
    return pd.DataFrame(rows, columns=["tx", "address", "coinjoin"])


def test_co_spent_addresses_share_the_smallest_id_and_coinjoins_link_nothing():
    inputs = _inputs([(0, 3, False), (0, 1, False), (1, 1, False), (1, 4, False),
                      (2, 5, True), (2, 6, True), (3, 2, False)])
    assert cluster_labels(inputs, 7).tolist() == [0, 1, 2, 1, 1, 5, 6]


def test_a_single_input_or_a_repeated_address_makes_no_link():
    sources, targets = cospend_edges(_inputs([(0, 2, False), (1, 3, False), (1, 3, False)]))
    assert len(sources) == len(targets) == 0


def test_the_partition_equals_networkx_connected_components():
    rng = np.random.default_rng(5)
    counts = rng.integers(1, 4, size=3000)
    tx = np.repeat(np.arange(3000), counts)
    inputs = pd.DataFrame({"tx": tx, "address": rng.integers(0, 4000, size=len(tx)),
                           "coinjoin": np.repeat(rng.random(3000) < 0.02, counts)})
    labels = cluster_labels(inputs, 4000)
    graph = nx.Graph()
    graph.add_nodes_from(range(4000))
    for _, group in inputs[~inputs["coinjoin"]].groupby("tx"):
        members = group["address"].tolist()
        graph.add_edges_from((members[0], other) for other in members[1:])
    expected = np.empty(4000, dtype=np.int64)
    for component in nx.connected_components(graph):
        expected[list(component)] = min(component)
    assert np.array_equal(labels, expected)
