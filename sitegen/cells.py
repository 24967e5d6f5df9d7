"""Text as it may safely leave sitegen: for a spreadsheet, never a formula; anywhere, no
control character.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel and LibreOffice when a CSV file is opened (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`),
and openpyxl writes such a string as a formula cell. OWASP's advice for CSV is a leading
`'`, which spreadsheets show as text; a number (`-1234.50`, `+44`) stays a number. In a
workbook the cell is written as text with Excel's quote prefix instead, so the partner
sees and gets back exactly the text (nothing added). Control characters (C0 but tab and
line feed, DEL, C1) break XML (a PDF's metadata, a workbook), move a terminal's cursor
and colour its text: they are removed.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list: what a spreadsheet runs
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def printable(text: str) -> str:
    """The text without control characters (tab and line feed kept; a CR line end is a line feed)."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def runs_in_a_spreadsheet(text: str) -> bool:
    """Whether a spreadsheet would take the text for a formula (a signed number is not one)."""
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def spreadsheet_text(text: str) -> str:
    """A CSV cell that a spreadsheet shows and never runs: `'=SUM(A1)`, `-12.50` as it is."""
    text = printable(text)
    return "'" + text if runs_in_a_spreadsheet(text) else text


def put_cell(cell: Any, value: Any) -> None:
    """Set an openpyxl cell to VALUE as a spreadsheet must show it and never run it.

    Text is text (a string cell with the quote prefix where it would be a formula, so the
    value read back is the value written), without control characters; numbers, Decimals,
    dates and booleans are set as they are.
    """
    if not isinstance(value, str):
        cell.value = value
        return
    text = printable(value)
    cell.value = text
    if cell.data_type != "s":  # openpyxl took it for a formula (or an error code such as #N/A)
        cell.data_type = "s"
    if runs_in_a_spreadsheet(text) or text.startswith("#"):
        cell.quotePrefix = True
