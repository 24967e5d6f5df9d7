"""The shorthand symbols (sitegen/tables/symbols.py) as Column's one formatter puts them
into every output: instead of no value, after a marked figure, never a 0 or a blank."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from sitegen.tables.symbols import MARKS, SYMBOLS, legend, marks_text, parse_marks
from sitegen.tables.table import Column, Table


def test_the_guidance_symbols_each_once() -> None:
    assert [s.text for s in SYMBOLS.values()] == ["[x]", "[c]", "[z]", "[p]", "[r]"]
    assert [s.code for s in legend(["r", "x", "x", "p"])] == ["x", "p", "r"]
    assert parse_marks(marks_text({"b": "p", "a": "r"})) == {"a": "r", "b": "p"}
    with pytest.raises(KeyError):
        parse_marks("a=q")


@pytest.mark.parametrize(("column", "value", "mark", "shown", "csv", "json"), [
    (Column("ni179_gbp", "money"), None, None, "[x]", "[x]", "[x]"),
    (Column("target_gbp", "money", "", "z"), None, None, "[z]", "[z]", "[z]"),
    (Column("ni179_gbp", "money"), Decimal("1234.5"), "p", "£1,234.50 [p]", "1234.50 [p]", "1234.50 [p]"),
    (Column("ni179_gbp", "money"), Decimal("1234.5"), "c", "[c]", "[c]", "[c]"),  # never the value
    (Column("achievement_pct", "pct"), Decimal("84.56"), "r", "84.6 [r]", "84.6 [r]", "84.6 [r]"),
    (Column("achievement_pct", "pct"), Decimal(0), None, "0.0", "0.0", Decimal("0.0")),  # a real 0 stays 0
    (Column("year", "year"), None, None, "[x]", "[x]", "[x]"),
    (Column("comment"), None, None, "", "", None),  # no text is not a missing figure
    (Column("ni179_gbp", "money"), Decimal("12"), None, "£12", "12.00", Decimal("12.00")),
])
def test_one_formatter_puts_the_symbol_in_every_output(column, value, mark, shown, csv, json) -> None:
    assert column.shown(value, mark=mark) == shown
    assert column.csv_text(value, mark) == csv
    assert column.json_value(value, mark) == json


def test_a_table_with_marked_cells_carries_them_to_csv_json_and_rows() -> None:
    frame = pd.DataFrame({"year": [2010, 2011], "ni179_gbp": [Decimal(5), None],
                          MARKS: ["ni179_gbp=p", ""]})
    table = Table("t", "T", (Column("year", "year"), Column("ni179_gbp", "money")), frame, ())
    assert table.to_csv() == "year,ni179_gbp\n2010-11,5.00 [p]\n2011-12,[x]\n"
    assert '"ni179_gbp": "5.00 [p]"' in table.to_json() and '"ni179_gbp": "[x]"' in table.to_json()
    assert table.rows[0][MARKS] == {"ni179_gbp": "p"} and table.rows[1][MARKS] == {}
    assert table.symbols_in(table.rows, table.columns) == ["p", "x"]
    unmarked = Table("u", "U", (Column("year", "year"),), pd.DataFrame({"year": [2010]}), ())
    assert MARKS not in unmarked.rows[0]
