"""GraphSense TagPack loading (``graphsense-tagpack-tool`` ``tagpack_schema.yaml``).

A TagPack is YAML with header fields (``title``, ``creator``, ``tags`` and optional defaults
such as ``category``, ``source``, ``confidence``, ``currency``) that every tag inherits unless it
sets its own. Only Bitcoin tags are kept; tags for other currencies are counted, not used.

TagPacks come from outside: a file must be a regular file (not a FIFO or device), YAML aliases
are refused (TagPacks do not need them, and an alias bomb would expand without bound when read),
and every tag field must be a plain scalar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from btctrace.errors import TagFileError
from btctrace.files import clean_text, read_regular_text

__all__ = ["Tag", "TagIndex", "load_tagpacks", "tagpack_files"]

_INHERITED = ("label", "category", "source", "confidence", "currency", "actor", "abuse")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Tag:
    address: str
    label: str
    category: str
    source: str
    confidence: str
    actor: str
    abuse: str
    tagpack: str


@dataclass
class TagIndex:
    """Tags by address (first file wins on conflicts; files are read in sorted order)."""

    by_address: dict[str, Tag] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    skipped_other_currency: int = 0

    def get(self, address: str | None) -> Tag | None:
        return self.by_address.get(address) if address else None

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


def _refuse_aliases(path: Path, data: Any) -> None:
    """A mapping or list met twice is an alias (``*name``): refused, before anything expands it."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                raise TagFileError(str(path), "uses YAML aliases (&anchor / *alias), which TagPacks do not need: refused")
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)


def _read_tagpack(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(read_regular_text(path), Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split())[:160]
        raise TagFileError(str(path), f"cannot be read ({type(exc).__name__}: {detail})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tags"), list):
        raise TagFileError(str(path), "has no 'tags' list")
    _refuse_aliases(path, data)
    return data


def _plain(path: Path, key: str, value: Any) -> str:
    """A tag field as text: scalars only (a list or mapping is refused); lone surrogates, which
    no output encoding can hold, are replaced."""
    if isinstance(value, (dict, list, set, tuple, bytes)):
        raise TagFileError(str(path), f"field {key!r} is a {type(value).__name__}, not plain text")
    return clean_text(str(value or ""))


def _tag_from(item: dict[str, Any], header: dict[str, Any], path: Path) -> Tag | None:
    merged = {key: header.get(key) for key in _INHERITED}
    merged.update({key: item[key] for key in _INHERITED if item.get(key) is not None})
    text = {key: _plain(path, key, merged[key]) for key in _INHERITED}
    address = _plain(path, "address", item.get("address")).strip()
    if not address:
        return None
    if address.lower().startswith("bc1"):
        address = address.lower()
    return Tag(address=address, label=text["label"], category=text["category"], source=text["source"],
               confidence=text["confidence"], actor=text["actor"], abuse=text["abuse"], tagpack=path.name)


def load_tagpacks(paths: list[str | Path]) -> TagIndex:
    """Load every TagPack file named (files, or folders searched for ``*.yaml``)."""
    index = TagIndex()
    for given in paths:
        for file in tagpack_files(Path(given)):
            data = _read_tagpack(file)
            index.files.append(str(file))
            for item in data["tags"]:
                if not isinstance(item, dict):
                    continue
                currency = _plain(file, "currency", item.get("currency") or data.get("currency") or "BTC").upper()
                if currency != "BTC":
                    index.skipped_other_currency += 1
                    continue
                tag = _tag_from(item, data, file)
                if tag is not None:
                    index.by_address.setdefault(tag.address, tag)
    return index
