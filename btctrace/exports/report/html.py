"""``report.html``: one self-contained, printable case report (no external assets; the flow
chart is embedded as SVG). Sections: summary in plain words, seeds and parameters, methodology
with measured accuracy, findings with their evidence, endpoints per taint method, the subpoena
packet, every stop and cap, the limits of the analysis, and the provenance block. The only times
of the run it holds are the cassette's fetch times, in the provenance block."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterator

from btctrace.analysis import Analysis
from btctrace.cache.provenance import cassette_facts, sha256_file
from btctrace.case import CaseInfo
from btctrace.exports.charts.figure_files import svg_pages
from btctrace.exports.interchange.endpoints import endpoints_frame
from btctrace.exports.report.attribution_html import attributions_html, case_links_html, sanctions_banner
from btctrace.exports.report.cells import Markup, paired_table as _paired_table, table as _table
from btctrace.exports.report.listings import endpoints_html, peel_chains_html, stops_html
from btctrace.exports.report.finding import case_table, finding_html, report_title
from btctrace.exports.report.subpoena import subpoena_frame
from btctrace.exports.writing.safe_text import html_text, summarise
from btctrace.graph.case_roles import CaseRoles
from btctrace.heuristics.measured import (
    BENCHMARK_COMMAND,
    CHANGE_VS_PUBLISHED,
    HELD_OUT_ACCURACY,
    MEASURED_ACCURACY,
    METHOD_SOURCES,
)
from btctrace.notes import Note
from btctrace.tags import TagIndex
from btctrace.tracing.proving import HOW_PROVEN, proof_line
from btctrace.tracing.result import TraceResult
from btctrace.units import counted, format_btc, format_utc
from btctrace.valuation import Prices
from btctrace.version import __version__

__all__ = ["report_html", "report_pieces"]

# Screen and print. Printed on A4 or Letter with 12 mm margins, the page is at least 7.3 in
# wide: charts are drawn 7.2 in wide (their text sizes are their printed sizes), tables fit the
# width (txids and addresses in monospace and never broken: a line break inside one prints
# another identifier; a table with several identifiers gives each a full-width row), and words,
# categories and times never break in the middle.
_CSS = """@page{margin:12mm}
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;padding:0 1em;color:#222;max-width:60em;
font-size:10pt;line-height:1.35}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em;break-after:avoid}
table{border-collapse:collapse;font-size:8pt;margin:.5em 0;width:100%}
td,th{border:1px solid #bbb;padding:2px 4px;vertical-align:top;text-align:left;word-break:normal;
overflow-wrap:normal;hyphens:none}
th{background:#eee}tr{break-inside:avoid}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.t,span.t{white-space:nowrap}
td.id,span.id{font-family:'DejaVu Sans Mono',monospace;font-size:7pt;white-space:nowrap}
td.id{min-width:33ch}
.mono{font-family:'DejaVu Sans Mono',monospace}p span.id,li span.id{font-size:8.5pt}
.synthetic{background:#fee;border:2px solid #c00;padding:.5em;font-weight:bold}
.analyst{background:#fff6d5;border-left:4px solid #e0a800;padding:.3em .5em}
figure{margin:.5em 0}figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:8pt;color:#444}
.page,#flow-chart,#appendix-a-seeds-and-parameters,#appendix-e-address-level-flow-chart{break-before:page}
table.case{width:auto;font-size:9pt}table.case th{text-align:left;padding-right:1em}
table.packet td{border:none;border-top:1px solid #bbb}table.packet tr.detail td{border-top:none;padding-bottom:5px}
@media print{body{margin:0;padding:0;max-width:none}}"""
LIMITS = (
    "Explorer data is what the API answered at the fetch times below; a chain reorganisation or an "
    "explorer error after that is not reflected.",
    "Common-input clustering assumes one owner per non-CoinJoin transaction; PayJoins and other "
    "collaborative transactions that look ordinary can merge two owners.",
    "Change heuristics give candidates, not proof; change is used for clustering only when asked, and "
    "each such merge is marked.",
    "Tags come from the TagPacks named in the parameters and the store (pinned in store_snapshot.json); an "
    "untagged address may still be a service, and a cluster or deposit named through a member's tag is one "
    "confidence step below that tag.",
    "Taint methods are conventions, not facts: poison over-taints, haircut spreads thinly, FIFO and LIFO "
    "depend on input order. Report all four side by side.",
    "The trace stops where recorded (hop limit, minimum value, time window, transaction cap, large or "
    "tagged address, CoinJoin); money beyond those points is not followed.",
)


_e = html_text
def _tags_loaded(tags: TagIndex) -> str:
    """How many tags the run's files gave, and what of them it did not use as written."""
    not_used = tags.not_used()
    said = ", ".join(f"{number:,} {name.replace('_', ' ')}" for name, number in not_used.items())
    return f"{len(tags):,}" + (f" (not used as written: {said})" if said else "")


def _window(since: int | None, until: int | None) -> str:
    if since is None and until is None:
        return "not limited"
    if until is None:
        return f"from {format_utc(since)}"
    return f"until {format_utc(until)}" if since is None else f"{format_utc(since)} to {format_utc(until)}"


def _parameters(result: TraceResult, tags: TagIndex) -> str:
    limits = result.limits
    rows = [("seeds", summarise(result.seeds, "seeds", shown=20)), ("direction", result.direction.value),
            ("hops", limits.hops), ("minimum value", f"{format_btc(limits.min_value)} BTC"),
            ("time window", _window(limits.since, limits.until)),
            ("transaction cap", limits.max_transactions), ("large address above", f"{limits.large_address_tx_count} txs"),
            ("stop at tag categories", ", ".join(sorted(limits.stop_categories))),
            ("CoinJoins", "passed through, flagged" if limits.through_coinjoins else "stop the trace"),
            ("explorer", result.api_url), ("tags loaded", _tags_loaded(tags))]
    return _table(["parameter", "value"], rows)


def _findings(result: TraceResult, analysis: Analysis) -> str:
    opinion = analysis.second_opinion
    parts = [f"<p>{_e(counted(len(result.coinjoins), 'CoinJoin'))} detected; the confidence is the detector's prior, "
             "its measured accuracy is in the methodology section:</p>",
             _paired_table(["detector (confidence)", "reason", "source", "second opinion"],
                           [([f"{f.heuristic} ({f.confidence:.1f})", f.reason, f.reference, opinion.describe(f.txid)],
                             set(), Markup(f'txid <span class="id">{_e(f.txid)}</span>'))
                            for _, f in sorted(result.coinjoins.items())])]
    theirs_only = [a for a in opinion.agreements if a.ours is None]
    if theirs_only:
        parts += [f"<p>{opinion.implementation} alone calls {_e(counted(len(theirs_only), 'traced transaction'))} a CoinJoin "
                  "(btctrace's detectors do not; their inputs stay clustered):</p>",
                  _table(["txid", "reference says"], [(a.txid, f"{a.theirs} ({a.confidence}): {a.detail}")
                                                      for a in theirs_only])]
    parts.append(_merges(analysis))
    decided = sum(1 for v in analysis.change.values() if v.change is not None)
    parts.append(f"<p>Change was decided for {decided} of {len(analysis.change)} ordinary transactions "
                 "(votes per output in trace.json).</p>")
    parts.append(peel_chains_html(analysis))
    return "".join(parts)


MERGE_TXS_SHOWN = 10  # transactions whose merges the report lists; merges.csv holds every merge


def _merges(analysis: Analysis) -> str:
    """The clustering merges, one row per transaction (how many addresses it joined, by which
    rule), the largest first; every merge is in merges.csv."""
    by_tx: dict[str, list] = {}
    for merge in analysis.clusters.merges:
        by_tx.setdefault(merge.txid, []).append(merge)
    if not by_tx:
        return "<p>No clustering merge was made.</p>"
    ordered = sorted(by_tx.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = [(txid, len({a for m in merges for a in (m.a, m.b)}),
             "; ".join(sorted({f"{m.rule}: {m.reference}" for m in merges}))) for txid, merges in ordered]
    merges = sum(len(m) for m in by_tx.values())
    shown = "" if len(rows) <= MERGE_TXS_SHOWN else \
        f" The {MERGE_TXS_SHOWN} that joined the most are listed; the other {len(rows) - MERGE_TXS_SHOWN:,} are in merges.csv."
    return (f"<p>{_e(counted(merges, 'clustering merge'))} by {_e(counted(len(rows), 'transaction'))}; each joins "
            f"addresses that transaction spent together. Every merge, pair by pair, is in merges.csv.{_e(shown)}</p>"
            + _table(["transaction", "addresses joined", "rule and source"], rows[:MERGE_TXS_SHOWN], {1}))


def _answer_checks(result: TraceResult) -> str:
    """What was checked of the explorer's answers before use, and where explorers disagreed."""
    if not result.checks:
        return ""
    checks = _table(["check", "counts", "passed", "rule"],
                    [(c["check"], c["subject"], f"{c['passed']:,}", c["rule"]) for c in result.checks["checks"]], {2})
    parts = [f"<p>Every explorer answer was checked before use ({_e(result.checks['network'])}); an answer failing "
             "any check is refused, never used. Passed, per check:</p>", checks]
    parts.append(_proofs(result))
    cross = result.cross_check
    if cross is not None:
        parts.append(f"<p>Cross-check of {len(cross.sampled)} transactions across {_e(', '.join(cross.explorers))}: "
                     f"{_e(counted(len(cross.disagreements), 'disagreement'))}, "
                     f"{_e(counted(len(cross.failures), 'failure'))}.</p>")
        parts.append(_table(["txid", "field", "explorer", "value", "other explorer", "value"],
                            [(d["txid"], d["field"], d["explorer_a"], d["value_a"], d["explorer_b"], d["value_b"])
                             for d in cross.disagreements] +
                            [(f["txid"], "(failed)", f["api_url"], f["error"], "", "") for f in cross.failures]))
    return "".join(parts)


def _proofs(result: TraceResult) -> str:
    """Which blocks and transactions were proven, and how; the unproven ones by txid."""
    record = result.proofs
    text = f"<p>{_e(proof_line(record))}.</p>"
    if record is None or not record.unproven():
        return text
    return text + _table(["unproven transaction", "why"], [(txid, HOW_PROVEN["unproven"]) for txid in record.unproven()])


def _provenance(result: TraceResult, prices: Prices, evidence: dict[str, Path | None]) -> str:
    rows = [("btctrace version", __version__), ("explorer API", result.api_url),
            ("explorer requests", result.requests), ("prices", prices.note or prices.source)]
    if prices.unchecked:
        rows.append(("prices not checked", f"{len(prices.unchecked)} of {len(prices.by_hour)} hourly prices: no price "
                                           "a day before or after to hold them against"))
    if prices.second_source:
        rows.append(("prices' second opinion", f"{prices.second_source}: {len(prices.disputed)} of "
                                               f"{len(prices.by_hour)} hourly prices disputed (beside each amount in "
                                               "subpoena.csv)"))
    for name, path in evidence.items():
        if path is not None and Path(path).exists():
            rows.append((f"{name} sha256", f"{sha256_file(Path(path))} ({Path(path).name})"))
    cassette = evidence.get("cassette")
    if cassette is not None and Path(cassette).exists():
        fetched = cassette_facts(Path(cassette)).fetched
        if fetched:
            rows.append(("responses fetched (UTC)", f"{fetched[0]} .. {fetched[1]}"))
    return _table(["item", "value"], rows) + _answer_checks(result)


def _svg(path: Path) -> str:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", text)


def _figure(svg: str, caption: str, page_break: bool = False) -> str:
    opening = '<figure class="page">' if page_break else "<figure>"
    return f"{opening}{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _address_pages(path: Path) -> str:
    """Each page of the address-level chart on its own printed page."""
    pages = svg_pages(path.read_text(encoding="utf-8")) if path.exists() else []
    if not pages and path.exists():
        pages = [_svg(path)]
    return "".join(_figure(page, f"Address-level flow, page {n} of {len(pages)} (flow.pdf holds the same pages).",
                           page_break=n > 1) for n, page in enumerate(pages, 1))


def _subpoena_packet(frame) -> str:
    """One deposit per entry: what to ask the service about (service, amount, UTC time, block,
    tainted share, confidence), then its deposit address and txid whole, in monospace."""
    if frame.empty:
        return "<p>No deposit at a tagged service or large address was reached.</p>"
    rows = []
    for number, row in enumerate(frame.itertuples(index=False), 1):
        service = f"{row.service_label} ({row.category})" if row.category else row.service_label
        source = f" · tag source: {_e(row.tag_source)}" if row.tag_source else ""
        sanctions = f'<br><strong>SANCTIONS: {_e(row.sanctions)}</strong>' if row.sanctions else ""
        price = f'<br><strong>USD price {_e(row.usd_price_note)}</strong>' if row.usd_price_note else ""
        detail = Markup(f'deposit address <span class="id">{_e(row.deposit_address)}</span><br>txid '
                        f'<span class="id">{_e(row.txid)}</span> output {_e(row.vout)}{source}{sanctions}{price}')
        rows.append(([number, service, row.amount_btc, row.amount_usd, row.time_utc, row.block_height,
                      row.tainted_share, row.confidence], {0, 2, 3, 5, 6}, detail))
    return ("<p>One deposit per entry; taint under every method and the reasoning are in subpoena.csv.</p>"
            + _paired_table(["#", "service", "BTC", "USD", "time (UTC)", "block", "FIFO share", "confidence"], rows))


def _analyst_notes(notes: list[Note]) -> str:
    """The analyst's notes, set apart: their words, not the tool's findings."""
    if not notes:
        return "<p>No analyst's notes were given (explorer.html: Download notes; then --notes or [notes] file).</p>"
    return ('<p class="analyst">The notes below are the analyst\'s own words, added in explorer.html; they are '
            "not findings of btctrace.</p>" + _table(["on", "analyst's note"], [(n.subject, n.text) for n in notes]))


def _methodology(accuracy: str) -> str:
    """The measured accuracy: the wallet simulator, the held-out generator, the published change figures."""
    return (f"<p>Measured on simulated wallets with known ownership (<span class=\"mono\">{_e(BENCHMARK_COMMAND)}"
            "</span>). The simulator's CoinJoins follow the detectors' own protocol rules, so its CoinJoin rows "
            f"are partly circular:</p>{accuracy}"
            "<p>Held out: CoinJoins generated from the coordinators' own parameters (Whirlpool, Wasabi 1.x, "
            "Wasabi 2.0, JoinMarket) and ordinary look-alikes, scored for btctrace and for graphsense-lib, an "
            "independent implementation of the same published rules:</p>"
            + _table(["transactions", "btctrace", "graphsense-lib 2.18.1", "what it shows"], HELD_OUT_ACCURACY)
            + "<p>Change heuristics beside the single-heuristic rates Moeser &amp; Narayanan publish for real "
              "transactions (true / false positives as shares of all ground-truth transactions):</p>"
            + _table(["heuristic", "btctrace (simulated)", "published (real)", "why they differ"], CHANGE_VS_PUBLISHED)
            + "<p>Sources: " + "; ".join(_e(s) for s in METHOD_SOURCES) + ".</p>")


def report_pieces(result: TraceResult, analysis: Analysis, tags: TagIndex, case: CaseInfo, prices: Prices,
                  charts: list[Path], evidence: dict[str, Path | None], notes: list[Note] | None = None,
                  attribution: dict[str, Any] | None = None, case_roles: CaseRoles | None = None) -> Iterator[str]:
    """The report's HTML, section by section: each is made as it is written (the largest cases
    would otherwise hold every section, and their pieces, at once). Page 1 is the finding; the
    evidence for it follows; methodology, accuracy, limits and provenance are appendices."""
    attribution = attribution or {"store": None, "tags_from_store": 0, "sanctions": [], "clusters": [],
                                  "deposits": [], "case_links": [], "addresses": []}
    title = report_title(result, case)
    banner = ('<p class="synthetic">SYNTHETIC DATA: made by btctrace\'s demo generator, not real payments.</p>'
              if case.synthetic else "") + sanctions_banner(attribution)
    accuracy = _table(["heuristic", "precision", "recall / coverage", "measured over"], MEASURED_ACCURACY)
    sections: list[tuple[str, Callable[[], str]]] = [
        ("Finding", lambda: finding_html(result, analysis, case, prices, attribution, case_roles)),
        ("Flow chart", lambda: _figure(_svg(charts[0]), "Who paid whom: entities (clusters, services, holdings) with "
                                                        "the transfers between them summed. The address-level chart is "
                                                        "Appendix E; every transfer is in transfers.csv.")),
        ("Where the money ended", lambda: _figure(_svg(charts[1]), "Where the seed money ended (FIFO taint; "
                                                                   "endpoints.csv has every method).")
         + _figure(_svg(charts[2]), "Payments in, movements and cash-outs over time (UTC).")),
        ("Heuristic findings", lambda: _findings(result, analysis)),
        ("Endpoints per taint method", lambda: endpoints_html(endpoints_frame(analysis.taint))),
        ("Subpoena packet", lambda: _subpoena_packet(subpoena_frame(result, analysis, tags, prices))),
        ("Attributions", lambda: attributions_html(attribution, _table)),
        ("Links to other cases", lambda: case_links_html(attribution, _table)),
        ("Every stop and cap", lambda: stops_html(result)),
        ("Analyst's notes", lambda: _analyst_notes(notes or [])),
        ("Appendix A: seeds and parameters", lambda: _parameters(result, tags)),
        ("Appendix B: methodology and measured accuracy", lambda: _methodology(accuracy)),
        ("Appendix C: limits of this analysis",
         lambda: "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in LIMITS) + "</ul>"),
        ("Appendix D: provenance and answer checks", lambda: _provenance(result, prices, evidence)),
        ("Appendix E: address-level flow chart", lambda: _address_pages(charts[3])),
    ]
    yield (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
           f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>{banner}{case_table(case)}")
    for name, content in sections:
        anchor = _e(re.sub(r"[^a-z]+", "-", name.lower()).strip("-"))
        yield f'<h2 id="{anchor}">{_e(name)}</h2>'
        yield content()
    yield "</body></html>\n"


def report_html(result: TraceResult, analysis: Analysis, tags: TagIndex, case: CaseInfo, prices: Prices,
                charts: list[Path], evidence: dict[str, Path | None], notes: list[Note] | None = None,
                attribution: dict[str, Any] | None = None, case_roles: CaseRoles | None = None) -> str:
    """The whole report as one HTML string (:func:`report_pieces` joined)."""
    return "".join(report_pieces(result, analysis, tags, case, prices, charts, evidence, notes, attribution,
                                 case_roles))
