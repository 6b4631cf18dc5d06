"""``subpoena.csv``: one row per deposit the tainted money made at an exchange or other service
(tagged, or a large address), with what a legal request to that service needs: the service and
the source of its tag, the deposit address, txid and vout, amount, UTC time, block height, USD at
that time (``n/a`` when no price is recorded), the taint under each method with the FIFO share,
the confidence, and the reasoning in words."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from btctrace.analysis import Analysis
from btctrace.tags import TagIndex
from btctrace.tracing.result import Stop, StopReason, TraceResult
from btctrace.units import format_btc, format_utc
from btctrace.valuation import Prices

__all__ = ["SUBPOENA_COLUMNS", "SERVICE_REASONS", "subpoena_frame"]

SUBPOENA_COLUMNS = ["service_label", "category", "tag_source", "deposit_address", "txid", "vout", "amount_sats",
                    "amount_btc", "time_utc", "block_height", "amount_usd", "taint_method", "tainted_sats",
                    "tainted_share", "poison_sats", "haircut_sats", "fifo_sats", "lifo_sats", "confidence",
                    "reasoning"]
SERVICE_REASONS = frozenset({StopReason.TAGGED_SERVICE.value, StopReason.LARGE_ADDRESS.value})


def _share(part: int, whole: int) -> str:
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))) if whole else "n/a"


def _row(result: TraceResult, analysis: Analysis, tags: TagIndex, stop: Stop, prices: Prices) -> dict:
    point, reason = (stop.txid, stop.index), stop.reason.value
    traced = result.txs[point[0]]
    out = traced.tx.outputs[point[1]]
    sats = {m: flow.outputs.get(point, 0) for m, flow in analysis.taint.flows.items()}
    tag = tags.get(out.address)
    if reason == StopReason.TAGGED_SERVICE.value and tag is not None:
        label, category, source, confidence = tag.label, tag.category, tag.source or tag.tagpack, tag.confidence
        why = f"address tagged {tag.category} ({tag.label}) by {source}"
    else:
        label, category, source, confidence = "unidentified service", "", "", "heuristic: large address"
        why = f"address with a large history ({stop.detail}): likely a service"
    fifo = sats.get("fifo", 0)
    return {
        "service_label": label, "category": category, "tag_source": source, "deposit_address": out.address,
        "txid": point[0], "vout": point[1], "amount_sats": out.value, "amount_btc": format_btc(out.value),
        "time_utc": format_utc(traced.tx.block_time), "block_height": traced.tx.block_height,
        "amount_usd": prices.usd(out.value, traced.tx.block_time),
        "taint_method": "fifo", "tainted_sats": fifo, "tainted_share": _share(fifo, out.value),
        **{f"{m}_sats": sats.get(m, 0) for m in ("poison", "haircut", "fifo", "lifo")},
        "confidence": confidence,
        "reasoning": f"{why}; reached {traced.hop + 1} hop(s) from the seed in tx {point[0]}; "
                     f"{format_btc(fifo)} of {format_btc(out.value)} BTC tainted under FIFO",
    }


def subpoena_frame(result: TraceResult, analysis: Analysis, tags: TagIndex, prices: Prices | None = None) -> pd.DataFrame:
    prices = prices or Prices()
    stops = {(s.txid, s.index): s for s in result.stops if s.side == "output"}
    rows = []
    if analysis.taint is not None:
        for endpoint in analysis.taint.rows:
            if endpoint.reason in SERVICE_REASONS:
                rows += [_row(result, analysis, tags, stops[point], prices) for point in sorted(endpoint.outputs)]
    frame = pd.DataFrame(rows, columns=SUBPOENA_COLUMNS)
    frame["block_height"] = frame["block_height"].astype("Int64")
    return frame.sort_values(["service_label", "time_utc", "txid", "vout"], kind="stable").reset_index(drop=True)
