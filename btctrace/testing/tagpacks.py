"""Synthetic GraphSense TagPacks the size of the public collection, for the store benchmark.

The public ``graphsense-tagpacks`` (2026-05) hold about 499,000 BTC tags, 336,000 of them in
seven ``exchange-wallets-bitmex_*`` packs (one header, then ``- address: …`` lines), then
sextortion (58,600 + 12,527), miners (37,439), Samourai CoinJoin (36,548) and ransomware packs
with per-tag labels. This writes packs of the same shapes and sizes with made-up addresses
(random hashes, encoded with valid checksums: every import checks each address), so the
benchmark needs nothing from outside. SYNTHETIC: no real attribution.
"""

from __future__ import annotations

import random
from pathlib import Path

from btctrace.testing.builder import encode_address

__all__ = ["PACK_SHAPES", "write_synthetic_tagpacks"]

# name, tags, header fields, per-tag label choices (empty: the header's label)
PACK_SHAPES: list[tuple[str, int, dict[str, str], list[str]]] = [
    *[(f"exchange-wallets-synthetic_{n}", 48_000, {"label": "synthetic exchange wallet", "category": "exchange",
                                                   "actor": "synthetic-exchange", "confidence": "service_data"}, [])
      for n in range(7)],
    ("sextortion-synthetic-a", 58_600, {"label": "Sextortion Spam", "abuse": "sextortion", "confidence": "forensic"}, []),
    ("sextortion-synthetic-b", 12_527, {"label": "Sextortion Spam", "abuse": "sextortion", "confidence": "forensic"}, []),
    ("miners-synthetic", 37_439, {"category": "miner", "confidence": "forensic"}, ["pool A", "pool B", "pool C"]),
    ("coinjoin-synthetic", 36_548, {"label": "Samourai Whirlpool (synthetic)", "category": "coinjoin",
                                    "confidence": "forensic"}, []),
    ("ransomware-synthetic", 14_635, {"abuse": "ransomware", "confidence": "forensic"},
     ["Locky", "Cerber", "Netwalker (Mailto)", "Conti", "Ryuk", "WannaCry"]),
]


def _address(rng: random.Random) -> str:
    kind = rng.random()
    script_type = "p2sh" if kind < 0.45 else "p2pkh" if kind < 0.75 else "p2wpkh"
    return encode_address(script_type, rng.randbytes(20))


def write_synthetic_tagpacks(folder: Path, seed: int = 1, scale: float = 1.0) -> tuple[int, list[str]]:
    """Write the packs of :data:`PACK_SHAPES` (sizes times *scale*) into *folder*; returns the
    number of tags and a sample of the addresses written (every 50th)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total, sample = 0, []
    for name, count, header, labels in PACK_SHAPES:
        count = max(1, int(count * scale))
        lines = [f"title: {name} (SYNTHETIC)", "creator: btctrace benchmark", "currency: BTC", "lastmod: 2024-01-01",
                 "source: https://example.org/synthetic", *(f"{k}: {v}" for k, v in header.items()), "tags:"]
        for n in range(count):
            address = _address(rng)
            lines.append(f"- address: '{address}'")
            if labels:
                lines.append(f"  label: {labels[n % len(labels)]}")
            if n % 50 == 0:
                sample.append(address)
        (folder / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += count
    return total, sample
