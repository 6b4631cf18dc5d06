"""Naming an unlabelled endpoint through its sweep (``--attribute-endpoints N``).

Exchanges collect customer deposits by spending many deposit addresses together into their hot
wallet (the "sweep"); the common-input heuristic (Meiklejohn et al., IMC 2013, Heuristic 1) then
puts the deposit address in one cluster with the service's known addresses. For each endpoint
whose coins moved on and that carries no tag, at most *budget* extra explorer requests follow the
coins one hop to the spending transaction; its other input addresses (the co-spenders) are looked
up in the tags, and a tagged co-spender names the endpoint. Every step, named or not, is kept as
evidence: the endpoint, the sweep txid, the co-spenders, the tag and the requests spent.

A CoinJoin sweep names nothing (its inputs have many owners), and is said so."""

from __future__ import annotations

from dataclasses import dataclass, field

from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.providers.base import Provider
from btctrace.tags import Tag, TagIndex
from btctrace.tracing.result import Stop, StopReason, TraceResult

__all__ = ["DEPOSIT_REASONS", "DepositStep", "follow_deposits"]

# Endpoints whose coins left the address: the sweep exists (unspent coins have none).
DEPOSIT_REASONS = frozenset({StopReason.HOP_LIMIT, StopReason.LARGE_ADDRESS, StopReason.FAN_OUT,
                             StopReason.MAX_TRANSACTIONS, StopReason.BELOW_MIN_VALUE, StopReason.OUTSIDE_WINDOW})
REFERENCE = "Meiklejohn et al., A Fistful of Bitcoins, IMC 2013 (Heuristic 1), applied to the deposit's sweep"


@dataclass
class DepositStep:
    address: str  # the endpoint
    txid: str  # the transaction that paid it
    vout: int
    sweep_txid: str | None = None
    co_spenders: list[str] = field(default_factory=list)
    named_by: Tag | None = None  # the co-spender's tag that names the endpoint
    requests: int = 0
    outcome: str = ""


def _candidates(result: TraceResult, tags: TagIndex) -> list[Stop]:
    seen: set[str] = set()
    chosen = []
    for stop in result.sorted_stops():
        if stop.reason in DEPOSIT_REASONS and stop.address and stop.side == "output" \
                and tags.get(stop.address) is None and stop.address not in seen:
            seen.add(stop.address)
            chosen.append(stop)
    return chosen


def _sweep_txid(provider: Provider, stop: Stop) -> str | None:
    if stop.next_txid:
        return stop.next_txid
    outspends = provider.prefetch_outspends(stop.txid)
    spend = outspends[stop.index] if stop.index < len(outspends) else None
    return spend.txid if spend is not None and spend.spent else None


def _follow(provider: Provider, tags: TagIndex, stop: Stop, budget: int) -> DepositStep:
    step = DepositStep(stop.address or "", stop.txid, stop.index)
    start = provider.request_count()
    if budget < 1:
        step.outcome = "not followed: no request budget"
        return step
    step.sweep_txid = _sweep_txid(provider, stop)
    if step.sweep_txid is None:
        step.outcome = "the output is not spent: no sweep to follow"
    elif provider.request_count() - start >= budget:
        step.outcome = f"request budget ({budget}) spent before the sweep could be fetched"
    else:
        sweep = provider.prefetch_tx(step.sweep_txid)
        step.co_spenders = sorted({i.address for i in sweep.inputs if i.address and i.address != step.address})
        if detect_coinjoin(sweep) is not None:
            step.outcome = "the sweep is a CoinJoin: its inputs have many owners, nothing is named"
        else:
            tags.prefetch(step.co_spenders)
            named = [t for a in step.co_spenders for t in [tags.get(a)] if t is not None and not t.is_sanction]
            if named:
                step.named_by = min(named, key=lambda t: (-t.confidence_level, t.label, t.address))
                step.outcome = (f"spent together with {step.named_by.address} ({step.named_by.label}) in "
                                f"{step.sweep_txid}: common-input ownership")
            else:
                step.outcome = f"none of the {len(step.co_spenders)} co-spender(s) carries a tag"
    step.requests = provider.request_count() - start
    return step


def follow_deposits(provider: Provider, result: TraceResult, tags: TagIndex, budget: int) -> list[DepositStep]:
    """One step per unlabelled endpoint whose coins moved on (see the module docstring)."""
    if budget <= 0:
        return []
    return [_follow(provider, tags, stop, budget) for stop in _candidates(result, tags)]
