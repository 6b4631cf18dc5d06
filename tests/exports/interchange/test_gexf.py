"""GEXF read back by NetworkX: no attribute named like a GEXF field, every node labelled,
dynamic by block time."""

import networkx as nx


def test_gexf_has_no_attribute_named_like_a_gexf_field_and_labels_every_node(written):
    import xml.etree.ElementTree as ET

    from btctrace.exports.interchange.gexf import GEXF_RESERVED

    folder, _, graph = written
    root = ET.parse(folder / "graph.gexf").getroot()
    titles = {a.get("title") for a in root.iter("{http://www.gexf.net/1.2draft}attribute")}
    assert not titles & GEXF_RESERVED and "tag_label" in titles
    nodes = list(root.iter("{http://www.gexf.net/1.2draft}node"))
    assert all(n.get("label") for n in nodes) and len(nodes) == graph.number_of_nodes()
    edge_ids = [e.get("id") for e in root.iter("{http://www.gexf.net/1.2draft}edge")]
    assert len(edge_ids) == len(set(edge_ids)) == graph.number_of_edges()


def test_gexf_is_dynamic_by_block_time(written):
    folder, _, graph = written
    back = nx.read_gexf(folder / "graph.gexf")
    assert back.graph["mode"] == "dynamic"
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert all("start" in data for _, _, data in back.edges(data=True))
