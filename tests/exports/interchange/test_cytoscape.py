"""cytoscape.json as cy.json() takes it (the JavaScript reader is in test_readers_js.py)."""

import json


def test_cytoscape_json_is_what_cy_json_takes(written):
    folder, _, graph = written
    cyto = json.loads((folder / "cytoscape.json").read_text())
    assert cyto["data"]["seeds"] and cyto["data"]["direction"] == "forward", "graph data as an object"
    nodes, edges = cyto["elements"]["nodes"], cyto["elements"]["edges"]
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    ids = [e["data"]["id"] for e in edges]
    assert len(set(ids)) == len(ids) and not set(ids) & {n["data"]["id"] for n in nodes}
    assert all(n["data"]["label"] for n in nodes)
