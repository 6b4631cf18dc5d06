"""The evidence cache: which answers are final, how they are served and kept, and a 3-hop trace
of the demo chain extended to 6 hops asking the loopback explorer only for what is new."""

import json

import pytest

from btctrace.cache.cassettes import Cassette
from btctrace.runner import TraceJob, run_trace
from btctrace.store.evidence import EvidenceCache, final_height, resource_of
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import TraceLimits
from btctrace.tracing.seeds import parse_seed
from btctrace.verify import verify_outputs

TXID = "ab" * 32
SPENDER = "cd" * 32


def _tx(height, confirmed=True):
    return {"txid": TXID, "status": {"confirmed": confirmed, "block_height": height} if confirmed else
            {"confirmed": False}}


def _outspend(spent=True, height=100):
    if not spent:
        return {"spent": False}
    return {"spent": True, "txid": SPENDER, "vin": 0, "status": {"confirmed": height is not None,
                                                                  **({"block_height": height} if height else {})}}


def test_resource_of_names_transactions_and_outspends_only():
    assert resource_of(f"https://blockstream.info/api/tx/{TXID}") == f"tx:{TXID}"
    assert resource_of(f"http://127.0.0.1:8/api/tx/{TXID}/outspends") == f"outspends:{TXID}"
    assert resource_of(f"https://x/api/tx/{TXID}/status") is None
    assert resource_of("https://x/api/address/1abc/txs") is None


@pytest.mark.parametrize("height, tip, final", [(100, 105, True), (100, 104, False), (100, 100, False)])
def test_transaction_is_final_from_six_confirmations(height, tip, final):
    assert (final_height(f"tx:{TXID}", _tx(height), tip) == height) is final


def test_unconfirmed_or_other_transaction_is_never_final():
    assert final_height(f"tx:{TXID}", _tx(None, confirmed=False), 900) is None
    assert final_height(f"tx:{'ee' * 32}", _tx(100), 900) is None  # the answer is about another txid


def test_outspends_final_only_when_every_output_is_spent_by_a_buried_spender():
    assert final_height(f"outspends:{TXID}", [_outspend(height=90), _outspend(height=95)], 100) == 95
    assert final_height(f"outspends:{TXID}", [_outspend(height=90), _outspend(spent=False)], 100) is None
    assert final_height(f"outspends:{TXID}", [_outspend(height=None)], 100) is None  # spender in the mempool
    assert final_height(f"outspends:{TXID}", [_outspend(height=97)], 100) is None  # four confirmations


def _interaction(uri, body):
    return {"request": {"method": "GET", "uri": uri, "body": None, "headers": {}},
            "response": {"status": {"code": 200, "message": "OK"}, "headers": {"Content-Type": ["application/json"]},
                         "body": {"string": body}, "fetched_at": "2026-01-02T03:04:05.000000Z"}}


def test_kept_answer_is_served_with_its_origin_and_a_tampered_one_is_not(store):
    cache = EvidenceCache(store.db)
    uri = f"https://blockstream.info/api/tx/{TXID}"
    assert not cache.offer(_interaction(uri, json.dumps(_tx(100))))  # no tip height known: nothing judged final
    cache.tip_height = 200
    assert cache.offer(_interaction(uri, json.dumps(_tx(100))))
    assert not cache.offer(_interaction(f"{uri}/outspends", json.dumps([_outspend(spent=False)])))
    assert cache.lookup(uri) is None  # nothing is written before the run has finished
    assert cache.commit() == 1
    served = cache.lookup(f"https://mempool.space/api/tx/{TXID}")
    assert served["request"]["uri"] == f"https://mempool.space/api/tx/{TXID}"
    assert served["response"]["fetched_at"] == "2026-01-02T03:04:05.000000Z"
    assert served["response"]["from_store"]["source_url"] == uri
    store.db.execute("UPDATE evidence SET body = ?", ('{"txid": "forged"}',))
    assert cache.lookup(uri) is None
    assert cache.counts == {"served": 1, "kept": 1, "not_final": 1, "mismatched": 1, "refused": 0, "quarantined": 1}
    assert store.db.query("SELECT COUNT(*) FROM evidence")[0][0] == 0  # moved out, kept for the examiner
    assert store.db.query("SELECT resource, reason FROM evidence_quarantine") == [
        (f"tx:{TXID}", "its body no longer matches its SHA-256")]


def test_answer_the_checks_refused_is_never_kept(store):
    cache = EvidenceCache(store.db)
    cache.tip_height = 200
    liar, honest = (f"http://{host}/api/tx/{TXID}" for host in ("liar.example", "honest.example"))
    cache.offer(_interaction(liar, json.dumps(_tx(100))))
    cache.offer(_interaction(honest, json.dumps(_tx(100))))
    assert cache.commit({liar}) == 1
    assert cache.lookup(liar)["response"]["from_store"]["source_url"] == honest
    assert cache.counts["refused"] == 1


def _trace(server, out, hops, store=None, no_store=False, record=None, offline=None):
    job = TraceJob(seeds=(parse_seed(server.seed),), out_dir=out, api_url=None if offline else server.api_url,
                   limits=TraceLimits(hops=hops), record=record, offline=offline, store=store, no_store=no_store)
    return run_trace(job)


@pytest.fixture
def demo_explorer(demo):
    with EsploraServer(demo.store) as server:
        server.seed = demo.ransom_address
        yield server


def _requests_for(server, action):
    before = len(server.requests)
    outcome = action()
    return outcome, server.requests[before:]


def test_extending_a_trace_asks_the_explorer_only_for_what_is_new(demo_explorer, tmp_path):
    server, store = demo_explorer, str(tmp_path / "store.sqlite")
    first, asked_3 = _requests_for(server, lambda: _trace(server, tmp_path / "h3", 3, store, record=tmp_path / "h3.json"))
    kept = first.explorers["evidence_store"]["kept"]
    kept_paths = _stored_paths(store)
    assert kept > 0 and len(kept_paths) == kept
    bare, asked_bare = _requests_for(server, lambda: _trace(server, tmp_path / "bare", 6, no_store=True,
                                                           record=tmp_path / "bare.json"))
    extended, asked_6 = _requests_for(server, lambda: _trace(server, tmp_path / "h6", 6, store,
                                                            record=tmp_path / "h6.json"))
    served = extended.explorers["evidence_store"]["served"]
    assert served == kept  # every final answer of the 3-hop run was reused
    assert len(asked_6) == len(asked_bare) + 1 - served  # + the tip height, - what the store answered
    assert not kept_paths & set(asked_6), "an answer kept after the 3-hop run was fetched again"
    # the new cassette holds every answer the trace used: the store's marked, with their first fetch time
    h3, h6 = Cassette.load(tmp_path / "h3.json"), Cassette.load(tmp_path / "h6.json")
    marked = {k: v for k, v in h6.interactions.items() if "from_store" in v["response"]}
    assert len(marked) == served
    for key, item in marked.items():
        assert item["response"]["fetched_at"] == h3.interactions[key]["response"]["fetched_at"]
    # same outputs as without a store (the trace's request count included), and verify passes offline
    for name in ("transfers.csv", "subpoena.csv", "flow.svg", "misp_event.json"):
        assert (tmp_path / "h6" / name).read_bytes() == (tmp_path / "bare" / name).read_bytes(), name
    assert bare.result.requests == extended.result.requests
    report = verify_outputs(tmp_path / "h6")
    assert report.ok, [c for c in report.checks if not c.ok]


def _stored_paths(location):
    return {f"/api/tx/{r.split(':')[1]}" + ("/outspends" if r.startswith("outspends") else "")
            for r in _stored_resources(location)}


def _stored_resources(location):
    from btctrace.store import open_store

    opened = open_store(location)
    try:
        return [row[0] for row in opened.db.query("SELECT resource FROM evidence")]
    finally:
        opened.close()


def test_live_run_without_recording_uses_the_store_too(demo_explorer, tmp_path):
    server, store = demo_explorer, str(tmp_path / "store.sqlite")
    _trace(server, tmp_path / "a", 4, store)
    kept_paths = _stored_paths(store)
    second, asked = _requests_for(server, lambda: _trace(server, tmp_path / "b", 4, store))
    assert second.explorers["evidence_store"]["served"] == len(kept_paths) > 0
    assert not kept_paths & set(asked)
    assert (tmp_path / "a" / "transfers.csv").read_bytes() == (tmp_path / "b" / "transfers.csv").read_bytes()


def test_offline_run_neither_asks_nor_fills_the_evidence_cache(demo_explorer, tmp_path):
    server = demo_explorer
    _trace(server, tmp_path / "rec", 3, no_store=True, record=tmp_path / "c.json")
    store = str(tmp_path / "store.sqlite")
    outcome = _trace(server, tmp_path / "off", 3, store, offline=tmp_path / "c.json")
    assert "evidence_store" not in outcome.explorers
    assert _stored_resources(store) == []


def test_a_team_store_on_postgresql_serves_a_second_investigator(demo_explorer, postgres_url, tmp_path):
    """Two runs against one PostgreSQL store: the second is served the first's final answers and
    finds the first's case among those sharing its addresses."""
    server = demo_explorer
    _trace(server, tmp_path / "a", 4, postgres_url)
    kept_paths = _stored_paths(postgres_url)
    job = TraceJob(seeds=(parse_seed(server.seed),), out_dir=tmp_path / "b", api_url=server.api_url,
                   limits=TraceLimits(hops=5), store=postgres_url)
    second, asked = _requests_for(server, lambda: run_trace(job))
    assert second.explorers["evidence_store"]["served"] == len(kept_paths) > 0
    assert not kept_paths & set(asked)
    assert second.store.kind == "postgresql" and second.store.case_links == []  # same seeds: same case
    assert second.explorers["store"].startswith("postgresql://postgres@127.0.0.1:")  # in the manifest, no password


def test_a_forged_row_with_a_matching_hash_is_quarantined_and_the_run_goes_on(demo_explorer, tmp_path):
    """Issue 32: a kept answer edited together with its SHA-256 is refused by the checks; the
    fault is the cache's (quarantined, said so), the explorer's fresh answer is used, and the
    next run is not failed by the same row."""
    import hashlib

    from btctrace.store import open_store

    server, store = demo_explorer, str(tmp_path / "store.sqlite")
    first = _trace(server, tmp_path / "a", 4, store)
    opened = open_store(store)
    resource, body = opened.db.query("SELECT resource, body FROM evidence ORDER BY resource")[0]
    forged = json.loads(body)
    forged[0]["vin"] = 7  # spent by an input the spending transaction does not have
    forged_body = json.dumps(forged)
    opened.db.execute("UPDATE evidence SET body = ?, sha256 = ? WHERE resource = ?",
                      (forged_body, hashlib.sha256(forged_body.encode()).hexdigest(), resource))
    opened.close()
    second = _trace(server, tmp_path / "b", 4, store)
    evidence = second.explorers["evidence_store"]
    assert [q["resource"] for q in evidence["quarantined"]] == [resource]
    assert "fresh answer differs" in evidence["quarantined"][0]["reason"]
    assert second.explorers["refused"] and all(r["source"].startswith("evidence store")
                                               for r in second.explorers["refused"])
    assert (tmp_path / "a" / "transfers.csv").read_bytes() == (tmp_path / "b" / "transfers.csv").read_bytes()
    assert first.result.requests == second.result.requests
    third = _trace(server, tmp_path / "c", 4, store)
    assert third.explorers["evidence_store"]["quarantined"] == [] and not third.explorers.get("refused")
    opened = open_store(store)
    assert [row[0] for row in opened.db.query("SELECT resource FROM evidence_quarantine")] == [resource]
    opened.close()


def test_a_row_of_the_wrong_type_is_quarantined_and_asked_of_the_explorer(store):
    cache = EvidenceCache(store.db)
    cache.tip_height = 200
    uri = f"https://blockstream.info/api/tx/{TXID}"
    cache.offer(_interaction(uri, json.dumps(_tx(100))))
    cache.commit()
    if store.db.kind == "postgresql":
        pytest.skip("PostgreSQL's typed columns refuse the edit")
    store.db.execute("UPDATE evidence SET status = 'OK'")
    assert cache.lookup(uri) is None
    assert cache.quarantined[0]["reason"].startswith("unreadable row")
