"""``graph.dot``: Graphviz, written directly (no graphviz install needed), left to right, in the
flow chart's colours (:data:`~btctrace.exports.charts.styles.ROLE_STYLES`)."""

from __future__ import annotations

from typing import Iterator

import networkx as nx

from btctrace.exports.charts.styles import FONT, ROLE_STYLES
from btctrace.exports.interchange.ready import display_label
from btctrace.exports.writing.safe_text import dot_string
from btctrace.graph import schema as S
from btctrace.units import format_btc

__all__ = ["dot_lines"]

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
