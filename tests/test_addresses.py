import pytest

from btctrace.addresses import is_address, network_of, parse_address, parse_txid
from btctrace.errors import InvalidAddress, InvalidTxid, WrongNetwork

REAL = {
    "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr": "p2pkh",  # Colonial Pipeline ransom address
    "3LYJfcfHPXYJreMsASk2jkn69LWEYKzexb": "p2sh",
    "bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegq": "p2wpkh",
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3": "p2wsh",  # BIP-173 vector
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0": "p2tr",  # BIP-350 vector
}


@pytest.mark.parametrize("address, script_type", sorted(REAL.items()))
def test_every_mainnet_type_parses(address, script_type):
    parsed = parse_address(address)
    assert parsed.script_type == script_type
    assert parsed.network == "mainnet"


@pytest.mark.parametrize("script_type", ["p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr"])
def test_generated_addresses_round_trip(builder, script_type):
    for _ in range(20):
        address = builder.address(script_type)
        assert parse_address(address).script_type == script_type


@pytest.mark.parametrize("address", sorted(REAL))
def test_one_changed_character_breaks_the_checksum(address):
    position = len(address) - 3
    replacement = "q" if address[position] != "q" else "p"
    mutated = address[:position] + replacement + address[position + 1:]
    with pytest.raises(InvalidAddress):
        parse_address(mutated)


def test_upper_case_bech32_is_normalised_and_mixed_case_refused():
    assert parse_address("BC1QQ2EUQ8PW950KLPJCAWUY4UJ39YM43HS6CFSEGQ").address == "bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegq"
    with pytest.raises(InvalidAddress, match="mix upper and lower case"):
        parse_address("bc1qQ2euq8pw950klpjcawuy4uj39ym43hs6cfsegq")


@pytest.mark.parametrize("address, network", [
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "testnet/signet"),
    ("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "testnet/signet/regtest"),
    ("bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw", "regtest"),
])
def test_other_networks_are_refused_naming_their_network(address, network):
    with pytest.raises(WrongNetwork) as caught:
        parse_address(address)
    assert network in str(caught.value)
    assert network_of(address) == network


def test_testnet_address_accepted_when_asked_for_testnet():
    assert parse_address("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "testnet").script_type == "p2wpkh"
    with pytest.raises(WrongNetwork):
        parse_address("15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "testnet")


def test_surrounding_whitespace_is_trimmed_but_invisible_characters_are_named():
    assert parse_address("  15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr\n").address == "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"
    with pytest.raises(InvalidAddress, match="U\\+200B"):
        parse_address("15JFh88FcE4WL6qeMLg\u200bX5VEAFCbRXjc9fr")


@pytest.mark.parametrize("text", ["", "hello", "0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE",
                                  "bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfseg"])
def test_garbage_is_not_an_address(text):
    assert not is_address(text)


def test_bech32m_checksum_on_witness_v0_is_refused():
    # BIP-350 invalid vector: v0 program with a bech32m checksum
    assert not is_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")


def test_txids_are_validated_and_lower_cased():
    txid = "6A7980263F9A3DA6E3CFE3F6AF8DE40BB8E1D0A2B3A4A0E3D5C2E1F0A9B8C7D6"
    assert parse_txid(txid) == txid.lower()
    for bad in ["", "abc", txid[:-1], txid + "0", "g" * 64]:
        with pytest.raises(InvalidTxid):
            parse_txid(bad)


def test_the_fast_segwit_decoder_agrees_with_embit_on_valid_and_damaged_addresses():
    """btctrace's own bech32/bech32m decoder (used on every address an explorer answers with)
    gives embit's verdict on every valid address and every one-character change of it."""
    import random

    from embit import bech32 as reference

    from btctrace.addresses import segwit_decode

    rng = random.Random(173)
    checked = 0
    for _ in range(300):
        hrp = rng.choice(["bc", "tb", "bcrt"])
        version = rng.choice([0, 0, 1, 1, 2, 16])
        length = rng.choice([20, 32]) if version == 0 else rng.choice([2, 20, 32, 40])
        address = reference.encode(hrp, version, bytes(rng.randrange(256) for _ in range(length)))
        assert segwit_decode(hrp, address) == (version, bytes(reference.decode(hrp, address)[1]))
        for _ in range(5):
            position = rng.randrange(len(hrp) + 1, len(address))
            damaged = address[:position] + rng.choice("qpzry9x8gf2tvdw0s3jn54khce6mua7lb1io") + address[position + 1:]
            ours, theirs = segwit_decode(hrp, damaged), reference.decode(hrp, damaged)
            assert (ours[0] is None) == (theirs[0] is None), damaged
            checked += 1
    assert checked == 1500
