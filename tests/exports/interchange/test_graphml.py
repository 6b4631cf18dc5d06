"""GraphML (the trace graph and the cluster graph) read back by NetworkX: unique edge ids, a
label on every node, the tag label kept."""

import networkx as nx


def test_graphml_edge_ids_are_unique_and_every_node_has_a_label(written):
    import xml.etree.ElementTree as ET

    folder, result, graph = written
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    for name in ("graph.graphml", "clusters.graphml"):
        root = ET.parse(folder / name).getroot()
        ids = [e.get("id") for e in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
        assert ids and len(ids) == len(set(ids)), f"{name}: edge ids repeat"
        keys = {k.get("attr.name"): k.get("id") for k in root.findall("g:key[@for='node']", ns)}
        labelled = {n.get("id") for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node")
                    for d in n.findall("g:data", ns) if d.get("key") == keys["label"] and d.text}
        assert len(labelled) == len(list(root.iter("{http://graphml.graphdrawing.org/xmlns}node")))
    back = nx.read_graphml(folder / "graph.graphml", force_multigraph=True)
    assert back.number_of_edges() == graph.number_of_edges()
    tagged = {n: d["label"] for n, d in graph.nodes(data=True) if d.get("label")}
    assert all(back.nodes[n]["tag_label"] == label for n, label in tagged.items())
    assert {txid[:25] for txid in result.txs} <= {k[:25] for k in (key for _, _, key in back.edges(keys=True))}
