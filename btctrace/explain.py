"""Why are two addresses in one cluster? Read the merges a trace recorded in ``trace.json``
and give the shortest chain of transactions that links them (:func:`heuristics.clustering.explain`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from btctrace.addresses import network_of, parse_address
from btctrace.errors import UsageProblem
from btctrace.heuristics.clustering import Merge, explain

__all__ = ["Explanation", "explain_link"]


@dataclass
class Explanation:
    a: str
    b: str
    cluster_a: str
    cluster_b: str
    chain: list[Merge] | None  # None: not linked
    blocks: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # txid -> (height, UTC time)


def _read_trace(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "trace.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageProblem(f"there is no trace.json in {out_dir}", "Give the output folder of a btctrace trace") from None
    except (OSError, ValueError) as exc:
        raise UsageProblem(f"{path} is not readable JSON ({exc})") from None
    if "clustering" not in document:
        raise UsageProblem(f"{path} has no clustering section", "Rerun the case with this btctrace version")
    return document


def _canonical(address: str) -> str:
    return parse_address(address, network_of(address)).address


def explain_link(out_dir: Path, a: str, b: str) -> Explanation:
    """The shortest chain of recorded merges linking *a* and *b* in the trace in *out_dir*."""
    a, b = _canonical(a), _canonical(b)
    document = _read_trace(out_dir)
    section = document["clustering"]
    merges = [Merge(m["a"], m["b"], m["txid"], m["rule"], m["reference"]) for m in section["merges"]]
    ids = {address: cluster["id"] for cluster in section["clusters"] for address in cluster["addresses"]}
    blocks = {tx["txid"]: (tx["block_height"], tx["time_utc"]) for tx in document["transactions"]}
    return Explanation(a, b, ids.get(a, ""), ids.get(b, ""), explain(merges, a, b), blocks)
