"""A Sankey-style summary chart (matplotlib, deterministic SVG): the seed money split into where
it ended under one taint method (FIFO by default), bands proportional to satoshis."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from btctrace.analysis import Analysis
from btctrace.exports.charts.styles import PRINT_WIDTH_IN, save_figure
from btctrace.tracing.accounting import LIMIT_REASONS
from btctrace.tracing.result import StopReason
from btctrace.units import format_btc

__all__ = ["ENDPOINT_GROUPS", "draw_sankey"]

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
