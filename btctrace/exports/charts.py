"""Two summary charts (matplotlib, deterministic SVG): a Sankey-style split of the seed money
into where it ended under one taint method (FIFO by default), and a timeline of payments in,
movements and cash-outs."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from btctrace.analysis import Analysis
from btctrace.exports.styles import PRINT_WIDTH_IN, save_figure
from btctrace.tracing.accounting import LIMIT_REASONS
from btctrace.tracing.result import StopReason, TraceResult
from btctrace.units import format_btc

__all__ = ["draw_sankey", "draw_timeline", "timeline_figure", "ENDPOINT_GROUPS"]

# stop reason -> (group shown in the chart, colour)
ENDPOINT_GROUPS = {
    StopReason.TAGGED_SERVICE.value: ("exchange / service", "#9467bd"),
    StopReason.LARGE_ADDRESS.value: ("large address (service?)", "#c5b0d5"),
    StopReason.UNSPENT.value: ("still held (unspent)", "#2ca02c"),
    StopReason.COINJOIN.value: ("CoinJoin", "#7f7f7f"),
    StopReason.PEEL.value: ("peels not followed", "#ff7f0e"),
    StopReason.UNSPENDABLE.value: ("destroyed (OP_RETURN)", "#000000"),
}
_LIMIT_GROUP = ("beyond a trace limit", "#d62728")
_FEES_GROUP = ("fees", "#bcbd22")


def _groups(analysis: Analysis, method: str) -> list[tuple[str, str, int]]:
    totals: Counter = Counter()
    colours = {}
    for row in analysis.taint.rows if analysis.taint else []:
        name, colour = _LIMIT_GROUP if StopReason(row.reason) in LIMIT_REASONS else ENDPOINT_GROUPS[row.reason]
        totals[name] += row.sats[method]
        colours[name] = colour
    if analysis.taint:
        totals[_FEES_GROUP[0]] += analysis.taint.totals[method].fees
        colours[_FEES_GROUP[0]] = _FEES_GROUP[1]
    return [(name, colours[name], sats) for name, sats in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if sats]


def draw_sankey(analysis: Analysis, title: str, paths: list[Path], method: str = "fifo") -> None:
    """The seed money (left) split into where it ended (right), bands proportional to satoshis."""
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    groups = _groups(analysis, method)
    total = sum(sats for _, _, sats in groups) or 1
    figure = Figure(figsize=(PRINT_WIDTH_IN, 4.2), dpi=120)  # print width: its text sizes are printed sizes
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(-0.12, 1.02)
    axes.add_patch(_box(0.02, 0.0, 0.06, 1.0, "#1f77b4"))
    axes.text(0.05, -0.02, f"seed\n{format_btc(total)} BTC", ha="center", va="top", fontsize=7.5)
    gap = 0.02
    scale = (1.0 - gap * (len(groups) - 1)) if groups else 1.0
    left, right = 1.0, 1.0
    for name, colour, sats in groups:
        height = sats / total
        shown = height * scale
        verts = [(0.08, left), (0.25, left), (0.35, right), (0.52, right), (0.52, right - shown), (0.35, right - shown),
                 (0.25, left - height), (0.08, left - height), (0.08, left)]
        codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO, MplPath.CURVE4,
                 MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
        axes.add_patch(PathPatch(MplPath(verts, codes), facecolor=colour, alpha=0.45, edgecolor="none"))
        axes.add_patch(_box(0.52, right - shown, 0.02, shown, colour))
        axes.text(0.56, right - shown / 2, f"{name}: {format_btc(sats)} BTC ({100 * sats / total:.1f} %)",
                  va="center", fontsize=7.5)
        left -= height
        right -= shown + gap
    axes.set_title(f"{title}: where the seed money ended ({method.upper()})", fontsize=9, loc="left")
    save_figure(figure, paths)


def _box(x: float, y: float, width: float, height: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), width, height, facecolor=colour, edgecolor="black", linewidth=0.4)


def _points(result: TraceResult, analysis: Analysis) -> dict[str, list[tuple[datetime, float]]]:
    series: dict[str, list[tuple[datetime, float]]] = {"payments in": [], "movements": [], "cash-outs": []}
    seeds = set(analysis.taint.seeds) if analysis.taint else set()
    service = {p for row in (analysis.taint.rows if analysis.taint else [])
               if row.reason in {StopReason.TAGGED_SERVICE.value, StopReason.LARGE_ADDRESS.value} for p in row.outputs}
    for traced in result.sorted_txs():
        tx = traced.tx
        if tx.block_time is None:
            continue
        when = datetime.fromtimestamp(tx.block_time, tz=timezone.utc)
        for out in tx.outputs:
            point = (tx.txid, out.index)
            kind = "payments in" if point in seeds else "cash-outs" if point in service else None
            if kind:
                series[kind].append((when, out.value / 1e8))  # display only
        if not any((tx.txid, o.index) in seeds for o in tx.outputs):
            series["movements"].append((when, tx.output_value / 1e8))
    return series


def draw_timeline(result: TraceResult, analysis: Analysis, title: str, paths: list[Path]) -> None:
    """Payments in, movements and cash-outs over time (BTC, log scale), saved to *paths*."""
    save_figure(timeline_figure(result, analysis, title), paths)


def timeline_figure(result: TraceResult, analysis: Analysis, title: str):
    """The timeline as a figure at print width: plain tick text, the legend above the points."""
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.ticker import FuncFormatter, NullFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PRINT_WIDTH_IN, 3.6), dpi=120)
    axes = figure.add_subplot()
    styles = {"payments in": ("#1f77b4", "o"), "movements": ("#7f7f7f", "s"), "cash-outs": ("#9467bd", "D")}
    series = _points(result, analysis)
    if not any(series.values()):
        axes.set_axis_off()
        axes.text(0.5, 0.5, "no confirmed transactions to show", ha="center", va="center", transform=axes.transAxes)
        axes.set_title(f"{title}: timeline (UTC)", fontsize=9, loc="left")
        return figure
    for name, points in series.items():
        if points:
            colour, marker = styles[name]
            axes.scatter([p[0] for p in points], [p[1] for p in points], c=colour, marker=marker, s=22, label=name,
                         edgecolors="black", linewidths=0.3)
    axes.set_yscale("log")
    # plain tick text: the charts draw every text literally (no mathtext), so "10^-1" would show raw
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_ylabel("BTC")
    times = [when for points in series.values() for when, _ in points]
    short = max(times) - min(times) < timedelta(days=2)  # then ticks are hours: say them
    axes.xaxis.set_major_locator(AutoDateLocator(tz=timezone.utc))
    axes.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d %H:%M" if short else "%Y-%m-%d", tz=timezone.utc))
    axes.grid(True, linewidth=0.3)
    axes.legend(fontsize=7.5, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, frameon=False)  # above the
    axes.set_title(f"{title}: timeline (UTC)", fontsize=9, loc="left", pad=20)  # points, never over them
    figure.autofmt_xdate()
    return figure
