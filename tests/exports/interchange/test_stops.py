"""stops.csv: every stop of the trace, one row each, in the trace's order, satoshis exact."""

from btctrace.exports.interchange.stops import STOP_COLUMNS, stops_frame
from btctrace.tracing.result import STOP_EXPLANATIONS, StopReason


def test_every_stop_is_a_row_in_the_trace_order(thousand_trace):
    result, _, _ = thousand_trace
    frame = stops_frame(result)
    assert list(frame.columns) == STOP_COLUMNS and len(frame) == len(result.stops) > 100
    ordered = result.sorted_stops()
    assert list(frame["txid"]) == [s.txid for s in ordered] and list(frame["index"]) == [s.index for s in ordered]
    assert frame["value_sats"].sum() == sum(s.value for s in result.stops)
    unspent = frame[frame["reason"] == StopReason.UNSPENT.value]
    assert set(unspent["meaning"]) == {STOP_EXPLANATIONS[StopReason.UNSPENT]}
