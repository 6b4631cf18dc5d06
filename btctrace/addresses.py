"""Parse, validate and classify Bitcoin addresses and transaction ids. Pure, no I/O.

Checksums use embit's Base58Check and BIP-173/BIP-350 (bech32/bech32m) codecs; the segwit
rules (witness version, program length, which checksum goes with which version) follow
BIP-141, BIP-173 and BIP-350.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from embit import base58, bech32

from btctrace.errors import InvalidAddress, InvalidTxid, WrongNetwork

__all__ = [
    "MAINNET",
    "NETWORKS",
    "Address",
    "parse_address",
    "is_address",
    "parse_txid",
    "network_of",
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


@dataclass(frozen=True, slots=True)
class Address:
    """A validated address in canonical form (bech32 lower-cased)."""

    address: str
    script_type: str  # p2pkh | p2sh | p2wpkh | p2wsh | p2tr | witness_vN
    network: str


def _clean(text: str) -> str:
    stripped = str(text).strip()
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


def _decode_bech32(text: str) -> tuple[str, str]:
    lowered = text.lower()
    hrp = lowered[: lowered.rfind("1")] if "1" in lowered else ""
    if hrp not in _BECH32_HRPS:
        if set(text) <= _BASE58_ALPHABET:
            raise InvalidAddress(text, "the Base58Check checksum does not match (a mistyped character?)")
        raise InvalidAddress(text, "neither a Base58Check nor a bech32 address (bad characters or prefix)")
    if lowered != text and text.upper() != text:
        raise InvalidAddress(text, "bech32 addresses must not mix upper and lower case")
    version, program = bech32.decode(hrp, lowered)
    if version is None:
        raise InvalidAddress(text, "bech32/bech32m checksum or segwit program is invalid")
    return _BECH32_HRPS[hrp], _segwit_type(version, len(program))


def parse_address(text: str, network: str = MAINNET) -> Address:
    """Validate *text* and return its canonical :class:`Address`.

    Raises :class:`InvalidAddress` for bad characters or checksums and :class:`WrongNetwork`
    when the address belongs to another network than *network*.
    """
    cleaned = _clean(text)
    decoded = _decode_base58(cleaned)
    if decoded is None:
        decoded = _decode_bech32(cleaned)
        cleaned = cleaned.lower()
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
