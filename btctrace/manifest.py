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
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from btctrace.cache.provenance import cassette_facts, environment, sha256_file
from btctrace.exports.writing.atomic import MANIFEST_NAME, write_text
from btctrace.job import TraceJob
from btctrace.reference import reference_implementation
from btctrace.tags import tagpack_files
from btctrace.urls import public_url

__all__ = ["MANIFEST_NAME", "MANIFEST_SCHEMA", "TAINT_MANIFEST_NAME", "TAINT_MANIFEST_SCHEMA", "write_taint_manifest", "UNSTATED_IN_OUTPUTS", "job_parameters", "stated_parameters", "build_manifest", "write_manifest", "relative_to",
           "manifest_problem"]

MANIFEST_SCHEMA = "btctrace.manifest/1"


def relative_to(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(folder).resolve())).as_posix()


# Parameters no output depends on (the walk's order is fixed whatever the number of workers):
# stated by the manifest only, and named as such by verify.
UNSTATED_IN_OUTPUTS = ("workers",)


def stated_parameters(job: TraceJob) -> dict[str, Any]:
    """The parameters ``trace.json`` states (``run_parameters``): all the manifest's but
    :data:`UNSTATED_IN_OUTPUTS`, so a rerun with the same outputs has the same parameters."""
    return {k: v for k, v in job_parameters(job).items() if k not in UNSTATED_IN_OUTPUTS}


def job_parameters(job: TraceJob) -> dict[str, Any]:
    limits = job.limits
    return {
        "seeds": [{"kind": s.kind, "value": s.value, "vout": s.vout} for s in job.seeds],
        "network": job.network, "direction": job.direction.value, "hops": limits.hops, "min_value_sats": limits.min_value,
        "since": limits.since, "until": limits.until, "max_transactions": limits.max_transactions,
        "large_address_tx_count": limits.large_address_tx_count, "max_seed_history": limits.max_seed_history,
        "max_fan_out": limits.max_fan_out,
        "stop_categories": sorted(limits.stop_categories), "through_coinjoins": limits.through_coinjoins,
        "peel_continuation_only": limits.peel_continuation_only,
        "fallback_urls": [public_url(url) for url in job.fallback_urls], "cross_check": job.cross_check,
        "max_response_bytes": job.max_response_bytes,
        "workers": job.workers, "collapse_threshold": job.collapse_threshold, "allow_collapse": job.allow_collapse,
        "cluster_change": job.cluster_change, "chart_by_time": job.chart_by_time, "sankey_method": job.sankey_method,
        "attribute_endpoints": job.attribute_endpoints, "prove_all": job.prove_all,
        "require_proofs": job.require_proofs,
    }


def _file_entry(path: Path, out_dir: Path) -> dict[str, str]:
    return {"path": relative_to(path, out_dir), "sha256": sha256_file(path)}


def build_manifest(job: TraceJob, api_url: str, mode: str, files: list[Path],
                   explorers: dict[str, Any] | None = None, run_id: str = "") -> dict[str, Any]:
    out_dir = job.out_dir
    cassette_path = job.offline or job.record
    cassette = None
    if cassette_path is not None:
        facts = cassette_facts(cassette_path)
        cassette = {**_file_entry(cassette_path, out_dir), "interactions": facts.interactions,
                    "interaction_sha256": facts.digests}
    return {
        "schema": MANIFEST_SCHEMA,
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run_id": run_id,  # also in the metadata of the cassette this run recorded (mode "record")
        "environment": environment(),
        "mode": mode,
        "api_url": api_url,
        "explorers": explorers or {"api_urls": [api_url]},
        "second_opinion": reference_implementation(),  # the CoinJoin reference the outputs quote, if any
        "parameters": job_parameters(job),
        "case": {**job.case.as_json(), "file": _file_entry(job.case_file, out_dir) if job.case_file else None},
        "tags": [_file_entry(path, out_dir) for given in job.tag_paths for path in tagpack_files(Path(given))],
        "cassette": cassette,
        "notes": _file_entry(job.notes_path, out_dir) if job.notes_path else None,
        "price_table": _file_entry(job.price_table, out_dir) if job.price_table else None,
        "outputs": {path.name: sha256_file(path) for path in files},
    }


TAINT_MANIFEST_NAME = "taint_manifest.json"
TAINT_MANIFEST_SCHEMA = "btctrace.taint-manifest/1"


def write_taint_manifest(folder: Path, files: list[Path], trace_sha256: str,
                         seeds: list[tuple[str, int]] | None, methods: tuple[str, ...]) -> Path:
    """What ``btctrace taint`` wrote into *folder*, from which ``trace.json`` (its SHA-256) and
    with which seeds and methods: ``verify`` reruns it and compares, so nothing under ``taint/``
    passes unchecked."""
    document = {"schema": TAINT_MANIFEST_SCHEMA, "trace_sha256": trace_sha256,
                "seeds": [[txid, vout] for txid, vout in seeds] if seeds else None, "methods": list(methods),
                "outputs": {path.name: sha256_file(path) for path in files}}
    path = folder / TAINT_MANIFEST_NAME
    write_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return path


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    path = out_dir / MANIFEST_NAME
    write_text(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path


_HEX64 = re.compile(r"[0-9a-f]{64}")
_NONE = type(None)
# parameters -> accepted types; the optional ones came in later versions (defaults apply)
_PARAMETERS: dict[str, tuple[type, ...]] = {
    "seeds": (list,), "direction": (str,), "hops": (int,), "min_value_sats": (int,), "since": (int, _NONE),
    "until": (int, _NONE), "max_transactions": (int,), "large_address_tx_count": (int,), "max_seed_history": (int,),
    "stop_categories": (list,), "through_coinjoins": (bool,), "peel_continuation_only": (bool,), "workers": (int,),
    "collapse_threshold": (int,), "allow_collapse": (bool,), "cluster_change": (bool,), "chart_by_time": (bool,),
    "sankey_method": (str,),
}
_OPTIONAL_PARAMETERS: dict[str, tuple[type, ...]] = {
    "max_fan_out": (int,), "fallback_urls": (list,), "cross_check": (int,), "max_response_bytes": (int,),
    "network": (str,), "attribute_endpoints": (int,), "prove_all": (bool,), "require_proofs": (bool,),
}


def _typed(value: Any, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _file_entry_problem(name: str, entry: Any) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or \
            not (isinstance(entry.get("sha256"), str) and _HEX64.fullmatch(entry["sha256"])):
        return f"{name} should be an object with a 'path' and a 64-hex 'sha256'"
    return ""


def _parameters_problem(parameters: Any) -> str:
    if not isinstance(parameters, dict):
        return "'parameters' should be an object"
    for key, types in {**_PARAMETERS, **_OPTIONAL_PARAMETERS}.items():
        if key not in parameters:
            if key in _PARAMETERS:
                return f"parameters.{key} is missing"
            continue
        if not _typed(parameters[key], types):
            return f"parameters.{key} should be {' or '.join('null' if t is _NONE else t.__name__ for t in types)}"
    for seed in parameters["seeds"]:
        if not (isinstance(seed, dict) and seed.get("kind") in ("address", "tx", "outpoint") and
                isinstance(seed.get("value"), str) and _typed(seed.get("vout"), (int, _NONE))):
            return "parameters.seeds should hold {kind, value, vout} objects"
    if not parameters["seeds"] or not all(isinstance(c, str) for c in parameters["stop_categories"]):
        return "parameters.seeds should not be empty and stop_categories should be strings"
    if parameters["direction"] not in ("forward", "backward"):
        return "parameters.direction should be forward or backward"
    return ""


def manifest_problem(manifest: Any) -> str:
    """What makes *manifest* unusable for ``btctrace verify`` (the first problem found), or ""."""
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        return f"not a {MANIFEST_SCHEMA} manifest"
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict) or not outputs or not all(
            isinstance(name, str) and "/" not in name and name not in ("", ".", "..") and isinstance(digest, str)
            and _HEX64.fullmatch(digest) for name, digest in outputs.items()):
        return "'outputs' should name each output file with its 64-hex sha256"
    if not isinstance(manifest.get("api_url"), str):
        return "'api_url' should be a string"
    case, cassette, tags = manifest.get("case"), manifest.get("cassette"), manifest.get("tags", [])
    if not isinstance(case, dict) or not all(_typed(case.get(k), t) for k, t in
                                             (("id", (str,)), ("title", (str,)), ("synthetic", (bool,)))):
        return "'case' should be an object with id, title and synthetic"
    problems = [_file_entry_problem("case.file", case["file"]) if case.get("file") is not None else "",
                _file_entry_problem("cassette", cassette) if cassette is not None else "",
                "" if isinstance(tags, list) else "'tags' should be a list",
                _file_entry_problem("notes", manifest["notes"]) if manifest.get("notes") is not None else "",
                _file_entry_problem("price_table", manifest["price_table"])
                if manifest.get("price_table") is not None else ""]
    problems += [_file_entry_problem("a tags entry", entry) for entry in (tags if isinstance(tags, list) else [])]
    if cassette is not None and not problems[1] and not isinstance(cassette.get("interaction_sha256", {}), dict):
        problems.append("cassette.interaction_sha256 should be an object")
    return next((problem for problem in problems if problem), "") or _parameters_problem(manifest.get("parameters"))
