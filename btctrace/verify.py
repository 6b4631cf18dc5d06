"""Verify an output folder against its manifest: is the evidence unchanged, and does an offline
rerun from the recorded responses give the same bytes?

Order matters for a court: first the evidence (case file, tag files, cassette, down to each
recorded response), then the output files as they lie, then the rerun. A changed cassette is
named, with the responses that changed, and no rerun is trusted from it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from btctrace import safejson
from btctrace.addresses import MAINNET
from btctrace.cache.cassettes import Cassette
from btctrace.cache.provenance import cassette_facts, changed_interactions, interaction_digests, sha256_file
from btctrace.errors import BtctraceError, ManifestError, SigningError
from btctrace.case import CaseInfo
from btctrace.files import read_regular_text
from btctrace.exports.writing.atomic import INCOMPLETE_MARKER
from btctrace.manifest import MANIFEST_NAME, TAINT_MANIFEST_NAME, TAINT_MANIFEST_SCHEMA, manifest_problem
from btctrace.reference import REFERENCE_EXTRA, reference_implementation
from btctrace.store.snapshot import SNAPSHOT_NAME
from btctrace.job import TraceJob
from btctrace.exports.interchange.trace_json import read_trace_document
from btctrace.runner import run_taint, run_trace
from btctrace.signing import SIGNATURE_NAME, check_signature, load_public_key
from btctrace.statements import Check, explorer_log_checks, statement_checks
from btctrace.tracing.result import Direction, Seed, TraceLimits

__all__ = ["Check", "VerifyReport", "verify_outputs"]  # Check: btctrace.statements

_SHOWN_CHANGES = 5
_TAINT_FOLDER = "taint"  # where btctrace taint writes by default, after the run


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
        manifest = safejson.loads(read_regular_text(path))
    except FileNotFoundError:
        raise ManifestError(str(path), "there is no manifest: was this folder written by btctrace (to the end)?") from None
    except (OSError, ValueError) as exc:
        raise ManifestError(str(path), f"unreadable ({exc})") from None
    problem = manifest_problem(manifest)
    if problem:
        raise ManifestError(str(path), problem)
    return manifest


def _digest(path: Path) -> str | None:
    """The SHA-256 of a regular file; None when it is missing or anything else (a folder...)."""
    try:
        return sha256_file(path) if stat.S_ISREG(os.lstat(path).st_mode) else None
    except FileNotFoundError:
        return None


def _check_file(subject: str, entry: dict[str, str], out_dir: Path) -> Check:
    path = out_dir / entry["path"]
    shown = os.path.normpath(path)
    actual = _digest(path)
    if actual is None:
        return Check(subject, False, f"{shown} is missing (or not a regular file)")
    if actual != entry["sha256"]:
        return Check(subject, False, f"{shown} CHANGED: sha256 {actual}, recorded {entry['sha256']}")
    return Check(subject, True, f"{shown} sha256 {actual}")


def _check_cassette(entry: dict[str, Any] | None, out_dir: Path) -> Check:
    if entry is None:
        return Check("cassette", False, "the run was live without --record: there is nothing to replay")
    check = _check_file("cassette", entry, out_dir)
    if check.ok or _digest(out_dir / entry["path"]) is None:
        return check
    try:
        now = interaction_digests(Cassette.load(out_dir / entry["path"]))
    except BtctraceError as exc:
        return Check("cassette", False, f"{check.detail}; {exc.message}")
    changes = changed_interactions(entry.get("interaction_sha256", {}), now) or ["formatting or metadata only"]
    shown = "; ".join(changes[:_SHOWN_CHANGES]) + (f"; and {len(changes) - _SHOWN_CHANGES} more"
                                                   if len(changes) > _SHOWN_CHANGES else "")
    return Check("cassette", False, f"{check.detail}: {shown}")


def _evidence_checks(manifest: dict[str, Any], out_dir: Path, case_file: Path | None) -> list[Check]:
    checks = []
    recorded_case = manifest["case"].get("file")
    if case_file is not None:
        actual = _digest(case_file)
        expected = recorded_case["sha256"] if recorded_case else None
        checks.append(Check("case file", actual == expected,
                            f"{case_file} sha256 {actual}" if actual == expected else
                            f"{case_file} (sha256 {actual}) is not the case file of this run ({expected})"))
    elif recorded_case:
        checks.append(_check_file("case file", recorded_case, out_dir))
    checks.extend(_check_file("tags", entry, out_dir) for entry in manifest.get("tags", []))
    if manifest.get("notes"):
        checks.append(_check_file("analyst's notes", manifest["notes"], out_dir))
    if manifest.get("price_table"):
        checks.append(_check_file("price table", manifest["price_table"], out_dir))
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
    case = manifest["case"]
    return TraceJob(
        seeds=tuple(Seed(s["kind"], s["value"], s["vout"]) for s in p["seeds"]), out_dir=rerun_dir,
        direction=Direction(p["direction"]), limits=limits, network=p.get("network", MAINNET),
        api_url=manifest["api_url"], fallback_urls=tuple(p.get("fallback_urls", ())), cross_check=p.get("cross_check", 0),
        max_response_bytes=p.get("max_response_bytes", TraceJob.max_response_bytes),
        offline=out_dir / manifest["cassette"]["path"],
        tag_paths=tuple(out_dir / entry["path"] for entry in manifest.get("tags", [])),
        notes_path=out_dir / manifest["notes"]["path"] if manifest.get("notes") else None,
        workers=p["workers"], force=True, collapse_threshold=p["collapse_threshold"],
        allow_collapse=p["allow_collapse"], cluster_change=p["cluster_change"], chart_by_time=p["chart_by_time"],
        sankey_method=p["sankey_method"], case=CaseInfo.from_json(case),
        case_file=out_dir / case["file"]["path"] if case.get("file") else None,
        attribute_endpoints=p.get("attribute_endpoints", 0),
        prove_all=p.get("prove_all", False), require_proofs=p.get("require_proofs", False),
        price_table=out_dir / manifest["price_table"]["path"] if manifest.get("price_table") else None,
        # the store as the run saw it (pinned in the folder), never its later state
        store_snapshot=out_dir / SNAPSHOT_NAME if SNAPSHOT_NAME in manifest["outputs"] else None,
        no_store=SNAPSHOT_NAME not in manifest["outputs"],
    )


def _output_checks(recorded: dict[str, str], out_dir: Path, rerun_dir: Path | None) -> list[Check]:
    """One check per output file: listed in the manifest, written by the rerun, or both."""
    names = set(recorded) | ({p.name for p in rerun_dir.iterdir()} - {MANIFEST_NAME} if rerun_dir else set())
    checks = []
    for name in sorted(names):
        lying, listed = _digest(out_dir / name), recorded.get(name)
        if rerun_dir is None:
            checks.append(Check(f"output {name}", lying == listed,
                                "unchanged since the run" if lying == listed else "CHANGED or missing since the run"))
            continue
        rerun = _digest(rerun_dir / name)
        if listed is None or rerun is None:
            state = "not listed in the manifest, yet a rerun writes it" if listed is None else \
                "listed in the manifest, yet a rerun does not write it"
            checks.append(Check(f"output {name}", False, state))
            continue
        state = "byte-identical on rerun" if rerun == listed else f"DIFFERS on rerun (sha256 {rerun}, recorded {listed})"
        if lying != listed:
            state += "; the file in the folder CHANGED or is missing since the run"
        checks.append(Check(f"output {name}", rerun == listed and lying == listed, state))
    return checks


def _folder_checks(manifest: dict[str, Any], out_dir: Path) -> list[Check]:
    """The folder holds the run's outputs, its manifest and evidence, and nothing else."""
    present = {entry.name for entry in out_dir.iterdir()}
    evidence = {Path(os.path.normpath(out_dir / entry["path"])) for entry in
                [manifest["case"].get("file"), manifest.get("cassette"), *manifest.get("tags", [])] if entry}
    expected = set(manifest["outputs"]) | {MANIFEST_NAME, _TAINT_FOLDER, SIGNATURE_NAME} | \
        {path.name for path in evidence if path.parent == Path(os.path.normpath(out_dir))}
    checks = []
    if INCOMPLETE_MARKER in present:
        checks.append(Check("folder", False, f"marked {INCOMPLETE_MARKER}: the run that wrote it did not finish"))
    extra = sorted(present - expected - {INCOMPLETE_MARKER})
    if extra:
        checks.append(Check("folder", False, f"{len(extra)} file(s) the run did not write: {', '.join(extra[:10])}"))
    return checks


def _taint_manifest(folder: Path) -> dict[str, Any] | str:
    """The taint folder's manifest, or why it cannot be read."""
    try:
        document = safejson.loads(read_regular_text(folder / TAINT_MANIFEST_NAME))
    except (OSError, ValueError) as exc:
        return f"it holds no readable {TAINT_MANIFEST_NAME} ({type(exc).__name__}): its results cannot be checked"
    if not isinstance(document, dict) or document.get("schema") != TAINT_MANIFEST_SCHEMA or \
            not isinstance(document.get("outputs"), dict) or not isinstance(document.get("methods"), list):
        return f"its {TAINT_MANIFEST_NAME} is not a {TAINT_MANIFEST_SCHEMA} document"
    return document


def _taint_rerun(out_dir: Path, taint: dict[str, Any], folder: Path) -> list[Check]:
    """``btctrace taint`` rerun from the (verified) trace.json, its files compared byte for byte."""
    seeds = [(str(t), int(v)) for t, v in taint["seeds"]] if taint.get("seeds") else None
    with tempfile.TemporaryDirectory(prefix="btctrace-verify-taint-") as scratch:
        rerun = Path(scratch) / _TAINT_FOLDER
        try:
            run_taint(out_dir, seeds, tuple(taint["methods"]), rerun)
        except (BtctraceError, TypeError, ValueError) as exc:
            return [Check(f"{_TAINT_FOLDER}/", False, f"the taint rerun failed: {getattr(exc, 'message', exc)}")]
        checks = []
        for name, digest in sorted(taint["outputs"].items()):
            lying, again = _digest(folder / name), _digest(rerun / name)
            state = "byte-identical on rerun" if lying == digest == again else \
                "CHANGED since btctrace taint wrote it" if lying != digest else "DIFFERS on rerun"
            checks.append(Check(f"{_TAINT_FOLDER}/{name}", lying == digest == again, state))
        return checks


def _taint_checks(manifest: dict[str, Any], out_dir: Path) -> list[Check]:
    """Results ``btctrace taint`` wrote later into ``taint/``: from this run's trace.json, and
    the same on rerun; a link, a stray file or a missing manifest fails (nothing passes unchecked)."""
    folder = out_dir / _TAINT_FOLDER
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(mode):
        return [Check(f"{_TAINT_FOLDER}/", False, "is not a folder (a link?): refused")]
    taint = _taint_manifest(folder)
    if isinstance(taint, str):
        return [Check(f"{_TAINT_FOLDER}/", False, taint)]
    checks = [Check(f"{_TAINT_FOLDER}/", taint.get("trace_sha256") == manifest["outputs"].get("trace.json"),
                    "written by btctrace taint from this run's trace.json"
                    if taint.get("trace_sha256") == manifest["outputs"].get("trace.json")
                    else "written from another trace.json than this run's")]
    extra = sorted({p.name for p in folder.iterdir()} - set(taint["outputs"]) - {TAINT_MANIFEST_NAME})
    if extra:
        checks.append(Check(f"{_TAINT_FOLDER}/", False, f"holds file(s) btctrace taint did not write: {', '.join(extra[:10])}"))
    return checks + _taint_rerun(out_dir, taint, folder) if all(c.ok for c in checks) else checks


def _second_opinion_check(manifest: dict[str, Any]) -> list[Check]:
    """The outputs quote the reference implementation the run had; a rerun needs the same one."""
    recorded, here = manifest.get("second_opinion"), reference_implementation()
    if recorded == here:
        return []
    wanted = (f"pip install '{REFERENCE_EXTRA}' with {recorded.replace(' ', '==')}" if recorded
              else f"run it where {here.split()[0]} is not installed")
    return [Check("second opinion", False, f"the run quoted {recorded or 'no reference implementation'}, this "
                                           f"machine has {here or 'none'}: the outputs cannot match; {wanted}")]


def _statements(manifest: dict[str, Any], out_dir: Path) -> list[Check]:
    """The manifest's statements against the cassette and trace.json (both checked unchanged)."""
    path = out_dir / manifest["cassette"]["path"]
    unchanged = _digest(out_dir / "trace.json") == manifest["outputs"].get("trace.json")
    try:
        cassette, trace = Cassette.load(path), read_trace_document(out_dir) if unchanged else None
    except BtctraceError as exc:
        return [Check("statements", False, f"cannot be checked: {exc.message}")]
    return statement_checks(manifest, cassette, cassette_facts(path, cassette).fetched, trace)


def _signature_checks(out_dir: Path, signer_key: Path | None) -> list[Check]:
    """The examiner's signature (:mod:`btctrace.signing`), when there is one; with
    *signer_key*, one is required and must be that key's."""
    if not (out_dir / SIGNATURE_NAME).exists():
        if signer_key is not None:
            return [Check("signature", False, f"the folder is not signed, yet --signer-key {signer_key} was given")]
        return [Check("signature", True, "the folder is not signed: what is marked NOTE rests on the manifest alone",
                      stated_only=True)]
    try:
        result = check_signature(out_dir, load_public_key(signer_key) if signer_key is not None else None)
    except SigningError as exc:
        return [Check("signature", False, exc.message)]
    return [Check("signature", result.ok, result.detail)]


def verify_outputs(out_dir: Path, case_file: Path | None = None, signer_key: Path | None = None) -> VerifyReport:
    """Check the evidence, then rerun offline and compare every output file, byte for byte, and
    the folder's whole content with what the run wrote; check each statement of the manifest
    that can be re-derived (:mod:`btctrace.statements`)."""
    manifest = _load_manifest(out_dir)
    report = VerifyReport(out_dir, _signature_checks(out_dir, signer_key))
    report.checks.extend(_evidence_checks(manifest, out_dir, case_file))
    report.checks.extend(_folder_checks(manifest, out_dir))
    report.checks.extend(_second_opinion_check(manifest))
    if all(check.ok for check in report.checks):
        report.checks.extend(_statements(manifest, out_dir))
    if not all(check.ok for check in report.checks):
        report.checks.extend(_output_checks(manifest["outputs"], out_dir, None))
        report.checks.append(Check("rerun", False, "not run: the evidence, the folder or the machine differs from "
                                                   "the run's (see above)"))
        return report
    with tempfile.TemporaryDirectory(prefix="btctrace-verify-") as scratch:
        rerun_dir = Path(scratch)
        try:
            run_trace(_job_from(manifest, out_dir, rerun_dir))
        except BtctraceError as exc:
            report.checks.append(Check("rerun", False, f"the offline rerun failed: {exc.message}"))
            return report
        report.checks.extend(explorer_log_checks(manifest, safejson.loads((rerun_dir / MANIFEST_NAME).read_text())))
        report.checks.extend(_output_checks(manifest["outputs"], out_dir, rerun_dir))
    report.checks.extend(_taint_checks(manifest, out_dir))
    return report
