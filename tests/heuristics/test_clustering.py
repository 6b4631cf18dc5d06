"""Common-input clustering: merges with evidence, CoinJoin and coinbase exclusion, the collapse
guard, and explain() naming the transactions that link two addresses."""

from btctrace.heuristics import Finding
from btctrace.heuristics.clustering import COMMON_INPUT, Clusters, Merge, cluster_common_inputs, explain
from tests.heuristics.shapes import make_tx


def test_inputs_of_one_transaction_are_one_owner_with_evidence():
    t1 = make_tx([("a", 10), ("b", 10)], [("x", 15)])
    t2 = make_tx([("b", 10), ("c", 10)], [("y", 15)])
    clusters = cluster_common_inputs([t1, t2])
    assert clusters.find("a") == clusters.find("c") != clusters.find("x")
    assert {(m.a, m.b, m.txid, m.rule) for m in clusters.merges} == {("a", "b", t1.txid, COMMON_INPUT),
                                                                    ("b", "c", t2.txid, COMMON_INPUT)}
    ids = clusters.ids()
    assert ids["a"] == ids["b"] == ids["c"] == "C0001" and len({ids["x"], ids["y"]}) == 2


def test_coinjoins_are_not_merged_and_the_skip_is_recorded():
    mix = make_tx([("a", 10), ("b", 10)], [("x", 9), ("y", 9)])
    finding = Finding("coinjoin.generic", mix.txid, 0.7, "equal outputs", "BlockSci")
    clusters = cluster_common_inputs([mix], coinjoins={mix.txid: finding})
    assert clusters.find("a") != clusters.find("b") and not clusters.merges
    assert clusters.skipped[mix.txid].startswith("coinjoin.generic")


def test_reused_address_in_inputs_is_one_owner_not_a_merge():
    tx = make_tx([("a", 10), ("a", 5)], [("x", 14)])
    assert not cluster_common_inputs([tx]).merges


def test_collapse_guard_refuses_joining_two_large_clusters():
    big1 = make_tx([(f"p{i}", 1) for i in range(4)], [("x", 1)])
    big2 = make_tx([(f"q{i}", 1) for i in range(4)], [("y", 1)])
    bridge = make_tx([("p0", 1), ("q0", 1)], [("z", 1)], height=800_001)  # after both clusters formed
    clusters = cluster_common_inputs([big1, big2, bridge], collapse_threshold=3)
    assert clusters.find("p1") != clusters.find("q1")
    assert [(r.txid, r.sizes) for r in clusters.refused] == [(bridge.txid, (4, 4))]
    allowed = cluster_common_inputs([big1, big2, bridge], collapse_threshold=3, allow_collapse=True)
    assert allowed.find("p1") == allowed.find("q1") and not allowed.refused


def test_explain_gives_the_shortest_chain_of_transactions():
    merges = [Merge("a", "b", "t1", COMMON_INPUT, "r"), Merge("b", "c", "t2", COMMON_INPUT, "r"),
              Merge("c", "d", "t3", COMMON_INPUT, "r"), Merge("a", "d", "t4", COMMON_INPUT, "r")]
    chain = explain(merges, "a", "c")
    assert [(m.a, m.b, m.txid) for m in chain] in ([("a", "b", "t1"), ("b", "c", "t2")],
                                                   [("a", "d", "t4"), ("d", "c", "t3")])
    assert [(m.a, m.b, m.txid) for m in explain(merges, "d", "a")] == [("d", "a", "t4")]
    assert explain(merges, "a", "zz") is None and explain(merges, "a", "a") == []


def test_find_is_stable_under_many_merges():
    clusters = Clusters(collapse_threshold=10_000)
    for i in range(1, 2_000):
        clusters.union(Merge(f"a{i - 1}", f"a{i}", f"t{i}", COMMON_INPUT, "r"))
    assert clusters.size_of("a0") == 2_000 and len(clusters.groups()) == 1
