"""``stops.csv``: every place the walk ended, one row each, in the trace's order (hop, txid,
side, index, reason): the reason and what it means, the output or input, its address and
satoshis, the transaction it would lead to, and the walk's detail. The report counts the stops
per reason and lists the largest; this table is where each one is."""

from __future__ import annotations

import pandas as pd

from btctrace.tracing.result import STOP_EXPLANATIONS, TraceResult
from btctrace.units import format_btc

__all__ = ["STOP_COLUMNS", "stops_frame"]

STOP_COLUMNS = ["reason", "hop", "txid", "side", "index", "address", "value_sats", "value_btc", "next_txid",
                "detail", "meaning"]


def stops_frame(result: TraceResult) -> pd.DataFrame:
    """One row per stop, in :meth:`TraceResult.sorted_stops` order."""
    rows = [(s.reason.value, s.hop, s.txid, s.side, s.index, s.address or "", s.value, format_btc(s.value),
             s.next_txid or "", s.detail, STOP_EXPLANATIONS[s.reason]) for s in result.sorted_stops()]
    return pd.DataFrame(rows, columns=STOP_COLUMNS)
