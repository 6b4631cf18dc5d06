"""Hashes and versions for the chain of custody: file SHA-256, per-interaction digests of a
cassette (so a changed response can be named), and the versions of what ran."""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from btctrace.cache.cassettes import Cassette
from btctrace.version import __version__

__all__ = ["DEPENDENCIES", "CassetteFacts", "sha256_file", "interaction_digests", "cassette_facts", "environment",
           "changed_interactions"]

DEPENDENCIES = ("requests", "urllib3", "networkx", "pandas", "numpy", "matplotlib", "click", "vcrpy", "embit",
                "PyYAML", "orjson")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def interaction_digests(cassette: Cassette) -> dict[str, str]:
    """``"GET <uri>"`` -> SHA-256 of its status and body, for every interaction."""
    digests = {}
    for (method, uri), item in sorted(cassette.interactions.items()):
        response = item["response"]
        payload = f"{response['status']['code']}\n{response['body']['string']}".encode("utf-8")
        digests[f"{method} {uri}"] = hashlib.sha256(payload).hexdigest()
    return digests


@dataclass(frozen=True)
class CassetteFacts:
    """What the manifest and the report state about a cassette: its interactions, their
    digests (:func:`interaction_digests`) and the first and last time a response was fetched."""

    interactions: int
    digests: dict[str, str]
    fetched: tuple[str, str] | None


_FACTS: dict[tuple, CassetteFacts] = {}


def cassette_facts(path: Path, loaded: Cassette | None = None) -> CassetteFacts:
    """The facts of the cassette file *path*, from *loaded* (that file, already loaded) or by
    loading it; kept for the file as it is (path, inode, size, modification time), so a run
    loads and hashes its cassette once, not once per exhibit."""
    status = os.stat(path)
    key = (str(Path(path).resolve()), status.st_ino, status.st_size, status.st_mtime_ns)
    facts = _FACTS.get(key)
    if facts is None:
        cassette = loaded if loaded is not None else Cassette.load(path)
        fetched = sorted(str(i["response"]["fetched_at"]) for i in cassette.interactions.values()
                         if i["response"].get("fetched_at"))
        facts = CassetteFacts(len(cassette.interactions), interaction_digests(cassette),
                              (fetched[0], fetched[-1]) if fetched else None)
        _FACTS.clear()  # one cassette at a time: a 100,000-transaction case's digests are 30 MB
        _FACTS[key] = facts
    return facts


def changed_interactions(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    """Human-readable differences between two digest maps: changed, missing, added."""
    problems = [f"changed: {key}" for key in sorted(recorded) if key in now and now[key] != recorded[key]]
    problems += [f"missing: {key}" for key in sorted(set(recorded) - set(now))]
    problems += [f"added: {key}" for key in sorted(set(now) - set(recorded))]
    return problems


def environment() -> dict[str, object]:
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {
        "btctrace": __version__,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "dependencies": versions,
    }
