"""Cross-tabulated tables: years across the columns, every cell one row's exact value."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from sitegen.tables.crosstab import MEASURE, CrossTabError, cross_tabulate
from sitegen.tables.table import Column, Table


def workstreams() -> Table:
    frame = pd.DataFrame({
        "year": [2008, 2009, 2010, 2008, 2010],
        "workstream": ["procurement", "procurement", "procurement", "assets", "assets"],
        "ni179_gbp": [Decimal("0.6"), Decimal("1.1"), Decimal("1.8"), Decimal("0.1"), Decimal("0.3")],
        "costs_gbp": [Decimal("1"), Decimal("2"), Decimal("3"), Decimal("4"), Decimal("5")],
    })
    columns = (Column("year", "year"), Column("workstream"), Column("ni179_gbp", "money"), Column("costs_gbp", "money"))
    return Table("workstreams", "By workstream", columns, frame, ())


def test_a_row_per_value_of_by_and_a_column_per_year_each_cell_exact() -> None:
    table = workstreams()
    crossed = cross_tabulate(table, table.records(), "year", ["ni179_gbp"], ["workstream"], totals=True)
    assert crossed.headers == (table.column("workstream"),)
    assert crossed.across_values == (2008, 2009, 2010)
    assert [(headings, [cell.value for cell in cells]) for headings, cells in crossed.rows] == [
        (("procurement",), [Decimal("0.6"), Decimal("1.1"), Decimal("1.8")]),
        (("assets",), [Decimal("0.1"), None, Decimal("0.3")]),  # no row for 2009-10: not available, never 0
    ]
    assert crossed.symbols() == ["x"]
    assert [cell.value for cell in crossed.totals or ()] == [Decimal("0.7"), Decimal("1.1"), Decimal("2.1")]


def test_several_value_columns_make_a_row_each_named_by_its_heading() -> None:
    table = workstreams()
    records = [r for r in table.records() if r["workstream"] == "procurement"]
    crossed = cross_tabulate(table, records, "year", ["ni179_gbp", "costs_gbp"])
    assert crossed.headers == (MEASURE,)
    assert [headings[0].name for headings, _ in crossed.rows] == ["ni179_gbp", "costs_gbp"]
    assert [cell.value for cell in crossed.rows[1][1]] == [Decimal("1"), Decimal("2"), Decimal("3")]


def test_two_rows_for_one_cell_are_refused_never_added_up() -> None:
    table = workstreams()
    with pytest.raises(CrossTabError, match="more than one row for year 2008-09"):
        cross_tabulate(table, table.records(), "year", ["ni179_gbp"])


def test_totals_add_up_money_or_counts_only() -> None:
    table = workstreams()
    with pytest.raises(CrossTabError, match="totals= adds up"):
        cross_tabulate(table, table.records(), "year", ["workstream"], ["workstream"], totals=True)
