"""GraphSense TagPack loading (``graphsense-tagpack-tool`` ``tagpack_schema.yaml``).

A TagPack is YAML with header fields (``title``, ``creator``, ``tags`` and optional defaults
such as ``category``, ``source``, ``confidence``, ``currency``) that every tag inherits unless it
sets its own. Only Bitcoin tags are kept; tags for other currencies are counted, not used.

TagPacks come from outside: a file must be a regular file (not a FIFO or device), YAML aliases
are refused (TagPacks do not need them, and an alias bomb would expand without bound when read),
and every tag field must be a plain scalar.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml

from btctrace.addresses import canonical_address
from btctrace.errors import TagFileError
from btctrace.files import clean_text, read_regular_text

__all__ = ["CONFIDENCE_LEVELS", "TEXT_LIMIT", "Tag", "calendar_date", "checked_tag", "TagIndex", "TagLookup", "iter_tagpack", "load_tagpacks", "tagpack_files"]

_INHERITED = ("label", "category", "source", "confidence", "currency", "actor", "abuse")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# GraphSense's confidence levels (graphsense-lib ``tagpack/db/confidence.csv``): higher wins
# when one address carries several tags.
CONFIDENCE_LEVELS = {
    "override": 100, "ownership": 100, "ledger_immanent": 100, "manual_transaction": 90, "service_api": 70,
    "forensic_investigation": 70, "authority_data": 60, "trusted_provider": 50, "service_data": 50, "forensic": 50,
    "untrusted_transaction": 40, "web_crawl": 20, "heuristic": 10, "unknown": 5,
}


@dataclass(frozen=True, slots=True)
class Tag:
    address: str
    label: str
    category: str
    source: str
    confidence: str
    actor: str
    abuse: str
    tagpack: str  # the file the tag came from
    kind: str = "tagpack"  # what the file was: tagpack | ofac | list | ransomwhere
    entry: str = ""  # a sanctions list's entry (OFAC profile id and party name)
    listed_on: str = ""  # the date the entry was listed (sanctions) or the file published
    sanctions: bool = False  # from a sanctions list: flagged wherever the address appears
    cluster_definer: bool = False  # GraphSense is_cluster_definer
    file_sha256: str = ""  # of the imported file (store tags)
    imported_at: str = ""  # when the file was imported into the store

    @property
    def confidence_level(self) -> int:
        return CONFIDENCE_LEVELS.get(self.confidence, 0)

    @property
    def is_sanction(self) -> bool:
        """On a sanctions list, or a TagPack tag whose abuse or category is ``sanction``."""
        return self.sanctions or "sanction" in (self.abuse, self.category)


TagLookup = Callable[[list[str]], dict[str, list[Tag]]]

# The longest text field a tag keeps (label, category, source, actor, abuse, entry), applied
# where tags enter btctrace: TagPacks read for a run and every store import. A label is a name,
# not a document; GraphSense's longest public labels run to about 200 characters, and an
# unbounded one broke spreadsheet cells (Excel holds 32,767 characters) and every chart (issue 32).
TEXT_LIMIT = 1_000
_BOUNDED = ("label", "category", "source", "confidence", "actor", "abuse", "entry", "listed_on")


def _cut(text: str) -> str:
    note = f"… [cut: {len(text):,} characters]"
    return text[:TEXT_LIMIT - len(note)] + note


def calendar_date(text: str) -> str:
    """*text* when it is a calendar date ``YYYY-MM-DD``, else empty."""
    try:
        return text if len(text) == 10 and date.fromisoformat(text) else ""
    except ValueError:
        return ""


def _add(counts: dict[str, int], name: str, number: int = 1) -> None:
    counts[name] = counts.get(name, 0) + number


def checked_tag(tag: Tag, counts: dict[str, int]) -> Tag | None:
    """*tag* as btctrace keeps it, wherever tags enter (a run's TagPacks, every store import):
    its address a canonical mainnet address (else None, counted as ``skipped``); ``listed_on``
    a calendar date or empty (counted as ``bad_dates``); each text field at most
    :data:`TEXT_LIMIT` characters, a longer one cut and saying so (counted as ``cut_fields``)."""
    address = canonical_address(tag.address)
    if address is None:
        _add(counts, "skipped")
        return None
    changes: dict[str, str] = {name: _cut(getattr(tag, name)) for name in _BOUNDED
                               if len(getattr(tag, name)) > TEXT_LIMIT}
    _add(counts, "cut_fields", len(changes))
    listed_on = calendar_date(changes.get("listed_on", tag.listed_on))
    if listed_on != tag.listed_on:
        _add(counts, "bad_dates", 1 if tag.listed_on else 0)
        changes["listed_on"] = listed_on
    if address != tag.address:
        changes["address"] = address
    return replace(tag, **changes) if changes else tag


def _rank(tag: Tag) -> tuple:
    """Order of an address's tags, the one shown first: a service's own tag before a sanctions
    entry (the walk stops at services by category), then the highest GraphSense confidence,
    then the label."""
    return tag.is_sanction, -tag.confidence_level, tag.label, tag.tagpack


@dataclass
class TagIndex:
    """Tags by address. Files: the first file wins on conflicts (read in sorted order). A
    backing *lookup* (the store) is asked once per address not in the files, and what it
    answered is kept in ``from_store``, so a run can pin exactly the tags it used."""

    by_address: dict[str, Tag] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    skipped_other_currency: int = 0
    checks: dict[str, int] = field(default_factory=dict)  # what checked_tag skipped, cut or blanked
    lookup: TagLookup | None = None
    all_tags: dict[str, tuple[Tag, ...]] = field(default_factory=dict)  # every tag, files' and store's
    from_store: dict[str, tuple[Tag, ...]] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def get(self, address: str | None) -> Tag | None:
        if not address:
            return None
        tag = self.by_address.get(address)
        if tag is None and self.lookup is not None and address not in self.asked:
            self.prefetch([address])
            tag = self.by_address.get(address)
        return tag

    def every(self, address: str | None) -> tuple[Tag, ...]:
        """All tags of *address* (files' and store's), the primary first."""
        if not address:
            return ()
        self.get(address)
        tags = self.all_tags.get(address)
        if tags:
            return tags
        tag = self.by_address.get(address)
        return (tag,) if tag else ()

    def prefetch(self, addresses: Iterable[str]) -> None:
        """Ask the backing store about every address not asked yet, in one batch."""
        if self.lookup is None:
            return
        with self._lock:
            wanted = sorted({a for a in addresses if a and a not in self.asked})
            if not wanted:
                return
            found = self.lookup(wanted)
            self.asked.update(wanted)
            for address, tags in sorted(found.items()):
                self.add_store_tags(address, tags)

    def add_store_tags(self, address: str, tags: Iterable[Tag]) -> None:
        ordered = tuple(sorted(tags, key=_rank))
        if not ordered:
            return
        self.from_store[address] = ordered
        file_tag = self.by_address.get(address)
        self.all_tags[address] = ((file_tag,) if file_tag else ()) + ordered
        if file_tag is None:
            self.by_address[address] = ordered[0]

    def sanctioned(self) -> dict[str, tuple[Tag, ...]]:
        """Addresses with a sanctions tag, and those tags."""
        found = {a: tuple(t for t in self.every(a) if t.is_sanction) for a in set(self.by_address) | set(self.all_tags)}
        return {a: tags for a, tags in sorted(found.items()) if tags}

    def not_used(self) -> dict[str, int]:
        """What the TagPack files held that no tag of the run carries, or carries cut: tags of
        another currency, addresses that are no mainnet address, fields cut, dates left blank."""
        counts = {"other_currency": self.skipped_other_currency, "not_a_mainnet_address": self.checks.get("skipped", 0),
                  "fields_cut": self.checks.get("cut_fields", 0), "dates_blank": self.checks.get("bad_dates", 0)}
        return {name: number for name, number in counts.items() if number}

    def __len__(self) -> int:
        return len(self.by_address)


def tagpack_files(path: Path) -> list[Path]:
    """The TagPack files a path names: the file itself, or the YAML files in a folder."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    if path.is_file():
        return [path]
    if path.exists():
        raise TagFileError(str(path), "is not a regular file or folder (a FIFO or device?)")
    raise TagFileError(str(path), "no such file or folder")


def _refuse_aliases(path: Path, text: str) -> None:
    """Any alias (``*name``), of a scalar as of a mapping or list, is refused before anything
    expands it: the parser's events are read first (issue 32: a 107 KB TagPack of scalar aliases
    filled a 200 MB store)."""
    if "*" not in text:
        return  # no alias can be written without an asterisk
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise TagFileError(str(path), "uses YAML aliases (&anchor / *alias), which TagPacks do not need: refused")
    except yaml.YAMLError:
        return  # the load below reports the file as unreadable


def _read_tagpack(path: Path) -> dict[str, Any]:
    try:
        text = read_regular_text(path)
        _refuse_aliases(path, text)
        data = yaml.load(text, Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split())[:160]
        raise TagFileError(str(path), f"cannot be read ({type(exc).__name__}: {detail})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tags"), list):
        raise TagFileError(str(path), "has no 'tags' list")
    return data


def _plain(path: Path, key: str, value: Any) -> str:
    """A tag field as text: scalars only (a list or mapping is refused); lone surrogates, which
    no output encoding can hold, are replaced."""
    if isinstance(value, str) and value.isascii() and "\x00" not in value:
        return value  # the common case, and nothing to clean
    if isinstance(value, (dict, list, set, tuple, bytes)):
        raise TagFileError(str(path), f"field {key!r} is a {type(value).__name__}, not plain text")
    return clean_text(str(value or ""))


_PER_TAG = (*_INHERITED, "is_cluster_definer", "lastmod")


def _header_fields(header: dict[str, Any], path: Path) -> dict[str, Any]:
    """The header's defaults, as text, worked out once per file."""
    fields = {key: _plain(path, key, header.get(key)) for key in (*_INHERITED, "lastmod")}
    fields["is_cluster_definer"] = header.get("is_cluster_definer") is True
    return fields


def _tag_from(item: dict[str, Any], defaults: dict[str, Any], path: Path) -> Tag | None:
    text = dict(defaults)
    for key in _PER_TAG:
        value = item.get(key)
        if value is not None:
            text[key] = value is True if key == "is_cluster_definer" else _plain(path, key, value)
    address = _plain(path, "address", item.get("address")).strip()
    if not address:
        return None
    return Tag(address=address, label=text["label"], category=text["category"], source=text["source"],
               confidence=text["confidence"], actor=text["actor"], abuse=text["abuse"], tagpack=path.name,
               listed_on=text["lastmod"][:10], cluster_definer=text["is_cluster_definer"])


def iter_tagpack(file: Path) -> Iterator[Tag | None]:
    """Every Bitcoin tag of one TagPack file, in file order, as written (the caller checks each
    with :func:`checked_tag`); ``None`` for each tag of another currency (counted by the
    caller, never used)."""
    data = _read_tagpack(file)
    defaults = _header_fields(data, file)
    header_currency = _plain(file, "currency", data.get("currency") or "BTC").strip().upper()
    for item in data["tags"]:
        if not isinstance(item, dict):
            continue
        given = item.get("currency")
        currency = header_currency if given is None else _plain(file, "currency", given).strip().upper()
        if currency != "BTC":
            yield None
            continue
        tag = _tag_from(item, defaults, file)
        if tag is not None:
            yield tag


def load_tagpacks(paths: list[str | Path]) -> TagIndex:
    """Load every TagPack file named (files, or folders searched for ``*.yaml``)."""
    index = TagIndex()
    for given in paths:
        for file in tagpack_files(Path(given)):
            index.files.append(str(file))
            for tag in iter_tagpack(file):
                if tag is None:
                    index.skipped_other_currency += 1
                    continue
                tag = checked_tag(tag, index.checks)
                if tag is not None:
                    index.by_address.setdefault(tag.address, tag)
    return index
