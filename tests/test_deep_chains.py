"""Deep peel chains (issue 31): a 2,000-hop chain gives bounded, readable exhibits that still
hold every hop and reconcile to the satoshi; a 5,000-hop chain records from a real HTTP server
on loopback, replays offline and verifies byte for byte."""

import csv
import json
import re

import pytest

from btctrace.runner import TraceJob, run_trace
from btctrace.testing.server import EsploraServer
from btctrace.testing.synthetic import make_peel_chain_case, record_synthetic
from btctrace.tracing.result import Seed, TraceLimits
from btctrace.verify import verify_outputs


def _limits(size: int) -> TraceLimits:
    return TraceLimits(hops=100_000, max_transactions=size * 2)


@pytest.fixture(scope="module")
def two_thousand(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deep")
    case = make_peel_chain_case(2_000)
    seeds = (Seed("address", case.ransom_address),)
    cassette = record_synthetic(case.store, folder / "deep.json", seeds, _limits(2_000))
    outcome = run_trace(TraceJob(seeds, folder / "out", limits=_limits(2_000), offline=cassette, no_store=True))
    return outcome, folder / "out"


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_2000_hop_chain_gives_exhibits_a_reader_can_hold(two_thousand):
    outcome, out = two_thousand
    assert len(outcome.result.txs) == 2_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", (out / "flow.pdf").read_bytes()))
    assert 1 <= pages <= 20
    assert (out / "report.html").stat().st_size <= 5_000_000
    assert (out / "explorer.html").stat().st_size <= 10_000_000
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "every hop of each, with its peel and the change passed on, is in peel_chains.csv" in report
    assert "more places" in report, "the endpoints beyond the largest are summed in one row"
    assert "The 100 largest stops (every one is in stops.csv)" in report
    assert "The money passed down 1 peel chain" in report, "page 1 says what the chain shows"
    assert len(_rows(out / "stops.csv")) == len(outcome.result.stops) > 1_990


def test_every_hop_is_in_the_tables_and_the_figures_reconcile(two_thousand):
    outcome, out = two_thousand
    hops = _rows(out / "peel_chains.csv")
    assert {row["chain"] for row in hops} == {"1"} and len(hops) >= 1_990, "one chain, every hop a row"
    assert [int(row["step"]) for row in hops] == list(range(1, len(hops) + 1))
    transfers = {row["txid"] for row in _rows(out / "transfers.csv")}
    assert transfers == set(outcome.result.txs), "every transaction, each hop of the chain included"
    first = outcome.result.txs[hops[0]["txid"]].tx
    fees = sum(outcome.result.txs[row["txid"]].tx.fee for row in hops)
    peeled = sum(int(row["peel_sats"]) for row in hops)
    assert peeled + int(hops[-1]["continuation_sats"]) + fees == sum(i.value for i in first.inputs)
    methods = json.loads((out / "trace.json").read_text())["taint"]["methods"]
    assert all(totals["balanced"] for totals in methods.values())


def test_a_5000_hop_chain_records_replays_and_verifies(tmp_path):
    case = make_peel_chain_case(5_000)
    seeds = (Seed("address", case.ransom_address),)
    with EsploraServer(case.store) as server:
        recorded = run_trace(TraceJob(seeds, tmp_path / "out", limits=_limits(5_000), api_url=server.api_url,
                                      record=tmp_path / "deep.json", no_store=True))
    assert len(recorded.result.txs) == 5_000
    assert {row["chain"] for row in _rows(tmp_path / "out" / "peel_chains.csv")} == {"1"}
    replayed = run_trace(TraceJob(seeds, tmp_path / "again", limits=_limits(5_000), offline=tmp_path / "deep.json",
                                  no_store=True))
    for name in ("trace.json", "peel_chains.csv", "flow.svg", "transfers.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes(), name
    assert len(replayed.result.txs) == 5_000
    report = verify_outputs(tmp_path / "out")
    assert report.ok, [check for check in report.checks if not check.ok]
