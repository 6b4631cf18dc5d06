"""``trace.json``: parameters, seeds, transactions, stops, caps and counts of one trace.

Schema ``btctrace.trace/1`` is documented in ``docs/trace-json.md``. The document holds no
run time, host or file path, so a live run and its offline replay give the same bytes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from btctrace import jsontext, safejson
from btctrace.analysis import Analysis
from btctrace.case import CaseInfo
from btctrace.errors import UsageProblem
from btctrace.exports.interchange.endpoints import taint_section
from btctrace.files import read_regular_text
from btctrace.graph import schema as S
from btctrace.heuristics import Finding
from btctrace.heuristics.clustering import COMMON_INPUT, COMMON_INPUT_REFERENCE, Clusters
from btctrace.heuristics.peeling import PEEL_REFERENCE
from btctrace.model import Outspend, Tx, TxIn, TxOut, TxStatus
from btctrace.tags import Tag, TagIndex
from btctrace.tracing.result import (
    STOP_EXPLANATIONS,
    Direction,
    Seed,
    Stop,
    StopReason,
    TracedTx,
    TraceLimits,
    TraceResult,
)
from btctrace.units import format_btc, format_utc, parse_utc
from btctrace.valuation import IN_LINE_FACTOR, NOT_AVAILABLE, Prices
from btctrace.version import __version__

__all__ = ["SCHEMA_ID", "trace_document", "dumps", "text_pieces", "result_from_document", "read_trace_document"]

SCHEMA_ID = "btctrace.trace/1"


def _tx_entry(traced: TracedTx) -> dict[str, Any]:
    tx: Tx = traced.tx
    spends = {o.vout: o for o in traced.outspends} if traced.outspends is not None else None
    outputs = []
    for out in tx.outputs:
        entry = {"index": out.index, "address": out.address, "value_sats": out.value, "script_type": out.script_type}
        spend = spends.get(out.index) if spends is not None else None
        entry["spent"] = None if spends is None else bool(spend and spend.spent)
        entry["spent_by_txid"] = spend.txid if spend and spend.spent else None
        entry["spent_by_vin"] = spend.vin if spend and spend.spent else None
        outputs.append(entry)
    inputs = [
        {"index": i.index, "address": i.address, "value_sats": i.value, "prev_txid": i.prev_txid,
         "prev_vout": i.prev_vout, "script_type": i.script_type, "sequence": i.sequence, "coinbase": i.is_coinbase}
        for i in tx.inputs
    ]
    return {
        "txid": tx.txid, "hop": traced.hop, "confirmed": tx.status.confirmed, "block_height": tx.block_height,
        "block_time": tx.block_time, "time_utc": format_utc(tx.block_time), "fee_sats": tx.fee,
        "version": tx.version, "locktime": tx.locktime, "size": tx.size, "weight": tx.weight,
        "coinbase": tx.is_coinbase, "inputs": inputs, "outputs": outputs,
    }


def _parameters(result: TraceResult, tags: TagIndex) -> dict[str, Any]:
    limits = result.limits
    return {
        "direction": result.direction.value, "hops": limits.hops, "min_value_sats": limits.min_value,
        "since": format_utc(limits.since) or None, "until": format_utc(limits.until) or None,
        "max_transactions": limits.max_transactions, "large_address_tx_count": limits.large_address_tx_count,
        "max_seed_history": limits.max_seed_history, "max_fan_out": limits.max_fan_out,
        "stop_categories": sorted(limits.stop_categories), "through_coinjoins": limits.through_coinjoins, "peel_continuation_only": limits.peel_continuation_only,
        "api_url": result.api_url,
        "tagpacks": sorted({f.replace("\\", "/").rsplit("/", 1)[-1] for f in tags.files}),
        "tags_loaded": len(tags),
        "tags_not_used": tags.not_used(),  # other currency, not a mainnet address, fields cut, dates blank
    }


def _stops(result: TraceResult, tags: TagIndex) -> Iterator[dict[str, Any]]:
    for stop in result.sorted_stops():
        tag = tags.get(stop.address)
        yield {
            "reason": stop.reason.value, "explanation": STOP_EXPLANATIONS[stop.reason], "hop": stop.hop,
            "txid": stop.txid, "side": stop.side, "index": stop.index, "address": stop.address,
            "value_sats": stop.value, "value_btc": format_btc(stop.value), "next_txid": stop.next_txid,
            "label": tag.label if tag else "", "category": tag.category if tag else "", "detail": stop.detail,
        }


def _clusters_section(clusters: Clusters, cluster_change: bool) -> dict[str, Any]:
    ids = clusters.ids()
    return {
        "rule": COMMON_INPUT, "reference": COMMON_INPUT_REFERENCE, "change_used": cluster_change,
        "collapse_threshold": clusters.collapse_threshold, "allow_collapse": clusters.allow_collapse,
        "clusters": [{"id": ids[group[0]], "size": len(group), "addresses": group}
                     for group in clusters.groups() if len(group) > 1],
        "merges": [{"a": m.a, "b": m.b, "txid": m.txid, "rule": m.rule, "reference": m.reference}
                   for m in sorted(clusters.merges, key=lambda m: (m.txid, m.a, m.b))],
        "refused_merges": [{"txid": r.txid, "rule": r.rule, "sizes": list(r.sizes), "reason": r.reason}
                           for r in sorted(clusters.refused, key=lambda r: r.txid)],
        "skipped_transactions": [{"txid": txid, "reason": reason} for txid, reason in sorted(clusters.skipped.items())],
    }


def _coinjoins_section(result: TraceResult) -> list[dict[str, Any]]:
    return [{"txid": f.txid, "detector": f.heuristic, "confidence": f.confidence, "reason": f.reason,
             "reference": f.reference} for _, f in sorted(result.coinjoins.items())]


def _second_opinion_section(analysis: Analysis) -> dict[str, Any]:
    """The reference implementation's answer for each transaction either side calls a CoinJoin."""
    report = analysis.second_opinion
    return {"implementation": report.implementation, "install": report.install,
            "transactions": [{"txid": a.txid, "btctrace": a.ours, "reference": a.theirs, "verdict": a.verdict,
                              "reference_confidence": a.confidence, "reference_detail": a.detail}
                             for a in report.agreements]}


def _change_section(result: TraceResult, analysis: Analysis) -> Iterator[dict[str, Any]]:
    for txid, verdict in sorted(analysis.change.items()):
        outputs = result.txs[txid].tx.outputs
        yield {
            "txid": txid, "change_index": verdict.change,
            "change_address": outputs[verdict.change].address if verdict.change is not None else None,
            "deciding": list(verdict.deciding), "reason": verdict.reason,
            "votes": {str(index): list(names) for index, names in verdict.votes.items()},
            "findings": [{"heuristic": f.heuristic, "candidates": list(f.candidates), "reason": f.reason,
                          "reference": f.reference} for f in verdict.findings],
        }


def _peel_section(analysis: Analysis) -> Iterator[dict[str, Any]]:
    return ({
        "start_txid": chain.steps[0].txid, "length": chain.length, "total_peeled_sats": chain.total_peeled,
        "total_peeled_btc": format_btc(chain.total_peeled), "end": chain.end, "reference": PEEL_REFERENCE,
        "peels": [{"txid": s.txid, "block_height": s.block_height, "time_utc": format_utc(s.block_time),
                   "address": s.peel_address, "value_sats": s.peel_value, "continuation_index": s.continuation_index,
                   "continuation_sats": s.continuation_value, "ambiguous": s.ambiguous} for s in chain.steps],
    } for chain in analysis.peel_chains)


def _array(make: Callable[[], Iterable[Any]], length: int, stream: bool) -> list[Any] | jsontext.Streamed:
    """A list, or (to be written item by item) a :class:`~btctrace.jsontext.Streamed` array."""
    return jsontext.Streamed(make, length) if stream else list(make())


def _valuation_section(prices: Prices) -> dict[str, Any]:
    return {"currency": "USD", "source": prices.source, "basis": "price at the start of each block's hour",
            "note": prices.note, "requests": prices.requests,
            "checked": f"each price within a factor of {IN_LINE_FACTOR} of the prices a day before and after",
            "unchecked_hours_utc": [format_utc(hour) for hour in prices.unchecked],
            "second_opinion": prices.second_source or None,
            "usd_per_btc": [_price_entry(prices, hour, price) for hour, price in sorted(prices.by_hour.items())]}


def _price_entry(prices: Prices, hour: int, price: Any) -> dict[str, Any]:
    entry = {"hour_utc": format_utc(hour), "price": str(price) if price is not None else NOT_AVAILABLE}
    if prices.second_source:
        second = prices.second.get(hour)
        entry["second_opinion"] = str(second) if second is not None else NOT_AVAILABLE
        entry["disputed"] = prices.disputed.get(hour, "")
    return entry


def trace_document(result: TraceResult, graph: nx.MultiDiGraph, tags: TagIndex, case: CaseInfo,
                   analysis: Analysis, prices: Prices | None = None,
                   attribution: dict[str, Any] | None = None, stream: bool = False) -> dict[str, Any]:
    """The whole trace as one JSON document; *attribution* is
    :func:`btctrace.exports.report.attribution.attribution_section` (sanctions, named clusters and
    deposits, links to other cases). With *stream*, the arrays that grow with the case (stops,
    change, peel chains, transactions) are :class:`~btctrace.jsontext.Streamed`, made as
    :func:`text_pieces` writes them."""
    clusters = analysis.clusters
    addresses = [n for n, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_ADDRESS]
    roles = Counter(graph.nodes[n]["role"] for n in addresses)
    return {
        "schema": SCHEMA_ID,
        "btctrace_version": __version__,
        "case": case.as_json(),
        "parameters": _parameters(result, tags),
        # every parameter of the run as its manifest states it (btctrace verify compares them)
        "run_parameters": result.run_parameters,
        "seeds": [{"kind": s.kind, "value": s.value, "vout": s.vout} for s in result.seeds],
        "counts": {
            "requests": result.requests,
            "transactions": len(result.txs),
            "addresses": len(addresses),
            "transfers": graph.number_of_edges(),
            "stops": len(result.stops),
            "stops_by_reason": dict(sorted(Counter(s.reason.value for s in result.stops).items())),
            "addresses_by_role": dict(sorted(roles.items())),
            "caps": len(result.caps),
            "coinjoins": len(result.coinjoins),
            "change_decided": sum(1 for v in analysis.change.values() if v.change is not None),
            "peel_chains": len(analysis.peel_chains),
            "clusters_with_several_addresses": sum(1 for g in clusters.groups() if len(g) > 1),
        },
        "notes": list(result.notes),
        "caps": [{"name": c.name, "limit": c.limit, "detail": c.detail} for c in result.caps],
        "stops": _array(lambda: _stops(result, tags), len(result.stops), stream),
        "coinjoins": _coinjoins_section(result),
        "second_opinion": _second_opinion_section(analysis),
        "clustering": _clusters_section(clusters, analysis.cluster_change),
        "change": _array(lambda: _change_section(result, analysis), len(analysis.change), stream),
        "peel_chains": _array(lambda: _peel_section(analysis), len(analysis.peel_chains), stream),
        "taint": taint_section(analysis.taint, stream),
        "valuation": _valuation_section(prices or Prices()),
        "cross_check": _cross_check_section(result),
        "attribution": attribution,
        "answer_checks": result.checks,
        "proofs": result.proofs.as_json() if result.proofs is not None else None,
        "transactions": _array(lambda: map(_tx_entry, result.sorted_txs()), len(result.txs), stream),
    }


def _cross_check_section(result: TraceResult) -> dict[str, Any] | None:
    """Explorers compared on a sample of transactions (``--cross-check``), or None."""
    check = result.cross_check
    if check is None:
        return None
    return {"explorers": check.explorers, "sampled": check.sampled, "disagreements": check.disagreements,
            "failures": check.failures}


def dumps(document: dict[str, Any]) -> str:
    return "".join(text_pieces(document))


def text_pieces(document: dict[str, Any]) -> Iterator[str]:
    """``trace.json``'s text in pieces (:func:`btctrace.jsontext.indented_pieces`)."""
    yield from jsontext.indented_pieces(document)
    yield "\n"


def _tx_from_entry(entry: dict[str, Any]) -> TracedTx:
    inputs = tuple(TxIn(i["index"], i["prev_txid"], i["prev_vout"], i["value_sats"], i["address"], i["script_type"],
                        i["sequence"], i["coinbase"]) for i in entry["inputs"])
    outputs = tuple(TxOut(o["index"], o["value_sats"], o["script_type"], o["address"]) for o in entry["outputs"])
    status = TxStatus(entry["confirmed"], entry["block_height"], None, entry["block_time"])
    tx = Tx(entry["txid"], entry["version"], entry["locktime"], entry["size"], entry["weight"], entry["fee_sats"],
            inputs, outputs, status)
    spends = None
    if all(o["spent"] is not None for o in entry["outputs"]):
        spends = tuple(Outspend(o["index"], o["spent"], o["spent_by_txid"], o["spent_by_vin"]) for o in entry["outputs"])
    return TracedTx(tx, entry["hop"], spends)


def result_from_document(document: dict[str, Any]) -> tuple[TraceResult, TagIndex]:
    """Read back what :func:`trace_document` wrote: the trace, and the tags it used (as far as
    stops and addresses carry them)."""
    p = document["parameters"]
    limits = TraceLimits(hops=p["hops"], min_value=p["min_value_sats"], max_transactions=p["max_transactions"],
                         since=parse_utc(p["since"]) if p["since"] else None,
                         until=parse_utc(p["until"]) if p["until"] else None,
                         large_address_tx_count=p["large_address_tx_count"], max_seed_history=p["max_seed_history"],
                         stop_categories=frozenset(p["stop_categories"]), through_coinjoins=p["through_coinjoins"],
                         peel_continuation_only=p["peel_continuation_only"],
                         max_fan_out=p.get("max_fan_out", TraceLimits.max_fan_out))
    seeds = tuple(Seed(s["kind"], s["value"], s["vout"]) for s in document["seeds"])
    result = TraceResult(Direction(p["direction"]), seeds, limits, p["api_url"],
                         seed_addresses=frozenset(s.value for s in seeds if s.kind == "address"))
    result.txs = {entry["txid"]: _tx_from_entry(entry) for entry in document["transactions"]}
    result.stops = [Stop(StopReason(s["reason"]), s["hop"], s["txid"], s["side"], s["index"], s["address"],
                         s["value_sats"], s["next_txid"], s["detail"]) for s in document["stops"]]
    result.coinjoins = {c["txid"]: Finding(c["detector"], c["txid"], c["confidence"], c["reason"], c["reference"])
                        for c in document["coinjoins"]}
    tags = TagIndex()
    for s in document["stops"]:
        if s["address"] and (s["label"] or s["category"]):
            tags.by_address[s["address"]] = Tag(s["address"], s["label"], s["category"], "", "", "", "", "trace.json")
    return result, tags


def read_trace_document(out_dir: Path) -> dict[str, Any]:
    """The ``trace.json`` of an output folder; a clear usage error when it is missing or broken."""
    path = out_dir / "trace.json"
    try:
        document = safejson.loads(read_regular_text(path))
    except FileNotFoundError:
        raise UsageProblem(f"there is no trace.json in {out_dir}", "Give the output folder of a btctrace trace") from None
    except (OSError, ValueError) as exc:
        raise UsageProblem(f"{path} is not readable JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_ID:
        raise UsageProblem(f"{path} is not a {SCHEMA_ID} document", "Rerun the trace with this btctrace version")
    return document
