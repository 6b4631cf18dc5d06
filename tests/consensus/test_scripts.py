"""An address is its script: every address of the real transactions in ../shared decodes to the
scriptpubkey beside it; scripts with no address form (P2PK, bare multisig, OP_RETURN) have none."""

import json

import pytest

from btctrace.consensus.scripts import address_form, script_of_address


def test_every_real_address_decodes_to_its_script(colonial_dir):
    outputs = []
    for path in sorted(colonial_dir.glob("*.json")):
        data = json.loads(path.read_text())
        for tx in data if isinstance(data, list) else [data]:
            if isinstance(tx, dict) and "vin" in tx:
                outputs += tx["vout"] + [i["prevout"] for i in tx["vin"] if i.get("prevout")]
    assert len(outputs) > 1000
    for out in outputs:
        address = out.get("scriptpubkey_address")
        if address:
            kind, script = script_of_address(address)
            assert script == out["scriptpubkey"] and address_form(script) == kind
        else:
            assert address_form(out["scriptpubkey"]) == ""


@pytest.mark.parametrize("script,form", [
    ("4104" + "11" * 64 + "ac", ""),  # P2PK (uncompressed key)
    ("5121" + "02" * 33 + "21" + "03" * 33 + "52ae", ""),  # bare 1-of-2 multisig
    ("6a0568656c6c6f", ""),  # OP_RETURN
    ("5220" + "ab" * 32, "witness_v2"),  # a future segwit version has an address (BIP 350)
    ("0014" + "ab" * 20, "p2wpkh"),
    ("0015" + "ab" * 21, ""),  # a v0 program of the wrong length
])
def test_address_forms(script, form):
    assert address_form(script) == form


def test_a_future_segwit_address_decodes_to_its_script():
    # BIP 350 test vector: witness v16, 2-byte program
    assert script_of_address("bc1sw50qgdz25j")[1] == "6002751e"
