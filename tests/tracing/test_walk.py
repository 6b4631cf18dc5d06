"""The walk, on small hand-built chains served without HTTP: every stop reason and cap."""

from dataclasses import dataclass

import pytest

from btctrace.tags import Tag, TagIndex
from btctrace.testing.provider import StoreProvider
from btctrace.tracing.result import Direction, Seed, StopReason, TraceLimits
from btctrace.tracing.walk import trace_backward, trace_forward

COIN = 100_000_000


@dataclass
class Chain:
    store: object
    ransom: str
    exchange: str
    payment: str
    hop1: str
    hop2: str
    hop3: str
    hold: str
    dust: str
    builder: object


@pytest.fixture
def chain(builder):
    b = builder
    payer, ransom, exchange = b.address("p2pkh"), b.address("p2wpkh"), b.address("p2sh")
    a1, a2, a3, hold, dust = (b.address(t) for t in ("p2wpkh", "p2tr", "p2wsh", "p2wpkh", "p2wpkh"))
    funding = b.coinbase(800_000, payer, 10 * COIN)
    pay = b.spend(800_010, [funding], [(ransom, 4 * COIN)], change=payer)
    one = b.spend(800_020, [pay[0]], [(exchange, COIN), (dust, 5_000)], change=a1)
    two = b.spend(800_030, [one[2]], [(hold, COIN)], change=a2)
    three = b.spend(800_040, [two[1]], [], change=a3)
    b.spend(800_050, [one[1]], [], change=b.address("p2wpkh"))  # the dust moves on
    return Chain(b.store, ransom, exchange, pay[0].txid, one[0].txid, two[0].txid, three[0].txid, hold, dust, b)


def exchange_tags(chain):
    tag = Tag(chain.exchange, "Example Exchange", "exchange", "test", "ownership", "", "", "test.yaml")
    return TagIndex(by_address={chain.exchange: tag})


def stops_by_reason(result):
    found = {}
    for stop in result.sorted_stops():
        found.setdefault(stop.reason, []).append(stop)
    return found


def test_forward_from_address_walks_hop_by_hop_and_records_every_stop(chain):
    provider = StoreProvider(chain.store)
    result = trace_forward(provider, (Seed("address", chain.ransom),), TraceLimits(hops=2, min_value=10_000),
                           tags=exchange_tags(chain))
    assert {t.tx.txid: t.hop for t in result.txs.values()} == {chain.payment: 0, chain.hop1: 1, chain.hop2: 2}
    stops = stops_by_reason(result)
    assert [(s.address, s.value) for s in stops[StopReason.TAGGED_SERVICE]] == [(chain.exchange, COIN)]
    assert [(s.address, s.value) for s in stops[StopReason.BELOW_MIN_VALUE]] == [(chain.dust, 5_000)]
    assert [s.address for s in stops[StopReason.UNSPENT]] == [chain.hold]
    assert [(s.next_txid, s.hop) for s in stops[StopReason.HOP_LIMIT]] == [(chain.hop3, 2)]
    assert max(provider.calls.values()) == 1, "no request twice"


def test_payers_change_in_the_payment_is_not_followed(chain):
    result = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),), TraceLimits(hops=0))
    assert list(result.txs) == [chain.payment]
    assert [(s.reason, s.index) for s in result.stops] == [(StopReason.HOP_LIMIT, 0)]


def test_time_window_is_exact_on_block_time(chain):
    hop2_time = chain.store.tx(chain.hop2)["status"]["block_time"]
    limits = TraceLimits(hops=10, until=hop2_time - 1)
    result = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),), limits)
    outside = stops_by_reason(result)[StopReason.OUTSIDE_WINDOW]
    assert {s.next_txid for s in outside} >= {chain.hop2}
    assert chain.hop2 not in result.txs
    result = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),),
                           TraceLimits(hops=10, until=hop2_time))
    assert chain.hop2 in result.txs


def test_max_transactions_cap_is_recorded_with_what_it_cut(chain):
    result = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),),
                           TraceLimits(hops=10, max_transactions=2))
    assert len(result.txs) == 2
    assert [c.name for c in result.caps] == ["max_transactions"]
    assert stops_by_reason(result)[StopReason.MAX_TRANSACTIONS]


def test_large_address_is_not_expanded(chain):
    chain.store.stats_override[chain.exchange] = {
        "address": chain.exchange, "mempool_stats": {"tx_count": 0},
        "chain_stats": {"tx_count": 250_000, "funded_txo_count": 1, "funded_txo_sum": 1, "spent_txo_count": 0,
                        "spent_txo_sum": 0}}
    chain.builder.spend(800_060, [_coin_at(chain, chain.hop1, 0)], [], change=chain.builder.address("p2wpkh"))
    result = trace_forward(StoreProvider(chain.store), (Seed("tx", chain.hop1),), TraceLimits(hops=5))
    large = stops_by_reason(result)[StopReason.LARGE_ADDRESS]
    assert [(s.address, s.hop) for s in large] == [(chain.exchange, 0)]
    assert "250000 transactions" in large[0].detail


def _coin_at(chain, txid, vout):
    from btctrace.testing.builder import Coin

    out = chain.store.tx(txid)["vout"][vout]
    return Coin(txid, vout, out["scriptpubkey_address"], out["value"],
                chain.builder.script_type_of(out["scriptpubkey_address"]), out["scriptpubkey"])


def test_outpoint_seed_follows_only_that_output(chain):
    result = trace_forward(StoreProvider(chain.store), (Seed("outpoint", chain.hop1, 0),), TraceLimits(hops=5))
    assert list(result.txs) == [chain.hop1]
    assert [(s.reason, s.index) for s in result.stops] == [(StopReason.UNSPENT, 0)]


def test_backward_ends_at_the_coinbase(chain):
    result = trace_backward(StoreProvider(chain.store), (Seed("tx", chain.hop2),), TraceLimits(hops=10))
    assert {t.hop for t in result.txs.values()} == {0, 1, 2, 3}
    coinbase = stops_by_reason(result)[StopReason.COINBASE]
    assert len(coinbase) == 1 and coinbase[0].hop == 3
    assert result.direction is Direction.BACKWARD


def test_backward_from_address_starts_at_what_it_received(chain):
    result = trace_backward(StoreProvider(chain.store), (Seed("address", chain.ransom),), TraceLimits(hops=1))
    assert {t.hop for t in result.txs.values()} == {0, 1}
    assert chain.payment in result.txs and chain.hop1 not in result.txs


def test_transaction_reached_twice_is_traced_once(builder):
    b = builder
    a, b1, b2, c = (b.address("p2wpkh") for _ in range(4))
    split = b.spend(800_001, [b.coinbase(800_000, a, COIN)], [(b1, 40_000_000)], change=b2)
    merge = b.spend(800_002, split, [], change=c)
    provider = StoreProvider(b.store)
    result = trace_forward(provider, (Seed("tx", split[0].txid),), TraceLimits(hops=3))
    assert set(result.txs) == {split[0].txid, merge[0].txid}
    assert result.txs[merge[0].txid].hop == 1
    assert max(provider.calls.values()) == 1


def test_same_chain_same_result(chain):
    first = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),), TraceLimits(hops=3))
    second = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),), TraceLimits(hops=3))
    assert first.sorted_stops() == second.sorted_stops()
    assert [t.tx for t in first.sorted_txs()] == [t.tx for t in second.sorted_txs()]


def test_op_return_with_value_is_recorded_as_destroyed(builder):
    b = builder
    coin = b.coinbase(800_000, b.address("p2wpkh"), COIN)
    burn = b.spend(800_001, [coin], [(None, 1_000)], change=b.address("p2wpkh"))
    txid = burn[0].txid
    result = trace_forward(StoreProvider(b.store), (Seed("tx", txid),), TraceLimits(hops=3))
    reasons = {(s.reason, s.index) for s in result.stops}
    assert (StopReason.UNSPENDABLE, 0) in reasons and (StopReason.UNSPENT, 1) in reasons


def test_seed_without_transactions_is_noted(builder):
    lonely = builder.address("p2tr")
    result = trace_forward(StoreProvider(builder.store), (Seed("address", lonely),), TraceLimits())
    assert not result.txs and any("no transactions" in note for note in result.notes)


def test_large_seed_is_expanded_but_noted(chain):
    result = trace_forward(StoreProvider(chain.store), (Seed("address", chain.ransom),),
                           TraceLimits(hops=0, large_address_tx_count=1))
    assert chain.payment in result.txs
    assert any("expanded anyway" in note for note in result.notes)


def test_walk_stops_at_a_coinjoin_with_the_detector_finding(demo):
    provider = StoreProvider(demo.store)
    result = trace_forward(provider, (Seed("address", demo.ransom_address),), TraceLimits(hops=20))
    stops = stops_by_reason(result)[StopReason.COINJOIN]
    assert [s.next_txid for s in stops] == [demo.coinjoin_txid]
    assert stops[0].detail.startswith("coinjoin.joinmarket") and stops[0].value == 205_000_000
    assert demo.coinjoin_txid in result.txs and result.txs[demo.coinjoin_txid].outspends is None
    assert set(result.coinjoins) == {demo.coinjoin_txid}


def test_walk_can_pass_through_coinjoins_while_flagging_them(demo):
    result = trace_forward(StoreProvider(demo.store), (Seed("address", demo.ransom_address),),
                           TraceLimits(hops=20, through_coinjoins=True))
    assert set(result.coinjoins) == {demo.coinjoin_txid}
    assert not stops_by_reason(result).get(StopReason.COINJOIN)
    mixed = [s for s in result.stops if s.txid == demo.coinjoin_txid]
    assert len(mixed) == 10 and all(s.reason is StopReason.UNSPENT for s in mixed)


def test_peel_continuation_only_follows_the_chain_not_each_peel(demo):
    full = trace_forward(StoreProvider(demo.store), (Seed("address", demo.ransom_address),), TraceLimits(hops=20))
    provider = StoreProvider(demo.store)
    lean = trace_forward(provider, (Seed("address", demo.ransom_address),),
                         TraceLimits(hops=20, peel_continuation_only=True))
    peels = stops_by_reason(lean)[StopReason.PEEL]
    assert peels and all(s.detail.startswith("continuation is output") for s in peels)
    assert set(demo.peel_txids) <= set(lean.txs), "the whole chain is still followed"
    assert len(lean.txs) < len(full.txs) and sum(provider.calls.values()) < full.requests
    assert demo.ransom_address not in {s.address for s in peels}, "payments into the seed are never peels"


def test_progress_reports_each_transaction_with_what_is_left_of_its_hop(chain):
    provider = StoreProvider(chain.store)
    statuses = []
    result = trace_forward(provider, (Seed("address", chain.ransom),), TraceLimits(hops=3), progress=statuses.append)
    assert [s.transactions for s in statuses] == list(range(1, len(result.txs) + 1))
    for earlier, later in zip(statuses, statuses[1:]):
        if later.hop == earlier.hop:
            assert later.queued <= earlier.queued - 1 and later.requests >= earlier.requests
