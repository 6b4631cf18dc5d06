"""CoinJoin detectors: each a pure function of a :class:`Tx` returning a :class:`Finding` or None.

CoinJoins must stop common-input clustering (their inputs belong to many people) and end or
flag a trace (the coins are mixed). Rules follow the sources cited per detector; the thresholds
are theirs. :func:`detect_coinjoin` tries the specific protocols first, then the generic rule.
"""

from __future__ import annotations

import math
from collections import Counter

from btctrace.heuristics import Finding
from btctrace.model import Tx, TxIn, TxOut

__all__ = [
    "WHIRLPOOL_POOLS",
    "WABISABI_DENOMINATIONS",
    "detect_generic",
    "detect_whirlpool_mix",
    "detect_whirlpool_tx0",
    "detect_wasabi1",
    "detect_wabisabi",
    "detect_joinmarket",
    "DETECTORS",
    "detect_coinjoin",
]

DUST_DENOMINATIONS = frozenset({546, 2_730})
# Samourai Whirlpool pools: denomination -> coordinator fee (sat).
WHIRLPOOL_POOLS = {100_000: 5_000, 1_000_000: 50_000, 5_000_000: 175_000, 50_000_000: 1_750_000}
WHIRLPOOL_MAX_EXTRA = 110_000  # an entrant's input may exceed the denomination by at most this
WABISABI_MIN_OUTPUT = 5_000
WABISABI_MAX_DENOMINATION = 134_375_000_000


def _standard_denominations() -> frozenset[int]:
    """WalletWasabi's standard denominations: six series (2^n, 3^n, 2·3^n, 10^n, 2·10^n,
    5·10^n) from 5,000 sat to 134,375,000,000 sat, both ends included (WalletWasabi
    StandardDenomination, as ported from dumplings to BlockSci coinjoin_utils)."""
    values = {WABISABI_MIN_OUTPUT, WABISABI_MAX_DENOMINATION}
    for base, factors in ((2, (1,)), (3, (1, 2)), (10, (1, 2, 5))):
        for factor in factors:
            value = factor
            while value <= WABISABI_MAX_DENOMINATION:
                if value >= WABISABI_MIN_OUTPUT:
                    values.add(value)
                value *= base
    return frozenset(values)


WABISABI_DENOMINATIONS = _standard_denominations()


def _input_owner(txin: TxIn) -> str:
    return txin.address or f"{txin.prev_txid}:{txin.prev_vout}"


def _distinct_input_owners(tx: Tx) -> int:
    return len({_input_owner(i) for i in tx.inputs})


def _spendable(tx: Tx) -> list[TxOut]:
    return [o for o in tx.outputs if o.script_type != "op_return"]


def _largest_owner_share(tx: Tx) -> float:
    counts = Counter(_input_owner(i) for i in tx.inputs)
    return max(counts.values()) / len(tx.inputs)


def _distinct_output_scripts(outputs: list[TxOut]) -> bool:
    addresses = [o.address for o in outputs if o.address]
    return len(addresses) == len(set(addresses))


def _most_common_value(outputs: list[TxOut], above: int = -1) -> tuple[int, int]:
    """(value, count) of the most frequent output value above *above* sat; ties go to the
    lowest value (GraphSense)."""
    counts = Counter(o.value for o in outputs if o.value > above)
    if not counts:
        return 0, 0
    return min(counts.items(), key=lambda item: (-item[1], item[0]))


def detect_generic(tx: Tx) -> Finding | None:
    """BlockSci ``is_coinjoin`` (citp/BlockSci src/heuristics/tx_identification.cpp): >= 2 inputs,
    >= 3 outputs; p = ceil(|O|/2) <= |I| and <= distinct input addresses; the most frequent output
    value occurs exactly p times and is not a dust denomination (546, 2,730 sat)."""
    if tx.is_coinbase or len(tx.inputs) < 2 or len(tx.outputs) < 3:
        return None
    participants = math.ceil(len(tx.outputs) / 2)
    if participants > len(tx.inputs) or participants > _distinct_input_owners(tx):
        return None
    value, count = _most_common_value(list(tx.outputs))
    if count != participants or value in DUST_DENOMINATIONS:
        return None
    return Finding("coinjoin.generic", tx.txid, 0.7,
                   f"{count} of {len(tx.outputs)} outputs are {value} sat, with {len(tx.inputs)} inputs from "
                   f"{_distinct_input_owners(tx)} owners (equal-output CoinJoin shape)",
                   "BlockSci is_coinjoin (Kalodner et al., USENIX Security 2020)")


def detect_whirlpool_mix(tx: Tx) -> Finding | None:
    """Samourai Whirlpool mix: 5-10 inputs and as many outputs, all outputs exactly a pool
    denomination d, every input in [d, d + 110,000] (GraphSense heuristics_service; am-i.exposed)."""
    outputs = tx.outputs
    if not 5 <= len(outputs) <= 10 or len(tx.inputs) != len(outputs):
        return None
    denomination = outputs[0].value
    if denomination not in WHIRLPOOL_POOLS or any(o.value != denomination for o in outputs):
        return None
    if not all(denomination <= i.value <= denomination + WHIRLPOOL_MAX_EXTRA for i in tx.inputs):
        return None
    if not _distinct_output_scripts(list(outputs)):
        return None
    entrants = sum(1 for i in tx.inputs if i.value > denomination)
    return Finding("coinjoin.whirlpool_mix", tx.txid, 0.9,
                   f"Whirlpool {denomination} sat pool mix: {len(outputs)} equal outputs, "
                   f"{entrants} new entrants and {len(tx.inputs) - entrants} remixers",
                   "Samourai Whirlpool; Stuetz et al., AFT 2022; graphsense-lib heuristics_service")


def detect_whirlpool_tx0(tx: Tx) -> Finding | None:
    """Whirlpool Tx0: exactly one OP_RETURN; 1-70 premix outputs of one value d + e (pool d,
    0 < e <= 110,000); exactly one coordinator-fee output in [0.5 f, 3 f]; at most 2 other
    spendable outputs (GraphSense heuristics_service)."""
    if sum(1 for o in tx.outputs if o.script_type == "op_return") != 1:
        return None
    spendable = _spendable(tx)
    value, count = _most_common_value(spendable)
    pool = next((d for d in WHIRLPOOL_POOLS if 0 < value - d <= WHIRLPOOL_MAX_EXTRA), None)
    if pool is None or not 1 <= count <= 70:
        return None
    fee = WHIRLPOOL_POOLS[pool]
    others = [o for o in spendable if o.value != value]
    fee_outputs = [o for o in others if fee // 2 <= o.value <= 3 * fee]
    if not fee_outputs or len(others) > 3:
        return None
    return Finding("coinjoin.whirlpool_tx0", tx.txid, 0.85,
                   f"Whirlpool Tx0 for the {pool} sat pool: {count} premix outputs of {value} sat, one OP_RETURN, "
                   f"a coordinator fee of {fee_outputs[0].value} sat",
                   "Samourai Whirlpool; graphsense-lib heuristics_service")


def detect_wasabi1(tx: Tx) -> Finding | None:
    """Wasabi 1.x: >= 10 inputs; the most frequent output value is 0.1·2^i BTC within 2^i·5 %,
    held by n >= 3 participants with n >= (|O| - 1) / 2 and n <= distinct input scripts <= 7 n;
    distinct output scripts; no input owner holds > 10 % of the inputs (GraphSense)."""
    if len(tx.inputs) < 10:
        return None
    outputs = list(tx.outputs)
    value, count = _most_common_value(outputs)
    level = next((i for i in range(6) if abs(value - 10_000_000 * 2**i) <= 10_000_000 * 2**i * 0.05), None)
    owners = _distinct_input_owners(tx)
    if level is None or count < 3 or count < (len(outputs) - 1) / 2 or not count <= owners <= 7 * count:
        return None
    if not _distinct_output_scripts(outputs) or _largest_owner_share(tx) > 0.10:
        return None
    return Finding("coinjoin.wasabi1", tx.txid, 0.8,
                   f"Wasabi 1.x round: {count} outputs of {value} sat (level {level}), {len(tx.inputs)} inputs "
                   f"from {owners} owners", "Wasabi Wallet 1.x; graphsense-lib heuristics_service; Stuetz et al. 2022")


def detect_wabisabi(tx: Tx) -> Finding | None:
    """Wasabi 2.0 (WabiSabi): >= 20 inputs, no output below 5,000 sat, distinct output scripts,
    no input owner > 10 % of inputs, >= 3 standard-denomination tiers appearing at least twice,
    and denomination outputs >= (|O| - 1) / 2 (GraphSense; am-i.exposed denomination set)."""
    outputs = list(tx.outputs)
    if len(tx.inputs) < 20 or any(o.value < WABISABI_MIN_OUTPUT for o in outputs):
        return None
    if not _distinct_output_scripts(outputs) or _largest_owner_share(tx) > 0.10:
        return None
    counts = Counter(o.value for o in outputs)
    tiers = sorted(v for v, c in counts.items() if c >= 2 and v in WABISABI_DENOMINATIONS)
    in_tiers = sum(counts[v] for v in tiers)
    if len(tiers) < 3 or in_tiers < (len(outputs) - 1) / 2:
        return None
    return Finding("coinjoin.wabisabi", tx.txid, 0.9,
                   f"Wasabi 2.0 round: {len(tx.inputs)} inputs, {in_tiers} of {len(outputs)} outputs in "
                   f"{len(tiers)} standard denominations", "WalletWasabi WabiSabi; graphsense-lib PR #82; am-i.exposed")


def detect_joinmarket(tx: Tx) -> Finding | None:
    """JoinMarket: the most frequent non-dust value occurs n times, n >= |O|/2 and
    3 <= n <= distinct input scripts; distinct output scripts; at least one other output; with
    >= 50 inputs, inputs/n <= 20 and outputs/n >= 1.7 (rejects exchange batch payouts) (GraphSense)."""
    outputs = list(tx.outputs)
    value, count = _most_common_value(outputs, above=max(DUST_DENOMINATIONS))
    if count < 3 or count < len(outputs) / 2 or count > _distinct_input_owners(tx):
        return None
    if count == len(outputs) or not _distinct_output_scripts(outputs):
        return None
    if len(tx.inputs) >= 50 and (len(tx.inputs) / count > 20 or len(outputs) / count < 1.7):
        return None
    return Finding("coinjoin.joinmarket", tx.txid, 0.6,
                   f"JoinMarket-style: {count} equal outputs of {value} sat among {len(outputs)}, "
                   f"{_distinct_input_owners(tx)} input owners", "JoinMarket; graphsense-lib heuristics_service")


# Most specific first: the first detector that fires names the finding.
DETECTORS = (detect_whirlpool_tx0, detect_whirlpool_mix, detect_wabisabi, detect_wasabi1, detect_joinmarket,
             detect_generic)


def detect_coinjoin(tx: Tx) -> Finding | None:
    """The first finding of :data:`DETECTORS` for *tx*, or None (coinbase never is one)."""
    if tx.is_coinbase:
        return None
    for detector in DETECTORS:
        finding = detector(tx)
        if finding is not None:
            return finding
    return None
