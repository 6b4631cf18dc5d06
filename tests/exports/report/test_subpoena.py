"""The subpoena packet: one row per deposit at a service, amounts that agree with the taint
endpoints, the tag's source, and n/a (never 0) where no USD price is known."""

import pandas as pd

from btctrace.analysis import analyse
from btctrace.exports.report.subpoena import SUBPOENA_COLUMNS, subpoena_frame


def test_one_row_per_service_deposit(demo, demo_trace):
    result, _, tags = demo_trace
    analysis = analyse(result, tags=tags)
    frame = subpoena_frame(result, analysis, tags)
    assert list(frame.columns) == SUBPOENA_COLUMNS
    services = [r for r in analysis.taint.rows if r.reason in {"tagged_service", "large_address"}]
    assert len(frame) == sum(len(r.outputs) for r in services) == 9
    assert frame["fifo_sats"].sum() == sum(r.sats["fifo"] for r in services)
    exchange = frame[frame["category"] == "exchange"]
    assert set(exchange["deposit_address"]) <= set(demo.exchange_addresses)
    assert (exchange["tag_source"] == "btctrace synthetic demo").all()
    large = frame[frame["service_label"] == "unidentified service"]
    assert list(large["deposit_address"]) == [demo.large_address] and "transactions > 1000" in large["reasoning"].iloc[0]
    assert (frame["amount_usd"] == "n/a").all() and (frame["tainted_share"] == "1.0000").all()


def test_no_services_gives_an_empty_table_with_its_header(demo_trace):
    result, _, _ = demo_trace
    from btctrace.tags import TagIndex

    frame = subpoena_frame(result, analyse(result, tags=TagIndex()), TagIndex())
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == SUBPOENA_COLUMNS
