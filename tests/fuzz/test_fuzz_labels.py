"""Property: labels, case titles and descriptions drawn from all of Unicode (control characters,
``$`` pairs, formula prefixes, markup, right-to-left marks) go through a full offline demo run.
The run exits 0, and every output then parses with the reader investigators use: the csv module
(no cell a spreadsheet would evaluate), NetworkX for GraphML and GEXF, ElementTree for the SVGs,
openpyxl for the XLSX, an HTML parser for the report (no script), JSON and YAML loaders. The
number of cases tried is printed with ``-s``."""

from __future__ import annotations

import copy
import csv
import json
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import openpyxl
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btctrace.exports.writing.safe_text import FORMULA_PREFIXES
from btctrace.testing.demo import make_demo
from tests.cli.conftest import invoke
from tests.conftest import PROJECT_ROOT

DEMO_TAGS = yaml.safe_load((PROJECT_ROOT / "cases" / "demo-tags.yaml").read_text())
DEMO_CASE = (PROJECT_ROOT / "cases" / "demo-ransom.toml").read_text()
NASTY = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A2)", "\t=1", "\r=2",
         "paid $\\foo{$ ransom", "$x$ and $y$", "\x01\x02\x0b\x1f", "<script>alert(1)</script>", "</svg>&amp;\"'",
         "\u202eevil\u202c", "\u200f\u200e", "\ufffe\uffff", "]]>", "\x7f", "a\nb\r\nc", "\\", "{{x}}", "%s%n",
         "\ufeffBOM\ufeff", "a<!--b", "x</script><!--y-->", "<!--<script>",  # issue 32: each broke a page
         # issue 32: terminal sequences (window title, clipboard by OSC 52, hidden text, C1 CSI), NUL, isolates
         "\x1b]0;pwned\x07", "\x1b]52;c;ZXZpbA==\x07", "\x1b[8mhidden\x1b[0m", "\x9b31m", "a\x00b", "\u2066x\u2069"]
# What no line printed to a terminal and no spreadsheet cell may carry raw
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CELL_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
TRIED = {"cases": 0}
text = st.one_of(st.sampled_from(NASTY), st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
                 st.tuples(st.sampled_from(NASTY), st.text(max_size=10)).map("".join))


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML wants escaped too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _write_case(folder: Path, title: str, description: str, labels: list[str]) -> Path:
    tags = copy.deepcopy(DEMO_TAGS)
    for tag, label in zip(tags["tags"], labels):
        tag["label"] = label
    (folder / "tags.yaml").write_text(yaml.safe_dump(tags, allow_unicode=True), encoding="utf-8")
    case = DEMO_CASE.replace('title = "DemoLocker ransom (synthetic)"', f"title = {_toml_string(title)}")
    start = case.index('description = """')
    end = case.index('"""', start + 20) + 3
    case = case[:start] + f"description = {_toml_string(description)}" + case[end:]
    case = case.replace('cassette = "../cassettes/demo-ransom.json"',
                        f'cassette = {_toml_string(str(PROJECT_ROOT / "cassettes" / "demo-ransom.json"))}')
    case = case.replace('paths = ["demo-tags.yaml"]', 'paths = ["tags.yaml"]')
    path = folder / "case.toml"
    path.write_text(case, encoding="utf-8")
    return path


class _Report(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def _check_outputs(out: Path) -> None:
    for name in ("transfers.csv", "addresses.csv", "endpoints.csv", "subpoena.csv", "cluster_flows.csv",
                 "link_table.csv", "entities.csv"):
        with open(out / name, encoding="utf-8", newline="") as stream:
            for row in csv.reader(stream):
                for cell in row:
                    assert not cell.startswith(FORMULA_PREFIXES) or cell.lstrip("+-").replace(".", "").isdigit(), \
                        (name, cell)
                    assert not CELL_BIDI.search(cell), (name, cell)
    for name in ("graph.graphml", "clusters.graphml"):
        nx.read_graphml(out / name)
    nx.read_gexf(out / "graph.gexf")
    for name in ("flow.svg", "sankey.svg", "timeline.svg"):
        ElementTree.parse(out / name)
    workbook = openpyxl.load_workbook(out / "link_table.xlsx", read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in row)
    report = _Report()
    report.feed((out / "report.html").read_text(encoding="utf-8"))
    assert "script" not in report.tags
    page = (out / "explorer.html").read_text(encoding="utf-8")
    start = page.index('<script type="application/json" id="btctrace-data">')
    block = page[page.index(">", start) + 1:page.index("</script>", start)]
    json.loads(block)  # the data the page reads: valid JSON whatever the labels hold
    for name in ("trace.json", "cytoscape.json", "misp_event.json", "manifest.json"):
        json.loads((out / name).read_text(encoding="utf-8"))
    yaml.safe_load((out / "tagpack.yaml").read_text(encoding="utf-8"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(title=text, description=text, labels=st.lists(text, min_size=1, max_size=4))
def test_any_label_or_title_gives_outputs_every_reader_accepts(title, description, labels):
    TRIED["cases"] += 1
    with tempfile.TemporaryDirectory() as folder:
        case = _write_case(Path(folder), title, description, labels)
        result = invoke("case", "run", case, "--out", Path(folder) / "out")
        assert result.exit_code == 0, result.output
        assert not TERMINAL_CONTROLS.search(result.output), result.output
        _check_outputs(Path(folder) / "out")


def test_the_cases_tried_are_reported():
    print(f"\nlabel and title cases tried through a full demo run: {TRIED['cases']}")
    assert TRIED["cases"] == 0 or TRIED["cases"] >= 10


def test_the_nastiest_labels_at_once(tmp_path):
    """Every nasty string in one run, so each is met even when the drawn cases miss it."""
    labels = ["".join(NASTY[start::7]) for start in range(7)]  # the demo's 7 tags carry every nasty string
    case = _write_case(tmp_path, " ".join(NASTY[:8] + NASTY[-4:]), " ".join(NASTY), labels)
    result = invoke("case", "run", case, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert not TERMINAL_CONTROLS.search(result.output), [line for line in result.output.splitlines()
                                                         if TERMINAL_CONTROLS.search(line)]
    _check_outputs(tmp_path / "out")
    store = invoke("tags", "import", tmp_path / "tags.yaml", "--store", tmp_path / "store.sqlite")
    assert store.exit_code == 0, store.output
    addresses = [tag["address"] for tag in yaml.safe_load((tmp_path / "tags.yaml").read_text())["tags"]]
    lookup = invoke("tags", "lookup", *addresses, "--store", tmp_path / "store.sqlite")
    stats = invoke("tags", "stats", "--store", tmp_path / "store.sqlite")
    for printed in (store, lookup, stats):
        assert printed.exit_code == 0 and not TERMINAL_CONTROLS.search(printed.output), printed.output
    assert "\\x1b]52;c;" in lookup.output and "\\u202e" in lookup.output  # shown escaped, not sent
    assert make_demo  # the demo generator made the chain these labels are put on
