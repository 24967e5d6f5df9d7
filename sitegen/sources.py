"""Reading tabular files (CSV or XLSX) into frames of text, with true line numbers.

Everything is read as text here; typing is the validator's job, so that a bad cell
becomes a located problem rather than a parser exception. A line number is the line
as a text editor or a spreadsheet shows it (the header is line 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from sitegen.errors import Problem

TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class RawTable:
    """One file's rows as text: columns named as found (trimmed, lower case)."""

    name: str  # the file as the user knows it, relative to the project
    frame: pd.DataFrame  # all cells as str, blank as ""
    lines: pd.Series  # line number of each row, aligned with frame


def read_table(path: Path, name: str) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV or XLSX file; on failure return None and the problems found."""
    try:
        if path.suffix.lower() == ".xlsx":
            return _read_xlsx(path, name)
        return _read_csv(path.read_bytes(), name)
    except OSError as exc:
        return None, [Problem(name, None, None, f"cannot be read ({exc.strerror or exc})")]


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes "CSV"."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(raw: bytes, name: str) -> tuple[RawTable | None, list[Problem]]:
    if b"\x00" in raw[:4096]:
        return None, [Problem(name, None, None, "is not a CSV text file (it holds binary data)")]
    text = decode_text(raw).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [Problem(name, 1, None, "is empty (expected a header row)")]
    try:
        record_lines, counts = _record_lines(text)
    except _UnreadableRecord as exc:
        return None, [Problem(name, exc.line, None, "cannot be read as CSV from here: a value is longer than "
                                                    f"{csv.field_size_limit():,} characters (is a quote left open?)")]
    header_count = counts[0]
    problems = [
        Problem(
            name,
            line,
            None,
            f"has {count} fields where the header has {header_count}"
            + (" (is the row cut short?)" if count < header_count else ""),
        )
        for line, count in zip(record_lines[1:], counts[1:], strict=True)
        if count != header_count
    ]
    if header_count == 1 and (";" in text.split("\n", 1)[0] or "\t" in text.split("\n", 1)[0]):
        problems.append(
            Problem(name, 1, None, "columns are not separated by commas (found ';' or a tab)")
        )
    if problems:
        return None, problems
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as exc:  # a quote opened and never closed
        row = re.search(r"row (\d+)", str(exc))
        line = record_lines[int(row.group(1))] if row and int(row.group(1)) < len(record_lines) else None
        return None, [Problem(name, line, None, "cannot be read as CSV from here (a quote is opened and "
                                                "never closed)")]
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    lines = pd.Series(record_lines[1:], index=frame.index, dtype="int64")
    return RawTable(name, frame, lines), []


def _record_lines(text: str) -> tuple[list[int], list[int]]:
    """Line where each non-blank record starts, and its number of fields."""
    if '"' not in text:
        # Fast path: no quoting, so one record per non-blank line.
        raw_lines = text.split("\n")
        numbered = [(i, ln) for i, ln in enumerate(raw_lines, start=1) if ln.strip()]
        counts = pd.Series([ln for _, ln in numbered], dtype="string").str.count(",") + 1
        return [i for i, _ in numbered], counts.astype(int).tolist()
    starts: list[int] = []
    counts_list: list[int] = []
    reader = csv.reader(io.StringIO(text))
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            starts.append(start)
            counts_list.append(len(row))
    except csv.Error as exc:  # a field over the csv module's 131,072 characters
        raise _UnreadableRecord(previous_end + 1, str(exc)) from exc
    return starts, counts_list


class _UnreadableRecord(Exception):
    """A record the csv module cannot read, and the line where it starts."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


def _read_xlsx(path: Path, name: str) -> tuple[RawTable | None, list[Problem]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        return None, [Problem(name, None, None, f"is not a readable XLSX workbook ({exc})")]
    except Exception as exc:  # zipfile.BadZipFile and friends from a corrupt file
        return None, [Problem(name, None, None, f"is not a readable XLSX workbook ({exc})")]
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        lines: list[int] = []
        header: list[str] | None = None
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [_cell_text(v) for v in cells]
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = values
                continue
            rows.append(values)
            lines.append(number)
    finally:
        book.close()
    if header is None:
        return None, [Problem(name, 1, None, "is empty (expected a header row)")]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    problems = [
        Problem(name, line, None, f"has values beyond the last named column ({len(header)})")
        for line, row in zip(lines, rows, strict=True)
        if any(v.strip() for v in row[width:])
    ]
    if problems:
        return None, problems
    padded = [(row + [""] * width)[:width] for row in rows]
    frame = pd.DataFrame(padded, columns=[h.strip().lower() for h in header], dtype=str)
    return RawTable(name, frame, pd.Series(lines, index=frame.index, dtype="int64")), []


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits; beyond that is binary noise.
        return format(Decimal(f"{value:.15g}").normalize(), "f")
    return str(value)
