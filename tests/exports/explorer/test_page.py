"""explorer.html as a file: self-contained (no URL it could load), a Content-Security-Policy
that forbids any network access and allows the inline scripts only by their hash, the data
block unable to end its script element, the vendored libraries exactly as recorded in
VENDOR.json (MIT, with their licence texts), and the same bytes for the same trace."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from btctrace import jsontext
from btctrace.analysis import analyse
from btctrace.exports.charts.entity_flow import entity_chart
from btctrace.exports.explorer import explorer_document, explorer_page
from btctrace.exports.explorer.page import data_block

VENDOR = Path(__file__).resolve().parents[3] / "btctrace" / "exports" / "explorer" / "vendor"


@pytest.fixture(scope="module")
def page(demo_trace):
    result, graph, tags = demo_trace
    analysis = analyse(result, tags=tags)
    document = explorer_document(result, analysis, graph, entity_chart(graph, result.coinjoins), "Demo </script>")
    return explorer_page(document), document


def test_the_page_loads_nothing_from_anywhere(page):
    text, _ = page
    assert not re.search(r'\b(src|href)\s*=\s*"', text), "no external script, style or link"
    assert "http://" not in text.split('id="btctrace-data"')[0].replace("http://www.w3.org", "")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in policy and "unsafe-eval" not in policy
    scripts = re.findall(r"<script>(.*?)</script>", text, flags=re.S)
    assert len(scripts) == 3
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, "each inline script allowed by its own hash only"
    assert "script-src 'unsafe-inline'" not in policy


def test_the_data_cannot_end_its_script_element(page):
    text, document = page
    block = re.search(r'<script type="application/json" id="btctrace-data">(.*?)</script>', text, flags=re.S).group(1)
    assert "<" not in block and json.loads(block) == json.loads(data_block(document))
    whole = jsontext.dumps(json.loads(block), indent=False, sort_keys=True)
    assert block == whole.replace("<", "\\u003c"), "streamed: the text of the whole document"
    assert json.loads(block)["title"] == "Demo </script>", "the title survives as text"


def test_vendored_libraries_are_what_vendor_json_records():
    record = json.loads((VENDOR / "VENDOR.json").read_text())
    names = {entry["name"] for entry in record}
    assert {"cytoscape", "cytoscape-dagre", "@dagrejs/dagre", "@dagrejs/graphlib"} <= names
    for entry in record:
        licence = (VENDOR / entry["licence_file"]).read_text()
        assert entry["license"] == "MIT" and "Permission is hereby granted, free of charge" in licence
        if "file" in entry:
            data = (VENDOR / entry["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["vendored_sha256"] and len(data) == entry["bytes"]
            assert b"sourceMappingURL" not in data


def test_same_trace_same_bytes(demo_trace, page):
    result, graph, tags = demo_trace
    again = explorer_page(explorer_document(result, analyse(result, tags=tags), graph,
                                            entity_chart(graph, result.coinjoins), "Demo </script>"))
    assert again == page[0]


def test_every_node_and_edge_of_the_trace_is_in_the_address_view(demo_trace, page):
    _, graph, _ = demo_trace
    _, document = page
    view = document["address_view"]
    assert {n["id"] for n in view["nodes"]} == set(graph.nodes)
    assert len({e["id"] for e in view["edges"]}) == len(view["edges"]) == graph.number_of_edges()
    assert sum(e["value"] for e in view["edges"]) == sum(d["value"] for _, _, d in graph.edges(data=True))
    seed = next(n for n in view["nodes"] if n["id"] in document["seeds"])
    assert seed["taint"] and set(seed["taint"]) <= set(document["methods"])
    assert document["entity_view"]["nodes"] and document["entity_view"]["edges"]
