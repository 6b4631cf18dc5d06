"""Change-output heuristics and their combiner. Each heuristic returns a :class:`Finding` whose
``candidates`` are the outputs it considers change, with a reason, or None when it does not
apply. They return candidates, not verdicts (BlockSci); :func:`combine` applies the uniqueness
rule (a heuristic decides only when it names exactly one output) and reports the votes.

Sources: Meiklejohn et al. IMC 2013 (fresh address, self-change); Nick 2015 (optimal change);
BlockSci ``change_address.cpp`` (address type, power of ten, locktime, peeling chain);
Moeser & Narayanan FC 2022 and ishaanam/wallet-fingerprinting (wallet fingerprints).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from btctrace.heuristics import Finding
from btctrace.model import AddressStats, Tx

__all__ = [
    "ChainFacts",
    "ChangeVerdict",
    "ROUND_SATS",
    "address_reuse",
    "script_type_match",
    "optimal_change",
    "round_value",
    "fresh_address",
    "wallet_fingerprint",
    "peel_continuation",
    "CHANGE_HEURISTICS",
    "combine",
]

ROUND_SATS = 1_000_000  # payments are multiples of 0.01 BTC (BlockSci power_of_ten_value, digits = 6)
_RBF_BELOW = 0xFFFFFFFE


@dataclass(frozen=True)
class ChainFacts:
    """What the dynamic heuristics may know beyond the transaction itself."""

    spenders: dict[tuple[str, int], Tx] = field(default_factory=dict)  # (txid, vout) -> spending tx
    stats: dict[str, AddressStats] = field(default_factory=dict)  # address -> explorer stats
    usd_per_btc: dict[str, float] = field(default_factory=dict)  # txid -> price at its block time


def _outputs(tx: Tx) -> list[int]:
    return [o.index for o in tx.outputs if o.address and o.script_type != "op_return"]


def _finding(name: str, tx: Tx, candidates: list[int], reason: str, reference: str, confidence: float) -> Finding | None:
    spendable = _outputs(tx)
    if not candidates or len(candidates) == len(spendable):
        return None  # names nothing, or everything: no information
    return Finding(f"change.{name}", tx.txid, confidence, reason, reference, tuple(sorted(candidates)))


def address_reuse(tx: Tx, facts: ChainFacts) -> Finding | None:
    """Self-change: an output paying back to an input address."""
    inputs = {i.address for i in tx.inputs if i.address}
    hits = [i for i in _outputs(tx) if tx.outputs[i].address in inputs]
    return _finding("address_reuse", tx, hits, "pays back to an input address",
                    "Meiklejohn et al. IMC 2013; BlockSci address_reuse", 0.95)


def script_type_match(tx: Tx, facts: ChainFacts) -> Finding | None:
    """All inputs share one script type; change is the output(s) of that type."""
    kinds = {i.script_type for i in tx.inputs}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    hits = [i for i in _outputs(tx) if tx.outputs[i].script_type == kind]
    return _finding("script_type", tx, hits, f"same script type as every input ({kind})",
                    "BlockSci address_type; am-i.exposed", 0.7)


def optimal_change(tx: Tx, facts: ChainFacts) -> Finding | None:
    """An output smaller than the smallest input (else that input was unnecessary)."""
    if len(tx.inputs) < 2:
        return None
    smallest = min(i.value for i in tx.inputs)
    hits = [i for i in _outputs(tx) if tx.outputs[i].value < smallest]
    return _finding("optimal_change", tx, hits, f"smaller than the smallest input ({smallest} sat)",
                    "Nick, ETH MSc thesis 2015; BlockSci optimal_change", 0.6)


def round_value(tx: Tx, facts: ChainFacts) -> Finding | None:
    """Payments are round: a multiple of 0.01 BTC, or (when a price is known) within 0.5 % of
    a USD amount with two significant digits ($1,000, $2,500, $40); the non-round outputs are
    change candidates, if some output is round."""
    price = facts.usd_per_btc.get(tx.txid)

    def is_round(value: int) -> bool:
        if value % ROUND_SATS == 0:
            return True
        if not price:
            return False
        usd = value * price / 100_000_000
        if usd < 10:
            return False
        step = 10 ** (len(str(int(usd))) - 2)
        return abs(usd - round(usd / step) * step) <= usd * 0.005

    outputs = _outputs(tx)
    if not any(is_round(tx.outputs[i].value) for i in outputs):
        return None
    hits = [i for i in outputs if not is_round(tx.outputs[i].value)]
    return _finding("round_value", tx, hits, "not a round amount, unlike the payment",
                    "BlockSci power_of_ten_value; am-i.exposed H1", 0.7)


def fresh_address(tx: Tx, facts: ChainFacts) -> Finding | None:
    """One-time change: an output address that never received before this transaction
    (explorer stats: funded once)."""
    known = [i for i in _outputs(tx) if tx.outputs[i].address in facts.stats]
    if len(known) < len(_outputs(tx)):
        return None  # cannot tell without every output's history
    hits = [i for i in known if facts.stats[tx.outputs[i].address].funded_txo_count == 1]
    return _finding("fresh_address", tx, hits, "address first used in this transaction",
                    "Meiklejohn et al. IMC 2013 (Heuristic 2)", 0.6)


def _fingerprint(tx: Tx) -> tuple[int, bool, bool]:
    anti_fee_sniping = tx.locktime > 0 and tx.block_height is not None and 0 <= tx.block_height - tx.locktime <= 100
    return tx.version, anti_fee_sniping, any(i.sequence < _RBF_BELOW for i in tx.inputs)


def wallet_fingerprint(tx: Tx, facts: ChainFacts) -> Finding | None:
    """The output whose spending transaction has this one's wallet fingerprint (version,
    anti-fee-sniping locktime, RBF signalling) was spent by the same wallet."""
    mine = _fingerprint(tx)
    spent = {i: facts.spenders[(tx.txid, i)] for i in _outputs(tx) if (tx.txid, i) in facts.spenders}
    if len(spent) < 2:
        return None
    hits = [i for i, spender in spent.items() if _fingerprint(spender) == mine]
    version, afs, rbf = mine
    return _finding("wallet_fingerprint", tx, hits,
                    f"spent by a transaction with the same fingerprint (version {version}, "
                    f"anti-fee-sniping {'on' if afs else 'off'}, RBF {'on' if rbf else 'off'})",
                    "Moeser & Narayanan FC 2022; ishaanam/wallet-fingerprinting", 0.6)


def peel_continuation(tx: Tx, facts: ChainFacts) -> Finding | None:
    """In a 1-input/2-output transaction, the output whose spender is again 1-in/2-out
    continues the peel chain (BlockSci peeling_chain)."""
    if len(tx.inputs) != 1 or len(_outputs(tx)) != 2:
        return None
    hits = [i for i in _outputs(tx) if (s := facts.spenders.get((tx.txid, i))) is not None
            and len(s.inputs) == 1 and len(s.outputs) == 2]
    return _finding("peel_continuation", tx, hits, "its spender continues the 1-in/2-out peel shape",
                    "BlockSci peeling_chain; Kappos et al. USENIX Security 2022", 0.8)


CHANGE_HEURISTICS: tuple[Callable[[Tx, ChainFacts], Finding | None], ...] = (
    address_reuse, script_type_match, optimal_change, round_value, fresh_address, wallet_fingerprint,
    peel_continuation,
)


@dataclass(frozen=True)
class ChangeVerdict:
    """The combiner's answer for one transaction: ``change`` is the output index when the
    heuristics that decide (exactly one candidate each) all agree, else None."""

    txid: str
    change: int | None
    votes: dict[int, tuple[str, ...]]  # output -> heuristics naming it (as a candidate)
    deciding: tuple[str, ...]  # heuristics with exactly one candidate
    findings: tuple[Finding, ...]
    reason: str


def combine(tx: Tx, facts: ChainFacts) -> ChangeVerdict:
    """Run every heuristic on *tx* and apply the uniqueness rule."""
    findings = tuple(f for f in (h(tx, facts) for h in CHANGE_HEURISTICS) if f is not None)
    votes: dict[int, list[str]] = {}
    for finding in findings:
        for index in finding.candidates:
            votes.setdefault(index, []).append(finding.heuristic)
    deciding = [f for f in findings if len(f.candidates) == 1]
    picked = {f.candidates[0] for f in deciding}
    names = tuple(f.heuristic for f in deciding)
    if len(picked) == 1:
        change = picked.pop()
        reason = f"output {change} is change by {', '.join(names)}"
    else:
        change = None
        reason = ("no heuristic names a single output" if not picked
                  else f"deciding heuristics disagree (outputs {sorted(picked)})")
    return ChangeVerdict(tx.txid, change, {k: tuple(v) for k, v in sorted(votes.items())}, names, findings, reason)
