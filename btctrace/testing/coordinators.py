"""A held-out generator of CoinJoins and their ordinary look-alikes, built from the coordinators'
own parameters, not from btctrace's detector rules (it imports nothing from
``btctrace.heuristics``; ``tests/test_layers.py`` checks). SYNTHETIC data.

Protocol parameters, each from the coordinator's source or documentation:

- Whirlpool (Samourai ``whirlpool-server``, ``application.properties`` and ``Pool.java``): pools of
  100 k / 1 M / 5 M / 50 M sat with fee-value 5 k / 50 k / 175 k / 1.75 M (SCODEs discount it);
  a mustMix (new entrant) input is d + miner fee in [miner-fee-min 102, miner-fee-max 10,000];
  a liquidity (remixer) is exactly d and pays nothing; must-mix-min 1; liquidity-min 1 in later
  servers (earlier ones filled a mix with mustMix alone); anonymity set 5 plus up to 3 surge
  inputs, which go to remixers; a Tx0 makes at most tx0MaxOutputs = 70 premix outputs, one OP_RETURN, the pool fee and
  change.
- Wasabi 1.x (WalletWasabi ``CoordinatorRoundConfig.cs``): Denomination 0.1 BTC, anonymity set
  100 by default (coordinators ran smaller rounds), coordinator fee 0.003 % of the denomination
  per anonymity set and participant, mixing levels d·2^i (at most 11), up to 7 inputs per Alice,
  one change output per Alice.
- Wasabi 2.0 (WalletWasabi WabiSabi ``AmountDecomposer`` and ``StandardDenomination``): outputs
  are standard denominations (2^n, 3^n, 2·3^n, 10^n, 2·10^n, 5·10^n sat, 5,000 sat to 1,343.75
  BTC), a non-standard change only when the remainder is at least the 5,000 sat minimum output
  (otherwise it goes to the miners); coordination fee 0.3 % on fresh inputs above 0.01 BTC
  (zkSNACKs until June 2024), 0 on remixes and for later coordinators; up to 10 inputs per
  participant.
- JoinMarket (``joinmarket-clientserver`` docs): one taker and 2-9 makers; every participant
  gets the CoinJoin amount; each maker gets a change output with its fee (absolute or relative
  offer); the taker pays the makers' fees and the miner fee, and has no change when sweeping.

Ordinary look-alikes: exchange batch payouts of equal amounts, Samourai Stonewall (one wallet)
and STONEWALLx2 (two wallets, indistinguishable by design), and BIP 78 PayJoin.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from btctrace.testing.builder import SEQUENCE_NO_RBF, ChainBuilder, Coin

__all__ = ["HeldOut", "STANDARD_OUTPUTS", "generate_held_out", "LOOK_ALIKES"]

COIN = 100_000_000
WHIRLPOOL_FEE_VALUE = {100_000: 5_000, 1_000_000: 50_000, 5_000_000: 175_000, 50_000_000: 1_750_000}
WHIRLPOOL_MINER_FEE = (102, 10_000)
WHIRLPOOL_ANONYMITY_SET, WHIRLPOOL_SURGE, TX0_MAX_OUTPUTS = 5, 3, 70
WASABI1_DENOMINATION, WASABI1_FEE_PERCENT, WASABI1_MAX_INPUTS = 10_000_000, 0.003, 7
WABISABI_MIN_OUTPUT, WABISABI_MAX_OUTPUT, WABISABI_FEE_RATE = 5_000, 134_375_000_000, 0.003
LOOK_ALIKES = ("batch_equal", "stonewall", "stonewallx2", "payjoin")


def _standard_outputs() -> list[int]:
    """WalletWasabi's standard denominations, from its six series (largest first)."""
    values = set()
    for base, factors in ((2, (1,)), (3, (1, 2)), (10, (1, 2, 5))):
        for factor in factors:
            power = 1
            while factor * power <= WABISABI_MAX_OUTPUT:
                if factor * power >= WABISABI_MIN_OUTPUT:
                    values.add(factor * power)
                power *= base
    return sorted(values | {WABISABI_MIN_OUTPUT, WABISABI_MAX_OUTPUT}, reverse=True)


STANDARD_OUTPUTS = _standard_outputs()


@dataclass
class HeldOut:
    """The generated chain and, per transaction, what it really is: ``label`` is
    ``kind/variant`` (``whirlpool_mix/genesis``, ``stonewall/single``...), ``owners`` the number
    of wallets whose coins it spends."""

    builder: ChainBuilder
    label: dict[str, str] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.b = ChainBuilder(random.Random(seed + 101), 700_000, 1_630_000_000)
        self.out = HeldOut(self.b)
        self.height = 700_000
        self.wallets = 0

    def wallet(self) -> str:
        self.wallets += 1
        return self.rng.choice(("p2wpkh", "p2wpkh", "p2wpkh", "p2tr", "p2sh", "p2pkh"))

    def coin(self, script_type: str, value: int) -> Coin:
        self.height += 1
        return self.b.coinbase(self.height, self.b.address(script_type), value)

    def emit(self, label: str, owners: int, inputs: list[Coin], outputs: list[tuple[str | None, int]],
             shuffle: bool = True) -> list[Coin]:
        """One transaction; whatever the outputs leave over is the miner fee (must be >= 0)."""
        self.height += 1
        ordered = outputs[:]
        if shuffle:
            self.rng.shuffle(ordered)
        coins = self.b.spend(self.height, inputs, ordered, change=None, feerate=0, sequence=SEQUENCE_NO_RBF)
        txid = coins[0].txid
        self.out.label[txid], self.out.owners[txid] = label, owners
        return coins


def _miner_fee(inputs: int, outputs: int, rate: int = 2) -> int:
    return rate * (11 + 68 * inputs + 31 * outputs)


def _whirlpool(gen: _Gen, pool: int, mixes: int) -> None:
    """Tx0s fill the premix queue; each mix takes entrants and remixers as the coordinator would."""
    r = gen.rng
    premix: list[Coin] = []
    remix: list[Coin] = []
    while len(premix) < mixes * 4:
        script_type = gen.wallet()
        count = r.randrange(1, TX0_MAX_OUTPUTS + 1) if r.random() < 0.3 else r.randrange(1, 10)
        miner_fee = r.randrange(*WHIRLPOOL_MINER_FEE)
        fee = WHIRLPOOL_FEE_VALUE[pool] * r.choice((1, 1, 1, 0.5, 0.75)) // 1
        change = r.randrange(10_000, 5 * pool)
        source = gen.coin(script_type, count * (pool + miner_fee) + int(fee) + change + _miner_fee(1, count + 3))
        outputs = [(None, 0), (gen.b.address("p2wpkh"), int(fee)), (gen.b.address(script_type), change)]
        outputs += [(gen.b.address("p2wpkh"), pool + miner_fee) for _ in range(count)]
        coins = gen.emit("whirlpool_tx0/usual", 1, [source], outputs, shuffle=False)
        premix += [c for c in coins if c.value == pool + miner_fee]
    r.shuffle(premix)
    for index in range(mixes):
        genesis = index < max(1, mixes // 10)  # the first mixes of a pool, before liquidity-min
        size = WHIRLPOOL_ANONYMITY_SET + (r.randrange(WHIRLPOOL_SURGE + 1) if r.random() < 0.4 else 0)
        if genesis or not remix:
            entrants = size
        else:  # must-mix-min 1 .. anonymity set - liquidity-min; surge slots go to remixers
            entrants = r.randrange(1, WHIRLPOOL_ANONYMITY_SET)
        while sum(c.value - pool for c in premix[-entrants:]) < _miner_fee(size, size, 1) and entrants < size:
            entrants += 1  # the mustMix inputs must cover the mix's miner fee (minerFeeMix)
        if entrants > len(premix):
            break  # the queue ran dry: fewer mixes, as on a quiet day
        picks = [premix.pop() for _ in range(entrants)] + [remix.pop(r.randrange(len(remix)))
                                                          for _ in range(min(size - entrants, len(remix)))]
        variant = "genesis" if len(picks) == entrants else ("surge" if size > WHIRLPOOL_ANONYMITY_SET else "usual")
        coins = gen.emit(f"whirlpool_mix/{variant}", len(picks), picks, [(gen.b.address("p2wpkh"), pool) for _ in picks])
        remix += coins


def _split(gen: _Gen, total: int, parts: int) -> list[int]:
    """*total* as *parts* random positive coin values (a participant's inputs)."""
    cuts = sorted(gen.rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def _wasabi1_round(gen: _Gen, participants: int, variant: str) -> None:
    r = gen.rng
    denomination = WASABI1_DENOMINATION - r.randrange(0, 150_000)  # the coordinator's round denomination
    fee_per_level = int(denomination * WASABI1_FEE_PERCENT / 100 * participants)
    inputs: list[Coin] = []
    outputs: list[tuple[str | None, int]] = []
    coordinator_fee = 0
    for index in range(participants):
        script_type = gen.wallet()
        levels = 1 + (r.random() < 0.25) + (r.random() < 0.1)
        mixed = [denomination * 2**level for level in range(levels)]
        change = r.randrange(20_000, 3 * denomination)
        if variant == "change_near_denomination" and index == 0:
            change = denomination + r.choice((-1, 1)) * r.randrange(1_000, denomination // 25)
        count = r.randrange(1, WASABI1_MAX_INPUTS + 1) if r.random() < 0.3 else 1
        need = sum(mixed) + change + fee_per_level * levels + _miner_fee(count, levels + 1)
        inputs += [gen.coin(script_type, value) for value in _split(gen, need, count)]
        outputs += [(gen.b.address("p2wpkh"), value) for value in mixed] + [(gen.b.address(script_type), change)]
        coordinator_fee += fee_per_level * levels
    outputs.append((gen.b.address("p2wpkh"), coordinator_fee))
    r.shuffle(inputs)
    gen.emit(f"wasabi1/{variant}", participants, inputs, outputs)


def _decompose(gen: _Gen, amount: int) -> tuple[list[int], int]:
    """A participant's outputs: standard denominations, at most 8, sometimes skipping the largest
    fitting one (the decomposer picks among several good sets); the remainder (change, or to the
    miners below the minimum output)."""
    parts: list[int] = []
    for value in STANDARD_OUTPUTS:
        while amount >= value and len(parts) < 7:
            if parts or gen.rng.random() < 0.7:
                parts.append(value)
                amount -= value
            else:
                break
    return parts, amount


def _wabisabi_round(gen: _Gen, variant: str) -> None:
    r = gen.rng
    inputs: list[Coin] = []
    outputs: list[tuple[str | None, int]] = []
    coordinator_fee = 0
    while len(inputs) < r.randrange(21, 120):
        script_type = gen.wallet()
        count = r.randrange(1, 11) if r.random() < 0.3 else 1
        if variant == "no_change":  # remixed coins: standard amounts plus dust below the minimum output
            parts = r.sample(STANDARD_OUTPUTS[40:], r.randrange(1, 4))
            amount = sum(parts) + r.randrange(0, WABISABI_MIN_OUTPUT)
        else:
            amount = r.randrange(200_000, 5 * COIN)
        fee = int(amount * WABISABI_FEE_RATE) if variant == "coordinator_fee" and amount > 1_000_000 else 0
        spend = amount + fee + _miner_fee(count, 4)
        inputs += [gen.coin(script_type, value) for value in _split(gen, spend, count)]
        parts, rest = _decompose(gen, amount)
        outputs += [(gen.b.address(script_type), value) for value in parts]
        if rest >= WABISABI_MIN_OUTPUT:
            outputs.append((gen.b.address(script_type), rest))
        coordinator_fee += fee
    if coordinator_fee >= WABISABI_MIN_OUTPUT:
        outputs.append((gen.b.address("p2wpkh"), coordinator_fee))
    r.shuffle(inputs)
    gen.emit(f"wabisabi/{variant}", len(inputs), inputs, outputs)


def _joinmarket_round(gen: _Gen, variant: str) -> None:
    r = gen.rng
    amount = r.choice((r.randrange(100_000, 50 * COIN), r.randrange(1, 100) * 1_000_000))
    makers = r.randrange(2, 10)
    inputs: list[Coin] = []
    outputs: list[tuple[str | None, int]] = []
    fees = 0
    for _ in range(makers):
        script_type = gen.wallet()
        cjfee = r.choice((r.randrange(0, 2_000), int(amount * r.uniform(0.00002, 0.0003))))
        count = r.randrange(1, 4)
        change = r.randrange(10_000, 3 * amount)
        inputs += [gen.coin(script_type, value) for value in _split(gen, amount + change - cjfee, count)]
        outputs += [(gen.b.address(script_type), amount), (gen.b.address(script_type), change)]
        fees += cjfee
    script_type = gen.wallet()
    count = r.randrange(1, 4)
    change = 0 if variant == "sweep" else r.randrange(10_000, 3 * amount)
    spend = amount + fees + change + _miner_fee(len(inputs) + count, len(outputs) + 2)
    inputs += [gen.coin(script_type, value) for value in _split(gen, spend, count)]
    outputs.append((gen.b.address(script_type), amount))
    if change:
        outputs.append((gen.b.address(script_type), change))
    r.shuffle(inputs)
    gen.emit(f"joinmarket/{variant}", makers + 1, inputs, outputs)


def _batch_equal(gen: _Gen) -> None:
    """An exchange or payroll paying several people the same amount, with its change."""
    r = gen.rng
    script_type = gen.wallet()
    users = r.randrange(3, 25)
    value = r.choice((r.randrange(1, 50) * 100_000, r.randrange(10_000, 5_000_000)))
    count = r.randrange(1, 12)
    change = r.randrange(50_000, 10 * COIN)
    inputs = [gen.coin(script_type, v) for v in _split(gen, users * value + change + _miner_fee(count, users + 1), count)]
    outputs = [(gen.b.address(r.choice(("p2wpkh", "p2pkh", "p2sh"))), value) for _ in range(users)]
    gen.emit("batch_equal/exchange", 1, inputs, outputs + [(gen.b.address(script_type), change)])


def _stonewall(gen: _Gen, wallets: int) -> None:
    """Stonewall: a payment and a decoy of the same amount, two changes; STONEWALLx2 has a
    collaborator bring the decoy's inputs and take it back (Samourai docs: identical on chain)."""
    r = gen.rng
    payment = r.randrange(50_000, 2 * COIN)
    types = [gen.wallet() for _ in range(wallets)]
    changes = [r.randrange(10_000, COIN), r.randrange(10_000, COIN)]
    per_wallet = [payment + changes[0], payment + changes[1]]
    if wallets == 1:
        per_wallet = [sum(per_wallet)]
    inputs = []
    for script_type, total in zip(types, per_wallet):
        share = total + _miner_fee(2, 2)
        inputs += [gen.coin(script_type, v) for v in _split(gen, share, r.randrange(1, 3) + (wallets == 1))]
    owner = types * (2 // wallets)
    outputs = [(gen.b.address("p2wpkh"), payment), (gen.b.address(owner[0]), payment),
               (gen.b.address(owner[0]), changes[0]), (gen.b.address(owner[1]), changes[1])]
    gen.emit(f"stonewall/{'single' if wallets == 1 else 'x2'}", wallets, inputs, outputs)


def _payjoin(gen: _Gen) -> None:
    """BIP 78: the receiver adds an input and takes it back in its (larger) payment output."""
    r = gen.rng
    sender, receiver = gen.wallet(), gen.wallet()
    payment, change, own = r.randrange(50_000, COIN), r.randrange(10_000, COIN), r.randrange(10_000, COIN)
    inputs = [gen.coin(sender, payment + change + _miner_fee(2, 2)), gen.coin(receiver, own)]
    gen.emit("payjoin/bip78", 2, inputs, [(gen.b.address(receiver), payment + own), (gen.b.address(sender), change)])


def generate_held_out(seed: int = 1, rounds: int = 40) -> HeldOut:
    """*rounds* of each CoinJoin kind and variant and of each look-alike; deterministic per seed."""
    gen = _Gen(seed)
    for pool in WHIRLPOOL_FEE_VALUE:
        _whirlpool(gen, pool, max(1, rounds // 2))
    for variant, small in (("usual", False), ("small", True), ("change_near_denomination", False)):
        for _ in range(rounds):
            participants = gen.rng.randrange(10, 20) if small else gen.rng.randrange(21, 101)
            _wasabi1_round(gen, participants, variant)
    for variant in ("usual", "coordinator_fee", "no_change"):
        for _ in range(rounds):
            _wabisabi_round(gen, variant)
    for variant in ("usual", "sweep"):
        for _ in range(rounds):
            _joinmarket_round(gen, variant)
    for _ in range(rounds * 5):
        _batch_equal(gen)
        _stonewall(gen, 1)
        _stonewall(gen, 2)
        _payjoin(gen)
    return gen.out
