"""Parse, validate and classify Bitcoin addresses and transaction ids. Pure, no I/O.

Base58Check checksums use embit's codec. Bech32/bech32m are decoded here, exactly as the
BIP-173 and BIP-350 reference decoders do, with the checksum's polynomial steps looked up in a
32-entry table: every address an explorer answers with is checked (btctrace/providers/checks.py),
and this is about five times faster than embit's decoder (a test holds the two to the same
verdicts). The segwit rules (witness version, program length, which checksum goes with which
version) follow BIP-141, BIP-173 and BIP-350.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from embit import base58

from btctrace.errors import InvalidAddress, InvalidTxid, WrongNetwork

__all__ = [
    "canonical_address",
    "MAINNET",
    "NETWORKS",
    "Address",
    "parse_address",
    "is_address",
    "parse_txid",
    "network_of",
    "segwit_decode",
]

MAINNET = "mainnet"
NETWORKS = (MAINNET, "testnet", "signet", "regtest")

# Base58 version byte -> (network description, script type). Testnet, signet and regtest share
# Base58 prefixes, so a Base58 address can only be told apart as "testnet/signet/regtest".
_BASE58_VERSIONS = {
    0x00: (MAINNET, "p2pkh"),
    0x05: (MAINNET, "p2sh"),
    0x6F: ("testnet/signet/regtest", "p2pkh"),
    0xC4: ("testnet/signet/regtest", "p2sh"),
}
# Bech32 human-readable parts (BIP-173; signet shares "tb" with testnet).
_BECH32_HRPS = {"bc": MAINNET, "tb": "testnet/signet", "bcrt": "regtest"}
_BASE58_ALPHABET = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_TXID = re.compile(r"[0-9a-fA-F]{64}")
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_VALUES = {char: value for value, char in enumerate(_BECH32_CHARSET)}
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _generator_terms(top: int) -> int:
    """The XOR of the generator terms that the 5-bit *top* of a checksum selects (BIP-173)."""
    terms = 0
    for i, term in enumerate(_GENERATOR):
        if top >> i & 1:
            terms ^= term
    return terms


_POLYMOD_STEP = tuple(_generator_terms(top) for top in range(32))
_HRP_STATES: dict[str, int] = {}


@dataclass(frozen=True, slots=True)
class Address:
    """A validated address in canonical form (bech32 lower-cased)."""

    address: str
    script_type: str  # p2pkh | p2sh | p2wpkh | p2wsh | p2tr | witness_vN
    network: str


def _clean(text: str) -> str:
    stripped = str(text).strip()
    if stripped.isascii() and stripped.isalnum():
        return stripped
    for char in stripped:
        if char.isspace() or unicodedata.category(char) in {"Cf", "Cc", "Zs"}:
            name = unicodedata.name(char, "control character")
            raise InvalidAddress(stripped, f"it contains an invisible character ({name}, U+{ord(char):04X})")
    if not stripped:
        raise InvalidAddress(text, "it is empty")
    return stripped


def _decode_base58(text: str) -> tuple[str, str] | None:
    try:
        payload = base58.decode_check(text)
    except Exception:  # embit raises ValueError or KeyError on bad characters/checksums
        return None
    if len(payload) != 21 or payload[0] not in _BASE58_VERSIONS:
        raise InvalidAddress(text, f"unknown Base58 version byte 0x{payload[0]:02x} or length {len(payload)}")
    return _BASE58_VERSIONS[payload[0]]


def _segwit_type(version: int, program_length: int) -> str:
    if version == 0:
        return "p2wpkh" if program_length == 20 else "p2wsh"
    if version == 1 and program_length == 32:
        return "p2tr"
    return f"witness_v{version}"


def _polymod(values: list[int], checksum: int = 1) -> int:
    step = _POLYMOD_STEP
    for value in values:
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value ^ step[checksum >> 25]
    return checksum


def _hrp_state(hrp: str) -> int:
    """The checksum state after the expanded human-readable part (the same for every address
    of a network, so worked out once)."""
    state = _HRP_STATES.get(hrp)
    if state is None:
        state = _HRP_STATES[hrp] = _polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp])
    return state


def _program(groups: list[int]) -> bytes | None:
    """5-bit groups to bytes, refusing padding of 5 bits or more, or padding that is not zero."""
    number = 0
    for value in groups:
        number = number << 5 | value
    size, padding = divmod(5 * len(groups), 8)
    if padding >= 5 or number & ((1 << padding) - 1):
        return None
    return (number >> padding).to_bytes(size, "big")


def segwit_decode(hrp: str, text: str) -> tuple[int, bytes] | tuple[None, None]:
    """(witness version, program) of lower-case segwit address *text* with prefix *hrp*, or
    (None, None) when it is not one: BIP-173's ``decode`` with BIP-350's checksum rule."""
    if len(text) > 90 or not text.startswith(hrp + "1") or len(text) < len(hrp) + 8:
        return None, None
    try:
        data = [_BECH32_VALUES[char] for char in text[len(hrp) + 1:]]
    except KeyError:
        return None, None
    constant = _polymod(data, _hrp_state(hrp))
    version, program = data[0], _program(data[1:-6])
    if constant not in (_BECH32_CONST, _BECH32M_CONST) or program is None or version > 16 \
            or not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)) \
            or (constant == _BECH32_CONST) != (version == 0):
        return None, None
    return version, program


def _decode_bech32(text: str) -> tuple[str, str]:
    lowered = text.lower()
    hrp = lowered[: lowered.rfind("1")] if "1" in lowered else ""
    if hrp not in _BECH32_HRPS:
        if set(text) <= _BASE58_ALPHABET:
            raise InvalidAddress(text, "the Base58Check checksum does not match (a mistyped character?)")
        raise InvalidAddress(text, "neither a Base58Check nor a bech32 address (bad characters or prefix)")
    if lowered != text and text.upper() != text:
        raise InvalidAddress(text, "bech32 addresses must not mix upper and lower case")
    version, program = segwit_decode(hrp, lowered)
    if version is None:
        raise InvalidAddress(text, "bech32/bech32m checksum or segwit program is invalid")
    return _BECH32_HRPS[hrp], _segwit_type(version, len(program))


def parse_address(text: str, network: str = MAINNET) -> Address:
    """Validate *text* and return its canonical :class:`Address`.

    Raises :class:`InvalidAddress` for bad characters or checksums and :class:`WrongNetwork`
    when the address belongs to another network than *network*.
    """
    cleaned = _clean(text)
    lowered = cleaned.lower()
    decoded = None if lowered.startswith(("bc1", "tb1", "bcrt1")) else _decode_base58(cleaned)
    if decoded is None:
        decoded = _decode_bech32(cleaned)
        cleaned = lowered
    found_network, script_type = decoded
    if network not in found_network.split("/") and found_network != network:
        raise WrongNetwork(cleaned, found_network, network)
    return Address(address=cleaned, script_type=script_type, network=found_network)


def is_address(text: str, network: str = MAINNET) -> bool:
    """True when *text* is a valid address on *network*."""
    try:
        parse_address(text, network)
    except (InvalidAddress, WrongNetwork):
        return False
    return True


def canonical_address(text: str, network: str = MAINNET) -> str | None:
    """*text* as its canonical address on *network*, or None when it is not one."""
    try:
        return parse_address(text.strip(), network).address
    except (InvalidAddress, WrongNetwork, ValueError):
        return None


def network_of(text: str) -> str:
    """The network an address belongs to (``mainnet``, ``testnet/signet``, ``regtest``…)."""
    cleaned = _clean(text)
    decoded = _decode_base58(cleaned) or _decode_bech32(cleaned)
    return decoded[0]


def parse_txid(text: str) -> str:
    """Validate a txid (64 hex characters) and return it lower-cased."""
    cleaned = str(text).strip()
    if not _TXID.fullmatch(cleaned):
        raise InvalidTxid(cleaned)
    return cleaned.lower()
