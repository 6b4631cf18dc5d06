"""How a btctrace finding and the reference's opinion compare (no graphsense-lib needed)."""

from btctrace.heuristics import Finding
from btctrace.reference import could_be_coinjoin
from btctrace.reference.agreement import AGREE, AGREE_OTHER_KIND, NEITHER, OURS_ONLY, THEIRS_ONLY, compare
from btctrace.reference.graphsense import SecondOpinion
from tests.heuristics.shapes import make_tx


def finding(kind):
    return Finding(f"coinjoin.{kind}", "t", 0.9, "why", "source")


def opinion(kind, generic=False):
    return SecondOpinion("t", kind, generic, 60 if kind else None, "their words")


def test_same_kind_agrees_and_keeps_the_references_words_and_confidence():
    found = compare(finding("whirlpool_mix"), opinion("whirlpool_mix"))
    assert found.verdict == AGREE and found.agrees and found.confidence == 60 and found.detail == "their words"


def test_btctrace_generic_rule_agrees_with_any_reference_coinjoin():
    assert compare(finding("generic"), opinion(None, generic=True)).verdict == AGREE
    assert compare(finding("generic"), opinion("joinmarket")).verdict == AGREE


def test_different_protocols_are_reported_not_resolved():
    found = compare(finding("wasabi1"), opinion("joinmarket"))
    assert found.verdict == AGREE_OTHER_KIND and not found.agrees


def test_one_sided_calls_and_neither():
    assert compare(finding("wabisabi"), opinion(None)).verdict == OURS_ONLY
    assert compare(None, opinion("wabisabi")).verdict == THEIRS_ONLY
    assert compare(None, opinion(None, generic=True)).verdict == THEIRS_ONLY
    assert compare(None, opinion(None)).verdict == NEITHER


def test_only_transactions_some_detector_could_flag_are_asked():
    assert not could_be_coinjoin(make_tx([("a", 5)], [("b", 1), ("c", 1), ("d", 1)]))  # one input
    assert not could_be_coinjoin(make_tx([("a", 5), ("b", 5)], [("c", 1), ("d", 1)]))  # two outputs
    assert could_be_coinjoin(make_tx([("a", 5), ("b", 5)], [("c", 1), ("d", 1), ("e", 1)]))
    assert could_be_coinjoin(make_tx([("a", 5)], [(None, 0), ("d", 1)]))  # a possible Tx0
