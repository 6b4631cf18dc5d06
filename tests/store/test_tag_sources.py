"""The attribution file readers: OFAC's sdn_advanced.xml, plain lists, Ransomwhere's export,
TagPacks; the real files in ../shared/data where present."""

import json

import pytest

from btctrace.errors import TagFileError, TagSourceError
from btctrace.store.tag_sources import ListDefaults, read_address_list, read_ofac_xml, read_ransomwhere
from btctrace.tags import checked_tag
from tests.conftest import SHARED_DATA
from tests.store.ofac_xml import sdn_advanced_xml

HYDRA = "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T"
OTHER = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"


def _checked(tags, counts: dict) -> list:
    """The tags as every import keeps them (btctrace.tags.checked_tag)."""
    return [t for t in (checked_tag(tag, counts) for tag in tags) if t is not None]


def test_ofac_xml_gives_each_xbt_address_with_party_entry_and_listing_date(tmp_path):
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(sdn_advanced_xml(HYDRA, OTHER.upper()))
    counts: dict = {}
    tags = _checked(read_ofac_xml(path, counts), counts)
    assert [(t.address, t.label, t.listed_on) for t in tags] == [
        (HYDRA, "OFAC SDN: HYDRA MARKET", "2022-04-05"),
        (OTHER, "OFAC SDN: Aleksandr YERMAKOV", "2024-01-23"),  # bech32 upper case made canonical
    ]
    assert all(t.sanctions and t.is_sanction and t.kind == "ofac" for t in tags)
    assert tags[0].entry == "OFAC SDN profile 36201: HYDRA MARKET"
    assert counts == {"skipped": 1, "published": "2024-09-26", "cut_fields": 0}  # the invalid address, counted not dropped silently


def test_ofac_xml_with_a_doctype_is_refused_before_parsing(tmp_path):
    path = tmp_path / "sdn_advanced.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Sanctions>&a;</Sanctions>')
    with pytest.raises(TagSourceError, match="declares a DTD"):
        list(read_ofac_xml(path, {}))


def test_xml_that_is_not_the_advanced_export_is_refused(tmp_path):
    path = tmp_path / "sdn.xml"
    path.write_text("<sdnList><sdnEntry><uid>1</uid></sdnEntry></sdnList>")
    with pytest.raises(TagSourceError, match="not the ADVANCED_XML export"):
        list(read_ofac_xml(path, {}))


def test_truncated_xml_is_one_clear_error(tmp_path):
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(sdn_advanced_xml(HYDRA, OTHER)[:900])
    with pytest.raises(TagSourceError, match="cannot be read"):
        list(read_ofac_xml(path, {}))


def test_ransomwhere_export_gives_family_tags_and_skips_other_chains(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"result": [
        {"address": HYDRA, "family": "Netwalker (Mailto)", "balance": 0, "blockchain": "bitcoin",
         "transactions": [{"hash": "ab" * 32, "time": 1600000000, "amount": 100000}],
         "createdAt": "2021-06-01T10:00:00.000Z", "updatedAt": "2021-06-02T10:00:00.000Z"},
        {"address": "0x7F367cC41522cE07553e823bf3be79A889DEbe1B", "family": "X", "blockchain": "ethereum"},
        {"address": "not an address", "family": "Y", "blockchain": "bitcoin"},
    ]}))
    counts: dict = {}
    tags = _checked(read_ransomwhere(path, counts), counts)
    assert [(t.address, t.label, t.abuse, t.listed_on) for t in tags] == \
        [(HYDRA, "Netwalker (Mailto) ransomware", "ransomware", "2021-06-01")]
    assert counts == {"skipped": 2, "cut_fields": 0}


def test_ransomwhere_field_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"result": [{"address": HYDRA, "family": ["a", "b"]}]}))
    with pytest.raises(TagSourceError, match="not text"):
        list(read_ransomwhere(path, {}))


def test_plain_list_takes_comments_blank_lines_and_json_arrays(tmp_path):
    defaults = ListDefaults("OFAC SDN (0xB10C list)", "sanction", "https://example.org/list", sanctions=True)
    lines = tmp_path / "list.txt"
    lines.write_text(f"# header\n{HYDRA}\n\n{OTHER}  # trailing\nxyz\n")
    counts: dict = {}
    assert [t.address for t in _checked(read_address_list(lines, defaults, counts), counts)] == [HYDRA, OTHER]
    assert counts == {"skipped": 1, "cut_fields": 0}
    array = tmp_path / "list.json"
    array.write_text(json.dumps([HYDRA]))
    assert [t.sanctions for t in read_address_list(array, defaults, {})] == [True]


def test_real_0xb10c_ofac_list_reads_every_address():
    path = SHARED_DATA / "ofac-sanctioned-btc" / "sanctioned_addresses_XBT.txt"
    if not path.exists():
        pytest.skip("../shared/data/ofac-sanctioned-btc is not present")
    counts: dict = {}
    tags = _checked(read_address_list(path, ListDefaults("OFAC SDN", "sanction", "0xB10C", sanctions=True), counts),
                    counts)
    # 435 entries; one (TUCsTq7T…, a TRON address that OFAC filed as "XBT") is no Bitcoin address:
    # counted as skipped, never stored as one
    assert len(tags) == 434 and counts == {"skipped": 1, "cut_fields": 0}
    assert HYDRA in {t.address for t in tags}


def test_missing_list_file_is_refused(tmp_path):
    with pytest.raises(TagFileError):
        list(read_address_list(tmp_path / "absent.txt", ListDefaults("l", "c", "s"), {}))


@pytest.mark.parametrize("encoding, prefix", [("utf-8", "<!-- a comment first -->" + " " * 5000),
                                              ("utf-16", ""), ("utf-8", '<?xml version="1.0"?>\n')])
def test_an_entity_declaration_anywhere_in_any_encoding_is_refused(tmp_path, encoding, prefix):
    """Issue 32: the refusal looked at the first 4,096 raw bytes; a comment before the DOCTYPE,
    or UTF-16, let a billion-laughs expansion through."""
    path = tmp_path / "sdn_advanced.xml"
    laughs = '<!DOCTYPE Sanctions [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path.write_bytes((prefix + laughs + sdn_advanced_xml(HYDRA, OTHER).split("?>", 1)[1].replace(
        "HYDRA MARKET", "&b;")).encode(encoding))
    with pytest.raises(TagSourceError, match="declares a DTD"):
        list(read_ofac_xml(path, {}))


def test_nested_json_in_a_list_or_export_is_one_clear_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(TagSourceError, match="nested too deeply"):
        list(read_address_list(path, ListDefaults("x", "sanction", "s"), {}))
    with pytest.raises(TagSourceError, match="nested too deeply"):
        list(read_ransomwhere(path, {}))
