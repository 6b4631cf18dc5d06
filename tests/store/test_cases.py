"""Cases in the store: registration, search and links (shared addresses, transactions, clusters)."""

from btctrace.store.cases import CaseItem, CaseRecord

TX_A, TX_B = "aa" * 32, "bb" * 32


def _case(case_id, items):
    return CaseRecord(case_id, f"Case {case_id}", f"/out/{case_id}", ["seed"], items)


def test_search_lists_every_case_that_touched_an_item(store):
    store.register(_case("one", [CaseItem("address", "1A", 0, "seed"), CaseItem("tx", TX_A, 1, "transaction")]))
    store.register(_case("two", [CaseItem("address", "1A", 3, "endpoint")]))
    touches = store.touching("1A")
    assert [(t.case_id, t.hop, t.role) for t in touches] == [("one", 0, "seed"), ("two", 3, "endpoint")]
    assert [t.case_id for t in store.touching(TX_A)] == ["one"]
    assert store.touching("1Nowhere") == []


def test_rerunning_a_case_replaces_its_items(store):
    store.register(_case("one", [CaseItem("address", "1A", 0, "seed")]))
    store.register(_case("one", [CaseItem("address", "1B", 0, "seed")]))
    assert store.touching("1A") == [] and len(store.touching("1B")) == 1


def test_links_name_shared_addresses_transactions_and_clusters_with_evidence(store):
    store.register(_case("older", [
        CaseItem("address", "1Shared", 2, "intermediary", "C0001"), CaseItem("address", "1Other", 2, "intermediary", "C0001"),
        CaseItem("address", "1Third", 2, "intermediary", "C0001"), CaseItem("tx", TX_A, 2, "transaction"),
        CaseItem("address", "1Unrelated", 1, "victim"),
    ]))
    store.register(_case("newer", [
        CaseItem("address", "1Shared", 4, "endpoint", "C0002"), CaseItem("address", "1Mine", 4, "endpoint", "C0002"),
        CaseItem("tx", TX_A, 3, "transaction"), CaseItem("tx", TX_B, 1, "transaction"),
    ]))
    [link] = store.links("newer")
    assert link.case_id == "older"
    assert link.addresses == [("1Shared", "endpoint", "intermediary")]
    assert link.transactions == [TX_A]
    [cluster] = link.clusters
    assert (cluster.here, cluster.size_here, cluster.there, cluster.size_there, cluster.shared) == \
        ("C0002", 2, "C0001", 3, ("1Shared",))
    assert [l.case_id for l in store.links("older")] == ["newer"]  # symmetric


def test_case_not_registered_yet_is_linked_by_its_items_and_never_to_itself(store):
    store.register(_case("mine", [CaseItem("address", "1A", 0, "seed")]))
    store.register(_case("theirs", [CaseItem("address", "1A", 5, "endpoint")]))
    links = store.links("mine", [CaseItem("address", "1A", 0, "seed")])
    assert [l.case_id for l in links] == ["theirs"]


def test_many_items_are_looked_up_in_batches(store):
    items = [CaseItem("address", f"1Addr{n}", 1, "intermediary") for n in range(2000)]
    store.register(_case("big", items))
    [link] = store.links("probe", items[1500:])
    assert len(link.addresses) == 500


def test_links_of_a_case_the_store_does_not_hold_is_an_error_not_no_links(store):
    """Issue 32: ``case links NO-SUCH-CASE`` answered "no other case shares…" with exit 0."""
    import pytest

    from btctrace.errors import UsageProblem

    with pytest.raises(UsageProblem, match="holds no case 'NO-SUCH-CASE'"):
        store.links("NO-SUCH-CASE")


def test_a_nul_in_a_case_title_is_stored_alike_on_both_databases(store):
    """Issue 32: one NUL failed a whole PostgreSQL run (exit 9) while SQLite accepted it."""
    store.register(CaseRecord("nul", "Ransom\x00 case", "/out/nul", ["seed"], [CaseItem("address", "1A\x00", 0, "seed")]))
    [touch] = store.touching("1A\x00")
    assert touch.title == "Ransom\ufffd case"
