"""``--attribute-endpoints``: an unlabelled deposit named through its sweep's tagged co-spender,
with every step kept as evidence and the budget respected."""

import json

import pytest

from btctrace.runner import TraceJob, run_trace
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import TraceLimits
from btctrace.tracing.seeds import parse_seed
from btctrace.verify import verify_outputs


@pytest.fixture
def sweep_chain(builder):
    """seed -> deposit D (hop 1, the hop limit); the exchange later sweeps D together with its
    known hot wallet H into cold storage; another endpoint P is swept with untagged addresses."""
    b = builder
    seed, deposit, hot, cold, plain, other = (b.address("p2wpkh") for _ in range(6))
    funding = b.coinbase(800_000, seed, 50 * 10**8)
    hot_coin = b.coinbase(800_001, hot, 5 * 10**8)
    other_coin = b.coinbase(800_002, other, 1 * 10**8)
    paid = b.spend(800_010, [funding], [(deposit, 10 * 10**8), (plain, 3 * 10**8)], change=b.address("p2wpkh"))
    b.spend(800_020, [paid[0], hot_coin], [], change=cold)  # the exchange's sweep
    b.spend(800_021, [paid[1], other_coin], [], change=b.address("p2wpkh"))
    b.store.tip_height = 800_100
    return b.store, {"seed": seed, "deposit": deposit, "hot": hot, "plain": plain}


def _tagpack(path, hot):
    path.write_text("title: t\ncreator: c\nsource: https://exchange.example/proof-of-reserves\n"
                    "confidence: service_data\ncurrency: BTC\ntags:\n"
                    f"- address: {hot}\n  label: Example Exchange\n  category: exchange\n")
    return path


def test_deposit_is_named_through_its_sweep_and_shown_as_evidence(sweep_chain, tmp_path):
    chain, who = sweep_chain
    with EsploraServer(chain) as server:
        job = TraceJob(seeds=(parse_seed(who["seed"]),), out_dir=tmp_path / "out", api_url=server.api_url,
                       limits=TraceLimits(hops=1), record=tmp_path / "c.json",
                       tag_paths=(_tagpack(tmp_path / "x.yaml", who["hot"]),), attribute_endpoints=2)
        outcome = run_trace(job)
    steps = {s.address: s for s in outcome.result.deposits}
    named = steps[who["deposit"]]
    assert named.named_by.address == who["hot"] and named.requests <= 2
    assert "common-input ownership" in named.outcome
    assert steps[who["plain"]].named_by is None and "carries a tag" in steps[who["plain"]].outcome
    subpoena = (tmp_path / "out" / "subpoena.csv").read_text()
    assert who["deposit"] in subpoena and "Example Exchange" in subpoena and "untrusted_transaction" in subpoena
    document = json.loads((tmp_path / "out" / "trace.json").read_text())
    assert [d["address"] for d in document["attribution"]["deposits"] if d["named_by"]] == [who["deposit"]]
    assert "swept" in (tmp_path / "out" / "report.html").read_text()
    report = verify_outputs(tmp_path / "out")  # the extra requests are in the cassette: the rerun agrees
    assert report.ok, [c for c in report.checks if not c.ok]


def test_budget_of_zero_follows_nothing_and_one_request_is_enough_when_the_spender_is_known(sweep_chain, tmp_path):
    chain, who = sweep_chain
    with EsploraServer(chain) as server:
        base = dict(seeds=(parse_seed(who["seed"]),), api_url=server.api_url, limits=TraceLimits(hops=1),
                    tag_paths=(_tagpack(tmp_path / "x.yaml", who["hot"]),))
        none = run_trace(TraceJob(out_dir=tmp_path / "a", **base))
        assert none.result.deposits == []
        one = run_trace(TraceJob(out_dir=tmp_path / "b", attribute_endpoints=1, **base))
    assert all(step.requests <= 1 for step in one.result.deposits)
    # the walk already knows which transaction spent the deposit: one request fetches the sweep
    named = {s.address: s for s in one.result.deposits}[who["deposit"]]
    assert named.named_by is not None and named.requests == 1
