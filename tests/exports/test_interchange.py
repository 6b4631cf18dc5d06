"""Interchange files parse with their ecosystems' readers: openpyxl for XLSX, networkx for GEXF,
json for Cytoscape and MISP, yaml for the TagPack; the link table has the i2/Maltego shape."""

import json

import networkx as nx
import pandas as pd
import pytest
import yaml

from btctrace.analysis import analyse
from btctrace.exports import CaseInfo, write_outputs
from btctrace.exports.interchange import ENTITY_COLUMNS, LINK_COLUMNS
from btctrace.exports.sharing import MISP_TEMPLATES
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


def test_gexf_is_dynamic_by_block_time(written):
    folder, _, graph = written
    back = nx.read_gexf(folder / "graph.gexf")
    assert back.graph["mode"] == "dynamic"
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert all("start" in data for _, _, data in back.edges(data=True))


def test_dot_and_cytoscape(written):
    folder, _, graph = written
    dot = (folder / "graph.dot").read_text()
    assert dot.startswith("digraph btctrace {") and dot.count(" -> ") == graph.number_of_edges()
    cyto = json.loads((folder / "cytoscape.json").read_text())
    assert len(cyto["elements"]["nodes"]) == graph.number_of_nodes()
    assert len(cyto["elements"]["edges"]) == graph.number_of_edges()


def test_misp_event_objects(written):
    folder, result, graph = written
    event = json.loads((folder / "misp_event.json").read_text())["Event"]
    names = {o["name"] for o in event["Object"]}
    assert names == set(MISP_TEMPLATES)
    txs = [o for o in event["Object"] if o["name"] == "btc-transaction"]
    assert len(txs) == len(result.txs) and all(o["comment"].startswith("txid ") for o in txs)
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
