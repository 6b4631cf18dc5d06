"""``peel_chains.csv``: every step of every peel chain the analysis found
(:mod:`btctrace.heuristics.peeling`), one row per hop: the chain and the step's place in it, the
transaction, its block and UTC time, the peel (output, address, satoshis) and the change passed
on. The charts draw a long chain as one element; this table is where each hop is."""

from __future__ import annotations

import pandas as pd

from btctrace.heuristics.peeling import PEEL_REFERENCE, PeelChain
from btctrace.units import format_btc, format_utc

__all__ = ["PEEL_COLUMNS", "peel_chains_frame"]

PEEL_COLUMNS = ["chain", "step", "steps", "txid", "block_height", "time_utc", "peel_output", "peel_address",
                "peel_sats", "peel_btc", "continuation_output", "continuation_sats", "continuation_btc",
                "ambiguous", "chain_end", "reference"]


def peel_chains_frame(chains: list[PeelChain]) -> pd.DataFrame:
    """One row per step, chains in the analysis's order (first block, then txid), steps in
    chain order; ``chain_end`` (where the change went after the last step) on each chain's last row."""
    rows = []
    for number, chain in enumerate(chains, 1):
        for place, step in enumerate(chain.steps, 1):
            rows.append((number, place, chain.length, step.txid, step.block_height, format_utc(step.block_time),
                         step.peel_index, step.peel_address or "", step.peel_value, format_btc(step.peel_value),
                         step.continuation_index, step.continuation_value, format_btc(step.continuation_value),
                         step.ambiguous, chain.end if place == chain.length else "", PEEL_REFERENCE))
    return pd.DataFrame(rows, columns=PEEL_COLUMNS).astype({"block_height": "Int64"})
