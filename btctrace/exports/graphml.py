"""GraphML for yEd, Gephi and Cytoscape. Every value is cast to a plain type (integers are
GraphML ``long``, right for satoshis; numpy integers would become 32-bit ``int``,
``formats-and-tools.md`` §4.3), and ``None`` (unknown, e.g. the block height of an
unconfirmed tx) is left out, as GraphML allows. The file is written directly, in one pass:
NetworkX's writer builds the whole XML tree first (seconds per thousand transactions), and
switches to lxml, with other bytes, when that is installed."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from btctrace.exports.safe_text import xml_text
from btctrace.exports.writing import write_text
from btctrace.graph import schema as S

__all__ = ["graphml_ready", "plain_attributes", "edge_id", "display_label", "interchange_ready", "write_graphml"]


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


def plain_attributes(data: dict) -> dict:
    """*data* with plain values only (see the module docstring); ``None`` values left out."""
    return {key: _plain(value) for key, value in data.items() if value is not None}


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


def interchange_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """:func:`graphml_ready`, with the tag label renamed ``tag_label`` and ``label`` the
    :func:`display_label`: Gephi, Gephi Lite (graphology) and yEd show ``label`` as the node's
    name, so an empty tag label would leave most nodes nameless."""
    ready = graphml_ready(graph)
    for node, data in ready.nodes(data=True):
        shown = display_label(node, data)
        if "label" in data:
            data["tag_label"] = data.pop("label")
        data["label"] = shown
    return ready


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
    return ("true" if value else "false") if isinstance(value, bool) else escape(xml_text(value))


def _data(data: dict, keys: dict[str, tuple[str, str]], indent: str) -> list[str]:
    return [f'{indent}<data key="{keys[name][0]}">{_text(value)}</data>' for name, value in sorted(data.items())]


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """GraphML with unique edge ids (:func:`edge_id`) and a display ``label`` on every node."""
    ready = interchange_ready(graph)
    graph_keys = _keys("graph", [ready.graph])
    node_keys = _keys("node", (d for _, d in ready.nodes(data=True)))
    edge_keys = _keys("edge", (d for _, _, d in ready.edges(data=True)))
    lines = ["<?xml version='1.0' encoding='utf-8'?>", _HEADER]
    for kind, keys in (("graph", graph_keys), ("node", node_keys), ("edge", edge_keys)):
        lines.extend(f'  <key id="{key}" for="{kind}" attr.name={quoteattr(name)} attr.type="{kind_type}" />'
                     for name, (key, kind_type) in keys.items())
    lines.append('  <graph edgedefault="directed">')
    lines.extend(_data(ready.graph, graph_keys, "    "))
    for node, data in ready.nodes(data=True):
        lines.append(f"    <node id={quoteattr(xml_text(node))}>")
        lines.extend(_data(data, node_keys, "      "))
        lines.append("    </node>")
    for source, target, key, data in ready.edges(keys=True, data=True):
        lines.append(f"    <edge source={quoteattr(xml_text(source))} target={quoteattr(xml_text(target))} "
                     f"id={quoteattr(xml_text(edge_id(source, target, key, data)))}>")
        lines.extend(_data(data, edge_keys, "      "))
        lines.append("    </edge>")
    lines.extend(["  </graph>", "</graphml>"])
    write_text(path, "\n".join(lines) + "\n")
