"""Verify an output folder against its manifest: is the evidence unchanged, and does an offline
rerun from the recorded responses give the same bytes?

Order matters for a court: first the evidence (case file, tag files, cassette, down to each
recorded response), then the output files as they lie, then the rerun. A changed cassette is
named, with the responses that changed, and no rerun is trusted from it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from btctrace import safejson
from btctrace.addresses import MAINNET
from btctrace.cache.cassettes import Cassette
from btctrace.cache.provenance import changed_interactions, interaction_digests, sha256_file
from btctrace.errors import BtctraceError, ManifestError
from btctrace.exports import CaseInfo
from btctrace.manifest import MANIFEST_NAME, MANIFEST_SCHEMA
from btctrace.runner import TraceJob, run_trace
from btctrace.tracing.result import Direction, Seed, TraceLimits

__all__ = ["Check", "VerifyReport", "verify_outputs"]

_SHOWN_CHANGES = 5


@dataclass(frozen=True)
class Check:
    subject: str
    ok: bool
    detail: str


@dataclass
class VerifyReport:
    out_dir: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


def _load_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST_NAME
    try:
        manifest = safejson.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(str(path), "there is no manifest: was this folder written by btctrace?") from None
    except (OSError, ValueError) as exc:
        raise ManifestError(str(path), f"unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        raise ManifestError(str(path), f"not a {MANIFEST_SCHEMA} manifest")
    return manifest


def _check_file(subject: str, entry: dict[str, str], out_dir: Path) -> Check:
    path = out_dir / entry["path"]
    shown = os.path.normpath(path)
    if not path.exists():
        return Check(subject, False, f"{shown} is missing")
    actual = sha256_file(path)
    if actual != entry["sha256"]:
        return Check(subject, False, f"{shown} CHANGED: sha256 {actual}, recorded {entry['sha256']}")
    return Check(subject, True, f"{shown} sha256 {actual}")


def _check_cassette(entry: dict[str, Any] | None, out_dir: Path) -> Check:
    if entry is None:
        return Check("cassette", False, "the run was live without --record: there is nothing to replay")
    check = _check_file("cassette", entry, out_dir)
    if check.ok or not (out_dir / entry["path"]).exists():
        return check
    try:
        now = interaction_digests(Cassette.load(out_dir / entry["path"]))
    except BtctraceError as exc:
        return Check("cassette", False, f"{check.detail}; {exc.message}")
    changes = changed_interactions(entry["interaction_sha256"], now) or ["formatting or metadata only"]
    shown = "; ".join(changes[:_SHOWN_CHANGES]) + (f"; and {len(changes) - _SHOWN_CHANGES} more"
                                                   if len(changes) > _SHOWN_CHANGES else "")
    return Check("cassette", False, f"{check.detail}: {shown}")


def _evidence_checks(manifest: dict[str, Any], out_dir: Path, case_file: Path | None) -> list[Check]:
    checks = []
    recorded_case = (manifest.get("case") or {}).get("file")
    if case_file is not None:
        actual = sha256_file(case_file)
        expected = recorded_case["sha256"] if recorded_case else None
        checks.append(Check("case file", actual == expected,
                            f"{case_file} sha256 {actual}" if actual == expected else
                            f"{case_file} (sha256 {actual}) is not the case file of this run ({expected})"))
    elif recorded_case:
        checks.append(_check_file("case file", recorded_case, out_dir))
    checks.extend(_check_file("tags", entry, out_dir) for entry in manifest.get("tags", []))
    checks.append(_check_cassette(manifest.get("cassette"), out_dir))
    return checks


def _job_from(manifest: dict[str, Any], out_dir: Path, rerun_dir: Path) -> TraceJob:
    p = manifest["parameters"]
    limits = TraceLimits(
        hops=p["hops"], min_value=p["min_value_sats"], since=p["since"], until=p["until"],
        max_transactions=p["max_transactions"], large_address_tx_count=p["large_address_tx_count"],
        max_seed_history=p["max_seed_history"], stop_categories=frozenset(p["stop_categories"]),
        through_coinjoins=p["through_coinjoins"], peel_continuation_only=p["peel_continuation_only"],
        max_fan_out=p.get("max_fan_out", TraceLimits.max_fan_out),
    )
    case = manifest.get("case") or {}
    return TraceJob(
        seeds=tuple(Seed(s["kind"], s["value"], s["vout"]) for s in p["seeds"]), out_dir=rerun_dir,
        direction=Direction(p["direction"]), limits=limits, network=p.get("network", MAINNET), api_url=manifest["api_url"],
        fallback_urls=tuple(p.get("fallback_urls", ())), cross_check=p.get("cross_check", 0),
        max_response_bytes=p.get("max_response_bytes", TraceJob.max_response_bytes),
        offline=out_dir / manifest["cassette"]["path"],
        tag_paths=tuple(out_dir / entry["path"] for entry in manifest.get("tags", [])),
        workers=p["workers"], force=True, collapse_threshold=p["collapse_threshold"],
        allow_collapse=p["allow_collapse"], cluster_change=p["cluster_change"], chart_by_time=p["chart_by_time"],
        sankey_method=p["sankey_method"],
        case=CaseInfo(case.get("id", ""), case.get("title", ""), bool(case.get("synthetic"))),
        case_file=out_dir / case["file"]["path"] if case.get("file") else None,
    )


def _output_checks(manifest: dict[str, Any], out_dir: Path, rerun_dir: Path | None) -> list[Check]:
    checks = []
    for name, recorded in sorted(manifest["outputs"].items()):
        path = out_dir / name
        lying = sha256_file(path) if path.exists() else None
        if rerun_dir is None:
            checks.append(Check(f"output {name}", lying == recorded,
                                "unchanged since the run" if lying == recorded else "CHANGED or missing since the run"))
            continue
        rerun = sha256_file(rerun_dir / name)
        same = rerun == recorded
        state = "byte-identical on rerun" if same else f"DIFFERS on rerun (sha256 {rerun}, recorded {recorded})"
        if lying != recorded:
            state += "; the file in the folder CHANGED or is missing since the run"
        checks.append(Check(f"output {name}", same and lying == recorded, state))
    return checks


def verify_outputs(out_dir: Path, case_file: Path | None = None) -> VerifyReport:
    """Check the evidence, then rerun offline and compare every output file, byte for byte."""
    manifest = _load_manifest(out_dir)
    report = VerifyReport(out_dir, _evidence_checks(manifest, out_dir, case_file))
    if not report.ok:
        report.checks.extend(_output_checks(manifest, out_dir, None))
        report.checks.append(Check("rerun", False, "not run: the evidence differs from the run's (see above)"))
        return report
    with tempfile.TemporaryDirectory(prefix="btctrace-verify-") as scratch:
        rerun_dir = Path(scratch)
        run_trace(_job_from(manifest, out_dir, rerun_dir))
        report.checks.extend(_output_checks(manifest, out_dir, rerun_dir))
    return report
