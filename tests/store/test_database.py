"""The database layer and migrations, on SQLite and on a real PostgreSQL server."""

import multiprocessing
import sqlite3

import pytest

from btctrace.errors import StoreError
from btctrace.store import open_store
from btctrace.store.database import default_store_location, open_database, redact_location
from btctrace.store.schema import SCHEMA_VERSION, migrate, schema_version


def test_new_store_is_migrated_once_and_reopening_changes_nothing(store_location):
    first = open_store(store_location)
    assert schema_version(first.db) == SCHEMA_VERSION
    first.close()
    again = open_database(store_location)
    try:
        assert migrate(again) == []
        assert again.query("SELECT COUNT(*) FROM store_schema")[0][0] == SCHEMA_VERSION
    finally:
        again.close()


def test_store_written_by_a_newer_btctrace_is_refused(store_location):
    opened = open_store(store_location)
    with opened.db.transaction():
        opened.db.execute("INSERT INTO store_schema (version, description, applied_at) VALUES (?, ?, ?)",
                          (SCHEMA_VERSION + 1, "from the future", "2030-01-01T00:00:00Z"))
    opened.close()
    with pytest.raises(StoreError, match="newer than this btctrace knows"):
        open_store(store_location)


def test_failed_transaction_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError):
        with store.db.transaction():
            store.db.execute("INSERT INTO cases (case_id, title, registered_at, out_dir, seeds, transactions, "
                             "addresses) VALUES ('x', 't', 'now', '/o', '[]', 0, 0)")
            raise RuntimeError("interrupted half-way")
    assert store.db.query("SELECT COUNT(*) FROM cases")[0][0] == 0


def test_sql_error_becomes_one_store_error_naming_the_store(store):
    with pytest.raises(StoreError) as caught:
        store.db.query("SELECT no_such_column FROM cases")
    assert store.location in caught.value.user_message and "no-store" in caught.value.user_message


def test_sqlite_store_uses_write_ahead_logging(tmp_path):
    opened = open_store(str(tmp_path / "s.sqlite"))
    try:
        assert opened.db.query("PRAGMA journal_mode")[0][0] == "wal"
    finally:
        opened.close()


def test_unwritable_sqlite_location_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot be opened"):
        open_store(str(blocker / "store.sqlite"))


def test_password_never_shown():
    assert redact_location("postgresql://unit:s3cret@db.local:5433/cases?sslmode=require") == \
        "postgresql://unit@db.local:5433/cases"
    assert redact_location("/home/a/store.sqlite") == "/home/a/store.sqlite"


def test_default_location_is_in_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("BTCTRACE_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_location() == str(tmp_path / "btctrace" / "store.sqlite")


def _register_many(location: str, worker: int, count: int) -> None:
    from btctrace.store.cases import CaseItem, CaseRecord

    opened = open_store(location)
    try:
        for n in range(count):
            opened.register(CaseRecord(f"w{worker}-{n}", "t", "/out", ["seed"],
                                       [CaseItem("address", f"addr{worker}-{n}-{i}", 1, "intermediary") for i in range(20)]))
    finally:
        opened.close()


def test_several_processes_open_migrate_and_write_at_once(store_location):
    """Four processes open a new store together (each migration applied once) and register
    cases concurrently: nothing is lost, nothing fails on a lock."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_register_many, args=(store_location, w, 15)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    opened = open_store(store_location)
    try:
        assert opened.db.query("SELECT COUNT(*) FROM cases")[0][0] == 60
        assert opened.db.query("SELECT COUNT(*) FROM case_items")[0][0] == 1200
        assert opened.db.query("SELECT COUNT(*) FROM store_schema")[0][0] == SCHEMA_VERSION
    finally:
        opened.close()


def test_sqlite_reader_is_not_blocked_by_an_open_write(tmp_path):
    location = str(tmp_path / "s.sqlite")
    writer = open_store(location)
    reader = sqlite3.connect(location)
    try:
        with writer.db.transaction():
            writer.db.execute("INSERT INTO cases (case_id, title, registered_at, out_dir, seeds, transactions, "
                              "addresses) VALUES ('x', 't', 'now', '/o', '[]', 0, 0)")
            assert reader.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0  # WAL: reads the last commit
        assert reader.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
    finally:
        reader.close()
        writer.close()


@pytest.mark.parametrize("make", ["device", "link", "link_beside"])
def test_a_store_path_that_is_no_regular_file_is_refused_before_anything_is_written(tmp_path, make):
    """Issue 32: ``--store /dev/null`` created ``/dev/null-journal``; a link was written through."""
    import os

    target = tmp_path / "elsewhere.sqlite"
    if make == "device":
        location = "/dev/null"
    else:
        location = str(tmp_path / "store.sqlite")
        os.symlink(target, location if make == "link" else location + "-wal")
    with pytest.raises(StoreError, match="must be a regular file"):
        open_store(location)
    assert not target.exists() and not os.path.exists("/dev/null-journal")
