"""GraphML for yEd, Gephi and Cytoscape. Every value is cast to a plain type (integers are
GraphML ``long``, right for satoshis; numpy integers would become 32-bit ``int``,
``formats-and-tools.md`` §4.3), and ``None`` (unknown, e.g. the block height of an
unconfirmed tx) is left out, as GraphML allows. The file is written directly, in one pass:
NetworkX's writer builds the whole XML tree first (seconds per thousand transactions), and
switches to lxml, with other bytes, when that is installed."""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import quoteattr

import networkx as nx

from btctrace.exports.safe_text import xml_attribute, xml_escaped
from btctrace.exports.writing import write_lines
from btctrace.graph import schema as S

__all__ = ["graphml_ready", "plain_attributes", "edge_id", "display_label", "ReadyGraph", "interchange_ready", "interchange_view_shared",
           "write_graphml", "write_ready_graphml", "ready_node"]


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


def graphml_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only str/int/bool/float attribute values; ``None`` values left out."""
    clean = nx.MultiDiGraph(**plain_attributes(graph.graph))
    for node, data in graph.nodes(data=True):
        clean.add_node(node, **plain_attributes(data))
    for source, target, key, data in graph.edges(keys=True, data=True):
        clean.add_edge(source, target, key=key, **plain_attributes(data))
    return clean


_SCALARS = frozenset({bool, int, float, str})


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


_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_HEADER = ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')


def _keys(kind: str, items) -> dict[str, tuple[str, str]]:
    """Attribute name -> (key id prefix-free name, GraphML type) for one element kind."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            types.setdefault(name, _TYPES[type(value)])
    return {name: (f"{kind[0]}{i}", kind_type) for i, (name, kind_type) in enumerate(sorted(types.items()))}


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else xml_escaped(value)


def _data(data: dict, keys: dict[str, tuple[str, str]], indent: str) -> list[str]:
    return [f'{indent}<data key="{keys[name][0]}">{_text(value)}</data>' for name, value in sorted(data.items())]


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """GraphML with unique edge ids (:func:`edge_id`) and a display ``label`` on every node."""
    write_ready_graphml(interchange_ready(graph), path)


def write_ready_graphml(ready: ReadyGraph, path: Path) -> None:
    """GraphML of a graph already in its interchange form (no NetworkX graph needed)."""
    write_lines(path, _graphml_lines(ready))


def _graphml_lines(ready: ReadyGraph) -> Iterator[str]:
    graph_keys = _keys("graph", [ready.attributes])
    node_keys = _keys("node", (d for _, d in ready.nodes))
    edge_keys = _keys("edge", (d for _, _, _, d in ready.edges))
    yield "<?xml version='1.0' encoding='utf-8'?>"
    yield _HEADER
    for kind, keys in (("graph", graph_keys), ("node", node_keys), ("edge", edge_keys)):
        yield from (f'  <key id="{key}" for="{kind}" attr.name={quoteattr(name)} attr.type="{kind_type}" />'
                    for name, (key, kind_type) in keys.items())
    yield '  <graph edgedefault="directed">'
    yield from _data(ready.attributes, graph_keys, "    ")
    for node, data in ready.nodes:
        yield f"    <node id={xml_attribute(node)}>"
        yield from _data(data, node_keys, "      ")
        yield "    </node>"
    for source, target, key, data in ready.edges:
        yield (f"    <edge source={xml_attribute(source)} target={xml_attribute(target)} "
               f"id={xml_attribute(edge_id(source, target, key, data))}>")
        yield from _data(data, edge_keys, "      ")
        yield "    </edge>"
    yield "  </graph>"
    yield "</graphml>"
