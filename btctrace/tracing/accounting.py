"""Where the tainted satoshis ended, per method, reconciled to the satoshi.

Every tainted output of a traced transaction either passes its taint on (its spender was
traced) or ends at a recorded stop: a service, a large address, an unspent output, a CoinJoin,
a peel, or a trace limit. For each method, seed (+ clean satoshis absorbed, poison only) =
at endpoints + at trace limits + fees, exactly; anything else is a bug and raises
:class:`TaintConservationError`. Each satoshi is counted once, where it ends, so coins passing
down a peel chain are not counted once per hop (the pitfall GraphSense's graph summary warns of).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from btctrace.model import Tx
from btctrace.tags import TagIndex
from btctrace.tracing.result import Direction, Stop, StopReason, TraceResult
from btctrace.tracing.taint import METHODS, Outpoint, TaintFlow, dependency_order, propagate
from btctrace.units import format_btc, format_utc

__all__ = ["LIMIT_REASONS", "TaintConservationError", "EndpointRow", "MethodTotals", "TaintReport",
           "default_seeds", "unanswerable_seed", "taint_report"]

LIMIT_REASONS = frozenset({StopReason.HOP_LIMIT, StopReason.BELOW_MIN_VALUE, StopReason.OUTSIDE_WINDOW,
                           StopReason.MAX_TRANSACTIONS, StopReason.FAN_OUT, StopReason.VANISHED})


class TaintConservationError(RuntimeError):
    """Tainted satoshis did not reconcile: a bug, never a user error."""


@dataclass
class EndpointRow:
    place: str
    reason: str
    label: str
    category: str
    sats: dict[str, int]
    first_time: int | None
    last_time: int | None
    min_path: int
    max_path: int
    outputs: list[Outpoint] = field(default_factory=list)


@dataclass(frozen=True)
class MethodTotals:
    method: str
    seed: int
    absorbed: int
    at_endpoints: int
    inside_limits: int
    fees: int

    @property
    def balanced(self) -> bool:
        return self.seed + self.absorbed == self.at_endpoints + self.inside_limits + self.fees


@dataclass
class TaintReport:
    seeds: list[Outpoint]
    flows: dict[str, TaintFlow]
    rows: list[EndpointRow]
    totals: dict[str, MethodTotals]
    notes: list[str] = field(default_factory=list)  # e.g. seeds downstream of other seeds
    result: TraceResult | None = field(default=None, repr=False, compare=False)  # what the narrative tells

    def narrative_lines(self) -> Iterator[str]:
        """Plain words for each FIFO-tainted output, in hop order, made as they are read (a
        sentence per output: 70 MB at 100,000 transactions if they were kept)."""
        if self.result is not None and "fifo" in self.flows:
            yield from _narrative(self.result, self.flows["fifo"])

    @property
    def narrative(self) -> list[str]:
        return list(self.narrative_lines())

    @property
    def narrative_length(self) -> int:
        """How many sentences :meth:`narrative_lines` gives: the FIFO-tainted outputs that have
        a source."""
        flow = self.flows.get("fifo")
        if self.result is None or flow is None:
            return 0
        return sum(1 for point, sats in flow.outputs.items() if sats and point in flow.sources
                   and point[0] in self.result.txs)


def default_seeds(result: TraceResult) -> list[Outpoint]:
    """What the seeds received from others: outputs to a seed address in transactions that do
    not spend from a seed address (change back to itself is not new money); for txid and
    txid:vout seeds, those outputs."""
    seeds: list[Outpoint] = []
    for seed in result.seeds:
        if seed.value not in result.txs:
            continue  # refused by the walk (time window, cap): recorded as a stop
        outputs = result.txs[seed.value].tx.outputs
        if seed.kind == "outpoint" and seed.vout < len(outputs) and outputs[seed.vout].value:
            seeds.append((seed.value, seed.vout))
        elif seed.kind == "tx":
            seeds += [(seed.value, o.index) for o in outputs if o.value]
    for traced in result.txs.values():
        tx = traced.tx
        if any(i.address in result.seed_addresses for i in tx.inputs):
            continue
        seeds += [(tx.txid, o.index) for o in tx.outputs if o.address in result.seed_addresses and o.value]
    return sorted(set(seeds))


def _unfollowed(result: TraceResult, opaque: frozenset[str]) -> set[Outpoint]:
    """Outputs of value in the trace that the walk did not follow: neither spent by a traced
    transaction (that passes taint on) nor ended at a recorded stop."""
    passed_on = {(i.prev_txid, i.prev_vout) for txid, t in result.txs.items() if txid not in opaque for i in t.tx.inputs}
    stopped = {(s.txid, s.index) for s in result.stops if s.side == "output"}
    return {(txid, o.index) for txid, t in result.txs.items() for o in t.tx.outputs
            if o.value and (txid, o.index) not in passed_on and (txid, o.index) not in stopped}


def unanswerable_seed(result: TraceResult, point: Outpoint) -> str:
    """Why taint cannot be computed from output *point* of this trace, or "" when it can: the
    output must be in the trace and carry value, and its coins must reach only outputs the walk
    followed (spent by a traced transaction, or ended at a recorded stop)."""
    txid, vout = point
    traced = result.txs.get(txid)
    if traced is None:
        return f"transaction {txid} is not in this trace"
    if not 0 <= vout < len(traced.tx.outputs):
        return f"its transaction has {len(traced.tx.outputs)} outputs (vout 0 to {len(traced.tx.outputs) - 1})"
    if traced.tx.outputs[vout].value == 0:
        return "that output carries no value"
    opaque = frozenset() if result.limits.through_coinjoins else frozenset(result.coinjoins)
    unfollowed = _unfollowed(result, opaque)
    reached = sorted(unfollowed & set(propagate({t: x.tx for t, x in result.txs.items()}, [point], "poison",
                                                opaque).outputs))
    if not reached:
        return ""
    where = f"{reached[0][0]}:{reached[0][1]}"
    if point in unfollowed and txid in result.coinjoins:
        return (f"it is an output of CoinJoin {txid}, where the trace stopped, so it was not followed; trace it as "
                f"a seed (btctrace trace {txid}:{vout}) or with --through-coinjoins")
    if point in unfollowed:
        return (f"the trace did not follow it (it is not part of the seed money, e.g. a payer's change); trace it as "
                f"a seed: btctrace trace {txid}:{vout}")
    return (f"its coins reach {where}, which the trace did not follow (not part of the seed money, e.g. a payer's "
            f"change); trace it as a seed: btctrace trace {txid}:{vout}")


def _place(stop: Stop) -> str:
    if stop.reason is StopReason.COINJOIN:
        return f"coinjoin {stop.next_txid}"
    return stop.address or f"{stop.txid}:{stop.index}"


def _rows(result: TraceResult, flows: dict[str, TaintFlow], opaque: frozenset[str], tags: TagIndex) -> list[EndpointRow]:
    stops = {(s.txid, s.index): s for s in result.stops if s.side == "output"}
    passed_on = {(i.prev_txid, i.prev_vout) for txid, t in result.txs.items() if txid not in opaque
                 for i in t.tx.inputs}
    rows: dict[tuple[str, str], EndpointRow] = {}
    for method, flow in flows.items():
        for point, sats in sorted(flow.outputs.items()):
            if point in passed_on:
                continue
            stop = stops.get(point)
            if stop is None:
                raise TaintConservationError(f"{method}: {sats} tainted sat on {point[0]}:{point[1]} neither passed on nor at a stop")
            tx = result.txs[point[0]]
            tag = tags.get(stop.address)
            row = rows.setdefault((_place(stop), stop.reason.value), EndpointRow(
                _place(stop), stop.reason.value, tag.label if tag else "", tag.category if tag else "",
                {m: 0 for m in flows}, tx.tx.block_time, tx.tx.block_time, tx.hop + 1, tx.hop + 1))
            row.sats[method] += sats
            if point not in row.outputs:
                row.outputs.append(point)
                times = [t for t in (row.first_time, row.last_time, tx.tx.block_time) if t is not None]
                row.first_time, row.last_time = (min(times), max(times)) if times else (None, None)
                row.min_path, row.max_path = min(row.min_path, tx.hop + 1), max(row.max_path, tx.hop + 1)
    return sorted(rows.values(), key=lambda r: (-max(r.sats.values()), r.place, r.reason))


def _totals(flows: dict[str, TaintFlow], rows: list[EndpointRow], opaque: frozenset[str]) -> dict[str, MethodTotals]:
    totals = {}
    for method, flow in flows.items():
        limits = sum(r.sats[method] for r in rows if StopReason(r.reason) in LIMIT_REASONS)
        endpoints = sum(r.sats[method] for r in rows) - limits
        fees = sum(sats for txid, sats in flow.fees.items() if txid not in opaque)
        total = MethodTotals(method, flow.seed_sats, flow.absorbed, endpoints, limits, fees)
        if not total.balanced:
            raise TaintConservationError(f"{method}: seed {total.seed} + absorbed {total.absorbed} != endpoints "
                                         f"{endpoints} + limits {limits} + fees {fees}")
        totals[method] = total
    return totals


def _narrative(result: TraceResult, flow: TaintFlow) -> Iterator[str]:
    """Plain words for each FIFO-tainted output, in hop order."""
    for traced in result.sorted_txs():
        tx, start = traced.tx, 0
        for out in tx.outputs:
            point, end = (tx.txid, out.index), start + out.value
            sats = flow.outputs.get(point, 0)
            if sats and point in flow.sources:
                drawn: dict[Outpoint, int] = {}
                for src, (a, b) in flow.sources[point]:
                    if a < end and b > start:
                        drawn[src] = drawn.get(src, 0) + min(b, end) - max(a, start)
                parts = [f"{format_btc(v)} BTC from {src[0]}:{src[1]}" for src, v in drawn.items()]
                when = f"block {tx.block_height:,}, {format_utc(tx.block_time)}" if tx.block_height else "unconfirmed"
                yield (f"Hop {traced.hop}: in tx {tx.txid} ({when}), {format_btc(sats)} BTC of the "
                       f"{format_btc(out.value)} BTC paid to {out.address or 'a script'} (output {out.index}) "
                       f"is tainted under FIFO: {'; '.join(parts)}.")
            start = end


def taint_report(result: TraceResult, tags: TagIndex | None = None, seeds: list[Outpoint] | None = None,
                 methods: tuple[str, ...] = METHODS) -> TaintReport:
    """Propagate taint from *seeds* (default: :func:`default_seeds`) under each method and
    reconcile it. Forward traces only."""
    if result.direction is not Direction.FORWARD:
        raise ValueError("taint follows money forward: run a forward trace")
    seeds = sorted(set(seeds if seeds is not None else default_seeds(result)))
    txs: dict[str, Tx] = {txid: t.tx for txid, t in result.txs.items()}
    opaque = frozenset() if result.limits.through_coinjoins else frozenset(result.coinjoins)
    outpoints: dict[str, list[Outpoint]] = {}  # one key per output, shared by the methods' flows
    order = dependency_order(txs)  # the same for every method
    flows = {m: propagate(txs, seeds, m, opaque, outpoints, order) for m in methods}
    for flow in flows.values():
        flow.intervals.clear()  # the pour's working state: what stays (outputs, sources) says it all
    rows = _rows(result, flows, opaque, tags or TagIndex())
    return TaintReport(seeds, flows, rows, _totals(flows, rows, opaque), _covered_notes(flows), result)


def _covered_notes(flows: dict[str, TaintFlow]) -> list[str]:
    """One sentence per seed output that lies downstream of other seeds."""
    notes = []
    for point in sorted({p for flow in flows.values() for p in flow.covered}):
        inherited = ", ".join(f"{m} {format_btc(f.covered.get(point, 0))}" for m, f in flows.items())
        notes.append(f"Seed {point[0]}:{point[1]} lies downstream of other seeds (it received their coins): it is "
                     f"counted once. The BTC it already held from them is not added again as seed money "
                     f"(per method: {inherited}).")
    return notes
