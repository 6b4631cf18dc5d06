"""Interchange files load cleanly in their real readers: openpyxl and pandas for XLSX (numbers
and dates typed, header frozen, autofilter), NetworkX for GraphML and GEXF (unique edge ids, a
label on every node, no reserved attribute names), PyMISP's strict object templates for MISP
(current versions, references, correlatable txids), Cytoscape JSON as cy.json() takes it, DOT
in the chart's colours; the link table has the i2/Maltego shape. The JavaScript readers
(graphology, Cytoscape.js) are in test_readers_js.py."""

import json

import networkx as nx
import pandas as pd
import pytest
import yaml

from btctrace import jsontext
from btctrace.analysis import analyse
from btctrace.exports import CaseInfo, write_outputs
from btctrace.exports.interchange import ENTITY_COLUMNS, LINK_COLUMNS
from btctrace.exports.sharing import MISP_TEMPLATES, misp_event
from btctrace.graph import schema as S

CASE = CaseInfo("demo-ransom", "DemoLocker ransom (synthetic)", True)


@pytest.fixture(scope="module")
def written(demo_trace, tmp_path_factory):
    result, graph, tags = demo_trace
    folder = tmp_path_factory.mktemp("interchange")
    write_outputs(result, analyse(result, tags=tags), graph, tags, CASE, folder)
    return folder, result, graph


def test_link_table_has_one_row_per_transfer_in_the_i2_shape(written):
    folder, _, graph = written
    links = pd.read_csv(folder / "link_table.csv", dtype=str, keep_default_na=False)
    assert list(links.columns) == LINK_COLUMNS and len(links) == graph.number_of_edges()
    assert set(links["From_Type"]) | set(links["To_Type"]) == {"BTCAddress", "BTCTransaction"}
    assert (links["Amount_USD"] == "n/a").all(), "no price known: n/a, never 0"
    assert links["Time_UTC"].str.fullmatch(r"\d\d:\d\d:\d\d").all()


def test_xlsx_opens_with_openpyxl(written):
    openpyxl = pytest.importorskip("openpyxl")
    folder, _, graph = written
    book = openpyxl.load_workbook(folder / "link_table.xlsx", read_only=True)
    assert book.sheetnames == ["links", "entities"]
    rows = list(book["links"].iter_rows(values_only=True))
    assert list(rows[0]) == LINK_COLUMNS and len(rows) - 1 == graph.number_of_edges()
    assert list(next(book["entities"].iter_rows(values_only=True))) == ENTITY_COLUMNS


def test_xlsx_amounts_are_numbers_and_dates_are_dates_that_sum_and_sort(written):
    import datetime

    openpyxl = pytest.importorskip("openpyxl")
    folder, _, graph = written
    book = openpyxl.load_workbook(folder / "link_table.xlsx")
    links = book["links"]
    header = [c.value for c in links[1]]
    column = {name: header.index(name) for name in header}
    rows = [[c.value for c in row] for row in links.iter_rows(min_row=2)]
    assert all(isinstance(r[column["Amount_sats"]], int) for r in rows)
    assert all(isinstance(r[column["Amount_BTC"]], float) for r in rows)
    assert sum(r[column["Amount_sats"]] for r in rows) == sum(d["value"] for _, _, d in graph.edges(data=True))
    csv = pd.read_csv(folder / "link_table.csv", dtype=str)
    for row, (_, text) in zip(rows, csv.iterrows()):
        assert row[column["Date_UTC"]] == datetime.datetime.fromisoformat(text["Date_UTC"])
        assert row[column["Time_UTC"]] == datetime.time.fromisoformat(text["Time_UTC"])
        assert row[column["TxID"]] == text["TxID"], "text stays text"
    assert links["B2"].number_format == "General" and links["J2"].number_format == "0.00000000"
    assert links.freeze_panes == "A2" and links.auto_filter.ref == f"A1:Q{len(rows) + 1}"
    assert all(links.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJKLMNOPQ")
    assert links.column_dimensions["M"].width >= 64, "a txid column is wide enough for a txid"
    entities = book["entities"]
    first_seen = [r[6].value for r in entities.iter_rows(min_row=2) if r[6].value is not None]
    assert first_seen and all(isinstance(v, datetime.datetime) for v in first_seen)
    typed = pd.read_excel(folder / "link_table.xlsx", sheet_name="links")
    assert typed["Amount_BTC"].dtype.kind == "f" and typed["Date_UTC"].dtype.kind == "M"


def test_graphml_edge_ids_are_unique_and_every_node_has_a_label(written):
    import xml.etree.ElementTree as ET

    folder, _, graph = written
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
    assert "1f80c0979e550f58183c17348" in {k[:25] for k in (key for _, _, key in back.edges(keys=True))}


def test_gexf_has_no_attribute_named_like_a_gexf_field_and_labels_every_node(written):
    import xml.etree.ElementTree as ET

    from btctrace.exports.interchange import GEXF_RESERVED

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


def test_dot_in_the_charts_colours_with_one_font(written):
    from btctrace.exports.styles import ROLE_STYLES

    folder, _, graph = written
    dot = (folder / "graph.dot").read_text()
    assert dot.startswith("digraph btctrace {") and dot.count(" -> ") == graph.number_of_edges()
    assert 'node [fontname="DejaVu Sans", fontsize=9' in dot and 'edge [fontname="DejaVu Sans", fontsize=9]' in dot
    seed = next(n for n, d in graph.nodes(data=True) if d.get("role") == S.ROLE_SEED)
    seed_line = next(line for line in dot.splitlines() if line.strip().startswith(f'"{seed}" ['))
    assert f'fillcolor="{ROLE_STYLES[S.ROLE_SEED][0]}"' in seed_line
    assert dot.count("fillcolor=") == graph.number_of_nodes()


def test_cytoscape_json_is_what_cy_json_takes(written):
    folder, _, graph = written
    cyto = json.loads((folder / "cytoscape.json").read_text())
    assert cyto["data"]["seeds"] and cyto["data"]["direction"] == "forward", "graph data as an object"
    nodes, edges = cyto["elements"]["nodes"], cyto["elements"]["edges"]
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    ids = [e["data"]["id"] for e in edges]
    assert len(set(ids)) == len(ids) and not set(ids) & {n["data"]["id"] for n in nodes}
    assert all(n["data"]["label"] for n in nodes)


def test_misp_event_objects(written):
    folder, result, graph = written
    event = json.loads((folder / "misp_event.json").read_text())["Event"]
    names = {o["name"] for o in event["Object"]}
    assert names == set(MISP_TEMPLATES)
    txs = [o for o in event["Object"] if o["name"] == "btc-transaction"]
    txids = {a["value"] for o in txs for a in o["Attribute"] if a["object_relation"] == "transaction-number"}
    assert len(txs) == len(result.txs) and txids == set(result.txs)
    assert all(not a["disable_correlation"] for o in txs for a in o["Attribute"]
               if a["object_relation"] == "transaction-number"), "MISP correlates txids across events"
    wallets = {a["value"] for o in event["Object"] if o["name"] == "btc-wallet" for a in o["Attribute"]
               if a["object_relation"] == "wallet-address"}
    seeds = {n for n, d in graph.nodes(data=True) if d.get("role") == S.ROLE_SEED}
    assert seeds <= wallets and "SYNTHETIC" in event["info"]
    assert len({o["uuid"] for o in event["Object"]}) == len(event["Object"])


def test_tagpack_lists_the_seed_with_its_evidence(written, demo):
    folder, _, _ = written
    pack = yaml.safe_load((folder / "tagpack.yaml").read_text())
    assert {"title", "creator", "tags"} <= set(pack) and pack["abuse"] == "ransomware"
    assert [t["address"] for t in pack["tags"]] == [demo.ransom_address]
    assert pack["tags"][0]["context"] == "seed of the trace"


def test_the_streamed_misp_event_is_the_whole_event_encoded_at_once(written):
    folder, result, graph = written
    text = (folder / "misp_event.json").read_text()
    assert text == jsontext.dumps(json.loads(text), sort_keys=True) + "\n"
    assert text == misp_event(result, graph, CASE)


def test_a_misp_event_of_no_objects_has_an_empty_object_list(written):
    _, result, _ = written
    text = misp_event(result, nx.MultiDiGraph(), CASE)
    assert json.loads(text)["Event"]["Object"] == [] and text == jsontext.dumps(json.loads(text), sort_keys=True) + "\n"


def test_misp_objects_pass_pymisps_strict_templates_and_are_linked(written):
    pymisp = pytest.importorskip("pymisp")
    folder, result, graph = written
    document = json.loads((folder / "misp_event.json").read_text())
    objects = document["Event"]["Object"]
    for obj in objects:
        strict = pymisp.MISPObject(obj["name"], strict=True)
        assert str(strict.template_version) == obj["template_version"], f"{obj['name']}: current template"
        assert strict.template_uuid.lower() == obj["template_uuid"].lower()
        for attribute in obj["Attribute"]:
            strict.add_attribute(attribute["object_relation"], value=attribute["value"])
        strict.to_json()  # validates the required fields against the template
    uuids = {o["uuid"] for o in objects}
    references = [r for o in objects for r in o.get("ObjectReference", [])]
    assert references and all(r["referenced_uuid"] in uuids and r["object_uuid"] in uuids for r in references)
    linked = {r["object_uuid"] for r in references} | {r["referenced_uuid"] for r in references}
    assert linked == uuids, "no disconnected object"
    by_uuid = {o["uuid"]: o["name"] for o in objects}
    kinds = {(by_uuid[r["object_uuid"]], by_uuid[r["referenced_uuid"]]) for r in references}
    assert ("btc-transaction", "btc-transaction") in kinds and ("btc-transaction", "btc-wallet") in kinds
    event = pymisp.MISPEvent()
    event.load(json.loads((folder / "misp_event.json").read_text()))
    assert len(event.objects) == len(objects) and sum(len(o.references) for o in event.objects) == len(references)
