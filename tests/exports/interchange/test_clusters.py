"""cluster_flows.csv and clusters.graphml: one row and one GraphML edge per cluster flow."""

import networkx as nx

from btctrace.exports.interchange.clusters import cluster_flows_frame, write_cluster_outputs
from btctrace.graph.cluster_flows import cluster_flow_graph


def test_cluster_outputs_are_written_and_read_back(demo_trace, tmp_path):
    _, graph, _ = demo_trace
    write_cluster_outputs(graph, tmp_path / "f.csv", tmp_path / "c.graphml")
    back = nx.read_graphml(tmp_path / "c.graphml", force_multigraph=True)
    frame = cluster_flows_frame(cluster_flow_graph(graph))
    assert back.number_of_edges() == len(frame) and (tmp_path / "f.csv").read_text().startswith("from_cluster,")
