"""The HTML report: self-contained (no external assets), every required section, the chart
embedded, synthetic marked, figures that agree with the other outputs."""

import json
from html.parser import HTMLParser

import pytest

from btctrace.exports.charts.figure_files import svg_pages
from btctrace.reference import reference_implementation
from tests.cli.conftest import DEMO_CASE, invoke

SECTIONS = ["finding", "flow-chart", "where-the-money-ended", "heuristic-findings", "endpoints-per-taint-method",
            "subpoena-packet", "attributions", "links-to-other-cases", "every-stop-and-cap", "analyst-s-notes",
            "appendix-a-seeds-and-parameters", "appendix-b-methodology-and-measured-accuracy",
            "appendix-c-limits-of-this-analysis", "appendix-d-provenance-and-answer-checks",
            "appendix-e-address-level-flow-chart"]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.external, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for key in ("src", "href"):
            if attrs.get(key, "").startswith(("http:", "https:", "//")) and tag in {"img", "script", "link"}:
                self.external.append(attrs[key])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "demo"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0
    return out, (out / "report.html").read_text()


def test_report_has_every_section_and_no_external_asset(report):
    _, text = report
    parser = _Collector()
    parser.feed(text)
    assert [i for i in parser.ids if i in SECTIONS] == SECTIONS
    assert parser.external == [] and "script" not in parser.tags
    assert "svg" in parser.tags, "the flow chart is embedded"


def test_report_says_synthetic_and_agrees_with_the_outputs(report, demo):
    out, text = report
    assert "SYNTHETIC DATA" in text
    assert "received 5 payments totalling 50.75200000 BTC" in text
    assert demo.coinjoin_txid in text and demo.cospend[0] in text
    assert "Northwind Exchange (synthetic)" in text
    assert "cassette sha256" in text and "responses fetched (UTC)" in text


def test_report_provenance_says_how_many_answers_passed_each_check(report):
    import json

    out, text = report
    provenance = text[text.index('id="appendix-d-provenance-and-answer-checks"'):]
    checks = json.loads((out / "trace.json").read_text())["answer_checks"]["checks"]
    assert "Every explorer answer was checked before use (mainnet)" in provenance
    for check in checks:
        assert f"<td>{check['check']}</td><td>{check['subject']}</td><td class=\"n\">{check['passed']:,}</td>" in provenance
    assert {c["check"] for c in checks if c["passed"]} >= {"txid", "money_conserved", "prevout_agrees", "spender_spends"}


def test_report_displays_in_headless_chromium_without_console_errors(report):
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed")
    out, _ = report
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={out / 'chromium-profile'}", "--enable-logging=stderr", "--v=0"]
    shown = subprocess.run([browser, *flags, "--dump-dom", (out / "report.html").as_uri()],
                           capture_output=True, text=True, timeout=120, check=False)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "received 5 payments totalling 50.75200000 BTC" in shown.stdout and "<svg" in shown.stdout
    console = [line for line in shown.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console


def test_summary_charts_are_written_and_embedded(report):
    out, text = report
    for name in ("sankey.svg", "timeline.svg"):
        svg = (out / name).read_text()
        assert svg.lstrip().startswith("<?xml") and "<dc:date>" not in svg and len(svg) > 5_000
    pages = svg_pages((out / "flow.svg").read_text())
    assert len(pages) >= 2 and text.count("<svg") == 3 + len(pages), "main figure, two summaries, each page"
    assert text.index((out / "entity_flow.svg").read_text().split("<svg", 1)[1][:200]) < text.index('id="appendix-a')


def test_report_gives_each_coinjoin_a_second_opinion_and_the_held_out_figures(report, demo):
    out, text = report
    opinion = json.loads((out / "trace.json").read_text())["second_opinion"]
    assert opinion["implementation"] == reference_implementation()
    if opinion["implementation"] is None:
        assert "not asked: install btctrace[reference]" in text and opinion["transactions"] == []
    else:
        row = next(t for t in opinion["transactions"] if t["txid"] == demo.coinjoin_txid)
        assert row["verdict"] == "agree" and f"{opinion['implementation']} agrees" in text
    assert "Held out: CoinJoins generated from the coordinators" in text and "Moeser &amp; Narayanan" in text
