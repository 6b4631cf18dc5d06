"""``btctrace tags import``: read one attribution file (or every TagPack of a folder) and store its
tags, each file with its SHA-256 and import time."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from btctrace.cache.provenance import sha256_file
from btctrace.errors import TagFileError, UsageProblem
from btctrace.store.database import Database
from btctrace.store.tag_sources import ListDefaults, read_address_list, read_ofac_xml, read_ransomwhere
from btctrace.store.tag_store import ImportOutcome, import_tags
from btctrace.tags import Tag, iter_tagpack, tagpack_files

__all__ = ["import_source"]


def _tagpack_tags(file: Path, counts: dict[str, int]) -> Iterator[Tag]:
    for tag in iter_tagpack(file):
        if tag is None:
            counts["other_currency"] = counts.get("other_currency", 0) + 1
        else:
            yield tag


def _files(kind: str, path: Path) -> list[Path]:
    if kind == "tagpack":
        return tagpack_files(path)
    if path.is_dir():
        raise UsageProblem(f"{path} is a folder", f"--kind {kind} takes one file; only TagPacks are read from folders")
    if not path.is_file():
        raise TagFileError(str(path), "no such regular file")
    return [path]


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


def import_source(db: Database, kind: str, path: Path, defaults: ListDefaults | None = None,
                  progress: "callable | None" = None) -> list[ImportOutcome]:
    """Import *path* as *kind* (``tagpack``, ``ofac``, ``list`` or ``ransomwhere``); a folder of
    TagPacks imports each file. One outcome per file, in file order."""
    outcomes = []
    for file in _files(kind, path):
        counts: dict[str, int] = {}
        name = f"{kind}:{file.name}"
        outcome = import_tags(db, name, kind, str(file), sha256_file(file), _reader(kind, file, counts, defaults),
                              counts)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes
