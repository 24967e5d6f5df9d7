"""The accessible workbook: tables as the Analysis Function's "Releasing statistics in
spreadsheets" sets them out, written with gptables (on XlsxWriter).

A cover sheet (title, partnership, publisher, date, status, contact), a contents sheet
whose rows link to the sheets, a notes sheet, and one table per sheet: its title in A1,
an Excel table with one header row, no merged cells, numbers stored as numbers with
number formats, symbols ([x], [z], [p]…) with their legend above the table, no colour
carrying meaning (gptables' default theme). Workbooks are made from the computed tables,
as their CSV is; the figures are the same cells the pages show.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pandas as pd

from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.office.cells import SheetCell, column_format, sheet_cell
from sitegen.tables import formatting
from sitegen.tables.symbols import MARKS, legend
from sitegen.tables.table import Table

SHEET_NAME_LIMIT = 31  # Excel's
FIXED_DATE = dt.datetime(2000, 1, 1)  # the file's own creation date when the build has none: same bytes each build


@dataclass(frozen=True)
class WorkbookInfo:
    """What the cover sheet says about the workbook."""

    title: str
    partnership: str
    publisher: str
    published: dt.date | None
    status: str
    contact: tuple[str, ...]
    about: str


def workbook_info(config: Config, title: str, published: dt.date | None, status: str, about: str) -> WorkbookInfo:
    """The cover of a workbook of this project: who publishes it and whom to ask."""
    site = config.site
    access = config.accessibility
    contact = tuple(line for line in (
        f"Email: {access.contact_email}" if access.contact_email else "",
        f"Telephone: {access.contact_phone}" if access.contact_phone else "",
    ) if line) or (f"{site.publisher or site.partnership or site.title}, who publish this workbook.",)
    return WorkbookInfo(title, site.partnership, site.publisher, published, status, contact, about)


def table_workbook(table: Table, config: Config) -> bytes:
    """One table, all its rows and columns, as an accessible workbook (tables/<name>.xlsx)."""
    published = config.source_date.date() if config.source_date else None
    info = workbook_info(config, table.title, published, "Published with the website; the same figures as "
                         f"{table.csv_path} and {table.json_path}.", table.description or table.title)
    return workbook_bytes(info, [table], config)


def workbook_bytes(info: WorkbookInfo, tables: Sequence[Table], config: Config) -> bytes:
    """The workbook of these tables, a sheet each, as the bytes of an .xlsx file."""
    gptables, FormatList = _gptables()


    def text(value: str) -> list[Any]:
        """Words for gptables to write as they are (as rich text of one part): a plain string
        would have "[words](url)" made a live link and "$$name$$" a note reference (titles
        and notes hold partners' names)."""
        return [{}, value.replace("$$", "$ $")]

    def cell(value: str) -> Any:
        return FormatList(text(value))

    sheets: dict[str, Any] = {}
    notes = []
    for number, table in enumerate(tables, start=1):
        label = _sheet_label(number, table.name)
        reference = f"table{number}"
        data, formatting_items = _sheet_data(table, FormatList)
        codes = table.symbols_in(table.rows, table.columns)
        sheets[label] = gptables.GPTable(
            table=data,
            table_name=re.sub(r"[^A-Za-z0-9_]", "_", f"table_{number}_{table.name}")[:250],
            title=[{}, f"{table.title.replace('$$', '$ $')} $${reference}$$"],
            instructions="This worksheet contains one table. Some cells refer to notes, which are on the Notes "
                         "worksheet; symbols in cells are explained below.",
            source=text(f"Source: {_sources_text(table.sources)}"),
            legend=[text(f"{s.text} = {s.meaning}: {s.used_for}") for s in legend(codes)]
            or [text("No cell in this table holds a symbol.")],
            index_columns={},
            additional_formatting=formatting_items,
        )
        notes.append([reference, cell(table.description or f"{table.title}, as published on the website."),
                      cell(f"Also as CSV and JSON: {table.csv_path}, {table.json_path}")])
    cover = gptables.Cover(
        title=cell(info.title),
        intro=[text(line) for line in (
            f"Partnership: {info.partnership}" if info.partnership else "",
            f"Publisher: {info.publisher}" if info.publisher else "",
            f"Date published: {formatting.long_date(info.published)}" if info.published else "",
            f"Status: {info.status}",
        ) if line],
        about=[text(info.about),
               text("Symbols used in the tables, as the Analysis Function's guidance sets them out: "
                    "[x] not available, [c] confidential, [z] not applicable, [p] provisional, [r] revised. "
                    "A cell with no figure holds its symbol, never a 0 or a blank.")],
        contact=[text(line) for line in info.contact],
    )
    out = BytesIO()
    with warnings.catch_warnings():
        # gptables warns of every empty cell; blank text cells (no comment) are meant.
        warnings.simplefilter("ignore")
        try:
            book = gptables.produce_workbook(
                filename=out,  # type: ignore[arg-type]  (XlsxWriter takes a file object too)
                sheets=sheets,
                cover=cover,
                notes_table=pd.DataFrame(notes, columns=["Note reference", "Note text", "Downloads"]),
                contentsheet_options={"title": "Contents", "column_names": ["Sheet", "Table"]},
                workbook_options={"strings_to_formulas": False, "strings_to_urls": False,
                                  "strings_to_numbers": False, "in_memory": True},
            )
        except ValueError as exc:
            raise SitegenError(f"workbook {info.title!r}: {_first_line(exc)}") from exc
        book.set_properties({"title": info.title, "author": info.publisher or info.partnership,
                             "created": config.source_date.replace(tzinfo=None) if config.source_date else FIXED_DATE})
        book.close()
    return out.getvalue()


def _gptables() -> tuple[Any, Any]:
    """gptables, imported only when a workbook is made. Its import unpickles its theme from
    a file it never closes (a ResourceWarning, an error under pytest): ignored here, once."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import gptables
        from gptables.core.gptable import FormatList
    return gptables, FormatList


def _sheet_data(table: Table, text_cell: Any) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The table's cells as the sheet stores them, and the formats gptables applies to them.

    Text from data goes to gptables as a FormatList (`text_cell`), which it writes as it
    is: a plain string would have "[text](url)" turned into a live link and a cell of
    punctuation alone ("%", a unit) refused; a formula-like one carries the quote prefix.
    """
    rows = table.rows
    columns = table.columns
    headings = _unique([c.heading for c in columns])
    made: list[dict[tuple[type, Any, str | None], tuple[SheetCell, Any]]] = [{} for _ in columns]

    def stored(column: Any, cell: SheetCell) -> Any:
        if isinstance(cell.value, str) and cell.value and not (column.numeric and cell.value.startswith("[")):
            return text_cell([{"quote_prefix": True} if cell.quote_prefix else {}, cell.value])
        return cell.value if cell.value != "" else None

    def sheet(index: int, column: Any, row: dict[str, Any]) -> tuple[SheetCell, Any]:
        """The cell, and what gptables is given for it; made once per column for each value of
        a kind whose equal values are shown alike (codes, names, years repeat down a column:
        gptables writes a text cell given the same object as often as it is given it)."""
        value, mark = row[column.name], row.get(MARKS, {}).get(column.name)
        if type(value) not in _SAME_WHEN_EQUAL:
            cell = sheet_cell(column, value, mark)
            return cell, stored(column, cell)
        key = (type(value), value, mark)
        found = made[index].get(key)
        if found is None:
            cell = sheet_cell(column, value, mark)
            found = made[index][key] = (cell, stored(column, cell))
        return found

    both = [[sheet(index, column, row) for index, column in enumerate(columns)] for row in rows]
    cells = [[cell for cell, _ in line] for line in both]
    data = pd.DataFrame([[given for _, given in line] for line in both], columns=headings, dtype=object)
    items: list[dict[str, Any]] = []
    for index, (column, heading) in enumerate(zip(columns, headings, strict=True)):
        number_format = column_format(column, [row[column.name] for row in rows])
        if number_format:
            items.append({"column": {"columns": [heading], "format": {"num_format": number_format}}})
        for line, row_cells in enumerate(cells, start=1):
            cell: SheetCell = row_cells[index]
            extra = {"num_format": cell.number_format} if cell.number_format else {}
            if extra:  # one item a cell: gptables applies only the last of a list of cells
                items.append({"cell": {"cells": (line, index), "format": extra}})
    return data, items


_SAME_WHEN_EQUAL = (str, int, bool, type(None))  # not Decimal: 1.0 and 1.00 are equal, and printed apart


def _sources_text(sources: Sequence[str]) -> str:
    """data/partners.csv and 78 files in data/returns/: the files a table is computed from, briefly."""
    folders: dict[str, list[str]] = {}
    for source in sources:
        folders.setdefault(source.rsplit("/", 1)[0] if "/" in source else "", []).append(source)
    parts = []
    for folder, files in folders.items():
        parts += files if len(files) <= 3 else [f"{len(files)} files in {folder}/"]
    return ", ".join(parts) or "the project's data"


def _sheet_label(number: int, name: str) -> str:
    """A sheet's tab: Table_1_ni179 (Excel allows 31 characters and no / \\ ? * [ ] :)."""
    return re.sub(r"[\\/?*\[\]:]", "_", f"Table_{number}_{name}")[:SHEET_NAME_LIMIT]


def _unique(headings: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for heading in headings:
        seen[heading] = seen.get(heading, 0) + 1
        out.append(heading if seen[heading] == 1 else f"{heading} ({seen[heading]})")
    return out


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
