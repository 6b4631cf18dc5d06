"""Synthetic cases of any size for benchmarks: a ransom address and the tree of transactions
its money flows through, served in-process without sockets.

:func:`make_synthetic_case` builds a closed chain with :class:`ChainBuilder`: victims pay the
ransom address, then each coin is split (a payment to a fresh address plus change) or, every
few steps, merged with another coin (a co-spend, so clusters form), until *size* transactions
follow the seed; what is left stays unspent. :class:`StoreCassette` answers Esplora requests
for such a chain exactly as the loopback server would, so a trace over it can be recorded to a
real cassette in seconds, even for 100,000 transactions.
"""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from btctrace.cache.cassettes import Cassette
from btctrace.cache.interactions import normalise_uri
from btctrace.testing.builder import ChainBuilder, Coin
from btctrace.testing.chain import ChainStore
from btctrace.testing.server import EsploraServer

__all__ = ["SyntheticCase", "make_synthetic_case", "make_peel_chain_case", "SHAPES", "make_case", "make_many_seeds_case", "record_synthetic", "StoreCassette"]

_TYPES = ("p2wpkh", "p2wpkh", "p2wpkh", "p2tr", "p2pkh", "p2sh")
SYNTHETIC_API_URL = "http://127.0.0.1:50020/api"


@dataclass
class SyntheticCase:
    store: ChainStore
    ransom_address: str
    transactions: int  # transactions downstream of the seed, payments included


def make_synthetic_case(size: int, seed: int = 1) -> SyntheticCase:
    """A chain where *size* transactions follow the ransom address's money (see module doc)."""
    rng = random.Random(seed)
    b = ChainBuilder(rng, base_height=800_000, base_time=1_690_000_000)
    ransom = b.address("p2wpkh")
    height = 800_010
    queue: deque[Coin] = deque()
    victims = max(1, min(50, size // 20))
    for _ in range(victims):
        funding = b.coinbase(height, b.address(rng.choice(_TYPES)), 5_000_000_000)
        queue.append(b.spend(height + 1, [funding], [(ransom, rng.randint(10, 200) * 1_000_000)],
                             change=b.address(rng.choice(_TYPES)))[0])
    made = victims
    while made < size and queue:
        height += 1 if made % 40 == 0 else 0
        coin = queue.popleft()
        if made % 7 == 0 and queue:  # a co-spend: the two coins' addresses join one cluster
            outputs = b.spend(height + 2, [coin, queue.popleft()], [], change=b.address(rng.choice(_TYPES)))
        elif coin.value < 200_000:
            b.spend(height + 2, [coin], [(b.address(rng.choice(_TYPES)), coin.value // 2)],
                    change=b.address(rng.choice(_TYPES)))
            made += 1
            continue  # too small to split again: the payment and the rest stay unspent
        else:
            pay = coin.value * rng.randint(20, 60) // 100
            outputs = b.spend(height + 2, [coin], [(b.address(rng.choice(_TYPES)), pay)],
                              change=b.address(rng.choice(_TYPES)))
        queue.extend(outputs)
        made += 1
    b.store.blocks()  # the blocks made now: every block hash in store.txs is its header's
    return SyntheticCase(b.store, ransom, made)


def make_peel_chain_case(size: int, seed: int = 1) -> SyntheticCase:
    """A deep case: victims pay the ransom address, one transaction gathers the ransom, and
    a peel chain follows it (each step 1 input, 2 outputs: a peel of 0.01-0.1 % to a fresh
    address, left unspent, and change that the next step spends) until *size* transactions
    follow the seed. The shape investigators meet most after a ransom is paid (Meiklejohn et
    al. 2013; Kappos et al. 2022); the wide case above is its opposite."""
    rng = random.Random(seed)
    b = ChainBuilder(rng, base_height=800_000, base_time=1_690_000_000)
    ransom = b.address("p2wpkh")
    height = 800_010
    victims = max(1, min(5, size // 100))
    paid = []
    for _ in range(victims):
        funding = b.coinbase(height, b.address(rng.choice(_TYPES)), 5_000_000_000)
        paid.append(b.spend(height + 1, [funding], [(ransom, rng.randint(1_000, 2_000) * 1_000_000)],
                            change=b.address(rng.choice(_TYPES)))[0])
    coin = b.spend(height + 2, paid, [], change=b.address("p2wpkh"))[0]
    made = victims + 1
    while made < size:
        height += 1 if made % 3 == 0 else 0
        peel = coin.value * rng.randint(1, 10) // 10_000
        if peel < 546 or coin.value - peel < 50_000:  # 546: the dust limit of a P2PKH output
            break  # the chain ran dry: what is left stays unspent
        change_at = rng.randint(0, 1)
        coin = b.spend(height + 3, [coin], [(b.address(rng.choice(_TYPES)), peel)], change=b.address("p2wpkh"),
                       change_at=change_at)[change_at]
        made += 1
    b.store.blocks()
    return SyntheticCase(b.store, ransom, made)


SHAPES = ("wide", "deep")  # the benchmarks' two shapes: many short branches; one long peel chain


def make_case(shape: str, size: int) -> SyntheticCase:
    """A synthetic case of *size* transactions of the given *shape* (one of :data:`SHAPES`)."""
    return make_peel_chain_case(size) if shape == "deep" else make_synthetic_case(size)


def make_many_seeds_case(victims: int, seed: int = 2) -> tuple[ChainStore, list[str]]:
    """One ransom address per victim (as many ransomware strains hand out): each victim pays
    its own address, and every address forwards to one collector. Returns the chain and the
    ransom addresses, the seeds an investigator would give."""
    rng = random.Random(seed)
    b = ChainBuilder(rng, base_height=800_000, base_time=1_690_000_000)
    collector = b.address("p2wpkh")
    addresses = []
    for i in range(victims):
        victim, ransom = b.address(rng.choice(_TYPES)), b.address(rng.choice(_TYPES))
        coin = b.coinbase(800_000 + i // 50, victim, 50_000_000)
        payment = b.spend(800_100 + i // 50, [coin], [(ransom, rng.randint(5, 40) * 1_000_000)], change=victim)
        b.spend(800_200 + i // 50, [payment[0]], [(collector, payment[0].value - 10_000)])
        addresses.append(ransom)
    return b.store, addresses


def record_synthetic(store: ChainStore, path: Path, seeds: tuple, limits) -> Path:
    """Record a forward trace of *seeds* over *store* to the cassette *path* (answers computed
    in process), with its proofs and price look-ups; returns *path*."""
    from btctrace.providers.esplora.provider import EsploraProvider
    from btctrace.providers.http import HttpFetcher, make_session
    from btctrace.cache.cassettes import ReplayAdapter
    from btctrace.tracing.proving import prove_trace
    from btctrace.tracing.result import Direction
    from btctrace.tracing.walk import walk
    from btctrace.valuation import fetch_prices

    answers = StoreCassette(store, path)
    provider = EsploraProvider(SYNTHETIC_API_URL, HttpFetcher(make_session(ReplayAdapter(answers), trust_env=False)))
    result = walk(provider, seeds, Direction.FORWARD, limits)
    prove_trace(provider, result)  # recorded like a real run's: its headers and Merkle proofs too
    fetch_prices(provider, result)
    answers.recorded.save()
    answers.close()
    return path


class StoreCassette:
    """A read-only cassette whose answers are computed from a :class:`ChainStore` on demand,
    for :class:`~btctrace.cache.cassettes.ReplayAdapter`; every answer given is also kept in
    :attr:`recorded`, a real cassette that can be saved and replayed."""

    def __init__(self, store: ChainStore, path: Path, api_url: str = SYNTHETIC_API_URL) -> None:
        self.path = path
        self.api_url = api_url
        self._server = EsploraServer(store, prefix=urlsplit(api_url).path)
        self.recorded = Cassette(path, metadata={"api_url": api_url, "recorded_by": "btctrace synthetic"})

    def close(self) -> None:
        self._server.close()

    def get(self, method: str, uri: str) -> dict[str, Any] | None:
        parts = urlsplit(uri)
        status, body = self._server.answer(parts.path[len(self._server.prefix):], parts.query)
        text, content_type = (body, "text/plain") if isinstance(body, str) else \
            (json.dumps(body, separators=(",", ":")), "application/json")
        item = {
            "request": {"method": method, "uri": normalise_uri(uri), "body": None, "headers": {}},
            "response": {"status": {"code": status, "message": "OK" if status == 200 else "Error"},
                         "headers": {"Content-Type": [content_type]}, "body": {"string": text},
                         "fetched_at": "2026-01-01T00:00:00Z"},
        }
        self.recorded.add_interaction(item)
        return item
