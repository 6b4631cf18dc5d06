"""Real-case check: the Colonial Pipeline ransom (May 2021), from real Blockstream Esplora
responses in ../shared/data/bih-validation-esplora (read at test time, never copied), served by
the loopback Esplora server with outspends derived only from the transactions present."""

import json

import pytest

from btctrace.runner import TraceJob, run_trace
from btctrace.testing.chain import ChainStore
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import Seed, StopReason, TraceLimits
from btctrace.units import format_utc

RANSOM_ADDRESS = "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"
ANCHOR = "bc1qq2euq8pw950klpjcawuy4uj39ym43hs6cfsegq"
FBI = "bc1qpx7vyv5tp7dm0g475ev527krg764t73dh77gls"
PAYMENT = "6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2"
FORWARD = "915fb4f0a030937f2c1d2210996e8eb32b5a41b331965c7ec78961923775bd62"


@pytest.fixture(scope="module")
def colonial_server():
    from tests.conftest import SHARED_DATA

    folder = SHARED_DATA / "bih-validation-esplora"
    if not folder.is_dir():
        pytest.skip("../shared/data/bih-validation-esplora is not present")
    store = ChainStore.from_files(sorted(folder.glob("colonial_*_txs.json")))
    for path in sorted(folder.glob("colonial_*_stats.json")):
        stats = json.loads(path.read_text())
        store.stats_override[stats["address"]] = stats
    with EsploraServer(store) as server:
        yield server


def trace(server, tmp_path, seed):
    job = TraceJob(seeds=(Seed("address", seed),), out_dir=tmp_path, api_url=server.api_url,
                   limits=TraceLimits(hops=6))
    return run_trace(job).result


def test_ransom_payment_and_its_forwarding(colonial_server, tmp_path):
    result = trace(colonial_server, tmp_path, RANSOM_ADDRESS)
    payment = result.txs[PAYMENT]
    assert payment.hop == 0
    assert payment.tx.outputs[3].address == RANSOM_ADDRESS and payment.tx.outputs[3].value == 7_500_030_000
    assert payment.tx.block_height == 682_599 and format_utc(payment.tx.block_time) == "2021-05-08T17:12:57Z"
    forward = result.txs[FORWARD]
    assert forward.hop == 1 and forward.tx.block_height == 682_603
    assert [(i.prev_txid, i.prev_vout) for i in forward.tx.inputs][1] == (PAYMENT, 3)
    assert {o.address: o.value for o in forward.tx.outputs} == {
        "1DToN8Q6y31TGAz75Df729Bnujk6Xg7q5X": 7_500_034_246,
        "bc1q7eqww9dmm9p48hx5yz5gcvmncu65w43wfytpsf": 1_693,
    }
    assert forward.tx.fee == forward.tx.input_value - forward.tx.output_value == 14_061
    # The files hold no spender of 915fb4f0's outputs, so both end as (recorded) holdings.
    unspent = {(s.txid, s.index) for s in result.stops if s.reason is StopReason.UNSPENT}
    assert unspent == {(FORWARD, 0), (FORWARD, 1)}


def test_anchor_consolidation_and_seizure(colonial_server, tmp_path):
    result = trace(colonial_server, tmp_path, ANCHOR)
    by_prefix = {txid[:8]: traced.tx for txid, traced in result.txs.items()}
    arrival = by_prefix["daf38c7b"]
    assert [o.value for o in arrival.outputs if o.address == ANCHOR] == [6_960_422_177]
    assert len(arrival.inputs) == 24 and arrival.fee == arrival.input_value - arrival.output_value == 989_322
    seizure = by_prefix["943f2d57"]
    assert [o.value for o in seizure.outputs if o.address == FBI] == [6_369_996_546]
    assert format_utc(seizure.block_time).startswith("2021-06-07")
    assert seizure.fee == seizure.input_value - seizure.output_value == 3_454
    assert by_prefix["280c5f96"].fee == 2_695
    assert by_prefix["6f8fcc22"].outputs[1].value == 6_369_984_900  # the government moves the seized coins


def test_taint_of_everything_the_ransom_address_received(colonial_server, tmp_path):
    from btctrace.tracing.accounting import taint_report

    report = taint_report(trace(colonial_server, tmp_path, RANSOM_ADDRESS))
    assert report.seeds == [("61689f0cc5960fea23e707e73cb6c8be033a11f851911a4455a390064c7b0915", 0), (PAYMENT, 3)]
    at = {row.place: row.sats for row in report.rows}
    for method in ("poison", "haircut", "fifo", "lifo"):
        assert at["1DToN8Q6y31TGAz75Df729Bnujk6Xg7q5X"][method] == 7_500_034_246
        assert at["bc1q7eqww9dmm9p48hx5yz5gcvmncu65w43wfytpsf"][method] == 1_693
        assert report.totals[method].fees == 14_061 and report.totals[method].balanced


def test_fifo_taint_of_the_ransom_output_alone(colonial_server, tmp_path):
    from btctrace.tracing.accounting import taint_report

    report = taint_report(trace(colonial_server, tmp_path, RANSOM_ADDRESS), seeds=[(PAYMENT, 3)])
    at = {row.place: row.sats for row in report.rows}
    assert at["1DToN8Q6y31TGAz75Df729Bnujk6Xg7q5X"]["fifo"] == 7_500_015_939
    assert "bc1q7eqww9dmm9p48hx5yz5gcvmncu65w43wfytpsf" not in at or at["bc1q7eqww9dmm9p48hx5yz5gcvmncu65w43wfytpsf"]["fifo"] == 0
    assert report.totals["fifo"].fees == 14_061
    assert report.totals["fifo"].seed == 7_500_030_000 and report.totals["fifo"].balanced
    assert report.totals["poison"].absorbed == 20_000  # the clean test payment swept in with it


def test_no_price_endpoint_means_n_a_and_one_wasted_request(colonial_server, tmp_path):
    import json

    job = TraceJob(seeds=(Seed("address", RANSOM_ADDRESS),), out_dir=tmp_path, api_url=colonial_server.api_url,
                   limits=TraceLimits(hops=6))
    run_trace(job)
    valuation = json.loads((tmp_path / "trace.json").read_text())["valuation"]
    assert valuation["requests"] == 1 and "no historical prices" in valuation["note"]
    assert (tmp_path / "link_table.csv").read_text().count(",n/a,") > 0
