"""Replay speed: stock vcrpy against btctrace's replay adapter, measured in the same run.

    python benchmarks/replay.py                 # 1,000 / 5,000 / 20,000 interactions
    python benchmarks/replay.py --vcrpy-max 1000 --runs 3

Builds cassettes of synthetic GET /tx/<txid> interactions (~1.8 kB JSON bodies, like the
measurements in formats-and-tools.md §3.3), then replays every request once through one
requests.Session: with ``vcr.use_cassette(record_mode="none")`` and with btctrace's
ReplayAdapter. Times include loading the cassette. Prints medians of --runs runs and the ratio.
vcrpy replay is quadratic, so it is only run up to --vcrpy-max interactions (default 5,000;
one run above 1,000) and larger sizes are shown as extrapolated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from pathlib import Path

import requests

from btctrace.cache.cassettes import Cassette, ReplayAdapter
from btctrace.providers.http import make_session

BASE = "https://example.invalid/api"


def make_cassette(count: int, path: Path) -> list[str]:
    interactions, urls = [], []
    for i in range(count):
        txid = hashlib.sha256(str(i).encode()).hexdigest()
        url = f"{BASE}/tx/{txid}"
        vin = [{"txid": hashlib.sha256(f"{i}-{j}".encode()).hexdigest(), "vout": j, "sequence": 4294967293,
                "prevout": {"scriptpubkey": "0014" + txid[:40], "scriptpubkey_type": "v0_p2wpkh", "value": 10_000 + j},
                "witness": [txid * 2, txid[:66]]} for j in range(2)]
        body = json.dumps({"txid": txid, "version": 2, "locktime": 0, "vin": vin,
                           "vout": [{"scriptpubkey": "0014" + txid[:40], "value": 5_000}], "size": 222,
                           "weight": 561, "fee": 1_000, "status": {"confirmed": True, "block_height": 800_000 + i}})
        interactions.append({
            "request": {"method": "GET", "uri": url, "body": None, "headers": {}},
            "response": {"status": {"code": 200, "message": "OK"}, "headers": {"Content-Type": ["application/json"]},
                         "body": {"string": body}},
        })
        urls.append(url)
    path.write_text(json.dumps({"version": 1, "interactions": interactions}, indent=4))
    return urls


def replay_btctrace(path: Path, urls: list[str]) -> float:
    start = time.perf_counter()
    session = make_session(ReplayAdapter(Cassette.load(path)), trust_env=False)  # as btctrace replays
    for url in urls:
        assert session.get(url).status_code == 200
    return time.perf_counter() - start


def replay_vcrpy(path: Path, urls: list[str]) -> float:
    import vcr

    start = time.perf_counter()
    with vcr.use_cassette(str(path), serializer="json", record_mode="none", allow_playback_repeats=True):
        session = requests.Session()
        for url in urls:
            assert session.get(url).status_code == 200
    return time.perf_counter() - start


def median_of(runs: int, measure, *args) -> tuple[float, list[float]]:
    times = [measure(*args) for _ in range(runs)]
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (vcrpy above 1,000: 1)")
    parser.add_argument("--vcrpy-max", type=int, default=5_000)
    args = parser.parse_args()
    print(f"{'interactions':>12} {'btctrace s':>11} {'µs/request':>11} {'vcrpy s':>10} {'ratio':>8}  runs")
    vcrpy_fit: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"c{size}.json"
            urls = make_cassette(size, path)
            ours, our_runs = median_of(args.runs, replay_btctrace, path, urls)
            if size <= args.vcrpy_max:
                theirs, their_runs = median_of(args.runs if size <= 1_000 else 1, replay_vcrpy, path, urls)
                vcrpy_fit = (size, theirs)
                shown = f"{theirs:>10.2f} {theirs / ours:>7.0f}x"
            else:
                base_size, base_time = vcrpy_fit or (1, 0.0)
                estimate = base_time * (size / base_size) ** 2
                their_runs = []
                shown = f"{'~' + format(estimate, '.0f'):>10} {'~' + format(estimate / ours, '.0f'):>7}x"
            print(f"{size:>12,} {ours:>11.3f} {ours / size * 1e6:>11.0f} {shown}  "
                  f"btctrace {['%.3f' % t for t in our_runs]} vcrpy {['%.2f' % t for t in their_runs]}", flush=True)
    print("(~ = extrapolated from the largest vcrpy run, assuming quadratic growth)")


if __name__ == "__main__":
    main()
