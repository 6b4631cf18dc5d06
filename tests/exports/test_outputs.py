"""The output folder: fixed columns, exact amounts, parseable GraphML, byte-identical reruns."""

import json

import networkx as nx
import pandas as pd

from btctrace import jsontext
from btctrace.analysis import analyse
from btctrace.exports import OUTPUT_FILES, CaseInfo, write_outputs
from btctrace.exports.charts.flow_layout import layout
from btctrace.exports.interchange.tables import ADDRESS_COLUMNS, TRANSFER_COLUMNS
from btctrace.graph import schema as S

CASE = CaseInfo("demo-ransom", "DemoLocker ransom (synthetic)", True)


def write(demo_trace, folder):
    result, graph, tags = demo_trace
    folder.mkdir()
    return write_outputs(result, analyse(result), graph, tags, CASE, folder)


def test_two_writes_give_identical_bytes(demo_trace, tmp_path):
    first = write(demo_trace, tmp_path / "a")
    second = write(demo_trace, tmp_path / "b")
    assert [p.name for p in first] == list(OUTPUT_FILES)
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_csv_columns_and_exact_amounts(demo_trace, tmp_path):
    write(demo_trace, tmp_path / "o")
    transfers = pd.read_csv(tmp_path / "o" / "transfers.csv", dtype=str)
    assert list(transfers.columns) == TRANSFER_COLUMNS
    for sats, btc in zip(transfers["value_sats"], transfers["value_btc"]):
        whole, frac = btc.split(".")
        assert len(frac) == 8 and int(whole) * 100_000_000 + int(frac) == int(sats)
    addresses = pd.read_csv(tmp_path / "o" / "addresses.csv", dtype=str, keep_default_na=False)
    assert list(addresses.columns) == ADDRESS_COLUMNS
    assert addresses["role"].iloc[0] == S.ROLE_SEED
    seed = addresses.iloc[0]
    assert int(seed["received_sats"]) == 5_075_200_000 and int(seed["balance_sats"]) == 0


def test_graphml_reads_back_with_integer_satoshis(demo_trace, tmp_path):
    result, graph, _ = demo_trace
    write(demo_trace, tmp_path / "o")
    text = (tmp_path / "o" / "graph.graphml").read_text()
    assert 'attr.name="value" attr.type="long"' in text
    back = nx.read_graphml(tmp_path / "o" / "graph.graphml", force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    total = sum(d["value"] for _, _, d in back.edges(data=True))
    assert total == sum(d["value"] for _, _, d in graph.edges(data=True))


def test_trace_json_has_no_run_time_or_paths_and_counts_agree(demo_trace, tmp_path):
    result, graph, _ = demo_trace
    write(demo_trace, tmp_path / "o")
    text = (tmp_path / "o" / "trace.json").read_text()
    doc = json.loads(text)
    assert doc["schema"] == "btctrace.trace/1" and doc["case"]["synthetic"] is True
    assert str(tmp_path) not in text
    assert doc["counts"]["transactions"] == len(doc["transactions"]) == len(result.txs)
    assert doc["counts"]["stops"] == len(doc["stops"]) == sum(doc["counts"]["stops_by_reason"].values())
    assert {s["reason"] for s in doc["stops"]} == {"unspent", "tagged_service", "large_address", "coinjoin"}
    hops = [t["hop"] for t in doc["transactions"]]
    assert hops == sorted(hops)
    assert text == jsontext.dumps(doc) + "\n", "streamed transaction by transaction: the text of the whole document"


def test_svg_embeds_no_date(demo_trace, tmp_path):
    write(demo_trace, tmp_path / "o")
    svg = (tmp_path / "o" / "flow.svg").read_text()
    assert "<svg" in svg and "<dc:date>" not in svg
    assert (tmp_path / "o" / "flow.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_layout_puts_hops_left_to_right_and_mirrors_backward(demo_trace):
    _, graph, _ = demo_trace
    positions = layout(graph)
    for node, data in graph.nodes(data=True):
        if data[S.KIND] == S.KIND_TX:
            assert positions[node][0] == 2 * data["hop"] + 1
    mirrored = layout(graph, mirrored=True)
    assert all(mirrored[n][0] == -positions[n][0] for n in graph.nodes)


def test_layout_by_time_orders_transactions_by_block_time(demo_trace):
    _, graph, _ = demo_trace
    positions = layout(graph, by_time=True)
    txs = sorted((d["block_time"], positions[n][0]) for n, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_TX)
    columns = [x for _, x in txs]
    assert columns == sorted(columns) and len(set(columns)) == len({t for t, _ in txs})


def test_chart_modules_are_imported_once_before_the_first_child_is_forked(demo_trace, tmp_path, monkeypatch):
    """Each chart child would otherwise import matplotlib and its backends again (issue 18)."""
    import btctrace.exports as exports

    events = []

    def inline(what, target, *args, files=(), tally=None):
        events.append(what)
        target(*args)
        return lambda: None

    monkeypatch.setattr(exports, "_import_chart_modules", lambda: events.append("chart modules imported"))
    monkeypatch.setattr(exports, "in_background", inline)
    write(demo_trace, tmp_path / "o")
    assert events == ["chart modules imported", "flow chart", "graph files", "charts", "explorer"]
    assert (tmp_path / "o" / "flow.svg").stat().st_size > 0
