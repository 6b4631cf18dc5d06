"""A peel chain drawn as what it is: one element, not hundreds of hops (issue 31).

A chain of at least :data:`PEEL_ELEMENT_STEPS` steps (:mod:`btctrace.heuristics.peeling`)
becomes one transaction-like node, "peel chain: 1,200 hops", standing where its first step
stood. The addresses inside it (paid by one step and spending only into the next: the change
passed down the chain) are inside the element. The peels that go nowhere further in the trace
are gathered, one node per role ("1,180 peels"), their transfers summed and counted; a peel the
trace followed further, or one that is tagged, an endpoint or otherwise marked, keeps its own
node and its own arrow. Nothing is dropped: the element's arrows in are its first step's, its
arrows out carry every satoshi its steps paid out of the chain, and every hop is listed in
``peel_chains.csv`` and the report's peel-chain table. Hop columns after a chain close up (the
chart's pages say which hops each column holds).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from btctrace.exports.charts.styles import short_btc
from btctrace.graph import schema as S
from btctrace.heuristics.peeling import PeelChain
from btctrace.units import format_utc

__all__ = ["PEEL_ELEMENT_STEPS", "PEEL_STYLE", "collapse_peel_chains", "chain_node_id", "element_label", "rank_hops"]

PEEL_ELEMENT_STEPS = 5  # shorter chains are drawn hop by hop (they fit a page)
PEEL_STYLE = "peel_chain"
_GATHERED_STYLES = frozenset({S.ROLE_HOLDING, S.ROLE_COUNTERPARTY, S.ROLE_INTERMEDIARY, "seed_cluster"})


def chain_node_id(number: int) -> str:
    """The chart's node for the *number*-th peel chain (1-based, in the analysis's order)."""
    return f"peel-chain-{number}"


def element_label(chain: PeelChain) -> str:
    """What the element's box says, one fact a line: its length, what it peeled off to how
    many addresses, its first and last transactions and their UTC dates (from their blocks)."""
    first, last = chain.steps[0], chain.steps[-1]
    recipients = len({step.peel_address or f"{step.txid}:{step.peel_index}" for step in chain.steps})
    return "\n".join([f"peel chain: {chain.length:,} hops",
                      f"{chain.length:,} peels, {short_btc(chain.total_peeled)}",
                      f"to {recipients:,} addresses",
                      f"from tx {first.txid[:8]} {_date(first.block_time)}",
                      f"to tx {last.txid[:8]} {_date(last.block_time)}"])


def _date(block_time: int | None) -> str:
    return format_utc(block_time)[:10] if block_time is not None else "(unconfirmed)"


def collapse_peel_chains(display: nx.MultiDiGraph, chains: Iterable[PeelChain],
                         min_steps: int = PEEL_ELEMENT_STEPS) -> list[str]:
    """Draw each chain of *chains* with at least *min_steps* steps, all on *display* (a chart's
    own copy, changed in place), as one element; returns the elements' node ids. Hops are
    renumbered densely afterwards, the hops each column stands for kept in
    ``display.graph["rank_hops"]``."""
    elements = []
    for number, chain in enumerate(chains, 1):
        if chain.length >= min_steps and all(step.txid in display for step in chain.steps):
            elements.append(_collapse(display, chain, chain_node_id(number)))
    if elements:
        _close_up_hops(display)
    display.graph["peel_elements"] = elements
    return elements


def _collapse(display: nx.MultiDiGraph, chain: PeelChain, node: str) -> str:
    txids = [step.txid for step in chain.steps]
    first, last = display.nodes[txids[0]], display.nodes[txids[-1]]
    into, out_of = [], []
    for txid in txids:
        into += [(source, f"{txid}:{key}", data) for source, _, key, data in display.in_edges(txid, keys=True, data=True)]
        out_of += [(target, f"{txid}:{key}", data) for _, target, key, data in display.out_edges(txid, keys=True, data=True)]
    display.remove_nodes_from(txids)
    display.add_node(node, **{**first, "label": element_label(chain), "style": PEEL_STYLE,
                              "hop_last": last.get("hop", first.get("hop")), "peel_steps": chain.length})
    paid = {target for target, _, _ in out_of}
    inside = {source for source, _, _ in into if source in paid and display.degree(source) == 0}
    display.remove_nodes_from(inside)  # the change passed from step to step
    display.graph.setdefault("fold_members", {})[node] = _in_chain_order(chain, out_of, inside)
    for source, key, data in into:
        if source not in inside:
            display.add_edge(source, node, key=key, **data)
    remainder = f"{txids[-1]}:"  # the last step's change: where the chain's money went on
    groups: dict[str, list[tuple[str, str, dict]]] = {}
    for target, key, data in out_of:
        if target in inside:
            continue
        onward = key.startswith(remainder) and data.get("index") == chain.steps[-1].continuation_index
        gathered = not onward and display.degree(target) == 0 and _plain(display.nodes[target])
        groups.setdefault(display.nodes[target]["style"] if gathered else "", []).append((target, key, data))
    for target, key, data in groups.pop("", []):
        display.add_edge(node, target, key=key, **data)
    for style, members in sorted(groups.items()):
        _gather(display, node, style, members)
    return node


def _in_chain_order(chain: PeelChain, out_of: list[tuple[str, str, dict]], inside: set[str]) -> list[str]:
    """What opening the element shows, as the chain runs: each step, then the address its
    change went to (when that is inside the chain)."""
    continuation = {step.txid: step.continuation_index for step in chain.steps}
    change = {}
    for target, key, data in out_of:
        txid = key.split(":", 1)[0]  # the keys are "<txid>:<edge key>"
        if target in inside and data.get("index") == continuation.get(txid):
            change[txid] = target
    members, placed = [], set()
    for step in chain.steps:
        members.append(step.txid)
        if step.txid in change and change[step.txid] not in placed:
            members.append(change[step.txid])
            placed.add(change[step.txid])
    return members + sorted(inside - placed)


def _plain(data: dict) -> bool:
    """A peel with nothing of its own to show (no tag, no stop, no case role): gathered."""
    return data.get("style") in _GATHERED_STYLES and not data.get("label")


def _gather(display: nx.MultiDiGraph, node: str, style: str, members: list[tuple[str, str, dict]]) -> None:
    """The peels of one style as one node, their transfers as one arrow (summed, counted)."""
    if len(members) == 1:
        target, key, data = members[0]
        display.add_edge(node, target, key=key, **data)
        return
    addresses = sorted({target for target, _, _ in members})
    gathered = f"{node}:peels-{style}"
    kept = display.nodes[addresses[0]]
    display.add_node(gathered, **{**kept, "address": "", "cluster": "", "style": style,
                                  "label": f"{len(addresses):,} peels"})
    display.remove_nodes_from(addresses)
    first = members[0][2]
    display.add_edge(node, gathered, key="peels", **{**first, "value": sum(data["value"] for _, _, data in members),
                                                      "transfers": len(members)})
    display.graph.setdefault("fold_members", {})[gathered] = addresses


def _close_up_hops(display: nx.MultiDiGraph) -> None:
    """Renumber the transactions' hops 0, 1, 2, ... in order, so no empty columns stand where
    a chain's hops were; ``rank_hops`` maps each new number to the (first, last) hop it shows."""
    spans: dict[int, tuple[int, int]] = {}
    for _, data in display.nodes(data=True):
        if data[S.KIND] == S.KIND_TX and data.get("hop", -1) >= 0:
            low, high = data["hop"], data.get("hop_last", data["hop"])
            old = spans.get(data["hop"], (low, high))
            spans[data["hop"]] = (min(old[0], low), max(old[1], high))
    order = {hop: rank for rank, hop in enumerate(sorted(spans))}
    for _, data in display.nodes(data=True):
        if data[S.KIND] == S.KIND_TX and data.get("hop", -1) >= 0:
            data["hop"] = order[data["hop"]]
    display.graph["rank_hops"] = {order[hop]: span for hop, span in spans.items()}


def rank_hops(display: nx.MultiDiGraph, first_rank: int, last_rank: int) -> tuple[int, int]:
    """The hops a page of columns *first_rank* to *last_rank* shows (the ranks themselves when
    no chain was drawn as one element)."""
    spans = display.graph.get("rank_hops") or {}
    return spans.get(first_rank, (first_rank, first_rank))[0], spans.get(last_rank, (last_rank, last_rank))[1]
