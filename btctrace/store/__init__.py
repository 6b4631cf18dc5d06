"""The investigation store: an evidence cache of final explorer answers, attributions (TagPacks,
sanctions lists, address lists, Ransomwhere) and the cases run, in SQLite (embedded, the default)
or PostgreSQL (shared by a team), behind one small interface. Only :mod:`~btctrace.store.database`
talks to the database driver; the network is never touched here (the evidence cache is consulted
by the recording transport in :mod:`btctrace.cache.cassettes`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from btctrace.store.cases import CaseItem, CaseLink, CaseRecord, CaseTouch, case_links, cases_touching, register_case
from btctrace.store.database import STORE_ENV, Database, default_store_location, open_database
from btctrace.store.evidence import EvidenceCache
from btctrace.store.importing import import_source
from btctrace.store.tag_sources import ListDefaults
from btctrace.store.tag_store import ImportOutcome
from btctrace.store.schema import migrate
from btctrace.store.tag_store import TagStats, lookup_tags, tag_stats
from btctrace.tags import Tag

__all__ = ["STORE_ENV", "Store", "default_store_location", "open_store"]


@dataclass
class Store:
    db: Database
    created: bool = False  # this opening made the store (it did not exist before)

    @property
    def location(self) -> str:
        return self.db.location

    def lookup(self, addresses: Iterable[str]) -> dict[str, list[Tag]]:
        return lookup_tags(self.db, addresses)

    def stats(self) -> TagStats:
        return tag_stats(self.db)

    def evidence_cache(self) -> EvidenceCache:
        return EvidenceCache(self.db)

    def register(self, record: CaseRecord) -> None:
        register_case(self.db, record)

    def touching(self, item: str) -> list[CaseTouch]:
        return cases_touching(self.db, item)

    def links(self, case_id: str, items: list[CaseItem] | None = None) -> list[CaseLink]:
        return case_links(self.db, case_id, items)

    def import_file(self, kind: str, path: Path, defaults: ListDefaults | None = None,
                    progress: Callable[[ImportOutcome], None] | None = None,
                    origin: tuple[str, str] = ("", "")) -> list[ImportOutcome]:
        """Import an attribution file (or a folder of TagPacks): see :mod:`btctrace.store.importing`."""
        return import_source(self.db, kind, path, defaults, progress, origin)

    def close(self) -> None:
        self.db.close()


def open_store(location: str | None = None) -> Store:
    """Open (creating and migrating as needed) the store at *location*, default
    :func:`default_store_location`."""
    db = open_database(location or default_store_location())
    try:
        applied = migrate(db)
    except BaseException:
        db.close()
        raise
    return Store(db, created=1 in applied)
