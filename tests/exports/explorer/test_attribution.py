"""The explorer panel's attribution words, from the report's attribution section: a tag on the
address, through its cluster or through a sweep, each with source and confidence; sanctions
entries and the other cases that hold the address."""

from btctrace.exports.explorer.attribution import (
    HOW_ON_ADDRESS,
    HOW_THROUGH_CLUSTER,
    HOW_THROUGH_SWEEP,
    AttributionIndex,
)

TAG = {"label": "Exchange X", "category": "exchange", "abuse": "", "source": "https://x.example",
       "confidence": "ownership", "from": "tagpack:x.yaml"}
SECTION = {
    "addresses": [{"address": "a1", "role": "endpoint", "cluster": "C1", "how": "", "tags": [TAG]}],
    "clusters": [{"cluster": "C1", "label": "Exchange X", "category": "exchange", "confidence": "service_data"}],
    "deposits": [{"address": "d1", "named_by": {**TAG, "label": "Exchange Y"}}],
    "sanctions": [{"address": "s1", "list": "sdn.txt", "entry": "OFAC SDN", "listed_on": "2022-04-05",
                   "source": "https://ofac.example"}],
    "case_links": [{"case_id": "k2", "title": "Other case", "shared_addresses": [{"address": "a1",
                                                                                  "role_there": "seed"}]}],
}


def test_each_tag_says_how_it_reaches_the_address():
    index = AttributionIndex.of(SECTION)
    [own] = index.tags_of("a1", "C1", {})
    assert own["how"] == HOW_ON_ADDRESS and own["confidence"] == "ownership" and own["source"] == "https://x.example"
    [through] = index.tags_of("a2", "C1", {})
    assert through["how"] == HOW_THROUGH_CLUSTER and through["confidence"] == "service_data"
    [swept] = index.tags_of("d1", "", {})
    assert swept["how"] == HOW_THROUGH_SWEEP and swept["label"] == "Exchange Y"


def test_sanctions_and_other_cases_are_listed_per_address():
    index = AttributionIndex.of(SECTION)
    assert index.sanctions["s1"] == [{"list": "sdn.txt", "entry": "OFAC SDN", "listed": "2022-04-05",
                                      "source": "https://ofac.example"}]
    assert index.other_cases["a1"] == [{"case": "Other case", "id": "k2", "role there": "seed"}]


def test_without_the_section_the_graphs_own_tag_is_shown_but_never_a_sanctions_label():
    index = AttributionIndex.of({})
    assert index.tags_of("a", "", {"label": "L", "category": "exchange", "tag_source": "s"})[0]["label"] == "L"
    assert index.tags_of("a", "", {"label": "OFAC SDN", "category": "sanction"}) == []
