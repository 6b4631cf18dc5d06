"""The investigation store: importing the size of the public GraphSense TagPacks, and looking up
10,000 addresses, on SQLite and (where PostgreSQL is installed) on a real PostgreSQL server the
benchmark starts itself.

    python benchmarks/store.py                  # ~499,000 synthetic tags (PACK_SHAPES), 10,000 lookups
    python benchmarks/store.py --real ../shared/data/graphsense-tagpacks

Targets (issue 16): import about 500,000 BTC tags in under 60 s; look up 10,000 addresses in
under 0.2 s. The packs are written by btctrace.testing.tagpacks (SYNTHETIC, same shapes and
sizes as the public collection); ``--real`` imports a real checkout instead.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from btctrace.store import open_store
from btctrace.testing.postgres import PostgresServer, postgres_binaries
from btctrace.testing.tagpacks import write_synthetic_tagpacks


def _measure(location: str, packs: Path, sample: list[str], label: str) -> None:
    store = open_store(location)
    try:
        started = time.perf_counter()
        outcomes = store.import_file("tagpack", packs)
        imported = time.perf_counter() - started
        tags = sum(o.source.tags for o in outcomes)
        rng = random.Random(3)
        wanted = rng.sample(sample, min(5_000, len(sample)))
        wanted += [f"1Absent{n:027d}" for n in range(10_000 - len(wanted))]  # half not in the store
        rng.shuffle(wanted)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            found = store.lookup(wanted)
            timings.append(time.perf_counter() - started)
        print(f"{label:>10}: imported {tags:,} tags from {len(outcomes)} files in {imported:.1f} s "
              f"({tags / imported:,.0f} tags/s); looked up {len(wanted):,} addresses ({len(found):,} found) in "
              f"{min(timings) * 1000:.0f} ms best / {sorted(timings)[2] * 1000:.0f} ms median of 5")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", type=Path, help="import this TagPack folder instead of the synthetic packs")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the synthetic packs (1.0: ~499,000 tags)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        packs = Path(folder) / "packs"
        if args.real:
            from btctrace.tags import load_tagpacks

            packs, sample = args.real, sorted(load_tagpacks([args.real]).by_address)[::5]
        else:
            started = time.perf_counter()
            total, sample = write_synthetic_tagpacks(packs, scale=args.scale)
            print(f"wrote {total:,} synthetic tags in {time.perf_counter() - started:.1f} s")
        _measure(str(Path(folder) / "store.sqlite"), packs, sample, "SQLite")
        if postgres_binaries() is None:
            print("PostgreSQL: not installed (apt-get install postgresql): skipped")
            return
        with PostgresServer() as server:
            _measure(server.create_database("bench"), packs, sample, "PostgreSQL")


if __name__ == "__main__":
    main()
