"""``graph.gexf`` for Gephi: dynamic by block time (``start`` on nodes and edges) so Gephi's
timeline plays the flows in order; the file's date is the last block's date, not the run's. From
the interchange view (:mod:`btctrace.exports.interchange.ready`): every node has a non-empty
``label`` (the tag label is ``tag_label``) and every edge a unique, stable id."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import quoteattr

import networkx as nx

from btctrace.exports.interchange.ready import PLAIN_TYPE_NAMES, ReadyGraph, edge_id, interchange_ready
from btctrace.exports.writing.atomic import write_lines
from btctrace.exports.writing.safe_text import xml_attribute, xml_text
from btctrace.units import format_utc

__all__ = ["GEXF_RESERVED", "write_gexf"]

# XML attributes of GEXF's <node>/<edge>: an <attvalue> titled like one of them replaces it in
# graphology-gexf (Gephi Lite), so these are never written as attributes.
GEXF_RESERVED = frozenset({"id", "label", "start", "end", "source", "target", "weight", "type", "kind_of_edge"})


def _gexf_attributes(items: list[dict]) -> dict[str, str]:
    """Attribute name -> GEXF type, over every node (or edge) attribute dict in *items*."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            if name not in GEXF_RESERVED:
                types.setdefault(name, PLAIN_TYPE_NAMES.get(type(value), "string"))
    return dict(sorted(types.items()))


def _gexf_element(tag: str, fixed: dict[str, object], data: dict, ids: dict[str, int]) -> str:
    head = " ".join(f"{name}={xml_attribute(value)}" for name, value in fixed.items() if value is not None)
    values = "".join(f'<attvalue for="{ids[name]}" value={xml_attribute(str(value).lower() if isinstance(value, bool) else value)}/>'
                     for name, value in sorted(data.items()) if name in ids)
    return f"      <{tag} {head}><attvalues>{values}</attvalues></{tag}>"


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> None:
    """GEXF 1.2 with ``start`` (block time, unix seconds) on nodes and edges: Gephi's timeline
    plays the flows in order. The file's date is the last block's date, not the run's. Written
    directly and streamed (NetworkX's writer takes seconds per thousand transactions)."""
    write_lines(path, _gexf_lines(graph, interchange_ready(graph)))


def _first_times(graph: nx.MultiDiGraph) -> tuple[dict[str, int], int | None]:
    """Node -> the earliest block time of a transfer into or out of it; the latest of all."""
    first: dict[str, int] = {}
    last = None
    for source, target, when in graph.edges(data="block_time"):
        if when is not None:
            last = when if last is None else max(last, when)
            for node in (source, target):
                if node not in first or when < first[node]:
                    first[node] = when
    return first, last


def _gexf_lines(graph: nx.MultiDiGraph, ready: ReadyGraph) -> Iterator[str]:
    starts, last = _first_times(graph)
    node_types = _gexf_attributes([d for _, d in ready.nodes])
    edge_types = _gexf_attributes([d for _, _, _, d in ready.edges])
    node_ids = {name: i for i, name in enumerate(node_types)}
    edge_ids = {name: i for i, name in enumerate(edge_types)}
    day = format_utc(last)[:10] if last is not None else "2009-01-03"
    yield from ("<?xml version='1.0' encoding='utf-8'?>", '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
                f'  <meta lastmodifieddate="{day}"><creator>btctrace</creator></meta>',
                '  <graph defaultedgetype="directed" mode="dynamic" timeformat="double">')
    for kind, types in (("node", node_types), ("edge", edge_types)):
        yield f'    <attributes class="{kind}" mode="static">'
        yield from (f'      <attribute id="{i}" title={quoteattr(xml_text(name))} type="{kind_type}"/>'
                    for i, (name, kind_type) in enumerate(types.items()))
        yield "    </attributes>"
    yield "    <nodes>"
    for node, data in ready.nodes:
        yield _gexf_element("node", {"id": node, "label": data["label"], "start": starts.get(node)}, data, node_ids)
    yield "    </nodes>"
    yield "    <edges>"
    for source, target, key, data in ready.edges:
        fixed = {"id": edge_id(source, target, key, data), "source": source, "target": target,
                 "start": data.get("block_time")}
        yield _gexf_element("edge", fixed, data, edge_ids)
    yield from ("    </edges>", "  </graph>", "</gexf>")
