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

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from sitegen import formatting  # noqa: E402
from sitegen.tables import Column  # noqa: E402

PALETTE = ["#12436d", "#28a197", "#801650", "#f46a25", "#3d3d3d", "#a285d1"]
# Series whose names mean a colour are drawn in it: a RAG chart in blue would mislead.
MEANINGFUL = {"green": "#00703c", "amber": "#f47738", "red": "#d4351c", "not_returned": "#b1b4b6"}
KINDS = ("bar", "line", "barh")


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
        value_axis.set_major_formatter(FuncFormatter(lambda v, _: _tick(series[0], v, money_scale)))
        category_axis.set_ticks(positions, categories)
        category_axis.grid(False)
        if kind == "barh":
            axes.invert_yaxis()
        if len(series) > 1:
            axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, 1.12), ncols=len(series))
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


@functools.cache
def _fonts() -> list[str]:
    """The page's font stack, as far as this machine has it (DejaVu ships with matplotlib)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in ("Liberation Sans", "Arial") if name in installed] + ["DejaVu Sans"]


def _label(column: Column, value: Any) -> str:
    if column.kind == "year":
        return formatting.financial_year(value)
    return str(value)


def _tick(column: Column, value: float, scale: str) -> str:
    if column.kind == "money":
        return formatting.money(Decimal(str(value)), "words" if scale == "pounds" else scale)
    if column.kind == "pct":
        return formatting.percent(Decimal(str(value)), 0)
    return formatting.number(Decimal(str(round(value, 6))))
