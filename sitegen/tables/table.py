"""A computed table: its columns, its rows, and its cells as CSV and JSON."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import simplejson

from sitegen.cells import spreadsheet_text
from sitegen.tables import formatting
from sitegen.tables.revised import RevisedDecimal
from sitegen.tables.symbols import MARKS, Symbol, parse_marks, symbol
from sitegen.values import PENNY, format_financial_year, micro_to_pounds, round_half_up

# Headings of columns whose names do not say it in words.
COLUMN_HEADINGS = {
    "partner_id": "Partner id", "partner_name": "Partner", "name": "Name", "year": "Year",
    "return_type": "Return", "ni179_gbp": "NI 179", "non_cash_gbp": "Non-cash gains",
    "sr04_carry_forward_gbp": "SR04 carry-forward", "target_gbp": "Target",
    "achievement_pct": "Achievement", "returns_received": "Received",
    "returns_expected": "Expected", "workstream": "Workstream", "revenue_gbp": "Revenue",
    "capital_gbp": "Capital", "no_rating": "No rating", "assessed": "Assessed", "sector": "Sector",
    "organisations": "Organisations",
    "counted_value_gbp": "Counted value", "gross_gbp": "Gross", "costs_gbp": "Costs",
    "cumulative_pct": "Cumulative target", "baseline_gbp": "Baseline", "funding_gbp": "Funding",
    "target_saving_gbp": "Target saving", "gain_ref": "Ref", "first_impact": "First impact",
}


@dataclass(frozen=True)
class Column:
    """A table column: its name, what kind of value it holds, its heading, and the symbol
    its cells show when they hold no value (symbols.py)."""

    name: str
    kind: str = "text"  # text, money, pct, year, count, date, bool
    label: str = ""
    empty: str | None = None  # code of the symbol for no value: "x" (not available) unless said, "" for text
    # What a reader sees for each code of a text column (labels.py, partner names): the
    # CSV and JSON keep the code. `listed`: the cell holds several codes, "a;b;c".
    words: tuple[tuple[str, str], ...] = ()
    vocabulary: str = ""
    listed: bool = False
    # Decimals of a count or indicator column, as shown and as CSV and JSON hold it
    # (Table works it out from its rows): 37.68, not 37.68333333333333333333333333.
    places: int | None = None

    @property
    def heading(self) -> str:
        """The one heading of the column, wherever it is shown: its label, the usual
        heading of a column of that name, or its name in words."""
        return (self.label or COLUMN_HEADINGS.get(self.name)
                or self.name.replace("_gbp", "").replace("_pct", " %").replace("_", " ").capitalize())

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "pct", "count")

    def word(self, value: Any) -> str:
        """The label of a code (its code if it has none), or of each code of a list."""
        text = str(value)
        if not self.words:
            return text
        words = self._words
        if self.listed:
            return ", ".join(words.get(part.strip(), part.strip()) for part in text.split(";") if part.strip())
        return words.get(text, text)

    @functools.cached_property
    def _words(self) -> dict[str, str]:
        """`words` as a dict, made once: a workbook asks for the word of every cell."""
        return dict(self.words)

    def symbol_for(self, value: Any, mark: str | None = None) -> Symbol | None:
        """The symbol a cell shows: its own mark ([p] beside a figure, [c] instead of one),
        else, with no value, the column's ([x] unless the column says [z]); blank text has none."""
        if mark is None and isinstance(value, RevisedDecimal):  # revised since its paper was issued
            mark = "r"
        marked = symbol(mark)
        if value is None and (marked is None or not marked.replaces_value):
            empty = self.empty if self.empty is not None else ("" if self.kind == "text" else "x")
            return symbol(empty)
        return marked

    def csv_text(self, value: Any, mark: str | None = None) -> str:
        """A cell as CSV and `sitegen table` print it: pounds with two decimals, percentages and
        indicators to their column's precision (as shown), codes as codes; a symbol instead of
        no value ([x]) or after a marked figure (1234.00 [p])."""
        return _with_symbol(self.symbol_for(value, mark), value, self._csv_text)

    def json_value(self, value: Any, mark: str | None = None) -> Any:
        """A cell as JSON holds it: money as exact numbers (1234.50), counts as integers where
        whole; a cell with a symbol as text, as in the CSV ("[x]", "1234.00 [p]")."""
        found = self.symbol_for(value, mark)
        if found is not None:
            return self.csv_text(value, mark)
        return self._json_value(value)

    def shown(self, value: Any, scale: formatting.MoneyScale = "pounds",
              negative: formatting.NegativeStyle = "minus", mark: str | None = None,
              places: int | None = None) -> str:
        """A cell as a reader sees it, in HTML, PDF, charts, the workbook and Word papers:
        £1,234 · 9.4 · 2008-09 · Yes · In progress · [x] · £1,234 [p]. `places`: the column's
        one precision (column_places), so that every cell of a column has as many decimals."""
        return _with_symbol(self.symbol_for(value, mark), value, lambda v: self._shown(v, scale, negative, places))

    def _csv_text(self, value: Any) -> str:
        if value is None:
            return ""
        if self.kind == "money":
            return str(round_half_up(Decimal(value), 2))
        if self.kind == "pct":  # to the column's precision, as shown: 41 where every value is whole
            return str(round_half_up(Decimal(value), 1 if self.places is None else self.places))
        if self.kind == "year":
            return format_financial_year(int(value))
        if self.kind == "bool":
            return "yes" if value else "no"
        if self.kind == "date":
            return pd.Timestamp(value).date().isoformat()
        if self.kind == "count" and isinstance(value, Decimal):  # an indicator
            if self.places is not None:  # to the column's precision, as shown: 48.0 beside 48.2
                return str(round_half_up(value, self.places))
            return str(int(value)) if value == int(value) else str(value.normalize())
        return str(value)

    def _json_value(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "money":
            return round_half_up(Decimal(value), 2)
        if self.kind == "pct":
            return round_half_up(Decimal(value), 1 if self.places is None else self.places)
        if self.kind == "count":  # counts, and indicators such as 8.5 days: to the column's precision
            if self.places is not None:
                return round_half_up(Decimal(value), self.places)
            return int(value) if Decimal(value) == int(value) else Decimal(value)
        if self.kind == "bool":
            return bool(value)
        return self._csv_text(value)

    def _shown(self, value: Any, scale: formatting.MoneyScale, negative: formatting.NegativeStyle,
               places: int | None) -> str:
        if value is None:
            return ""
        if self.kind == "money":
            return formatting.money(value, scale, negative, places=places)
        if self.kind == "pct":
            shown_places = places if places is not None else 1 if self.places is None else self.places
            return formatting.percent(value, shown_places).removesuffix("%")
        if self.kind == "count":
            return formatting.number(value, self.places if places is None else places)
        if self.kind == "year":
            return formatting.financial_year(value)
        if self.kind == "bool":
            return formatting.yes_no(value)
        if self.kind == "date":
            return formatting.long_date(value.date() if hasattr(value, "date") else value)
        return self.word(value)


def column_places(column: Column, values: Iterable[Any], scale: formatting.MoneyScale = "pounds") -> int | None:
    """The one number of decimals for every cell of a column (GOV.UK style): whole pounds
    unless some amount needs pence, then pence in all; percentages to one decimal unless all
    are whole; indicators to as many decimals as the most precise needs, at most two."""
    if column.kind not in ("money", "pct", "count") or (column.kind == "money" and scale in ("k", "m")):
        return None
    numbers = [v if isinstance(v, Decimal) else Decimal(str(v)) for v in values
               if v is not None and not isinstance(v, str) and not _is_missing(v)]
    if column.kind == "money":
        return 2 if any(not _whole(round_half_up(n, 2)) for n in numbers) else 0
    if column.kind == "pct":
        return 1 if any(not _whole(round_half_up(n, 1)) for n in numbers) else 0
    return max((_decimals(round_half_up(n, 2)) for n in numbers), default=0)


def _whole(number: Decimal) -> bool:
    return number == number.to_integral_value()


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _with_symbol(found: Symbol | None, value: Any, text: Callable[[Any], str]) -> str:
    """The symbol instead of the value, after it, or no symbol at all."""
    if found is None:
        return text(value)
    if found.replaces_value:
        return found.text
    return f"{text(value)} {found.text}"


@dataclass(frozen=True)
class Table:
    """A computed or loaded table: typed columns, exact values, and its sources."""

    name: str
    title: str
    columns: tuple[Column, ...]
    frame: pd.DataFrame
    sources: tuple[str, ...]  # data files it is computed from
    description: str = ""
    micro: tuple[str, ...] = ()  # money columns the frame holds as int64 micropounds (big tables)
    absent: tuple[str, ...] = ()  # data files it is computed from that the project does not have
    money: formatting.MoneyScale = "pounds"  # how its pages show money unless they say: "m" for partnership totals

    def __post_init__(self) -> None:
        # Each percentage's and indicator's one precision, worked out once from all its rows:
        # every page and the CSV and JSON show it alike (37.68, never 28 decimals of an average).
        columns = tuple(
            replace(c, places=column_places(c, self.frame[c.name].tolist()))
            if c.kind in ("pct", "count") and c.places is None and c.name in self.frame.columns
            and (c.kind == "pct" or self.frame[c.name].dtype == object) else c
            for c in self.columns
        )
        object.__setattr__(self, "columns", columns)

    def presented_like(self, live: Table) -> Table:
        """This table (an issued paper's figures) shown as the live table of its name is:
        its codes in the project's words and its money in the same scale. Words are not figures."""
        shown = {c.name: c for c in live.columns}
        columns = tuple(
            replace(c, words=shown[c.name].words, vocabulary=shown[c.name].vocabulary, listed=shown[c.name].listed)
            if c.name in shown and c.kind == shown[c.name].kind else c
            for c in self.columns
        )
        if columns == self.columns and self.money == live.money:
            return self
        return replace(self, columns=columns, money=live.money)

    @property
    def csv_path(self) -> str:
        """Where the table's CSV is published, relative to site/."""
        return f"tables/{self.name}.csv"

    @property
    def json_path(self) -> str:
        """Where the table's JSON is published, relative to site/."""
        return f"tables/{self.name}.json"

    @property
    def xlsx_path(self) -> str:
        """Where the table's accessible workbook is published (office/workbook.py writes it)."""
        return f"tables/{self.name}.xlsx"

    @property
    def has_workbook(self) -> bool:
        """Whether the table is published as a workbook too: not when it has no rows, nor past
        WORKBOOK_MAX_ROWS (written cell by cell, a million lines would take minutes: the CSV has them)."""
        return 0 < len(self.frame) <= WORKBOOK_MAX_ROWS

    @property
    def outputs(self) -> tuple[tuple[str, Callable[[BinaryIO], None]], ...]:
        """(path under site/, writer) of each file the table is published as."""
        return ((self.csv_path, self.write_csv), (self.json_path, self.write_json))

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @functools.cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The rows, computed once per build; read them, never change them (see records())."""
        frame = self.frame[[c.name for c in self.columns]]
        rows = [
            {k: (None if _is_missing(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")
        ]
        for row in rows:
            for name in self.micro:
                row[name] = micro_to_pounds(row[name])
        if self.marked:  # the symbols of figures that are there ([p], [r], [c]), by column
            for row, marks in zip(rows, self.frame[MARKS].tolist(), strict=True):
                row[MARKS] = parse_marks(marks)
        return rows

    @property
    def marked(self) -> bool:
        """Whether some cells carry a symbol of their own (a MARKS column in the frame)."""
        return MARKS in self.frame.columns

    def symbols_in(self, rows: list[dict[str, Any]], columns: tuple[Column, ...] | list[Column]) -> list[str]:
        """The codes of the symbols these rows show in these columns: what a legend explains."""
        found: set[str] = set()
        for column in columns:
            for row in rows:
                cell = column.symbol_for(row[column.name], row.get(MARKS, {}).get(column.name))
                if cell is not None:
                    found.add(cell.code)
        return sorted(found)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of exact values (Decimal pounds, int years), None for empty."""
        return [dict(row) for row in self.rows]

    def to_csv(self) -> str:
        """The contract's CSV: pounds with two decimals, percentages and indicators as shown."""
        out = io.BytesIO()
        self.write_csv(out)
        return out.getvalue().decode("utf-8")

    def to_json(self) -> str:
        """Columns with their kinds, then rows; money as exact JSON numbers (1234.50)."""
        out = io.BytesIO()
        self.write_json(out)
        return out.getvalue().decode("utf-8")

    def write_csv(self, out: BinaryIO) -> None:
        """Write the CSV a chunk of rows at a time: a million lines are never one string."""
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow([spreadsheet_text(c.name) for c in self.columns])
        out.write(header.getvalue().encode("utf-8"))
        if self.marked:  # few rows, cells with symbols of their own: cell by cell
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            for row in self.rows:
                writer.writerow([c.csv_text(row[c.name], row[MARKS].get(c.name)) for c in self.columns])
            out.write(text.getvalue().encode("utf-8"))
            return
        if len(self.columns) == 1:  # a lone empty cell is written "": leave that to the csv module
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            for row in self.rows:
                writer.writerow([spreadsheet_text(self.columns[0].csv_text(row[self.columns[0].name]))])
            out.write(text.getvalue().encode("utf-8"))
            return
        for chunk in self._chunks():
            cells = [self._encoded(c, chunk[c.name], _csv_cell) for c in self.columns]
            lines = pc.binary_join_element_wise(*cells, ",")
            out.write(("\n".join(lines.to_pylist()) + "\n").encode("utf-8"))

    def write_json(self, out: BinaryIO) -> None:
        """Write the JSON a chunk of rows at a time, byte for byte as one simplejson.dumps."""
        document = {
            "name": self.name,
            "title": self.title,
            "sources": list(self.sources),
            "columns": [{"name": c.name, "kind": c.kind} for c in self.columns],
            "rows": [],
        }
        if self.marked:  # few rows, cells with symbols of their own: one dumps
            document["rows"] = [{c.name: c.json_value(row[c.name], row[MARKS].get(c.name)) for c in self.columns}
                                for row in self.rows]
        head = simplejson.dumps(document, use_decimal=True, indent=1, ensure_ascii=False)
        if not len(self.frame) or self.marked:
            out.write((head + "\n").encode("utf-8"))
            return
        assert head.endswith('"rows": []\n}')
        out.write((head[: -len("]\n}")] + "\n").encode("utf-8"))
        keys = [f"   {simplejson.dumps(c.name, ensure_ascii=False)}: " for c in self.columns]
        first = True
        for chunk in self._chunks():
            cells = [
                pc.binary_join_element_wise(key, self._encoded(c, chunk[c.name], _json_cell), "")
                for key, c in zip(keys, self.columns, strict=True)
            ]
            rows = pc.binary_join_element_wise("  {\n", pc.binary_join_element_wise(*cells, ",\n"), "\n  }", "")
            out.write((("" if first else ",\n") + ",\n".join(rows.to_pylist())).encode("utf-8"))
            first = False
        out.write(b"\n ]\n}\n")

    def _chunks(self) -> Iterator[pd.DataFrame]:
        for start in range(0, len(self.frame), CHUNK_ROWS):
            yield self.frame.iloc[start : start + CHUNK_ROWS]

    def _encoded(self, column: Column, values: pd.Series, encode: Callable[[Column, Any], str]) -> pa.Array:
        """A column's cells as CSV or JSON text: vectorised for micropounds, once per distinct
        value for plain dtypes, cell by cell for Python objects (Decimals)."""
        if column.name in self.micro and values.dtype == "int64":
            return _pounds_text(values.to_numpy())
        if column.name in self.micro:
            values = pd.Series([micro_to_pounds(v) for v in values], index=values.index, dtype=object)
        if values.dtype == object or values.dtype.kind == "f":  # -0.0 and 0.0 are one value to a hash
            return pa.array([encode(column, None if _is_missing(v) else v) for v in values], pa.string())
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        texts = pa.array([encode(column, None if _is_missing(v) else v) for v in uniques.tolist()], pa.string())
        return texts.take(pa.array(codes))


CHUNK_ROWS = 50_000  # rows formatted at once when a table is written
WORKBOOK_MAX_ROWS = 10_000  # tables longer than this are published as CSV and JSON only


def _csv_cell(column: Column, value: Any) -> str:
    """One cell as csv.writer writes it (quoted where it must be), in a row of two or more,
    never a formula to the spreadsheet that opens it (`spreadsheet_text`)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([spreadsheet_text(column.csv_text(value)), ""])
    return out.getvalue()[:-2]


def _json_cell(column: Column, value: Any) -> str:
    return simplejson.dumps(column.json_value(value), use_decimal=True, ensure_ascii=False)


def _pounds_text(micro: np.ndarray) -> pa.Array:
    """Micropounds as pounds with two decimals, rounded half up (away from zero): -0.004 is -0.00."""
    pence = (np.abs(micro) + PENNY // 2) // PENNY
    whole = pc.cast(pa.array(pence // 100), pa.string())
    cents = pc.utf8_lpad(pc.cast(pa.array(pence % 100), pa.string()), 2, "0")
    text = pc.binary_join_element_wise(whole, cents, ".")
    return pc.if_else(pa.array(micro < 0), pc.binary_join_element_wise("-", text, ""), text)


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


