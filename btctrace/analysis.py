"""Run the heuristics over a finished trace: change verdicts, clusters (common inputs, and change
when asked) and peel chains. Pure: it reads the :class:`TraceResult`, never the network."""

from __future__ import annotations

from dataclasses import dataclass, field

from btctrace.heuristics.attribution import ClusterAttribution, attribute_clusters
from btctrace.heuristics.change import ChainFacts, ChangeVerdict, combine
from btctrace.heuristics.clustering import (
    DEFAULT_COLLAPSE_THRESHOLD,
    Clusters,
    Merge,
    cluster_common_inputs,
)
from btctrace.heuristics.peeling import PeelChain, find_peel_chains
from btctrace.model import Tx
from btctrace.reference import SecondOpinionReport, second_opinion
from btctrace.tags import TagIndex
from btctrace.tracing.accounting import TaintReport, taint_report
from btctrace.tracing.result import Direction, TraceResult

__all__ = ["CHANGE", "Analysis", "chain_facts", "analyse"]

CHANGE = "change"


@dataclass
class Analysis:
    clusters: Clusters
    change: dict[str, ChangeVerdict] = field(default_factory=dict)
    peel_chains: list[PeelChain] = field(default_factory=list)
    cluster_change: bool = False
    taint: TaintReport | None = None  # forward traces only
    attributions: list[ClusterAttribution] = field(default_factory=list)  # clusters named by a member's tag
    second_opinion: SecondOpinionReport = field(default_factory=lambda: SecondOpinionReport(None))


def chain_facts(result: TraceResult, usd_per_btc: dict[str, float] | None = None) -> ChainFacts:
    """Spending links among the traced transactions and the address stats the walk fetched."""
    spenders: dict[tuple[str, int], Tx] = {}
    for traced in result.txs.values():
        for txin in traced.tx.inputs:
            if txin.prev_txid is not None and txin.prev_txid in result.txs:
                spenders[(txin.prev_txid, txin.prev_vout)] = traced.tx
    return ChainFacts(spenders=spenders, stats=dict(result.address_stats), usd_per_btc=dict(usd_per_btc or {}))


def _change_verdicts(result: TraceResult, facts: ChainFacts) -> dict[str, ChangeVerdict]:
    verdicts = {}
    for txid, traced in sorted(result.txs.items()):
        tx = traced.tx
        if tx.is_coinbase or txid in result.coinjoins or sum(1 for o in tx.outputs if o.address) < 2:
            continue
        verdicts[txid] = combine(tx, facts)
    return verdicts


def _change_merges(result: TraceResult, verdicts: dict[str, ChangeVerdict]) -> list[Merge]:
    """A decided change output joins its transaction's (first) input address, marked as change."""
    merges = []
    for txid, verdict in sorted(verdicts.items()):
        tx = result.txs[txid].tx
        owners = sorted({i.address for i in tx.inputs if i.address})
        change_address = tx.outputs[verdict.change].address if verdict.change is not None else None
        if owners and change_address and change_address not in owners:
            merges.append(Merge(owners[0], change_address, txid, CHANGE,
                                f"btctrace change combiner ({', '.join(verdict.deciding)})"))
    return merges


def analyse(result: TraceResult, collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
            allow_collapse: bool = False, cluster_change: bool = False, tags: TagIndex | None = None,
            usd_per_btc: dict[str, float] | None = None) -> Analysis:
    """Heuristics over the traced transactions. Change is used for clustering only when
    *cluster_change*; each such merge is marked with rule ``change``."""
    facts = chain_facts(result, usd_per_btc)
    verdicts = _change_verdicts(result, facts)
    clusters = cluster_common_inputs((t.tx for t in result.txs.values()), result.coinjoins,
                                     collapse_threshold, allow_collapse)
    if cluster_change:
        for merge in _change_merges(result, verdicts):
            clusters.union(merge)
    chains = find_peel_chains([t.tx for t in result.txs.values()], facts, set(result.coinjoins))
    taint = taint_report(result, tags) if result.direction is Direction.FORWARD else None
    attributions = attribute_clusters(clusters, tags) if tags is not None else []
    opinion = second_opinion((t.tx for t in result.txs.values()), result.coinjoins)
    return Analysis(clusters, verdicts, chains, cluster_change, taint, attributions, opinion)
