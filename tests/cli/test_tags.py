"""``btctrace tags``, ``search`` and ``case links`` on the demo chain, and what the store adds to a
trace: sanctions flagged everywhere an investigator looks, links between cases."""

import json

import pytest

from btctrace.testing.server import EsploraServer
from tests.cli.conftest import DEMO_CASE, invoke
from tests.conftest import SHARED_DATA
from tests.store.ofac_xml import sdn_advanced_xml


@pytest.fixture
def demo_explorer(demo):
    with EsploraServer(demo.store) as server:
        yield server


def test_import_lookup_and_stats(demo, tmp_path):
    deposit = demo.exchange_addresses[1]
    xml = tmp_path / "sdn_advanced.xml"
    xml.write_text(sdn_advanced_xml(deposit, "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T"))
    imported = invoke("tags", "import", xml)
    assert imported.exit_code == 0, imported.output
    assert "ofac:sdn_advanced.xml: 2 tags, 1 skipped" in imported.output
    again = invoke("tags", "import", xml)
    assert "unchanged since" in again.output
    looked = invoke("tags", "lookup", deposit, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")
    assert "SANCTIONS OFAC SDN: HYDRA MARKET [sanction]" in looked.output and "listed 2022-04-05" in looked.output
    assert "1BoatSLRHtKNngkdXEeobR76b53LETtpyT: no tag" in looked.output
    stats = invoke("tags", "stats")
    assert "2 tags on 2 addresses, 2 on a sanctions list" in stats.output


def test_plain_list_without_its_meaning_is_refused_with_exit_2(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T\n")
    result = invoke("tags", "import", path, "--kind", "list")
    assert result.exit_code == 2 and "--label, --category and --source" in result.output
    unknown = invoke("tags", "import", path)
    assert unknown.exit_code == 2 and "Give --kind" in unknown.output


def test_sanctioned_deposit_is_flagged_in_summary_trace_report_and_subpoena(demo, tmp_path, private_store):
    deposit = demo.exchange_addresses[1]
    listing = tmp_path / "sanctioned.txt"
    listing.write_text(deposit + "\n")
    assert invoke("tags", "import", listing, "--kind", "list", "--sanctions", "--category", "sanction",
                  "--label", "Test sanctions list", "--source", "https://list.example", "--listed-on",
                  "2024-09-27").exit_code == 0
    out = tmp_path / "demo"
    result = invoke("case", "run", DEMO_CASE, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert "SANCTIONS: 1 traced address on a sanctions list" in result.output and deposit in result.output
    document = json.loads((out / "trace.json").read_text())
    [hit] = document["attribution"]["sanctions"]
    assert (hit["address"], hit["list"], hit["listed_on"]) == (deposit, "sanctioned.txt", "2024-09-27")
    report = (out / "report.html").read_text()
    assert report.index("SANCTIONS: 1 traced address") < report.index('id="finding"')  # on the first page
    finding = report[report.index('id="finding"'):report.index('id="flow-chart"')]
    assert "Sanctions:" in finding and deposit in finding and "Test sanctions list" in finding
    subpoena = (out / "subpoena.csv").read_text().splitlines()
    assert subpoena[0].split(",").index("sanctions") > 0
    assert any(deposit in row and "Test sanctions list" in row for row in subpoena[1:])
    snapshot = json.loads((out / "store_snapshot.json").read_text())
    assert [t["address"] for t in snapshot["tags"]] == [deposit] and snapshot["store"] == "sqlite"
    for exhibit in ("trace.json", "report.html", "store_snapshot.json"):  # the store's path: manifest only
        assert str(private_store) not in (out / exhibit).read_text()
    assert json.loads((out / "manifest.json").read_text())["explorers"]["store"] == str(private_store)
    verified = invoke("verify", out)
    assert verified.exit_code == 0, verified.output


def test_later_store_changes_do_not_change_what_verify_reproduces(demo, tmp_path):
    out = tmp_path / "demo"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0
    listing = tmp_path / "late.txt"
    listing.write_text(demo.exchange_addresses[1] + "\n")
    invoke("tags", "import", listing, "--kind", "list", "--label", "Late", "--category", "exchange", "--source", "x")
    verified = invoke("verify", out)
    assert verified.exit_code == 0, verified.output


def test_search_and_links_between_two_cases_sharing_addresses(demo, demo_explorer, tmp_path):
    first = invoke("trace", demo.ransom_address, "--hops", 3, "--out", tmp_path / "a", "--api-url",
                   demo_explorer.api_url, "-q")
    assert first.exit_code == 0, first.output
    second = invoke("trace", demo.split_txid, "--hops", 4, "--out", tmp_path / "b", "--api-url",
                    demo_explorer.api_url, "-q")
    assert second.exit_code == 0, second.output
    assert f"LINKED CASE trace {demo.ransom_address}:" in second.output
    links = json.loads((tmp_path / "b" / "trace.json").read_text())["attribution"]["case_links"]
    assert [link["case_id"] for link in links] == [f"trace {demo.ransom_address}"]
    assert links[0]["shared_addresses"] and links[0]["shared_transactions"]
    assert "Links to other cases" in (tmp_path / "b" / "report.html").read_text()
    found = invoke("search", demo.split_txid)
    assert "2 case(s)" in found.output
    listed = invoke("case", "links", f"trace {demo.split_txid}")
    assert f"trace {demo.ransom_address}" in listed.output and "shared address" in listed.output


def test_no_store_uses_none(demo, tmp_path):
    out = tmp_path / "demo"
    result = invoke("case", "run", DEMO_CASE, "--out", out, "-q", "--no-store")
    assert result.exit_code == 0 and "Store: none (--no-store)" in result.output
    assert json.loads((out / "store_snapshot.json").read_text())["store"] is None


def test_unopenable_store_is_one_line_with_exit_9(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("tags", "stats", "--store", blocker / "store.sqlite")
    assert result.exit_code == 9 and result.output.startswith("btctrace: error: store ")


def test_real_ofac_list_flags_the_hydra_address():
    path = SHARED_DATA / "ofac-sanctioned-btc" / "sanctioned_addresses_XBT.txt"
    if not path.exists():
        pytest.skip("../shared/data/ofac-sanctioned-btc is not present")
    result = invoke("tags", "import", path, "--kind", "list", "--sanctions", "--category", "sanction", "--label",
                    "OFAC SDN (0xB10C list)", "--source",
                    "https://github.com/0xB10C/ofac-sanctioned-digital-currency-addresses")
    assert "434 tags, 1 skipped" in result.output
    looked = invoke("tags", "lookup", "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T")
    assert "SANCTIONS OFAC SDN (0xB10C list)" in looked.output


def test_a_label_carrying_terminal_sequences_is_printed_inert(tmp_path):
    """Issue 32: OSC (window title, OSC 52 clipboard) and CSI sequences in a tag label reached
    the terminal raw through `tags lookup`; now every control character is shown escaped."""
    path = tmp_path / "list.txt"
    path.write_text("16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T\n")
    label = "Evil\x1b]0;pwned\x07\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[8mhidden\x1b[0m\u202eRTL"
    imported = invoke("tags", "import", path, "--kind", "list", "--label", label, "--category", "ransomware",
                      "--source", "https://example.org/list")
    assert imported.exit_code == 0, imported.output
    looked = invoke("tags", "lookup", "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T")
    assert looked.exit_code == 0 and "\x1b" not in looked.output and "\x07" not in looked.output
    assert "\u202e" not in looked.output and "Evil\\x1b]0;pwned\\x07" in looked.output and "\\u202eRTL" in looked.output


def test_terminal_text_keeps_lines_and_tabs_and_escapes_every_other_control():
    from btctrace.cli.terminal import terminal_text

    assert terminal_text("a\tb\nc") == "a\tb\nc"
    assert terminal_text("\x00\x1b[31m\x7f\x9b\u2066") == "\\x00\\x1b[31m\\x7f\\x9b\\u2066"
