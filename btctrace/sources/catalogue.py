"""Where the public attribution sources are published, what kind of file each is, the import
options it needs, and how old an import may grow before it is called stale
(``../shared/docs/attribution-explorer-reference.md`` §1: GraphSense TagPacks, OFAC's SDN list,
0xB10C's extract of it, Ransomwhere)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from btctrace.store.tag_sources import ListDefaults
from btctrace.store.tag_store import TagSource

__all__ = ["PUBLIC_SOURCES", "PublicSource", "SourceAge", "source_age", "stale_after_days"]


@dataclass(frozen=True)
class PublicSource:
    name: str
    url: str
    kind: str  # tagpack | ofac | list | ransomwhere (btctrace tags import --kind)
    file_name: str  # the file kept beside the store
    what: str
    defaults: ListDefaults | None = None  # a plain list: what its addresses are
    archive_folder: str = ""  # a zip: the folder of TagPacks inside it


PUBLIC_SOURCES: dict[str, PublicSource] = {source.name: source for source in (
    PublicSource("graphsense", "https://github.com/graphsense/graphsense-tagpacks/archive/refs/heads/master.zip",
                 "tagpack", "graphsense-tagpacks.zip",
                 "GraphSense public TagPacks: exchanges, ransomware, sextortion, hacks (archive of the repository)",
                 archive_folder="packs"),
    PublicSource("ofac", "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML",
                 "ofac", "sdn_advanced.xml", "OFAC's SDN list (ADVANCED_XML): address, party, entry, listing date"),
    PublicSource("ofac-0xb10c",
                 "https://raw.githubusercontent.com/0xB10C/ofac-sanctioned-digital-currency-addresses/lists/"
                 "sanctioned_addresses_XBT.txt", "list", "sanctioned_addresses_XBT.txt",
                 "0xB10C's nightly extract of OFAC's XBT addresses (addresses only)",
                 defaults=ListDefaults("OFAC SDN (0xB10C list)", "sanction",
                                       "https://github.com/0xB10C/ofac-sanctioned-digital-currency-addresses",
                                       sanctions=True)),
    PublicSource("ransomwhere", "https://api.ransomwhe.re/export", "ransomwhere", "ransomwhere-export.json",
                 "Ransomwhere's crowd-sourced ransomware payment addresses (data licence unclear)"),
)}

# Days after which an import is stale: sanctions lists change weekly or faster; the others slowly.
_STALE_DAYS = {"ofac": 7, "sanctions list": 7, "list": 90, "ransomwhere": 30, "tagpack": 90}


def stale_after_days(kind: str, sanctions: bool) -> int:
    """How many days an import of *kind* stays fresh (a sanctions list: 7)."""
    return _STALE_DAYS["sanctions list" if kind == "list" and sanctions else kind]


@dataclass(frozen=True)
class SourceAge:
    days: int  # since it was fetched (or, when imported from a file, since it was imported)
    limit: int
    fetched: bool  # by btctrace tags fetch

    @property
    def stale(self) -> bool:
        return self.days > self.limit


def _is_sanctions(source: TagSource) -> bool:
    try:
        return bool(json.loads(source.meaning).get("sanctions")) if source.meaning else False
    except (ValueError, AttributeError):
        return False


def source_age(source: TagSource, now: datetime | None = None) -> SourceAge:
    """How old the imported *source* is, against how old it may grow."""
    now = now or datetime.now(timezone.utc)
    when = source.fetched_at or source.imported_at
    try:
        then = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        days = max(0, (now - then).days)
    except ValueError:
        days = 10**6  # no readable time: treated as stale
    return SourceAge(days, stale_after_days(source.kind, _is_sanctions(source)), bool(source.fetched_at))
