"""The real-case gallery: the real chains in ../shared/data/bih-validation-esplora (Colonial
Pipeline forward from both ransom addresses, backward from the DarkSide-tagged address, the
OFAC-listed Hydra address, the Bitfinex seizure, the Whirlpool Tx0 and its mix), traced through
the loopback Esplora server with the public GraphSense TagPacks and the OFAC list imported into
a store, as a new user would. Every exhibit is held to issue 30: roles from the chain or the case
file, never presumed; page 1 of the printed report is the finding; no identifier broken; the
main chart laid out by the engine with no text overprinted or crossed by an arrow and no more
crossings than the engine's. Read at test time, never copied; skipped without ../shared.

The recorded files hold only some of each address's history (PROVENANCE.md), and the
history_complete check rightly refuses a history that omits a transaction it spends from; so
each case's limits keep the walk inside what was recorded (the Colonial cases to 2021, as a
case about May–June 2021 would be; the DarkSide case to one hop back)."""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass

import pandas as pd
import pytest

from btctrace.case import CaseInfo
from btctrace.exports.charts.entity_chart import entity_figure
from btctrace.exports.charts.entity_flow import entity_chart
from btctrace.exports.charts.label_layout import overlapping_pairs, text_boxes
from btctrace.exports.charts.layered import engine_available
from btctrace.runner import TraceJob, run_trace
from btctrace.tracing.result import Direction, Seed, TraceLimits
from tests.conftest import SHARED_DATA
from tests.exports.charts.drawn import arrow_lines, crossings_drawn, texts_crossed_by

DATA = SHARED_DATA / "bih-validation-esplora"
RANSOM, ANCHOR = "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegq"
DARKSIDE, HYDRA = "bc1q7eqww9dmm9p48hx5yz5gcvmncu65w43wfytpsf", "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T"
PAYMENT = "6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2"
SEIZURE = "c49ff6bd054fb386cd02fc94ca34b8773229ed8a5538e023ef7bea772d70c17a"
TX0 = "333f45431e47b9543772013ac83a9b33cc58dc3245ccfd48b972107bb8405c13"
END_OF_2021 = 1_640_995_200
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-pdf-header-footer"]


@dataclass(frozen=True)
class GalleryCase:
    name: str
    seeds: tuple
    direction: Direction
    limits: TraceLimits
    info: CaseInfo


CASES = [
    GalleryCase("colonial", (Seed("address", RANSOM), Seed("address", ANCHOR)), Direction.FORWARD,
                TraceLimits(hops=6, until=END_OF_2021), CaseInfo("colonial", "Colonial Pipeline ransom (gallery)")),
    GalleryCase("colonial-roles", (Seed("address", RANSOM),), Direction.FORWARD, TraceLimits(hops=6, until=END_OF_2021),
                CaseInfo("colonial-roles", "Colonial Pipeline ransom, roles from the case file", kind="ransom",
                         examiner="A. Examiner", agency="Gallery Cyber Unit", report_date="2026-12-04",
                         exhibit="AE/1", victims=(PAYMENT,), seed_owner="DarkSide affiliate",
                         source="case file colonial.toml")),
    GalleryCase("darkside-back", (Seed("address", DARKSIDE),), Direction.BACKWARD, TraceLimits(hops=1),
                CaseInfo("darkside-back", "Back from the DarkSide-tagged address (gallery)")),
    GalleryCase("hydra", (Seed("address", HYDRA),), Direction.FORWARD, TraceLimits(hops=6),
                CaseInfo("hydra", "Hydra market address (gallery)")),
    GalleryCase("bitfinex", (Seed("tx", SEIZURE),), Direction.FORWARD, TraceLimits(hops=2),
                CaseInfo("bitfinex", "Bitfinex seizure (gallery)")),
    GalleryCase("whirlpool", (Seed("tx", TX0),), Direction.FORWARD, TraceLimits(hops=3, through_coinjoins=True),
                CaseInfo("whirlpool", "Whirlpool Tx0 and mix (gallery)")),
]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """Case name -> (outcome, output folder), all traced through one loopback server."""
    from btctrace.store import open_store
    from btctrace.store.tag_sources import ListDefaults
    from btctrace.testing.chain import ChainStore
    from btctrace.testing.server import EsploraServer

    if not DATA.is_dir():
        pytest.skip("../shared/data/bih-validation-esplora is not present")
    store = ChainStore.from_files(sorted(DATA.glob("*_txs.json")) + sorted(DATA.glob("*_tx*.json")))
    for path in sorted(DATA.glob("*_stats.json")):
        stats = json.loads(path.read_text())
        store.stats_override[stats["address"]] = stats
    folder = tmp_path_factory.mktemp("gallery")
    tags = open_store(str(folder / "store.sqlite"))
    tags.import_file("tagpack", SHARED_DATA / "graphsense-tagpacks")
    tags.import_file("list", SHARED_DATA / "ofac-sanctioned-btc" / "sanctioned_addresses_XBT.txt",
                     ListDefaults("OFAC SDN (0xB10C list)", "sanction",
                                  "https://github.com/0xB10C/ofac-sanctioned-digital-currency-addresses", sanctions=True))
    tags.close()
    traced = {}
    with EsploraServer(store) as server:
        for case in CASES:
            job = TraceJob(seeds=case.seeds, out_dir=folder / case.name, direction=case.direction,
                           limits=case.limits, api_url=server.api_url, store=str(folder / "store.sqlite"),
                           case=case.info)
            traced[case.name] = (run_trace(job), folder / case.name)
    return traced




@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_roles_come_from_the_chain_or_the_case_file_never_from_position(gallery, case):
    outcome, out = gallery[case]
    addresses = pd.read_csv(out / "addresses.csv", dtype=str)
    kinds = set(pd.read_csv(out / "entity_flows.csv", dtype=str)[["from_kind", "to_kind"]].stack())
    assert not {"victim", "extortionist"} & set(addresses["role"])
    if case == "colonial-roles":
        payers = {i.address for i in outcome.result.txs[PAYMENT].tx.inputs}
        assert {n for n, d in outcome.graph.nodes(data=True) if d.get("case_role") == "victim"} == payers
        assert "victim" in kinds and "extortionist" not in kinds
    else:
        assert not {"victim", "extortionist"} & kinds
        assert not any(d.get("case_role") for _, d in outcome.graph.nodes(data=True))
    report = (out / "report.html").read_text()
    assert "Extortionist" not in report and "extortionist" not in report


def test_the_ofac_listed_hydra_address_is_a_marked_seed_not_an_extortionist(gallery):
    outcome, out = gallery["hydra"]
    chart = entity_chart(outcome.graph, outcome.result.coinjoins, max_per_column=None,
                         sanctioned=frozenset({HYDRA}))
    seed = next(e for e in chart.entities.values() if e.kind == "seed")
    assert seed.sanctioned and HYDRA in seed.addresses and seed.short_name.startswith("16ZSAEfY")
    assert "payer" in {e.kind for e in chart.entities.values()}


@pytest.mark.skipif(not engine_available(), reason="the layout engine (pygraphviz) is not installed")
@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_the_main_chart_overprints_nothing_and_crosses_no_more_than_the_engine(gallery, case):
    from btctrace.exports.charts.entity_chart import fit_chart
    from tests.exports.charts.test_entity_chart import _scratch, check_printed

    outcome, out = gallery[case]
    sanctioned = frozenset(h["address"] for h in json.loads((out / "trace.json").read_text())["attribution"]["sanctions"])
    chart = entity_chart(outcome.graph, outcome.result.coinjoins, max_per_column=None, sanctioned=sanctioned)
    figure = entity_figure(chart, case)
    texts = check_printed(figure)
    boxes = text_boxes(figure)
    assert overlapping_pairs(boxes) == [] and texts_crossed_by(arrow_lines(figure), boxes) == []
    _, laid = fit_chart(_scratch(), chart, {})
    assert crossings_drawn(figure) <= laid.crossings
    assert not any(t.startswith("[") for t in texts), "no flow footnoted"
    words = " ".join(texts).split()
    assert not any(re.fullmatch(r"\d+×", w) for w in words), "no '2× 75 BTC'"


@pytest.mark.skipif(not engine_available(), reason="the layout engine (pygraphviz) is not installed")
@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_the_address_level_pages_overprint_nothing_and_say_transfers_not_times(gallery, case):
    from btctrace.exports.charts.flow import draw_flow_pages
    from tests.exports.charts.test_flow import _assert_printable

    outcome, _ = gallery[case]
    figures = draw_flow_pages(outcome.graph, case, coinjoins=frozenset(outcome.result.coinjoins))
    _assert_printable(figures)
    texts = " ".join(t for figure in figures for t, _, _ in text_boxes(figure))
    assert "×" not in texts


def _print(out, paper: str):
    folder = out / f"print-{paper}"
    folder.mkdir(exist_ok=True)
    copy = folder / "report.html"
    copy.write_text((out / "report.html").read_text().replace("</head>", f"<style>@page{{size:{paper}}}</style></head>", 1))
    pdf = folder / "report.pdf"
    subprocess.run([*CHROMIUM, f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={pdf}", copy.as_uri()],
                   capture_output=True, timeout=180, check=True)
    return pdf


def _page(pdf, number: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


printing = pytest.mark.skipif(not all(shutil.which(t) for t in ("chromium", "pdftotext")),
                              reason="needs Debian chromium and poppler-utils")


@printing
@pytest.mark.parametrize("case, paper", [(c.name, "A4") for c in CASES] + [("colonial-roles", "letter")])
def test_page_one_of_the_printed_report_is_the_finding(gallery, case, paper):
    outcome, out = gallery[case]
    first = " ".join(_page(_print(out, paper), 1).split())
    info = next(c.info for c in CASES if c.name == case)
    assert info.title in first and f"Case {case}" in first
    for seed in outcome.result.seeds:
        assert str(seed) in first, "every seed written out whole on page 1"
    assert "(s)" not in first and " 1 hops" not in first and " 1 payments" not in first
    assert "Roles are what the chain shows" in first
    assert "Methodology" not in first.split("appendices")[0] or "Appendix" not in first
    if case == "colonial-roles":
        assert all(f"{k} {v}" in first for k, v in (("Examiner", "A. Examiner"), ("Agency", "Gallery Cyber Unit"),
                                                     ("Exhibit reference", "AE/1")))
        assert "4 December 2026 (2026-12-04)" in first and "case file colonial.toml" in first
        assert "DarkSide affiliate" in first
        victims = {i.address for i in outcome.result.txs[PAYMENT].tx.inputs}
        assert all(v in first.split("Marked “victim”", 1)[1] for v in victims), "each victim address whole"
    else:
        assert "Examiner not given" in first
    if case in ("colonial", "colonial-roles"):
        assert "8 May 2021, 17:12 UTC (2021-05-08T17:12:57Z)" in first
        assert f"{DARKSIDE} (still holding traced coins) is tagged “DarkSide” (ransomware" in first
        assert "https://ransomwhe.re" in first and "How: a tag on the address itself" in first
    if case == "hydra":
        assert f"Sanctions: {HYDRA}" in first and "OFAC SDN" in first
    if case == "darkside-back":
        assert f"{DARKSIDE} received 1 payment totalling 0.00001693 BTC" in first
        assert "does not apportion how much of it reached the seed" in first
    if case == "bitfinex":
        assert f"Transaction {SEIZURE} paid 2 outputs traced from it, totalling 15,005.88594500 BTC" in first
        assert "on 1 February 2022, 04:57 UTC (2022-02-01T04:57:22Z)" in first


@printing
@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_no_identifier_is_broken_in_print_and_nothing_reaches_the_margin(gallery, case, tmp_path):
    from PIL import Image

    from tests.exports.report.test_printed import MARGIN_PT

    _, out = gallery[case]
    known = set(pd.read_csv(out / "addresses.csv", dtype=str)["address"]) | \
        set(pd.read_csv(out / "transfers.csv", dtype=str)["txid"])
    pdf = _print(out, "A4")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = {w.strip(".,;:()“”'\"") for w in text.split()}
    broken = {w for w in words if len(w) >= 10 and "…" not in w and w not in known
              and any(w in identifier and w != identifier for identifier in known)}
    assert broken == set(), f"identifiers printed in pieces: {sorted(broken)[:5]}"
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    for page in sorted(tmp_path.glob("page-*.png")):
        image = Image.open(page).convert("L")
        band = image.crop((image.size[0] - int(MARGIN_PT / 72 * 50) + 2, 0, image.size[0], image.size[1]))
        assert band.getextrema()[0] > 245, f"{page.name}: something printed in the right margin"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("needs Debian chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM[1:-1]:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('profile')}")
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_window_size(1400, 900)
    yield driver
    driver.quit()


def _open(browser, out):
    from tests.exports.explorer.test_browser import _wait

    browser.get((out / "explorer.html").as_uri())
    _wait(browser, lambda: browser.find_element("tag name", "body").get_attribute("data-ready") == "entity")


def test_the_explorer_marks_the_sanctioned_hydra_address_and_says_so_on_top(gallery, browser, tmp_path):
    outcome, out = gallery["hydra"]
    _open(browser, out)
    banner = browser.find_element("id", "banner")
    assert banner.is_displayed() and HYDRA in banner.text and "OFAC SDN" in banner.text
    marked = browser.execute_script("return window.btctraceExplorer.graph().nodes('[?sanctioned]').map(function (n) {"
                                    " return [n.data('addresses') || [n.id()], n.style('border-color')]; })")
    assert any(HYDRA in addresses and colour == "rgb(192,0,0)" for addresses, colour in marked)
    assert browser.find_element("id", "title").text == "Hydra market address (gallery)"


@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_the_explorers_first_view_is_readable_with_nothing_cut(gallery, browser, case):
    from tests.exports.explorer.test_browser import first_view_problems

    _, out = gallery[case]
    _open(browser, out)
    assert first_view_problems(browser) == []


def test_the_panel_lists_the_other_cases_that_hold_an_address(gallery, browser):
    from tests.exports.explorer.test_browser import _address_view, _click_node, _wait

    _, out = gallery["colonial-roles"]
    _open(browser, out)
    _address_view(browser)
    _click_node(browser, RANSOM)
    _wait(browser, lambda: browser.find_element("id", "panel").get_attribute("data-id") == RANSOM)
    panel = browser.find_element("id", "panel").text
    assert "Also in other cases" in panel and "Colonial Pipeline ransom (gallery)" in panel
    assert "Case file says" in panel and "DarkSide affiliate" in panel
