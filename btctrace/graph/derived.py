"""What is derived from a trace graph once and kept while the graph lives.

The exports never change the trace graph, and several ask it the same question: what flowed
through each node (the entity table, the address table, the MISP event, the explorer), the
cluster-level flows (the entity chart and the cluster outputs). Asked once before the export
children are forked, the answer is theirs too, without being worked out again (issue 18)."""

from __future__ import annotations

import weakref
from typing import Any, Callable, TypeVar

import networkx as nx

__all__ = ["derived"]

Value = TypeVar("Value")

_KEPT: "weakref.WeakKeyDictionary[nx.Graph, dict[str, tuple[int, Any]]]" = weakref.WeakKeyDictionary()


def derived(graph: nx.Graph, name: str, make: Callable[[nx.Graph], Value]) -> Value:
    """``make(graph)``, worked out on the first call for *graph* under *name* and kept while
    the graph lives (worked out again if nodes were added or removed since)."""
    size = graph.number_of_nodes()  # O(1); counting edges is O(nodes) in NetworkX
    kept = _KEPT.setdefault(graph, {})
    if name in kept and kept[name][0] == size:
        return kept[name][1]
    value = make(graph)
    kept[name] = (size, value)
    return value
