"""Property: lies that keep every invariant the answer checks can see (issue 29), told
consistently in every answer of the recorded demo cassette that carries the lied-about object:
an output's address swapped for another of the same script type, a history entry left out, a
block time moved, value moved from the fee to an output (the spender's prevout following), a
transaction's inputs reordered (its funders' outspends following), a price x10. Replayed
offline, each is refused in one line naming its check: never different figures with exit 0."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btctrace.errors import BtctraceError, ExitCode
from tests.fuzz.test_fuzz_answers import DEMO, TRACED, _bodies, replayed

# lie kind -> the check that must refuse it
LIES = {"address_swap": "address_matches_script", "omitted_history_entry": "history_complete",
        "moved_block_time": "block_time_proven", "fee_to_output": "txid_matches",
        "reordered_inputs": "txid_matches", "price_x10": "price_in_line"}
TOLD: dict[str, int] = {name: 0 for name in LIES}


def _transactions(found) -> list[dict[str, Any]]:
    """Every transaction object in the cassette's answers (one per copy)."""
    return [item for _, _, body in found for item in (body if isinstance(body, list) else [body])
            if isinstance(item, dict) and isinstance(item.get("vin"), list)]


def _copies(found, txid: str) -> list[dict[str, Any]]:
    """Every copy of transaction *txid* in the cassette's answers."""
    return [tx for tx in _transactions(found) if tx["txid"] == txid]


def _spenders_prevouts(found, txid: str, index: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(spending transaction copy, its prevout) for every copy of an input spending txid:index."""
    return [(tx, vin["prevout"]) for tx in _transactions(found) for vin in tx["vin"]
            if vin.get("txid") == txid and vin.get("vout") == index and vin.get("prevout")]


def _traced(found, rng: random.Random, accept) -> str | None:
    txids = sorted(t for t in TRACED if _copies(found, t) and accept(_copies(found, t)[0]))
    return rng.choice(txids) if txids else None


def _address_swap(found, rng: random.Random) -> bool:
    txid = _traced(found, rng, lambda tx: any(o.get("scriptpubkey_address") for o in tx["vout"]))
    first = _copies(found, txid)[0]
    index = rng.choice([i for i, o in enumerate(first["vout"]) if o.get("scriptpubkey_address")])
    kind, was = first["vout"][index]["scriptpubkey_type"], first["vout"][index]["scriptpubkey_address"]
    others = sorted({o["scriptpubkey_address"] for tx in _transactions(found) for o in tx["vout"]
                     if o.get("scriptpubkey_type") == kind and o.get("scriptpubkey_address") not in (None, was)})
    if not others:
        return False
    stand_in = rng.choice(others)
    for copy in _copies(found, txid):
        copy["vout"][index]["scriptpubkey_address"] = stand_in
    for _, prevout in _spenders_prevouts(found, txid, index):  # the spender's prevout says the same
        prevout["scriptpubkey_address"] = stand_in
    return True


def _omitted_history_entry(found, rng: random.Random) -> bool:
    """Leave out of an address's page a transaction (not the newest) whose output at the address
    another listed transaction spends."""
    choices = []
    for item, path, body in found:
        if not (path.startswith("/address/") and path.endswith("/txs") and isinstance(body, list)):
            continue
        address = path.split("/")[2]
        spent = {(vin["txid"], vin["vout"]) for tx in body for vin in tx["vin"]
                 if (vin.get("prevout") or {}).get("scriptpubkey_address") == address}
        choices += [(item, body, position) for position, tx in enumerate(body[1:], 1)
                    if any((tx["txid"], i) in spent for i, o in enumerate(tx["vout"])
                           if o.get("scriptpubkey_address") == address)]
    if not choices:
        return False
    item, body, position = rng.choice(choices)
    body.pop(position)
    return True


def _moved_block_time(found, rng: random.Random) -> bool:
    txid = _traced(found, rng, lambda tx: tx["status"].get("confirmed"))
    moved = rng.choice([-600, 600, 60, 3600])
    for copy in _copies(found, txid):
        copy["status"]["block_time"] += moved
    for _, path, body in found:  # its spenders' outspends entries carry its status too
        if path.endswith("/outspends"):
            for entry in body:
                if entry.get("txid") == txid and entry.get("status"):
                    entry["status"]["block_time"] += moved
    return True


def _fee_to_output(found, rng: random.Random) -> bool:
    txid = _traced(found, rng, lambda tx: tx.get("fee", 0) > 1)
    first = _copies(found, txid)[0]
    index, shift = rng.randrange(len(first["vout"])), rng.randint(1, first["fee"] - 1)
    for copy in _copies(found, txid):
        copy["fee"] -= shift
        copy["vout"][index]["value"] += shift
    for spender, prevout in _spenders_prevouts(found, txid, index):  # the money still adds up there
        prevout["value"] += shift
        spender["fee"] += shift
    return True


def _reordered_inputs(found, rng: random.Random) -> bool:
    txid = _traced(found, rng, lambda tx: len(tx["vin"]) > 1)
    if txid is None:
        return False
    count = len(_copies(found, txid)[0]["vin"])
    order = list(range(count))
    while order == list(range(count)):
        rng.shuffle(order)
    for copy in _copies(found, txid):
        copy["vin"] = [copy["vin"][i] for i in order]
    for _, path, body in found:  # the funders' outspends name the new input positions
        if path.endswith("/outspends"):
            for entry in body:
                if entry.get("txid") == txid:
                    entry["vin"] = order.index(entry["vin"])
    return True


def _price_x10(found, rng: random.Random) -> bool:
    """A price the exhibits use (asked for an hour, not for a day's neighbours) x10."""
    prices = [body for item, path, body in found if path.startswith("/v1/historical-price")
              and int(item["request"]["uri"].rsplit("timestamp=", 1)[1]) % 86_400 != 0]
    body = rng.choice(prices)
    body["prices"][0]["USD"] *= 10
    return True


def tell(data: dict[str, Any], lie: str, rng: random.Random) -> bool:
    found = _bodies(data)
    if not globals()[f"_{lie}"](found, rng):
        return False
    for item, _, body in found:
        item["response"]["body"]["string"] = json.dumps(body)
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(LIES)), st.integers(0, 2**32))
def test_a_consistent_lie_is_refused_naming_its_check(lie, seed):
    data = json.loads(DEMO.cassette.read_text(encoding="utf-8"))
    if not tell(data, lie, random.Random(seed)):
        return
    TOLD[lie] += 1
    with pytest.raises(BtctraceError) as raised:
        replayed(data)
    message = raised.value.user_message
    assert "\n" not in message and raised.value.exit_code == ExitCode.OFFLINE_MISS, message
    assert f"check {LIES[lie]} failed" in message, f"{lie} (seed {seed}): {message}"


def test_every_lie_kind_was_told():
    """Runs after the property (file order): how many lies of each kind were told."""
    if not any(TOLD.values()):
        pytest.skip("the property test did not run in this session")
    print(f"\nlies told: {', '.join(f'{k} {v}' for k, v in TOLD.items())}")
    assert all(TOLD.values()), TOLD
