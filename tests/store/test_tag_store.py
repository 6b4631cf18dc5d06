"""Importing attributions into the store and looking them up, on SQLite and PostgreSQL."""

import pytest

from btctrace.store.tag_sources import ListDefaults
from btctrace.testing.builder import encode_address
from tests.conftest import SHARED_DATA
from tests.store.ofac_xml import sdn_advanced_xml

HYDRA = "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T"
BINANCE = "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo"


def _tagpack(path, addresses, label="Example Exchange", category="exchange"):
    rows = "".join(f"- address: '{a}'\n" for a in addresses)
    path.write_text(f"title: t\ncreator: c\nlabel: {label}\ncategory: {category}\nsource: https://x.example\n"
                    f"confidence: service_data\ncurrency: BTC\nis_cluster_definer: true\ntags:\n{rows}"
                    "- address: '0xabc'\n  currency: ETH\n")
    return path


def test_import_keeps_file_hash_time_and_every_field(store, tmp_path):
    pack = _tagpack(tmp_path / "ex.yaml", [BINANCE, HYDRA])
    [outcome] = store.import_file("tagpack", pack)
    assert outcome.source.tags == 2 and outcome.source.skipped == 1 and len(outcome.source.sha256) == 64
    tags = store.lookup([BINANCE])[BINANCE]
    assert [(t.label, t.category, t.confidence, t.cluster_definer, t.tagpack, t.file_sha256) for t in tags] == \
        [("Example Exchange", "exchange", "service_data", True, "tagpack:ex.yaml", outcome.source.sha256)]
    assert tags[0].imported_at == outcome.source.imported_at


def test_same_file_again_is_skipped_and_a_new_version_replaces_the_old(store, tmp_path):
    pack = _tagpack(tmp_path / "ex.yaml", [BINANCE, HYDRA])
    store.import_file("tagpack", pack)
    [again] = store.import_file("tagpack", pack)
    assert again.unchanged
    _tagpack(pack, [BINANCE], label="Renamed Exchange")
    [changed] = store.import_file("tagpack", pack)
    assert changed.replaced is not None and not changed.unchanged
    assert store.lookup([BINANCE, HYDRA]) .keys() == {BINANCE}
    assert store.lookup([BINANCE])[BINANCE][0].label == "Renamed Exchange"


def test_one_address_in_several_sources_keeps_every_tag(store, tmp_path):
    store.import_file("tagpack", _tagpack(tmp_path / "ex.yaml", [HYDRA]))
    xml = tmp_path / "sdn_advanced.xml"
    xml.write_text(sdn_advanced_xml(HYDRA, BINANCE))
    store.import_file("ofac", xml)
    tags = store.lookup([HYDRA])[HYDRA]
    assert sorted((t.kind, t.is_sanction) for t in tags) == [("ofac", True), ("tagpack", False)]
    assert store.stats().sanctioned_addresses == 2


def test_lookup_of_many_addresses_batches_and_misses_quietly(store, tmp_path):
    listed = [encode_address("p2pkh", n.to_bytes(20, "big")) for n in range(2500)]
    store.import_file("tagpack", _tagpack(tmp_path / "many.yaml", listed))
    found = store.lookup(listed[::2] + ["1NotThere"])
    assert len(found) == 1250 and "1NotThere" not in found


def test_plain_list_needs_a_label_category_and_source(store, tmp_path):
    from btctrace.errors import UsageProblem

    path = tmp_path / "l.txt"
    path.write_text(HYDRA + "\n")
    with pytest.raises(UsageProblem, match="--label, --category and --source"):
        store.import_file("list", path)
    store.import_file("list", path, ListDefaults("OFAC SDN", "sanction", "https://x", sanctions=True))
    assert store.lookup([HYDRA])[HYDRA][0].is_sanction


def test_real_graphsense_tagpacks_import_whole(store):
    folder = SHARED_DATA / "graphsense-tagpacks"
    if not folder.is_dir():
        pytest.skip("../shared/data/graphsense-tagpacks is not present")
    outcomes = store.import_file("tagpack", folder)
    assert len(outcomes) == 16
    stats = store.stats()
    assert stats.tags == sum(o.source.tags for o in outcomes) > 85_000
    wannacry = store.lookup(["115p7UMMngoj1pMvkpHijcRdfJNXj6LrLn"])["115p7UMMngoj1pMvkpHijcRdfJNXj6LrLn"]
    assert any("wannacry" in t.label.lower() for t in wannacry)
    assert store.lookup([BINANCE])[BINANCE][0].category == "exchange"
