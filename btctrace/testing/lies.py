"""Lying explorers: one rewrite of the loopback server's true answers per lie a careless explorer
backend or an attacker could tell (a lagging index, a false prevout, money from nowhere, a spend
of itself, deep JSON...). A test development utility: :func:`lies_for` builds, for a traced
chain, the :class:`~btctrace.testing.server.Fault` that makes the server tell each lie in every
answer that carries the lied-about object (``/tx/:txid`` and address history pages alike), so the
lie is consistent, as a real lying backend's would be.

Each lie names the check of :mod:`btctrace.providers.checks` or
:mod:`btctrace.providers.ledger` expected to refuse it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from btctrace.testing.server import Fault

__all__ = ["LIE_NAMES", "Lie", "TracedChain", "lies_for", "rewrite_txs", "rewrite_outspends"]

MAX_MONEY = 21_000_000 * 100_000_000
LIE_NAMES = (
    "outspends-one-short",
    "outspend-names-a-non-spender",
    "outspend-wrong-input",
    "prevout-value-disagrees",
    "prevout-address-disagrees",
    "fee-not-inputs-minus-outputs",
    "outputs-above-inputs",
    "negative-fee",
    "missing-fee",
    "negative-value",
    "value-above-21-million-btc",
    "spends-its-own-output",
    "cycle",
    "object-for-an-address",
    "address-of-another-network",
    "block-height-absurd",
    "block-time-in-the-future",
    "deeply-nested-json",
    "history-lists-a-stranger",
    "output-address-swapped",
    "fee-moved-to-an-output",
    "block-time-moved",
)
TxMutation = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Lie:
    name: str
    check: str  # the check expected to refuse it
    fault: Fault


@dataclass(frozen=True)
class TracedChain:
    """What the lies are told about: a traced transaction *funder* whose output *vout* is spent
    by traced transaction *spender* at input *vin* (both in the same clean trace); *other* is a
    further traced transaction; *address* is an address whose first history page the walk reads
    and that *funder* neither pays nor spends; *stand_in* is an address of the same script type as
    the spent output's, but another."""

    funder: dict[str, Any]
    spender: dict[str, Any]
    vout: int
    vin: int
    other: str
    address: str
    stand_in: str


def rewrite_txs(txid: str, mutate: TxMutation) -> Callable[[str, Any], Any]:
    """A server rewrite applying *mutate* to every copy of transaction *txid* in an answer."""
    def rewrite(path: str, body: Any) -> Any:
        if "/outspends" in path:
            return body
        items = body if isinstance(body, list) else [body]
        changed = [copy.deepcopy(item) if isinstance(item, dict) and item.get("txid") == txid else item for item in items]
        for item in changed:
            if isinstance(item, dict) and item.get("txid") == txid:
                mutate(item)
        return changed if isinstance(body, list) else changed[0]
    return rewrite


def rewrite_outspends(txid: str, mutate: Callable[[list[Any]], None]) -> Callable[[str, Any], Any]:
    def rewrite(path: str, body: Any) -> Any:
        if path.endswith(f"/tx/{txid}/outspends"):
            body = copy.deepcopy(body)
            mutate(body)
        return body
    return rewrite


def rewrite_each(mutations: dict[str, TxMutation]) -> Callable[[str, Any], Any]:
    """A server rewrite applying each transaction's mutation to every copy of it (a lie told
    consistently about a funder and its spender at once), and to its status in outspends."""
    def rewrite(path: str, body: Any) -> Any:
        for txid, mutate in mutations.items():
            body = rewrite_txs(txid, mutate)(path, body)
        return body
    return rewrite


def _consistent(chain: TracedChain, funder: TxMutation, spender: TxMutation) -> Fault:
    return _fault(r"^/api/(tx|address)/", rewrite_each({chain.funder["txid"]: funder, chain.spender["txid"]: spender}))


def _swap_address(chain: TracedChain) -> Fault:
    """The spent output's address swapped for another of its script type; the spender's prevout agrees."""
    return _consistent(chain, _set("scriptpubkey_address", chain.stand_in, lambda tx: tx["vout"][chain.vout]),
                       _set("scriptpubkey_address", chain.stand_in, lambda tx: tx["vin"][chain.vin]["prevout"]))


def _move_fee(chain: TracedChain) -> Fault:
    """Value moved from the funder's fee to the spent output; the spender's prevout and fee follow."""
    shift = max(1, chain.funder["fee"] // 2)

    def funder(tx: dict[str, Any]) -> None:
        tx["fee"] -= shift
        tx["vout"][chain.vout]["value"] += shift

    def spender(tx: dict[str, Any]) -> None:
        tx["vin"][chain.vin]["prevout"]["value"] += shift
        tx["fee"] += shift
    return _consistent(chain, funder, spender)


def _fault(pattern: str, rewrite: Callable[[str, Any], Any]) -> Fault:
    return Fault(pattern, action="rewrite", rewrite=rewrite, times=10**9)


def _tx_lie(name: str, check: str, txid: str, mutate: TxMutation) -> Lie:
    return Lie(name, check, _fault(r"^/api/(tx|address)/", rewrite_txs(txid, mutate)))


def _shift_prevout(chain: TracedChain) -> TxMutation:
    def mutate(tx: dict[str, Any]) -> None:  # money still adds up: only the funder tells the truth
        tx["vin"][chain.vin]["prevout"]["value"] += 1_000
        tx["fee"] += 1_000
    return mutate


def _cycle(chain: TracedChain) -> TxMutation:
    """The funder also spends the spender's first output, in the spender's block: A -> B -> A."""
    out = chain.spender["vout"][0]

    def mutate(tx: dict[str, Any]) -> None:
        tx["vin"].append({"txid": chain.spender["txid"], "vout": 0, "prevout": copy.deepcopy(out),
                          "is_coinbase": False, "sequence": 0xFFFFFFFF, "scriptsig": "", "witness": []})
        tx["fee"] += out["value"]
        tx["status"] = copy.deepcopy(chain.spender["status"])
    return mutate


def _set(key: str, value: Any, where: Callable[[dict[str, Any]], dict[str, Any]] = lambda tx: tx) -> TxMutation:
    def mutate(tx: dict[str, Any]) -> None:
        where(tx)[key] = value
    return mutate


def _apply(*mutations: TxMutation) -> TxMutation:
    def mutate(tx: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(tx)
    return mutate


def lies_for(chain: TracedChain) -> list[Lie]:
    """Every lie, told about *chain* (see :class:`TracedChain`)."""
    funder, spender, vout, vin = chain.funder["txid"], chain.spender["txid"], chain.vout, chain.vin
    first_out = lambda tx: tx["vout"][0]  # noqa: E731
    last_out = lambda tx: tx["vout"][-1]  # noqa: E731
    raise_fee = lambda tx: tx.__setitem__("fee", tx["fee"] + 1)  # noqa: E731
    return [
        Lie("outspends-one-short", "outspends_length",
            _fault(rf"/tx/{funder}/outspends$", rewrite_outspends(funder, lambda body: body.pop()))),
        Lie("outspend-names-a-non-spender", "spender_spends",
            _fault(rf"/tx/{funder}/outspends$", rewrite_outspends(
                funder, lambda body: body[vout].update(txid=chain.other, vin=0)))),
        Lie("outspend-wrong-input", "spender_spends",
            _fault(rf"/tx/{funder}/outspends$", rewrite_outspends(
                funder, lambda body: body[vout].update(vin=body[vout]["vin"] + 1)))),
        _tx_lie("prevout-value-disagrees", "prevout_agrees", spender, _shift_prevout(chain)),
        # The history of the address really spent from still lists the spender: refused there.
        _tx_lie("prevout-address-disagrees", "address_matches_script", spender,
                _set("scriptpubkey_address", chain.stand_in, lambda tx: tx["vin"][vin]["prevout"])),
        _tx_lie("fee-not-inputs-minus-outputs", "money_conserved", spender, raise_fee),
        _tx_lie("outputs-above-inputs", "money_conserved", spender,
                _apply(lambda tx: first_out(tx).__setitem__("value", first_out(tx)["value"] + tx["fee"] + 5_000),
                       _set("fee", 0))),
        _tx_lie("negative-fee", "value_range", spender, _set("fee", -1)),
        _tx_lie("missing-fee", "money_conserved", spender, lambda tx: tx.pop("fee")),
        _tx_lie("negative-value", "value_range", spender, _set("value", -5, last_out)),
        _tx_lie("value-above-21-million-btc", "value_range", spender, _set("value", MAX_MONEY + 1, last_out)),
        _tx_lie("spends-its-own-output", "no_self_spend", spender, _set("txid", spender, lambda tx: tx["vin"][0])),
        _tx_lie("cycle", "txid_matches", funder, _cycle(chain)),
        _tx_lie("object-for-an-address", "address", spender, _set("scriptpubkey_address", {"a": 1}, first_out)),
        _tx_lie("address-of-another-network", "address", spender,
                _set("scriptpubkey_address", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", first_out)),
        _tx_lie("block-height-absurd", "block", spender,
                _set("block_height", 10**9, lambda tx: tx["status"])),
        _tx_lie("block-time-in-the-future", "block", spender,
                _set("block_time", 4_102_444_800, lambda tx: tx["status"])),  # 2100-01-01
        Lie("deeply-nested-json", "shape", Fault(rf"^/api/address/{chain.address}/txs$", status=200,
                                                  body="[" * 50_000 + "]" * 50_000, content_type="application/json",
                                                  times=10**9)),
        Lie("history-lists-a-stranger", "history_entry",
            _fault(rf"^/api/address/{chain.address}/txs$", lambda path, body: [*body, copy.deepcopy(chain.funder)])),
        Lie("output-address-swapped", "address_matches_script", _swap_address(chain)),
        Lie("fee-moved-to-an-output", "txid_matches", _move_fee(chain)),
        _tx_lie("block-time-moved", "block_time_proven", spender,
                lambda tx: tx["status"].__setitem__("block_time", tx["status"]["block_time"] + 600)),
    ]
