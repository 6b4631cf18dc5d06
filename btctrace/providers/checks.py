"""The named checks every explorer answer must pass before btctrace uses it.

A court reads btctrace's figures as facts, so an answer that is short, stale or false must be
refused, not silently used. This module holds the rules and the checks of one answer on its
own (a transaction, an outspends list, an address's counts, a price); the checks between
answers (a spender and what it spends) live in :mod:`btctrace.providers.ledger`. Both run in
the provider layer, before the walk sees anything. Pure functions: a failed check raises
:class:`CheckFailure` with the check's name, the transaction and both values; the provider
turns it into an :class:`~btctrace.errors.AnswerRefused` naming the URL.

Consensus facts used: at most 21,000,000 BTC exist (``MAX_MONEY``, Bitcoin Core
``amount.h``); a non-coinbase transaction's fee is its inputs minus its outputs and never
negative; a block's time is after its network's genesis block and at most two hours ahead
(Bitcoin Core ``MAX_FUTURE_BLOCK_TIME``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable

from btctrace.addresses import MAINNET, parse_address
from btctrace.consensus.scripts import script_of_address
from btctrace.errors import InvalidAddress, WrongNetwork
from btctrace.model import AddressStats, Outspend, Tx

__all__ = ["MAX_MONEY", "TYPED_SCRIPTS", "GENESIS_TIME", "CheckRule", "CHECKS", "CheckFailure", "AddressValidator", "tx_checks",
           "check_txid", "check_tx", "check_outspends", "check_address_stats", "check_history_entry", "check_copy",
           "check_price"]

MAX_MONEY = 21_000_000 * 100_000_000  # satoshis (Bitcoin Core amount.h)
# Unix time of each network's genesis block: no block is older.
GENESIS_TIME = {MAINNET: 1_231_006_505, "testnet": 1_296_688_602, "signet": 1_598_918_400, "regtest": 1_296_688_602}
MAX_FUTURE_SECONDS = 2 * 60 * 60  # Bitcoin Core MAX_FUTURE_BLOCK_TIME
# Mainnet has never averaged a block per minute since genesis (it averages about ten).
_MIN_MAINNET_BLOCK_SECONDS = 60
_MAX_HEIGHT = 2**31 - 1
_TXID = re.compile(r"[0-9a-f]{64}")
# Esplora script types whose address btctrace can check against the address's own type.
TYPED_SCRIPTS = frozenset({"p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr"})


@dataclass(frozen=True)
class CheckRule:
    name: str
    subject: str  # what one count counts: transactions, outspends, addresses, prices, prevouts, links
    rule: str


CHECKS: dict[str, CheckRule] = {rule.name: rule for rule in (
    CheckRule("shape", "answers", "the answer is JSON of the shape Esplora documents (fields, types)"),
    CheckRule("txid", "transactions", "the txid is 64 lower-case hex, the one asked for; so are the txids inputs spend"),
    CheckRule("value_range", "transactions", "every value and the fee are integers in 0..21,000,000 BTC, and so is their sum"),
    CheckRule("money_conserved", "transactions", "inputs = outputs + fee exactly, fee >= 0 (a coinbase: one input, fee 0)"),
    CheckRule("address", "transactions", "every address is a string that parses for the network and fits its script type"),
    CheckRule("no_self_spend", "transactions", "no input spends an output of its own transaction"),
    CheckRule("block", "transactions", "a confirmed block height is 0..2^31-1, its time after the network's genesis "
                                       "and at most 2 hours ahead; on mainnet not over one block a minute since genesis"),
    CheckRule("outspends_length", "outspends", "exactly one outspends entry per output of the transaction"),
    CheckRule("outspend_entry", "outspends", "a spent entry names a 64-hex txid other than the transaction's own and an input index >= 0"),
    CheckRule("address_stats", "addresses", "an address's counts are the asked address's, non-negative, and spent <= funded"),
    CheckRule("history_entry", "transactions", "every transaction of an address's history pays or spends that address"),
    CheckRule("copies_agree", "transactions", "every copy of a transaction in an explorer's history pages is the "
                                              "same as the first it gave (its block aside while unconfirmed)"),
    CheckRule("price", "prices", "a USD price is a finite number; a positive one dates from before the time asked"),
    CheckRule("prevout_agrees", "prevouts", "an input's prevout (value, script type, address) equals the funding "
                                            "transaction's output, which exists"),
    CheckRule("spender_spends", "links", "a spender named by outspends spends exactly that output at that input, and "
                                         "an output spent by a traced transaction is not called unspent or spent by another"),
    CheckRule("spend_order", "links", "a spender is in the same or a later block than what it spends; a confirmed "
                                      "transaction spends no unconfirmed one"),
    CheckRule("acyclic", "transactions", "the traced transactions form no cycle"),
    CheckRule("txid_matches", "transactions", "the transaction's fields, serialised (BIP 141/144), hash to its txid, "
                                              "and make its size and weight"),
    CheckRule("address_matches_script", "transactions", "every address (outputs and prevouts) is the encoding of its "
                                                        "scriptpubkey, and a script with an address form names it"),
    CheckRule("history_complete", "addresses", "an address's history lists every transaction whose output at the "
                                               "address a listed transaction spends, and adds up to its chain_stats"),
    CheckRule("header_proven", "blocks", "the block's 80-byte header hashes to the block hash and meets the target "
                                         "its own bits state"),
    CheckRule("block_time_proven", "transactions", "the block time a transaction is given is its block header's"),
    CheckRule("merkle_proven", "transactions", "the Merkle proof ties the txid to its block header's Merkle root, "
                                               "at the block height the transaction is given"),
    CheckRule("price_in_line", "prices", "a USD price is within a factor of 2 of the prices a day before and after "
                                         "(and of a second opinion, when one is supplied)"),
)}


class CheckFailure(ValueError):
    """An answer failed check *check* for transaction (or address) *subject*: *detail* gives
    both values."""

    def __init__(self, check: str, subject: str, detail: str) -> None:
        self.check = check
        self.subject = subject
        self.detail = detail
        super().__init__(f"check {check} failed for {subject}: {detail}")


def _sats(value: int) -> str:
    return f"{value:,} sat"


class AddressValidator:
    """Remembers which address strings parse for *network* (and as which script type): each
    distinct address is checked once per run."""

    def __init__(self, network: str = MAINNET) -> None:
        self.network = network
        self._known: dict[str, str] = {}  # address -> its script type, or "" when it does not parse
        self._scripts: dict[str, str] = {}  # address -> the scriptPubKey hex it encodes

    def script_type(self, address: str) -> str:
        known = self._known.get(address)
        if known is None:
            try:
                known = parse_address(address, self.network).script_type
            except (InvalidAddress, WrongNetwork):
                known = ""
            self._known[address] = known
        return known

    def script_of(self, address: str) -> str:
        """The scriptPubKey (hex) a parsing *address* encodes."""
        script = self._scripts.get(address)
        if script is None:
            script = self._scripts[address] = script_of_address(address, self.network)[1]
        return script


def check_txid(txid: object, asked: str | None = None) -> None:
    if not isinstance(txid, str) or not _TXID.fullmatch(txid):
        raise CheckFailure("txid", str(txid)[:80], f"{str(txid)[:80]!r} is not 64 lower-case hex")
    if asked is not None and txid != asked:
        raise CheckFailure("txid", asked, f"asked for {asked}, the answer is {txid}")


def _check_values(tx: Tx) -> None:
    """Cheap on the way through: the place of a bad value is only spelled out when there is one."""
    inputs = [i.value for i in tx.inputs if not i.is_coinbase]
    outputs = [o.value for o in tx.outputs]
    if all(0 <= value <= MAX_MONEY for value in (tx.fee, *inputs, *outputs)) and \
            sum(inputs) <= MAX_MONEY and sum(outputs) <= MAX_MONEY:
        return
    places = [("fee", tx.fee)] + [(f"input {i.index}", i.value) for i in tx.inputs if not i.is_coinbase] + \
        [(f"output {o.index}", o.value) for o in tx.outputs]
    for where, value in places:
        if not 0 <= value <= MAX_MONEY:
            raise CheckFailure("value_range", tx.txid, f"{where} is {_sats(value)}, outside 0..{_sats(MAX_MONEY)}")
    raise CheckFailure("value_range", tx.txid, f"inputs {_sats(tx.input_value)} or outputs "
                                               f"{_sats(tx.output_value)} exceed {_sats(MAX_MONEY)}")


def _check_money(tx: Tx) -> None:
    if tx.is_coinbase:
        if len(tx.inputs) != 1 or tx.fee != 0:
            raise CheckFailure("money_conserved", tx.txid, f"a coinbase with {len(tx.inputs)} inputs and fee {_sats(tx.fee)} "
                                                           "(a coinbase has one input and no fee)")
        return
    if not tx.inputs:
        raise CheckFailure("money_conserved", tx.txid, "a transaction with no inputs that is not a coinbase")
    if tx.input_value != tx.output_value + tx.fee:
        raise CheckFailure("money_conserved", tx.txid, f"inputs {_sats(tx.input_value)} != outputs "
                                                       f"{_sats(tx.output_value)} + fee {_sats(tx.fee)}")


def _check_addresses(tx: Tx, addresses: AddressValidator) -> None:
    for side, items in (("input", tx.inputs), ("output", tx.outputs)):
        for item in items:
            address = item.address
            if address is None:
                continue
            if not isinstance(address, str):
                raise CheckFailure("address", tx.txid, f"{side} {item.index} has {type(address).__name__} "
                                                       f"{str(address)[:60]!r} where an address string belongs")
            parsed = addresses.script_type(address)
            if not parsed:
                raise CheckFailure("address", tx.txid, f"{side} {item.index} address {address[:90]!r} does not "
                                                       f"parse as a {addresses.network} address")
            if parsed != item.script_type and item.script_type in TYPED_SCRIPTS:
                raise CheckFailure("address", tx.txid, f"{side} {item.index} address {address} is {parsed}, "
                                                       f"its script says {item.script_type}")


def _check_block(tx: Tx, network: str, now: float) -> None:
    status = tx.status
    if not status.confirmed:
        return
    height, when = status.block_height, status.block_time
    genesis = GENESIS_TIME.get(network, GENESIS_TIME[MAINNET])
    problem = ""
    if not 0 <= height <= _MAX_HEIGHT:
        problem = f"block height {height} outside 0..{_MAX_HEIGHT}"
    elif not genesis <= when <= now + MAX_FUTURE_SECONDS:
        problem = f"block time {when} before the {network} genesis ({genesis}) or more than 2 hours ahead"
    elif network == MAINNET and genesis + height * _MIN_MAINNET_BLOCK_SECONDS > when:
        problem = f"block height {height:,} at time {when} is more than one block a minute since genesis"
    elif status.block_hash is not None and not (isinstance(status.block_hash, str) and _TXID.fullmatch(status.block_hash)):
        problem = f"block hash {str(status.block_hash)[:80]!r} is not 64 lower-case hex"
    if problem:
        raise CheckFailure("block", tx.txid, problem)


def tx_checks(tx: Tx) -> list[str]:
    """The names of the checks :func:`check_tx` applies to *tx* (for the counts)."""
    names = ["txid", "value_range", "money_conserved", "address", "no_self_spend"]
    return names + ["block"] if tx.status.confirmed else names


def check_tx(tx: Tx, addresses: AddressValidator, asked: str | None = None,
             clock: Callable[[], float] = time.time) -> None:
    """Every check of one transaction answer on its own (see :data:`CHECKS`)."""
    check_txid(tx.txid, asked)
    for txin in tx.inputs:
        if not txin.is_coinbase:
            check_txid(txin.prev_txid)
            if txin.prev_txid == tx.txid:
                raise CheckFailure("no_self_spend", tx.txid, f"input {txin.index} spends output {txin.prev_vout} "
                                                             "of the transaction itself")
    _check_values(tx)
    _check_money(tx)
    _check_addresses(tx, addresses)
    _check_block(tx, addresses.network, clock())


def check_outspends(tx: Tx, outspends: tuple[Outspend, ...]) -> None:
    """One entry per output of *tx*; spent entries name another transaction and an input."""
    if len(outspends) != len(tx.outputs):
        raise CheckFailure("outspends_length", tx.txid, f"{len(outspends)} outspends entries for "
                                                        f"{len(tx.outputs)} outputs")
    for entry in outspends:
        if not entry.spent:
            continue
        if not (isinstance(entry.txid, str) and _TXID.fullmatch(entry.txid)) or entry.vin is None or entry.vin < 0:
            raise CheckFailure("outspend_entry", tx.txid, f"output {entry.vout} is spent by {str(entry.txid)[:80]!r} "
                                                          f"input {entry.vin}: not a txid and input index")
        if entry.txid == tx.txid:
            raise CheckFailure("outspend_entry", tx.txid, f"output {entry.vout} is said to be spent by its own transaction")


def check_address_stats(stats: AddressStats, asked: str) -> None:
    counts = {"tx_count": stats.tx_count, "funded_txo_count": stats.funded_txo_count,
              "funded_txo_sum": stats.funded_txo_sum, "spent_txo_count": stats.spent_txo_count,
              "spent_txo_sum": stats.spent_txo_sum, "mempool tx_count": stats.mempool_tx_count}
    problem = ""
    if stats.address and stats.address != asked:
        problem = f"asked for {asked}, the answer is for {stats.address[:90]!r}"
    elif any(not 0 <= value for value in counts.values()) or stats.funded_txo_sum > MAX_MONEY:
        problem = "negative counts or sums: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    elif stats.spent_txo_sum > stats.funded_txo_sum or stats.spent_txo_count > stats.funded_txo_count:
        problem = (f"spent {stats.spent_txo_count} outputs ({_sats(stats.spent_txo_sum)}) > funded "
                   f"{stats.funded_txo_count} ({_sats(stats.funded_txo_sum)})")
    if problem:
        raise CheckFailure("address_stats", asked, problem)


def check_history_entry(tx: Tx, address: str) -> None:
    if not any(o.address == address for o in tx.outputs) and not any(i.address == address for i in tx.inputs):
        raise CheckFailure("history_entry", tx.txid, f"listed in the history of {address}, it neither pays nor spends it")


def check_copy(known: Tx, copy: Tx) -> None:
    """A transaction met again in another answer must be the same in every field, but for its
    status while either copy is unconfirmed (it may be mined between two requests)."""
    if copy == known or (replace(copy, status=known.status) == known and
                         not (known.status.confirmed and copy.status.confirmed)):
        return
    field = next((name for name in ("fee", "outputs", "inputs", "status", "version", "locktime", "size", "weight")
                  if getattr(copy, name) != getattr(known, name)), "txid")
    raise CheckFailure("copies_agree", known.txid, f"this copy's {field} is {str(getattr(copy, field))[:160]}; an "
                                                   f"earlier answer's is {str(getattr(known, field))[:160]}")


def check_price(price_time: object, usd: Decimal, asked: int) -> None:
    """A positive price must be from before the time asked (mempool.space answers the latest
    price strictly before it; its stand-in before 2010-07-19 is dated later but is 0: no price)."""
    if not usd.is_finite():
        raise CheckFailure("price", str(asked), f"USD price {usd} is not a finite number")
    if usd > 0 and (not isinstance(price_time, int) or isinstance(price_time, bool) or price_time >= asked):
        raise CheckFailure("price", str(asked), f"asked for the price before {asked}, the answer is dated {price_time!r}")
