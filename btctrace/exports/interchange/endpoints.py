"""``endpoints.csv``: where the tainted satoshis ended, under each taint method (fixed columns)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from btctrace.jsontext import Streamed
from btctrace.tracing.accounting import TaintReport
from btctrace.tracing.taint import METHODS
from btctrace.units import format_btc, format_utc

__all__ = ["ENDPOINT_COLUMNS", "endpoints_frame", "taint_section"]

ENDPOINT_COLUMNS = (["place", "reason", "label", "category"] + [f"{m}_sats" for m in METHODS]
                    + [f"{m}_btc" for m in METHODS]
                    + ["first_utc", "last_utc", "min_path_length", "max_path_length", "outputs", "outpoints"])


def endpoints_frame(report: TaintReport | None) -> pd.DataFrame:
    rows = []
    for row in report.rows if report else []:
        entry: dict[str, Any] = {"place": row.place, "reason": row.reason, "label": row.label, "category": row.category}
        entry.update({f"{m}_sats": row.sats.get(m, 0) for m in METHODS})
        entry.update({f"{m}_btc": format_btc(row.sats.get(m, 0)) for m in METHODS})
        entry.update({"first_utc": format_utc(row.first_time), "last_utc": format_utc(row.last_time),
                      "min_path_length": row.min_path, "max_path_length": row.max_path, "outputs": len(row.outputs),
                      "outpoints": ";".join(f"{t}:{v}" for t, v in sorted(row.outputs))})
        rows.append(entry)
    return pd.DataFrame(rows, columns=ENDPOINT_COLUMNS)


def taint_section(report: TaintReport | None, stream: bool = False) -> dict[str, Any] | None:
    """The ``taint`` block of trace.json: seeds, totals per method (reconciled), endpoints, and
    the FIFO narrative (with *stream*, a :class:`~btctrace.jsontext.Streamed` array: encoded line
    by line, never as one text)."""
    if report is None:
        return None
    return {
        "seeds": [f"{t}:{v}" for t, v in report.seeds],
        "methods": {m: {"seed_sats": t.seed, "absorbed_sats": t.absorbed, "at_endpoints_sats": t.at_endpoints,
                        "inside_limits_sats": t.inside_limits, "fees_sats": t.fees, "balanced": t.balanced}
                    for m, t in report.totals.items()},
        "endpoints": endpoints_frame(report).to_dict(orient="records"),
        "fifo_narrative": Streamed(report.narrative_lines, report.narrative_length) if stream else report.narrative,
        "notes": report.notes,
    }
