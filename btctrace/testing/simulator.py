"""A seeded simulator of wallets with known ownership, for measuring the heuristics.

Wallets differ the way real ones do: script type, change policy (fresh change of the same type,
of another type, or back to an input address), output order (change last or shuffled), round
or odd payment amounts, fee rate, version, anti-fee-sniping locktime and RBF signalling. Around
ordinary payments the simulator adds exchange batch payouts and consolidations, peel chains, and
CoinJoins of each kind (Whirlpool Tx0 and mixes, Wasabi 1.x, Wasabi 2.0, JoinMarket). The truth
it records (owner of every address, change output of every payment, kind of every CoinJoin) is
what :mod:`btctrace.testing.accuracy` scores the heuristics against. SYNTHETIC data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from btctrace.heuristics.coinjoin import WABISABI_DENOMINATIONS
from btctrace.testing.builder import SEQUENCE_FINAL, SEQUENCE_NO_RBF, SEQUENCE_RBF, ChainBuilder, Coin

__all__ = ["Wallet", "Truth", "Simulation", "simulate"]

TYPES = ("p2wpkh", "p2wpkh", "p2wpkh", "p2tr", "p2sh", "p2pkh")
COIN = 100_000_000
_DENOMINATIONS = sorted(WABISABI_DENOMINATIONS, reverse=True)


@dataclass
class Wallet:
    name: str
    script_type: str
    change_policy: str  # fresh_same | fresh_other | reuse
    shuffle: bool
    version: int
    anti_fee_sniping: bool
    rbf: bool
    feerate: int
    coins: list[Coin] = field(default_factory=list)


@dataclass
class Truth:
    owner: dict[str, str] = field(default_factory=dict)  # address -> wallet
    change: dict[str, int] = field(default_factory=dict)  # txid -> change output index
    coinjoin: dict[str, str] = field(default_factory=dict)  # txid -> kind
    kind: dict[str, str] = field(default_factory=dict)  # txid -> payment | batch | consolidation | peel | coinjoin


@dataclass
class Simulation:
    builder: ChainBuilder
    truth: Truth
    wallets: list[Wallet]


class _Sim:
    def __init__(self, seed: int, wallets: int) -> None:
        self.rng = random.Random(seed)
        self.b = ChainBuilder(random.Random(seed + 1), 800_000, 1_690_000_000)
        self.truth = Truth()
        self.height = 800_000
        self.wallets = [self._wallet(f"w{i:04d}") for i in range(wallets)]
        self.reused: dict[str, str] = {}  # wallet -> its reused receiving address

    def _wallet(self, name: str) -> Wallet:
        r = self.rng
        return Wallet(name, r.choice(TYPES), r.choices(["fresh_same", "fresh_other", "reuse"], [70, 15, 15])[0],
                      r.random() < 0.5, r.choice([1, 2, 2, 2]), r.random() < 0.6, r.random() < 0.5, r.randrange(2, 60))

    def address(self, wallet: Wallet, script_type: str | None = None) -> str:
        address = self.b.address(script_type or wallet.script_type)
        self.truth.owner[address] = wallet.name
        return address

    def tick(self) -> int:
        self.height += self.rng.choice([0, 1, 1, 2])
        return self.height

    def fund(self, wallet: Wallet, value: int) -> None:
        wallet.coins.append(self.b.coinbase(self.tick(), self.address(wallet), value))

    def _change_address(self, wallet: Wallet, inputs: list[Coin]) -> str:
        if wallet.change_policy == "reuse":
            return self.rng.choice(inputs).address
        if wallet.change_policy == "fresh_other":
            return self.address(wallet, self.rng.choice([t for t in sorted(set(TYPES)) if t != wallet.script_type]))
        return self.address(wallet)

    def pay(self, payer: Wallet, payments: list[tuple[str, int]], kind: str, inputs: list[Coin] | None = None) -> list[Coin]:
        """Spend from *payer* with change; records the change output. Returns the new coins."""
        need = sum(v for _, v in payments) + 200 * payer.feerate + 50_000
        if inputs is None:
            inputs = []
            for coin in sorted(payer.coins, key=lambda c: -c.value):
                if sum(c.value for c in inputs) >= need:
                    break
                inputs.append(coin)
        if sum(c.value for c in inputs) < need:
            return []
        change_at = self.rng.randrange(len(payments) + 1) if payer.shuffle else len(payments)
        height = self.tick()
        coins = self.b.spend(height, inputs, payments, change=self._change_address(payer, inputs),
                             feerate=payer.feerate, version=payer.version,
                             locktime=height - 1 if payer.anti_fee_sniping else 0,
                             sequence=SEQUENCE_RBF if payer.rbf else SEQUENCE_FINAL, change_at=change_at)
        txid = coins[0].txid
        self.truth.change[txid] = change_at
        self.truth.kind[txid] = kind
        payer.coins = [c for c in payer.coins if c not in inputs] + [coins[change_at]]
        return coins

    def amount(self, wallet: Wallet) -> int:
        balance = sum(c.value for c in wallet.coins)
        top = max(balance // 3, 2_000_000)
        if self.rng.random() < 0.6:
            return self.rng.randrange(1, max(2, top // 1_000_000)) * 1_000_000
        return self.rng.randrange(100_000, top)


def _receiving_address(sim: _Sim, payee: Wallet) -> str:
    """A fresh address, or (30 %) the payee's reused one, as with exchange deposit addresses."""
    if sim.rng.random() < 0.3:
        reused = sim.reused.setdefault(payee.name, sim.address(payee))
        return reused
    return sim.address(payee)


def _payments(sim: _Sim, count: int) -> None:
    for _ in range(count):
        payer, payee = sim.rng.sample(sim.wallets, 2)
        if not payer.coins:
            continue
        value = sim.amount(payer)
        coins = sim.pay(payer, [(_receiving_address(sim, payee), value)], "payment")
        if coins:
            payee.coins.append(next(c for c in coins if c.value == value and sim.truth.owner[c.address] == payee.name))


def _exchange(sim: _Sim, batches: int) -> None:
    exchange = sim._wallet("exchange")
    exchange.change_policy, exchange.shuffle = "fresh_same", True
    for _ in range(30):
        sim.fund(exchange, sim.rng.randrange(20, 60) * COIN)
    for _ in range(batches):
        users = sim.rng.sample(sim.wallets, min(len(sim.wallets), sim.rng.randrange(20, 60)))
        payouts = [(sim.address(u), sim.rng.randrange(1, 200) * 500_000) for u in users]
        coins = sim.pay(exchange, payouts, "batch")
        for coin in coins:
            owner = sim.truth.owner[coin.address]
            if owner != "exchange":
                next(w for w in sim.wallets if w.name == owner).coins.append(coin)
    merged = exchange.coins[:25]
    coins = sim.b.spend(sim.tick(), merged, [], change=sim.address(exchange), feerate=5)
    sim.truth.kind[coins[0].txid] = "consolidation"


def _peel_chains(sim: _Sim, chains: int) -> None:
    for _ in range(chains):
        peeler = sim.rng.choice([w for w in sim.wallets if w.coins])
        coin = max(peeler.coins, key=lambda c: c.value)
        for _ in range(sim.rng.randrange(4, 10)):
            value = coin.value // sim.rng.randrange(5, 15)
            coins = sim.pay(peeler, [(sim.address(sim.rng.choice(sim.wallets)), value)], "peel", inputs=[coin])
            if not coins:
                break
            coin = coins[sim.truth.change[coins[0].txid]]


def _participants(sim: _Sim, count: int, minimum: int) -> list[tuple[Wallet, Coin]]:
    eligible = [w for w in sim.wallets if any(c.value >= minimum for c in w.coins)]
    chosen = sim.rng.sample(eligible, min(count, len(eligible)))
    picks = []
    for wallet in chosen:
        coin = next(c for c in wallet.coins if c.value >= minimum)
        wallet.coins.remove(coin)
        picks.append((wallet, coin))
    return picks


def _coinjoin(sim: _Sim, kind: str, picks: list[tuple[Wallet, Coin]], outputs: list[tuple[str, int]]) -> None:
    shuffled = outputs[:]
    sim.rng.shuffle(shuffled)
    coins = sim.b.spend(sim.tick(), [c for _, c in picks], shuffled, change=None, feerate=3,
                        sequence=SEQUENCE_NO_RBF)
    sim.truth.coinjoin[coins[0].txid] = kind
    sim.truth.kind[coins[0].txid] = "coinjoin"
    for coin in coins:
        owner = sim.truth.owner.get(coin.address)
        wallet = next((w for w, _ in picks if w.name == owner), None)
        if wallet is not None:
            wallet.coins.append(coin)


def _whirlpool(sim: _Sim, rounds: int) -> None:
    coordinator = sim._wallet("whirlpool-coordinator")
    pool, fee = 1_000_000, 50_000
    premix: list[tuple[Wallet, Coin]] = []
    for wallet, coin in _participants(sim, rounds, 12 * pool):
        count = min(10, (coin.value - fee - 100_000) // (pool + 20_000))
        extra = sim.rng.randrange(10_000, 20_000)
        outputs = [(None, 0), (sim.address(coordinator), fee)]
        outputs += [(sim.address(wallet), pool + extra) for _ in range(count)]
        coins = sim.b.spend(sim.tick(), [coin], outputs, change=sim.address(wallet), feerate=wallet.feerate)
        sim.truth.coinjoin[coins[0].txid] = "whirlpool_tx0"
        sim.truth.kind[coins[0].txid] = "coinjoin"
        premix += [(wallet, c) for c in coins if c.value == pool + extra]
        wallet.coins.append(coins[-1])
    remix: list[tuple[Wallet, Coin]] = []
    for _ in range(rounds * 2):
        picks = _pick_distinct(sim, premix, 2, set())  # new entrants pay the mining fee
        picks += _pick_distinct(sim, remix + premix, 5 - len(picks), {w.name for w, _ in picks})
        if len(picks) < 5:
            return
        for pick in picks:
            (remix if pick in remix else premix).remove(pick)
        _coinjoin(sim, "whirlpool_mix", picks, [(sim.address(w), pool) for w, _ in picks])
        remix += [(w, w.coins[-1]) for w, _ in picks if w.coins and w.coins[-1].value == pool]


def _pick_distinct(sim: _Sim, pool: list[tuple[Wallet, Coin]], count: int, taken: set[str]) -> list[tuple[Wallet, Coin]]:
    """Up to *count* coins from *pool*, each from a different wallet not in *taken*."""
    picks = []
    for wallet, coin in sim.rng.sample(pool, len(pool)):
        if len(picks) == count:
            break
        if wallet.name not in taken:
            taken = taken | {wallet.name}
            picks.append((wallet, coin))
    return picks


def _wasabi1(sim: _Sim, rounds: int) -> None:
    coordinator = sim._wallet("wasabi-coordinator")
    for _ in range(rounds):
        picks = _participants(sim, sim.rng.randrange(10, 20), 12_000_000)
        if len(picks) < 10:
            return
        value = 10_000_000 + sim.rng.randrange(0, 300_000)
        outputs = [(sim.address(w), value) for w, _ in picks]
        outputs += [(sim.address(w), c.value - value - 5_000) for w, c in picks]
        outputs.append((sim.address(coordinator), 3_000 * len(picks)))
        _coinjoin(sim, "wasabi1", picks, outputs)


def _decompose(amount: int) -> list[int]:
    parts = []
    for denomination in _DENOMINATIONS:
        while amount >= denomination and len(parts) < 4:
            parts.append(denomination)
            amount -= denomination
    if amount >= 5_000:
        parts.append(amount)  # the non-standard change
    return parts


def _wabisabi(sim: _Sim, rounds: int) -> None:
    for _ in range(rounds):
        picks = _participants(sim, sim.rng.randrange(25, 40), 1_000_000)
        if len(picks) < 25:
            return
        outputs = [(sim.address(w), part) for w, c in picks for part in _decompose(c.value - 10_000)]
        _coinjoin(sim, "wabisabi", picks, outputs)


def _joinmarket(sim: _Sim, rounds: int) -> None:
    for _ in range(rounds):
        amount = sim.rng.randrange(10_000_000, 90_000_000) + 1_234
        picks = _participants(sim, sim.rng.randrange(4, 8), amount + 200_000)
        if len(picks) < 4:
            return
        outputs = [(sim.address(w), amount) for w, _ in picks]
        outputs += [(sim.address(w), c.value - amount - 2_000) for w, c in picks]
        _coinjoin(sim, "joinmarket", picks, outputs)


def simulate(seed: int = 1, wallets: int = 120, payments: int = 1_200, batches: int = 15, peel_chains: int = 15,
             coinjoins: int = 15) -> Simulation:
    """Run the simulation; the same arguments give the same chain and truth."""
    sim = _Sim(seed, wallets)
    for wallet in sim.wallets:
        for _ in range(sim.rng.randrange(1, 4)):
            sim.fund(wallet, sim.rng.randrange(20, 2_000) * 1_000_000)
    _exchange(sim, batches)
    _payments(sim, payments // 2)
    _whirlpool(sim, coinjoins)
    _wasabi1(sim, coinjoins)
    _wabisabi(sim, coinjoins)
    _joinmarket(sim, coinjoins)
    _payments(sim, payments - payments // 2)
    _peel_chains(sim, peel_chains)
    return Simulation(sim.b, sim.truth, sim.wallets)
