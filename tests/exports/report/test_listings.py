"""The report's long listings stay bounded in print and still add up: past 100 places or stops
the largest are listed and the rest summed in one row that names the CSV holding each."""

import re

import pandas as pd

from btctrace.exports.interchange.endpoints import endpoints_frame
from btctrace.exports.report.listings import ENDPOINTS_SHOWN, STOPS_SHOWN, endpoints_html, stops_html
from btctrace.units import format_btc


def test_more_stops_than_the_report_lists_are_summed_in_one_row(thousand_trace):
    result, _, _ = thousand_trace
    assert len(result.stops) > STOPS_SHOWN
    html = stops_html(result)
    largest = sorted(s.value for s in result.stops)[-STOPS_SHOWN:]
    rest = sum(s.value for s in result.stops) - sum(largest)
    assert f"{len(result.stops) - STOPS_SHOWN:,} more stops" in html and format_btc(rest) in html
    assert f"The {STOPS_SHOWN} largest stops (every one is in stops.csv)" in html
    summary = html[:html.index("<p>The ")]  # the per-reason table comes first
    counted = sum(int(n.replace(",", "")) for n in re.findall(r'<td class="n">([\d,]+)</td><td class="n">', summary))
    assert counted == len(result.stops), "the per-reason counts cover every stop"


def test_a_few_stops_are_each_listed_in_the_trace_order(demo_trace):
    result, _, _ = demo_trace
    html = stops_html(result)
    assert "Each stop (also in stops.csv)" in html and "more stops" not in html
    positions = [html.index(f"{s.txid}:{s.index}") for s in result.sorted_stops()]
    assert positions == sorted(positions)


def test_more_places_than_the_report_lists_keep_the_largest_and_sum_the_rest(thousand_trace):
    from btctrace.analysis import analyse

    result, _, _ = thousand_trace
    frame = endpoints_frame(analyse(result).taint)
    assert len(frame) > ENDPOINTS_SHOWN
    html = endpoints_html(frame)
    rest = frame.sort_values("fifo_sats", ascending=False, kind="stable").iloc[ENDPOINTS_SHOWN:]
    assert f"{len(frame) - ENDPOINTS_SHOWN:,} more places" in html
    assert format_btc(int(rest["fifo_sats"].sum())) in html and format_btc(int(rest["poison_sats"].sum())) in html
    largest = frame.loc[frame["fifo_sats"].idxmax(), "place"]
    assert largest in html


def test_a_few_places_are_each_listed():
    frame = pd.DataFrame({"place": ["a", "b"], "reason": ["unspent"] * 2, "label": ["", ""], "category": ["", ""],
                          **{f"{m}_sats": [5, 7] for m in ("poison", "haircut", "fifo", "lifo")},
                          **{f"{m}_btc": ["0.00000005", "0.00000007"] for m in ("poison", "haircut", "fifo", "lifo")},
                          "first_utc": ["", ""], "last_utc": ["", ""], "min_path_length": [1, 2]})
    html = endpoints_html(frame)
    assert "more places" not in html and html.index("at <span") < html.rindex("at <span")
