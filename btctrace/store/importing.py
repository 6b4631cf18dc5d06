"""``btctrace tags import``: read one attribution file (or every TagPack of a folder) and store its
tags, each file with its SHA-256 and import time.

A file's identity in the store is its kind and its path under the import root (the folder
given, or the file's own name when a file is given), so ``packs/2023/sanctions.yaml`` and
``packs/2024/sanctions.yaml`` are two sources, not one replacing the other. What the user says
about a plain list (label, category, source, ``--sanctions``, date) is part of the import's
meaning: the same file imported again with another meaning is imported again, never skipped as
unchanged (issue 32: a list re-imported with ``--sanctions`` was skipped and never flagged).

A file is read and checked whole before the write transaction begins, so a long parse never
holds the store's write lock; an import that finds no Bitcoin address to keep is refused.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterator

from btctrace.cache.provenance import sha256_file
from btctrace.errors import TagFileError, TagSourceError, UsageProblem
from btctrace.store.database import Database
from btctrace.store.tag_sources import ListDefaults, read_address_list, read_ofac_xml, read_ransomwhere
from btctrace.store.tag_store import ImportOutcome, TagImport, import_tags
from btctrace.tags import Tag, calendar_date, checked_tag, iter_tagpack, tagpack_files

__all__ = ["import_source"]

_WHAT = {"tagpack": "TagPack", "ofac": "OFAC sdn_advanced.xml", "list": "address list",
         "ransomwhere": "Ransomwhere export"}


def _tagpack_tags(file: Path, counts: dict[str, int]) -> Iterator[Tag]:
    for tag in iter_tagpack(file):
        if tag is None:
            counts["other_currency"] = counts.get("other_currency", 0) + 1
        else:
            yield tag


def _files(kind: str, path: Path) -> list[tuple[Path, str]]:
    """Each file to import with its identity: its path under the import root."""
    if kind == "tagpack":
        files = tagpack_files(path)
        if not files:
            raise TagFileError(str(path), "holds no TagPack (*.yaml or *.yml) file; give --kind for another kind of file")
        return [(file, file.relative_to(path).as_posix() if path.is_dir() else file.name) for file in files]
    if path.is_dir():
        raise UsageProblem(f"{path} is a folder", f"--kind {kind} takes one file; only TagPacks are read from folders")
    if not path.is_file():
        raise TagFileError(str(path), "no such regular file")
    return [(path, path.name)]


def _reader(kind: str, file: Path, counts: dict[str, int], defaults: ListDefaults | None) -> Iterator[Tag]:
    if kind == "tagpack":
        return _tagpack_tags(file, counts)
    if kind == "ofac":
        return read_ofac_xml(file, counts)
    if kind == "ransomwhere":
        return read_ransomwhere(file, counts)
    if defaults is None:
        raise UsageProblem("a plain address list needs --label, --category and --source",
                           "Say what the addresses are, e.g. --label 'OFAC SDN (0xB10C list)' --category sanction "
                           "--source https://github.com/0xB10C/ofac-sanctioned-digital-currency-addresses --sanctions")
    return read_address_list(file, defaults, counts)


def _meaning(kind: str, defaults: ListDefaults | None) -> str:
    """What the user said the file is, as part of the import's identity (lists only: the
    other kinds say it themselves)."""
    return json.dumps(asdict(defaults), sort_keys=True) if kind == "list" and defaults is not None else ""


def _checked_tags(kind: str, file: Path, counts: dict[str, int], defaults: ListDefaults | None) -> list[Tag]:
    """Every tag of *file*, read and checked (outside any transaction)."""
    tags = [checked for tag in _reader(kind, file, counts, defaults)
            if (checked := checked_tag(tag, counts)) is not None]
    if not tags and not counts.get("other_currency"):
        raise TagSourceError(str(file), _WHAT[kind], f"holds no Bitcoin mainnet address to import "
                                                     f"({counts.get('skipped', 0):,} entries skipped)")
    return tags


def import_source(db: Database, kind: str, path: Path, defaults: ListDefaults | None = None,
                  progress: Callable[[ImportOutcome], None] | None = None,
                  origin: tuple[str, str] = ("", "")) -> list[ImportOutcome]:
    """Import *path* as *kind* (``tagpack``, ``ofac``, ``list`` or ``ransomwhere``); a folder of
    TagPacks imports each file. *origin*: the URL the file was downloaded from and when
    (``tags fetch``). One outcome per file, in file order."""
    if defaults is not None and defaults.listed_on and not calendar_date(defaults.listed_on):
        raise UsageProblem(f"--listed-on {defaults.listed_on!r} is not a date", "Give it as YYYY-MM-DD")
    outcomes = []
    meaning = _meaning(kind, defaults)
    for file, identity in _files(kind, path):
        counts: dict[str, int] = {}
        found = TagImport(f"{kind}:{identity}", kind, str(file), sha256_file(file), meaning, *origin)
        outcome = import_tags(db, found, lambda: _checked_tags(kind, file, counts, defaults), counts)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes
