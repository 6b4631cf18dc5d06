"""Write a trace's output folder: ``trace.json``, ``transfers.csv``, ``addresses.csv``,
``graph.graphml``, ``flow.svg`` and ``flow.png``. Same input, same bytes."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from btctrace.errors import OutputError
from btctrace.exports.flow import draw_flow
from btctrace.exports.graphml import write_graphml
from btctrace.exports.tables import addresses_frame, transfers_frame, write_csv
from btctrace.exports.trace_json import CaseInfo, dumps, trace_document
from btctrace.heuristics.clustering import Clusters, cluster_common_inputs
from btctrace.tags import TagIndex
from btctrace.tracing.result import Direction, TraceResult

__all__ = ["OUTPUT_FILES", "CaseInfo", "prepare_out_dir", "write_outputs", "chart_title"]

OUTPUT_FILES = ("trace.json", "transfers.csv", "addresses.csv", "graph.graphml", "flow.svg", "flow.png")


def prepare_out_dir(out_dir: Path, force: bool) -> None:
    """Create *out_dir*; refuse to overwrite earlier outputs unless *force*."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(str(out_dir), "it exists and is not a folder", "Choose another --out")
    existing = [name for name in (*OUTPUT_FILES, "manifest.json") if (out_dir / name).exists()]
    if existing and not force:
        raise OutputError(str(out_dir), f"it already holds outputs ({', '.join(existing)})",
                          "Choose another --out, or add --force to overwrite them")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(str(out_dir), exc.strerror or str(exc)) from exc


def chart_title(result: TraceResult, case: CaseInfo) -> str:
    seeds = ", ".join(str(s) for s in result.seeds)
    head = case.title or case.id or "btctrace"
    synthetic = " [SYNTHETIC DATA]" if case.synthetic else ""
    return f"{head}{synthetic}: {result.direction.value} trace from {seeds} ({len(result.txs)} transactions)"


def write_outputs(result: TraceResult, graph: nx.MultiDiGraph, tags: TagIndex, case: CaseInfo, out_dir: Path,
                  clusters: Clusters | None = None) -> list[Path]:
    """Write every output file into *out_dir* (which must exist); returns their paths."""
    paths = [out_dir / name for name in OUTPUT_FILES]
    if clusters is None:
        clusters = cluster_common_inputs((t.tx for t in result.txs.values()), result.coinjoins)
    try:
        paths[0].write_text(dumps(trace_document(result, graph, tags, case, clusters)), encoding="utf-8")
        write_csv(transfers_frame(graph), paths[1])
        write_csv(addresses_frame(graph), paths[2])
        write_graphml(graph, paths[3])
        draw_flow(graph, chart_title(result, case), paths[4:], mirrored=result.direction is Direction.BACKWARD)
    except OSError as exc:
        raise OutputError(str(out_dir), exc.strerror or str(exc)) from exc
    return paths
