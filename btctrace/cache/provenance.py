"""Hashes and versions for the chain of custody: file SHA-256, per-interaction digests of a
cassette (so a changed response can be named), and the versions of what ran."""

from __future__ import annotations

import hashlib
import platform
import sys
from importlib import metadata
from pathlib import Path

from btctrace import __version__
from btctrace.cache.cassettes import Cassette

__all__ = ["DEPENDENCIES", "sha256_file", "interaction_digests", "environment", "changed_interactions"]

DEPENDENCIES = ("requests", "urllib3", "networkx", "pandas", "numpy", "matplotlib", "click", "vcrpy", "embit",
                "PyYAML")


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
