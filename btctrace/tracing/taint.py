"""Taint propagation over traced transactions: poison, haircut, FIFO and LIFO. Pure, exact,
integer satoshis.

- **Poison**: any tainted input taints every output and the fee (BlockSci
  ``poison_tainted_outputs``). Clean coins swept in are counted as ``absorbed``.
- **Haircut**: every output and the fee get the tainted share ``T / (T + C)`` of their value
  (BlockSci ``haircut_tainted_outputs``); the integer rounding uses the largest-remainder
  method, so shares add up to the satoshi.
- **FIFO** (Clayton's case, Devaynes v Noble 1816; Anderson et al., "Bitcoin Redux", WEIS 2018):
  the inputs, in order, are value intervals poured into the outputs in order, the fee last.
  Taint is tracked as exact intervals, so partly tainted outputs pass on exactly their part.
- **LIFO**: the same with the inputs taken last first.

Transactions in *opaque* (CoinJoins the walk stopped at) pass nothing on: the taint stays on
the outputs that entered them.

A seed output may lie downstream of another seed (it receives that seed's coins): it is then
fully tainted, and only the part not already tainted from upstream counts as seed satoshis, so
each satoshi is counted once (``covered`` lists these seeds and what they inherited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import TopologicalSorter

from btctrace.model import Tx

__all__ = ["METHODS", "Outpoint", "TaintFlow", "dependency_order", "propagate", "haircut_shares", "pour"]

METHODS = ("poison", "haircut", "fifo", "lifo")
Outpoint = tuple[str, int]
Interval = tuple[int, int]


@dataclass
class TaintFlow:
    """Tainted satoshis on every output and fee of the traced transactions, for one method."""

    method: str
    seed_sats: int
    outputs: dict[Outpoint, int] = field(default_factory=dict)
    fees: dict[str, int] = field(default_factory=dict)
    absorbed: int = 0  # poison only: clean satoshis that became tainted
    intervals: dict[Outpoint, list[Interval]] = field(default_factory=dict)  # FIFO/LIFO: which satoshis
    sources: dict[Outpoint, list[tuple[Outpoint, Interval]]] = field(default_factory=dict)  # FIFO/LIFO origins
    covered: dict[Outpoint, int] = field(default_factory=dict)  # seeds downstream of others: sats inherited


def haircut_shares(tainted: int, total: int, buckets: list[int]) -> list[int]:
    """Split *tainted* satoshis over *buckets* in proportion to their values (which add up to
    *total*): floors, then one satoshi each to the largest remainders (ties: first bucket)."""
    if total == 0:
        return [0] * len(buckets)
    exact = [tainted * value for value in buckets]
    shares = [e // total for e in exact]
    left = tainted - sum(shares)
    order = sorted(range(len(buckets)), key=lambda i: (-(exact[i] % total), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def pour(pieces: list[tuple[int, list[Interval]]], buckets: list[int]) -> list[list[Interval]]:
    """FIFO pouring: *pieces* are (value, tainted intervals within it) in order; *buckets* are
    the output values then the fee. Returns each bucket's tainted intervals (bucket-relative)."""
    tainted_at: list[Interval] = []
    offset = 0
    for value, intervals in pieces:
        tainted_at += [(offset + a, offset + b) for a, b in intervals]
        offset += value
    result, start = [], 0
    for value in buckets:
        end = start + value
        result.append(_merged([(max(a, start) - start, min(b, end) - start) for a, b in tainted_at
                               if a < end and b > start]))
        start = end
    return result


def _merged(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with touching or overlapping intervals joined."""
    joined: list[Interval] = []
    for a, b in sorted(intervals):
        if joined and a <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(b, joined[-1][1]))
        else:
            joined.append((a, b))
    return joined


def _length(intervals: list[Interval]) -> int:
    return sum(b - a for a, b in intervals)


def dependency_order(txs: dict[str, Tx]) -> list[str]:
    """The txids of *txs*, each after every one of *txs* it spends (ties by txid)."""
    graph = {txid: {i.prev_txid for i in tx.inputs if i.prev_txid in txs} for txid, tx in txs.items()}
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def _propagate_tx(tx: Tx, flow: TaintFlow, keys: list[Outpoint]) -> None:
    buckets = [o.value for o in tx.outputs] + [tx.fee]
    inputs = [(i, (i.prev_txid, i.prev_vout)) for i in tx.inputs]
    tainted_in = sum(flow.outputs.get(point, 0) for _, point in inputs)
    if flow.method == "poison":
        shares = buckets
        flow.absorbed += sum(buckets) - tainted_in
    elif flow.method == "haircut":
        shares = haircut_shares(tainted_in, sum(buckets), buckets)
    else:
        ordered = inputs if flow.method == "fifo" else inputs[::-1]
        pieces = [(i.value, flow.intervals.get(point, [])) for i, point in ordered]
        poured = pour(pieces, buckets)
        shares = [_length(p) for p in poured]
        origins = _origins(ordered, flow)
        for key, intervals in zip(keys, poured):
            if intervals:
                flow.intervals[key] = intervals
                flow.sources[key] = origins
    for key, share in zip(keys, shares):
        if share:
            flow.outputs[key] = share
    if shares[-1]:
        flow.fees[tx.txid] = shares[-1]


def _origins(ordered, flow: TaintFlow) -> list[tuple[Outpoint, Interval]]:
    """Where each input's tainted satoshis sit in the pour (tx-relative offsets)."""
    origins, offset = [], 0
    for txin, point in ordered:
        origins += [(point, (offset + a, offset + b)) for a, b in flow.intervals.get(point, [])]
        offset += txin.value
    return origins


def _seed(tx: Tx, vouts: list[int], flow: TaintFlow) -> None:
    """Taint the seed outputs *vouts* of *tx* fully; what they already inherited from other
    seeds is not counted again."""
    for vout in vouts:
        point, value = (tx.txid, vout), tx.outputs[vout].value
        inherited = flow.outputs.get(point, 0)
        if inherited:
            flow.covered[point] = inherited
        flow.seed_sats += value - inherited
        if value:
            flow.outputs[point] = value
            flow.intervals[point] = [(0, value)]


def propagate(txs: dict[str, Tx], seeds: list[Outpoint], method: str, opaque: frozenset[str] = frozenset(),
              outpoints: dict[str, list[Outpoint]] | None = None, order: list[str] | None = None) -> TaintFlow:
    """Taint the *seeds* outputs fully, then pass the taint through *txs* in dependency order
    (*order*: :func:`dependency_order` of *txs*, worked out here when not given). *outpoints*
    (txid -> its outputs' outpoints, filled as needed) lets the flows of several methods share
    one key per output."""
    outpoints = {} if outpoints is None else outpoints
    if method not in METHODS:
        raise ValueError(f"unknown taint method {method!r}")
    seeded: dict[str, list[int]] = {}
    for txid, vout in sorted(set(seeds)):
        seeded.setdefault(txid, []).append(vout)
    flow = TaintFlow(method, 0)
    for txid in dependency_order(txs) if order is None else order:
        tx = txs[txid]
        if txid not in opaque and not tx.is_coinbase and \
                any((i.prev_txid, i.prev_vout) in flow.outputs for i in tx.inputs):
            keys = outpoints.get(txid)
            if keys is None:
                keys = outpoints[txid] = [(tx.txid, o.index) for o in tx.outputs]
            _propagate_tx(tx, flow, keys)
        if txid in seeded:
            _seed(tx, seeded[txid], flow)
    return flow
