"""One breadth-first walk for both directions.

Forward follows outputs to the transactions that spend them (``/tx/:txid/outspends``);
backward follows inputs to the transactions that funded them (``prevout``). Each hop is
processed in sorted order, so the same chain state gives the same result. Every place the
walk ends is recorded as a :class:`Stop` with its reason, and every limit that bit as a
:class:`Cap`: nothing is dropped silently.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from btctrace.errors import BtctraceError, NotFound
from btctrace.heuristics.change import ChainFacts, combine
from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.heuristics.peeling import is_peel_step
from btctrace.model import Tx
from btctrace.providers.base import Provider
from btctrace.tags import TagIndex
from btctrace.tracing.start import starting_points
from btctrace.tracing.result import (
    Cap,
    Direction,
    Seed,
    Stop,
    StopReason,
    TracedTx,
    TraceLimits,
    TraceResult,
)

__all__ = ["walk", "trace_forward", "trace_backward", "Progress", "WalkStatus"]

@dataclass(frozen=True, slots=True)
class WalkStatus:
    """Where a walk stands, for a progress line: *queued* transactions of this hop are still
    to be fetched; *requests* the explorers have answered so far."""

    hop: int
    transactions: int
    stops: int
    lookups: int
    queued: int
    requests: int


Progress = Callable[[WalkStatus], None]


@dataclass(frozen=True, slots=True)
class _Link:
    """A value transfer the walk may follow: output *index* of *txid* (forward) or its input
    *index* (backward), leading to *next_txid* (None when unspent or coinbase)."""

    txid: str
    side: str
    index: int
    address: str | None
    value: int
    next_txid: str | None
    unspendable: bool = False


@dataclass(frozen=True, slots=True)
class _Visit:
    """Follow *indices* of transaction *txid* at *hop* (None = all). *widen*: the transaction
    is already traced, and these are the outputs it was not yet followed on."""

    txid: str
    hop: int
    indices: frozenset[int] | None = None
    widen: bool = False


class _Walker:
    def __init__(self, provider: Provider, result: TraceResult, tags: TagIndex, progress: Progress | None,
                 pool: ThreadPoolExecutor | None = None):
        self.pool = pool
        self._continuations: dict[str, tuple[int, str] | None] = {}
        self._crowded: dict[str, int] = {}  # txid -> transfers, for transactions above max_fan_out
        self._entering: set[str | None] = set()  # transactions a followed link leads into
        self.provider = provider
        self.result = result
        self.limits = result.limits
        self.tags = tags
        self.progress = progress
        self._seed_txids = {seed.value for seed in result.seeds if seed.kind != "address"}
        self._partial: dict[str, frozenset[int]] = {}  # traced txid -> the only outputs followed so far
        self._hop_size = self._hop_done = 0  # transactions to add at this hop, and added

    # ----- seeds -----------------------------------------------------------------------
    def seed_visits(self) -> list[_Visit]:
        return [_Visit(txid, 0, indices) for txid, indices in starting_points(self.provider, self.result)]

    # ----- links ------------------------------------------------------------------------
    def links_of(self, traced: TracedTx, indices: frozenset[int] | None) -> list[_Link]:
        tx = traced.tx
        if self.result.direction is Direction.BACKWARD:
            return [
                _Link(tx.txid, "input", i.index, i.address, i.value, i.prev_txid)
                for i in tx.inputs
                if indices is None or i.index in indices
            ]
        if traced.outspends is None:
            traced.outspends = self.provider.get_outspends(tx.txid)
        spenders = {o.vout: o for o in traced.outspends}
        links = []
        for out in tx.outputs:
            if indices is not None and out.index not in indices:
                continue
            spend = spenders.get(out.index)
            next_txid = spend.txid if spend is not None and spend.spent else None
            unspendable = out.script_type == "op_return"
            if unspendable and out.value == 0:
                continue  # a data carrier: no money to follow
            links.append(_Link(tx.txid, "output", out.index, out.address, out.value, next_txid, unspendable))
        return links

    def stop_reason(self, link: _Link, hop: int) -> tuple[StopReason, str] | None:
        """Why *link* (leaving a transaction at *hop*) is not followed, or None to follow it."""
        stop = self._stop_without_lookup(link, hop)
        if stop is None and self._needs_stats(link, hop):
            stats = self._stats(link.address)
            if stats.tx_count > self.limits.large_address_tx_count:
                return StopReason.LARGE_ADDRESS, f"{stats.tx_count} transactions > {self.limits.large_address_tx_count}"
        return stop

    def _needs_stats(self, link: _Link, hop: int) -> bool:
        """True when following *link* depends on its address's transaction count: not for a
        seed address, nor for a link into a transaction already traced or already followed
        into by another link (a co-spend: the money is shown flowing into the trace whatever the
        size of the address, so no request is spent on it)."""
        return bool(link.address) and link.address not in self.result.seed_addresses and \
            link.next_txid not in self.result.txs and link.next_txid not in self._entering and \
            self._stop_without_lookup(link, hop) is None

    def _stop_without_lookup(self, link: _Link, hop: int) -> tuple[StopReason, str] | None:
        is_seed = link.address in self.result.seed_addresses
        tag = None if is_seed else self.tags.get(link.address)
        if tag is not None and tag.category in self.limits.stop_categories:
            return StopReason.TAGGED_SERVICE, f"{tag.label} ({tag.category}; {tag.source or tag.tagpack})"
        if link.unspendable:
            return StopReason.UNSPENDABLE, ""
        if link.next_txid is None:
            if link.side == "input":
                return StopReason.COINBASE, ""
            return StopReason.UNSPENT, ""
        if link.next_txid in self.result.coinjoins and not self.limits.through_coinjoins:
            finding = self.result.coinjoins[link.next_txid]  # a CoinJoin the walk already met
            return StopReason.COINJOIN, f"{finding.heuristic}: {finding.reason}"
        if link.value < self.limits.min_value:
            return StopReason.BELOW_MIN_VALUE, f"minimum {self.limits.min_value} sat"
        if hop + 1 > self.limits.hops:
            return StopReason.HOP_LIMIT, f"limit {self.limits.hops} hops"
        if link.txid in self._crowded:
            return StopReason.FAN_OUT, f"{self._crowded[link.txid]:,} transfers to follow > limit {self.limits.max_fan_out:,}"
        if self.limits.peel_continuation_only and link.side == "output" and hop >= 1:
            continuation = self._continuation(link.txid)
            if continuation is not None and continuation[0] != link.index:
                return StopReason.PEEL, f"continuation is output {continuation[0]} ({continuation[1]})"
        return None

    def _continuation(self, txid: str) -> tuple[int, str] | None:
        """For a peel step, the output that continues the chain and why: the change output
        when the static change heuristics decide, else the larger output. Uses only the
        transaction itself, so the choice never depends on what was fetched before."""
        if txid not in self._continuations:
            tx = self.result.txs[txid].tx
            chosen = None
            if is_peel_step(tx) and txid not in self.result.coinjoins:
                verdict = combine(tx, ChainFacts())
                if verdict.change is not None:
                    chosen = (verdict.change, f"change by {', '.join(verdict.deciding)}")
                else:
                    spendable = [o for o in tx.outputs if o.script_type != "op_return"]
                    chosen = (max(spendable, key=lambda o: (o.value, -o.index)).index, "the larger output")
            self._continuations[txid] = chosen
        return self._continuations[txid]

    def _stats(self, address: str):
        stats = self.result.address_stats.get(address)
        if stats is None:
            stats = self.provider.get_address_stats(address)
            self.result.address_stats[address] = stats
        return stats

    # ----- transactions ----------------------------------------------------------------
    def window_problem(self, tx: Tx) -> str:
        since, until = self.limits.since, self.limits.until
        if tx.block_time is None:
            return "unconfirmed, after the window end" if until is not None else ""
        if since is not None and tx.block_time < since:
            return f"block time {tx.block_time} before {since}"
        if until is not None and tx.block_time > until:
            return f"block time {tx.block_time} after {until}"
        return ""

    def add_tx(self, visit: _Visit, link: _Link | None) -> bool:
        """Fetch and record the transaction of *visit*; False when it is refused or is a
        CoinJoin the walk stops at (recorded, not expanded)."""
        self._hop_done += 1
        if len(self.result.txs) >= self.limits.max_transactions:
            self._stop(link, visit, StopReason.MAX_TRANSACTIONS, f"cap of {self.limits.max_transactions} transactions")
            return False
        tx = self._fetch_tx(visit, link)
        if tx is None:
            return False
        problem = self.window_problem(tx)
        if problem:
            self._stop(link, visit, StopReason.OUTSIDE_WINDOW, problem)
            return False
        self.result.txs[tx.txid] = TracedTx(tx, visit.hop)
        if visit.indices is not None and self.result.direction is Direction.FORWARD:
            self._partial[tx.txid] = visit.indices
        if self.progress:
            self.progress(WalkStatus(visit.hop, len(self.result.txs), len(self.result.stops),
                                     len(self.result.address_stats), max(0, self._hop_size - self._hop_done),
                                     self.provider.request_count()))
        finding = detect_coinjoin(tx)
        if finding is None:
            return True
        self.result.coinjoins[tx.txid] = finding
        return self.limits.through_coinjoins or self._enter_coinjoin(tx, visit, link, f"{finding.heuristic}: {finding.reason}")

    def _enter_coinjoin(self, tx: Tx, visit: _Visit, link: _Link | None, detail: str) -> bool:
        """The walk met CoinJoin *tx*: True to expand it anyway, False to stop (recorded).

        Reached by a link, the link ends there. A txid or txid:vout seed that is a CoinJoin:
        the walk starts there and each seed output ends as a ``coinjoin`` stop, its coins mixed.
        A seed address paid inside a CoinJoin: the payment it received is the seed money and is
        followed (noted). A CoinJoin spending from a seed address: the links into it end there."""
        if link is not None:
            self._stop(link, visit, StopReason.COINJOIN, detail)
        elif tx.txid in self._seed_txids and self.result.direction is Direction.FORWARD:
            for out in tx.outputs:
                if (visit.indices is None or out.index in visit.indices) and out.value:
                    self.result.stops.append(Stop(StopReason.COINJOIN, 0, tx.txid, "output", out.index, out.address,
                                                  out.value, tx.txid, f"the seed is a CoinJoin ({detail})"))
        elif visit.indices is not None and self.result.direction is Direction.FORWARD:
            self.result.notes.append(f"a seed address was paid inside CoinJoin {tx.txid} ({detail}): "
                                     f"its outputs {', '.join(map(str, sorted(visit.indices)))} are followed")
            return True
        else:
            self._stop(None, visit, StopReason.COINJOIN, detail)
        return False

    def _fetch_tx(self, visit: _Visit, link: _Link | None) -> Tx | None:
        """The transaction of *visit*. When the explorer denies knowing a transaction its own
        outspends named (a lagging backend, or a mempool transaction replaced or evicted), it
        is asked once more; a second denial becomes a recorded ``vanished`` stop."""
        try:
            return self.provider.get_tx(visit.txid)
        except NotFound:
            if link is None:
                raise  # a seed the explorer does not know: bad input, not a vanished spend
        try:
            return self.provider.get_tx(visit.txid, fresh=True)
        except NotFound as exc:
            self._stop(link, visit, StopReason.VANISHED, f"named as the spender, then not found: {exc.url}")
            return None

    def _stop(self, link: _Link | None, visit: _Visit, reason: StopReason, detail: str) -> None:
        if link is None:  # a seed transaction itself was refused
            link = _Link(visit.txid, "tx", -1, None, 0, visit.txid)
        self.result.stops.append(
            Stop(reason, max(visit.hop - 1, 0) if link.side != "tx" else 0, link.txid, link.side,
                 link.index, link.address, link.value, link.next_txid, detail)
        )

    # ----- the walk --------------------------------------------------------------------
    def _prefetch(self, fetch: Callable[[str], object], keys: list[str]) -> None:
        """Fetch *keys* on the worker pool so the sequential pass below finds them cached.
        Errors are left for the sequential pass, which meets them (cached) in sorted order."""
        if self.pool is None or len(keys) < 2:
            return
        for future in [self.pool.submit(fetch, key) for key in keys]:
            try:
                future.result()
            except BtctraceError:
                pass

    def _txids_to_add(self, frontier: list[tuple[_Visit, _Link | None]]) -> list[str]:
        """The transactions the sequential pass is sure to fetch: the first unseen ones, up to
        the room left under the transaction cap."""
        room = self.limits.max_transactions - len(self.result.txs)
        wanted: dict[str, None] = {}  # ordered set
        for visit, _ in frontier:
            if len(wanted) >= room:
                break
            if visit.txid not in self.result.txs:
                wanted.setdefault(visit.txid)
        return list(wanted)

    def _expand_hop(self, frontier: list[tuple[_Visit, _Link | None]]) -> list[tuple[_Visit, _Link]]:
        frontier = sorted(frontier, key=lambda item: (item[0].txid, _link_key(item[1])))
        self._hop_size = len({visit.txid for visit, _ in frontier if visit.txid not in self.result.txs})
        self._hop_done = 0
        self._prefetch(self.provider.prefetch_tx, self._txids_to_add(frontier))
        expand = [visit for visit, link in frontier
                  if visit.widen or (visit.txid not in self.result.txs and self.add_tx(visit, link))]
        if self.result.direction is Direction.FORWARD:
            self._prefetch(self.provider.prefetch_outspends, [visit.txid for visit in expand])
        links = [(visit, self.links_of(self.result.txs[visit.txid], visit.indices)) for visit in expand]
        for visit, found in links:
            if len(found) > self.limits.max_fan_out:
                self._crowded[visit.txid] = len(found)
        self._prefetch(self.provider.get_address_stats, self._lookups(links))
        following = []
        for visit, found in links:
            following.extend(self._follow(visit, found))
        return following

    def run(self) -> TraceResult:
        frontier: list[tuple[_Visit, _Link | None]] = [(visit, None) for visit in self.seed_visits()]
        while frontier:
            frontier = self._expand_hop(frontier)
        self.result.requests = self.provider.request_count()
        return self.result

    def _lookups(self, links: list[tuple[_Visit, list[_Link]]]) -> list[str]:
        """The addresses :meth:`_follow` will look up, in its order, when the first link into
        each transaction is followed (the others then need none; a later one that does is
        looked up when met): fetched ahead on the worker pool, the same requests as one worker."""
        wanted: dict[str, None] = {}
        claimed: set[str | None] = set()
        for visit, found in links:
            for link in found:
                if link.next_txid not in claimed and self._needs_stats(link, visit.hop):
                    claimed.add(link.next_txid)
                    if link.address not in self.result.address_stats:
                        wanted.setdefault(link.address)
        return list(wanted)

    def _follow(self, visit: _Visit, links: list[_Link]) -> list[tuple[_Visit, _Link]]:
        following = []
        for link in links:
            stop = self.stop_reason(link, visit.hop)
            if stop is not None:
                reason, detail = stop
                self.result.stops.append(
                    Stop(reason, visit.hop, link.txid, link.side, link.index, link.address,
                         link.value, link.next_txid, detail)
                )
            elif link.next_txid not in self.result.txs:
                self._entering.add(link.next_txid)
                following.append((_Visit(link.next_txid, visit.hop + 1), link))
            elif link.next_txid in self._partial:
                following.append((self._widen(link.next_txid), link))
        return following

    def _widen(self, txid: str) -> _Visit:
        """A seed address's payment transaction, followed so far only on what the address
        received, is reached by followed money (e.g. a victim pays again from change that is
        seed money): its other outputs are followed too, so taint never reaches an output the
        walk did not follow."""
        followed = self._partial.pop(txid)
        traced = self.result.txs[txid]
        rest = frozenset(o.index for o in traced.tx.outputs) - followed
        return _Visit(txid, traced.hop, rest, widen=True)


def _link_key(link: _Link | None) -> tuple[str, int]:
    return (link.txid, link.index) if link is not None else ("", -1)


def walk(
    provider: Provider,
    seeds: tuple[Seed, ...],
    direction: Direction,
    limits: TraceLimits,
    tags: TagIndex | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> TraceResult:
    """Trace from *seeds* in *direction* within *limits*; see the module docstring. With
    *workers* > 1 each hop's requests are fetched on a thread pool (the provider must be
    thread-safe); the result is the same as with one worker."""
    result = TraceResult(
        direction=direction,
        seeds=seeds,
        limits=limits,
        api_url=provider.api_url,
        seed_addresses=frozenset(s.value for s in seeds if s.kind == "address"),
    )
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="btctrace-fetch") if workers > 1 else None
    try:
        _Walker(provider, result, tags or TagIndex(), progress, pool).run()
    finally:
        if pool is not None:  # on Ctrl-C, drop queued requests; in-flight ones still finish
            pool.shutdown(wait=True, cancel_futures=True)
    if any(stop.reason is StopReason.MAX_TRANSACTIONS for stop in result.stops):
        refused = sum(1 for stop in result.stops if stop.reason is StopReason.MAX_TRANSACTIONS)
        result.caps.append(Cap("max_transactions", limits.max_transactions, f"{refused} transfers not followed"))
    return result


def trace_forward(provider: Provider, seeds: tuple[Seed, ...], limits: TraceLimits, **kwargs) -> TraceResult:
    """Where did the money go? (outputs -> spending transactions)"""
    return walk(provider, seeds, Direction.FORWARD, limits, **kwargs)


def trace_backward(provider: Provider, seeds: tuple[Seed, ...], limits: TraceLimits, **kwargs) -> TraceResult:
    """Where did the money come from? (inputs -> funding transactions)"""
    return walk(provider, seeds, Direction.BACKWARD, limits, **kwargs)
