"""GraphML for yEd, Gephi and Cytoscape. NetworkX writes Python ``int`` as GraphML ``long``
(right for satoshis) but rejects ``None``; numpy integers would become 32-bit ``int``
(``formats-and-tools.md`` §4.3). So every value is cast to a plain type here, and ``None``
(unknown, e.g. the block height of an unconfirmed tx) is left out, as GraphML allows."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

__all__ = ["graphml_ready", "write_graphml"]


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
    clean = nx.MultiDiGraph(**_plain_attrs(graph.graph))
    for node, data in graph.nodes(data=True):
        clean.add_node(node, **_plain_attrs(data))
    for source, target, key, data in graph.edges(keys=True, data=True):
        clean.add_edge(source, target, key=key, **_plain_attrs(data))
    return clean


def _plain_attrs(data: dict) -> dict:
    return {key: _plain(value) for key, value in data.items() if value is not None}


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    nx.write_graphml(graphml_ready(graph), path, encoding="utf-8", prettyprint=True)
