"""The entity chart's fallback layout, when the layout engine (pygraphviz) is not installed:
boxes in four columns by kind (paid the seed, seed, the hops between, where it ended), each
column ordered by the mean height of what pays into it, arrows straight or arced, each label
at the first free place along its arrow (:mod:`btctrace.exports.charts.label_layout`) or, for
want of room, a numbered mark with its text in a footnote. The chart says it was laid out
this way.
"""

from __future__ import annotations

from btctrace.exports.charts.entity_flow import ENTITY_KINDS, Entity, EntityChart, entity_weights
from btctrace.exports.charts.entity_text import box_text, entity_name, flow_text
from btctrace.exports.charts.label_layout import LabelPlacer
from btctrace.notes import Note

__all__ = ["COLUMN_HEADS", "draw_columns"]

COLUMN_HEADS = ["Paid the seed", "Seed", "Hops: wallets,\nCoinJoins", "Where it ended"]
_COLUMNS = 4
_BOX_WIDTH = 0.5  # of a column
_BOX_PT, _EDGE_PT = 7.5, 7.0


def _positions(chart: EntityChart) -> dict[str, tuple[float, float]]:
    """Column by kind; the first column heaviest first from the top, each later one ordered by
    the mean height of what pays into it (fewer crossings), then by weight; spread evenly."""
    weight = entity_weights(chart)
    payers: dict[str, list[str]] = {}
    for flow in chart.flows.values():
        payers.setdefault(flow.target, []).append(flow.source)
    columns: dict[int, list[Entity]] = {}
    for entity in chart.entities.values():
        columns.setdefault(entity.column, []).append(entity)
    positions: dict[str, tuple[float, float]] = {}
    for column in sorted(columns):
        members = columns[column]

        def key(entity: Entity) -> tuple[float, int, str]:
            heights = [positions[p][1] for p in payers.get(entity.id, []) if p in positions]
            return (-sum(heights) / len(heights) if heights else 0.0, -weight.get(entity.id, 0), entity.id)
        members.sort(key=key)
        for row, entity in enumerate(members):
            positions[entity.id] = (column + 0.5, 1 - (row + 0.5) / len(members))
    return positions


def _draw_boxes(axes, chart: EntityChart, positions, placer: LabelPlacer,
                marks: dict[str, list[tuple[str, Note]]]) -> dict[str, object]:
    from matplotlib.patches import FancyBboxPatch

    patches = {}
    for entity_id in sorted(positions):
        entity = chart.entities[entity_id]
        x, y = positions[entity_id]
        noted = marks.get(entity_id, [])
        text = axes.text(x, y, box_text(entity, [m for m, _ in noted]), fontsize=_BOX_PT, ha="center",
                         va="center", zorder=4,
                         linespacing=1.15)
        box = text.get_window_extent(placer.renderer).expanded(1.0, 1.0).padded(6)
        (x0, y0), (x1, y1) = axes.transData.inverted().transform([(box.x0, box.y0), (box.x1, box.y1)])
        half = _BOX_WIDTH / 2
        patch = FancyBboxPatch((min(x0, x - half), y0), max(x1 - x0, 2 * half), y1 - y0,
                               boxstyle="round,pad=0,rounding_size=0.02", facecolor=ENTITY_KINDS[entity.kind][2],
                               edgecolor=noted[0][1].colour if noted else "#333333",
                               linewidth=2.2 if noted else 0.7, zorder=3)
        axes.add_patch(patch)
        placer.block(patch.get_window_extent(placer.renderer))
        patches[entity_id] = patch
    return patches


def _draw_flows(axes, chart: EntityChart, positions, patches, placer: LabelPlacer) -> list[str]:
    """One arrow per flow, width by amount; its text on the arrow, or where there is no room, a
    numbered mark on the arrow and the text in the returned footnotes."""
    from matplotlib.patches import FancyArrowPatch

    footnotes: list[str] = []
    ordered = sorted(chart.flows.values(), key=lambda f: (-f.sats, f.source, f.target))
    pairs = set(chart.flows)
    for flow in ordered:
        (x0, y0), (x1, y1) = positions[flow.source], positions[flow.target]
        backward = x1 <= x0 or (flow.target, flow.source) in pairs
        bend = 0.3 if backward else 0.0
        arrow = FancyArrowPatch(posA=(x0, y0), posB=(x1, y1), patchA=patches[flow.source], patchB=patches[flow.target],
                                arrowstyle="-|>", mutation_scale=9, color="#444444",
                                linewidth=0.6 + 2.4 * (flow.sats / max(f.sats for f in ordered)),
                                connectionstyle=f"arc3,rad={bend}", zorder=2)
        axes.add_patch(arrow)
        style = {"fontsize": _EDGE_PT, "ha": "center", "va": "center", "zorder": 5,
                 "bbox": {"facecolor": "white", "edgecolor": "#999999", "pad": 1.2, "linewidth": 0.3}}
        if placer.along(axes, (x0, y0), (x1, y1), flow_text(flow), bend, **style) is None:
            mark = f"[{len(footnotes) + 1}]"
            placer.left_out -= placer.along(axes, (x0, y0), (x1, y1), mark, bend, **style) is not None
            footnotes.append(f"{mark} {flow_text(flow).replace(chr(10), ' ')}: "  # amounts first: never cut
                             f"{entity_name(chart, flow.source)} → {entity_name(chart, flow.target)}")
    return footnotes


def draw_columns(axes, chart: EntityChart, placer: LabelPlacer, marks: dict[str, list[tuple[str, Note]]]) -> list[str]:
    """Draw the chart in columns on *axes*; returns the footnotes of labels without room."""
    axes.set_xlim(0, _COLUMNS)
    axes.set_ylim(0, 1)
    for column, head in enumerate(COLUMN_HEADS):
        placer.fixed(axes.text(column + 0.5, 1.02, head, fontsize=_BOX_PT, ha="center", va="bottom",
                               color="#555555", fontweight="bold"))
    positions = _positions(chart)
    patches = _draw_boxes(axes, chart, positions, placer, marks)
    return _draw_flows(axes, chart, positions, patches, placer)
