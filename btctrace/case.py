"""Case files: one investigation's seeds, limits, tags and cassette, in TOML.

Relative paths in a case file are resolved against the case file's folder. Unknown sections
and keys are errors (a typo must not silently change a trace). See ``cases/demo-ransom.toml``.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from btctrace.files import NotRegularFile, read_regular_text
from btctrace.addresses import MAINNET, NETWORKS
from btctrace.errors import BtctraceError, CaseFileError
from btctrace.heuristics.clustering import DEFAULT_COLLAPSE_THRESHOLD
from btctrace.tracing.result import DEFAULT_STOP_CATEGORIES, Direction, Seed, TraceLimits
from btctrace.tracing.seeds import parse_seed
from btctrace.units import parse_btc, parse_utc

__all__ = ["Case", "CaseInfo", "load_case"]

_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "case": {"id": str, "title": str, "synthetic": bool, "description": str, "kind": str, "examiner": str,
             "agency": str, "report_date": str, "exhibit": str, "victims": list, "seed_owner": str},
    "trace": {
        "seeds": list, "network": str, "direction": str, "hops": int, "min_value": str, "since": str, "until": str,
        "max_transactions": int, "large_address_tx_count": int, "max_seed_history": int, "max_fan_out": int,
        "stop_categories": list,
        "through_coinjoins": bool, "peel_continuation_only": bool, "chart_by_time": bool,
    },
    "clustering": {"collapse_threshold": int, "allow_collapse": bool, "change": bool},
    "provider": {"api_url": str, "fallback_urls": list, "cross_check": int, "cassette": str, "rate": (int, float),
                 "workers": int},
    "tags": {"paths": list},
    "notes": {"file": str},
    "prices": {"table": str},
    "proofs": {"all": bool, "require": bool},
}
_REQUIRED = {("case", "id"), ("trace", "seeds")}
# Every number a case file may give, with the range that makes sense (finite, inclusive).
_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("trace", "hops"): (0, 10_000), ("trace", "max_transactions"): (1, 100_000_000),
    ("trace", "large_address_tx_count"): (0, 10**9), ("trace", "max_seed_history"): (1, 10**9),
    ("trace", "max_fan_out"): (1, 10**8), ("provider", "cross_check"): (0, 10**6),
    ("provider", "rate"): (0.001, 1000), ("provider", "workers"): (1, 32),
    ("clustering", "collapse_threshold"): (1, 10**9),
}


@dataclass(frozen=True)
class CaseInfo:
    """The case as the exhibits name it: its id, title and whether its data are synthetic; who
    examined it, for which agency, the report's date and exhibit reference; and the roles only
    the case can give (the victims' payments or addresses, who holds the seeds), with the case
    file they come from. Empty for a trace run without a case file."""

    id: str = ""
    title: str = ""
    synthetic: bool = False
    kind: str = ""  # what the case is, in the case file's words ("ransom", "sanctions evasion")
    examiner: str = ""
    agency: str = ""
    report_date: str = ""  # YYYY-MM-DD: the report carries no date of its own making
    exhibit: str = ""  # the exhibit reference the report is filed under
    victims: tuple[str, ...] = ()  # the victims' payment txids or addresses, as the case file names them
    seed_owner: str = ""  # who the case file says holds the seed addresses
    source: str = ""  # the case file these come from (its name)

    def as_json(self) -> dict[str, Any]:
        """For the manifest (and back through :meth:`from_json` for verify)."""
        return {**{name: getattr(self, name) for name in self.__dataclass_fields__}, "victims": list(self.victims)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CaseInfo":
        """From the manifest; fields an older manifest lacks take their defaults."""
        fields = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**{**fields, "victims": tuple(fields.get("victims", ()))})


@dataclass(frozen=True)
class Case:
    path: Path
    id: str
    title: str
    synthetic: bool
    description: str
    seeds: tuple[Seed, ...]
    direction: Direction
    limits: TraceLimits
    api_url: str | None
    cassette: Path | None
    rate: float | None
    workers: int | None
    tag_paths: tuple[Path, ...]
    notes_path: Path | None
    fallback_urls: tuple[str, ...] = ()
    cross_check: int = 0
    network: str = MAINNET
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD
    allow_collapse: bool = False
    cluster_change: bool = False
    chart_by_time: bool = False
    price_table: Path | None = None  # [prices] table: the investigator's daily USD prices
    prove_all: bool = False  # [proofs] all
    require_proofs: bool = False
    info: CaseInfo = CaseInfo()  # how the exhibits name the case, and the roles it gives  # [proofs] require


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_regular_text(path))
    except FileNotFoundError:
        raise CaseFileError(str(path), "", "no such file") from None
    except NotRegularFile as exc:
        raise CaseFileError(str(path), "", f"cannot be read: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(str(path), "", f"cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(str(path), "", f"is not valid TOML ({exc})") from None
    except RecursionError:
        raise CaseFileError(str(path), "", "nests tables or arrays too deeply") from None


def _check_shape(path: Path, data: dict[str, Any]) -> None:
    for section, values in data.items():
        if section not in _SCHEMA:
            raise CaseFileError(str(path), section, f"unknown section (allowed: {', '.join(_SCHEMA)})")
        if not isinstance(values, dict):
            raise CaseFileError(str(path), section, "should be a table")
        for key, value in values.items():
            expected = _SCHEMA[section].get(key)
            if expected is None:
                raise CaseFileError(str(path), f"{section}.{key}", f"unknown key (allowed: {', '.join(_SCHEMA[section])})")
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise CaseFileError(str(path), f"{section}.{key}", f"should be {_type_name(expected)}, got {value!r}")
            if expected is list and not all(isinstance(item, str) for item in value):  # every list holds strings
                raise CaseFileError(str(path), f"{section}.{key}", f"should be a list of strings, got {value!r}")
    for section, key in _REQUIRED:
        if key not in data.get(section, {}):
            raise CaseFileError(str(path), f"{section}.{key}", "is required")
    for (section, key), (low, high) in _RANGES.items():
        value = data.get(section, {}).get(key)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise CaseFileError(str(path), f"{section}.{key}", f"should be a number from {low:,} to {high:,}, got {value!r}")


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list", float: "a number"}
    if isinstance(expected, tuple):
        return "a number"
    return names.get(expected, expected.__name__)


def _field(path: Path, name: str, parse, value):
    try:
        return parse(value)
    except BtctraceError as exc:
        raise CaseFileError(str(path), name, exc.message) from None
    except (ValueError, TypeError) as exc:
        raise CaseFileError(str(path), name, str(exc)) from None


def _limits(path: Path, trace: dict[str, Any]) -> TraceLimits:
    defaults = TraceLimits()
    limits = TraceLimits(
        hops=trace.get("hops", defaults.hops),
        min_value=_field(path, "trace.min_value", parse_btc, trace["min_value"]) if "min_value" in trace else 0,
        since=_field(path, "trace.since", parse_utc, trace["since"]) if "since" in trace else None,
        until=_field(path, "trace.until", parse_utc, trace["until"]) if "until" in trace else None,
        max_transactions=trace.get("max_transactions", defaults.max_transactions),
        large_address_tx_count=trace.get("large_address_tx_count", defaults.large_address_tx_count),
        max_seed_history=trace.get("max_seed_history", defaults.max_seed_history),
        max_fan_out=trace.get("max_fan_out", defaults.max_fan_out),
        stop_categories=frozenset(trace.get("stop_categories", DEFAULT_STOP_CATEGORIES)),
        through_coinjoins=trace.get("through_coinjoins", False),
        peel_continuation_only=trace.get("peel_continuation_only", False),
    )
    if limits.since is not None and limits.until is not None and limits.since > limits.until:
        raise CaseFileError(str(path), "trace.since", f"{trace['since']} is after trace.until {trace['until']}: "
                                                      "the window holds no time")
    return limits


def _fallback_urls(path: Path, urls: list[Any]) -> tuple[str, ...]:
    if not all(isinstance(url, str) and url.startswith(("http://", "https://")) for url in urls):
        raise CaseFileError(str(path), "provider.fallback_urls", "should be a list of http(s) Esplora base URLs")
    return tuple(urls)


_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _victims(path: Path, entries: list[str], network: str) -> tuple[str, ...]:
    """The victims' payments (txids) or addresses, each checked as one."""
    def one(entry: str) -> str:
        seed = parse_seed(entry, network)
        if seed.kind == "outpoint":
            raise ValueError(f"{entry!r}: name the victim's payment by its txid, or the victim's address")
        return seed.value
    return tuple(_field(path, "case.victims", one, entry) for entry in entries)


def _case_info(path: Path, case: dict[str, Any], network: str) -> CaseInfo:
    date = case.get("report_date", "")
    if date and not (_DATE.fullmatch(date) and _field(path, "case.report_date", parse_utc, date)):
        raise CaseFileError(str(path), "case.report_date", f"should be a date as YYYY-MM-DD, got {date!r}")
    victims = _victims(path, case.get("victims", []), network)
    given = victims or case.get("seed_owner")
    return CaseInfo(case["id"], case.get("title", case["id"]), case.get("synthetic", False), case.get("kind", ""),
                    case.get("examiner", ""), case.get("agency", ""), date, case.get("exhibit", ""), victims,
                    case.get("seed_owner", ""), f"case file {path.name}" if given else "")


def _near(folder: Path, relative: str) -> Path:
    """*relative* resolved against the case file's folder, normalised (no ``x/..``)."""
    return Path(os.path.normpath(folder / relative))


def load_case(path: str | Path) -> Case:
    """Read and validate a case file; raises :class:`CaseFileError` naming the bad field."""
    path = Path(path)
    data = _read(path)
    _check_shape(path, data)
    case, trace = data["case"], data["trace"]
    provider, tags, clustering = data.get("provider", {}), data.get("tags", {}), data.get("clustering", {})
    if not _CASE_ID.fullmatch(case["id"]):
        raise CaseFileError(str(path), "case.id", "use letters, digits, '.', '_' and '-' only (it names the output folder)")
    if not trace["seeds"]:
        raise CaseFileError(str(path), "trace.seeds", "needs at least one address, txid or txid:vout")
    network = trace.get("network", MAINNET)
    if network not in NETWORKS:
        raise CaseFileError(str(path), "trace.network", f"should be one of {', '.join(NETWORKS)}")
    seeds = tuple(_field(path, "trace.seeds", lambda s: parse_seed(s, network), s) for s in trace["seeds"])
    direction = _field(path, "trace.direction", Direction, trace.get("direction", "forward"))
    folder = path.parent
    return Case(
        path=path, id=case["id"], title=case.get("title", case["id"]), synthetic=case.get("synthetic", False),
        description=case.get("description", ""), seeds=seeds, direction=direction, limits=_limits(path, trace),
        network=network,
        api_url=provider.get("api_url"),
        cassette=_near(folder, provider["cassette"]) if "cassette" in provider else None,
        rate=float(provider["rate"]) if "rate" in provider else None,
        workers=provider.get("workers"),
        fallback_urls=_fallback_urls(path, provider.get("fallback_urls", [])),
        cross_check=provider.get("cross_check", 0),
        tag_paths=tuple(_near(folder, p) for p in tags.get("paths", [])),
        notes_path=_near(folder, data["notes"]["file"]) if "file" in data.get("notes", {}) else None,
        collapse_threshold=clustering.get("collapse_threshold", DEFAULT_COLLAPSE_THRESHOLD),
        allow_collapse=clustering.get("allow_collapse", False),
        cluster_change=clustering.get("change", False),
        chart_by_time=trace.get("chart_by_time", False),
        price_table=_near(folder, data["prices"]["table"]) if "table" in data.get("prices", {}) else None,
        prove_all=data.get("proofs", {}).get("all", False),
        require_proofs=data.get("proofs", {}).get("require", False),
        info=_case_info(path, case, network),
    )
