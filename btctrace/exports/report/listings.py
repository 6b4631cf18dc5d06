"""The report's long listings, bounded for print: the peel chains (one row each), where the
money ended (the :data:`ENDPOINTS_SHOWN` places holding the most, the rest summed) and the stops
(counted per reason, the :data:`STOPS_SHOWN` largest listed, the rest summed). Each says which
table holds every row: peel_chains.csv, endpoints.csv, stops.csv."""

from __future__ import annotations

from btctrace.analysis import Analysis
from btctrace.exports.report.cells import Markup, paired_table as _paired_table, table as _table
from btctrace.exports.writing.safe_text import html_text as _e
from btctrace.heuristics.peeling import PEEL_REFERENCE
from btctrace.tracing.result import TraceResult
from btctrace.units import counted, format_btc, format_utc

__all__ = ["ENDPOINTS_SHOWN", "STOPS_SHOWN", "peel_chains_html", "endpoints_html", "stops_html"]


def peel_chains_html(analysis: Analysis) -> str:
    """One row per chain (its hops, peels, first and last transactions and dates); the charts
    draw a long chain as one box, and every hop is in peel_chains.csv."""
    chains = analysis.peel_chains
    intro = f"<p>{_e(counted(len(chains), 'peel chain'))}" + (
        f" ({PEEL_REFERENCE}); every hop of each, with its peel and the change passed on, is in peel_chains.csv. "
        "The charts draw a chain of five hops or more as one box.</p>" if chains else ".</p>")
    rows = [([c.length, format_btc(c.total_peeled), f"{format_utc(c.steps[0].block_time)[:10] or 'unconfirmed'} to "
              f"{format_utc(c.steps[-1].block_time)[:10] or 'unconfirmed'}", c.end], {0, 1},
             Markup(f'from <span class="id">{_e(c.steps[0].txid)}</span> to <span class="id">'
                    f'{_e(c.steps[-1].txid)}</span>')) for c in chains]
    return intro + (_paired_table(["hops", "peeled BTC", "dates (UTC)", "ends"], rows) if rows else "")


ENDPOINTS_SHOWN = 100  # places the report lists, the largest first; endpoints.csv holds every one


def endpoints_html(frame) -> str:
    """Where the money ended, per taint method (BTC), with each place and its time range: every
    place in endpoints.csv's order, or past :data:`ENDPOINTS_SHOWN` the largest that many (by
    FIFO, then haircut; in that order) and the rest summed in one row."""
    largest = frame.sort_values(["fifo_sats", "haircut_sats"], ascending=False, kind="stable").index[:ENDPOINTS_SHOWN]
    kept = frame.index.isin(largest)
    shown, rest = frame[kept], frame[~kept]
    rows = _endpoint_rows(shown)
    if len(rest):
        sums = [format_btc(int(rest[f"{m}_sats"].sum())) for m in ("fifo", "haircut", "poison", "lifo")]
        rows.append((["the rest", f"{len(rest):,} more places", *sums], {2, 3, 4, 5},
                     Markup(f"each listed in endpoints.csv; the {ENDPOINTS_SHOWN} largest by FIFO are above")))
    return ("<p>All columns, with satoshis, are in endpoints.csv"
            + (f", one row per place; the {ENDPOINTS_SHOWN} places holding the most are listed here" if len(rest) else "")
            + ".</p>" + _paired_table(["reason", "label", "FIFO BTC", "haircut BTC", "poison BTC", "LIFO BTC"], rows))


def _endpoint_rows(frame) -> list:
    rows = []
    for row in frame.itertuples(index=False):
        label = f"{row.label} ({row.category})" if row.category else row.label
        detail = Markup(f'at <span class="id">{_e(row.place)}</span>; first {_e(row.first_utc or "-")}, '
                        f"last {_e(row.last_utc or '-')}; {_e(counted(int(row.min_path_length), 'hop'))} from the seed")
        rows.append(([row.reason, label, row.fifo_btc, row.haircut_btc, row.poison_btc, row.lifo_btc],
                     {2, 3, 4, 5}, detail))
    return rows


STOPS_SHOWN = 100  # stops the report lists, the largest first; stops.csv holds every one


def stops_html(result: TraceResult) -> str:
    """Every stop counted and summed per reason, then each stop in the trace's order, or, past
    :data:`STOPS_SHOWN`, the largest that many and the rest summed (each is in stops.csv);
    then the caps that bit."""
    ordered = result.sorted_stops()
    if len(ordered) > STOPS_SHOWN:
        largest = sorted(range(len(ordered)), key=lambda i: -ordered[i].value)[:STOPS_SHOWN]  # stable among equals
        shown, rest = [ordered[i] for i in sorted(largest)], len(ordered) - STOPS_SHOWN
    else:
        shown, rest = ordered, 0
    rows = [([s.reason.value, s.hop, format_btc(s.value), s.detail], {1, 2},
             Markup(f'output <span class="id">{_e(s.txid)}:{_e(s.index)}</span>'
                    + (f' at <span class="id">{_e(s.address)}</span>' if s.address else "")))
            for s in shown]
    if rest:
        rest_sats = sum(s.value for s in ordered) - sum(s.value for s in shown)
        rows.append((["the rest", "", format_btc(rest_sats), f"{rest:,} more stops"], {2},
                     Markup(f"each listed in stops.csv; the {STOPS_SHOWN} largest are above, in the trace's order")))
    by_reason: dict[str, list[int]] = {}
    for stop in ordered:
        by_reason.setdefault(stop.reason.value, []).append(stop.value)
    summary = _table(["reason", "stops", "BTC"], [(reason, f"{len(values):,}", format_btc(sum(values)))
                                                   for reason, values in sorted(by_reason.items())], {1, 2})
    listed = f"The {STOPS_SHOWN} largest stops (every one is in stops.csv):" if rest else "Each stop (also in stops.csv):"
    caps = [(c.name, c.limit, c.detail) for c in result.caps] or [("none", "", "")]
    notes = "".join(f"<p>Note: {_e(n)}</p>" for n in result.notes)
    return summary + f"<p>{listed}</p>" + _paired_table(["reason", "hop", "BTC", "detail"], rows) + notes + \
        "<p>Caps that bit:</p>" + _table(["cap", "limit", "what it cut"], caps)
