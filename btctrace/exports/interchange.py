"""Interchange exports for the tools investigators already use.

- ``link_table.csv`` / ``link_table.xlsx``: one row per transfer (input or output), with from/to
  ids, types and labels, UTC date and time, amounts and txid: the "link table" shape the i2
  Analyst's Notebook and Maltego import wizards map (``formats-and-tools.md`` §4.1-4.2).
- ``entities.csv``: one row per address and transaction.
  The XLSX has amounts as numbers and UTC dates as dates (:data:`XLSX_TYPES`).
- ``graph.gexf``: dynamic by block time (``start`` on nodes and edges) for Gephi's timeline.
- ``graph.dot``: Graphviz, written directly (no graphviz install needed), in the chart's colours.
- ``cytoscape.json``: Cytoscape.js / Cytoscape desktop JSON (``cy.json(document)``), streamed.

Every node has a non-empty ``label`` (the tag label is ``tag_label``) and every edge a unique,
stable id, so graphology (Gephi Lite, sigma.js), Gephi, yEd and Cytoscape read them cleanly.

All of them are deterministic: sorted rows, no run time (the GEXF date is the last block date;
XLSX zip entries carry a fixed timestamp).
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr
from pathlib import Path
from typing import Iterator

import networkx as nx
import pandas as pd

from btctrace import jsontext
from btctrace.exports.graphml import ReadyGraph, display_label, edge_id, interchange_ready, plain_attributes
from btctrace.exports.safe_text import dot_string, xml_attribute, xml_text
from btctrace.exports.styles import FONT, ROLE_STYLES
from btctrace.exports.writing import write_lines, write_pieces
from btctrace.exports.xlsx import write_xlsx
from btctrace.exports.tables import write_csv
from btctrace.graph.flows import node_flows
from btctrace.graph import schema as S
from btctrace.units import format_btc, format_utc
from btctrace.valuation import Prices

__all__ = ["LINK_COLUMNS", "ENTITY_COLUMNS", "XLSX_TYPES", "GEXF_RESERVED", "link_table", "entity_table", "write_gexf", "dot_lines",
           "cytoscape_pieces", "write_graph_files", "write_table_files", "write_interchange"]

LINK_COLUMNS = ["From_ID", "From_Type", "From_Label", "To_ID", "To_Type", "To_Label", "Link_Type", "Date_UTC",
                "Time_UTC", "Amount_BTC", "Amount_sats", "Amount_USD", "TxID", "Vin_Vout", "Block_Height", "Hop",
                "Source_API"]
# column -> cell type in link_table.xlsx (numbers and dates a spreadsheet can sum and sort)
XLSX_TYPES = {"Date_UTC": "date", "Time_UTC": "time", "Amount_BTC": "btc", "Amount_sats": "int", "Amount_USD": "usd",
              "Vin_Vout": "int", "Block_Height": "int", "Hop": "int", "First_Seen_UTC": "datetime",
              "Last_Seen_UTC": "datetime", "Received_BTC": "btc", "Sent_BTC": "btc"}
ENTITY_COLUMNS = ["Entity_ID", "Type", "Label", "Role", "Cluster_ID", "Category", "First_Seen_UTC",
                  "Last_Seen_UTC", "Received_BTC", "Sent_BTC"]


def _entity_type(data: dict) -> str:
    return "BTCTransaction" if data[S.KIND] == S.KIND_TX else "BTCAddress"


def link_table(graph: nx.MultiDiGraph, prices: Prices | None = None) -> pd.DataFrame:
    """One row per transfer; inputs run address -> transaction, outputs transaction -> address."""
    prices = prices or Prices()
    columns: dict[str, list] = {name: [] for name in LINK_COLUMNS}  # by column: a quarter of the memory of row dicts
    api_url = graph.graph.get("api_url", "")
    for source, target, data in graph.edges(data=True):
        when = format_utc(data["block_time"])
        a, b = graph.nodes[source], graph.nodes[target]
        row = (source, _entity_type(a), display_label(source, a), target, _entity_type(b), display_label(target, b),
               data["side"], when[:10], when[11:19], format_btc(data["value"]), data["value"],
               prices.usd(data["value"], data["block_time"]), data["txid"], data["index"], data["block_height"],
               data["hop"], api_url)
        for name, value in zip(LINK_COLUMNS, row):
            columns[name].append(value)
    frame = pd.DataFrame(columns, columns=LINK_COLUMNS)
    frame["Block_Height"] = frame["Block_Height"].astype("Int64")
    return frame.sort_values(["Hop", "TxID", "Link_Type", "Vin_Vout"], kind="stable").reset_index(drop=True)


def entity_table(graph: nx.MultiDiGraph) -> pd.DataFrame:
    rows = []
    flows = node_flows(graph)
    for node, data in graph.nodes(data=True):
        flow = flows[node]
        rows.append({
            "Entity_ID": node, "Type": _entity_type(data), "Label": display_label(node, data), "Role": data.get("role", ""),
            "Cluster_ID": data.get("cluster", ""), "Category": data.get("category", ""),
            "First_Seen_UTC": format_utc(flow.first_time), "Last_Seen_UTC": format_utc(flow.last_time),
            "Received_BTC": format_btc(flow.received), "Sent_BTC": format_btc(flow.sent),
        })
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS).sort_values(["Type", "Entity_ID"], kind="stable").reset_index(drop=True)


_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
# XML attributes of GEXF's <node>/<edge>: an <attvalue> titled like one of them replaces it in
# graphology-gexf (Gephi Lite), so these are never written as attributes.
GEXF_RESERVED = frozenset({"id", "label", "start", "end", "source", "target", "weight", "type", "kind_of_edge"})


def _gexf_attributes(items: list[dict]) -> dict[str, str]:
    """Attribute name -> GEXF type, over every node (or edge) attribute dict in *items*."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            if name not in GEXF_RESERVED:
                types.setdefault(name, _GEXF_TYPES.get(type(value), "string"))
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


_dot_id = dot_string


def _dot_colour(data: dict) -> str:
    colour, _, _ = ROLE_STYLES["tx" if data[S.KIND] == S.KIND_TX else data.get("role") or S.ROLE_COUNTERPARTY]
    return colour


def dot_lines(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Graphviz DOT, left to right, transactions as boxes, addresses filled in their role's colour
    (the flow chart's colours), amounts on edges in the same font as the nodes; line by line."""
    font = f'fontname="{FONT}", fontsize=9'
    yield from ("digraph btctrace {", "  rankdir=LR;", f"  node [{font}, style=filled, fontcolor=black];",
                f"  edge [{font}];")
    for node, data in graph.nodes(data=True):
        shape = "box" if data[S.KIND] == S.KIND_TX else "ellipse"
        role = f"\n{data['role']}" if data.get("role") else ""
        fill = _dot_colour(data)
        text = "white" if data[S.KIND] == S.KIND_TX or fill in {"#d62728", "#1f77b4"} else "black"
        yield (f"  {_dot_id(node)} [shape={shape}, fillcolor={_dot_id(fill)}, fontcolor={text}, "
               f"label={_dot_id(display_label(node, data) + role)}];")
    for source, target, data in graph.edges(data=True):
        yield f"  {_dot_id(source)} -> {_dot_id(target)} [label={_dot_id(format_btc(data['value']) + ' BTC')}];"
    yield "}"


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


def write_graph_files(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    """``graph.gexf`` and ``cytoscape.json`` (they read the interchange view:
    :func:`~btctrace.exports.graphml.interchange_view_shared`)."""
    paths = [folder / "graph.gexf", folder / "cytoscape.json"]
    write_gexf(graph, paths[0])
    write_pieces(paths[1], cytoscape_pieces(graph))
    return paths


def write_table_files(graph: nx.MultiDiGraph, folder: Path, prices: Prices | None = None) -> list[Path]:
    """The link table (CSV and XLSX), ``entities.csv`` and ``graph.dot``."""
    paths = [folder / name for name in ("link_table.csv", "link_table.xlsx", "entities.csv", "graph.dot")]
    links, entities = link_table(graph, prices), entity_table(graph)
    write_csv(links, paths[0])
    write_xlsx({"links": links, "entities": entities}, paths[1], XLSX_TYPES)
    write_csv(entities, paths[2])
    del links, entities
    write_lines(paths[3], dot_lines(graph))
    return paths


def write_interchange(graph: nx.MultiDiGraph, folder: Path, prices: Prices | None = None) -> list[Path]:
    """Write every interchange file into *folder*; returns their paths."""
    return write_graph_files(graph, folder) + write_table_files(graph, folder, prices)
