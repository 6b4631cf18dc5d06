"""What a run took from the store, pinned in its output folder (``store_snapshot.json``, hashed
in the manifest): every tag the store answered for the addresses the trace touched, and the
links to other cases found at the time. ``verify`` and an offline rerun given the snapshot read
these instead of the store, so they never depend on the store's later state."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from btctrace import safejson
from btctrace.errors import ManifestError
from btctrace.files import read_regular_text
from btctrace.store.cases import CaseLink
from btctrace.tags import Tag

__all__ = ["SNAPSHOT_NAME", "SNAPSHOT_SCHEMA", "StoreView"]

SNAPSHOT_NAME = "store_snapshot.json"
SNAPSHOT_SCHEMA = "btctrace-store-snapshot/1"
_TAG_FIELDS = {f.name: f.type for f in fields(Tag)}


@dataclass
class StoreView:
    """The store as one run saw it. ``kind`` (``sqlite`` or ``postgresql``) is None when the run
    used no store; where the store lives is in the manifest only, so that exhibits do not depend
    on a path on the investigator's machine."""

    kind: str | None = None
    tags: dict[str, tuple[Tag, ...]] = field(default_factory=dict)
    case_links: list[CaseLink] = field(default_factory=list)

    def lookup(self, addresses: list[str]) -> dict[str, list[Tag]]:
        """The pinned tags, answering like the store did (for a rerun from the snapshot)."""
        return {a: list(self.tags[a]) for a in addresses if a in self.tags}

    def to_json(self) -> str:
        document = {
            "schema": SNAPSHOT_SCHEMA,
            "store": self.kind,
            "tags": [asdict(tag) for address in sorted(self.tags) for tag in self.tags[address]],
            "case_links": [link.to_json() for link in self.case_links],
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, path: Path) -> "StoreView":
        try:
            data = safejson.loads(read_regular_text(path))
            if data.get("schema") != SNAPSHOT_SCHEMA:
                raise ValueError(f"schema {data.get('schema')!r} is not {SNAPSHOT_SCHEMA}")
            if data["store"] not in (None, "sqlite", "postgresql"):
                raise ValueError(f"unknown store kind {data['store']!r}")
            view = cls(kind=data["store"])
            for entry in data["tags"]:
                view.tags.setdefault(entry["address"], ())
                view.tags[entry["address"]] += (_tag(entry),)
            view.case_links = [CaseLink.from_json(link) for link in data["case_links"]]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(str(path), f"the store snapshot cannot be read ({type(exc).__name__}: {exc})") from None
        return view


def _tag(entry: dict[str, Any]) -> Tag:
    if set(entry) != set(_TAG_FIELDS):
        raise ValueError(f"a tag has fields {sorted(entry)}, not {sorted(_TAG_FIELDS)}")
    for name, value in entry.items():
        expected = bool if name in ("sanctions", "cluster_definer") else str
        if not isinstance(value, expected):
            raise ValueError(f"tag field {name!r} is not {expected.__name__}")
    return Tag(**entry)
