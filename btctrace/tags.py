"""GraphSense TagPack loading (``graphsense-tagpack-tool`` ``tagpack_schema.yaml``).

A TagPack is YAML with header fields (``title``, ``creator``, ``tags`` and optional defaults
such as ``category``, ``source``, ``confidence``, ``currency``) that every tag inherits unless it
sets its own. Only Bitcoin tags are kept; tags for other currencies are counted, not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from btctrace.errors import TagFileError

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
    raise TagFileError(str(path), "no such file or folder")


def _read_tagpack(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TagFileError(str(path), f"cannot be read ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tags"), list):
        raise TagFileError(str(path), "has no 'tags' list")
    return data


def _tag_from(item: dict[str, Any], header: dict[str, Any], tagpack: str) -> Tag | None:
    merged = {key: header.get(key) for key in _INHERITED}
    merged.update({key: item[key] for key in _INHERITED if item.get(key) is not None})
    address = str(item.get("address") or "").strip()
    if not address:
        return None
    if address.lower().startswith("bc1"):
        address = address.lower()
    return Tag(
        address=address,
        label=str(merged["label"] or ""),
        category=str(merged["category"] or ""),
        source=str(merged["source"] or ""),
        confidence=str(merged["confidence"] or ""),
        actor=str(merged["actor"] or ""),
        abuse=str(merged["abuse"] or ""),
        tagpack=tagpack,
    )


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
                currency = str(item.get("currency") or data.get("currency") or "BTC").upper()
                if currency != "BTC":
                    index.skipped_other_currency += 1
                    continue
                tag = _tag_from(item, data, file.name)
                if tag is not None:
                    index.by_address.setdefault(tag.address, tag)
    return index
