"""What flowed through each node of a trace graph, summed in one pass over the edges.

Several exhibits state, per address, what it received and sent and when it was first and last
seen (the entity table, the MISP event, the explorer). Asking NetworkX for each node's in- and
out-edges costs a view object and a generator per node and per question (1.2 million of them
for a 10,000-transaction case); one pass over the edges answers them all."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from btctrace.graph.derived import derived

__all__ = ["NodeFlows", "node_flows"]


@dataclass(frozen=True, slots=True)
class NodeFlows:
    """Satoshis into and out of a node, the block times of its first and last transfer (None
    when every transfer is unconfirmed) and the hops of its transfers."""

    received: int = 0
    sent: int = 0
    first_time: int | None = None
    last_time: int | None = None
    hops: tuple[int, ...] = ()


def node_flows(graph: nx.MultiDiGraph) -> dict[str, NodeFlows]:
    """Node -> its :class:`NodeFlows`, for every node of *graph* (worked out once per graph:
    :mod:`btctrace.graph.derived`)."""
    return derived(graph, "node_flows", _node_flows)


def _node_flows(graph: nx.MultiDiGraph) -> dict[str, NodeFlows]:
    received: dict[str, int] = dict.fromkeys(graph, 0)
    sent: dict[str, int] = dict.fromkeys(graph, 0)
    times: dict[str, list[int]] = {node: [] for node in graph}
    hops: dict[str, list[int]] = {node: [] for node in graph}
    for source, target, data in graph.edges(data=True):
        value, hop, time = data["value"], data["hop"], data["block_time"]
        received[target] += value
        sent[source] += value
        hops[source].append(hop)
        hops[target].append(hop)
        if time is not None:
            times[source].append(time)
            times[target].append(time)
    return {node: NodeFlows(received[node], sent[node], min(times[node]) if times[node] else None,
                            max(times[node]) if times[node] else None, tuple(hops[node])) for node in graph}
