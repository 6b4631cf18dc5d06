"""Proving a finished trace: on the demo every block header is proven and each finding's
transaction by Merkle proof; an explorer (the real Colonial Pipeline answers, which come with no
headers) that serves none leaves the run going with every transaction named unproven, and
--require-proofs refuses it; a header whose time is not the one the transactions were given is
refused."""

import copy
import json

import pytest

from btctrace.errors import AnswerRefused, ProofsMissing
from btctrace.runner import TraceJob, run_trace, trace_and_analyse
from btctrace.testing.server import EsploraServer, Fault
from btctrace.tracing.proving import findings_txids, proof_line
from btctrace.tracing.result import Seed, TraceLimits
from tests.conftest import FAST_RETRY
from tests.test_real_colonial import RANSOM_ADDRESS, colonial_server  # noqa: F401 (a fixture)


def _job(demo, server, **kwargs):
    return TraceJob(seeds=(Seed("address", demo.ransom_address),), out_dir=None, limits=TraceLimits(hops=20),
                    api_url=server.api_url, retry=FAST_RETRY, **kwargs)


def test_the_demo_is_proven(demo):
    with EsploraServer(demo.store) as server:
        traced = trace_and_analyse(_job(demo, server))
        record = traced.result.proofs
        assert set(record.blocks.values()) == {"proven"}
        assert len(record.blocks) == len({t.tx.status.block_hash for t in traced.result.txs.values()})
        wanted = findings_txids(traced.result)
        assert {t for t, how in record.txs.items() if how == "merkle"} == wanted
        assert set(record.txs.values()) <= {"merkle", "header"} and record.unproven() == []
        checks = {c["check"]: c["passed"] for c in traced.result.checks["checks"]}
        assert checks["header_proven"] == len(record.blocks) and checks["merkle_proven"] == len(wanted)
        all_traced = trace_and_analyse(_job(demo, server, prove_all=True)).result.proofs
        assert set(all_traced.txs.values()) == {"merkle"}


def test_an_explorer_without_proofs_leaves_them_unproven_or_is_refused_when_required(demo):
    with EsploraServer(demo.store) as server:
        server.serves_proofs = False
        record = trace_and_analyse(_job(demo, server)).result.proofs
        assert set(record.blocks.values()) == {"not served"} and len(record.unproven()) == len(record.txs)
        assert proof_line(record).startswith("Proofs INCOMPLETE:") and "unproven: the explorer serves no block headers" in proof_line(record)
        with pytest.raises(ProofsMissing) as raised:
            trace_and_analyse(_job(demo, server, require_proofs=True))
        assert "--require-proofs" in raised.value.hint and "\n" not in raised.value.user_message


def test_a_header_of_another_time_is_refused(demo):
    def later(path, body):
        lied = copy.deepcopy(body)
        for tx in lied if isinstance(lied, list) else [lied]:
            if isinstance(tx, dict) and isinstance(tx.get("status"), dict) and tx["status"].get("block_time"):
                tx["status"]["block_time"] += 600
        return lied

    with EsploraServer(demo.store) as server:
        server.faults.append(Fault(r"^/api/(tx|address)/", action="rewrite", rewrite=later, times=10**9))
        with pytest.raises(AnswerRefused) as raised:
            trace_and_analyse(_job(demo, server))
    assert raised.value.check == "block_time_proven" and "/header" in raised.value.url


def test_the_real_colonial_trace_names_its_transactions_unproven(colonial_server, tmp_path):  # noqa: F811
    outcome = run_trace(TraceJob(seeds=(Seed("address", RANSOM_ADDRESS),), out_dir=tmp_path,
                                 api_url=colonial_server.api_url, limits=TraceLimits(hops=6)))
    record = outcome.result.proofs
    assert record.unproven() == sorted(outcome.result.txs) and record.unavailable
    report = (tmp_path / "report.html").read_text()
    assert "unproven" in report and all(txid in report for txid in record.unproven())

    proofs = json.loads((tmp_path / "trace.json").read_text())["proofs"]
    assert proofs["counts"]["unproven"] == len(outcome.result.txs)


def test_a_block_holding_several_findings_is_proven_by_its_txid_list_in_one_request():
    from btctrace.testing.synthetic import make_synthetic_case
    from btctrace.tracing.proving import BLOCK_LIST_AT

    case = make_synthetic_case(300)
    with EsploraServer(case.store) as server:
        job = TraceJob(seeds=(Seed("address", case.ransom_address),), out_dir=None, api_url=server.api_url,
                       limits=TraceLimits(hops=10_000, max_transactions=600), retry=FAST_RETRY)
        asked = len(server.requests)
        record = trace_and_analyse(job).result.proofs
        lists = [p for p in server.requests[asked:] if p.endswith("/txids")]
        branches = [p for p in server.requests[asked:] if p.endswith("/merkle-proof")]
        by_block = {}
        for txid, how in record.txs.items():
            by_block.setdefault(case.store.tx(txid)["status"]["block_hash"], []).append(how)
        crowded = [b for b, hows in by_block.items() if len(hows) >= BLOCK_LIST_AT]
        assert crowded and len(lists) == len(crowded) and set(record.txs.values()) == {"merkle"}
        assert len(branches) == sum(len(h) for b, h in by_block.items() if b not in crowded)

        def drop_one(path, body):
            return body[:-1] if path.endswith("/txids") else body  # the list no longer adds up to the root

        server.faults.append(Fault(r"/txids$", action="rewrite", rewrite=drop_one, times=10**9))
        with pytest.raises(AnswerRefused) as raised:
            trace_and_analyse(job)
        assert raised.value.check == "merkle_proven" and "Merkle root" in raised.value.message


def test_a_transaction_only_on_the_way_to_a_limit_is_proven_by_its_header_alone(demo):
    """Cut at three hops, the branches that end at the hop limit are no finding: their blocks'
    headers are checked, no Merkle proof is asked for them; --prove-all asks one."""
    with EsploraServer(demo.store) as server:
        job = _job(demo, server)
        short = TraceJob(**{**job.__dict__, "limits": TraceLimits(hops=3)})
        result = trace_and_analyse(short).result
        header_only = {t for t, how in result.proofs.txs.items() if how == "header"}
        assert header_only and header_only == set(result.txs) - findings_txids(result)
        for txid in header_only:
            assert all(s.reason.value == "hop_limit" for s in result.stops if s.txid == txid)
        assert "--prove-all asks a proof for each" in proof_line(result.proofs)


def test_a_cassette_recorded_before_proofs_replays_naming_every_transaction_unproven(tmp_path):
    """The demo cassette without its headers, txid lists, Merkle proofs and the prices of the
    days around each price (what a cassette recorded by an earlier btctrace holds): the replay
    runs, every exhibit says why nothing is proven, --require-proofs refuses it."""
    from tests.conftest import PROJECT_ROOT
    from btctrace.case import load_case

    demo_case = load_case(PROJECT_ROOT / "cases" / "demo-ransom.toml")
    data = json.loads(demo_case.cassette.read_text())
    asked_for_hours = [i for i in data["interactions"] if "historical-price" in i["request"]["uri"]
                       and int(i["request"]["uri"].rsplit("=", 1)[1]) % 86_400 != 0]
    data["interactions"] = [i for i in data["interactions"] if not any(
        part in i["request"]["uri"] for part in ("/header", "/txids", "/merkle-proof", "historical-price"))]
    data["interactions"] += asked_for_hours
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data))
    job = TraceJob(seeds=demo_case.seeds, out_dir=tmp_path / "out", limits=demo_case.limits, offline=older,
                   tag_paths=demo_case.tag_paths)
    outcome = run_trace(job)
    record = outcome.result.proofs
    assert record.unproven() == sorted(outcome.result.txs) and record.requests == 1  # one miss says it for all
    assert record.unavailable == "not in the cassette (recorded before btctrace asked for them)"
    valuation = json.loads((tmp_path / "out" / "trace.json").read_text())["valuation"]
    assert len(valuation["unchecked_hours_utc"]) == len(valuation["usd_per_btc"]) > 0
    import re

    texts = " ".join(re.findall(r"<!-- (.*?) -->", (tmp_path / "out" / "flow.svg").read_text()))  # the SVG's texts
    assert "UNPROVEN: 22 of 22" in texts, "in the title (wrapped over two lines)"
    with pytest.raises(ProofsMissing):
        trace_and_analyse(TraceJob(**{**job.__dict__, "require_proofs": True, "out_dir": tmp_path / "again"}))


def test_the_committed_demo_cassette_proves_every_transaction(tmp_path):
    from btctrace.case import load_case
    from tests.conftest import PROJECT_ROOT

    case = load_case(PROJECT_ROOT / "cases" / "demo-ransom.toml")
    traced = trace_and_analyse(TraceJob(seeds=case.seeds, out_dir=tmp_path, limits=case.limits, offline=case.cassette,
                                        tag_paths=case.tag_paths))
    record = traced.result.proofs
    assert record.unavailable == "" and set(record.txs.values()) == {"merkle"}
    assert record.requests == len(record.blocks) + len(record.txs) == 44  # one transaction a block
