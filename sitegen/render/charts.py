"""Charts as static SVG, drawn by matplotlib from a table's rows.

SVG keeps text as text (the page's own font, searchable, sharp in print), looks the
same in HTML and PDF, and needs no script. Output is deterministic: no timestamps,
fixed element ids, so the same data gives the same bytes.
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal
from typing import Any

from sitegen.rules.benchmarking import QUADRANTS, VALUED_FROM_PCT
from sitegen.tables import formatting
from sitegen.tables.table import Column

PALETTE = ["#12436d", "#28a197", "#801650", "#f46a25", "#3d3d3d", "#a285d1"]
# Series whose names mean a colour are drawn in it: a RAG chart in blue would mislead.
MEANINGFUL = {"green": "#00703c", "amber": "#f47738", "red": "#d4351c", "not_returned": "#b1b4b6"}
# quadrant: each row a point named by x, placed by y[0] across and y[1] up, in the four
# servicing quadrants of the VfM strategy (split at 0 across and at VALUED_FROM_PCT up).
KINDS = ("bar", "line", "barh", "quadrant")


@functools.cache
def _pyplot() -> Any:
    """matplotlib, loaded when the first chart is drawn (a build without charts, or with
    every chart kept from the last build, never pays for it), drawing to SVG."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot

    return matplotlib.pyplot


def chart_svg(
    x: Column,
    series: list[Column],
    records: list[dict[str, Any]],
    kind: str = "bar",
    money_scale: str = "words",
    labels: dict[str, str] | None = None,
) -> str:
    """One chart of `series` against `x` as an SVG document (text, not paths)."""
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r} (kinds: {', '.join(KINDS)})")
    labels = labels or {}
    categories = [_label(x, r[x.name]) for r in records]
    plt = _pyplot()
    with plt.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "sitegen",
            "font.family": _fonts(),
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#505a5f",
            "axes.grid": True,
            "grid.color": "#d8dadb",
            "axes.axisbelow": True,
        }
    ):
        if kind == "quadrant":
            figure, axes = plt.subplots(figsize=(7.2, 4.8))
            _quadrant(axes, x, series, records, labels)
            return _svg(figure)
        figure, axes = plt.subplots(figsize=(7.2, 3.6))
        positions = list(range(len(categories)))
        width = 0.8 / max(len(series), 1)
        for index, column in enumerate(series):
            values = [float(r[column.name]) if r[column.name] is not None else 0.0 for r in records]
            name = labels.get(column.name) or column.label or column.name
            colour = MEANINGFUL.get(column.name, PALETTE[index % len(PALETTE)])
            if kind == "line":
                axes.plot(positions, values, marker="o", color=colour, label=name, linewidth=2)
            else:
                offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
                draw = axes.barh if kind == "barh" else axes.bar
                draw(offsets, values, width * 0.92, color=colour, label=name)
        value_axis = axes.xaxis if kind == "barh" else axes.yaxis
        category_axis = axes.yaxis if kind == "barh" else axes.xaxis
        from matplotlib.ticker import FuncFormatter

        value_axis.set_major_formatter(FuncFormatter(lambda v, _: _tick(series[0], v, money_scale)))
        category_axis.set_ticks(positions, categories)
        category_axis.grid(False)
        if kind == "barh":
            axes.invert_yaxis()
        if len(series) > 1:
            axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, 1.12), ncols=len(series))
        return _svg(figure)


def _svg(figure: Any) -> str:
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    _pyplot().close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _quadrant(axes: Any, x: Column, series: list[Column], records: list[dict[str, Any]],
              labels: dict[str, str]) -> None:
    """Performance across, customers' value up, each point named; the quadrants named in words."""
    if len(series) != 2:
        raise ValueError("a quadrant chart needs y= two columns: across, then up")
    across, up = series
    points = [(_label(x, r[x.name]), float(r[across.name]), float(r[up.name]))
              for r in records if r[across.name] is not None and r[up.name] is not None]
    reach = max([abs(p[1]) for p in points] + [10.0]) * 1.3
    middle = float(VALUED_FROM_PCT)
    axes.set_xlim(-reach, reach)
    axes.set_ylim(0, 100)
    axes.axvline(0, color="#505a5f", linewidth=1.2)
    axes.axhline(middle, color="#505a5f", linewidth=1.2)
    corners = {(True, False): (-reach, 100, "left", "top"), (True, True): (reach, 100, "right", "top"),
               (False, False): (-reach, 0, "left", "bottom"), (False, True): (reach, 0, "right", "bottom")}
    for key, (cx, cy, ha, va) in corners.items():
        axes.text(cx * 0.97, cy + (-2 if va == "top" else 2), QUADRANTS[key].capitalize(), ha=ha, va=va,
                  fontsize=10, fontweight="bold", color="#0b2a45")
    for _, across_value, up_value in points:
        axes.plot(across_value, up_value, "o", color=PALETTE[0], markersize=7)
    _name_points(axes, points)
    from matplotlib.ticker import FuncFormatter

    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.percent(Decimal(str(round(v, 6))), 0)))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.percent(Decimal(str(round(v, 6))), 0)))
    axes.set_xlabel(labels.get(across.name) or across.label or across.name)
    axes.set_ylabel(labels.get(up.name) or up.label or up.name)


# Where a point's name may go, in points from the point, nearest first: beside, above, below, left.
LABEL_PLACES = ((7, 0, "left"), (-7, 0, "right"), (10, 11, "left"), (10, -11, "left"), (-10, 11, "right"),
                (-10, -11, "right"), (12, 22, "left"), (12, -22, "left"), (-12, 22, "right"), (-12, -22, "right"))
# A hairline from a name to its point, so that a name moved off its point is still read with it.
LEADER = {"arrowstyle": "-", "color": "#6f777b", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 4}


def _name_points(axes: Any, points: list[tuple[str, float, float]]) -> None:
    """Each point's name in the first place where it overlaps no other name and stays in the chart."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    figure = axes.figure
    figure.draw_without_rendering()  # lay the axes out, so that text has its real extent
    frame = axes.get_window_extent()
    taken: list[Any] = []  # the points themselves first: a name must not hide another point
    for _, across_value, up_value in points:
        x, y = axes.transData.transform((across_value, up_value))
        taken.append(Bbox.from_extents(x - 4, y - 4, x + 4, y + 4))
    for name, across_value, up_value in sorted(points, key=lambda p: (-p[2], p[1])):
        chosen = None
        for dx, dy, align in LABEL_PLACES:
            label = axes.annotate(name, (across_value, up_value), xytext=(dx, dy), textcoords="offset points",
                                  ha=align, va="center", fontsize=8, color="#0b0c0c", arrowprops=LEADER)
            label.get_window_extent()  # places the words and the leader line
            box = Text.get_window_extent(label)  # the words alone
            fits = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(other) for other in taken):
                chosen = (label, box)
                break
            label.remove()
        if chosen is None:  # crowded: beside the point, as names are never dropped
            label = axes.annotate(name, (across_value, up_value), xytext=LABEL_PLACES[0][:2],
                                  textcoords="offset points", va="center", fontsize=8, color="#0b0c0c")
            chosen = (label, Text.get_window_extent(label))
        taken.append(chosen[1])


@functools.cache
def _fonts() -> list[str]:
    """The page's font stack, as far as this machine has it (DejaVu ships with matplotlib)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in ("Liberation Sans", "Arial") if name in installed] + ["DejaVu Sans"]


def _label(column: Column, value: Any) -> str:
    """A category's name as a reader says it: 2008-09, "Asset management", never a code."""
    return column.shown(value) if column.kind == "year" or column.words else str(value)


def _tick(column: Column, value: float, scale: str) -> str:
    if column.kind == "money":
        return formatting.money(Decimal(str(value)), "words" if scale == "pounds" else scale)
    if column.kind == "pct":
        return formatting.percent(Decimal(str(value)), 0)
    return formatting.number(Decimal(str(round(value, 6))))
