"""The interchange files as Gephi Lite / sigma.js (graphology-graphml, graphology-gexf) and
Cytoscape.js (cy.json) read them, under Node.js. Skipped without ``node`` or without the readers
(``npm ci --prefix tests/js`` installs them; .ci/run does)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from btctrace.analysis import analyse
from btctrace.exports import CaseInfo, write_outputs

READERS = Path(__file__).resolve().parents[1] / "js"
pytestmark = pytest.mark.skipif(shutil.which("node") is None or not (READERS / "node_modules").is_dir(),
                                reason="needs node and `npm ci --prefix tests/js`")


@pytest.fixture(scope="module")
def read(demo_trace, tmp_path_factory):
    result, graph, tags = demo_trace
    folder = tmp_path_factory.mktemp("js")
    write_outputs(result, analyse(result, tags=tags), graph, tags, CaseInfo("demo", "Demo", True), folder)
    done = subprocess.run(["node", str(READERS / "read_exports.js"), str(folder)], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout), done.stderr, graph


def test_graphology_reads_both_graphml_files_with_unique_edge_ids(read):
    seen, _, graph = read
    trace = seen["graph.graphml"]
    assert "error" not in trace, trace
    assert (trace["nodes"], trace["edges"]) == (graph.number_of_nodes(), graph.number_of_edges())
    assert trace["unique_edge_ids"] == trace["edge_ids"] and trace["unlabelled"] == 0
    clusters = seen["clusters.graphml"]
    assert "error" not in clusters and clusters["unique_edge_ids"] == clusters["edges"] > 0


def test_graphology_gexf_shows_a_label_on_every_node(read):
    seen, _, graph = read
    assert seen["graph.gexf"]["nodes"] == graph.number_of_nodes() and seen["graph.gexf"]["unlabelled"] == 0


def test_cytoscape_js_loads_every_element_and_the_graph_data(read):
    seen, stderr, graph = read
    cyto = seen["cytoscape.json"]
    assert (cyto["nodes"], cyto["edges"]) == (graph.number_of_nodes(), graph.number_of_edges())
    assert cyto["data"]["direction"] == "forward" and cyto["data"]["seeds"] and cyto["unlabelled"] == 0
    assert stderr == "", "no reader warned"
