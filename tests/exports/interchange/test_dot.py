"""graph.dot in the flow chart's colours, with one font."""

from btctrace.graph import schema as S


def test_dot_in_the_charts_colours_with_one_font(written):
    from btctrace.exports.charts.styles import ROLE_STYLES

    folder, _, graph = written
    dot = (folder / "graph.dot").read_text()
    assert dot.startswith("digraph btctrace {") and dot.count(" -> ") == graph.number_of_edges()
    assert 'node [fontname="DejaVu Sans", fontsize=9' in dot and 'edge [fontname="DejaVu Sans", fontsize=9]' in dot
    seed = next(n for n, d in graph.nodes(data=True) if d.get("role") == S.ROLE_SEED)
    seed_line = next(line for line in dot.splitlines() if line.strip().startswith(f'"{seed}" ['))
    assert f'fillcolor="{ROLE_STYLES[S.ROLE_SEED][0]}"' in seed_line
    assert dot.count("fillcolor=") == graph.number_of_nodes()
