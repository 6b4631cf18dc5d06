"""Where the address-level flow chart puts each node, apart from drawing it (matplotlib is not
imported here: the explorer lays out its page with the same functions).

Transactions sit in odd columns (2·hop+1, or 2·rank+1 by block time); addresses in the column
after the transaction that paid them (or before the one they pay, for payers). A column with more
than :data:`MAX_PER_COLUMN` nodes keeps the largest and folds the rest into "N others", sums
kept. Within a column nodes are ordered by the barycentre of their neighbours in earlier columns.
The chart is cut into printed pages of :data:`RANKS_PER_PAGE` hops (or time ranks). Computed,
not random: the same graph gives the same positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from btctrace.graph import schema as S
from btctrace.graph.copying import graph_copy

__all__ = ["ALWAYS_LABELLED", "MAX_PER_COLUMN", "RANKS_PER_PAGE", "MAX_TIME_RANKS", "FlowPage", "layout",
           "fold_crowded_columns", "flow_pages", "last_rank", "page_at"]

ALWAYS_LABELLED = {S.ROLE_SEED, S.ROLE_ENDPOINT, S.ROLE_HOLDING}
MAX_PER_COLUMN = 14  # more nodes than this in one column are folded into "N others"
RANKS_PER_PAGE = 3  # hops (or time ranks) per printed page: 7 columns across the page
MAX_TIME_RANKS = 60  # by time: at most 20 pages


def _ranks(graph: nx.MultiDiGraph, by_time: bool) -> dict[str, int]:
    """Transaction -> column rank: its hop, or (by time) the rank of its block time (unconfirmed
    last); more than :data:`MAX_TIME_RANKS` distinct times share ranks in time order, so a long
    case by time stays a bounded number of pages."""
    fixed = {n: (d["column"] - 1) // 2 for n, d in graph.nodes(data=True) if "column" in d}
    txs = {n: d for n, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_TX and n not in fixed}
    if not by_time:
        return {**{n: d["hop"] for n, d in txs.items()}, **fixed}
    times = sorted({d["block_time"] if d["block_time"] is not None else 1 << 62 for d in txs.values()})
    order = {t: i * min(len(times), MAX_TIME_RANKS) // len(times) for i, t in enumerate(times)}
    return {**{n: order[d["block_time"] if d["block_time"] is not None else 1 << 62] for n, d in txs.items()}, **fixed}


def _column(graph: nx.MultiDiGraph, node: str, ranks: dict[str, int]) -> int:
    data = graph.nodes[node]
    if "column" in data:  # a folded "N others" node keeps the column of what it stands for
        return data["column"]
    if data[S.KIND] == S.KIND_TX:
        return 2 * ranks[node] + 1
    pays_into = [2 * ranks[tx] for tx in graph.successors(node)]
    paid_by = [2 * ranks[tx] + 2 for tx in graph.predecessors(node)]
    if data.get("role") == S.ROLE_PAYER or not paid_by:
        return min(pays_into, default=0)
    return min(paid_by)


def _weights(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Node -> the satoshis of every transfer into and out of it (one pass over the edges)."""
    weights = dict.fromkeys(graph, 0)
    for source, target, value in graph.edges(data="value"):
        weights[source] += value
        weights[target] += value
    return weights


def fold_crowded_columns(graph: nx.MultiDiGraph, by_time: bool = False, limit: int = MAX_PER_COLUMN) -> nx.MultiDiGraph:
    """In a column with more than *limit* nodes, keep the largest (seeds, services and holdings
    first, as many as fit) and fold the rest into one "N others" node; edges to and from folded
    nodes are summed per neighbour, so every satoshi stays on the chart. A thousand seeds make
    one crowded column like any other: the chart keeps a bounded size. Transaction columns
    fold only past :data:`MAX_PER_COLUMN` whatever *limit* says (a chart folds its addresses to
    fit a page before it hides a transaction)."""
    ranks = _ranks(graph, by_time)
    columns: dict[int, list[str]] = {}
    for node in graph.nodes:
        columns.setdefault(_column(graph, node, ranks), []).append(node)
    merged: dict[str, str] = {}
    fold_nodes: list[tuple[str, dict]] = []
    weights = _weights(graph)
    for column, nodes in sorted(columns.items()):
        limit_here = max(limit, MAX_PER_COLUMN) if column % 2 else limit  # odd columns hold transactions
        by_weight = sorted(nodes, key=lambda n: (-weights[n], n))
        kept = [n for n in by_weight if graph.nodes[n].get("role") in ALWAYS_LABELLED][:max(limit_here - 1, 1)]
        kept_set = set(kept)
        rest = [n for n in by_weight if n not in kept_set]
        if len(kept) + len(rest) <= limit_here or len(rest) < 2:
            continue
        fold = rest[max(0, limit_here - 1 - len(kept)):]
        node = f"others@{column}"
        kind = graph.nodes[fold[0]][S.KIND]
        fold_nodes.append((node, {S.KIND: kind, "address": "", "role": S.ROLE_COUNTERPARTY, "cluster": "",
                                  "label": f"{len(fold)} others", "style": "tx" if kind == S.KIND_TX else
                                  S.ROLE_COUNTERPARTY, "column": column, "time_utc": "", "hop": -1}))
        merged.update({n: node for n in fold})
    if not merged:
        return graph
    folded = graph_copy(graph, merged)
    folded.add_nodes_from(fold_nodes)
    sums: dict[tuple[str, str, str], dict] = {}
    for source, target, data in graph.edges(data=True):
        if source in merged or target in merged:
            key = (merged.get(source, source), merged.get(target, target), data["side"])
            entry = sums.setdefault(key, {**data, "value": 0})
            entry["value"] += data["value"]
    for (source, target, side), data in sorted(sums.items()):
        folded.add_edge(source, target, key=f"folded-{side}", **data)
    members: dict[str, list[str]] = {}
    for node, fold in sorted(merged.items()):
        members.setdefault(fold, []).append(node)
    # fold node -> what it stands for (the explorer expands it), beside the peel chains' own groups
    folded.graph["fold_members"] = {**graph.graph.get("fold_members", {}), **members}
    return folded


def layout(graph: nx.MultiDiGraph, mirrored: bool = False, by_time: bool = False) -> dict[str, tuple[float, float]]:
    """Deterministic positions: column by hop (or by block time); within a column, nodes are
    ordered by the mean height of their neighbours in earlier columns (barycentre heuristic,
    fewer crossings), then by role and id; columns are centred."""
    ranks = _ranks(graph, by_time)
    columns: dict[int, list[str]] = {}
    for node in graph.nodes:
        columns.setdefault(_column(graph, node, ranks), []).append(node)
    role_order = {role: i for i, role in enumerate(S.ROLES)}
    placed: dict[str, tuple[int, float]] = {}
    for column in sorted(columns):
        nodes = columns[column]
        def key(node: str) -> tuple[float, int, str]:
            heights = [placed[n][1] for n in nx.all_neighbors(graph, node) if n in placed and placed[n][0] < column]
            centre = -sum(heights) / len(heights) if heights else float("inf")
            return (centre, role_order.get(graph.nodes[node].get("role"), -1), node)
        nodes.sort(key=key)
        offset = (len(nodes) - 1) / 2
        for row, node in enumerate(nodes):
            placed[node] = (column, offset - row)
    return {node: (-column if mirrored else column, y) for node, (column, y) in placed.items()}


@dataclass(frozen=True)
class FlowPage:
    """One printed page: its hop (or time-rank) range and where each of its nodes sits."""
    number: int
    first_rank: int
    last_rank: int
    positions: dict  # node -> (x, y) on this page
    columns: int


def last_rank(graph: nx.MultiDiGraph, by_time: bool = False) -> int:
    """The highest hop (or time rank) of the chart's transactions."""
    return max(_ranks(graph, by_time).values(), default=0)


def flow_pages(graph: nx.MultiDiGraph, mirrored: bool = False, by_time: bool = False,
               ranks_per_page: int = RANKS_PER_PAGE, ranges: list[tuple[int, int]] | None = None) -> list[FlowPage]:
    """Split the (folded) chart into pages of *ranks_per_page* ranks, or of the given *ranges*
    (first, last rank). An address between two pages' transactions appears on both (last
    column of one, first of the next)."""
    placed = layout(graph, False, by_time)
    if ranges is None:
        top = last_rank(graph, by_time)
        ranges = [(first, min(first + ranks_per_page - 1, top)) for first in range(0, top + 1, ranks_per_page)]
    return [page_at(placed, number, first, last, mirrored) for number, (first, last) in enumerate(ranges, 1)]


def page_at(placed: dict[str, tuple[float, float]], number: int, first: int, last: int,
            mirrored: bool = False) -> FlowPage:
    """Page *number*: the nodes of :func:`layout`'s *placed* columns from rank *first* to *last*."""
    low, high = 2 * first, 2 * last + 2
    members: dict[int, list[str]] = {}
    for node, (column, y) in placed.items():
        if low <= column <= high:
            members.setdefault(int(column), []).append(node)
    positions = {}
    for column, nodes in members.items():
        nodes.sort(key=lambda n: (-placed[n][1], n))
        offset = (len(nodes) - 1) / 2
        for row, node in enumerate(nodes):
            x = column - low
            positions[node] = (high - low - x if mirrored else x, offset - row)
    return FlowPage(number, first, last, positions, high - low + 1)
