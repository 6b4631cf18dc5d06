"""Copies of the trace graph that hold only what their reader needs."""

from __future__ import annotations

from typing import Collection

import networkx as nx

__all__ = ["graph_copy"]


def graph_copy(graph: nx.MultiDiGraph, left_out: Collection[str] = (), node_keys: Collection[str] | None = None,
               edge_keys: Collection[str] | None = None) -> nx.MultiDiGraph:
    """``graph.copy()`` less the nodes *left_out* and their edges, without copying them first
    (NetworkX's copy-then-remove holds the whole graph twice), and with only *node_keys* and
    *edge_keys* of the attributes when given (a chart's layout reads three of a node's dozen).
    Nodes and edges keep the order :meth:`~networkx.MultiDiGraph.copy` gives them."""
    def kept(data: dict, keys: Collection[str] | None) -> dict:
        return data.copy() if keys is None else {key: data[key] for key in keys if key in data}

    copy = graph.__class__()
    copy.graph.update(graph.graph)
    copy.add_nodes_from((n, kept(d, node_keys)) for n, d in graph.nodes(data=True) if n not in left_out)
    copy.add_edges_from((u, v, key, kept(d, edge_keys)) for u, neighbours in graph.adjacency() if u not in left_out
                        for v, keyed in neighbours.items() if v not in left_out for key, d in keyed.items())
    return copy
