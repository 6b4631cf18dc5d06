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
WHIRLPOOL_MIN_MINER_FEE = 102  # whirlpool-server miner-fee-min: the least a new entrant (mustMix) pays
WHIRLPOOL_USUAL_INPUTS = range(5, 9)  # anonymity set 5, up to 3 surge inputs (graphsense-lib)
WASABI1_USUAL_MIN_INPUTS = 20  # graphsense-lib's small-round gate; the coordinator aimed at 100
WASABI1_MIXING_LEVELS = 11  # WalletWasabi 1.x MaximumMixingLevelCount: levels d, 2d, 4d, ...
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
    stonewall = _stonewall_shape(tx)
    return Finding("coinjoin.generic", tx.txid, 0.5 if stonewall else 0.7,
                   f"{count} of {len(tx.outputs)} outputs are {value} sat, with {len(tx.inputs)} inputs from "
                   f"{_distinct_input_owners(tx)} owners (equal-output CoinJoin shape)"
                   + ("; Stonewall shape: one wallet's Stonewall and a two-wallet STONEWALLx2 look alike, "
                      "so its inputs are not clustered" if stonewall else ""),
                   "BlockSci is_coinjoin (Kalodner et al., USENIX Security 2020); Samourai Stonewall")


def _stonewall_shape(tx: Tx) -> bool:
    """Samourai Stonewall / STONEWALLx2: 3-4 spendable outputs with distinct scripts, >= 2 inputs,
    exactly one value (>= 5,000 sat) twice, the other outputs differing (graphsense-lib's veto)."""
    outputs = _spendable(tx)
    if len(outputs) not in (3, 4) or len(tx.inputs) < 2 or not _distinct_output_scripts(outputs):
        return False
    counts = Counter(o.value for o in outputs)
    twice = [v for v, c in counts.items() if c == 2]
    return len(twice) == 1 and twice[0] >= 5_000 and all(c == 1 for v, c in counts.items() if v != twice[0])


def detect_whirlpool_mix(tx: Tx) -> Finding | None:
    """Samourai Whirlpool mix: 5-10 inputs and as many outputs, all outputs exactly a pool
    denomination d, every input in [d, d + 110,000], at least one new entrant and each paying
    at least the coordinator's miner-fee-min of 102 sat (liquidities pay no miner fee, so a mix
    without an entrant cannot pay its fee). Confidence 0.9 for the usual shape (5-8 inputs, at
    least one remixer); 0.6 for the shapes the protocol allowed only at times (no remixer before
    the coordinator's liquidity-min; 9-10 inputs), where graphsense-lib says no (docs: README,
    "Where btctrace and graphsense-lib differ")."""
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
    extras = [i.value - denomination for i in tx.inputs if i.value > denomination]
    if not extras or min(extras) < WHIRLPOOL_MIN_MINER_FEE:
        return None
    entrants, remixers = len(extras), len(tx.inputs) - len(extras)
    unusual = [why for why, applies in (
        ("no remixer (only before the coordinator's liquidity-min)", remixers == 0),
        (f"{entrants} new entrants (at most 4 beside liquidity-min 1)", 0 < remixers and entrants > 4),
        (f"{len(outputs)} inputs (beyond 5 + 3 surge)", len(outputs) not in WHIRLPOOL_USUAL_INPUTS)) if applies]
    return Finding("coinjoin.whirlpool_mix", tx.txid, 0.6 if unusual else 0.9,
                   f"Whirlpool {denomination} sat pool mix: {len(outputs)} equal outputs, "
                   f"{entrants} new entrants and {remixers} remixers"
                   + (f"; unusual shape: {', '.join(unusual)}" if unusual else ""),
                   "Samourai whirlpool-server pool parameters; Stuetz et al., AFT 2022; graphsense-lib heuristics_service")


def _tx0_shape(spendable: list[TxOut], pool: int) -> tuple[int, int, TxOut] | None:
    """(premix value, count, fee output) if *spendable* is a Tx0 for *pool*: the most frequent
    value d + e with 0 < e <= 110,000 (ties to the higher value, as graphsense-lib), 1-70 of
    them, one coordinator fee in [0.5 f, 3 f] and at most 2 further outputs."""
    counts = Counter(o.value for o in spendable if 0 < o.value - pool <= WHIRLPOOL_MAX_EXTRA)
    if not counts:
        return None
    value, count = max(counts.items(), key=lambda item: (item[1], item[0]))
    fee = WHIRLPOOL_POOLS[pool]
    others = [o for o in spendable if o.value != value]
    fee_outputs = [o for o in others if fee // 2 <= o.value <= 3 * fee]
    if not 1 <= count <= 70 or not fee_outputs or len(others) > 3:
        return None
    return value, count, fee_outputs[0]


def detect_whirlpool_tx0(tx: Tx) -> Finding | None:
    """Whirlpool Tx0: exactly one OP_RETURN and, for one pool, the shape of :func:`_tx0_shape`
    (GraphSense heuristics_service; whirlpool-server tx0MaxOutputs 70). Each pool is tried, so a
    change or fee output that happens to sit just above a smaller pool does not hide the Tx0."""
    if sum(1 for o in tx.outputs if o.script_type == "op_return") != 1:
        return None
    spendable = _spendable(tx)
    for pool in WHIRLPOOL_POOLS:
        shape = _tx0_shape(spendable, pool)
        if shape is not None:
            value, count, fee_output = shape
            return Finding("coinjoin.whirlpool_tx0", tx.txid, 0.85,
                           f"Whirlpool Tx0 for the {pool} sat pool: {count} premix outputs of {value} sat, "
                           f"one OP_RETURN, a coordinator fee of {fee_output.value} sat",
                           "Samourai Whirlpool; graphsense-lib heuristics_service")
    return None


def detect_wasabi1(tx: Tx) -> Finding | None:
    """Wasabi 1.x: >= 10 inputs; the most frequent output value d is 0.1·2^i BTC within 2^i·5 %,
    held by n >= 3 participants; mixed outputs (exactly d·2^k, the mixing levels) >= (|O| - 1) / 2;
    n <= distinct input scripts <= 7 n; distinct output scripts; no input owner holds > 10 % of
    the inputs (GraphSense; WalletWasabi 1.1 mixing levels). Rounds under 20 inputs: confidence 0.6."""
    if len(tx.inputs) < 10:
        return None
    outputs = list(tx.outputs)
    value, count = _most_common_value(outputs)
    level = next((i for i in range(6) if abs(value - 10_000_000 * 2**i) <= 10_000_000 * 2**i * 0.05), None)
    owners = _distinct_input_owners(tx)
    if level is None or count < 3 or not count <= owners <= 7 * count:
        return None
    levels = {value * 2**k for k in range(WASABI1_MIXING_LEVELS)}
    mixed = sum(1 for o in outputs if o.value in levels)
    if mixed < (len(outputs) - 1) / 2:
        return None
    if not _distinct_output_scripts(outputs) or _largest_owner_share(tx) > 0.10:
        return None
    small = len(tx.inputs) < WASABI1_USUAL_MIN_INPUTS
    return Finding("coinjoin.wasabi1", tx.txid, 0.6 if small else 0.8,
                   f"Wasabi 1.x round: {count} outputs of {value} sat (level {level}), {mixed} mixed outputs in all, "
                   f"{len(tx.inputs)} inputs from {owners} owners"
                   + ("; a small round (the coordinator's default anonymity set was 100)" if small else ""),
                   "WalletWasabi 1.x CoordinatorRoundConfig; graphsense-lib heuristics_service; Stuetz et al. 2022")


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
    without_change = in_tiers == len(outputs)
    return Finding("coinjoin.wabisabi", tx.txid, 0.7 if without_change else 0.9,
                   f"Wasabi 2.0 round: {len(tx.inputs)} inputs, {in_tiers} of {len(outputs)} outputs in "
                   f"{len(tiers)} standard denominations"
                   + ("; no change or fee output (a remix or zero-fee round, or an even split)" if without_change else ""),
                   "WalletWasabi WabiSabi; graphsense-lib PR #82; am-i.exposed")


def detect_joinmarket(tx: Tx) -> Finding | None:
    """JoinMarket: the most frequent non-dust value occurs n times, n >= |O|/2 and
    3 <= n <= distinct input scripts; distinct output scripts; with >= 50 inputs, inputs/n <= 20
    and outputs/n >= 1.7 (GraphSense). Every maker takes a change output (joinmarket-clientserver;
    only the taker may sweep), so at least 2 and (n - 1) / 2 other outputs are required (an
    exchange batch payout has one); fewer than n - 1 lowers the confidence to 0.4."""
    outputs = list(tx.outputs)
    value, count = _most_common_value(outputs, above=max(DUST_DENOMINATIONS))
    if count < 3 or count < len(outputs) / 2 or count > _distinct_input_owners(tx):
        return None
    others = len(outputs) - count
    if others < max(2, (count - 1) / 2) or not _distinct_output_scripts(outputs):
        return None
    if len(tx.inputs) >= 50 and (len(tx.inputs) / count > 20 or len(outputs) / count < 1.7):
        return None
    few_changes = others < count - 1
    return Finding("coinjoin.joinmarket", tx.txid, 0.4 if few_changes else 0.6,
                   f"JoinMarket-style: {count} equal outputs of {value} sat among {len(outputs)}, "
                   f"{_distinct_input_owners(tx)} input owners"
                   + (f"; only {others} change outputs for {count - 1} makers" if few_changes else ""),
                   "JoinMarket (joinmarket-clientserver); graphsense-lib heuristics_service")


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
