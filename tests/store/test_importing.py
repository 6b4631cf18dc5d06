"""What an import is and what it keeps (btctrace/store/importing.py), on SQLite and PostgreSQL:
the attacks of issue 32 on sanctions screening and the store, each reproduced."""

import codecs
import threading
import time

import pytest

from btctrace.errors import StoreError, TagFileError, TagSourceError, UsageProblem
from btctrace.store import open_store
from btctrace.store.tag_sources import ListDefaults
from btctrace.tags import TEXT_LIMIT

HYDRA = "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T"
BINANCE = "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo"
LIST = ListDefaults("OFAC SDN (0xB10C list)", "sanction", "https://example.org/list")


def _pack(path, address, label="Example", extra=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"title: t\ncreator: c\nlabel: {label}\ncategory: exchange\nsource: https://x.example\n"
                    f"currency: BTC\ntags:\n- address: '{address}'\n{extra}")
    return path


def test_a_list_imported_again_with_sanctions_is_flagged_not_skipped(store, tmp_path):
    listed = tmp_path / "sanctioned_addresses_XBT.txt"
    listed.write_text(f"{HYDRA}\n")
    store.import_file("list", listed, LIST)
    assert store.stats().sanctioned_addresses == 0
    [again] = store.import_file("list", listed, ListDefaults(LIST.label, LIST.category, LIST.source, sanctions=True))
    assert not again.unchanged and again.replaced is not None
    assert store.stats().sanctioned_addresses == 1
    assert [t.is_sanction for t in store.lookup([HYDRA])[HYDRA]] == [True]
    [same] = store.import_file("list", listed, ListDefaults(LIST.label, LIST.category, LIST.source, sanctions=True))
    assert same.unchanged  # the same bytes with the same meaning: nothing to do


def test_tagpacks_of_one_name_in_two_folders_are_two_sources(store, tmp_path):
    _pack(tmp_path / "packs" / "2023" / "sanctions.yaml", HYDRA, "list of 2023")
    _pack(tmp_path / "packs" / "2024" / "sanctions.yaml", BINANCE, "list of 2024")
    outcomes = store.import_file("tagpack", tmp_path / "packs")
    assert [o.source.name for o in outcomes] == ["tagpack:2023/sanctions.yaml", "tagpack:2024/sanctions.yaml"]
    assert store.lookup([HYDRA, BINANCE]).keys() == {HYDRA, BINANCE}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_list_saved_with_a_byte_order_mark_keeps_its_first_address(store, tmp_path, encoding):
    listed = tmp_path / "list.txt"
    listed.write_bytes(f"{HYDRA}\n{BINANCE}\n".encode(encoding))
    assert listed.read_bytes()[:2] in (codecs.BOM_UTF8[:2], codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    [outcome] = store.import_file("list", listed, LIST)
    assert outcome.source.tags == 2 and outcome.source.skipped == 0


def test_a_folder_with_no_tagpack_is_an_error_not_an_empty_import(store, tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "sanctioned_addresses_XBT.txt").write_text(f"{HYDRA}\n")
    with pytest.raises(TagFileError, match="holds no TagPack"):
        store.import_file("tagpack", tmp_path / "lists")
    assert store.stats().sources == []


def test_a_list_with_no_usable_address_is_an_error(store, tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text("not an address\nTUCsTq7TokMsgPwt8Zq8o3ft8uzVwcNwk9\n")
    with pytest.raises(TagSourceError, match="no Bitcoin mainnet address.*2 entries skipped"):
        store.import_file("list", listed, LIST)
    assert store.stats().sources == []


def test_a_list_date_that_is_no_date_is_refused(store, tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text(f"{HYDRA}\n")
    with pytest.raises(UsageProblem, match="is not a date"):
        store.import_file("list", listed, ListDefaults("x", "sanction", "s", listed_on="99999-13--1"))


def test_tagpack_fields_are_checked_address_date_and_length(store, tmp_path):
    long_label = "L" * 100_000
    pack = _pack(tmp_path / "p.yaml", HYDRA, long_label,
                 "  lastmod: 99999-13--1\n- address: 'not an address <b>'\n")
    [outcome] = store.import_file("tagpack", pack)
    assert (outcome.source.tags, outcome.source.skipped) == (1, 1)
    assert outcome.checks == {"cut_fields": 1, "bad_dates": 1}
    [tag] = store.lookup([HYDRA])[HYDRA]
    assert len(tag.label) == TEXT_LIMIT and tag.label.endswith("… [cut: 100,000 characters]")
    assert tag.listed_on == ""


def test_a_nul_in_a_label_is_stored_on_both_databases(store, tmp_path):
    pack = _pack(tmp_path / "p.yaml", HYDRA, '"Exchange\\0 hot wallet"')
    [outcome] = store.import_file("tagpack", pack)
    assert outcome.source.tags == 1
    assert store.lookup([HYDRA])[HYDRA][0].label == "Exchange\ufffd hot wallet"


def test_the_file_is_read_before_the_write_transaction(store, tmp_path, monkeypatch):
    """A long parse never holds the write lock: the reader runs outside any transaction."""
    from btctrace.store import importing

    seen = []
    original = importing._checked_tags

    def watched(*args):
        seen.append(store.db.connection.in_transaction if store.db.kind == "sqlite"
                    else store.db.connection.info.transaction_status != 0)
        return original(*args)

    monkeypatch.setattr(importing, "_checked_tags", watched)
    store.import_file("tagpack", _pack(tmp_path / "p.yaml", HYDRA))
    assert seen == [False]


def test_a_reader_opening_the_store_does_not_wait_on_a_writer(tmp_path):
    location = str(tmp_path / "store.sqlite")
    writer = open_store(location)
    writer.import_file("tagpack", _pack(tmp_path / "p.yaml", HYDRA))
    answers = []
    with writer.db.transaction():  # a writer holds the write lock (an import copying rows)
        reader = threading.Thread(target=lambda: answers.append(_lookup(location)))
        started = time.monotonic()
        reader.start()
        reader.join(timeout=10)
        waited = time.monotonic() - started
    writer.close()
    assert answers == [[HYDRA]] and waited < 5  # the busy timeout is 30 s: it did not wait for it


def _lookup(location):
    opened = open_store(location)
    try:
        return list(opened.lookup([HYDRA]))
    finally:
        opened.close()


@pytest.mark.parametrize("table, column, value", [("tags", "sanctions", "yes"), ("tags", "label", b"\xff\x00"),
                                                  ("tag_sources", "tags", "many")])
def test_a_wrongly_typed_row_in_an_sqlite_store_is_one_store_error(tmp_path, table, column, value):
    """SQLite keeps what a hand edit writes; reading it back is a StoreError, not a traceback."""
    opened = open_store(str(tmp_path / "store.sqlite"))
    opened.import_file("tagpack", _pack(tmp_path / "p.yaml", HYDRA))
    opened.db.execute(f"UPDATE {table} SET {column} = ?", (value,))
    with pytest.raises(StoreError, match="changed outside btctrace"):
        opened.lookup([HYDRA])
    opened.close()


def test_a_tag_naming_a_source_the_store_lacks_is_one_store_error(tmp_path):
    opened = open_store(str(tmp_path / "store.sqlite"))
    opened.import_file("tagpack", _pack(tmp_path / "p.yaml", HYDRA))
    opened.db.execute("PRAGMA foreign_keys = OFF")
    opened.db.execute("DELETE FROM tag_sources")
    with pytest.raises(StoreError, match="does not hold"):
        opened.lookup([HYDRA])
    opened.close()


def test_a_wrongly_typed_value_is_refused_by_postgresql_at_write(postgres_url, tmp_path):
    """PostgreSQL's columns are typed: the wrong type never gets in (the SQLite test above is
    the one that can happen)."""
    opened = open_store(postgres_url)
    opened.import_file("tagpack", _pack(tmp_path / "p.yaml", HYDRA))
    with pytest.raises(StoreError):
        opened.db.execute("UPDATE tags SET sanctions = ?", ("yes",))
    assert opened.lookup([HYDRA])[HYDRA][0].sanctions is False
    opened.close()
