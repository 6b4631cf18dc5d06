"""``cytoscape.json``: Cytoscape.js / Cytoscape desktop JSON (``cy.json(document)``), streamed
element by element, from the interchange view (:mod:`btctrace.exports.interchange.ready`)."""

from __future__ import annotations

from typing import Iterator

import networkx as nx

from btctrace import jsontext
from btctrace.exports.interchange.ready import edge_id, interchange_ready, plain_attributes

__all__ = ["cytoscape_pieces"]


def cytoscape_pieces(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Cytoscape.js JSON (what ``cy.json(document)`` loads), in pieces: ``data.id``, ``label``
    (never empty) and ``tag_label`` on nodes; a unique ``data.id`` (:func:`edge_id`), ``source``
    and ``target`` on edges; the graph's own attributes (seeds, direction) as the ``data``
    object. Elements are made one at a time as they are written."""
    ready = interchange_ready(graph)
    nodes = jsontext.Streamed(lambda: ({"data": {**data, "id": str(node), "name": str(node)}}
                                       for node, data in ready.nodes), len(ready.nodes))
    edges = jsontext.Streamed(lambda: ({"data": {**data, "id": edge_id(source, target, key, data), "source": str(source),
                                                 "target": str(target), "key": str(key)}}
                                       for source, target, key, data in ready.edges), len(ready.edges))
    document = {"data": {**plain_attributes(graph.graph), "directed": True, "multigraph": True},
                "elements": {"nodes": nodes, "edges": edges}}
    yield from jsontext.indented_pieces(document, sort_keys=True)
    yield "\n"
