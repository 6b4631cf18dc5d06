"""The trace graph as the interchange files write it (GraphML, GEXF, Cytoscape JSON, the cluster
GraphML), made once and shared. Every value is cast to a plain type (integers stay integers,
right for satoshis: GraphML and GEXF ``long``; numpy integers would become 32-bit ``int``,
``formats-and-tools.md`` §4.3), and ``None`` (unknown, e.g. the block height of an unconfirmed
tx) is left out, as GraphML allows. Every node gets a display ``label`` and every edge a unique,
stable id, so graph tools name nodes and readers such as graphology accept the file."""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import networkx as nx

from btctrace.graph import schema as S

__all__ = ["PLAIN_TYPE_NAMES", "plain_attributes", "edge_id", "display_label", "ReadyGraph", "interchange_ready", "interchange_view_shared",
           "ready_node"]


def _plain(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(str(v) for v in sorted(value, key=str))
    return str(value)


# The plain value types, named as GraphML and GEXF both name them (``long``: 64-bit, right for satoshis).
PLAIN_TYPE_NAMES = {bool: "boolean", int: "long", float: "double", str: "string"}
_SCALARS = frozenset(PLAIN_TYPE_NAMES)


def plain_attributes(data: dict) -> dict:
    """*data* with plain values only (see the module docstring); ``None`` values left out."""
    return {key: value if type(value) in _SCALARS else _plain(value) for key, value in data.items()
            if value is not None}


def edge_id(source: str, target: str, key: object, data: dict) -> str:
    """A unique, stable edge id: ``<txid>:in:<vin>`` / ``<txid>:out:<vout>`` for a transfer of
    the trace graph (one per input or output), ``<source>-><target>#<key>`` otherwise (the
    (source, target, key) triple is unique in a multigraph). Readers such as graphology refuse
    a file whose edge ids repeat."""
    if {"txid", "side", "index"} <= data.keys():
        return f"{data['txid']}:{'in' if data['side'] == S.SIDE_INPUT else 'out'}:{data['index']}"
    return f"{source}->{target}#{key}"


def display_label(node: str, data: dict) -> str:
    """What a graph tool shows on a node: the tag label, else a short txid or the address (or
    the cluster id with its labels); never empty."""
    if data.get(S.KIND) == S.KIND_TX:
        return f"tx {node[:12]}…"
    if data.get("labels"):
        return f"{node}: {data['labels']}"
    return data.get("label") or node


@dataclass
class ReadyGraph:
    """The graph as interchange files write it (see :func:`interchange_ready`): plain attribute
    dicts of the graph, its nodes and its edges, in the graph's order."""

    attributes: dict
    nodes: list[tuple[str, dict]]
    edges: list[tuple[str, str, object, dict]]


_SHARED: "weakref.WeakKeyDictionary[nx.MultiDiGraph, ReadyGraph]" = weakref.WeakKeyDictionary()


@contextmanager
def interchange_view_shared(graph: nx.MultiDiGraph) -> Iterator[None]:
    """Within the block, the exports of *graph* (GraphML, GEXF, Cytoscape JSON) share one
    :func:`interchange_ready` view; after it the view is let go (it is a second copy of every
    attribute: hundreds of megabytes at 100,000 transactions). Exports never change the graph."""
    _SHARED[graph] = _interchange_ready(graph)
    try:
        yield
    finally:
        _SHARED.pop(graph, None)


def interchange_ready(graph: nx.MultiDiGraph) -> ReadyGraph:
    """Plain attributes (:func:`plain_attributes`), with the tag label renamed ``tag_label`` and
    ``label`` the :func:`display_label`: Gephi, Gephi Lite (graphology) and yEd show ``label``
    as the node's name, so an empty tag label would leave most nodes nameless. No graph is
    built (a NetworkX copy cost seconds per 10,000 transactions); the view made for
    :func:`interchange_view_shared` when there is one."""
    shared = _SHARED.get(graph)
    return shared if shared is not None else _interchange_ready(graph)


def ready_node(node: str, data: dict) -> tuple[str, dict]:
    """A node as interchange files write it (see :func:`interchange_ready`)."""
    plain = plain_attributes(data)
    shown = display_label(node, plain)
    if "label" in plain:
        plain["tag_label"] = plain.pop("label")
    plain["label"] = shown
    return node, plain


def _interchange_ready(graph: nx.MultiDiGraph) -> ReadyGraph:
    nodes = [ready_node(node, data) for node, data in graph.nodes(data=True)]
    edges = [(source, target, key, plain_attributes(data)) for source, target, key, data in graph.edges(keys=True, data=True)]
    return ReadyGraph(plain_attributes(graph.graph), nodes, edges)
