"""Regenerate the demo case: ``python -m btctrace.testing.make_demo [PROJECT_ROOT]``.

Builds the seeded synthetic chain, serves it on a loopback Esplora server, and records a real
``btctrace`` trace against it, so the committed cassette comes from the record path itself.
Writes ``cases/demo-ransom.toml``, ``cases/demo-tags.yaml`` and ``cassettes/demo-ransom.json``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from btctrace.job import TraceJob
from btctrace.runner import run_trace
from btctrace.testing.demo import DemoScenario, demo_tagpack_yaml, make_demo
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import Seed, TraceLimits

__all__ = ["DEMO_PORT", "DEMO_CASE_ID", "DEMO_HOPS", "write_demo_case", "case_toml"]

DEMO_PORT = 50_010
DEMO_CASE_ID = "demo-ransom"
DEMO_HOPS = 20
DEMO_MAX_TXS = 500


def case_toml(scenario: DemoScenario, api_url: str) -> str:
    victims = "".join(f'\n    "{txid}",' for txid in sorted({coin.txid for coin in scenario.ransom_payments}))
    return f'''# SYNTHETIC demo case, written by `python -m btctrace.testing.make_demo`. Do not edit by hand.
# The chain, addresses and labels are made up by btctrace's seeded generator: no real payments.

[case]
id = "{DEMO_CASE_ID}"
title = "DemoLocker ransom (synthetic)"
kind = "ransomware"
synthetic = true
description = """Four victims pay a ransom address over six days; the operator consolidates, \\
splits 85/15 between affiliate and developer, the affiliate peels 12 times into a tagged exchange, \\
the developer sends part through a CoinJoin-shaped transaction, and some coins stay unspent."""
# What the (synthetic) investigation knows beyond the chain: the victims' payments, and who
# holds the ransom address. The exhibits mark these roles as the case file's, never the chain's.
victims = [{victims}
]
seed_owner = "the DemoLocker operator (synthetic: the demo generator's own scenario)"

[trace]
seeds = ["{scenario.ransom_address}"]
direction = "forward"
hops = {DEMO_HOPS}
max_transactions = {DEMO_MAX_TXS}
large_address_tx_count = 1000

[provider]
# Where the cassette was recorded: a loopback Esplora server serving the synthetic chain.
api_url = "{api_url}"
cassette = "../cassettes/{DEMO_CASE_ID}.json"

[tags]
paths = ["demo-tags.yaml"]
'''


def write_demo_case(root: Path, port: int = DEMO_PORT) -> DemoScenario:
    """Write the demo case, tags and a freshly recorded cassette under *root*."""
    scenario = make_demo()
    cases, cassettes = root / "cases", root / "cassettes"
    cases.mkdir(parents=True, exist_ok=True)
    cassettes.mkdir(parents=True, exist_ok=True)
    tags = cases / "demo-tags.yaml"
    tags.write_text(demo_tagpack_yaml(scenario), encoding="utf-8")
    with EsploraServer(scenario.store, port=port) as server, tempfile.TemporaryDirectory() as scratch:
        (cases / f"{DEMO_CASE_ID}.toml").write_text(case_toml(scenario, server.api_url), encoding="utf-8")
        run_trace(TraceJob(
            seeds=(Seed("address", scenario.ransom_address),), out_dir=Path(scratch), api_url=server.api_url,
            limits=TraceLimits(hops=DEMO_HOPS, max_transactions=DEMO_MAX_TXS), tag_paths=(tags,),
            record=cassettes / f"{DEMO_CASE_ID}.json",
            no_store=True,  # the generator's output never depends on the user's store
        ))
    return scenario


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    made = write_demo_case(target)
    print(f"demo case written under {target} (ransom address {made.ransom_address})")
