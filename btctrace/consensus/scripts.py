"""The scriptPubKey an address stands for, and whether a script has an address at all.

An address is an encoding of its output script (Base58Check of the hash for P2PKH and P2SH,
BIP 13; a segwit program for P2WPKH, P2WSH, P2TR and future versions, BIP 141/173/350), so
an explorer's ``scriptpubkey_address`` can be proven: decode the address back to its script and
compare the bytes with the ``scriptpubkey`` of the same answer. Bare multisig, P2PK, OP_RETURN
and non-standard scripts have no address. Pure.
"""

from __future__ import annotations

from embit import base58

from btctrace.addresses import MAINNET, parse_address, segwit_decode

__all__ = ["script_of_address", "address_form"]

_SEGWIT_HRPS = {MAINNET: "bc", "testnet": "tb", "signet": "tb", "regtest": "bcrt"}


def _segwit_script(version: int, program: bytes) -> str:
    opcode = 0 if version == 0 else 0x50 + version  # OP_0, OP_1..OP_16
    return f"{opcode:02x}{len(program):02x}{program.hex()}"


def script_of_address(address: str, network: str = MAINNET) -> tuple[str, str]:
    """(script type, scriptPubKey hex) of *address* on *network*; raises
    :class:`~btctrace.errors.InvalidAddress` or :class:`~btctrace.errors.WrongNetwork`."""
    parsed = parse_address(address, network)
    if parsed.script_type == "p2pkh":
        return "p2pkh", f"76a914{base58.decode_check(parsed.address)[1:].hex()}88ac"
    if parsed.script_type == "p2sh":
        return "p2sh", f"a914{base58.decode_check(parsed.address)[1:].hex()}87"
    hrp = parsed.address[: parsed.address.rfind("1")]
    version, program = segwit_decode(hrp, parsed.address)
    return parsed.script_type, _segwit_script(version, program)


def address_form(script: str) -> str:
    """The address type *script* (lower-case hex) has an address of: ``p2pkh``, ``p2sh``,
    ``p2wpkh``, ``p2wsh``, ``p2tr`` or ``witness_vN``; ``""`` when it has none."""
    size = len(script) // 2
    if size == 25 and script.startswith("76a914") and script.endswith("88ac"):
        return "p2pkh"
    if size == 23 and script.startswith("a914") and script.endswith("87"):
        return "p2sh"
    if 4 <= size <= 42 and int(script[2:4], 16) == size - 2:
        opcode = int(script[:2], 16)
        if opcode == 0 and size in (22, 34):
            return "p2wpkh" if size == 22 else "p2wsh"
        if 0x51 <= opcode <= 0x60:
            return "p2tr" if opcode == 0x51 and size == 34 else f"witness_v{opcode - 0x50}"
    return ""
