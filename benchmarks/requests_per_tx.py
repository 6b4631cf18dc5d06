"""Explorer requests per traced transaction, against baselines measured in the same run.

    python benchmarks/requests_per_tx.py                  # demo case + 10,000-tx synthetic case
    python benchmarks/requests_per_tx.py --size 2000

For each case a forward trace runs twice: with btctrace's request pattern (an address's counts
from its first history page, which also holds the spending transaction) and with the
stats-lookup pattern of earlier btctrace versions (``/address/:a`` plus ``/tx/:txid`` per hop),
the baseline. The demo case goes over HTTP to the loopback Esplora server; the synthetic case is
answered in-process (:class:`StoreCassette`). Printed: transactions traced, requests, requests
per transaction (Esplora's physical floor is two: ``/tx`` and ``/tx/:txid/outspends``) and
repeated requests (target: none); then what proving the trace adds (issue 29): a header per
block and a Merkle proof per finding's transaction, and with ``--prove-all`` a proof for each.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from btctrace.cache.cassettes import ReplayAdapter
from btctrace.case import load_case
from btctrace.providers.esplora.mapping import address_stats_from_json
from btctrace.providers.esplora.provider import EsploraProvider, _mapped
from btctrace.providers.http import HttpFetcher, make_session
from btctrace.tags import TagIndex, load_tagpacks
from btctrace.testing.demo import make_demo
from btctrace.testing.server import EsploraServer
from btctrace.testing.synthetic import SYNTHETIC_API_URL, StoreCassette, make_synthetic_case
from btctrace.tracing.proving import prove_trace
from btctrace.tracing.result import Direction, Seed, TraceLimits
from btctrace.tracing.walk import walk

PROJECT = Path(__file__).resolve().parents[1]


class StatsLookupProvider(EsploraProvider):
    """The baseline: counts from ``/address/:a`` for every address followed."""

    def get_address_stats(self, address):
        url = f"{self.api_url}/address/{address}"
        return _mapped(url, address_stats_from_json, self.client.address(address))


def _trace(provider_class, api_url, session, seeds, limits, tags, asked):
    """(transactions, walk requests, repeated, proof requests for the findings, for all)."""
    fetcher = HttpFetcher(session)
    provider = provider_class(api_url, fetcher)
    result = walk(provider, seeds, Direction.FORWARD, limits, tags=tags, workers=1)
    urls = asked()
    repeated = sum(count - 1 for count in Counter(urls).values())
    walked = len(urls)
    prove_trace(provider, result)  # headers of every block, Merkle proofs of the findings'
    findings = len(asked()) - walked
    prove_trace(provider, result, all_txs=True)  # the further Merkle proofs of --prove-all
    return len(result.txs), walked, repeated, findings, len(asked()) - walked


def demo_rows():
    case = load_case(PROJECT / "cases" / "demo-ransom.toml")
    tags = load_tagpacks(list(case.tag_paths))
    rows = []
    with EsploraServer(make_demo().store) as server:
        for name, cls in (("btctrace", EsploraProvider), ("baseline: stats look-ups", StatsLookupProvider)):
            server.requests.clear()
            rows.append(("demo", name, *_trace(cls, server.api_url, make_session(), case.seeds, case.limits, tags,
                                               lambda: list(server.requests))))
    return rows


def synthetic_rows(size: int):
    case = make_synthetic_case(size)
    limits = TraceLimits(hops=10_000, max_transactions=size * 2)
    seeds = (Seed("address", case.ransom_address),)
    rows = []
    for name, cls in (("btctrace", EsploraProvider), ("baseline: stats look-ups", StatsLookupProvider)):
        store = StoreCassette(case.store, Path(tempfile.gettempdir()) / "synthetic.json")
        asked: list[str] = []
        original = store.get

        def get(method, uri, original=original, asked=asked):
            asked.append(uri)
            return original(method, uri)

        store.get = get
        session = make_session(ReplayAdapter(store), trust_env=False)
        rows.append((f"synthetic {case.transactions:,}", name,
                     *_trace(cls, SYNTHETIC_API_URL, session, seeds, limits, TagIndex(), lambda: asked)))
        store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="transactions in the synthetic case")
    args = parser.parse_args()
    rows = demo_rows() + synthetic_rows(args.size)
    print(f"{'case':<18} {'pattern':<26} {'txs':>7} {'requests':>9} {'per tx':>7} {'repeated':>8} "
          f"{'+ proofs':>9} {'per tx':>7} {'+ all':>7} {'per tx':>7}")
    for case, name, txs, requests, repeated, findings, every in rows:
        print(f"{case:<18} {name:<26} {txs:>7,} {requests:>9,} {requests / max(txs, 1):>7.3f} {repeated:>8} "
              f"{findings:>9,} {findings / max(txs, 1):>7.3f} {every:>7,} {every / max(txs, 1):>7.3f}")


if __name__ == "__main__":
    main()
