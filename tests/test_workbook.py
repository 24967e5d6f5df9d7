"""The accessible workbooks (sitegen/office/workbook.py), read back with openpyxl as a
finance officer's Excel would: cover, contents links, notes, one Excel table a sheet,
numbers as numbers, symbols in place, nothing merged, nothing a formula."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from sitegen.cells import runs_in_a_spreadsheet
from sitegen.office.workbook import table_workbook
from sitegen.tables.symbols import MARKS
from sitegen.tables.table import Column, Table
from conftest import load_folder


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _table_sheet(book: openpyxl.Workbook, name: str) -> Worksheet:
    return next(ws for ws in book.worksheets if ws.title.endswith(f"_{name}"))


def _rows(ws: Worksheet) -> list[list[object]]:
    (table,) = ws.tables.values()
    return [[cell.value for cell in row] for row in ws[table.ref]]


def test_report_workbook_has_cover_contents_notes_and_a_table_a_sheet(built_demo) -> None:
    project, _ = built_demo
    site = project / "site"
    html = (site / "report" / "index.html").read_text(encoding="utf-8")
    assert 'href="../papers/report.xlsx"' in html  # linked from the report
    book = _book(site / "papers" / "report.xlsx")
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    cover = [row[0] for row in book["Cover"].iter_rows(values_only=True) if row[0]]
    assert cover[0] == "Annual value for money report 2010-11: tables"
    assert "Partnership: Valeshire Partnership" in cover
    assert "Date published: 29 July 2011" in cover and "Status: Published" in cover
    assert any(line.startswith("Publisher: ") for line in cover)
    assert any(line.startswith("Email: ") for line in cover)
    # The contents link to every table sheet, and nothing else is in the workbook.
    contents = _rows(book["Contents"])
    assert contents[0] == ["Sheet", "Table"]
    links = {row[0].hyperlink.location for row in book["Contents"].iter_rows(min_row=4) if row[0].hyperlink}
    assert links == {f"'{name}'!A1" for name in book.sheetnames[3:]}
    notes = _rows(book["Notes"])
    assert notes[0][:2] == ["Note number", "Note text"] and len(notes) == len(book.sheetnames) - 3 + 1
    for ws in book.worksheets:
        assert not ws.merged_cells.ranges, ws.title
        if ws.title != "Cover":
            assert len(ws.tables) == 1, ws.title
            assert isinstance(ws["A1"].value, str) and ws["A1"].value, ws.title  # the title in A1
            (table,) = ws.tables.values()
            assert table.headerRowCount == 1 and table.tableStyleInfo is None or not table.tableStyleInfo.name


def test_numbers_are_numbers_with_formats_and_a_missing_return_is_x_in_page_pdf_and_workbook(built_demo) -> None:
    project, _ = built_demo
    book = _book(project / "site" / "papers" / "report.xlsx")
    ws = _table_sheet(book, "targets")
    (table,) = ws.tables.values()
    header, *body = ws[table.ref]
    headings = [cell.value for cell in header]
    partner, target, actual, pct = (headings.index(h) for h in ("Partner", "Target", "Actual", "Cumulative target"))
    fenholt = [row for row in body if row[partner].value == "Fenholt District Council" and row[2].value == "2010-11"]
    (row,) = fenholt
    assert row[actual].value == "[x]"  # the return not received: the same symbol as the page and the PDF
    assert isinstance(row[target].value, (int, float)) and row[target].number_format.startswith("£#,##0.00")
    assert row[pct].value == pytest.approx(0.094) and row[pct].number_format == "0.0%"
    legend = [ws.cell(row=r, column=1).value for r in range(1, table.min_row if hasattr(table, "min_row") else 5)]
    assert any(str(text).startswith("[x] = not available") for text in legend)
    # The page and the PDF show the same [x] for that return.
    html = (project / "site" / "report" / "index.html").read_text(encoding="utf-8")
    assert "<td>Fenholt District Council</td>" in html
    row_html = html[html.index("<td>Fenholt District Council</td>", html.index('id="table-targets"')):]
    assert row_html[: row_html.index("</tr>")].count('<td class="num">[x]</td>') == 1
    pdf = "\n".join(page.extract_text() for page in PdfReader(project / "site" / "papers" / "report.pdf").pages)
    lines = [line for line in pdf.splitlines() if line.startswith("Fenholt District Council")]
    assert any(line.endswith(" [x]") for line in lines), lines
    assert "Symbols: [x] not available." in pdf


def test_provisional_figures_stay_numbers_with_the_symbol_in_their_format(built_demo) -> None:
    project, _ = built_demo
    book = _book(project / "site" / "tables" / "ni179_total.xlsx")
    ws = _table_sheet(book, "ni179_total")
    (table,) = ws.tables.values()
    header, *body = ws[table.ref]
    headings = [cell.value for cell in header]
    column = headings.index("NI 179")
    short = [row for row in body if row[2].value < row[3].value]  # returns received < expected
    assert short
    for row in short:
        assert isinstance(row[column].value, (int, float))
        assert row[column].number_format.endswith(' "[p]"')
    whole = [row for row in body if row[2].value == row[3].value]
    assert all("[p]" not in row[column].number_format for row in whole)


def test_every_table_is_published_as_a_workbook_and_linked_beside_it(built_demo) -> None:
    project, _ = built_demo
    site = project / "site"
    html = (site / "report" / "index.html").read_text(encoding="utf-8")
    assert 'Data: <a href="../tables/ni179_total.csv" download="">CSV</a> · <a href="../tables/ni179_total.json">JSON' \
        '</a> · <a href="../tables/ni179_total.xlsx" download="">Excel</a>' in html
    book = _book(site / "tables" / "ni179.xlsx")
    assert [ws.title for ws in book.worksheets] == ["Cover", "Contents", "Notes", "Table_1_ni179"]
    rows = _rows(_table_sheet(book, "ni179"))
    homes = [row for row in rows if row[0] == "valeshire-homes"]
    assert homes and all(row[-2:] == ["[z]", "[z]"] for row in homes)  # no target: not applicable


def _table(frame: pd.DataFrame, columns: tuple[Column, ...]) -> Table:
    return Table("hostile", "Hostile text", columns, frame, ("data/hostile.csv",))


def test_text_from_data_is_never_a_formula_nor_a_link(tmp_path: Path) -> None:
    """A partner's description that Excel would run, or gptables turn into a link, stays text."""
    texts = ['=HYPERLINK("http://evil.example/x","click")', "+1+1", "-2", "@SUM(A1)", "\tx", "%",
             "[phish](http://evil.example/md)", "plain"]
    frame = pd.DataFrame({"description": texts, "value": [Decimal(1)] * len(texts)})
    config = load_folder(Path(__file__).parent / "fixtures" / "minimal").config
    data = table_workbook(_table(frame, (Column("description"), Column("value", "money"))), config)
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = _table_sheet(book, "hostile")
    (table,) = ws.tables.values()
    _, *body = ws[table.ref]
    assert [row[0].value for row in body] == texts  # read back unchanged
    for row in body:
        assert row[0].data_type == "s" and not row[0].hyperlink  # text, never a formula or a link
        assert row[0].quotePrefix == runs_in_a_spreadsheet(row[0].value)
    assert runs_in_a_spreadsheet("=1") and runs_in_a_spreadsheet("-A2") and not runs_in_a_spreadsheet("plain")
    assert not runs_in_a_spreadsheet("1-2") and not runs_in_a_spreadsheet("-2")  # a signed number is a number


def test_a_cell_marked_confidential_never_shows_its_value(tmp_path: Path) -> None:
    frame = pd.DataFrame({"partner": ["a", "b"], "value": [Decimal("12.5"), Decimal(7)],
                          MARKS: ["value=c", "value=r"]})
    config = load_folder(Path(__file__).parent / "fixtures" / "minimal").config
    table = _table(frame, (Column("partner"), Column("value", "money")))
    book = openpyxl.load_workbook(io.BytesIO(table_workbook(table, config)))
    rows = _rows(_table_sheet(book, "hostile"))
    assert rows[1] == ["a", "[c]"] and rows[2] == ["b", 7]
    assert table.to_csv().splitlines()[1:] == ["a,[c]", "b,7.00 [r]"]
    assert '"value": "[c]"' in table.to_json() and '"value": "7.00 [r]"' in table.to_json()


def test_same_workbook_bytes_from_the_same_table() -> None:
    config = load_folder(Path(__file__).parent / "fixtures" / "minimal").config
    frame = pd.DataFrame({"partner": ["a"], "value": [Decimal(1)]})
    table = _table(frame, (Column("partner"), Column("value", "money")))
    assert table_workbook(table, config) == table_workbook(table, config)


def test_any_table_as_a_workbook_on_request(copy_fixture, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sitegen.cli import main

    project = copy_fixture("minimal")
    out = tmp_path / "ni179.xlsx"
    result = CliRunner().invoke(main, ["table", "ni179", "--format", "xlsx", "-o", str(out), "-C", str(project)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Table_1_ni179"]
    result = CliRunner().invoke(main, ["table", "ni179", "--format", "xlsx", "-C", str(project)])
    assert result.exit_code == 2 and "--out FILE.xlsx" in result.output


def test_a_partners_name_in_a_title_stays_words() -> None:
    """Titles, notes and the cover hold names from data: never a link, never a note reference."""
    config = load_folder(Path(__file__).parent / "fixtures" / "minimal").config
    frame = pd.DataFrame({"partner": ["a"], "value": [Decimal(1)]})
    name = "Beta [click me](javascript:alert(2)) $$x$$ Council"
    table = Table("hostile", f"Return lines of {name}", (Column("partner"), Column("value", "money")), frame,
                  ("data/hostile.csv",), name)
    book = openpyxl.load_workbook(io.BytesIO(table_workbook(table, config)))
    ws = _table_sheet(book, "hostile")
    assert ws["A1"].value == "Return lines of Beta [click me](javascript:alert(2)) $ $x$ $ Council [note 1]"
    assert not any(cell.hyperlink for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                   if sheet.title != "Contents")
    assert _rows(book["Notes"])[1][1] == "Beta [click me](javascript:alert(2)) $ $x$ $ Council"
    assert book["Cover"]["A1"].value == "Return lines of Beta [click me](javascript:alert(2)) $ $x$ $ Council"
