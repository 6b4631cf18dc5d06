"""GraphML for yEd, Gephi and Cytoscape, from the interchange view
(:mod:`btctrace.exports.interchange.ready`: plain values, ``long`` integers, ``None`` left out,
a display ``label`` on every node, unique edge ids). The file is written directly, in one pass:
NetworkX's writer builds the whole XML tree first (seconds per thousand transactions), and
switches to lxml, with other bytes, when that is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import quoteattr

import networkx as nx

from btctrace.exports.interchange.ready import PLAIN_TYPE_NAMES, ReadyGraph, edge_id, interchange_ready
from btctrace.exports.writing.atomic import write_lines
from btctrace.exports.writing.safe_text import xml_attribute, xml_escaped

__all__ = ["write_graphml", "write_ready_graphml"]


_HEADER = ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')


def _keys(kind: str, items) -> dict[str, tuple[str, str]]:
    """Attribute name -> (key id prefix-free name, GraphML type) for one element kind."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            types.setdefault(name, PLAIN_TYPE_NAMES[type(value)])
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
