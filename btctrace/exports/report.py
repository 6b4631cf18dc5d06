"""``report.html``: one self-contained, printable case report (no external assets; the flow
chart is embedded as SVG). Sections: summary in plain words, seeds and parameters, methodology
with measured accuracy, findings with their evidence, endpoints per taint method, the subpoena
packet, every stop and cap, the limits of the analysis, and the provenance block. The only times
of the run it holds are the cassette's fetch times, in the provenance block."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from btctrace import __version__
from btctrace.analysis import Analysis
from btctrace.cache.cassettes import Cassette
from btctrace.cache.provenance import sha256_file
from btctrace.exports.safe_text import html_text, summarise
from btctrace.exports.endpoints import endpoints_frame
from btctrace.exports.subpoena import subpoena_frame
from btctrace.exports.trace_json import CaseInfo
from btctrace.heuristics.measured import BENCHMARK_COMMAND, MEASURED_ACCURACY
from btctrace.tags import TagIndex
from btctrace.tracing.result import STOP_EXPLANATIONS, StopReason, TraceResult
from btctrace.units import format_btc, format_utc
from btctrace.valuation import Prices

__all__ = ["report_html"]

_CSS = """body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;font-size:.8em;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;
vertical-align:top;word-break:break-all}th{background:#eee;word-break:normal}td.n{text-align:right;
font-family:monospace;word-break:normal;white-space:nowrap}.mono{font-family:monospace}.wide{overflow-x:auto}
.synthetic{background:#fee;border:2px solid #c00;padding:.5em;font-weight:bold}
.chart{overflow-x:auto;border:1px solid #ccc}.chart svg{min-width:2000px;height:auto}
.small svg{max-width:100%;height:auto}
@media print{body{margin:0}.chart{overflow:visible}.chart svg{min-width:0;max-width:100%}
.wide{overflow:visible}h2{page-break-after:avoid}}"""
_ENDPOINT_COLUMNS = ["place", "reason", "label", "fifo_btc", "haircut_btc", "poison_btc", "lifo_btc", "first_utc",
                     "last_utc", "min_path_length"]
_SUBPOENA_COLUMNS = ["service_label", "tag_source", "deposit_address", "txid", "vout", "amount_btc", "time_utc",
                     "block_height", "amount_usd", "tainted_share", "confidence"]
LIMITS = (
    "Explorer data is what the API answered at the fetch times below; a chain reorganisation or an "
    "explorer error after that is not reflected.",
    "Common-input clustering assumes one owner per non-CoinJoin transaction; PayJoins and other "
    "collaborative transactions that look ordinary can merge two owners.",
    "Change heuristics give candidates, not proof; change is used for clustering only when asked, and "
    "each such merge is marked.",
    "Tags come from the TagPacks named in the parameters; an untagged address may still be a service.",
    "Taint methods are conventions, not facts: poison over-taints, haircut spreads thinly, FIFO and LIFO "
    "depend on input order. Report all four side by side.",
    "The trace stops where recorded (hop limit, minimum value, time window, transaction cap, large or "
    "tagged address, CoinJoin); money beyond those points is not followed.",
)


_e = html_text


def _table(headers: list[str], rows: Iterable[Iterable[Any]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td class=\"n\">{_e(c)}</td>" if i in numeric else f"<td>{_e(c)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _summary(result: TraceResult, analysis: Analysis) -> str:
    seeds = analysis.taint.seeds if analysis.taint else []
    paid = analysis.taint.totals["fifo"].seed if analysis.taint else 0  # each satoshi once
    times = [result.txs[t].tx.block_time for t, _ in seeds if result.txs[t].tx.block_time]
    lines = [f"{len(seeds)} payment(s) brought {format_btc(paid)} BTC to the seed(s)"
             + (f" between {format_utc(min(times))} and {format_utc(max(times))}." if times else ".")]
    lines.append(f"The trace followed the money through {len(result.txs)} transactions over "
                 f"{max((t.hop for t in result.txs.values()), default=0)} hops.")
    if analysis.taint:
        by_reason: Counter = Counter()
        for row in analysis.taint.rows:
            by_reason[row.reason] += row.sats["fifo"]
        for reason, sats in sorted(by_reason.items(), key=lambda kv: -kv[1]):
            lines.append(f"Under FIFO, {format_btc(sats)} BTC ended at: {STOP_EXPLANATIONS[StopReason(reason)]}.")
        lines.append(f"Fees took {format_btc(analysis.taint.totals['fifo'].fees)} BTC; the totals reconcile to the "
                     "satoshi under every method.")
        lines.extend(analysis.taint.notes)
    return "".join(f"<p>{_e(line)}</p>" for line in lines)


def _parameters(result: TraceResult, tags: TagIndex) -> str:
    limits = result.limits
    rows = [("seeds", summarise(result.seeds, "seeds", shown=20)), ("direction", result.direction.value),
            ("hops", limits.hops), ("minimum value", f"{format_btc(limits.min_value)} BTC"),
            ("time window", f"{format_utc(limits.since) or '-'} .. {format_utc(limits.until) or '-'}"),
            ("transaction cap", limits.max_transactions), ("large address above", f"{limits.large_address_tx_count} txs"),
            ("stop at tag categories", ", ".join(sorted(limits.stop_categories))),
            ("CoinJoins", "passed through, flagged" if limits.through_coinjoins else "stop the trace"),
            ("explorer", result.api_url), ("tags loaded", len(tags))]
    return _table(["parameter", "value"], rows)


def _findings(result: TraceResult, analysis: Analysis) -> str:
    parts = [f"<p>{len(result.coinjoins)} CoinJoin(s) detected:</p>",
             _table(["txid", "detector", "reason", "source"],
                    [(f.txid, f.heuristic, f.reason, f.reference) for _, f in sorted(result.coinjoins.items())])]
    merges = sorted(analysis.clusters.merges, key=lambda m: (m.txid, m.a))
    parts += [f"<p>{len(merges)} clustering merge(s); each links two addresses by one transaction:</p>",
              _table(["address", "address", "txid", "rule", "source"],
                     [(m.a, m.b, m.txid, m.rule, m.reference) for m in merges])]
    decided = sum(1 for v in analysis.change.values() if v.change is not None)
    parts.append(f"<p>Change was decided for {decided} of {len(analysis.change)} ordinary transactions "
                 "(votes per output in trace.json).</p>")
    parts += [f"<p>{len(analysis.peel_chains)} peel chain(s):</p>",
              _table(["starts at", "steps", "peeled BTC", "ends"],
                     [(c.steps[0].txid, c.length, format_btc(c.total_peeled), c.end) for c in analysis.peel_chains],
                     {1, 2})]
    return "".join(parts)


def _frame_table(frame, columns: list[str], note: str) -> str:
    """The report's columns of an exported table (the CSV has them all)."""
    frame = frame[columns]
    numeric = {i for i, c in enumerate(columns) if str(c).endswith(("_sats", "_btc", "_usd", "_share"))}
    return f"<p>{_e(note)}</p>" + _table(columns, frame.itertuples(index=False, name=None), numeric)


def _stops(result: TraceResult) -> str:
    rows = [(s.reason.value, s.hop, f"{s.txid}:{s.index}", s.address or "", format_btc(s.value), s.detail)
            for s in result.sorted_stops()]
    caps = [(c.name, c.limit, c.detail) for c in result.caps] or [("none", "", "")]
    notes = "".join(f"<p>Note: {_e(n)}</p>" for n in result.notes)
    return _table(["reason", "hop", "output", "address", "BTC", "detail"], rows, {1, 4}) + notes + \
        "<p>Caps that bit:</p>" + _table(["cap", "limit", "what it cut"], caps)


def _answer_checks(result: TraceResult) -> str:
    """What was checked of the explorer's answers before use, and where explorers disagreed."""
    if not result.checks:
        return ""
    checks = _table(["check", "counts", "passed", "rule"],
                    [(c["check"], c["subject"], f"{c['passed']:,}", c["rule"]) for c in result.checks["checks"]], {2})
    parts = [f"<p>Every explorer answer was checked before use ({_e(result.checks['network'])}); an answer failing "
             "any check is refused, never used. Passed, per check:</p>", checks]
    cross = result.cross_check
    if cross is not None:
        parts.append(f"<p>Cross-check of {len(cross.sampled)} transactions across {_e(', '.join(cross.explorers))}: "
                     f"{len(cross.disagreements)} disagreement(s), {len(cross.failures)} failure(s).</p>")
        parts.append(_table(["txid", "field", "explorer", "value", "other explorer", "value"],
                            [(d["txid"], d["field"], d["explorer_a"], d["value_a"], d["explorer_b"], d["value_b"])
                             for d in cross.disagreements] +
                            [(f["txid"], "(failed)", f["api_url"], f["error"], "", "") for f in cross.failures]))
    return "".join(parts)


def _provenance(result: TraceResult, prices: Prices, evidence: dict[str, Path | None]) -> str:
    rows = [("btctrace version", __version__), ("explorer API", result.api_url),
            ("explorer requests", result.requests), ("prices", prices.note or prices.source)]
    for name, path in evidence.items():
        if path is not None and Path(path).exists():
            rows.append((f"{name} sha256", f"{sha256_file(Path(path))} ({Path(path).name})"))
    cassette = evidence.get("cassette")
    if cassette is not None and Path(cassette).exists():
        fetched = [i["response"].get("fetched_at") for i in Cassette.load(cassette).interactions.values()]
        fetched = sorted(f for f in fetched if f)
        if fetched:
            rows.append(("responses fetched (UTC)", f"{fetched[0]} .. {fetched[-1]}"))
    return _table(["item", "value"], rows) + _answer_checks(result)


def _svg(path: Path) -> str:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", text)


def report_html(result: TraceResult, analysis: Analysis, tags: TagIndex, case: CaseInfo, prices: Prices,
                charts: list[Path], evidence: dict[str, Path | None]) -> str:
    """The whole report as one HTML string."""
    title = case.title or case.id or "btctrace trace"
    banner = ('<p class="synthetic">SYNTHETIC DATA: made by btctrace\'s demo generator, not real payments.</p>'
              if case.synthetic else "")
    accuracy = _table(["heuristic", "precision", "recall / coverage", "measured over"], MEASURED_ACCURACY)
    sections = [
        ("Summary", _summary(result, analysis)),
        ("Where the money ended", f'<div class="small">{_svg(charts[1])}</div><div class="small">{_svg(charts[2])}</div>'),
        ("Flow chart", f'<div class="chart">{_svg(charts[0])}</div>'),
        ("Seeds and parameters", _parameters(result, tags)),
        ("Methodology", f"<p>Measured on simulated wallets with known ownership (<span class=\"mono\">"
                        f"{_e(BENCHMARK_COMMAND)}</span>):</p>{accuracy}"),
        ("Findings", _findings(result, analysis)),
        ("Endpoints per taint method", _frame_table(endpoints_frame(analysis.taint), _ENDPOINT_COLUMNS,
                                                    "All columns, with satoshis, are in endpoints.csv.")),
        ("Subpoena packet", _frame_table(subpoena_frame(result, analysis, tags, prices), _SUBPOENA_COLUMNS,
                                         "One row per deposit; taint per method and reasoning are in subpoena.csv.")),
        ("Every stop and cap", _stops(result)),
        ("Limits of this analysis", "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in LIMITS) + "</ul>"),
        ("Provenance", _provenance(result, prices, evidence)),
    ]
    body = "".join(f'<h2 id="{_e(name.lower().replace(" ", "-"))}">{_e(name)}</h2>{content}' for name, content in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>{banner}{body}</body></html>\n")
