"""Peel chains: runs of 1-input/2-output transactions where one output (the continuation, i.e.
change) is spent by the next step and the other (the peel) leaves the chain.

Rule: BlockSci ``isPeelingChain`` (a 1-in/2-out tx whose spender or parent is 1-in/2-out),
followed across many hops as in Kappos et al., "How to Peel a Million" (USENIX Security 2022).
When both outputs continue the shape (BlockSci issue #279) the larger one is taken and the step
is marked ambiguous. Totals count each peel once: the coins passing down the chain are not
summed per hop (the double counting GraphSense warns about).
"""

from __future__ import annotations

from dataclasses import dataclass

from btctrace.heuristics.change import ChainFacts
from btctrace.model import Tx

__all__ = ["MIN_PEEL_STEPS", "PEEL_REFERENCE", "PeelStep", "PeelChain", "is_peel_step", "find_peel_chains"]

MIN_PEEL_STEPS = 3
PEEL_REFERENCE = "BlockSci peeling_chain; Kappos et al., USENIX Security 2022"


@dataclass(frozen=True, slots=True)
class PeelStep:
    txid: str
    block_height: int | None
    block_time: int | None
    peel_index: int
    peel_address: str | None
    peel_value: int
    continuation_index: int
    continuation_value: int
    ambiguous: bool = False


@dataclass(frozen=True)
class PeelChain:
    steps: tuple[PeelStep, ...]
    end: str  # where the continuation went after the last step

    @property
    def length(self) -> int:
        return len(self.steps)

    @property
    def total_peeled(self) -> int:
        return sum(step.peel_value for step in self.steps)


def _spendable(tx: Tx) -> list[int]:
    return [o.index for o in tx.outputs if o.script_type != "op_return"]


def is_peel_step(tx: Tx) -> bool:
    return not tx.is_coinbase and len(tx.inputs) == 1 and len(_spendable(tx)) == 2


def _step(tx: Tx, facts: ChainFacts, steps: set[str]) -> PeelStep:
    outputs = _spendable(tx)
    continuing = [i for i in outputs if (s := facts.spenders.get((tx.txid, i))) is not None and s.txid in steps]
    ambiguous = len(continuing) == 2
    candidates = continuing or outputs
    chosen = max(candidates, key=lambda i: (tx.outputs[i].value, -i))
    peel = next(i for i in outputs if i != chosen)
    return PeelStep(tx.txid, tx.block_height, tx.block_time, peel, tx.outputs[peel].address,
                    tx.outputs[peel].value, chosen, tx.outputs[chosen].value, ambiguous)


def _end(last: PeelStep, facts: ChainFacts) -> str:
    spender = facts.spenders.get((last.txid, last.continuation_index))
    if spender is None:
        return f"output {last.txid}:{last.continuation_index} is not spent within the trace (unspent or beyond it)"
    return f"continues into {spender.txid} ({len(spender.inputs)} inputs, {len(spender.outputs)} outputs): not a peel"


def find_peel_chains(txs: list[Tx], facts: ChainFacts, exclude: frozenset[str] | set[str] = frozenset(),
                     min_steps: int = MIN_PEEL_STEPS) -> list[PeelChain]:
    """Every chain of at least *min_steps* peel steps among *txs* (CoinJoins in *exclude*
    are never steps), ordered by first block then txid."""
    by_txid = {tx.txid: tx for tx in txs if is_peel_step(tx) and tx.txid not in exclude}
    peel_txids = set(by_txid)
    steps = {txid: _step(tx, facts, peel_txids) for txid, tx in by_txid.items()}
    following = {}
    for txid, step in steps.items():
        spender = facts.spenders.get((txid, step.continuation_index))
        if spender is not None and spender.txid in steps:
            following[txid] = spender.txid
    starts = sorted(set(steps) - set(following.values()),
                    key=lambda t: (steps[t].block_height or 1 << 62, t))
    chains = []
    for start in starts:
        run, here, seen = [], start, set()
        while here is not None and here not in seen:
            run.append(steps[here])
            seen.add(here)
            here = following.get(here)
        if len(run) >= min_steps:
            chains.append(PeelChain(tuple(run), _end(run[-1], facts)))
    return chains
