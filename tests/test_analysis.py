"""Analysis of a finished trace: change verdicts on ordinary transactions only, and change
used for clustering only when asked, each such merge marked as change."""

from btctrace.analysis import CHANGE, analyse
from btctrace.heuristics.clustering import COMMON_INPUT


def test_change_is_decided_but_not_clustered_by_default(demo, demo_trace):
    result, _, _ = demo_trace
    analysis = analyse(result)
    assert demo.coinjoin_txid not in analysis.change
    test_payment = next(v for v in analysis.change.values() if "change.address_reuse" in v.deciding)
    assert test_payment.change is not None
    assert {m.rule for m in analysis.clusters.merges} == {COMMON_INPUT}


def test_cluster_change_adds_marked_merges(demo_trace):
    result, _, _ = demo_trace
    plain = analyse(result)
    with_change = analyse(result, cluster_change=True)
    change_merges = [m for m in with_change.clusters.merges if m.rule == CHANGE]
    assert change_merges and all("change combiner" in m.reference for m in change_merges)
    assert len(with_change.clusters.groups()) < len(plain.clusters.groups())


def test_split_between_affiliate_and_developer_is_not_called_change(demo, demo_trace):
    result, _, _ = demo_trace
    assert analyse(result).change[demo.split_txid].change is None
