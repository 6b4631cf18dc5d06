"""The store's schema, as numbered migrations applied in order, once, under a lock (SQLite's
``BEGIN IMMEDIATE``; a PostgreSQL advisory lock), so several processes opening a new store at
once apply each migration exactly once. A store written by a newer btctrace is refused rather
than misread.

The same SQL runs on both servers: TEXT and INTEGER/BIGINT columns, text keys (no
auto-increment, whose syntax differs), integers 0/1 for flags.
"""

from __future__ import annotations

from datetime import datetime, timezone

from btctrace.errors import StoreError
from btctrace.store.database import Database

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]

MIGRATIONS: list[tuple[int, str, tuple[str, ...]]] = [
    (1, "evidence cache, attributions, cases", (
        # Answers that cannot change: confirmed transactions and fully spent outspends.
        """CREATE TABLE evidence (
            resource TEXT PRIMARY KEY, source_url TEXT NOT NULL, fetched_at TEXT NOT NULL,
            sha256 TEXT NOT NULL, status INTEGER NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL,
            block_height BIGINT, tip_height BIGINT NOT NULL, stored_at TEXT NOT NULL)""",
        # One row per imported file; re-importing a file of the same name replaces its tags.
        """CREATE TABLE tag_sources (
            name TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
            imported_at TEXT NOT NULL, tags BIGINT NOT NULL, skipped BIGINT NOT NULL, published TEXT NOT NULL)""",
        """CREATE TABLE tags (
            address TEXT NOT NULL, source_name TEXT NOT NULL REFERENCES tag_sources (name) ON DELETE CASCADE,
            label TEXT NOT NULL, category TEXT NOT NULL, actor TEXT NOT NULL, abuse TEXT NOT NULL,
            source TEXT NOT NULL, confidence TEXT NOT NULL, entry TEXT NOT NULL, listed_on TEXT NOT NULL,
            sanctions INTEGER NOT NULL, cluster_definer INTEGER NOT NULL)""",
        "CREATE INDEX tags_address ON tags (address)",
        "CREATE INDEX tags_source ON tags (source_name)",
        """CREATE TABLE cases (
            case_id TEXT PRIMARY KEY, title TEXT NOT NULL, registered_at TEXT NOT NULL, out_dir TEXT NOT NULL,
            seeds TEXT NOT NULL, transactions BIGINT NOT NULL, addresses BIGINT NOT NULL)""",
        """CREATE TABLE case_items (
            case_id TEXT NOT NULL REFERENCES cases (case_id) ON DELETE CASCADE, kind TEXT NOT NULL,
            item TEXT NOT NULL, hop BIGINT, role TEXT NOT NULL, cluster TEXT NOT NULL,
            PRIMARY KEY (case_id, kind, item))""",
        "CREATE INDEX case_items_item ON case_items (item)",
    )),
    (2, "import meaning, evidence quarantine", (
        # What the user said a plain list is: part of an import's identity (issue 32).
        "ALTER TABLE tag_sources ADD COLUMN meaning TEXT NOT NULL DEFAULT ''",
        # Kept answers found at fault (a fresh answer differed, or the row was unreadable),
        # moved out of the cache with the reason and kept for the examiner.
        """CREATE TABLE evidence_quarantine (
            resource TEXT NOT NULL, source_url TEXT, fetched_at TEXT, sha256 TEXT, status INTEGER,
            content_type TEXT, body TEXT, block_height BIGINT, tip_height BIGINT, stored_at TEXT,
            reason TEXT NOT NULL, quarantined_at TEXT NOT NULL)""",
    )),
    (3, "where a fetched attribution file came from", (
        # btctrace tags fetch: the public URL a file was downloaded from, and when.
        "ALTER TABLE tag_sources ADD COLUMN source_url TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE tag_sources ADD COLUMN fetched_at TEXT NOT NULL DEFAULT ''",
    )),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
_LOCK_KEY = 0x62746374  # "btct": the PostgreSQL advisory lock taken while migrating


def schema_version(db: Database) -> int:
    """The highest migration applied (0 for a new store)."""
    rows = db.query("SELECT MAX(version) FROM store_schema")
    return int(rows[0][0] or 0)


def _up_to_date(db: Database) -> bool:
    """True when the store needs no migration: read without the write lock, so opening a store
    never waits on a writer (issue 32: a long import locked ``tags lookup`` out)."""
    try:
        return schema_version(db) == SCHEMA_VERSION
    except StoreError:
        return False  # a new store (no store_schema table yet)


def migrate(db: Database) -> list[int]:
    """Apply the migrations this store lacks; the versions applied (none when up to date)."""
    if _up_to_date(db):
        return []
    applied: list[int] = []
    with db.transaction():
        if db.kind == "postgresql":
            db.query("SELECT pg_advisory_xact_lock(?)", (_LOCK_KEY,))
        db.execute("CREATE TABLE IF NOT EXISTS store_schema (version INTEGER PRIMARY KEY, "
                   "description TEXT NOT NULL, applied_at TEXT NOT NULL)")
        current = schema_version(db)
        if current > SCHEMA_VERSION:
            raise StoreError(db.location, f"its schema is version {current}, newer than this btctrace knows "
                                          f"({SCHEMA_VERSION})", "Upgrade btctrace to use this store")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for version, description, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO store_schema (version, description, applied_at) VALUES (?, ?, ?)",
                       (version, description, now))
            applied.append(version)
    return applied
