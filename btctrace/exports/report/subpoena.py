"""``subpoena.csv``: one row per deposit the tainted money made at an exchange or other service
(tagged, or a large address), with what a legal request to that service needs: the service and
the source of its tag, the deposit address, txid and vout, amount, UTC time, block height, USD at
that time (``n/a`` when no price is recorded), the taint under each method with the FIFO share,
the confidence, any sanctions-list entry of the deposit address, and the reasoning in words. An
untagged endpoint named through its sweep (``--attribute-endpoints``) or through a tagged member
of its common-input cluster is a deposit too, with the confidence one step lower."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from btctrace.analysis import Analysis
from btctrace.heuristics.attribution import step_down
from btctrace.tags import TagIndex
from btctrace.tracing.result import Stop, StopReason, TraceResult
from btctrace.units import counted, format_btc, format_utc
from btctrace.valuation import Prices

__all__ = ["SUBPOENA_COLUMNS", "SERVICE_REASONS", "subpoena_frame"]

SUBPOENA_COLUMNS = ["service_label", "category", "tag_source", "deposit_address", "txid", "vout", "amount_sats",
                    "amount_btc", "time_utc", "block_height", "proof", "amount_usd", "usd_price_note", "taint_method", "tainted_sats",
                    "tainted_share", "poison_sats", "haircut_sats", "fifo_sats", "lifo_sats", "confidence",
                    "sanctions", "reasoning"]
SERVICE_REASONS = frozenset({StopReason.TAGGED_SERVICE.value, StopReason.LARGE_ADDRESS.value})


def _share(part: int, whole: int) -> str:
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))) if whole else "n/a"


def _naming(result: TraceResult, analysis: Analysis, tags: TagIndex, stop: Stop) -> tuple[str, str, str, str, str] | None:
    """(label, category, source, confidence, why) of the service at *stop*, or None."""
    address = stop.address
    tag = tags.get(address)
    services = result.limits.stop_categories
    if tag is not None and not tag.is_sanction and stop.reason.value in SERVICE_REASONS:
        source = tag.source or tag.tagpack
        return tag.label, tag.category, source, tag.confidence, f"address tagged {tag.category} ({tag.label}) by {source}"
    step = next((s for s in result.deposits if s.address == address and s.named_by is not None
                 and s.named_by.category in services), None)
    if step is not None:
        named = step.named_by
        return (named.label, named.category, named.source or named.tagpack, step_down(named.confidence),
                f"deposit swept in {step.sweep_txid} together with {named.address}, tagged {named.category} "
                f"({named.label}) by {named.source or named.tagpack}: common-input ownership (Meiklejohn et al. 2013)")
    cluster = next((a for a in analysis.attributions if address in a.addresses and a.category in services), None)
    if cluster is not None:
        return (cluster.label, cluster.category, "cluster " + cluster.cluster, cluster.confidence,
                f"in common-input cluster {cluster.cluster} ({len(cluster.addresses)} addresses, "
                f"{len(cluster.merges)} merges) named {cluster.label} by a member's tag")
    if stop.reason.value in SERVICE_REASONS:
        return "unidentified service", "", "", "heuristic: large address", \
            f"address with a large history ({stop.detail}): likely a service"
    return None


def _row(result: TraceResult, analysis: Analysis, tags: TagIndex, stop: Stop, prices: Prices,
         naming: tuple[str, str, str, str, str]) -> dict:
    point = (stop.txid, stop.index)
    traced = result.txs[point[0]]
    out = traced.tx.outputs[point[1]]
    sats = {m: flow.outputs.get(point, 0) for m, flow in analysis.taint.flows.items()}
    label, category, source, confidence, why = naming
    sanctions = "; ".join(f"{t.tagpack.split(':', 1)[-1]}: {t.entry or t.label}" + (f" (listed {t.listed_on})"
                                                                                   if t.listed_on else "")
                          for t in tags.every(out.address) if t.is_sanction)
    fifo = sats.get("fifo", 0)
    return {
        "service_label": label, "category": category, "tag_source": source, "deposit_address": out.address,
        "txid": point[0], "vout": point[1], "amount_sats": out.value, "amount_btc": format_btc(out.value),
        "time_utc": format_utc(traced.tx.block_time), "block_height": traced.tx.block_height,
        "proof": result.proofs.txs.get(point[0], "") if result.proofs is not None else "",
        "amount_usd": prices.usd(out.value, traced.tx.block_time),
        "usd_price_note": prices.note_of(traced.tx.block_time),
        "taint_method": "fifo", "tainted_sats": fifo, "tainted_share": _share(fifo, out.value),
        **{f"{m}_sats": sats.get(m, 0) for m in ("poison", "haircut", "fifo", "lifo")},
        "confidence": confidence, "sanctions": sanctions,
        "reasoning": f"{why}; reached {counted(traced.hop + 1, 'hop')} from the seed in tx {point[0]}; "
                     f"{format_btc(fifo)} of {format_btc(out.value)} BTC tainted under FIFO",
    }


def subpoena_frame(result: TraceResult, analysis: Analysis, tags: TagIndex, prices: Prices | None = None) -> pd.DataFrame:
    prices = prices or Prices()
    stops = {(s.txid, s.index): s for s in result.stops if s.side == "output"}
    rows = []
    if analysis.taint is not None:
        for endpoint in analysis.taint.rows:
            for point in sorted(endpoint.outputs):
                naming = _naming(result, analysis, tags, stops[point]) if point in stops else None
                if naming is not None:
                    rows.append(_row(result, analysis, tags, stops[point], prices, naming))
    frame = pd.DataFrame(rows, columns=SUBPOENA_COLUMNS)
    frame["block_height"] = frame["block_height"].astype("Int64")
    return frame.sort_values(["service_label", "time_utc", "txid", "vout"], kind="stable").reset_index(drop=True)
