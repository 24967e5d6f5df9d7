"""A table's columns and files: one heading per column, its own output paths."""

from __future__ import annotations

import io

import pandas as pd

from sitegen.tables.table import Column, Table


def test_a_column_has_one_heading_wherever_it_is_shown() -> None:
    """Its label when it has one, else the usual words for its name, else its name in words."""
    assert Column("ni179_gbp", "money").heading == "NI 179"
    assert Column("ni179_gbp", "money", "Gains counted").heading == "Gains counted"
    assert Column("service_id").heading == "Service id"
    assert Column("achievement_pct", "pct").heading == "Achievement"


def test_a_table_knows_the_files_it_is_published_as() -> None:
    table = Table("ni179", "NI 179 by year", (Column("year", "year"), Column("ni179_gbp", "money")),
                  pd.DataFrame({"year": [2008], "ni179_gbp": ["1234.5"]}), ("data/returns.csv",))
    assert [path for path, _ in table.outputs] == [table.csv_path, table.json_path] == \
        ["tables/ni179.csv", "tables/ni179.json"]
    written = io.BytesIO()
    dict(table.outputs)["tables/ni179.csv"](written)
    assert written.getvalue().decode("utf-8") == "year,ni179_gbp\n2008-09,1234.50\n"
