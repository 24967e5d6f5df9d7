"""Load and validate a project's data: the returns contract and any other tables.

`load_data` reads every file under `data/`, checks it against the data contract
(`docs/data-contract.md`), and returns typed frames, or raises one DataError that
lists every problem in every file at once, each as FILE:LINE: column: message.
`read_data` does the same reading without raising, for what must go out precisely
when the data is wrong (receipts to partners, `sitegen returns receipt`).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.cells import printable
from sitegen.config import CONFIG_NAME, Config
from sitegen.data.contract import (
    _EMAIL,
    CONTRACT,
    CONTRACT_BY_NAME,
    EMAIL_EXAMPLE,
    MONEY_LIMIT,
    Column,
    FileSpec,
)
from sitegen.data.sources import (
    TABLE_SUFFIXES,
    TEXT,
    RawTable,
    read_table,
    read_tables,
    text_frame,
    use_jemalloc,
)
from sitegen.errors import DataError, Problem, link_problem, links_leading_out, relative_name
from sitegen.values import (
    DATE_EXAMPLE,
    FINANCIAL_YEAR_EXAMPLE,
    MONEY_EXAMPLE,
    NUMBER_EXAMPLE,
    YES_NO_EXAMPLE,
    Parsed,
    date_from_text,
    format_financial_year,
    micro_to_pounds,
    parse_date,
    parse_enum,
    parse_financial_year,
    parse_money,
    parse_number,
    parse_yes_no,
)
from sitegen.workers import available_cores

MAX_PROBLEMS_PER_COLUMN = 50  # beyond this a column's problems are counted, not listed


@dataclass(frozen=True)
class Dataset:
    """Everything under data/, validated and typed.

    Contract frames carry `_file` and `_line` columns so that every figure can be
    traced back to the rows it came from. Money columns are int64 micropounds.
    """

    partners: pd.DataFrame
    lines: pd.DataFrame  # return lines
    rag_forecasts: pd.DataFrame
    use_of_resources: pd.DataFrame
    rag_counts: pd.DataFrame  # ratings known only as counts by sector
    use_of_resources_counts: pd.DataFrame  # scores known only as counts by sector
    projects: pd.DataFrame
    risks: pd.DataFrame
    services: pd.DataFrame
    unit_costs: pd.DataFrame  # net cost, denominators, performance: Decimal numbers
    savings_progress: pd.DataFrame
    events: pd.DataFrame
    received: pd.DataFrame | None = None  # when each return was received (data/received.csv), if recorded
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # other files, as text
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # frame name -> files read
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class DataRead:
    """Everything reading data/ found, whether or not the data is all correct.

    `load_data` turns it into a Dataset or one DataError; receipts to partners use it
    as it is, since they must go out precisely when a return is wrong.
    """

    frames: dict[str, pd.DataFrame]  # contract name -> typed rows; a bad cell is empty
    files: dict[str, tuple[str, ...]]  # frame name -> files read
    extra_tables: dict[str, pd.DataFrame]
    problems: tuple[Problem, ...]  # errors and warnings, in the order found

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build (warnings do not)."""
        return [p for p in self.problems if p.severity == "error"]

    def dataset(self) -> Dataset:
        """The validated dataset; DataError listing every problem if any is an error."""
        errors = self.errors
        if errors:
            causes = [p for p in errors if p.follows is None]
            following = sum(p.count for p in errors if p.follows is not None)
            raise DataError(
                f"the data has {len(causes)} problem{'s' if len(causes) != 1 else ''}"
                + (f" (and {following} that follow from {'it' if len(causes) == 1 else 'them'})" if following else ""),
                list(self.problems))
        return self._as_dataset({name: frame.drop(columns="_error") for name, frame in self.frames.items()})

    def readable(self, first_year: int) -> Dataset:
        """Only the rows with no error in them: figures shown while the rest is fixed."""
        bad_rows = {(p.file, p.line) for p in self.errors if p.line is not None}
        frames = {}
        for name, frame in self.frames.items():
            located = pd.Series(
                [(f, int(n)) in bad_rows for f, n in zip(frame["_file"], frame["_line"], strict=True)],
                index=frame.index, dtype=bool,
            )
            frames[name] = frame[~(frame["_error"] | located)].drop(columns="_error")
        # Past the per-column cap, unknown ids and early years are not located: drop by rule.
        known = set(frames["partners"]["partner_id"])
        for name, frame in frames.items():
            for column in ("partner_id", "lead"):
                if name != "partners" and column in frame.columns:
                    frames[name] = frame = frame[frame[column].isin(known)]
        lines = frames["returns"]
        frames["returns"] = lines[lines["year"].ge(first_year).fillna(False).astype(bool)]
        return self._as_dataset(frames)

    def _as_dataset(self, frames: dict[str, pd.DataFrame]) -> Dataset:
        return Dataset(
            partners=frames["partners"],
            lines=frames["returns"],
            rag_forecasts=frames["rag_forecasts"],
            use_of_resources=frames["use_of_resources"],
            rag_counts=frames["rag_counts"],
            use_of_resources_counts=frames["use_of_resources_counts"],
            projects=frames["projects"],
            risks=frames["risks"],
            services=frames["services"],
            unit_costs=frames["unit_costs"],
            savings_progress=frames["savings_progress"],
            events=frames["events"],
            received=frames["received"],
            extra_tables=self.extra_tables,
            files=self.files,
            warnings=tuple(sorted(p for p in self.problems if p.severity != "error")),
        )


def load_data(config: Config) -> Dataset:
    """Read and validate every data file; raise DataError listing all problems."""
    return read_data(config).dataset()


# What is said of each required file when the other one is there.
MISSING_FILE = {
    "partners": "required file is missing: the returns name partners, and it lists them",
    "returns": "required file is missing (or a data/returns/ folder of files): with the partners, their "
               "returns are needed too; a file with only the header row will do until the first ones come in",
}


def read_data(config: Config) -> DataRead:
    """Read and check every data file, never raising for a problem in the data."""
    use_jemalloc()
    data_dir = config.data_dir
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, tuple[str, ...]] = {}
    # A symbolic link out of the project would read a file from elsewhere as a partner's data.
    outside = links_leading_out(data_dir, config.project_dir, skip_hidden=True)
    problems += [link_problem(path, config.project_dir, "not read") for path in outside]

    def inside(path: Path) -> bool:
        return not any(path == link or link in path.parents for link in outside)

    found = {spec.name: [path for path in contract_files(data_dir, spec) if inside(path)] for spec in CONTRACT}
    misspelt: set[tuple[str, str | None]] = set()  # (file, contract column) the file seems to misspell
    # A project of papers or a newsletter alone has no returns, and needs none; one that
    # has some of the partnership's data needs all of the files the rest is computed from.
    given = [spec.name for spec in CONTRACT if spec.required and found[spec.name]]
    for spec in CONTRACT:
        paths = found[spec.name]
        names = _relative_names(paths, config.project_dir)
        files[spec.name] = names
        if not paths:
            if spec.required and given:
                problems.append(Problem(f"data/{spec.name}.csv", None, None, MISSING_FILE[spec.name]))
            frames[spec.name] = _empty_frame(spec)
            continue
        readable = []
        # All the files of a kind are read at once: a thousand returns cost one scan, not a thousand.
        for raw, read_problems in read_tables(list(zip(paths, names, strict=True))):
            problems += read_problems
            if raw is not None:
                raw, header_problems = _contract_header(raw, spec)
                problems += header_problems
                misspelt |= {(p.file, p.column) for p in header_problems if p.severity == "warning"}
                if not any(p.severity == "error" for p in header_problems):
                    readable.append(raw)
        if readable:
            # One pass over all the files of a kind: a thousand returns cost one typing, not a thousand.
            rows = _Rows.of(readable)
            del readable  # the files' own tables: their cells are in `rows` now
            typed, typed_problems = _type_columns(rows, spec)
            problems += typed_problems
            frames[spec.name] = typed
        else:
            frames[spec.name] = _empty_frame(spec)
    partners_read = not any(
        p.file in files["partners"] and p.severity == "error" and p.line in (None, 1) for p in problems
    ) and bool(files["partners"])
    # Without a readable partners file every id would look unknown: say it once, not per row.
    read_rows = {name for frame in frames.values() for name in frame["_file"].unique()}
    unread = {p.file for p in problems if p.severity == "error"} - read_rows
    problems += _check_references(frames, config, partners_read, _Causes(files, unread, misspelt))
    # A misspelt optional column is a warning until something fails for want of it.
    followed = {(p.follows, p.column) for p in problems if p.follows}
    problems = [dataclasses.replace(p, severity="error")
                if p.severity == "warning" and (p.file, p.column) in misspelt & followed else p
                for p in problems]
    extra, extra_files, extra_problems = _load_extra_tables(config, inside)
    problems += extra_problems
    files.update(extra_files)
    return DataRead(frames, files, extra, tuple(_cap_each_kind(problems)))


def contract_files(data_dir: Path, spec: FileSpec) -> list[Path]:
    """The files that hold one contract file's rows, in a stable order."""
    found = [data_dir / f"{spec.name}{s}" for s in TABLE_SUFFIXES]
    paths = [p for p in found if p.is_file()]  # both a .csv and an .xlsx: both are read
    if spec.folder and (data_dir / spec.name).is_dir():
        paths += sorted(
            p
            for p in (data_dir / spec.name).iterdir()
            if p.suffix.lower() in TABLE_SUFFIXES and p.is_file() and not p.name.startswith(("~$", "."))
        )
    return paths


def _relative_names(paths: list[Path], project_dir: Path) -> tuple[str, ...]:
    """Each path as `relative_name` gives it, resolving each folder once rather than each file."""
    folders: dict[Path, str | None] = {}  # folder -> its name relative to the project, with "/"
    names = []
    for path in paths:
        if path.parent not in folders:
            folder = relative_name(path.parent, project_dir)
            inside = path.parent.resolve().is_relative_to(project_dir.resolve())
            folders[path.parent] = (folder + "/" if folder != "." else "") if inside else None
        prefix = folders[path.parent]
        names.append(relative_name(path, project_dir) if prefix is None or path.is_symlink() else prefix + path.name)
    return tuple(names)


def _empty_frame(spec: FileSpec) -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=_dtype(c.kind)) for c in spec.columns})
    frame["_file"] = pd.Series(dtype=str)
    frame["_line"] = pd.Series(dtype="int64")
    frame["_error"] = pd.Series(dtype=bool)
    return frame


def _dtype(kind: str) -> str:
    return {
        "money": "Int64",
        "year": "Int64",
        "score": "Int64",
        "count": "Int64",
        "quarter": "Int64",
        "number": "object",
        "percent": "object",
        "yesno": "bool",
        "date": "datetime64[s]",
    }.get(kind, "str")


# ---- typing one file ----------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """The rows of one or more files of the same kind, each knowing its file and line."""

    cells: pa.Table  # all cells as text, blank as "", one chunk a column
    lines: np.ndarray  # int64: the line of each row in its file
    codes: np.ndarray  # the file of each row, as a position in `names`
    names: tuple[str, ...]

    @classmethod
    def of(cls, tables: list[RawTable]) -> _Rows:
        # A column missing from a file is null there; one chunk a column (Table.combine_chunks is
        # far faster than ChunkedArray.combine_chunks, column by column).
        cells = pa.concat_tables([t.cells for t in tables], promote_options="default").combine_chunks()
        if any(c.null_count for c in cells.columns):
            cells = pa.Table.from_arrays([pc.fill_null(c, "") for c in cells.columns], names=cells.column_names)
        cells = printable_cells(cells)
        lines = np.concatenate([t.lines for t in tables])
        codes = np.repeat(np.arange(len(tables)), [t.cells.num_rows for t in tables])
        # A row of empty cells (",,,," as Excel leaves behind) is a blank row, as in XLSX:
        # checked once here, for all files at once, not file by file.
        if cells.num_columns:
            blank = functools.reduce(pc.and_, [pc.equal(c, "") for c in cells.columns])
            if pc.any(blank).as_py():
                keep = pc.invert(blank)
                kept = keep.to_numpy(zero_copy_only=False)
                cells, lines, codes = cells.filter(keep).combine_chunks(), lines[kept], codes[kept]
        return cls(cells, lines.astype(np.int64), codes, tuple(t.name for t in tables))

    @property
    def size(self) -> int:
        return self.cells.num_rows

    def text(self, column: str) -> pa.Array | None:
        """A column's cells as they were written, None when no file has the column."""
        if column not in self.cells.column_names:
            return None
        cells = self.cells.column(column)
        return cells.chunk(0) if cells.num_chunks == 1 else cells.combine_chunks()

    def cell(self, column: str, row: int) -> str:
        cells = self.text(column)
        return "" if cells is None else str(cells[row].as_py())

    def place(self, row: int) -> tuple[str, int]:
        """The file and line a row comes from."""
        return self.names[int(self.codes[row])], int(self.lines[row])

    def files(self) -> pd.Series:
        """The file of each row."""
        return pd.Series(pa.array(self.names, TEXT).take(self.codes).to_pandas(), index=pd.RangeIndex(self.size))


def header_key(text: str) -> str:
    """A heading as it is compared with the contract's, ignoring case, spaces and
    punctuation, with £ as GBP: 'Gross GBP', 'Gross (£)', 'gross_gbp' are all 'grossgbp'."""
    key = "".join(re.findall(r"[a-z0-9]+", text.lower().replace("£", "gbp")))
    return key.replace("gbpgbp", "gbp")


def _contract_header(raw: RawTable, spec: FileSpec) -> tuple[RawTable, list[Problem]]:
    """The file's columns in the contract's spelling, and what is wrong with them: a
    column named twice or a required one missing are errors (the file cannot be typed);
    a column that looks like an optional one misspelt is a warning, named as it is
    written, with the contract's name it seems to mean."""
    names = [c.name for c in spec.columns]
    by_key = {header_key(name): name for name in names}
    present = set(raw.columns)
    renamed = []
    for column in raw.columns:
        name = by_key.get(header_key(column))
        if column not in names and name is not None and name not in present:
            present.add(name)
            column = name
        renamed.append(column)
    if renamed != raw.columns:
        raw = RawTable(raw.name, raw.cells.rename_columns(renamed), raw.lines)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, column in enumerate(raw.columns, start=1):
        if column in seen:
            problems.append(
                Problem(raw.name, 1, column, f"column appears twice (columns {seen[column]} and {position})")
            )
        seen[column] = position
    if problems:
        return raw, problems
    absent = {header_key(c.name): c.name for c in spec.columns if c.name not in raw.columns}
    meant: dict[str, str] = {}  # contract column -> the file's column that seems to be it misspelt
    for written in (c for c in raw.columns if c not in names):
        close = difflib.get_close_matches(header_key(written), list(absent), n=1, cutoff=0.75)
        if close:
            meant.setdefault(absent[close[0]], written)
    for column in spec.columns:
        if column.name in raw.columns:
            continue
        written = meant.get(column.name)
        if column.required:
            hint = f"; is the column {written!r} it, misspelt? Name it {column.name}" if written else ""
            problems.append(Problem(raw.name, 1, column.name, "required column is missing" + hint))
        elif written:
            problems.append(Problem(
                raw.name, 1, column.name,
                f"no such column, but there is {written!r}: if that is {column.name} misspelt, name it so "
                f"(until then {column.name} is read as blank)", "warning"))
    return raw, problems


CELL_LIMIT = 32_767  # characters of a cell, as in Excel: a page of text is 3,000
_TOO_LONG = f"too long ({{!r}}; a cell may hold at most {CELL_LIMIT:,} characters, as in Excel)".format


def _too_long(cells: pa.Table) -> dict[str, np.ndarray]:
    """The cells of each column longer than CELL_LIMIT (only the columns that have one)."""
    found = {}
    for name, column in zip(cells.column_names, cells.columns, strict=True):
        bad = _mask(pc.greater(pc.utf8_length(column), CELL_LIMIT))
        if bad.any():
            found[name] = bad
    return found


_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x{9f}]"  # cells.printable's, in RE2's spelling


def printable_cells(cells: pa.Table) -> pa.Table:
    """The cells without control characters (tab and line feed kept): an escape sequence in
    a partner's name must not reach a terminal, nor a character XML refuses a PDF or workbook."""
    columns = [
        pc.replace_substring_regex(c, _CONTROLS, "") if pc.any(pc.match_substring_regex(c, _CONTROLS)).as_py()
        else c for c in cells.columns
    ]
    return pa.Table.from_arrays(columns, names=[printable(name) for name in cells.column_names])


PARALLEL_ROWS = 50_000  # from this many rows, columns are typed two at a time


def _type_columns(raw: _Rows, spec: FileSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and convert every column of the files' rows; all problems at once, column by column."""
    index = pd.RangeIndex(raw.size)
    if raw.size >= PARALLEL_ROWS and available_cores() > 1:
        # The columns are independent and Arrow and numpy let go of the GIL: two threads.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sitegen-type") as pool:
            typed = list(pool.map(functools.partial(_type_column, raw), spec.columns))
    else:
        typed = [_type_column(raw, column) for column in spec.columns]
    problems: list[Problem] = []
    out: dict[str, pd.Series] = {}
    row_error = np.zeros(raw.size, dtype=bool)  # any cell of the row is wrong
    for name, bad in _too_long(raw.cells).items():
        problems += _located(raw, name, bad, _TOO_LONG)
        row_error |= bad
    for column, (values, column_problems, bad) in zip(spec.columns, typed, strict=True):
        problems += column_problems
        row_error |= bad
        out[column.name] = values.set_axis(index)
    # Unknown columns are kept for templates, ignored by the computations.
    for name in raw.cells.column_names:
        if name not in out and not name.startswith("_"):
            out[name] = pd.Series(raw.cells.column(name).to_pandas(), index=index)
    out["_file"] = raw.files()
    out["_line"] = pd.Series(raw.lines, index=index, dtype="int64")
    out["_error"] = pd.Series(row_error, index=index)
    return pd.DataFrame(out, index=index), problems


def _type_column(raw: _Rows, column: Column) -> tuple[pd.Series, list[Problem], np.ndarray]:
    """One column's values, its problems (missing values first) and which of its cells are wrong."""
    cells = raw.text(column.name)
    if cells is None:
        cells = _blank_text(raw.size)
    text: pa.Array
    if column.kind in _FEW_SPELLINGS:
        # Each distinct spelling is trimmed and checked once: a million rows hold a few dozen.
        encoded = cells.dictionary_encode()
        spellings = pc.utf8_trim_whitespace(encoded.dictionary)
        if column.default is not None and not column.required:
            spellings = pc.if_else(pc.equal(spellings, ""), column.default, spellings)
        text = pa.DictionaryArray.from_arrays(encoded.indices, spellings)
        blank = _mask(pc.equal(spellings, ""))[encoded.indices.to_numpy(zero_copy_only=False)]
    else:
        # Arrow's trim is what pandas' str.strip does on this text: Unicode white space.
        text = pc.utf8_trim_whitespace(cells) if _may_have_spaces(cells) else cells
        blank = _mask(pc.equal(text, ""))
        if column.default is not None and not column.required and blank.any():
            text = pc.if_else(pa.array(blank), column.default, text)
            blank = _mask(pc.equal(text, ""))
    problems: list[Problem] = []
    row_error = np.zeros(raw.size, dtype=bool)
    if column.required:
        problems += _located(raw, column.name, blank, lambda _: "required value is missing")
        row_error |= blank
    values, cell_problems, bad = _parse_column(raw, column, text, blank)
    return values, problems + cell_problems, row_error | _mask(bad)


_FEW_SPELLINGS = ("enum", "year", "date", "yesno")  # columns parsed once per distinct spelling


def _may_have_spaces(text: pa.Array) -> bool:
    """Whether a value may begin or end with white space: a byte that is no printable ASCII
    character at either end of one (cheaper than trimming a column that has none)."""
    if text.null_count or not isinstance(text, pa.LargeStringArray):
        return True
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + len(text) + 1]
    if text.buffers()[2] is None:
        return False
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = starts < ends
    edges = np.concatenate((data[starts[filled]], data[ends[filled] - 1]))
    return bool(((edges <= 0x20) | (edges >= 0x7F)).any())


def _blank_text(size: int) -> pa.Array:
    return pc.fill_null(pa.nulls(size, TEXT), "")


def _mask(flags: pd.Series | pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """Flags as a numpy bool array, missing as False."""
    if isinstance(flags, pd.Series):
        return flags.fillna(False).to_numpy(dtype=bool)
    if isinstance(flags, (pa.Array, pa.ChunkedArray)):
        return pc.fill_null(flags, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)
    return np.asarray(flags, dtype=bool)


def _strings(text: pa.Array) -> pd.Series:
    """Arrow text as pandas' `string` dtype, as the checks below expect."""
    return pd.Series(pd.arrays.ArrowStringArray(text), index=pd.RangeIndex(len(text)))


def _parse_column(
    raw: _Rows, column: Column, text: pa.Array, blank: np.ndarray
) -> tuple[pd.Series, list[Problem], np.ndarray]:
    """A column's values, its problems, and which of its cells are wrong."""
    name = column.name
    checked = ~blank  # blank cells are reported as missing (required) or left empty
    if column.kind in ("text", "partner", "partner_list", "service"):
        return _strings(text).astype(str), [], np.zeros(len(text), dtype=bool)
    if column.kind == "id":
        strings = _strings(text)
        bad = checked & ~_mask(strings.str.fullmatch(r"[a-z0-9-]+"))
        return strings.astype(str), _located(
            raw, name, bad, lambda v: f"not a valid id ({v!r}; expected lower-case letters, digits and -)"
        ), bad
    if column.kind == "email":
        strings = _strings(text)
        bad = checked & ~_mask(strings.str.fullmatch(_EMAIL))
        return strings.astype(str), _located(
            raw, name, bad, lambda v: f"not a valid e-mail address ({v!r}; expected {EMAIL_EXAMPLE})"
        ), bad
    parsed: Parsed
    if column.kind == "enum":
        parsed = parse_enum(text, column.values)
        expected = ", ".join(column.values)
        bad = checked & _mask(parsed.bad)
        return parsed.values.astype(str), _located(
            raw, name, bad, lambda v: f"unknown value ({v!r}; expected one of {expected})"
        ), bad
    if column.kind == "money":
        parsed = parse_money(text)
        parsed_bad = _mask(parsed.bad)
        too_big = checked & ~parsed_bad & _mask(parsed.values.abs() > MONEY_LIMIT)
        problems = _located(
            raw, name, checked & parsed_bad, lambda v: f"not an amount of money ({v!r}; expected {MONEY_EXAMPLE})"
        ) + _located(raw, name, too_big, lambda v: f"amount too large ({v!r}; at most £999,999,999,999.99)")
        unusable = blank | parsed_bad | too_big
        # Mask before the cast: an amount past 64 bits must become a problem, not an overflow.
        values = parsed.values.mask(unusable, 0).astype("Int64").mask(unusable)
        return values, problems, checked & (parsed_bad | too_big)
    if column.kind == "year":
        parsed = parse_financial_year(text)
        bad = checked & _mask(parsed.bad)
        problems = _located(
            raw,
            name,
            bad,
            lambda v: f"not a valid financial year ({v!r}; expected {FINANCIAL_YEAR_EXAMPLE})",
            parsed.reason,
        )
        return parsed.values, problems, bad
    if column.kind == "date":
        parsed = parse_date(text)
        bad = checked & _mask(parsed.bad)
        return parsed.values, _located(
            raw, name, bad, lambda v: f"not a valid date ({v!r}; expected {DATE_EXAMPLE})"
        ), bad
    if column.kind == "dates":  # "10/11/2011; 24/11/2011": written as ISO dates, in order
        strings = _strings(text)
        listed = [_date_list(cell) for cell in strings.astype(str)]
        bad = checked & np.array([dates is None for dates in listed], dtype=bool)
        values = pd.Series([";".join(d.isoformat() for d in dates or ()) for dates in listed], dtype=str)
        return values, _located(
            raw, name, bad, lambda v: f"not a list of dates ({v!r}; expected dates such as "
                                      f"10/11/2011; 24/11/2011, each {DATE_EXAMPLE})"
        ), bad
    if column.kind == "yesno":
        parsed = parse_yes_no(text)
        bad = checked & _mask(parsed.bad)
        return parsed.values, _located(
            raw, name, bad, lambda v: f"not yes or no ({v!r}; expected {YES_NO_EXAMPLE})"
        ), bad
    strings = _strings(text)
    if column.kind == "score":
        number = pd.to_numeric(strings, errors="coerce")
        bad = checked & ~_mask(number.isin([1, 2, 3, 4]))
        return number.where(~bad).astype("Int64"), _located(
            raw, name, bad, lambda v: f"not a score ({v!r}; expected a whole number from 1 to 4)"
        ), bad
    if column.kind in QUANTITY_MESSAGES:
        return _parse_quantity(raw, column, strings, checked)
    raise AssertionError(f"unknown column kind {column.kind}")


def _date_list(cell: str) -> list[dt.date] | None:
    """The dates of a cell separated by ';' (or ','), sorted; None if one is not a date."""
    try:
        return sorted({date_from_text(part.strip()) for part in re.split(r"[;,]", cell) if part.strip()})
    except ValueError:
        return None


QUANTITY_MESSAGES = {
    "number": f"not a number ({{!r}}; expected {NUMBER_EXAMPLE})",
    "count": "not a count ({!r}; expected a whole number of 1 or more, such as 112,400)",
    "percent": "not a percentage ({!r}; expected a number from 0 to 100, such as 72.5)",
    "quarter": "not a quarter ({!r}; expected 1, 2, 3 or 4, or Q1 to Q4)",
}


def _parse_quantity(
    raw: _Rows, column: Column, text: pd.Series, checked: np.ndarray
) -> tuple[pd.Series, list[Problem], pd.Series]:
    """Numbers that are not money: indicators (any), counts (whole, 1 up), percentages, quarters."""
    kind = column.kind
    spelled = text
    if kind == "quarter":
        spelled = text.str.upper().str.removeprefix("Q")
    elif kind == "percent":
        spelled = text.str.removesuffix("%").str.rstrip()
    parsed = parse_number(spelled)
    in_range = {
        "number": lambda v: True,
        "count": lambda v: v >= 1 and v == v.to_integral_value(),
        "percent": lambda v: 0 <= v <= 100,
        "quarter": lambda v: v in (1, 2, 3, 4) and v == v.to_integral_value(),
    }[kind]
    good = pd.Series([v is not None and in_range(v) for v in parsed.values], index=text.index, dtype=bool)
    bad = checked & ~good
    values = parsed.values.where(good, None)
    if kind in ("count", "quarter"):
        values = pd.Series([int(v) if v is not None else pd.NA for v in values], index=text.index, dtype="Int64")
    message = QUANTITY_MESSAGES[kind]
    return values, _located(raw, column.name, bad, message.format), bad


def _located(
    raw: _Rows,
    column: str,
    bad: pd.Series | np.ndarray,
    message: Callable[[str], str],
    reasons: pd.Series | None = None,
) -> list[Problem]:
    """Problems for the flagged cells of one column, the first few in full."""
    rows = np.flatnonzero(_mask(bad))
    if not len(rows):
        return []
    shown = rows[:MAX_PROBLEMS_PER_COLUMN]
    problems = []
    for i in shown:
        value = _clip(raw.cell(column, i).strip())
        text = message(value)
        reason = reasons.iloc[i] if reasons is not None else None
        if reason and "halves" in str(reason):
            text = f"{reason} ({value!r}; expected {FINANCIAL_YEAR_EXAMPLE})"
        problems.append(Problem(*raw.place(i), column, text))
    if len(rows) > len(shown):
        problems.append(
            Problem(*raw.place(rows[len(shown)]), column,
                    f"and {len(rows) - len(shown)} more rows with the same kind of problem")
        )
    return problems


def _clip(value: str, width: int = 40) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def _suggest(value: str, known: list[str]) -> str:
    by_lower = {k.lower(): k for k in known}
    if value.lower() in by_lower:  # only the case differs: that is the one
        return f"; did you mean {by_lower[value.lower()]!r}?"
    close = [by_lower[c] for c in difflib.get_close_matches(value.lower(), list(by_lower), n=3, cutoff=0.6)]
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


# ---- checks across files ------------------------------------------------------------


@dataclass(frozen=True)
class _Causes:
    """Which data files could not be read for problems of their own, so that a problem
    in another file that follows from them (an id the file should list) is counted under
    them. A file read but for a few bad rows is no such cause: an unknown id may be a
    mistake of its own."""

    files: dict[str, tuple[str, ...]]  # contract name -> files read
    unread: set[str]  # files with errors and no row read
    misspelt: set[tuple[str, str | None]] = field(default_factory=set)  # (file, contract column)

    def of(self, kind: str) -> str | None:
        """The first file of `kind` that could not be read, or None."""
        return next((f for f in self.files.get(kind, ()) if f in self.unread), None)


def _check_references(frames: dict[str, pd.DataFrame], config: Config, check_ids: bool = True,
                      causes: _Causes | None = None) -> list[Problem]:
    """Rules that need more than one row or file: ids, duplicates, years."""
    causes = causes or _Causes({}, set())
    partners = frames["partners"]
    problems: list[Problem] = []
    for spec in CONTRACT:
        if spec.unique:
            problems += _duplicates(frames[spec.name], spec.unique)
    no_baseline = partners[partners["in_target"] & partners["baseline_gbp"].isna()]
    for _, row in no_baseline.iterrows():
        problems.append(
            Problem(row["_file"], int(row["_line"]), "baseline_gbp",
                    f"partner {row['partner_id']!r} is in the target but has no baseline "
                    "(give baseline_gbp, or in_target no)",
                    follows=row["_file"] if (row["_file"], "baseline_gbp") in causes.misspelt else None)
        )
    known = sorted(set(partners["partner_id"]) - {""})
    in_target = set(partners.loc[partners["in_target"], "partner_id"])
    for name in ("returns", "received", "rag_forecasts", "use_of_resources", "projects", "unit_costs",
                 "savings_progress"):
        frame = frames[name]
        if not check_ids:
            break
        for column in ("partner_id", "lead"):
            if column in frame.columns:
                problems += _unknown_ids(frame, column, known, causes.of("partners"))
        if name == "projects" and len(frame):
            problems += _unknown_partner_lists(frame, known, causes.of("partners"))
    problems += _check_benchmarking(frames, causes.of("services"))
    problems += _check_events(frames["events"])
    if check_ids:
        problems += [
            Problem(CONFIG_NAME, None, f"programmes.{key}.partners",
                    f"unknown partner {pid!r} (not in partners.csv){_suggest(pid, known)}", follows=causes.of("partners"))
            for key, programme in config.programmes.items() for pid in programme.partners if pid not in known
        ]
    lines = frames["returns"]
    problems += _returns_in_two_files(lines)
    problems += _duplicate_gain_refs(lines)
    first_year = config.target.first_year
    last_year = first_year + len(config.target.profile) - 1
    early = lines["year"].notna() & (lines["year"] < first_year)
    problems += _counted([
        Problem(row["_file"], int(row["_line"]), "year",
                f"return year {format_financial_year(int(row['year']))} is before the target "
                f"period ({format_financial_year(first_year)} onwards)")
        for _, row in lines[early].head(MAX_PROBLEMS_PER_COLUMN + 1).iterrows()], int(early.sum()))
    late = lines[lines["year"].notna() & (lines["year"] > last_year)]
    for (year, rtype), group in late.groupby(["year", "return_type"], sort=True):
        row = group.iloc[0]
        problems.append(
            Problem(row["_file"], int(row["_line"]), "year",
                    f"{format_financial_year(int(year))} {rtype} returns are outside the target profile "
                    f"({format_financial_year(first_year)} to {format_financial_year(last_year)}): "
                    "shown without a target", "warning")
        )
    outside = lines[lines["partner_id"].isin(set(known) - in_target)]
    for pid, group in outside.groupby("partner_id", sort=True):
        row = group.iloc[0]
        problems.append(
            Problem(row["_file"], int(row["_line"]), "partner_id",
                    f"partner {pid!r} is not in the target: its returns are shown but not totalled",
                    "warning")
        )
    return problems


def _duplicates(frame: pd.DataFrame, key: tuple[str, ...]) -> list[Problem]:
    """Rows that repeat an identifying key, each naming the first place it appears."""
    columns = list(key)
    dup = frame[frame.duplicated(columns, keep=False) & frame[columns[0]].ne("")]
    problems = []
    for values, group in dup.groupby(columns, sort=True, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        shown = ", ".join(_key_text(c, v) for c, v in zip(columns, values, strict=True))
        first = group.iloc[0]
        for _, row in group.iloc[1 : MAX_PROBLEMS_PER_COLUMN + 2].iterrows():
            problems.append(
                Problem(row["_file"], int(row["_line"]), columns[-1],
                        f"duplicate row for {shown} (first at {first['_file']}:{first['_line']})")
            )
        if len(problems) > MAX_PROBLEMS_PER_COLUMN:
            break
    return _counted(problems, int((frame.duplicated(columns) & frame[columns[0]].ne("")).sum()))


def _counted(problems: list[Problem], total: int) -> list[Problem]:
    """The first problems of a kind, then how many more there are (TOTAL in all)."""
    if total <= MAX_PROBLEMS_PER_COLUMN:
        return problems
    rest = problems[MAX_PROBLEMS_PER_COLUMN]
    more = total - MAX_PROBLEMS_PER_COLUMN
    return [*problems[:MAX_PROBLEMS_PER_COLUMN],
            Problem(rest.file, rest.line, rest.column, f"and {more} more rows with the same kind of problem",
                    follows=rest.follows, count=more)]


def _cap_each_kind(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS_PER_COLUMN problems of one kind in one column, then their count:
    100,000 rows cut short are 50 lines and a count, not 100,000 lines. A kind is the message
    without the values it quotes."""
    seen: collections.Counter[tuple] = collections.Counter()
    kept, first_over = [], {}
    for problem in problems:
        key = (problem.column, problem.severity, problem.follows, _KIND.sub("", problem.message))
        seen[key] += 1
        if seen[key] <= MAX_PROBLEMS_PER_COLUMN:
            kept.append(problem)
        elif key not in first_over:
            first_over[key] = problem
    for key, problem in first_over.items():
        more = seen[key] - MAX_PROBLEMS_PER_COLUMN
        kept.append(Problem(problem.file, problem.line, problem.column,
                            f"and {more} more rows with the same kind of problem", problem.severity,
                            follows=problem.follows, count=more))
    return kept


_KIND = re.compile(r"'[^']*'|\"[^\"]*\"|\([^)]*\)|\d[\d,.:/-]*")


def _key_text(column: str, value: object) -> str:
    """A key cell as the user wrote it: 2008-09, Q2, 2011-11-04."""
    if pd.isna(value):  # type: ignore[arg-type]
        return str(value)
    if column in ("year", "assessment"):
        return format_financial_year(int(value))  # type: ignore[call-overload]
    if column == "quarter":
        return f"Q{value}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _check_benchmarking(frames: dict[str, pd.DataFrame], services_cause: str | None = None) -> list[Problem]:
    """Services named in unit costs and savings exist; each service's cost basis has its
    denominator; a savings target is more than nothing (its traffic light divides by it)."""
    services = frames["services"]
    basis = dict(zip(services["service_id"], services["cost_basis"], strict=True))
    known = sorted(set(basis) - {""})
    denominator = {"head": "population", "user": "users", "unit": "units"}
    words = {"head": "cost per head", "user": "cost per user", "unit": "cost per unit"}
    problems: list[Problem] = []
    for name in ("unit_costs", "savings_progress"):
        frame = frames[name]
        unknown = frame[frame["service"].ne("") & ~frame["service"].isin(known)]
        problems += _counted([
            Problem(row["_file"], int(row["_line"]), "service",
                    f"unknown service {row['service']!r} (not in services.csv){_suggest(row['service'], known)}",
                    follows=services_cause)
            for _, row in unknown.head(MAX_PROBLEMS_PER_COLUMN + 1).iterrows()], len(unknown))
    costs = frames["unit_costs"]
    for _, row in costs[costs["service"].isin(known)].iterrows():
        cost_basis = basis[row["service"]]
        needed = denominator.get(cost_basis)
        if needed and pd.isna(row[needed]) and not row["_error"]:
            problems.append(
                Problem(row["_file"], int(row["_line"]), needed,
                        f"required value is missing ({row['service']!r} is compared on {words[cost_basis]})")
            )
    savings = frames["savings_progress"]
    for _, row in savings[savings["target_gbp"].notna() & savings["target_gbp"].le(0)].iterrows():
        problems.append(
            Problem(row["_file"], int(row["_line"]), "target_gbp",
                    f"a savings target must be more than £0 (found {micro_to_pounds(row['target_gbp'])})")
        )
    return problems


def _check_events(events: pd.DataFrame) -> list[Problem]:
    """An event that repeats says until when, and its last date is not before its first."""
    problems: list[Problem] = []
    for _, row in events[~events["_error"]].iterrows():
        if row["repeat"] and pd.isna(row["until"]):
            problems.append(Problem(row["_file"], int(row["_line"]), "until",
                                    f"required value is missing (a {row['repeat']} event needs its last date)"))
        elif pd.notna(row["until"]) and not row["repeat"]:
            problems.append(Problem(row["_file"], int(row["_line"]), "repeat",
                                    "required value is missing (an event with `until` repeats weekly or fortnightly)"))
        elif pd.notna(row["until"]) and pd.notna(row["date"]) and row["until"] < row["date"]:
            problems.append(Problem(row["_file"], int(row["_line"]), "until",
                                    f"the last date ({row['until'].date():%d/%m/%Y}) is before the first "
                                    f"({row['date'].date():%d/%m/%Y})"))
    return problems


def _unknown_ids(frame: pd.DataFrame, column: str, known: list[str], cause: str | None = None) -> list[Problem]:
    unknown = frame[~frame[column].isin(known) & frame[column].ne("")]
    problems = []
    for _, row in unknown.head(MAX_PROBLEMS_PER_COLUMN + 1).iterrows():
        value = row[column]
        problems.append(
            Problem(row["_file"], int(row["_line"]), column,
                    f"unknown partner {value!r} (not in partners.csv){_suggest(value, known)}", follows=cause)
        )
    return _counted(problems, len(unknown))


def _unknown_partner_lists(frame: pd.DataFrame, known: list[str], cause: str | None = None) -> list[Problem]:
    problems = []
    for _, row in frame.iterrows():
        for pid in [p.strip() for p in str(row["partners"]).split(";") if p.strip()]:
            if pid not in known:
                problems.append(
                    Problem(row["_file"], int(row["_line"]), "partners",
                            f"unknown partner {pid!r} (not in partners.csv){_suggest(pid, known)}", follows=cause)
                )
    return problems


def _returns_in_two_files(lines: pd.DataFrame) -> list[Problem]:
    """A return (partner, year, type) is in one file: the same return in two would be counted twice."""
    key = ["partner_id", "year", "return_type"]
    firsts = lines[lines["partner_id"].ne("") & lines["year"].notna()].drop_duplicates([*key, "_file"])
    problems = []
    for (partner_id, year, return_type), group in firsts.groupby(key, sort=True):
        first = group.iloc[0]
        for _, row in group.iloc[1:].iterrows():
            problems.append(
                Problem(row["_file"], int(row["_line"]), None,
                        f"the {format_financial_year(int(year))} {return_type} return of {partner_id!r} is also in "
                        f"{first['_file']} (line {first['_line']}): keep each return in one file, or it counts twice")
            )
    return problems


def _duplicate_gain_refs(lines: pd.DataFrame) -> list[Problem]:
    key = ["partner_id", "year", "return_type", "gain_ref"]
    dup = lines[lines.duplicated(key, keep=False) & lines["gain_ref"].ne("")]
    problems: list[Problem] = []
    for _, group in dup.groupby(key, sort=False):
        if len(problems) > MAX_PROBLEMS_PER_COLUMN:
            break
        first = group.iloc[0]
        for _, row in group.iloc[1 : MAX_PROBLEMS_PER_COLUMN + 2].iterrows():
            problems.append(
                Problem(row["_file"], int(row["_line"]), "gain_ref",
                        f"duplicate gain_ref {row['gain_ref']!r} in the {format_financial_year(int(row['year']))} "
                        f"{row['return_type']} return of {row['partner_id']!r} "
                        f"(first at {first['_file']}:{first['_line']})")
            )
    return _counted(problems, int((lines.duplicated(key) & lines["gain_ref"].ne("")).sum()))


# ---- other tables -------------------------------------------------------------------


def _load_extra_tables(
    config: Config, inside: Callable[[Path], bool],
) -> tuple[dict[str, pd.DataFrame], dict[str, tuple[str, ...]], list[Problem]]:
    """Any other CSV/XLSX at the top of data/: a table shown as it is, named by its stem."""
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    if not config.data_dir.is_dir():
        return tables, files, problems
    for path in sorted(p for p in config.data_dir.iterdir() if inside(p)):
        stem = path.stem.lower()
        if path.suffix.lower() not in TABLE_SUFFIXES or stem in CONTRACT_BY_NAME or path.name.startswith(("~$", ".")):
            continue
        name = relative_name(path, config.project_dir)
        if stem in tables:
            problems.append(Problem(name, None, None, f"two files make the table {stem!r}: keep one"))
            continue
        raw, read_problems = read_table(path, name)
        problems += read_problems
        if raw is not None:
            long_cells = _too_long(raw.cells)
            for column, bad in long_cells.items():
                rows = np.flatnonzero(bad)
                problems += [Problem(name, int(raw.lines[i]), column, _TOO_LONG(_clip(raw.cells.column(column)[i].as_py())))
                             for i in rows[:MAX_PROBLEMS_PER_COLUMN]]
                if len(rows) > MAX_PROBLEMS_PER_COLUMN:
                    problems.append(Problem(name, int(raw.lines[rows[MAX_PROBLEMS_PER_COLUMN]]), column,
                                            f"and {len(rows) - MAX_PROBLEMS_PER_COLUMN} more rows with the same "
                                            "kind of problem"))
            if long_cells:
                continue
            tables[stem] = text_frame(printable_cells(raw.cells))
            files[stem] = (name,)
    return tables, files, problems
