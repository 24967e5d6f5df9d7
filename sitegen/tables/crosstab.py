"""A table's rows laid out with one column's values across, as reports set out figures by year.

`table("workstreams", return_type="actual", by="workstream", across="year", values="ni179_gbp")`
shows one row per workstream and one column per year (`003_…` Table 3.1); with several
`values` and no `by`, one row per value column (Revenue, Capital: `003_…` Table B.1). Each
cell is one row's value as the table holds it, never a sum or an average: a cross-tab that
would put two rows in one cell is refused, so every figure shown is still one row of the
CSV beside it, exact. Pure: rows in, rows out; the page formats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sitegen.tables.symbols import MARKS
from sitegen.tables.table import Column, Table

MEASURE = Column("measure", "text", "Measure")  # the row heading column of several `values`


class CrossTabError(ValueError):
    """A cross-tab asked for that cannot be one: the message says why and what to do."""


@dataclass(frozen=True)
class Cell:
    column: Column  # whose formatter shows the value
    value: Any
    mark: str | None = None  # its own symbol ([p], [r]), from the row it came from


@dataclass(frozen=True)
class CrossTab:
    headers: tuple[Column, ...]  # the row heading columns: `by`, then MEASURE when several values
    across: Column
    across_values: tuple[Any, ...]  # the column headings' values, in order (years ascending)
    rows: tuple[tuple[tuple[Any, ...], tuple[Cell, ...]], ...]  # (row headings, cells)
    totals: tuple[Cell, ...] | None  # each column's sum, when asked (money, or counts)

    def symbols(self) -> list[str]:
        """The codes of the symbols the cells show ([x] where a row has no value for a year)."""
        found = {cell.column.symbol_for(cell.value, cell.mark) for _, cells in self.rows for cell in cells}
        return sorted(symbol.code for symbol in found if symbol is not None)


def cross_tabulate(table: Table, records: list[dict[str, Any]], across: str, values: list[str],
                   by: list[str] | None = None, totals: bool = False) -> CrossTab:
    """RECORDS (rows of TABLE, filtered) with ACROSS's values as columns, a row per value of
    the BY columns (in the order first met) and per VALUES column; the row headings are the
    BY columns' values, then, when there are several VALUES, the value column's heading."""
    across_column = table.column(across)
    value_columns = [table.column(name) for name in values]
    by_columns = [table.column(name) for name in by or ()]
    if not value_columns:
        raise CrossTabError(f"table {table.name!r}: across= needs values= (the column or columns to show)")
    cells: dict[tuple[tuple[Any, ...], Any], dict[str, Any]] = {}
    keys: dict[tuple[Any, ...], None] = {}  # the rows, in the order first met
    for record in records:
        key = tuple(record[column.name] for column in by_columns)
        keys.setdefault(key)
        place = (key, record[across])
        if place in cells:
            where = "".join(f"{column.heading.lower()} {column.shown(value)!r}, "
                            for column, value in zip(by_columns, key, strict=True))
            raise CrossTabError(
                f"table {table.name!r}: more than one row for {where}{across_column.heading.lower()} "
                f"{across_column.shown(record[across])}: filter the rows to one per cell "
                f"(by the value of another column), or add the column that tells them apart to by=")
        cells[place] = record
    across_values = tuple(sorted({record[across] for record in records if record[across] is not None}))
    several = len(value_columns) > 1 or not by_columns  # each value column a row of its own, named
    rows = []
    for key in keys:
        for column in value_columns:
            row_cells = []
            for value in across_values:
                record = cells.get((key, value))
                row_cells.append(Cell(column, None) if record is None
                                 else Cell(column, record[column.name], record.get(MARKS, {}).get(column.name)))
            rows.append((key + ((column,) if several else ()), tuple(row_cells)))
    summed = None
    if totals:
        kinds = {column.kind for column in value_columns}
        if len(kinds) > 1 or not kinds <= {"money", "count"}:
            raise CrossTabError(f"table {table.name!r}: totals= adds up columns of money, or of counts, and "
                                f"values= names {', '.join(values)}")
        summed = tuple(Cell(value_columns[0], sum((row[index].value or Decimal(0) for _, row in rows), Decimal(0)))
                       for index in range(len(across_values)))
    headers = tuple(by_columns) + ((MEASURE,) if several else ())
    return CrossTab(headers, across_column, across_values, tuple(rows), summed)
