"""Common-input clustering of a 1,000,000-transaction synthetic chain: btctrace's columnar
backend (pandas + scipy sparse connected components) against NetworkX ``connected_components``
on the same co-spend edges, in the same run.

    python benchmarks/clustering_whole_chain.py                 # 1,000,000 transactions
    python benchmarks/clustering_whole_chain.py --txs 200000 --runs 3

The chain: each transaction spends 1 to 6 inputs (geometric, mean about 1.6) from a pool of
addresses with reuse (Zipf-like), and 0.5 % are CoinJoins (excluded). Times cover edge
extraction and components; peak memory is tracemalloc's (NumPy and Python allocations).
Both must give the same partition (checked). Target: at least 3x faster than NetworkX and
under 20 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import networkx as nx
import numpy as np
import pandas as pd

from btctrace.scale.cioh import cluster_labels, cospend_edges


def synthetic_inputs(txs: int, seed: int = 1) -> tuple[pd.DataFrame, int]:
    rng = np.random.default_rng(seed)
    counts = np.minimum(rng.geometric(0.6, size=txs), 6)
    addresses = int(txs * 1.2)
    tx = np.repeat(np.arange(txs), counts)
    address = (rng.pareto(1.2, size=len(tx)) * 1000).astype(np.int64) % addresses
    coinjoin = np.repeat(rng.random(txs) < 0.005, counts)
    return pd.DataFrame({"tx": tx, "address": address, "coinjoin": coinjoin}), addresses


def btctrace_partition(inputs: pd.DataFrame, addresses: int) -> np.ndarray:
    return cluster_labels(inputs, addresses)


def networkx_partition(inputs: pd.DataFrame, addresses: int) -> np.ndarray:
    sources, targets = cospend_edges(inputs)
    graph = nx.Graph()
    graph.add_nodes_from(range(addresses))
    graph.add_edges_from(zip(sources.tolist(), targets.tolist()))
    labels = np.empty(addresses, dtype=np.int64)
    for component in nx.connected_components(graph):
        members = np.fromiter(component, dtype=np.int64)
        labels[members] = members.min()
    return labels


def measure(function, inputs, addresses, runs):
    times, peaks, labels = [], [], None
    for _ in range(runs):
        tracemalloc.start()
        started = time.perf_counter()
        labels = function(inputs, addresses)
        times.append(time.perf_counter() - started)
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return statistics.median(times), max(peaks), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--txs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    inputs, addresses = synthetic_inputs(args.txs)
    print(f"{args.txs:,} transactions, {len(inputs):,} inputs, {addresses:,} addresses, "
          f"{int(inputs.groupby('tx')['coinjoin'].first().sum()):,} CoinJoins excluded")
    ours = measure(btctrace_partition, inputs, addresses, args.runs)
    theirs = measure(networkx_partition, inputs, addresses, max(1, args.runs // 3))
    assert np.array_equal(ours[2], theirs[2]), "the two backends disagree"
    clusters = len(np.unique(ours[2]))
    print(f"{'backend':<34} {'median s':>9} {'peak MiB':>9}")
    print(f"{'btctrace (pandas + scipy)':<34} {ours[0]:>9.2f} {ours[1]:>9.0f}")
    print(f"{'networkx connected_components':<34} {theirs[0]:>9.2f} {theirs[1]:>9.0f}")
    print(f"speed-up {theirs[0] / ours[0]:.1f}x; identical partitions: {clusters:,} clusters")


if __name__ == "__main__":
    main()
