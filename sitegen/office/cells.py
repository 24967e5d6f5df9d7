"""A table cell as a spreadsheet cell: a number with its number format, or text.

The display rules are the column's (tables/table.py); this module only says how Excel
stores what the reader sees: money and percentages as numbers with formats, a symbol
([x]) as text in place of a number, a provisional or revised figure ([p], [r]) as the
number with the symbol in its number format, so the cell is still a number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from sitegen.cells import runs_in_a_spreadsheet
from sitegen.tables.table import Column
from sitegen.values import round_half_up

NUMBER_FORMATS = {"money": "£#,##0.00;-£#,##0.00", "pct": "0.0%", "count": "#,##0", "date": "d mmmm yyyy"}


@dataclass(frozen=True)
class SheetCell:
    """What one cell holds and, where it differs from its column's, its number format."""

    value: Any  # float, int, date or str
    number_format: str | None = None
    quote_prefix: bool = False


def sheet_cell(column: Column, value: Any, mark: str | None = None) -> SheetCell:
    """A table cell as the workbook stores it: the same symbol as the page, the number as a number."""
    found = column.symbol_for(value, mark)
    if found is not None and found.replaces_value:
        return SheetCell(found.text)
    if column.kind in ("money", "pct", "count", "date"):
        number = _number(column, value)
        if found is None:
            return SheetCell(number)
        base = column_format(column, [value]) or "General"
        suffix = f' "{found.text}"'
        return SheetCell(number, ";".join(part + suffix for part in base.split(";")))
    text = column.shown(value, mark=mark)
    # Written as the text it is (the workbook has strings_to_formulas off), with Excel's
    # quote prefix where it would be a formula, so that editing the cell cannot run it.
    return SheetCell(text, None, runs_in_a_spreadsheet(text))


def column_format(column: Column, values: list[Any]) -> str | None:
    """The number format of a numeric column: pounds and pence, one decimal of a percentage,
    whole counts (two decimals where some are not whole)."""
    if column.kind == "count" and any(v is not None and Decimal(v) != int(Decimal(v)) for v in values):
        return "#,##0.00"
    return NUMBER_FORMATS.get(column.kind)


def _number(column: Column, value: Any) -> Any:
    if column.kind == "money":
        return float(round_half_up(Decimal(value), 2))
    if column.kind == "pct":  # 9.4 (per cent) is stored as 0.094 and shown 9.4% by its format
        return float(round_half_up(Decimal(value), 1) / 100)
    if column.kind == "date":
        stamp = pd.Timestamp(value)
        return dt.date(stamp.year, stamp.month, stamp.day)
    number = Decimal(value)
    return int(number) if number == int(number) else float(number)
