"""Parse what a user gives as a starting point: an address, a txid, or ``txid:vout``."""

from __future__ import annotations

import re

from btctrace.addresses import MAINNET, parse_address, parse_txid
from btctrace.errors import InvalidSeed
from btctrace.tracing.result import Seed

__all__ = ["MAX_VOUT", "parse_seed"]

MAX_VOUT = 2**32 - 1  # an outpoint's index is a 32-bit number (Bitcoin's COutPoint.n)

_HEXISH = re.compile(r"[0-9a-fA-F]{40,}(:\S*)?")


def parse_seed(text: str, network: str = MAINNET) -> Seed:
    """``bc1q…`` -> address seed; 64 hex -> tx seed; ``<txid>:<vout>`` -> outpoint seed."""
    if not isinstance(text, str):
        raise InvalidSeed(repr(text), "a seed is an address, a txid or txid:vout as text")
    cleaned = text.strip()
    if ":" in cleaned:
        txid_text, _, vout_text = cleaned.partition(":")
        if not vout_text.isdigit():
            raise InvalidSeed(cleaned, "after ':' comes an output number (vout), e.g. <txid>:3")
        if len(vout_text) > 10 or int(vout_text) > MAX_VOUT:
            raise InvalidSeed(cleaned[:120], f"an output number is at most {MAX_VOUT:,} (a 32-bit index)")
        return Seed("outpoint", parse_txid(txid_text), int(vout_text))
    if _HEXISH.fullmatch(cleaned):
        return Seed("tx", parse_txid(cleaned))
    return Seed("address", parse_address(cleaned, network).address)
