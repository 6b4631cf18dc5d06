"""The explorer in a real browser (Debian's chromium and chromium-driver, through Selenium): it
opens the demo's explorer.html, shows the entity view, switches to addresses, clicks a
transaction and finds its txid in the panel, searches an address, filters by value, shows the
path from the seed with the taint per method, and keeps the console free of errors and the
network untouched. Skipped when no browser is installed (.ci/run installs one)."""

import os
import shutil
import time

import pytest

from btctrace.analysis import analyse
from btctrace.exports import CaseInfo, write_outputs
from btctrace.notes import Note
from btctrace.reference import reference_implementation

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                                reason="needs Debian chromium and chromium-driver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


@pytest.fixture(scope="module")
def browser(demo_trace, demo, tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    result, graph, tags = demo_trace
    folder = tmp_path_factory.mktemp("explorer")
    notes = [Note(demo.coinjoin_txid, "Ask the makers <b>now</b>", "#00aa00")]
    write_outputs(result, analyse(result, tags=tags), graph, tags, CaseInfo("demo", "Demo case", True), folder,
                  notes=notes)
    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={folder / 'profile'}")
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_window_size(1400, 900)
    driver.get((folder / "explorer.html").as_uri())
    _wait(driver, lambda: driver.find_element("tag name", "body").get_attribute("data-ready") == "entity")
    yield driver
    driver.quit()


def _wait(driver, condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the page did not get there in time")


def _address_view(driver):
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "view")).select_by_value("address")
    _wait(driver, lambda: driver.find_element("tag name", "body").get_attribute("data-ready") == "address")


def _click_node(driver, node_id):
    from selenium.webdriver.common.action_chains import ActionChains

    graph = driver.find_element("id", "graph")
    x, y = driver.execute_script("var n = window.btctraceExplorer.graph().getElementById(arguments[0]);"
                                 "window.btctraceExplorer.graph().center(n); var p = n.renderedPosition();"
                                 "return [p.x, p.y];", node_id)
    size = graph.size
    ActionChains(driver).move_to_element_with_offset(graph, x - size["width"] / 2, y - size["height"] / 2).click().perform()


def test_opens_on_the_entity_view_with_every_box(browser, demo_trace):
    count = browser.execute_script("return window.btctraceExplorer.graph().nodes().length")
    assert count >= 10 and "nodes shown" in browser.find_element("id", "shown").text


def test_clicking_a_transaction_shows_its_txid(browser, demo):
    _address_view(browser)
    txid = demo.coinjoin_txid
    _click_node(browser, txid)
    _wait(browser, lambda: browser.find_element("id", "panel").get_attribute("data-id") == txid)
    panel = browser.find_element("id", "panel").text
    assert txid in panel and "coinjoin" in panel.lower() and "confidence" in panel and "second opinion" in panel
    expected = ("graphsense-lib" if reference_implementation() else "not asked: install btctrace[reference]")
    assert expected in panel
    if os.environ.get("BTCTRACE_SCREENSHOTS"):
        browser.save_screenshot(os.path.join(os.environ["BTCTRACE_SCREENSHOTS"], "coinjoin-panel.png"))
    assert "Analyst's note (their words, not btctrace's): Ask the makers <b>now</b>" in panel, "as text, marked"


def test_search_finds_the_address(browser, demo):
    _address_view(browser)
    box = browser.find_element("id", "search")
    box.clear()
    box.send_keys(demo.ransom_address)
    browser.find_element("id", "search-button").click()
    assert browser.find_element("id", "found").text.startswith("1 node, ")
    assert browser.find_element("id", "panel").get_attribute("data-id") == demo.ransom_address


def test_value_filter_hides_small_transfers(browser):
    _address_view(browser)
    everything = browser.execute_script("return window.btctraceExplorer.graph().nodes().length")
    field = browser.find_element("id", "min-value")
    field.clear()
    field.send_keys("10")
    browser.find_element("id", "apply").click()
    shown = int(browser.find_element("id", "shown").text.split()[0])
    assert 0 < shown < everything
    field.clear()
    field.send_keys("0")
    browser.find_element("id", "apply").click()


def test_path_from_the_seed_shows_the_taint_per_method(browser, demo):
    _address_view(browser)
    holding = browser.execute_script(
        "return window.btctraceExplorer.graph().nodes().filter(function (n) {"
        " return n.data('role') === 'holding' && Object.keys(n.data('taint') || {}).length; })[0].id()")
    _click_node(browser, holding)
    _wait(browser, lambda: browser.find_element("id", "panel").get_attribute("data-id") == holding)
    browser.find_element("id", "path").click()
    result = browser.find_element("id", "path-result").text
    assert result.startswith("Path of ") and "fifo" in result and "poison" in result
    assert browser.execute_script("return window.btctraceExplorer.graph().$('.path').length") >= 3


def test_a_folded_fan_expands_on_click(browser):
    _address_view(browser)
    fold, members = browser.execute_script(
        "var f = window.btctraceExplorer.graph().nodes('[kind = \"fold\"]')[0];"
        "return [f.id(), f.data('members')];")
    assert len(members) > 1
    assert not browser.execute_script("return window.btctraceExplorer.graph().getElementById(arguments[0]).length",
                                      members[0])
    _click_node(browser, fold)
    _wait(browser, lambda: browser.execute_script(
        "return window.btctraceExplorer.graph().getElementById(arguments[0]).length", members[0]) == 1)
    assert not browser.execute_script("return window.btctraceExplorer.graph().getElementById(arguments[0]).length",
                                      fold)


def test_no_console_error_and_no_request_left_the_page(browser):
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in {"SEVERE", "ERROR"}]
    assert errors == []
    requests = browser.execute_script("return performance.getEntriesByType('resource').map(function (e) {"
                                      " return e.name; })")
    assert requests == []


def _entity_view(driver):
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "view")).select_by_value("entity")
    _wait(driver, lambda: driver.find_element("tag name", "body").get_attribute("data-ready") == "entity")


def first_view_problems(driver) -> list[str]:
    """What makes the view on screen hard to read: text under 10 px, a box cut at the edge."""
    smallest, boxes, width, height = driver.execute_script(
        "var cy = window.btctraceExplorer.graph(), z = cy.zoom();"
        "var sizes = cy.elements().filter(function (e) { return e.style('label'); }).map(function (e) {"
        " return parseFloat(e.style('font-size')) * z; });"
        "var boxes = cy.nodes().map(function (n) { var b = n.renderedBoundingBox({includeLabels: true});"
        " return [b.x1, b.y1, b.x2, b.y2]; });"
        "return [Math.min.apply(null, sizes), boxes, cy.width(), cy.height()];")
    problems = [f"text {smallest:.1f} px"] if smallest < 10 else []
    return problems + [f"box cut at {box}" for box in boxes
                       if not (box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height)]


def test_the_first_view_is_readable_and_nothing_is_clipped(browser):
    _entity_view(browser)
    assert first_view_problems(browser) == []
    assert "1 transfers" not in browser.execute_script(
        "return window.btctraceExplorer.graph().edges().map(function (e) { return e.data('name'); }).join('|')")


def test_the_path_from_the_seed_keeps_its_nodes_readable(browser):
    _entity_view(browser)
    target = browser.execute_script(
        "return window.btctraceExplorer.graph().nodes('[kind = \"holding\"]')[0].id()")
    widths = "return window.btctraceExplorer.graph().nodes(arguments[0]).map(function (n) { return [n.id(), n.width()]; })"
    before = dict(browser.execute_script(widths, "*"))
    _click_node(browser, target)
    _wait(browser, lambda: browser.find_element("id", "panel").get_attribute("data-id") == target)
    browser.find_element("id", "path").click()
    after = dict(browser.execute_script(widths, ".path"))
    assert len(after) >= 3 and all(width == before[node] for node, width in after.items()), \
        "the highlighted path's boxes keep their size"


def _open_every_group(browser) -> None:
    groups = "return window.btctraceExplorer.graph().nodes('[kind = \"fold\"]').map(function (n) { return n.id(); })"
    for _ in range(20):
        closed = browser.execute_script(groups)
        if not closed:
            return
        for group in closed:
            browser.execute_script("window.btctraceExplorer.open(arguments[0])", group)
    raise AssertionError("groups still closed after 20 rounds")


def test_the_entity_and_address_views_give_the_same_taint(browser):
    _entity_view(browser)
    entities = browser.execute_script(
        "return window.btctraceExplorer.graph().nodes().filter(function (n) { return n.data('addresses') &&"
        " n.data('addresses').length === 1 && Object.keys(n.data('taint') || {}).length; }).map(function (n) {"
        " return [n.data('addresses')[0], n.data('taint')]; })")
    assert entities, "single-address boxes with taint"
    _address_view(browser)
    _open_every_group(browser)  # a peel chain's peels are one group until opened
    for address, taint in entities:
        assert browser.execute_script("return window.btctraceExplorer.graph().getElementById(arguments[0])"
                                      ".data('taint')", address) == taint


def test_the_panel_speaks_plain_words_and_hides_internal_fields(browser, demo):
    _address_view(browser)
    exchange = demo.exchange_addresses[1]
    _click_node(browser, exchange)
    _wait(browser, lambda: browser.find_element("id", "panel").get_attribute("data-id") == exchange)
    panel = browser.find_element("id", "panel").text
    assert "Role in the trace" in panel and "Attribution" in panel and "Northwind Exchange" in panel
    assert "how: a tag on the address itself" in panel and "confidence:" in panel
    for internal in ("column", "folded", "style", "{\"", "shape"):
        assert internal not in panel


def test_an_arrows_amount_box_shows_the_transfer(browser):
    _entity_view(browser)
    box = browser.execute_script("return window.btctraceExplorer.graph().nodes('[kind = \"amount\"]')[0].id()")
    _click_node(browser, box)
    _wait(browser, lambda: browser.find_element("id", "panel").get_attribute("data-id") == box)
    panel = browser.find_element("id", "panel").text
    assert panel.startswith("Transfer") and "Amount" in panel and "Transfers" in panel and "BTC" in panel
