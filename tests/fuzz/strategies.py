"""Hypothesis strategies for bad input as investigators meet it: addresses copied from ransom
notes (typos, whitespace, invisible characters, wrong network, mixed case), TOML values of the
wrong type, corrupted cassettes."""

import random

from hypothesis import strategies as st

from btctrace.testing.builder import ChainBuilder

SCRIPT_TYPES = ("p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr")
# Characters a copy from a PDF, e-mail or chat window smuggles in.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u202f", "\u00ad")
WHITESPACE = (" ", "\t", "\n", "\r\n")
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _pool(seed: int = 11, per_type: int = 8) -> dict[str, list[str]]:
    builder = ChainBuilder(random.Random(seed), base_height=800_000, base_time=1_690_000_000)
    return {kind: [builder.address(kind) for _ in range(per_type)] for kind in SCRIPT_TYPES}


POOL = _pool()
VALID_ADDRESSES = sorted(a for addresses in POOL.values() for a in addresses)

valid_address = st.sampled_from(VALID_ADDRESSES)


@st.composite
def one_substitution(draw, address=valid_address):
    """*address* with exactly one character replaced by another of the same alphabet."""
    text = draw(address)
    bech32 = text.startswith("bc1")
    start = 3 if bech32 else 1
    index = draw(st.integers(start, len(text) - 1))
    alphabet = BECH32 if bech32 else BASE58
    replacement = draw(st.sampled_from([c for c in alphabet if c != text[index]]))
    return text, text[:index] + replacement + text[index + 1:]


@st.composite
def pasted(draw):
    """An address as pasted from a note: wrapped in whitespace, perhaps with an invisible
    character inside, perhaps in another case."""
    text = draw(valid_address)
    if draw(st.booleans()):
        index = draw(st.integers(0, len(text)))
        text = text[:index] + draw(st.sampled_from(INVISIBLE)) + text[index:]
    case = draw(st.sampled_from(["same", "upper", "lower", "swap-one"]))
    if case == "upper":
        text = text.upper()
    elif case == "lower":
        text = text.lower()
    elif case == "swap-one":
        index = draw(st.integers(0, len(text) - 1))
        text = text[:index] + text[index].swapcase() + text[index + 1:]
    pad = st.lists(st.sampled_from(WHITESPACE), max_size=3).map("".join)
    return draw(pad) + text + draw(pad)


toml_scalar = st.one_of(
    st.integers(-(2**40), 2**40), st.booleans(), st.text(max_size=30),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "forward", "backward", "2021-05-01", "0.001",
                     "../../etc/passwd", "/abs/path", "a" * 300, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"]),
)
toml_value = st.one_of(toml_scalar, st.lists(toml_scalar, max_size=4))


def toml_string(value: object) -> str:
    """*value* as a TOML literal (strings as basic strings with escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_string(v) for v in value) + "]"
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in str(value))
    return f'"{escaped}"'


def toml_document(sections: dict[str, dict[str, object]]) -> str:
    lines = []
    for section, fields in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {toml_string(value)}" for key, value in fields.items())
    return "\n".join(lines) + "\n"
