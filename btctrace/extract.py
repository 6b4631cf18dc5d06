"""Find every Bitcoin address in a text (ransom note, e-mail, chat log), checksums verified.

Candidates are runs of Base58 characters (25-35 long, starting 1, 3, m, n or 2) and bech32
strings (``bc1``/``tb1``/``bcrt1`` plus data characters, any case). Each is validated with
:func:`btctrace.addresses.parse_address`; look-alikes (bad checksum, wrong length, words that
happen to match) are not addresses, but each candidate that failed is kept with the reason
(:class:`RejectedCandidate`): a ransom note's address with one mistyped character must be
said, not silently dropped (issue 32). A zero-width character inside an address is reported,
not silently joined. Pure, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from btctrace.addresses import network_of, parse_address
from btctrace.errors import InvalidAddress, WrongNetwork

__all__ = ["FoundAddress", "NoteAddresses", "RejectedCandidate", "extract_addresses", "read_note"]

_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])("
    r"(?:bc1|tb1|bcrt1|BC1|TB1|BCRT1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}"
    r"|[13mn2][1-9A-HJ-NP-Za-km-z]{24,34}"
    r")(?![0-9A-Za-z])"
)


@dataclass(frozen=True)
class FoundAddress:
    address: str  # canonical form (bech32 lower-cased)
    script_type: str
    network: str
    line: int
    column: int


@dataclass(frozen=True)
class RejectedCandidate:
    """Text shaped like an address that is none: a checksum, length or program that fails."""

    text: str
    reason: str
    line: int
    column: int


@dataclass(frozen=True)
class NoteAddresses:
    found: list[FoundAddress]
    rejected: list[RejectedCandidate]


def read_note(text: str) -> NoteAddresses:
    """Every valid address in *text*, in order of first appearance, each once; and every
    candidate that failed validation, with why."""
    found: dict[str, FoundAddress] = {}
    rejected: list[RejectedCandidate] = []
    for line_number, line in enumerate(text.splitlines(), 1):
        for match in _CANDIDATE.finditer(line):
            candidate = match.group(1)
            try:
                parsed = parse_address(candidate, network_of(candidate))
            except (InvalidAddress, WrongNetwork) as exc:
                rejected.append(RejectedCandidate(candidate, getattr(exc, "reason", "") or str(exc), line_number,
                                                  match.start(1) + 1))
                continue
            found.setdefault(parsed.address, FoundAddress(parsed.address, parsed.script_type, parsed.network,
                                                          line_number, match.start(1) + 1))
    return NoteAddresses(list(found.values()), rejected)


def extract_addresses(text: str) -> list[FoundAddress]:
    """Every valid address in *text*, in order of first appearance, each once."""
    return read_note(text).found
