"""The timeline at print size: plain tick text (the charts parse no math, so a log axis
must not print "$\\mathdefault{10^{-1}}$"), time ticks that differ from each other, and the
legend above the plot, never over a point."""

import matplotlib

from btctrace.exports.charts.styles import PRINT_WIDTH_IN
from btctrace.exports.charts.timeline import draw_timeline, timeline_figure
from btctrace.exports.writing.safe_text import CHART_RC


def test_timeline_ticks_are_plain_and_distinct_and_the_legend_is_outside(thousand_trace, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    result, _, analysis = thousand_trace
    with matplotlib.rc_context(CHART_RC):
        draw_timeline(result, analysis, "case", [tmp_path / "timeline.svg"])
        figure = timeline_figure(result, analysis, "case")
        FigureCanvasAgg(figure).draw()
    assert "mathdefault" not in (tmp_path / "timeline.svg").read_text()
    axes = figure.axes[0]
    ticks = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) > 2, "one day of activity: the ticks name the hour"
    assert all("$" not in t.get_text() for t in axes.get_yticklabels())
    assert figure.get_size_inches()[0] <= PRINT_WIDTH_IN
    renderer = figure.canvas.get_renderer()
    legend, plot = axes.get_legend().get_window_extent(renderer), axes.get_window_extent(renderer)
    assert legend.y0 >= plot.y1 - 1, "the legend sits above the plot"
