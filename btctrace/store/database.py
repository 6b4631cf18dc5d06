"""One small database interface over SQLite (embedded, the default) and PostgreSQL (a team's
shared store), so the store's modules write one SQL dialect: ``?`` placeholders, ``ON CONFLICT``
upserts and plain types that both servers read the same way.

SQLite runs in WAL mode with a busy timeout, so several btctrace processes can read while one
writes (https://www.sqlite.org/wal.html); PostgreSQL gives each :meth:`Database.transaction` a
real transaction. A connection is shared by the walk's worker threads behind one lock.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from btctrace.errors import MissingDependency, StoreError
from btctrace.urls import public_url

__all__ = ["STORE_ENV", "Database", "default_store_location", "open_database", "redact_location", "storable",
           "typed_row"]

STORE_ENV = "BTCTRACE_STORE"
_BUSY_TIMEOUT_MS = 30_000
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_REPAIR = "The store was changed outside btctrace: restore it from a backup, or start a new store with --store"


def default_store_location() -> str:
    """``$BTCTRACE_STORE``, else ``store.sqlite`` in the user's data folder (XDG)."""
    given = os.environ.get(STORE_ENV)
    if given:
        return given
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "btctrace" / "store.sqlite")


def redact_location(location: str) -> str:
    """The location as it may be printed or written into a manifest: no password."""
    if not location.startswith(_POSTGRES_SCHEMES):
        return location
    return public_url(location.split("?", 1)[0], keep_user=True)


def storable(values: Sequence[Any]) -> Sequence[Any]:
    """*values* as both servers store them alike: a NUL inside text, which PostgreSQL refuses
    (SQLite keeps it), becomes U+FFFD, so one NUL in a label cannot fail a whole import or run
    on one server only (issue 32). Values without one are passed through as they are."""
    if not any(isinstance(value, str) and "\x00" in value for value in values):
        return values
    return tuple(value.replace("\x00", "\ufffd") if isinstance(value, str) else value for value in values)


def typed_row(db: "Database", table: str, row: Sequence[Any], types: Sequence[type | tuple[type, ...]]) -> tuple:
    """*row* checked against the types its columns hold (``str``, ``int``, ``(int, type(None))``).
    SQLite keeps whatever a hand edit writes into a column, so a value of another type is a
    :class:`StoreError` naming the table, never a traceback further on (issue 32)."""
    if len(row) != len(types):
        raise StoreError(db.location, f"a row of {table} has {len(row)} columns, not {len(types)}", _REPAIR)
    for position, (value, wanted) in enumerate(zip(row, types)):
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise StoreError(db.location, f"a row of {table} holds {type(value).__name__} {str(value)[:40]!r} in "
                                          f"column {position + 1}, where the schema has "
                                          f"{getattr(wanted, '__name__', 'a number or nothing')}", _REPAIR)
    return tuple(row)


class Database:
    """A connection with the few operations the store needs. ``kind`` is ``sqlite`` or
    ``postgresql``; SQL is written with ``?`` placeholders and translated for PostgreSQL."""

    def __init__(self, connection: Any, kind: str, location: str) -> None:
        self.connection = connection
        self.kind = kind
        self.location = redact_location(location)
        self.lock = threading.RLock()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.kind == "postgresql" else sql

    def _failed(self, exc: Exception) -> StoreError:
        return StoreError(self.location, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")

    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        """Everything inside commits together or not at all (SQLite: ``BEGIN IMMEDIATE``, so
        two writers queue on the busy timeout instead of failing half-way)."""
        with self.lock:
            if self.kind == "postgresql":
                try:
                    with self.connection.transaction():
                        yield self
                except Exception as exc:
                    if type(exc).__module__.startswith("psycopg"):
                        raise self._failed(exc) from exc
                    raise
                return
            try:
                self.connection.execute("BEGIN IMMEDIATE")
                yield self
                self.connection.execute("COMMIT")
            except BaseException as exc:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._failed(exc) from exc
                raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self.lock:
            self._run(lambda cursor: cursor.execute(self._sql(sql), storable(params)))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.lock:
            self._run(lambda cursor: cursor.executemany(self._sql(sql), (storable(row) for row in rows)))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.lock:
            return self._run(lambda cursor: (cursor.execute(self._sql(sql), storable(params)), cursor.fetchall())[1])

    def _run(self, action: Any) -> Any:
        cursor = self.connection.cursor()
        try:
            return action(cursor)
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                raise self._failed(exc) from exc
            raise
        finally:
            cursor.close()

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk insert: PostgreSQL's ``COPY`` (one round trip), SQLite's ``executemany``."""
        if self.kind == "postgresql":
            with self.lock:
                self._run(lambda cursor: _copy(cursor, table, columns, (storable(row) for row in rows)))
            return
        marks = ", ".join("?" for _ in columns)
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def close(self) -> None:
        with self.lock:
            self.connection.close()


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _refuse_unless_regular(path: Path) -> None:
    """The store and the files SQLite keeps beside it must be regular files or absent: never a
    link (written through) nor a device (issue 32: ``--store /dev/null`` made ``/dev/null-journal``)."""
    for name in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        try:
            mode = os.lstat(name).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(str(path), f"cannot be opened ({exc.strerror or exc})") from None
        if not stat.S_ISREG(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise StoreError(str(path), f"{name} is {kind}: the store must be a regular file",
                             "Give --store a new or existing SQLite file (or a postgresql:// URL)")


def _open_sqlite(location: str) -> Database:
    path = Path(location.removeprefix("sqlite:///").removeprefix("sqlite://"))
    _refuse_unless_regular(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(str(path), f"cannot be opened ({type(exc).__name__}: {exc})") from None
    # isolation_level=None: no implicit transactions; Database.transaction() begins its own.
    return Database(connection, "sqlite", str(path))


def _open_postgresql(location: str) -> Database:
    try:
        import psycopg
    except ImportError:
        raise MissingDependency("a PostgreSQL store", "psycopg[binary]") from None
    try:
        connection = psycopg.connect(location, connect_timeout=10, autocommit=True)
    except psycopg.Error as exc:
        raise StoreError(redact_location(location), f"cannot connect ({' '.join(str(exc).split())[:200]})") from None
    return Database(connection, "postgresql", location)


def open_database(location: str) -> Database:
    """Open the store at *location*: a ``postgresql://`` URL, or an SQLite file path."""
    if location.startswith(_POSTGRES_SCHEMES):
        return _open_postgresql(location)
    return _open_sqlite(location)
