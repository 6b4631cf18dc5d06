"""Why are two addresses in one cluster? Read the merges a trace recorded in ``trace.json``
and give the shortest chain of transactions that links them (:func:`heuristics.clustering.explain`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from btctrace.addresses import network_of, parse_address
from btctrace.exports.interchange.trace_json import read_trace_document
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


def _canonical(address: str) -> str:
    return parse_address(address, network_of(address)).address


def explain_link(out_dir: Path, a: str, b: str) -> Explanation:
    """The shortest chain of recorded merges linking *a* and *b* in the trace in *out_dir*."""
    a, b = _canonical(a), _canonical(b)
    document = read_trace_document(out_dir)
    section = document["clustering"]
    merges = [Merge(m["a"], m["b"], m["txid"], m["rule"], m["reference"]) for m in section["merges"]]
    ids = {address: cluster["id"] for cluster in section["clusters"] for address in cluster["addresses"]}
    blocks = {tx["txid"]: (tx["block_height"], tx["time_utc"]) for tx in document["transactions"]}
    return Explanation(a, b, ids.get(a, ""), ids.get(b, ""), explain(merges, a, b), blocks)
