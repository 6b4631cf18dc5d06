"""Cluster-level attribution: a member's tag names the cluster one confidence step lower, with
the merges as evidence; disagreeing tags are a reported conflict."""

from btctrace.heuristics.attribution import attribute_clusters, step_down
from btctrace.heuristics.clustering import COMMON_INPUT, Clusters, Merge
from btctrace.tags import Tag, TagIndex


def _tag(address, label, category="exchange", confidence="service_data", sanctions=False, actor=""):
    return Tag(address, label, category, "https://src.example", confidence, actor, "", "pack.yaml",
               sanctions=sanctions)


def _clusters(*pairs):
    clusters = Clusters()
    for n, (a, b) in enumerate(pairs):
        clusters.union(Merge(a, b, f"{n:064x}", COMMON_INPUT, "Meiklejohn 2013"))
    return clusters


def test_confidence_steps_down_one_level():
    assert step_down("authority_data") == "forensic"
    assert step_down("service_data") == "untrusted_transaction"
    assert step_down("ownership") == "manual_transaction"
    assert step_down("unknown") == "unknown" and step_down("nonsense") == "unknown"


def test_one_tagged_member_names_the_cluster_with_its_merges():
    tags = TagIndex(by_address={"1B": _tag("1B", "Kraken")})
    [named] = attribute_clusters(_clusters(("1A", "1B"), ("1B", "1C")), tags)
    assert (named.label, named.category, named.confidence) == ("Kraken", "exchange", "untrusted_transaction")
    assert named.untagged == ["1A", "1C"] and len(named.merges) == 2 and not named.conflict


def test_disagreeing_tags_are_a_conflict_never_resolved():
    tags = TagIndex(by_address={"1A": _tag("1A", "Kraken"), "1C": _tag("1C", "Binance", confidence="forensic")})
    [named] = attribute_clusters(_clusters(("1A", "1B"), ("1B", "1C")), tags)
    assert named.conflict == ["Binance", "Kraken"] and named.category == "conflicting"
    assert named.label == "Binance / Kraken"


def test_same_actor_under_two_labels_is_not_a_conflict():
    tags = TagIndex(by_address={"1A": _tag("1A", "binance hot", actor="binance"),
                                "1B": _tag("1B", "binance reserve", actor="binance")})
    [named] = attribute_clusters(_clusters(("1A", "1B")), tags)
    assert not named.conflict


def test_sanctions_entry_is_kept_apart_from_the_service_name():
    tags = TagIndex(by_address={"1A": _tag("1A", "Garantex"),
                                "1B": _tag("1B", "OFAC SDN: GARANTEX", "sanction", "authority_data", True)})
    [named] = attribute_clusters(_clusters(("1A", "1B")), tags)
    assert named.label == "Garantex" and [t.address for t in named.sanctions] == ["1B"]


def test_single_addresses_and_untagged_clusters_are_not_named():
    assert attribute_clusters(_clusters(("1A", "1B")), TagIndex()) == []
    clusters = _clusters(("1A", "1B"))
    clusters.add("1Z")
    assert [a.cluster for a in attribute_clusters(clusters, TagIndex(by_address={"1Z": _tag("1Z", "X")}))] == []
