"""Ransom-note extraction: every address type found with its checksum checked; look-alikes,
other networks' look-alikes and mistyped addresses ignored; each address once, in order."""

import json

from btctrace.extract import extract_addresses
from tests.cli.conftest import invoke

NOTE = """Your files are encrypted!!! Pay 0.5 BTC to 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr within 48h.
Or to our SegWit wallet: BC1QQ2EUQ8PW950KLPJCAWUY4UJ39YM43HS6CFSEGQ (upper case is fine).
Taproot: bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0, P2SH 3LYJfcfHPXYJreMsASk2jkn69LWEYKzexb.
Mistyped: 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fR and bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegr.
Not an address: 0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE, txid 6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2.
Again: 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr. Testnet: tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx
"""


def test_every_valid_address_once_in_order():
    found = extract_addresses(NOTE)
    assert [f.address for f in found] == [
        "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr",
        "bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegq",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "3LYJfcfHPXYJreMsASk2jkn69LWEYKzexb",
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
    ]
    assert [f.script_type for f in found[:4]] == ["p2pkh", "p2wpkh", "p2tr", "p2sh"]
    assert found[4].network == "testnet/signet" and (found[0].line, found[0].column) == (1, 44)


def test_cli_lines_and_json(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    result = invoke("extract", note)
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"
    data = json.loads(invoke("extract", note, "--json").stdout)
    assert data[1]["script_type"] == "p2wpkh" and len(data) == 5
    missing = invoke("extract", tmp_path / "none.txt")
    assert missing.exit_code == 2 and missing.stderr.startswith("btctrace: error: cannot read")


def test_a_mistyped_address_is_named_not_dropped_without_a_word(tmp_path):
    """Issue 32: an address with a bad checksum vanished from the output without a word."""
    from btctrace.extract import read_note

    note = read_note(NOTE)
    assert [(r.text, r.line) for r in note.rejected] == [
        ("15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fR", 4), ("bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegr", 4)]
    assert all("checksum" in r.reason for r in note.rejected)
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    result = invoke("extract", path)
    assert "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fR" not in result.stdout  # standard output seeds a trace
    assert "NOT AN ADDRESS (line 4, column 11): 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fR" in result.stderr
