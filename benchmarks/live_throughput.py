"""Live throughput over several rate-limited explorers (issue 18: explorers used in parallel).

    python benchmarks/live_throughput.py                       # 1,500 transactions, 3 explorers
    python benchmarks/live_throughput.py --size 3000 --limits 20 35 50 --workers 4

Starts one loopback Esplora server per limit, each enforcing a token bucket of that many
requests a second (burst 5, answered 429 beyond it, without ``Retry-After`` as Blockstream, or
with ``--retry-after S``),
and records a forward trace of a synthetic case through all of them with ``--api-url`` given
once per server. Prints, per explorer: the limit, requests accepted and refused (429), the rate
btctrace had learnt at the end; and in total: achieved throughput (accepted requests / the time
from the first to the last request) as a share of the summed limits, the share of requests
answered 429, and whether nothing was lost: the same trace is recorded from one unlimited
server, and the two ``trace.json`` (request count included) and the cassettes' requests and
answers (times and ``served_by`` aside) must be identical.

Targets (issue 18): throughput >= 85 % of the summed limits, < 2 % of requests answered 429.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from btctrace.runner import TraceJob, run_trace
from btctrace.testing.server import EsploraServer, TokenBucket
from btctrace.testing.synthetic import make_synthetic_case
from btctrace.tracing.result import Seed, TraceLimits

LIMITS = TraceLimits(hops=100_000, max_transactions=1_000_000)


def _job(seed: str, folder: Path, name: str, urls: list[str], workers: int) -> TraceJob:
    return TraceJob(seeds=(Seed("address", seed),), out_dir=folder / name, limits=LIMITS, api_url=urls[0],
                    fallback_urls=tuple(urls[1:]), record=folder / f"{name}.json", workers=workers, no_store=True,
                    force=True)


def _answers(cassette: Path) -> list[tuple[str, int, str]]:
    """The cassette's requests and answers, without the fetch times and who served them."""
    items = json.loads(cassette.read_text())["interactions"]
    return [(i["request"]["uri"], i["response"]["status"]["code"], i["response"]["body"]["string"]) for i in items]


def _trace_json(folder: Path) -> dict:
    document = json.loads((folder / "trace.json").read_text())
    document.pop("provenance", None)
    return document


def measure(size: int, limits: list[float], workers: int, burst: float, retry_after: str | None = None) -> dict:
    case = make_synthetic_case(size)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        servers = [EsploraServer(case.store) for _ in limits]
        for server, limit in zip(servers, limits):
            server.bucket = TokenBucket(limit, burst, retry_after)
        for server in servers:
            server.__enter__()
        try:
            started = time.perf_counter()
            outcome = run_trace(_job(case.ransom_address, folder, "spread", [s.api_url for s in servers], workers))
            wall = time.perf_counter() - started
        finally:
            for server in servers:
                server.__exit__(None, None, None)
        with EsploraServer(case.store) as alone:
            reference = [s.api_url for s in servers][:1]
            alone_url = alone.api_url
            run_trace(_job(case.ransom_address, folder, "alone", [alone_url], workers))
        spread_answers = [(uri.replace(reference[0], "X"), code, body) for uri, code, body in
                          _answers(folder / "spread.json")]
        alone_answers = [(uri.replace(alone_url, "X"), code, body) for uri, code, body in _answers(folder / "alone.json")]
        spread_trace = json.dumps(_trace_json(folder / "spread")).replace(reference[0], "X")
        alone_trace = json.dumps(_trace_json(folder / "alone")).replace(alone_url, "X")
        return _figures(servers, limits, outcome, wall, spread_answers == alone_answers, spread_trace == alone_trace)


def _figures(servers: list[EsploraServer], limits: list[float], outcome, wall: float, same_cassette: bool,
             same_trace: bool) -> dict:
    accepted = sum(s.bucket.accepted for s in servers)
    refused = sum(s.bucket.refused for s in servers)
    span = max(s.bucket.last_at for s in servers) - min(s.bucket.first_at for s in servers)
    rates = outcome.explorers["rates"]
    return {
        "transactions": len(outcome.result.txs), "wall_s": round(wall, 2), "span_s": round(span, 2),
        "accepted": accepted, "refused_429": refused, "share_429": refused / max(1, accepted + refused),
        "throughput": accepted / span, "summed_limits": sum(limits),
        "share_of_limits": accepted / span / sum(limits), "same_cassette": same_cassette, "same_trace": same_trace,
        "explorers": [{"limit": limit, "accepted": s.bucket.accepted, "refused_429": s.bucket.refused,
                       "learnt_rate": rates[s.api_url]["rate"]} for s, limit in zip(servers, limits)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1500, help="transactions in the synthetic case")
    parser.add_argument("--limits", type=float, nargs="+", default=[20.0, 35.0, 50.0],
                        help="requests a second each server accepts")
    parser.add_argument("--burst", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--retry-after", help="seconds the servers name in Retry-After (default: none sent)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(args.size, args.limits, args.workers, args.burst, args.retry_after)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{figures['transactions']:,} transactions over {len(args.limits)} explorers, {args.workers} workers")
    for explorer in figures["explorers"]:
        print(f"  limit {explorer['limit']:6.1f}/s: accepted {explorer['accepted']:6,}, 429 {explorer['refused_429']:4,}, "
              f"learnt rate at the end {explorer['learnt_rate']}/s")
    print(f"  throughput {figures['throughput']:.1f}/s = {100 * figures['share_of_limits']:.1f} % of the summed "
          f"limits {figures['summed_limits']:.0f}/s (target >= 85 %) over {figures['span_s']} s")
    print(f"  answered 429: {100 * figures['share_429']:.2f} % of {figures['accepted'] + figures['refused_429']:,} "
          f"requests (target < 2 %)")
    print(f"  nothing lost: trace.json identical to a one-explorer run: {figures['same_trace']}; "
          f"cassette requests and answers identical: {figures['same_cassette']}")
    ok = figures["share_of_limits"] >= 0.85 and figures["share_429"] < 0.02 and figures["same_trace"] \
        and figures["same_cassette"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
