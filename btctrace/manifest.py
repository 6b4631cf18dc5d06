"""``manifest.json``: the provenance block of an output folder.

It records what ran (btctrace, Python and dependency versions), with what (the exact parameters,
API base URL, seeds), on what evidence (SHA-256 of the case file, the tag files and the
cassette, plus a digest of every recorded response), and what came out (SHA-256 of every output
file). It is the one file that holds the time of the run. ``btctrace verify`` reads it back.
Paths are stored relative to the output folder, so a case folder can be moved as a whole.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from btctrace.cache.cassettes import Cassette
from btctrace.cache.provenance import environment, interaction_digests, sha256_file
from btctrace.errors import OutputError
from btctrace.tags import tagpack_files

if TYPE_CHECKING:
    from btctrace.runner import TraceJob

__all__ = ["MANIFEST_NAME", "MANIFEST_SCHEMA", "job_parameters", "build_manifest", "write_manifest", "relative_to"]

MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA = "btctrace.manifest/1"


def relative_to(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(folder).resolve())).as_posix()


def job_parameters(job: "TraceJob") -> dict[str, Any]:
    limits = job.limits
    return {
        "seeds": [{"kind": s.kind, "value": s.value, "vout": s.vout} for s in job.seeds],
        "network": job.network, "direction": job.direction.value, "hops": limits.hops, "min_value_sats": limits.min_value,
        "since": limits.since, "until": limits.until, "max_transactions": limits.max_transactions,
        "large_address_tx_count": limits.large_address_tx_count, "max_seed_history": limits.max_seed_history,
        "max_fan_out": limits.max_fan_out,
        "stop_categories": sorted(limits.stop_categories), "through_coinjoins": limits.through_coinjoins,
        "peel_continuation_only": limits.peel_continuation_only,
        "fallback_urls": list(job.fallback_urls), "cross_check": job.cross_check,
        "max_response_bytes": job.max_response_bytes,
        "workers": job.workers, "collapse_threshold": job.collapse_threshold, "allow_collapse": job.allow_collapse,
        "cluster_change": job.cluster_change, "chart_by_time": job.chart_by_time, "sankey_method": job.sankey_method,
    }


def _file_entry(path: Path, out_dir: Path) -> dict[str, str]:
    return {"path": relative_to(path, out_dir), "sha256": sha256_file(path)}


def build_manifest(job: "TraceJob", api_url: str, mode: str, files: list[Path],
                   explorers: dict[str, Any] | None = None) -> dict[str, Any]:
    out_dir = job.out_dir
    cassette_path = job.offline or job.record
    cassette = None
    if cassette_path is not None:
        loaded = Cassette.load(cassette_path)
        cassette = {**_file_entry(cassette_path, out_dir), "interactions": len(loaded.interactions),
                    "interaction_sha256": interaction_digests(loaded)}
    return {
        "schema": MANIFEST_SCHEMA,
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "environment": environment(),
        "mode": mode,
        "api_url": api_url,
        "explorers": explorers or {"api_urls": [api_url]},
        "parameters": job_parameters(job),
        "case": {"id": job.case.id, "title": job.case.title, "synthetic": job.case.synthetic,
                 "file": _file_entry(job.case_file, out_dir) if job.case_file else None},
        "tags": [_file_entry(path, out_dir) for given in job.tag_paths for path in tagpack_files(Path(given))],
        "cassette": cassette,
        "outputs": {path.name: sha256_file(path) for path in files},
    }


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    path = out_dir / MANIFEST_NAME
    try:
        path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(str(path), exc.strerror or str(exc)) from exc
    return path
