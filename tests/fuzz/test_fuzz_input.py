"""Property-based tests over what investigators type and paste: addresses, txids, seeds and
ransom-note text. Whatever comes in, the answer is the right address or one clear
UsageProblem: never a different address, never an unexpected exception."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from btctrace.addresses import parse_address, parse_txid
from btctrace.errors import InvalidAddress, InvalidTxid, UsageProblem, WrongNetwork
from btctrace.extract import extract_addresses
from btctrace.tracing.seeds import parse_seed
from tests.fuzz.strategies import BECH32, INVISIBLE, VALID_ADDRESSES, one_substitution, pasted, valid_address

OTHER_NETWORKS = ["tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
                  "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw", "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc"]


def _one_line(error: UsageProblem) -> None:
    assert "\n" not in error.user_message and error.user_message.strip()


def _parsed(parse, text, error=UsageProblem):
    """What *parse* makes of *text*, or None after checking its error is one clear line."""
    try:
        return parse(text)
    except error as exc:
        _one_line(exc)
        return None


@settings(max_examples=600, deadline=None)
@given(one_substitution())
def test_a_single_typo_never_parses_as_another_address(pair):
    original, typo = pair
    try:
        parsed = parse_address(typo)
    except InvalidAddress as exc:
        _one_line(exc)
        return
    raise AssertionError(f"{typo} (a typo of {original}) parsed as {parsed.address}")


@settings(max_examples=600, deadline=None)
@given(pasted())
def test_a_pasted_address_is_the_original_or_one_clear_error(text):
    original = next(a for a in VALID_ADDRESSES if a.lower() == "".join(
        c for c in text.strip().lower() if c not in INVISIBLE))
    parsed = _parsed(parse_address, text)
    assert parsed is None or parsed.address == original


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(OTHER_NETWORKS), st.sampled_from(["", " ", "\n"]))
def test_other_network_addresses_are_refused_naming_the_network(address, pad):
    try:
        parse_address(pad + address + pad)
    except WrongNetwork as exc:
        _one_line(exc)
        assert "network" in exc.user_message
    else:
        raise AssertionError(f"{address} accepted on mainnet")


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(max_size=120), st.text(alphabet=BECH32 + "bc1BC" + "".join(INVISIBLE), max_size=90)))
@example("bc1")
@example("1" * 34)
@example("\x00" * 40)
def test_any_text_is_a_seed_or_one_clear_error(text):
    seed = _parsed(parse_seed, text)
    assert seed is None or seed.kind in {"address", "tx", "outpoint"}


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789abcdefABCDEFgxz: \t", min_size=60, max_size=70))
def test_a_txid_is_64_hex_digits_or_one_clear_error(text):
    txid = _parsed(parse_txid, text, InvalidTxid)
    assert txid is None or (len(txid) == 64 and txid == txid.lower() and int(txid, 16) >= 0)


@settings(max_examples=300, deadline=None)
@given(valid_address, st.sampled_from(["testnet", "regtest", "signet"]))
def test_a_mainnet_address_is_refused_when_another_network_is_asked(address, network):
    try:
        parse_address(address, network)
    except UsageProblem as exc:
        _one_line(exc)
    else:
        raise AssertionError(f"{address} accepted as {network}")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(valid_address, one_substitution().map(lambda pair: pair[1]),
                          st.text(max_size=20)), max_size=8),
       st.sampled_from([" ", "\n", ", ", " to: ", "<br>"]))
def test_extraction_finds_exactly_the_valid_addresses_of_a_note(pieces, separator):
    note = separator + separator.join(pieces) + separator
    found = [f.address for f in extract_addresses(note)]
    expected = [p for p in pieces if p in VALID_ADDRESSES]
    assert set(found) == set(expected)
