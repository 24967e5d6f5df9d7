"""Charts as static SVG, drawn by matplotlib from a table's rows.

SVG keeps text as text (the page's own font, searchable, sharp in print), looks the
same in HTML and PDF, and needs no script. Output is deterministic: no timestamps,
fixed element ids, so the same data gives the same bytes (a chart cache keyed by the
table's digest and the options is sound).

Every chart is drawn twice, for two widths: "wide" for screens wider than 40rem and for
print, "narrow" for phones. An SVG shown as an image scales its text with its width, so
each is sized for the narrowest width it is shown at: its text is never under 11 px on
screen (TEXT_PT × shown width ÷ viewBox width).
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sitegen.rules.benchmarking import QUADRANTS, VALUED_FROM_PCT
from sitegen.tables import formatting
from sitegen.tables.table import Column

# The UK Government Analysis Function's categorical chart colours, in their order: each
# has 3:1 contrast against white and against the colours next to it (light and dark alternate).
PALETTE = ["#12436d", "#28a197", "#801650", "#f46a25", "#3d3d3d", "#a285d1"]
# Series whose names mean a colour are drawn in it: a RAG chart in blue would mislead. Dark
# and light alternate in the order RAG series are drawn, so neighbours keep 3:1 too.
MEANINGFUL = {"green": "#004e2a", "amber": "#d67d00", "red": "#851509",
              "no_rating": "#8f9193", "not_returned": "#8f9193"}
INK = "#0b0c0c"
MUTED = "#505a5f"
# site.css's font stack: the SVG is shown as an image, so it names the page's fonts itself.
PAGE_FONTS = "'Liberation Sans', Arial, 'Helvetica Neue', 'DejaVu Sans', sans-serif"
TEXT_PT = 11  # every word of a chart, in viewBox units (points)
KINDS = ("bar", "line", "barh", "quadrant")
LAYOUTS = ("wide", "narrow")
FEW_BARS = 12  # up to this many bars, each carries its value


@dataclass(frozen=True)
class Layout:
    """A chart's size in inches and how long a line of a category's name may be."""

    width: float
    height: float
    quadrant_height: float
    wrap: int  # characters in a line of a category name
    key_columns: int


SIZES = {
    # 518 pt wide, shown 601-768 px wide on screen (12.7-16 px text) and 482 pt in print.
    "wide": Layout(7.2, 3.8, 4.4, 30, 2),
    # 324 pt wide, shown 335 px wide on a 375 px phone (11.4 px text).
    "narrow": Layout(4.5, 4.4, 4.6, 16, 1),
}


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
    layout: str = "wide",
    axis_titles: tuple[str | None, str | None] = (None, None),
) -> str:
    """One chart of `series` against `x` as an SVG document (text, not paths), sized for
    `layout`; `axis_titles` (across, up) replace the titles made from the columns."""
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r} (kinds: {', '.join(KINDS)})")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown chart layout {layout!r} (layouts: {', '.join(LAYOUTS)})")
    labels = labels or {}
    size = SIZES[layout]
    plt = _pyplot()
    with plt.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "sitegen",
            "font.family": _fonts(),
            "font.size": TEXT_PT,
            "axes.titlesize": TEXT_PT,
            "axes.labelsize": TEXT_PT,
            "xtick.labelsize": TEXT_PT,
            "ytick.labelsize": TEXT_PT,
            "legend.fontsize": TEXT_PT,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
            "xtick.labelcolor": INK,
            "ytick.labelcolor": INK,
            "axes.grid": True,
            "grid.color": "#d8dadb",
            "axes.axisbelow": True,
        }
    ):
        if kind == "quadrant":
            figure = _quadrant(x, series, records, labels, size, axis_titles)
        else:
            figure = _bars_or_lines(x, series, records, kind, money_scale, labels, size, axis_titles)
        return _svg(figure)


def _bars_or_lines(x: Column, series: list[Column], records: list[dict[str, Any]], kind: str, money_scale: str,
                   labels: dict[str, str], size: Layout, axis_titles: tuple[str | None, str | None]) -> Any:
    plt = _pyplot()
    # A category's name is wrapped only where it would not fit: across its bar's slot, or beside it.
    slot = size.width * 72 * 0.8 / max(len(records), 1) / (TEXT_PT * 0.55)  # characters that fit
    wrap = size.wrap if kind == "barh" else max(8, int(slot))
    categories = [_wrapped(_label(x, r[x.name]), wrap) for r in records]
    height = size.height if kind != "barh" else max(size.height, 1.2 + 0.42 * len(records) * max(1, len(series)))
    figure, axes = plt.subplots(figsize=(size.width, height))
    unit = _unit(series, records, money_scale)
    positions = list(range(len(categories)))
    width = 0.8 / max(len(series), 1)
    bars = []
    for index, column in enumerate(series):
        values = [float(r[column.name]) / unit.divisor if r[column.name] is not None else 0.0 for r in records]
        name = labels.get(column.name) or column.heading
        colour = MEANINGFUL.get(column.name, PALETTE[index % len(PALETTE)])
        if kind == "line":
            axes.plot(positions, values, marker="o", color=colour, label=name, linewidth=2)
        else:
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
            draw = axes.barh if kind == "barh" else axes.bar
            # A white edge parts each bar from its neighbour, whatever their colours.
            bars.append((column, draw(offsets, values, width, color=colour, label=name,
                                      edgecolor="#ffffff", linewidth=1)))
    value_axis = axes.xaxis if kind == "barh" else axes.yaxis
    category_axis = axes.yaxis if kind == "barh" else axes.xaxis
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    value_axis.set_major_formatter(FuncFormatter(_tick))
    value_axis.set_major_locator(MaxNLocator(nbins=5 if size.key_columns == 1 else 7, steps=[1, 2, 5, 10]))
    category_axis.set_ticks(positions, categories)
    category_axis.grid(False)
    across_title, up_title = axis_titles
    category_title = across_title or labels.get(x.name) or x.heading
    value_title = up_title or _value_title(series, labels, unit)
    if kind == "barh":
        axes.set_xlabel(value_title)
        axes.set_ylabel(category_title)
        axes.invert_yaxis()
    else:
        axes.set_xlabel(category_title)
        axes.set_ylabel(value_title)
    if len(series) > 1:
        axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.02), borderaxespad=0,
                    ncols=min(len(series), 4), handlelength=1.2, columnspacing=1.2)
    figure.tight_layout()
    if bars and len(records) * len(bars) <= FEW_BARS:
        _label_bars(axes, bars, records, unit, kind == "barh")
        figure.tight_layout()
    return figure


@dataclass(frozen=True)
class Unit:
    """How a value axis shows its figures: divided by `divisor`, in `name` (£ million)."""

    name: str
    divisor: float
    scale: str  # formatting.money's scale for a bar's value: "m", "k" or "pounds"


def _unit(series: list[Column], records: list[dict[str, Any]], money_scale: str) -> Unit:
    """The value axis's unit: £ million once a figure reaches a million, as the seeds write it."""
    kind = series[0].kind
    if kind == "money":
        biggest = max([abs(float(r[c.name])) for r in records for c in series if r[c.name] is not None] + [0.0])
        if money_scale == "m" or (money_scale != "k" and biggest >= 1_000_000):
            return Unit("£ million", 1_000_000, "m")
        if money_scale == "k":
            return Unit("£ thousand", 1_000, "k")
        return Unit("£", 1, "pounds")
    if kind == "pct":
        return Unit("%", 1, "")
    return Unit("", 1, "")


def _value_title(series: list[Column], labels: dict[str, str], unit: Unit) -> str:
    """The series' names, then the unit: "NI 179 and target (£ million)"."""
    names = [labels.get(c.name) or c.heading for c in series]
    names = [names[0]] + [n[0].lower() + n[1:] if n[1:2].islower() else n for n in names[1:]]
    words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    words = re.sub(r"\s*(\((%|£[^)]*)\)|%)$", "", words)  # the unit once, after the names
    return f"{words} ({unit.name})" if unit.name else words


def _label_bars(axes: Any, bars: list[tuple[Column, Any]], records: list[dict[str, Any]], unit: Unit,
                across: bool) -> None:
    """Each bar's value at its end, where every value fits its bar's width (or, across, at its side)."""
    figure = axes.figure
    placed = []
    for column, container in bars:
        texts = [_bar_value(column, r[column.name], unit) for r in records]
        placed.append(axes.bar_label(container, labels=texts, padding=3, fontsize=TEXT_PT, color=INK))
    if not across:
        slot = axes.transData.transform((1, 0))[0] - axes.transData.transform((0, 0))[0]
        room = slot * 0.8 / len(bars)
        if any(t.get_window_extent().width > room + 4 for group in placed for t in group):
            for group in placed:  # one value too wide for its bar: none shown, the table has them all
                for text in group:
                    text.remove()
            return
    # Room beyond the longest bar for its value.
    for _ in range(2):
        figure.draw_without_rendering()
        frame = axes.get_window_extent()
        reach = max(t.get_window_extent().x1 if across else t.get_window_extent().y1
                    for group in placed for t in group)
        end = frame.x1 if across else frame.y1
        if reach <= end - 2:
            break
        low, high = axes.get_xlim() if across else axes.get_ylim()
        span_px = (frame.width if across else frame.height)
        grow = (reach - end + 6) / span_px * (high - low)
        (axes.set_xlim if across else axes.set_ylim)(low, high + grow * 1.2)


def _bar_value(column: Column, value: Any, unit: Unit) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return formatting.money(Decimal(value), unit.scale, "minus")  # type: ignore[arg-type]
    return column.shown(value)


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    _pyplot().close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    # matplotlib names the fonts it measured with; the reader's screen takes the page's stack.
    return re.sub(r"font-family: [^;\"]*", "font-family: " + PAGE_FONTS, svg)


# ---------------------------------------------------------------------------------------------
# The servicing quadrants


def quadrant_of(across: Any, up: Any) -> str:
    """The servicing quadrant of a point, as the table's quadrant column has it."""
    return QUADRANTS[(Decimal(str(up)) >= VALUED_FROM_PCT, Decimal(str(across)) >= 0)]


def quadrant_summary(x: Column, series: list[Column], records: list[dict[str, Any]]) -> str:
    """Which partners are in which quadrant, in words, for the chart's text alternative."""
    across, up = series
    members: dict[str, list[str]] = {name: [] for name in ("right-servicing", "under-servicing",
                                                           "over-servicing", "irritants")}
    for r in records:
        if r[across.name] is not None and r[up.name] is not None:
            members[quadrant_of(r[across.name], r[up.name])].append(_label(x, r[x.name]))
    return "; ".join(f"{name.capitalize()}: {', '.join(found) if found else 'none'}"
                     for name, found in members.items())


def _quadrant(x: Column, series: list[Column], records: list[dict[str, Any]], labels: dict[str, str],
              size: Layout, axis_titles: tuple[str | None, str | None]) -> Any:
    """Performance across, customers' value up, each point named beside it (or numbered, with a key,
    where its name cannot fit); axes zoomed to the points, the quadrant lines always in view."""
    if len(series) != 2:
        raise ValueError("a quadrant chart needs y= two columns: across, then up")
    plt = _pyplot()
    across, up = series
    points = sorted(((_label(x, r[x.name]), float(r[across.name]), float(r[up.name]))
                     for r in records if r[across.name] is not None and r[up.name] is not None))
    figure, axes = plt.subplots(figsize=(size.width, size.quadrant_height))
    middle = float(VALUED_FROM_PCT)
    axes.set_xlim(*_zoomed([p[1] for p in points], 0.0, None, None))
    axes.set_ylim(*_zoomed([p[2] for p in points], middle, 0.0, 100.0))
    axes.axvline(0, color=MUTED, linewidth=1.2)
    axes.axhline(middle, color=MUTED, linewidth=1.2)
    for _, across_value, up_value in points:
        axes.plot(across_value, up_value, "o", color=PALETTE[0], markersize=MARKER_PT, zorder=3)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_formatter(FuncFormatter(_tick))
        axis.set_major_locator(MaxNLocator(nbins=6 if size.key_columns > 1 else 4, steps=[1, 2, 5, 10]))
    across_title, up_title = axis_titles
    axes.set_xlabel(across_title or _with_percent(labels.get(across.name) or across.heading))
    axes.set_ylabel(_wrapped(up_title or _with_percent(labels.get(up.name) or up.heading), 40))
    figure.tight_layout()
    corners = _name_quadrants(axes)
    numbered = _name_points(axes, points, corners)
    if numbered:
        _key(figure, axes, numbered, size)
    return figure


def _with_percent(title: str) -> str:
    """An axis title of percentages ends "(%)", once: "Customer value %" becomes "Customer value (%)"."""
    return title if title.endswith("(%)") else f"{title.removesuffix('%').rstrip()} (%)"


def _zoomed(values: list[float], line: float, floor: float | None, ceiling: float | None) -> tuple[float, float]:
    """An axis's range: the points and the quadrant line, with room on each side of both for a name."""
    low, high = min(values + [line]), max(values + [line])
    span = max(high - low, 10.0)
    low, high = low - span * 0.18, high + span * 0.18
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    # The line keeps a fifth of the axis either side, so that each quadrant has room for its name.
    share = 0.2
    low = min(low, (line - share * high) / (1 - share))
    high = max(high, (line - share * low) / (1 - share))
    return low, high


MARKER_PT = 7
# Where a point's label may go, in points from the point to the label's near edge: right, left,
# above, below, then the corners; numbers also try a second ring, further out, with a leader.
NEAR = 5.0
CLEAR = 2.0  # points kept clear around a label
AROUND = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


def _name_quadrants(axes: Any) -> list[Any]:
    """Each quadrant's name in its outer corner; their boxes, which no point's label may cover."""
    names = {(0, 1): QUADRANTS[(True, False)], (1, 1): QUADRANTS[(True, True)],
             (0, 0): QUADRANTS[(False, False)], (1, 0): QUADRANTS[(False, True)]}
    boxes = []
    for (right, top), name in names.items():
        text = axes.text(0.985 if right else 0.015, 0.975 if top else 0.025, name.capitalize(),
                         transform=axes.transAxes, ha="right" if right else "left", va="top" if top else "bottom",
                         fontsize=TEXT_PT, fontweight="bold", color="#0b2a45")
        boxes.append(text.get_window_extent())
    return boxes


def _name_points(axes: Any, points: list[tuple[str, float, float]], corners: list[Any]) -> list[str]:
    """Each point's name beside it where it covers no other point or label and is nearer its own
    point than any other; else a number there (a leader line only when set apart), its name in the
    key. A number with no room anywhere makes the names nearest it give way to numbers too.
    Returns the names given numbers, in number order."""
    from matplotlib.transforms import Bbox

    frame = axes.get_window_extent()
    scale = axes.figure.dpi / 72  # points to display units
    centres = [tuple(axes.transData.transform((a, u))) for _, a, u in points]
    radius = MARKER_PT / 2 * scale
    dots = [Bbox.from_extents(cx - radius, cy - radius, cx + radius, cy + radius) for cx, cy in centres]
    # The quadrant lines, as thin boxes: a name across a line would sit in two quadrants.
    line_x, line_y = axes.transData.transform((0, float(VALUED_FROM_PCT)))
    fixed = [*corners, Bbox.from_extents(line_x - 1, frame.y0, line_x + 1, frame.y1),
             Bbox.from_extents(frame.x0, line_y - 1, frame.x1, line_y + 1)]
    sizes: dict[tuple[str, str], tuple[float, float]] = {}

    def size_of(words: str, weight: str) -> tuple[float, float]:
        if (words, weight) not in sizes:
            probe = axes.text(0, 0, words, fontsize=TEXT_PT, fontweight=weight)
            box = probe.get_window_extent()
            probe.remove()
            # A line's full height (ascent and descent), whatever its glyphs: "1" needs the room "Jg" does.
            sizes[words, weight] = (box.width, max(box.height, TEXT_PT * 1.15 * scale))
        return sizes[words, weight]

    def spot(index: int, words: str, rings: tuple[float, ...], weight: str, taken: list[Any],
             leaders: list[Any]) -> tuple[Any, Any] | None:
        cx, cy = centres[index]
        width, height = size_of(words, weight)
        for ring in rings:
            gap = (NEAR + ring) * scale + radius
            for sx, sy in AROUND:
                x0 = cx + sx * gap - (width if sx < 0 else 0 if sx > 0 else width / 2)
                y0 = cy + sy * gap - (height if sy < 0 else 0 if sy > 0 else height / 2)
                box = Bbox.from_extents(x0, y0, x0 + width, y0 + height)
                if not (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1):
                    continue
                if any(box.padded(CLEAR * scale).overlaps(other) for other in taken + dots):
                    continue
                own = _distance(box, centres[index])
                if any(_distance(box, c) < own + 1 for c in centres if c != centres[index]):
                    continue  # nearer another point: it would be read as that one's
                leader = None
                if ring:
                    leader = ((cx, cy), _nearest_on(box, (cx, cy)))
                    others = taken + [d for j, d in enumerate(dots) if centres[j] != centres[index]]
                    if any(_crosses(leader, other) for other in leaders) or any(
                            _segment_hits(leader, other) for other in others):
                        continue
                return box, leader
        return None

    # The most crowded points choose first: an isolated point has room anywhere.
    order = sorted(range(len(points)), key=lambda i: (-sum(_near(centres[i], c, 60 * scale) for c in centres), i))

    def attempt(nameable: set[int]) -> tuple[list[tuple[str, Any, Any, str]], list[int], list[int]]:
        taken, leaders, placed, unnamed = list(fixed), [], [], []
        for index in order:
            found = spot(index, points[index][0], (0.0,), "normal", taken, leaders) if index in nameable else None
            if found is None:
                unnamed.append(index)
            else:
                placed.append((points[index][0], found[0], None, "normal"))
                taken.append(found[0])
        numbered = sorted(unnamed, key=lambda i: points[i][0])
        failed = []
        for number, index in enumerate(numbered, start=1):
            found = spot(index, str(number), (0.0, 6.0, 14.0), "bold", taken, leaders)
            if found is None:
                failed.append(index)
                continue
            placed.append((str(number), found[0], found[1], "bold"))
            taken.append(found[0])
            if found[1] is not None:
                leaders.append(found[1])
        return placed, numbered, failed

    nameable = set(range(len(points)))
    while True:
        placed, numbered, failed = attempt(nameable)
        named = nameable - set(numbered)
        if named and len(numbered) > len(points) / 2:  # mostly numbers: all numbers, one way of reading
            nameable = set()
            continue
        if not failed or not named:
            break
        for index in failed:  # the name nearest a point left without room gives way
            nameable.discard(min(named, key=lambda j: _apart(centres[j], centres[index])))
    for index in failed:  # nowhere free even so: beside the point all the same, never dropped
        cx, cy = centres[index]
        words = str(numbered.index(index) + 1)
        width, height = size_of(words, "bold")
        placed.append((words, Bbox.from_extents(cx + radius + 2, cy - height / 2, cx + radius + 2 + width,
                                                cy + height / 2), None, "bold"))
    inverse = axes.transData.inverted()
    for words, box, leader, weight in placed:
        corner = inverse.transform((box.x0, box.y0))
        axes.text(corner[0], corner[1], words, ha="left", va="bottom", fontsize=TEXT_PT, color=INK,
                  fontweight=weight, zorder=4)
        if leader is not None:
            (x0, y0), (x1, y1) = inverse.transform(leader[0]), inverse.transform(leader[1])
            axes.plot([x0, x1], [y0, y1], color=MUTED, linewidth=0.8, zorder=2)
    return [points[i][0] for i in numbered]


def _key(figure: Any, axes: Any, names: list[str], size: Layout) -> None:
    """The numbered points' names under the chart, the figure made taller for them (the plot keeps
    its size, so that the labels placed stay where they are)."""
    columns = min(size.key_columns, len(names))
    rows = -(-len(names) // columns)
    line = TEXT_PT * 1.45 / 72  # inches
    extra = rows * line + 0.25
    width, height = figure.get_size_inches()
    left, bottom, plot_width, plot_height = axes.get_position().bounds
    figure.set_size_inches(width, height + extra)
    axes.set_position((left, (bottom * height + extra) / (height + extra), plot_width,
                       plot_height * height / (height + extra)))
    top = extra - 0.08
    for number, name in enumerate(names, start=1):
        column, row = divmod(number - 1, rows)
        x_inch = 0.15 + column * (width - 0.3) / columns
        y_inch = top - row * line
        figure.text(x_inch / width, y_inch / (height + extra), str(number), fontsize=TEXT_PT,
                    fontweight="bold", color=INK, va="top")
        figure.text((x_inch + 0.3) / width, y_inch / (height + extra), name, fontsize=TEXT_PT, color=INK, va="top")


def _distance(box: Any, point: tuple[float, float]) -> float:
    x = min(max(point[0], box.x0), box.x1)
    y = min(max(point[1], box.y0), box.y1)
    return float(((x - point[0]) ** 2 + (y - point[1]) ** 2) ** 0.5)


def _apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


def _near(a: tuple[float, float], b: tuple[float, float], reach: float) -> bool:
    return abs(a[0] - b[0]) < reach and abs(a[1] - b[1]) < reach


def _nearest_on(box: Any, point: tuple[float, float]) -> tuple[float, float]:
    return (min(max(point[0], box.x0), box.x1), min(max(point[1], box.y0), box.y1))


def _crosses(a: tuple[tuple[float, float], tuple[float, float]], b: tuple[tuple[float, float], tuple[float, float]]) -> bool:
    """Whether two line segments cross."""
    def turn(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (q1, q2) = a, b
    return (turn(p1, p2, q1) * turn(p1, p2, q2) < 0) and (turn(q1, q2, p1) * turn(q1, q2, p2) < 0)


def _segment_hits(segment: tuple[tuple[float, float], tuple[float, float]], box: Any) -> bool:
    """Whether a leader line passes through a box (its ends sampled finely enough for text)."""
    (x0, y0), (x1, y1) = segment
    steps = 12
    return any(box.contains(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps) for t in range(1, steps))


# ---------------------------------------------------------------------------------------------


@functools.cache
def _fonts() -> list[str]:
    """The fonts to measure text with: the page's font as far as this machine has it (the
    SVG itself names the page's whole stack; DejaVu ships with matplotlib)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in ("Liberation Sans", "Arial") if name in installed] + ["DejaVu Sans"]


def _tick(value: float, _: Any = None) -> str:
    """A tick's figure, in the axis title's unit: 2.5 stays 2.5, −10 has a real minus."""
    shown = formatting.number(abs(Decimal(str(round(value, 6)))))
    return formatting.MINUS + shown if value < 0 and shown != "0" else shown


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _label(column: Column, value: Any) -> str:
    """A category's name as a reader says it: 2008-09, "Asset management", never a code."""
    return column.shown(value) if column.kind == "year" or column.words else str(value)

