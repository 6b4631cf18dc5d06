"""How fast explorer.html opens in headless Chromium (Debian chromium + chromium-driver, Selenium).

    python benchmarks/explorer_open.py                 # 1,000 and 10,000 transactions
    python benchmarks/explorer_open.py --sizes 1000
    python benchmarks/explorer_open.py --shape deep --sizes 2000   # one peel chain of 2,000 hops

For each synthetic case (:func:`make_synthetic_case`, traced in process) it writes the page and
measures, in one browser session: page load to the entity view drawn and interactive
(``data-ready``, wall clock from the request), then the switch to the address view (every address
and transaction, laid out as the static chart), timed inside the page from the change to the
second painted frame. Targets (issue 15): 1,000 transactions interactive within 2 s; 10,000 open
in the entity view within 5 s.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def _trace(size: int, shape: str):
    from btctrace.analysis import analyse
    from btctrace.graph.build import build_graph
    from btctrace.tags import TagIndex
    from btctrace.testing.provider import StoreProvider
    from btctrace.testing.synthetic import make_case
    from btctrace.tracing.result import Seed, TraceLimits
    from btctrace.tracing.walk import trace_forward

    case = make_case(shape, size)
    result = trace_forward(StoreProvider(case.store), (Seed("address", case.ransom_address),),
                           TraceLimits(hops=100_000, max_transactions=size * 2), tags=TagIndex())
    analysis = analyse(result)
    return result, analysis, build_graph(result, TagIndex(), analysis.clusters.ids())


def _page(size: int, folder: Path, shape: str) -> Path:
    from btctrace.exports.explorer import explorer_document, explorer_page
    from btctrace.exports.charts.entity_flow import entity_chart

    result, analysis, graph = _trace(size, shape)
    path = folder / f"explorer-{size}.html"
    path.write_text(explorer_page(explorer_document(result, analysis, graph, entity_chart(graph, result.coinjoins),
                                                    f"synthetic {size}")))
    return path


def _ready(driver, view: str, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while driver.find_element("tag name", "body").get_attribute("data-ready") != view:
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"{view} view not ready after {timeout} s")
        time.sleep(0.01)
    return time.perf_counter() - started


_SWITCH = """var done = arguments[arguments.length - 1], started = performance.now();
var view = document.getElementById('view'); view.value = 'address'; view.dispatchEvent(new Event('change'));
requestAnimationFrame(function () { requestAnimationFrame(function () { done(performance.now() - started); }); });"""


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--shape", choices=("wide", "deep"), default="wide",
                        help="wide: many short branches; deep: one peel chain (btctrace.testing.synthetic)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        options = webdriver.ChromeOptions()
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--no-first-run", f"--user-data-dir={scratch}/profile"):
            options.add_argument(flag)
        options.binary_location = shutil.which("chromium")
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        driver.set_window_size(1400, 900)
        driver.set_script_timeout(600)
        print(f"{'transactions':>12} {'page MiB':>9} {'entity view s':>14} {'address view s':>15} {'elements':>9}")
        for size in args.sizes:
            page = _page(size, Path(scratch), args.shape)
            started = time.perf_counter()
            driver.get(page.as_uri())
            _ready(driver, "entity")
            entity = time.perf_counter() - started
            address = driver.execute_async_script(_SWITCH) / 1000
            count = driver.execute_script("return window.btctraceExplorer.graph().elements().length")
            print(f"{size:>12,} {page.stat().st_size / 2**20:>9.1f} {entity:>14.2f} {address:>15.2f} {count:>9,}")
        driver.quit()


if __name__ == "__main__":
    main()
