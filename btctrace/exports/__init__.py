"""Write a trace's output folder (the files in :data:`OUTPUT_FILES`): which file each family
writes, in which process and in which order. The families are sub-packages: ``charts/`` (the
flow charts, the entity chart, the Sankey diagram and the timeline, with their layout, styles and
figure files), ``interchange/`` (trace.json, CSV tables, XLSX, GraphML, GEXF, DOT, Cytoscape JSON,
MISP and TagPack), ``report/`` (report.html and the case documents it presents: attributions and
the subpoena packet), ``explorer/`` (explorer.html, the case in the browser), and ``writing/``,
the machinery they all use (atomic writes, untrusted text made safe per format, background
children). Same input, same bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import networkx as nx

from btctrace.analysis import Analysis
from btctrace.case import CaseInfo
from btctrace.errors import ExportStopped, OutputError
from btctrace.exports.charts.entity_chart import draw_entity_flow
from btctrace.exports.charts.entity_flow import EntityChart, entity_chart, entity_flows_frame, fold_entities
from btctrace.exports.charts.flow import draw_flow
from btctrace.exports.charts.sankey import draw_sankey
from btctrace.exports.charts.timeline import draw_timeline
from btctrace.exports.explorer import explorer_document
from btctrace.exports.explorer.page import explorer_pieces
from btctrace.exports.interchange.clusters import merges_frame, write_cluster_outputs
from btctrace.exports.interchange.peel_table import peel_chains_frame
from btctrace.exports.interchange.stops import stops_frame
from btctrace.exports.interchange.cytoscape import cytoscape_pieces
from btctrace.exports.interchange.dot import dot_lines
from btctrace.exports.interchange.endpoints import endpoints_frame, taint_section
from btctrace.exports.interchange.gexf import write_gexf
from btctrace.exports.interchange.graphml import write_graphml
from btctrace.exports.interchange.link_table import write_link_tables
from btctrace.exports.interchange.ready import interchange_view_shared
from btctrace.exports.interchange.sharing import misp_event_pieces, tagpack
from btctrace.exports.interchange.tables import addresses_frame, transfers_frame, write_csv
from btctrace.exports.interchange.trace_json import text_pieces, trace_document
from btctrace.exports.report.attribution import attribution_section, sanction_hits, sanction_line
from btctrace.exports.report.finding import report_title
from btctrace.exports.report.html import report_pieces
from btctrace.exports.report.subpoena import subpoena_frame
from btctrace.exports.writing.atomic import (
    INCOMPLETE_MARKER,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    check_target,
    output_subfolder,
    write_lines,
    write_pieces,
    write_text,
)
from btctrace.exports.writing.background import ExportProgress, ExportTally, in_background, wait_all
from btctrace.exports.writing.safe_text import CHART_RC, summarise, xml_text
from btctrace.graph.case_roles import mark_case_roles
from btctrace.graph.cluster_flows import cluster_flow_graph
from btctrace.graph.flows import node_flows
from btctrace.memory import release_freed_memory
from btctrace.notes import Note
from btctrace.store.snapshot import StoreView
from btctrace.tags import TagIndex
from btctrace.tracing.accounting import TaintReport
from btctrace.tracing.result import Direction, TraceResult
from btctrace.valuation import Prices

__all__ = ["OUTPUT_FILES", "TAINT_FILES", "CaseInfo", "prepare_out_dir", "write_outputs", "chart_title", "unproven_marker",
           "sanctions_line", "write_taint_outputs"]

OUTPUT_FILES = ("trace.json", "transfers.csv", "addresses.csv", "endpoints.csv", "subpoena.csv", "graph.graphml", "cluster_flows.csv",
                "clusters.graphml", "link_table.csv", "link_table.xlsx", "entities.csv", "graph.gexf", "graph.dot",
                "cytoscape.json", "misp_event.json", "tagpack.yaml", "merges.csv", "peel_chains.csv", "stops.csv",
                "entity_flows.csv", "entity_flow.svg", "entity_flow.png", "entity_flow.pdf",
                "flow.svg", "flow.png", "flow.pdf", "sankey.svg",
                "timeline.svg",
                "report.html", "explorer.html", "store_snapshot.json")
SHARING_FILES = ("link_table.csv", "link_table.xlsx", "entities.csv", "graph.dot", "misp_event.json", "tagpack.yaml",
                 "entity_flows.csv", "merges.csv", "peel_chains.csv", "stops.csv")  # _sharing_files, here
GRAPH_FILES = ("trace.json", "store_snapshot.json", "transfers.csv", "addresses.csv", "endpoints.csv", "subpoena.csv",
               "cluster_flows.csv", "clusters.graphml", "graph.graphml", "graph.gexf", "cytoscape.json")  # _graph_files
EXPLORER_ENTITIES_PER_KIND = 7  # the explorer's entity view folds the rest of a kind into "N others"
TAINT_FILES = ("endpoints.csv", "taint.json")  # what `btctrace taint` writes (default: <out>/taint/)


def prepare_out_dir(out_dir: Path, force: bool) -> None:
    """Create *out_dir*; refuse to overwrite earlier outputs unless *force*, and refuse output
    names that are links, folders, FIFOs or devices (see :mod:`btctrace.exports.writing.atomic`)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(str(out_dir), "it exists and is not a folder", "Choose another --out")
    names = (*OUTPUT_FILES, MANIFEST_NAME, INCOMPLETE_MARKER, SIGNATURE_NAME)
    for name in names:
        check_target(out_dir / name)
    existing = [name for name in names if (out_dir / name).exists()]
    if existing and not force:
        raise OutputError(str(out_dir), f"it already holds outputs ({', '.join(existing)})",
                          "Choose another --out, or add --force to overwrite them")
    if (out_dir / SIGNATURE_NAME).exists():  # it signed the run being replaced: stale from now on
        (out_dir / SIGNATURE_NAME).unlink()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(str(out_dir), exc.strerror or str(exc)) from exc


def write_taint_outputs(report: TaintReport, target: Path, force: bool) -> list[Path]:
    """``endpoints.csv`` and ``taint.json`` of a taint rerun (``btctrace taint``) into *target*,
    created as needed; earlier results there are refused unless *force*."""
    files = [target / name for name in TAINT_FILES]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(str(target), exc.strerror or str(exc)) from exc
    output_subfolder(target)
    existing = [f for f in files if f.exists()]
    if existing and not force:
        raise OutputError(str(target), "it already holds taint results", "Add --force to overwrite them")
    write_csv(endpoints_frame(report), files[0])
    write_text(files[1], json.dumps(taint_section(report), indent=2) + "\n")
    return files


def sanctions_line(graph: nx.MultiDiGraph, tags: TagIndex) -> str:
    """The one line naming the traced addresses on a sanctions list, as the report's first page
    says it ("" when none): for the run's summary."""
    return sanction_line(sanction_hits(graph, tags))


def chart_title(result: TraceResult, case: CaseInfo) -> str:
    """The flow chart's title: case, trace and seeds (a long seed list summarised), as chart text."""
    seeds = summarise(result.seeds, "seeds")
    head = f"{case.id}: {case.title}" if case.id and case.title and case.title != case.id else \
        (case.title or case.id or "btctrace")
    synthetic = " [SYNTHETIC DATA]" if case.synthetic else ""
    return xml_text(f"{head}{synthetic}: {result.direction.value} trace from {seeds} ({len(result.txs)} transactions)"
                    f"{unproven_marker(result)}")


def unproven_marker(result: TraceResult) -> str:
    """What a chart's title adds when transactions it shows could not be proven in their blocks
    ("" when every one was, or nothing was asked)."""
    unproven = len(result.proofs.unproven()) if result.proofs is not None else 0
    return f" [UNPROVEN: {unproven:,} of {len(result.txs):,} transactions not proven in their blocks]" if unproven else ""


def _draw_flow_chart(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, case: CaseInfo,
                     path: dict[str, Path], chart_by_time: bool) -> None:
    """The address-level flow chart, the longest export (a child's share, started first)."""
    import matplotlib

    with matplotlib.rc_context(CHART_RC):  # every label and title drawn literally: no $...$ math
        draw_flow(graph, chart_title(result, case), [path["flow.svg"], path["flow.png"], path["flow.pdf"]],
                  mirrored=result.direction is Direction.BACKWARD, coinjoins=frozenset(result.coinjoins),
                  peel_txids=frozenset(s.txid for c in analysis.peel_chains for s in c.steps), by_time=chart_by_time,
                  peel_chains=tuple(analysis.peel_chains))


def _draw_other_charts(result: TraceResult, analysis: Analysis, case: CaseInfo, path: dict[str, Path],
                       sankey_method: str, notes: list[Note], entities: EntityChart) -> None:
    """The entity-level flow chart (the main figure), the Sankey diagram and the timeline (a
    child's share)."""
    import matplotlib

    with matplotlib.rc_context(CHART_RC):
        draw_entity_flow(entities, chart_title(result, case),
                         [path["entity_flow.svg"], path["entity_flow.png"], path["entity_flow.pdf"]], notes)
        title = xml_text(f"{case.title or case.id or 'btctrace'}{unproven_marker(result)}")
        draw_sankey(analysis, title, [path["sankey.svg"]], sankey_method)
        draw_timeline(result, analysis, title, [path["timeline.svg"]])


def _write_explorer(path: Path, result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, case: CaseInfo,
                    notes: list[Note], entities: EntityChart, attribution: dict) -> None:
    """explorer.html, streamed; titled as the report is."""
    write_pieces(path, explorer_pieces(explorer_document(result, analysis, graph, entities, report_title(result, case),
                                                         notes, attribution)))


def _graph_files(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, tags: TagIndex, case: CaseInfo,
                 path: dict[str, Path], prices: Prices, attribution: dict, store_view: StoreView) -> None:
    """trace.json, the store snapshot, the CSV tables, the cluster outputs, GraphML, GEXF and
    Cytoscape JSON (a child's share of the exports)."""
    write_pieces(path["trace.json"], text_pieces(trace_document(result, graph, tags, case, analysis, prices,
                                                                 attribution, stream=True)))
    write_text(path["store_snapshot.json"], store_view.to_json())
    write_csv(transfers_frame(graph), path["transfers.csv"])
    write_csv(addresses_frame(graph), path["addresses.csv"])
    write_csv(endpoints_frame(analysis.taint), path["endpoints.csv"])
    write_csv(subpoena_frame(result, analysis, tags, prices), path["subpoena.csv"])
    write_cluster_outputs(graph, path["cluster_flows.csv"], path["clusters.graphml"])
    release_freed_memory(collect=True)  # what the last export made
    with interchange_view_shared(graph):  # one plain view of the graph for these three, let go after
        write_graphml(graph, path["graph.graphml"])
        write_gexf(graph, path["graph.gexf"])
        write_pieces(path["cytoscape.json"], cytoscape_pieces(graph))


def _sharing_files(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, case: CaseInfo,
                   path: dict[str, Path], prices: Prices, entities: EntityChart) -> None:
    """The link table (CSV, XLSX), entities, DOT, the MISP event, the TagPack and the entity
    flows (the parent's share of the exports)."""
    write_link_tables(graph, path["link_table.csv"].parent, prices)
    write_lines(path["graph.dot"], dot_lines(graph))
    release_freed_memory(collect=True)  # what the last export made
    write_pieces(path["misp_event.json"], misp_event_pieces(result, graph, case))
    write_text(path["tagpack.yaml"], tagpack(result, analysis, case))
    write_csv(entity_flows_frame(entities), path["entity_flows.csv"])
    write_csv(merges_frame(analysis.clusters.merges), path["merges.csv"])
    write_csv(peel_chains_frame(analysis.peel_chains), path["peel_chains.csv"])
    write_csv(stops_frame(result), path["stops.csv"])


def write_outputs(result: TraceResult, analysis: Analysis, graph: nx.MultiDiGraph, tags: TagIndex, case: CaseInfo,
                  out_dir: Path, prices: Prices | None = None, evidence: dict[str, Path | None] | None = None,
                  chart_by_time: bool = False, sankey_method: str = "fifo",
                  notes: list[Note] | None = None, store_view: StoreView | None = None,
                  progress: ExportProgress | None = None) -> list[Path]:
    """Write every output file into *out_dir* (which must exist); returns their paths; *progress*
    is told as each group of files is written. *evidence*
    names the case file and cassette whose hashes the report's provenance block shows; *notes* are
    the analyst's (:mod:`btctrace.notes`), shown as theirs in the report, charts and explorer;
    *store_view* is what the run took from the store (tags, links to other cases), pinned in
    ``store_snapshot.json``. The flow chart, the graph files, the other charts and the explorer
    page are written by four children (:mod:`btctrace.exports.writing.background`), each forked as soon
    as what it needs is known, while this process writes the rest; the report, which shows the
    charts, comes last."""
    path = {name: out_dir / name for name in OUTPUT_FILES}
    prices = prices or Prices()
    store_view = store_view or StoreView()
    case_roles = mark_case_roles(graph, case.victims, case.seed_owner, case.source)
    attribution = attribution_section(result, analysis, graph, tags, store_view)
    notes = notes or []
    waits: list[Callable[[], None]] = []
    tally = ExportTally(progress, len(OUTPUT_FILES))
    try:
        release_freed_memory()  # the children start from what is in use, not from freed pages
        _import_chart_modules()
        waits.append(in_background("flow chart", _draw_flow_chart, result, analysis, graph, case, path,
                                   chart_by_time, files=("flow.svg", "flow.png", "flow.pdf"), tally=tally))
        node_flows(graph)  # read by the graph files and here: worked out once, before the child
        cluster_flow_graph(graph)  # ... as are the cluster flows (the entity chart's too)
        waits.append(in_background("graph files", _graph_files, result, analysis, graph, tags, case, path, prices,
                                   attribution, store_view, files=GRAPH_FILES, tally=tally))
        every_entity, entities = _entity_charts(graph, result, attribution)
        waits.append(in_background("charts", _draw_other_charts, result, analysis, case, path, sankey_method,
                                   notes, every_entity, files=("entity_flow.svg", "entity_flow.png",
                                                               "entity_flow.pdf", "sankey.svg", "timeline.svg"),
                                   tally=tally))
        # The explorer's working copies of the graph are the largest the exports make: in a child
        # of their own they are not added to this process's peak (100,000 transactions: issue 18).
        waits.append(in_background("explorer", _write_explorer, path["explorer.html"], result, analysis, graph,
                                   case, notes, entities, attribution, files=("explorer.html",), tally=tally))
        _sharing_files(result, analysis, graph, case, path, prices, every_entity)
        tally.add("tables and sharing files", len(SHARING_FILES))
    except BaseException as exc:
        _wait_quietly(waits)  # this failure is the one reported
        if isinstance(exc, OSError):
            raise OutputError(str(out_dir), exc.strerror or str(exc)) from exc
        raise
    wait_all(waits)
    release_freed_memory()  # what the parent's exports freed (they make no reference cycles)
    charts = [path["entity_flow.svg"], path["sankey.svg"], path["timeline.svg"], path["flow.svg"]]
    try:
        write_pieces(path["report.html"], report_pieces(result, analysis, tags, case, prices, charts, evidence or {},
                                                        notes, attribution, case_roles))
    except OSError as exc:
        raise OutputError(str(out_dir), exc.strerror or str(exc)) from exc
    tally.add("report", 1)
    return list(path.values())


def _entity_charts(graph: nx.MultiDiGraph, result: TraceResult, attribution: dict) -> tuple[EntityChart, EntityChart]:
    """The entity chart unfolded (the main figure folds it to fit its page; entity_flows.csv
    lists it whole) and folded for the explorer's entity view; sanctioned boxes marked."""
    sanctioned = frozenset(hit["address"] for hit in attribution["sanctions"])
    every_entity = entity_chart(graph, result.coinjoins, max_per_column=None, sanctioned=sanctioned)
    return every_entity, fold_entities(every_entity, EXPLORER_ENTITIES_PER_KIND)


def _import_chart_modules() -> None:
    """Import matplotlib and its three file backends once, before the chart children are
    forked: each child would otherwise import them again (0.6 s each on a 2-core machine)."""
    import importlib

    for name in ("matplotlib.figure", "matplotlib.patches", "matplotlib.backends.backend_agg",
                 "matplotlib.backends.backend_pdf", "matplotlib.backends.backend_svg"):
        importlib.import_module(name)


def _wait_quietly(waits: list[Callable[[], None]]) -> None:
    """Let the children finish (none is left writing) without raising what they report."""
    try:
        wait_all(waits)
    except (OutputError, ExportStopped, RuntimeError):
        pass
