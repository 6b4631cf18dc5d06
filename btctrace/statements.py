"""Each statement of a manifest checked against what re-derives it (``btctrace verify``), and
those nothing in the folder can re-derive named as stated only (issue 32: an edited
``created_utc``, ``mode``, ``environment.btctrace``, ``explorers`` or parameter still verified).

What re-derives what:

- ``mode``: a recording names the run that made it (``run_id`` in the cassette's metadata and
  in the manifest); ``record`` must find its own id there, ``offline`` must not;
- ``created_utc``: not before the last answer the cassette holds was fetched (the time itself
  is stated only);
- ``environment.btctrace``: the version that recorded the cassette (``recorded_by``), and the
  version rerunning here; the rest of the environment is stated only;
- ``api_url`` and ``explorers.api_urls``: the cassette's metadata and the explorers its answers
  name (``served_by``), which are also the explorers ``explorers.answered`` counts (the counts
  themselves depend on the live run's workers and are stated only); ``refused``: the offline
  rerun, which meets the same answers from the same explorers (a refused answer is kept);
  ``switches`` between explorers named in ``api_urls`` (the failures that caused them, never
  answers, are not kept: stated only); ``rates``, ``evidence_store`` and ``store`` describe the
  run as it ran and are stated only;
- ``parameters`` and ``case``: ``trace.json`` (an output whose hash the manifest holds and
  which the rerun writes again) states them too; ``workers`` changes no output and is stated
  only.

A signature (:mod:`btctrace.signing`) binds what is stated only to an examiner's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from btctrace.cache.cassettes import Cassette
from btctrace.manifest import UNSTATED_IN_OUTPUTS
from btctrace.version import __version__

__all__ = ["Check", "explorer_log_checks", "statement_checks"]

_LOGGED = ("refused",)  # re-derived by the offline rerun (a refused answer is kept in the cassette)
_LIVE_ONLY = ("rates", "evidence_store", "store")


@dataclass(frozen=True)
class Check:
    subject: str
    ok: bool
    detail: str
    stated_only: bool = False  # nothing in the folder re-derives it: named, not failed


def _stated(subject: str, detail: str) -> Check:
    return Check(subject, True, detail, stated_only=True)


def _mode_check(manifest: dict[str, Any], cassette: Cassette) -> Check:
    mode, run_id, recorder = manifest.get("mode"), manifest.get("run_id"), cassette.metadata.get("run_id")
    if not run_id:
        return _stated("statement mode", f"{mode!r}: this manifest predates run ids; nothing re-derives it")
    if mode == "record":
        ok = recorder == run_id
        return Check("statement mode", ok, "'record': the cassette names this run as its recorder" if ok else
                     f"'record', but the cassette was recorded by run {recorder or '(none named)'}, not {run_id}")
    ok = recorder != run_id
    return Check("statement mode", ok, f"{mode!r}: the cassette was recorded by another run" if ok else
                 f"{mode!r}, but the cassette names this very run ({run_id}) as its recorder: it was 'record'")


def _utc(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text)[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None


def _created_check(manifest: dict[str, Any], fetched: tuple[str, str] | None) -> list[Check]:
    created = _utc(manifest.get("created_utc"))
    if created is None:
        return [Check("statement created_utc", False, f"{manifest.get('created_utc')!r} is not a UTC time")]
    last = _utc(fetched[1]) if fetched else None
    checks = [_stated("statement created_utc", f"{manifest['created_utc']}: the time itself is stated only")]
    if last is not None:
        checks.insert(0, Check("statement created_utc", created >= last,
                               f"not before the last answer the cassette holds ({fetched[1]})" if created >= last else
                               f"{manifest['created_utc']} is before the last answer the cassette holds was fetched "
                               f"({fetched[1]}): the run cannot have finished then"))
    return checks


def _environment_checks(manifest: dict[str, Any], cassette: Cassette) -> list[Check]:
    environment = manifest.get("environment") if isinstance(manifest.get("environment"), dict) else {}
    stated = environment.get("btctrace")
    checks = [Check("statement environment.btctrace", stated == __version__,
                    f"btctrace {stated}, as rerunning here" if stated == __version__ else
                    f"btctrace {stated!r}, but this is btctrace {__version__}: a rerun here cannot vouch for it")]
    if manifest.get("mode") == "record":
        recorded_by = cassette.metadata.get("recorded_by")
        checks.append(Check("statement environment.btctrace", recorded_by == f"btctrace {stated}",
                            f"the cassette was recorded by {recorded_by}"))
    rest = ", ".join(f"{key} {environment[key]}" for key in ("python", "implementation", "platform")
                     if key in environment)
    checks.append(_stated("statement environment", f"{rest} and the dependencies' versions are stated only"))
    return checks


def _explorer_checks(manifest: dict[str, Any], cassette: Cassette) -> list[Check]:
    explorers = manifest.get("explorers") if isinstance(manifest.get("explorers"), dict) else {}
    urls = explorers.get("api_urls", [])
    checks = [Check("statement api_url", bool(urls) and manifest.get("api_url") == urls[0],
                    f"{manifest.get('api_url')}, the first of explorers.api_urls {urls}")]
    served = {item["response"].get("served_by", "") for item in cassette.interactions.values()} - {""}
    strangers = sorted(url for url in served if not any(url.startswith(base + "/") for base in urls))
    checks.append(Check("statement explorers.api_urls", not strangers,
                        f"{len(urls)} explorer(s); every answer in the cassette came from one of them" if not strangers
                        else f"the cassette holds answers of explorers the manifest does not name: {strangers[:3]}"))
    checks.append(_answered_check(explorers, urls, cassette))
    if manifest.get("mode") == "record":
        recorded = [cassette.metadata.get("api_url"), *cassette.metadata.get("api_urls", [])]
        checks.append(Check("statement explorers.api_urls", recorded == urls,
                            "as the cassette's metadata names them" if recorded == urls else
                            f"the cassette was recorded from {recorded}, not {urls}"))
    switches = explorers.get("switches") or []
    strangers = sorted({url for switch in switches for url in (switch.get("failed"), switch.get("to"))} - set(urls))
    checks.append(Check("statement explorers.switches", not strangers,
                        f"{len(switches)} switch(es), between explorers it names (the failures are stated only)"
                        if not strangers else f"switches name explorers it does not: {strangers[:3]}"))
    live = [key for key in _LIVE_ONLY if key in explorers]
    if live:
        checks.append(_stated("statement explorers", f"{', '.join(live)} describe the run as it ran and are stated only"))
    return checks


def _answered_check(explorers: dict[str, Any], urls: list[str], cassette: Cassette) -> Check:
    """The explorers ``explorers.answered`` says answered are those the cassette's answers name
    (an answer of the first explorer carries no ``served_by``)."""
    stated = {url for url, count in (explorers.get("answered") or {}).items() if count}
    found = set()
    for item in cassette.interactions.values():
        served_by = item["response"].get("served_by") or item["request"]["uri"]
        found.update(base for base in urls if served_by.startswith(base + "/") or served_by.startswith(base + "?"))
    ok = stated <= found  # an explorer asked only for the tip height has answers but no counted call
    return Check("statement explorers.answered", ok,
                 "every explorer it counts has answers in the cassette (the counts are stated only)" if ok else
                 f"it counts answers of {sorted(stated - found)}, of which the cassette holds none")


def explorer_log_checks(manifest: dict[str, Any], rerun: dict[str, Any]) -> list[Check]:
    """``explorers.refused`` against the offline rerun's."""
    stated, again = manifest.get("explorers") or {}, rerun.get("explorers") or {}
    checks = []
    for key in _LOGGED:
        ok = stated.get(key, []) == again.get(key, [])
        checks.append(Check(f"statement explorers.{key}", ok, "as the offline rerun finds" if ok else
                            f"the manifest states {str(stated.get(key))[:120]}, the rerun finds {str(again.get(key))[:120]}"))
    return checks


def _parameter_checks(manifest: dict[str, Any], trace: dict[str, Any] | None) -> list[Check]:
    if trace is None:
        return [_stated("statement parameters", "trace.json changed since the run (see its output check): not read")]
    stated_in_trace = trace.get("run_parameters")
    if not isinstance(stated_in_trace, dict) or not stated_in_trace:
        return [_stated("statement parameters", "trace.json predates run_parameters: only the rerun checks them")]
    parameters = {k: v for k, v in manifest["parameters"].items() if k not in UNSTATED_IN_OUTPUTS}
    differing = sorted(k for k in set(parameters) | set(stated_in_trace) if parameters.get(k) != stated_in_trace.get(k))
    case = {k: v for k, v in manifest["case"].items() if k != "file"}
    checks = [Check("statement parameters", not differing,
                    f"{len(parameters)} parameters, as trace.json states them" if not differing else
                    f"{', '.join(differing)} differ from trace.json's: "
                    + "; ".join(f"{k} {parameters.get(k)!r} / {stated_in_trace.get(k)!r}" for k in differing[:3])),
              Check("statement case", case == trace.get("case"), "as trace.json states it" if case == trace.get("case")
                    else "the case (id, title, victims...) differs from trace.json's")]
    checks.extend(_stated(f"statement parameters.{key}", f"{manifest['parameters'].get(key)!r}: changes no output")
                  for key in UNSTATED_IN_OUTPUTS)
    return checks


def statement_checks(manifest: dict[str, Any], cassette: Cassette, fetched: tuple[str, str] | None,
                     trace: dict[str, Any] | None) -> list[Check]:
    """Every statement that the cassette and ``trace.json`` (both hash-checked first; *trace*
    None when it changed) re-derive,
    and the others named as stated only. The explorers' log is checked after the rerun
    (:func:`explorer_log_checks`)."""
    return [_mode_check(manifest, cassette), *_created_check(manifest, fetched),
            *_environment_checks(manifest, cassette), *_explorer_checks(manifest, cassette),
            *_parameter_checks(manifest, trace)]
