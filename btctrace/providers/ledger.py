"""One run's record of the explorer answers it checked, and the checks *between* answers.

Each answer is checked on its own as it arrives (:mod:`btctrace.providers.checks`). When the
walk takes a transaction or an outspends list into the trace (it is *admitted*), it is also
checked against everything admitted before: a spender and the output it spends must tell the
same story (``prevout_agrees``, ``spender_spends``, ``spend_order``) and the traced
transactions must form no cycle (``acyclic``). Admission happens in the walk's sequential pass,
in sorted order, so which of two disagreeing answers is refused never depends on thread timing.
Each pair is compared once, when the later of the two is admitted.

The counts say how many distinct transactions, outspends, addresses, prices, prevouts and
links each check passed; they depend only on the answers used, so a live run and its offline
replay count the same.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any, Callable

from btctrace.addresses import MAINNET
from btctrace.model import AddressStats, Outspend, Tx, TxIn
from btctrace.providers.checks import (
    CHECKS,
    AddressValidator,
    CheckFailure,
    check_address_stats,
    check_copy,
    check_history_entry,
    check_outspends,
    check_tx,
    tx_checks,
)
from btctrace.providers.computed import check_history_complete, check_scripts, check_stats_add_up, check_tx_bytes

__all__ = ["AnswerLedger"]


class AnswerLedger:
    """Thread-safe: answers arrive on worker threads; admissions come from the walk."""

    def __init__(self, network: str = MAINNET, clock: Callable[[], float] = time.time) -> None:
        self.network = network
        self.addresses = AddressValidator(network)
        self.clock = clock
        self.counts: Counter = Counter()
        self._lock = threading.Lock()
        self._counted: dict[str, set[str]] = {}  # kind of answer -> keys (txids...) already counted
        self._admitted: dict[str, Tx] = {}
        self._outspends: dict[str, tuple[Outspend, ...]] = {}
        self._inputs_of: dict[str, list[tuple[str, int, int]]] = {}  # funder -> admitted (spender, vin, vout)
        self._named: dict[str, list[tuple[str, int, int]]] = {}  # spender -> (funder, vout, vin) admitted outspends name

    # ----- one answer on its own ----------------------------------------------------------
    def _count_once(self, kind: str, key: str, names: list[str]) -> None:
        with self._lock:
            counted = self._counted.setdefault(kind, set())
            if key not in counted:
                counted.add(key)
                self.counts.update(names)

    def accept_tx(self, tx: Tx, asked: str | None = None, raw: Any = None) -> Tx:
        """*tx* checked on its own; with *raw* (the answer it was mapped from) also recomputed:
        its txid from its bytes, its addresses from their scripts (:mod:`.computed`)."""
        check_tx(tx, self.addresses, asked, self.clock)
        self._count_once("tx", tx.txid, tx_checks(tx))
        if raw is not None:
            check_tx_bytes(raw)
            check_scripts(raw, self.addresses)
            self._count_once("computed", tx.txid, ["txid_matches", "address_matches_script"])
        return tx

    def accept_history(self, address: str, txs: list[Tx], stats: AddressStats | None = None,
                       added_up: AddressStats | None = None) -> None:
        """A complete history *txs* of *address*, and the explorer's own counts *stats* of it
        (when it was asked) against what the history adds up to: ``history_complete``."""
        check_history_complete(address, txs)
        if stats is not None and added_up is not None:
            check_stats_add_up(stats, added_up)
        self._count_once("history_complete", address, ["history_complete"])

    def accept_outspends(self, tx: Tx, outspends: tuple[Outspend, ...]) -> tuple[Outspend, ...]:
        check_outspends(tx, outspends)
        self._count_once("outspends", tx.txid, ["outspends_length", "outspend_entry"])
        return outspends

    def accept_stats(self, stats: AddressStats, asked: str) -> AddressStats:
        check_address_stats(stats, asked)
        self._count_once("stats", asked, ["address_stats"])
        return stats

    def accept_history_entry(self, tx: Tx, address: str) -> None:
        check_history_entry(tx, address)
        self._count_once("history", tx.txid, ["history_entry"])

    def accept_copy(self, known: Tx, copy: Tx, raw: Any = None) -> Tx:
        """A history page's copy of *known* (the copy this explorer gave first): the same, or
        refused; its addresses are their scripts' (*raw*, the copy's answer, when given).
        Counted once per transaction, so the count does not depend on which page came first."""
        if raw is not None:
            check_scripts(raw, self.addresses)
        check_copy(known, copy)
        self._count_once("copy", known.txid, ["copies_agree"])
        return known

    def passed(self, check: str, key: str) -> None:
        """Check *check* passed for *key* (a block, a transaction) outside the answers above:
        the proofs of :mod:`btctrace.tracing.proving`."""
        self._count_once(check, key, [check])

    def accept_price(self, price: Decimal | None, asked: int) -> Decimal | None:
        self._count_once("price", str(asked), ["price"])
        return price

    # ----- between answers ----------------------------------------------------------------
    def admitted(self, txid: str) -> Tx | None:
        """The transaction *txid* if the trace has taken it in."""
        return self._admitted.get(txid)

    def admit_tx(self, tx: Tx) -> Tx:
        """Check *tx* against every admitted transaction and outspends list, then admit it."""
        with self._lock:
            if tx.txid in self._admitted:
                return tx
            passed: Counter = Counter()
            for txin in tx.inputs:
                if not txin.is_coinbase:
                    self._check_input(tx, txin, passed)
            for spender, vin, _ in self._inputs_of.get(tx.txid, ()):
                earlier = self._admitted[spender]
                self._check_pair(earlier, earlier.inputs[vin], tx, passed)
            for funder, vout, vin in self._named.get(tx.txid, ()):
                problem = _named_problem(tx, funder, vout, vin)
                if problem:
                    raise CheckFailure("spender_spends", tx.txid, problem)
            self._check_cycle(tx)
            passed["acyclic"] += 1
            self._admitted[tx.txid] = tx
            for txin in tx.inputs:
                if not txin.is_coinbase:
                    self._inputs_of.setdefault(txin.prev_txid, []).append((tx.txid, txin.index, txin.prev_vout))
            self.counts.update(passed)
        return tx

    def _check_input(self, tx: Tx, txin: TxIn, passed: Counter) -> None:
        funder = self._admitted.get(txin.prev_txid)
        if funder is not None:
            self._check_pair(tx, txin, funder, passed)
        outspends = self._outspends.get(txin.prev_txid)
        if outspends is not None:
            entry = outspends[txin.prev_vout] if 0 <= txin.prev_vout < len(outspends) else None
            if entry is None or not entry.spent or (entry.txid, entry.vin) != (tx.txid, txin.index):
                said = "no such output" if entry is None else \
                    f"spent by {entry.txid}:{entry.vin}" if entry.spent else "unspent"
                raise CheckFailure("spender_spends", tx.txid, f"input {txin.index} spends {txin.prev_txid}:"
                                                              f"{txin.prev_vout}, whose outspends say {said}")
            passed["spender_spends"] += 1
        for other, vin, vout in self._inputs_of.get(txin.prev_txid, ()):
            if vout == txin.prev_vout and other != tx.txid:
                raise CheckFailure("spender_spends", tx.txid, f"input {txin.index} spends {txin.prev_txid}:{vout}, "
                                                              f"which traced transaction {other} spends too (input {vin})")

    def _check_pair(self, spender: Tx, txin: TxIn, funder: Tx, passed: Counter) -> None:
        """prevout agreement and spend order between an input and the output it spends."""
        where = f"input {txin.index} spends {funder.txid}:{txin.prev_vout}"
        if not 0 <= txin.prev_vout < len(funder.outputs):
            raise CheckFailure("prevout_agrees", spender.txid, f"{where}, but that transaction has "
                                                               f"{len(funder.outputs)} outputs")
        out = funder.outputs[txin.prev_vout]
        said, real = (txin.value, txin.script_type, txin.address), (out.value, out.script_type, out.address)
        if said != real:
            raise CheckFailure("prevout_agrees", spender.txid, f"{where}: its prevout says value {said[0]:,} sat, "
                                                               f"{said[1]}, {said[2]}; the output is {real[0]:,} sat, "
                                                               f"{real[1]}, {real[2]}")
        passed["prevout_agrees"] += 1
        if funder.status.confirmed and spender.status.confirmed and spender.block_height < funder.block_height:
            problem = f"in block {spender.block_height:,}, before block {funder.block_height:,} of what it spends"
        elif not funder.status.confirmed and spender.status.confirmed:
            problem = "confirmed, but what it spends is not"
        else:
            passed["spend_order"] += 1
            return
        raise CheckFailure("spend_order", spender.txid, f"{where}: it is {problem}")

    def _check_cycle(self, tx: Tx) -> None:
        """A cycle through *tx* runs from its spenders back to one of its funders. Spend order
        keeps every step in the same block (or all unconfirmed), so only those are searched."""
        funders = {txin.prev_txid for txin in tx.inputs if txin.prev_txid in self._admitted}
        stack, seen = [tx.txid], {tx.txid}
        while funders and stack:
            for spender, _, _ in self._inputs_of.get(stack.pop(), ()):
                if spender in funders:
                    raise CheckFailure("acyclic", tx.txid, f"it spends {spender}, which descends from it: a cycle")
                if spender not in seen and self._admitted[spender].block_height == tx.block_height:
                    seen.add(spender)
                    stack.append(spender)

    def admit_outspends(self, txid: str, outspends: tuple[Outspend, ...]) -> tuple[Outspend, ...]:
        """Check *outspends* against the admitted spenders of *txid*, then admit it."""
        with self._lock:
            if txid in self._outspends:
                return outspends
            spenders = {vout: (spender, vin) for spender, vin, vout in self._inputs_of.get(txid, ())}
            linked = 0
            for entry in outspends:
                named = self._admitted.get(entry.txid) if entry.spent else None
                problem = _named_problem(named, txid, entry.vout, entry.vin) if named is not None else ""
                if problem:
                    raise CheckFailure("spender_spends", txid, problem)
                known = spenders.get(entry.vout)
                if known is not None and (not entry.spent or (entry.txid, entry.vin) != known):
                    said = f"spent by {entry.txid}:{entry.vin}" if entry.spent else "unspent"
                    raise CheckFailure("spender_spends", txid, f"output {entry.vout} is spent by traced transaction "
                                                               f"{known[0]} (input {known[1]}), but outspends say {said}")
                linked += named is not None or known is not None
            self._outspends[txid] = outspends
            for entry in outspends:
                if entry.spent and entry.txid not in self._admitted:
                    self._named.setdefault(entry.txid, []).append((txid, entry.vout, entry.vin))
            self.counts["spender_spends"] += linked
        return outspends

    # ----- what the result says -----------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """For ``trace.json`` and the report: per check, what it counts and how many passed."""
        with self._lock:
            return {"network": self.network, "checks": [
                {"check": rule.name, "subject": rule.subject, "passed": self.counts[rule.name], "rule": rule.rule}
                for rule in CHECKS.values() if rule.name != "shape"]}


def _named_problem(tx: Tx, funder: str, vout: int, vin: int) -> str:
    """Why *tx* is not what the outspends of *funder* say (the spender of output *vout* at
    input *vin*), or ""."""
    txin = tx.inputs[vin] if 0 <= vin < len(tx.inputs) else None
    if txin is not None and (txin.prev_txid, txin.prev_vout) == (funder, vout):
        return ""
    spends = f"spends {txin.prev_txid}:{txin.prev_vout}" if txin else "does not exist"
    return f"the outspends of {funder} name {tx.txid} input {vin} as the spender of output {vout}; that input {spends}"
