"""The synthetic demo ransom case: a seeded, fully closed chain (every coin traces back to a
coinbase) shaped like a DarkSide-style ransomware case. SYNTHETIC: no real addresses.

Story (heights from 840,000, about 10 minutes per block):
1. A pool pays 30 coinbases out to an exchange hot wallet, CoinJoin participants and a
   payout batch; 1,200 gamblers fund a busy (large, untagged) gambling address.
2. The exchange pays four victims' withdrawals; over six days the victims pay the ransom
   address (one test payment first, like Colonial Pipeline), with mixed address types.
3. The operator consolidates the ransom into a 2-of-3 P2WSH, then splits it 85/15 between
   affiliate and developer (as in DarkSide cases).
4. The affiliate peels 12 times: deposits at a tagged exchange, one at the busy gambling
   address, some to fresh addresses left unspent; the last change stays unspent.
5. The developer sends part through a CoinJoin-shaped transaction and keeps the rest.
6. The exchange sweeps its deposit addresses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from btctrace.testing.builder import SEQUENCE_FINAL, SEQUENCE_NO_RBF, ChainBuilder, Coin
from btctrace.testing.chain import ChainStore

__all__ = ["DemoScenario", "make_demo", "DEMO_SEED", "EXCHANGE_LABEL", "demo_tagpack_yaml"]

DEMO_SEED = 20240420
BASE_HEIGHT = 840_000
BASE_TIME = 1_713_571_767  # 2024-04-20 00:09:27 UTC
DAY = 144  # blocks
COIN = 100_000_000
EXCHANGE_LABEL = "Northwind Exchange (synthetic)"
GAMBLING_LABEL = "busy gambling service (synthetic, untagged)"
RANSOM_LABEL = "DemoLocker ransom address (synthetic)"


@dataclass
class DemoScenario:
    store: ChainStore
    ransom_address: str
    exchange_addresses: list[str] = field(default_factory=list)
    ransom_payments: list[Coin] = field(default_factory=list)
    holdings: list[str] = field(default_factory=list)
    large_address: str = ""
    coinjoin_txid: str = ""
    peel_txids: list[str] = field(default_factory=list)
    split_txid: str = ""
    cospend: tuple[str, str, str] = ("", "", "")  # (txid, address, address) spent together by the affiliate


def _funding(b: ChainBuilder, scenario: DemoScenario) -> tuple[Coin, list[Coin], Coin]:
    """Coinbases -> pool payout: exchange hot wallet, 4 CoinJoin peers, gambler batch."""
    pool = b.address("p2wpkh")
    coinbases = [b.coinbase(BASE_HEIGHT - 200 + i, pool, 312_500_000 + b.rng.randrange(2_000_000, 30_000_000))
                 for i in range(30)]
    hot = b.address("p2wpkh")
    peers = [b.address(t) for t in ("p2wpkh", "p2tr", "p2wpkh", "p2sh")]
    batch = b.address("p2wpkh")
    peer_values = [b.rng.randrange(130, 290) * 1_000_000 for _ in peers]
    coins = b.spend(BASE_HEIGHT - 90, coinbases, [(hot, 70 * COIN), *zip(peers, peer_values), (batch, 2 * COIN)],
                    change=pool, feerate=20)
    scenario.exchange_addresses.append(hot)
    return coins[0], coins[1:5], coins[5]


def _busy_service(b: ChainBuilder, scenario: DemoScenario, batch: Coin) -> list[Coin]:
    """1,200 gamblers each deposit to one address: an untagged address with a large history.
    Returns the deposits (the service sweeps some of them later)."""
    gambling = b.address("p2sh")
    players = [b.address("p2wpkh") for _ in range(1_200)]
    coins = b.spend(BASE_HEIGHT - 80, [batch], [(p, 150_000) for p in players], change=b.address("p2wpkh"), feerate=5)
    deposits = [b.spend(BASE_HEIGHT - 79 + i // 40, [coin], [], change=gambling, feerate=4)[0]
                for i, coin in enumerate(coins[:1_200])]
    scenario.large_address = gambling
    return deposits


def _victim_payments(b: ChainBuilder, scenario: DemoScenario, hot: Coin) -> None:
    types = ["p2pkh", "p2sh", "p2wpkh", "p2tr"]
    victims = [b.address(t) for t in types]
    buys = [29 * COIN, 12 * COIN, 7 * COIN, 5 * COIN]
    coins = b.spend(BASE_HEIGHT + DAY, [hot], list(zip(victims, buys)), change=hot.address, feerate=18,
                    sequence=SEQUENCE_NO_RBF)
    wallets = coins[:4]
    ransom = scenario.ransom_address
    # victim A: a 0.002 BTC test payment, then the rest (legacy wallet: version 1, locktime 0)
    test = b.spend(BASE_HEIGHT + 2 * DAY, [wallets[0]], [(ransom, 200_000)], change=victims[0],
                   feerate=25, locktime=0, sequence=SEQUENCE_FINAL, version=1)
    payment_a = b.spend(BASE_HEIGHT + 2 * DAY + 9, [test[1]], [(ransom, 28_500_000_00)], change=victims[0],
                        feerate=31, locktime=0, sequence=SEQUENCE_FINAL, version=1)
    payment_b = b.spend(BASE_HEIGHT + 3 * DAY + 40, [wallets[1]], [(ransom, 11_200_000_00)], change=victims[1], feerate=22)
    payment_c = b.spend(BASE_HEIGHT + 5 * DAY + 7, [wallets[2]], [(ransom, 6_800_000_00)], change=victims[2], feerate=15)
    payment_d = b.spend(BASE_HEIGHT + 6 * DAY + 101, [wallets[3]], [(ransom, 4_250_000_00)], change=victims[3], feerate=11)
    scenario.ransom_payments = [test[0], payment_a[0], payment_b[0], payment_c[0], payment_d[0]]


def _peel_chain(b: ChainBuilder, scenario: DemoScenario, start: Coin, height: int, gambling: list[Coin]) -> None:
    """12 peels; destinations cycle through exchange deposits, fresh addresses and the busy
    service. Each change goes to a fresh P2WPKH address. The exchange sweeps its deposits; the
    busy service sweeps the peel with 20 other deposits; the affiliate later spends the last
    change together with the last fresh peel (a common-input link) and keeps the result."""
    deposits = [b.address("p2wpkh") for _ in range(3)] + [b.address("p2sh") for _ in range(2)]
    scenario.exchange_addresses.extend(deposits)
    plan = ["dep0", "fresh", "dep1", "dep2", "busy", "dep3", "fresh", "dep4", "dep0", "fresh", "dep1", "dep2"]
    coin = start
    swept: list[Coin] = []
    fresh: list[Coin] = []
    for hop, target in enumerate(plan):
        if target.startswith("dep"):
            dest = deposits[int(target[3:])]
        elif target == "busy":
            dest = scenario.large_address
        else:
            dest = b.address(b.rng.choice(["p2wpkh", "p2tr"]))
            scenario.holdings.append(dest)
        amount = b.rng.randrange(80, 350) * 1_000_000
        coins = b.spend(height + hop * 5, [coin], [(dest, amount)], change=b.address("p2wpkh"),
                        feerate=b.rng.randrange(9, 30))
        scenario.peel_txids.append(coins[0].txid)
        if target.startswith("dep"):
            swept.append(coins[0])
        elif target == "busy":
            gambling.append(coins[0])
        else:
            fresh.append(coins[0])
        coin = coins[1]
    hot = scenario.exchange_addresses[0]
    b.spend(height + 3 * DAY, swept, [], change=hot, feerate=8, sequence=SEQUENCE_NO_RBF)
    b.spend(height + 3 * DAY + 2, gambling[-21:], [], change=b.address("p2wpkh"), feerate=6)
    kept = b.spend(height + 3 * DAY + 4, [fresh[-1], coin], [], change=b.address("p2tr"), feerate=12)
    scenario.holdings.remove(fresh[-1].address)
    scenario.holdings.append(kept[0].address)
    scenario.cospend = (kept[0].txid, fresh[-1].address, coin.address)


def _developer(b: ChainBuilder, scenario: DemoScenario, dev: Coin, peers: list[Coin], height: int) -> None:
    mix_in = b.address("p2tr")
    keep = b.address("p2tr")
    to_mix, kept = b.spend(height, [dev], [(mix_in, 205_000_000)], change=keep, feerate=14)
    scenario.holdings.append(kept.address)
    inputs = [to_mix, *peers]
    denomination = COIN
    payments = [(b.address("p2wpkh"), denomination) for _ in inputs]
    changes = [(b.address("p2wpkh"), c.value - denomination - 3_000) for c in inputs]
    coins = b.spend(height + DAY, inputs, payments + changes, change=None, feerate=10)
    scenario.coinjoin_txid = coins[0].txid


def make_demo(seed: int = DEMO_SEED) -> DemoScenario:
    """Build the demo chain. The same *seed* gives the same chain, byte for byte."""
    b = ChainBuilder(random.Random(seed), BASE_HEIGHT, BASE_TIME)
    scenario = DemoScenario(store=b.store, ransom_address=b.address("p2wpkh"))
    hot, peers, batch = _funding(b, scenario)
    gambling_deposits = _busy_service(b, scenario, batch)
    _victim_payments(b, scenario, hot)
    consolidation = b.spend(BASE_HEIGHT + 7 * DAY, scenario.ransom_payments, [], change=b.address("p2wsh"), feerate=16)
    pot = consolidation[0]
    developer_share = (pot.value - 30 * b.vsize(["p2wsh"], ["p2tr", "p2wpkh"])) * 15 // 100
    affiliate, developer = b.address("p2wpkh"), b.address("p2tr")
    split = b.spend(BASE_HEIGHT + 8 * DAY, [pot], [(developer, developer_share)], change=affiliate, feerate=30)
    scenario.split_txid = split[0].txid
    _peel_chain(b, scenario, split[1], BASE_HEIGHT + 9 * DAY, gambling_deposits)
    _developer(b, scenario, split[0], peers, BASE_HEIGHT + 10 * DAY)
    b.store.tip_height = BASE_HEIGHT + 20 * DAY
    b.store.price_usd = synthetic_price_usd
    b.store.blocks()  # the blocks made now: every block hash in store.txs is its header's
    return scenario


def synthetic_price_usd(hour: int) -> float:
    """A made-up USD/BTC price for the demo (SYNTHETIC): 63,000 to 66,000, moving by the hour."""
    return 63_000 + (hour // 3600 % 240) * 12.5


def demo_tagpack_yaml(scenario: DemoScenario) -> str:
    """A GraphSense TagPack for the demo's exchange and ransom address (synthetic labels)."""
    lines = [
        "# SYNTHETIC tags for the btctrace demo case, written by btctrace.testing.make_demo.",
        "title: btctrace demo tags (synthetic)",
        "creator: btctrace demo generator",
        "description: Labels for the synthetic demo chain. Not real attributions.",
        "is_public: true",
        "currency: BTC",
        "confidence: ownership",
        "source: btctrace synthetic demo",
        "lastmod: 2024-05-20",
        "tags:",
    ]
    for address in scenario.exchange_addresses:
        lines += [f"- address: {address}", f"  label: {EXCHANGE_LABEL}", "  category: exchange", "  actor: northwind"]
    lines += [f"- address: {scenario.ransom_address}", f"  label: {RANSOM_LABEL}", "  abuse: ransomware"]
    return "\n".join(lines) + "\n"
