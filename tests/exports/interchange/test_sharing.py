"""The MISP event (PyMISP's strict object templates: current versions, references, correlatable
txids; streamed as one encoding) and the TagPack."""

import json

import networkx as nx
import pytest
import yaml

from btctrace import jsontext
from btctrace.exports.interchange.sharing import MISP_TEMPLATES, misp_event
from btctrace.graph import schema as S
from tests.exports.interchange.conftest import CASE


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
    assert {"title", "creator", "tags"} <= set(pack) and pack["abuse"] == "ransomware", "the case file's kind"
    assert [t["address"] for t in pack["tags"]] == [demo.ransom_address]
    assert pack["tags"][0]["context"] == "seed of the trace"


def test_the_tagpack_claims_no_abuse_the_case_file_does_not_name(demo_trace, tmp_path):
    from btctrace.analysis import analyse
    from btctrace.case import CaseInfo
    from btctrace.exports.interchange.sharing import tagpack

    result, _, tags = demo_trace
    pack = yaml.safe_load(tagpack(result, analyse(result, tags=tags), CaseInfo("c", "A case")))
    assert "abuse" not in pack and "extortionist" not in pack["description"]


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
