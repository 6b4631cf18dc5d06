"""A timeline summary chart (matplotlib, deterministic SVG): payments in, movements and
cash-outs over time (BTC, log scale, UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from btctrace.analysis import Analysis
from btctrace.exports.charts.styles import PRINT_WIDTH_IN, save_figure
from btctrace.tracing.result import StopReason, TraceResult

__all__ = ["draw_timeline", "timeline_figure"]


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
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

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
