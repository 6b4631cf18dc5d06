"""Page 1 of the report, as text: the case's particulars ("not given" where the case file is
silent), every seed whole, each seed's receipts in words with readable dates, attributions
grouped by tag with their source and confidence, roles said to come from the chain, and
singular or plural as the count is."""

import re

from btctrace.analysis import analyse
from btctrace.case import CaseInfo
from btctrace.exports.report.attribution import attribution_section
from btctrace.exports.report.finding import NOT_GIVEN, case_table, finding_html, report_title
from btctrace.store.snapshot import StoreView
from btctrace.valuation import Prices


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_case_table_says_not_given_rather_than_leave_a_gap():
    text = _text(case_table(CaseInfo("c1", examiner="J. Doe", report_date="2026-12-04")))
    assert "Examiner J. Doe" in text and "Report date 4 December 2026 (2026-12-04)" in text
    assert f"Agency {NOT_GIVEN}" in text and f"Exhibit reference {NOT_GIVEN}" in text


def test_without_a_title_the_report_is_named_by_what_was_traced(demo_trace, demo):
    result, _, _ = demo_trace
    assert report_title(result, CaseInfo()) == f"Forward trace from {demo.ransom_address}"
    assert report_title(result, CaseInfo("x", "A title")) == "A title"


def test_the_finding_says_what_was_received_where_it_went_and_who_tagged_what(demo_trace, demo):
    result, graph, tags = demo_trace
    analysis = analyse(result, tags=tags)
    attribution = attribution_section(result, analysis, graph, tags, StoreView())
    text = _text(finding_html(result, analysis, CaseInfo("c"), Prices(), attribution, None))
    assert f"from 1 seed: {demo.ransom_address}" in text
    assert f"{demo.ransom_address} received 5 payments totalling 50.75200000 BTC (USD value not known" in text
    assert re.search(r"between \d+ April 2024, \d\d:\d\d UTC \(2024-04-\d\dT", text)
    assert "5 traced addresses are each tagged “Northwind Exchange (synthetic)” (exchange; source:" in text
    assert "confidence: ownership" in text and "How: a tag on each address itself" in text
    assert "presumes no one a victim or an offender" in text
    assert "The trace followed the money through 22 transactions (hops 0–14)" in text
    assert "(s)" not in text and " 1 hops" not in text and "1 payments" not in text
