"""Reading tabular files (CSV or XLSX) into tables of text, with true line numbers.

Everything is read as text here; typing is the validator's job, so that a bad cell
becomes a located problem rather than a parser exception. A line number is the line
as a text editor or a spreadsheet shows it (the header is line 1).

Thousands of returns are read at once (`read_tables`): the CSV files of a batch are
joined into one buffer; numpy finds their quotes and line ends (so the records and
their line numbers), and the files that share a header line are split into fields by
one call of Arrow's multithreaded CSV reader. That is exact for the CSV every
spreadsheet writes (quotes only around whole fields, `""` inside them). A file with
rows of the wrong width is split by vectorised numpy scans that name each such row,
and a file with anything else (a stray quote, a line of only spaces, a NUL byte, a
huge field) is read by the csv module and pandas one by one, as it always was.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from sitegen.errors import Problem, counted

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls")  # .xls is found to be refused with a message
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # .xlsm: a workbook with macros, read as one without (never run)
LINES_SHEET = "lines"  # the sheet read when a workbook has one (the return templates'), else the first visible
TEXT = pa.large_string()  # the type of every cell read
BATCH_BYTES = 32 * 1024 * 1024  # CSV bytes scanned at once: bounds the scan's memory
SPLITTERS = 2  # threads splitting batches while the next is read

_COMMA, _NEWLINE, _QUOTE = ord(","), ord("\n"), ord('"')


@dataclass(frozen=True)
class RawTable:
    """One file's rows as text: columns named as found (trimmed, lower case)."""

    name: str  # the file as the user knows it, relative to the project
    cells: pa.Table  # all cells as text, blank as ""; a name may repeat
    lines: np.ndarray  # int64: line number of each row

    @functools.cached_property
    def columns(self) -> list[str]:
        return self.cells.column_names

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The cells as a pandas frame of str columns."""
        return text_frame(self.cells)


def text_frame(cells: pa.Table) -> pd.DataFrame:
    """A table of text as a pandas frame, keeping repeated column names."""
    frame = pd.DataFrame({i: cells.column(i).to_pandas() for i in range(cells.num_columns)},
                         index=pd.RangeIndex(cells.num_rows))
    frame.columns = cells.column_names
    return frame


def use_jemalloc() -> None:
    """Let Arrow (and so pandas' Arrow text) allocate with jemalloc rather than mimalloc.

    A process-wide setting, made before the data is read; the figures computed do not
    depend on it. mimalloc maps its memory as transparent huge pages and gives freed
    pages back within milliseconds, so a load that allocates and frees a few hundred
    megabytes at a time keeps zeroing fresh 2 MB pages. On the project's machine (a
    2-core VM) a million return lines took 6.2 s of CPU with mimalloc, 4.9 s with
    jemalloc and 4.6 s with the C library's malloc, which however peaked at 1.4 GB
    against jemalloc's 1.1 GB (bench/README.md). Where pyarrow has no jemalloc
    (Windows), Arrow's default stays.
    """
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        return
    if pa.default_memory_pool().backend_name != pool.backend_name:
        pa.set_memory_pool(pool)


def read_table(path: Path, name: str) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV or XLSX file; on failure return None and the problems found."""
    return read_tables([(path, name)])[0]


def read_tables(files: Sequence[tuple[Path, str]]) -> list[tuple[RawTable | None, list[Problem]]]:
    """Read many CSV or XLSX files; for each, its table or None and the problems found.

    The CSV files go in batches of about BATCH_BYTES; batches are split on other threads
    while the next is read and decoded on this one (numpy and Arrow let go of the GIL).
    """
    results: list[tuple[RawTable | None, list[Problem]] | None] = [None] * len(files)
    batch: list[tuple[int, str, bytes]] = []
    size = 0
    with ThreadPoolExecutor(max_workers=SPLITTERS, thread_name_prefix="sitegen-csv") as splitter:
        split: deque[Future[list[tuple[int, tuple[RawTable | None, list[Problem]]]]]] = deque()

        def collect(waiting: int) -> None:
            while len(split) > waiting:
                for done, result in split.popleft().result():
                    results[done] = result

        def send(batch: list[tuple[int, str, bytes]]) -> None:
            collect(SPLITTERS - 1)  # batches in memory: those being split and the one being read
            split.append(splitter.submit(lambda: list(_read_csv_batch(batch))))

        for index, (path, name) in enumerate(files):
            try:
                if path.suffix.lower() in WORKBOOK_SUFFIXES:
                    results[index] = _read_xlsx(path, name)
                    continue
                if path.suffix.lower() == ".xls":
                    results[index] = (None, [Problem(name, None, None, "is an Excel 97-2003 workbook (.xls), which "
                                                     "sitegen does not read: save it as .xlsx or .csv")])
                    continue
                raw = path.read_bytes()
            except OSError as exc:
                results[index] = (None, [Problem(name, None, None, f"cannot be read ({exc.strerror or exc})")])
                continue
            data, problem = _normalised(raw, name)
            if problem is not None:
                results[index] = (None, [problem])
                continue
            batch.append((index, name, data))
            size += len(data)
            if size >= BATCH_BYTES:
                send(batch)
                batch, size = [], 0
        send(batch)
        collect(0)
    return results  # type: ignore[return-value]


def _normalised(raw: bytes, name: str) -> tuple[bytes, Problem | None]:
    """The file as UTF-8 with "\\n" line ends and a final "\\n", or the problem that stops it."""
    utf16 = _utf16(raw)
    if utf16 is not None:  # Excel's "Unicode text": UTF-16 (with tabs, which the split then names)
        try:
            raw = raw.decode(utf16).removeprefix("\ufeff").encode("utf-8")
        except UnicodeDecodeError as exc:
            return b"", Problem(name, None, None, f"is not readable UTF-16 text ({exc.reason} at byte {exc.start})")
    if b"\x00" in raw[:4096]:
        return b"", Problem(name, None, None, "is not a CSV text file (it holds binary data)")
    try:
        text, utf8 = raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        text, utf8 = raw.decode("cp1252", errors="replace"), False
    if not text or text.isspace():
        return b"", Problem(name, 1, None, "is empty (expected a header row)")
    # Already UTF-8: encoding the text again would give the same bytes, less the BOM.
    data = raw.removeprefix(_BOM) if utf8 else text.encode("utf-8")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data if data.endswith(b"\n") else data + b"\n", None


_BOM = b"\xef\xbb\xbf"


def _utf16(raw: bytes) -> str | None:
    """The codec of a UTF-16 file: by its byte order mark, or by the zero bytes of ASCII text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    start = raw[:4096]
    if len(start) >= 4 and len(start) % 2 == 0:
        if not start[1::2].strip(b"\x00") and start[0::2].strip(b"\x00"):
            return "utf-16-le"
        if not start[0::2].strip(b"\x00") and start[1::2].strip(b"\x00"):
            return "utf-16-be"
    return None


# ---- many files at once: vectorised scans over one buffer --------------------------------


def _read_csv_batch(batch: list[tuple[int, str, bytes]]) -> Iterator[tuple[int, tuple[RawTable | None, list[Problem]]]]:
    """Read a batch of files: those of one header line together by Arrow's CSV reader, any
    file it cannot be trusted with (odd quoting, wrong widths …) by the scans below."""
    if not batch:
        return
    groups: dict[bytes, list[int]] = {}  # header line -> files, in the batch's order
    scanned = []  # files for the scans
    for position, (_, _, data) in enumerate(batch):
        header = _header_line(data)
        if header is None:
            scanned.append(position)
        else:
            groups.setdefault(header, []).append(position)
    ordered = [position for members in groups.values() for position in members]
    shape = _Shape([batch[p][2] for p in ordered]) if ordered else None
    first = 0
    for header, members in groups.items():
        assert shape is not None
        group = range(first, first + len(members))  # the group's files in `shape`
        first += len(members)
        unusual = shape.unusual[group.start : group.stop]
        if unusual.any():  # those go to the scans; the others are read without them
            scanned += [p for p, odd in zip(members, unusual, strict=True) if odd]
            members = [p for p, odd in zip(members, unusual, strict=True) if not odd]
            if not members:
                continue
            tables = _read_group(_Shape([batch[p][2] for p in members]), range(len(members)), header)
        else:
            tables = _read_group(shape, group, header)
        if tables is None:
            scanned += members
            continue
        for position, table in zip(members, tables, strict=True):
            index, name, _ = batch[position]
            yield index, (RawTable(name, *table), [])
    del shape
    yield from _read_scanned([batch[p] for p in sorted(scanned)])


def _header_line(data: bytes) -> bytes | None:
    """The first non-blank line, if it is a whole record (an even number of quotes)."""
    start = len(data) - len(data.lstrip(b"\n"))
    end = data.index(b"\n", start)
    line = data[start:end]
    return line if line.count(b'"') % 2 == 0 else None


_CSV_PARSE = pa_csv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                                 newlines_in_values=False, ignore_empty_lines=True)
_CSV_PARSE_MULTILINE = pa_csv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                                           newlines_in_values=True, ignore_empty_lines=True)


def _read_group(shape: _Shape, group: range, header: bytes) -> list[tuple[pa.Table, np.ndarray]] | None:
    """Cells and line numbers of files that share a header line, parsed by Arrow in one call;
    None when a file is unusual or a row has the wrong width (the scans then say exactly how)."""
    if shape.unusual[group.start : group.stop].any():
        return None
    names = header_names(header.decode("utf-8"))
    width = len(names)
    if width == 1 and (b";" in header or b"\t" in header):
        return None  # the scans say the columns are not separated by commas
    start, stop = int(shape.starts[group.start]), int(shape.ends[group.stop - 1])
    columns = [f"f{i}" for i in range(width)]
    try:
        cells = pa_csv.read_csv(
            pa.py_buffer(memoryview(shape.buffer)[start:stop]),
            read_options=pa_csv.ReadOptions(column_names=columns, use_threads=True),
            # Arrow splits faster when it may take every line end for the end of a row.
            parse_options=_CSV_PARSE_MULTILINE if shape.multiline[group.start : group.stop].any() else _CSV_PARSE,
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(columns, TEXT), strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=False,
            ),
        )
    except pa.ArrowInvalid:  # a row of another width: the scans name each one
        return None
    records = shape.records_of(group)
    if cells.num_rows != sum(len(r) for r in records):
        return None
    cells = cells.rename_columns(names)
    tables = []
    offset = 0
    for file_records in records:
        tables.append((cells.slice(offset + 1, len(file_records) - 1), shape.record_lines[file_records[1:]]))
        offset += len(file_records)
    return tables


class _Shape:
    """Where the records of a batch of normalised CSV files start and end, and which files are
    unusual, found with numpy from the quotes and line ends alone (the fields are Arrow's).

    A file is unusual, and left to the scans, when it has an odd number of quotes, a quote
    that is not at the edge of a field, a NUL byte, a line of only spaces and quotes, or
    quotes and a field that may be longer than the csv module reads.
    """

    def __init__(self, files: list[bytes]):
        self.buffer = b"".join(files)
        sizes = np.fromiter((len(f) for f in files), dtype=np.int64, count=len(files))
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.ends = self.starts + sizes
        a = np.frombuffer(self.buffer, dtype=np.uint8)
        quotes, newlines = _positions(a, _QUOTE, _NEWLINE)
        quote_file = self.file_of(quotes)
        per_file = np.bincount(quote_file, minlength=len(files))
        first_quote = np.concatenate(([0], np.cumsum(per_file)[:-1]))
        unusual = per_file % 2 == 1
        # A quote opens a field (even rank in its file) after a separator, closes one (odd
        # rank) before a separator, or is one of a "" pair; anything else is a stray quote.
        rank_odd = ((np.arange(len(quotes)) - first_quote[quote_file]) & 1).astype(bool)
        before = a[np.maximum(quotes - 1, 0)]
        before[quotes == 0] = _NEWLINE
        after = a[np.minimum(quotes + 1, len(a) - 1)]
        edges = (_COMMA, _NEWLINE, _QUOTE)
        stray = np.where(rank_odd, ~np.isin(after, edges), ~np.isin(before, edges))
        unusual[quote_file[stray]] = True
        if self.buffer.find(b"\x00") >= 0:
            unusual[self.file_of(np.flatnonzero(a == 0))] = True
        unusual[self._long_field_files(a, quotes, quote_file, rank_odd, before, after, sizes)] = True
        line_starts = np.concatenate(([0], newlines[:-1] + 1))
        unusual[_blankish_lines(self.buffer, a, line_starts, newlines, self.file_of)] = True
        # Records end at the line ends outside quotes (an even number of its file's quotes
        # before them), and every file's last line end ends one.
        newline_file = self.file_of(newlines)
        outside = ((np.searchsorted(quotes, newlines) - first_quote[newline_file]) & 1) == 0
        outside[np.searchsorted(newlines, self.ends - 1)] = True
        self.multiline = np.bincount(newline_file[~outside], minlength=len(files)) > 0  # a quoted line end
        record_ends = newlines[outside]
        record_starts = np.concatenate(([0], record_ends[:-1] + 1))
        nonblank = np.flatnonzero(record_starts < record_ends)
        self.record_starts = record_starts[nonblank]
        line_base = np.searchsorted(newlines, self.starts)  # line ends before each file
        self.record_lines = (
            np.searchsorted(newlines, self.record_starts) + 1 - line_base[self.file_of(self.record_starts)]
        )
        self.unusual = unusual

    def file_of(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.starts, positions, side="right") - 1

    def _long_field_files(self, a: np.ndarray, quotes: np.ndarray, quote_file: np.ndarray, rank_odd: np.ndarray,
                          before: np.ndarray, after: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Files with quotes and a field that may pass the csv module's limit (the scans then say
        where): a quoted field from its opening to its closing quote, or a stretch with no comma
        or line end, longer than the limit. Only a file longer than the limit can have one."""
        limit = csv.field_size_limit()
        big = np.flatnonzero((sizes > limit) & (np.bincount(quote_file, minlength=len(sizes)) > 0))
        files = []
        for file in big:
            mine = quote_file == file
            # In a file whose quotes are all at the edges of fields (others are unusual anyway),
            # a field opens at an even quote after a separator and closes at an odd one before one.
            opening = quotes[mine & ~rank_odd & (before != _QUOTE)]
            closing = quotes[mine & rank_odd & (after != _QUOTE)]
            start, end = int(self.starts[file]), int(self.ends[file])
            separators = np.concatenate(_positions(a[start:end], _COMMA, _NEWLINE))
            separators.sort()
            gaps = np.diff(np.concatenate(([-1], separators, [end - start])))
            if len(opening) != len(closing) or (closing - opening).max(initial=0) > limit or gaps.max() > limit:
                files.append(file)
        return np.array(files, dtype=np.int64)

    def records_of(self, files: range) -> list[np.ndarray]:
        """The non-blank records of each file, as positions in `record_starts`."""
        bounds = np.searchsorted(self.record_starts, np.append(self.starts, len(self.buffer)))
        return [np.arange(bounds[i], bounds[i + 1]) for i in files]


def _positions(a: np.ndarray, *values: int, chunk: int = 1 << 20) -> list[np.ndarray]:
    """Where each byte value occurs in `a`, found a megabyte at a time: no flags as big as `a`
    (fresh memory is the slow part of a scan)."""
    found: list[list[np.ndarray]] = [[] for _ in values]
    flags = np.empty(min(chunk, len(a)), dtype=bool)
    for start in range(0, len(a), chunk):
        piece = a[start : start + chunk]
        for value, places in zip(values, found, strict=True):
            np.equal(piece, value, out=flags[: len(piece)])
            places.append(np.flatnonzero(flags[: len(piece)]) + start)
    return [np.concatenate(places) if places else np.zeros(0, dtype=np.int64) for places in found]


def _blankish_lines(buffer: bytes, a: np.ndarray, line_starts: np.ndarray, newlines: np.ndarray,
                    file_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Files with a line of only spaces and quotes: blank to some readers, not others."""
    nonempty = line_starts < newlines
    first = a[line_starts]
    plain = (first > 0x20) & (first < 0x7F) & (first != _QUOTE)
    suspects = np.flatnonzero(nonempty & ~plain)
    lines = [i for i in suspects if not buffer[line_starts[i] : newlines[i]].decode("utf-8").replace('"', "").strip()]
    return file_of(line_starts[np.array(lines, dtype=np.int64)])


def _read_scanned(batch: list[tuple[int, str, bytes]]) -> Iterator[tuple[int, tuple[RawTable | None, list[Problem]]]]:
    """Split the files into records and fields by numpy scans; odd files go the exact way."""
    if not batch:
        return
    scan = _Scan([data for _, _, data in batch])
    for position, (index, name, data) in enumerate(batch):
        if scan.exact[position]:
            yield index, _read_csv_exact(data.decode("utf-8"), name)
    yield from (
        (batch[position][0], result) for position, result in scan.tables([name for _, name, _ in batch])
    )


class _Scan:
    """Records and fields of a batch of normalised CSV files, found with numpy.

    Positions are byte offsets in the joined buffer. A quote's rank within its file
    tells what it is: even ranks open a quoted field (or are the second of a `""`),
    odd ranks close it (or are the first of a `""`). A comma or newline is a separator
    when an even number of quotes of its file precede it.
    """

    def __init__(self, files: list[bytes]):
        self.buffer = b"".join(files)
        self.size = len(self.buffer)
        sizes = np.fromiter((len(f) for f in files), dtype=np.int64, count=len(files))
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.ends = self.starts + sizes
        a = np.frombuffer(self.buffer, dtype=np.uint8)
        is_quote = a == _QUOTE
        quotes = np.flatnonzero(is_quote)
        newlines = np.flatnonzero(a == _NEWLINE)
        self.newlines = newlines
        exact = np.zeros(len(files), dtype=bool)
        per_file_quotes = np.diff(np.searchsorted(quotes, np.append(self.starts, self.size)))
        self.has_quotes = per_file_quotes > 0
        odd = per_file_quotes % 2 == 1
        exact |= odd
        # An odd file's last quote would turn every later file inside out: a virtual quote
        # on its final newline (counted from the next byte on) restores the count.
        is_quote[self.ends[odd] - 1] = True
        inside = np.cumsum(is_quote, dtype=np.uint8)  # wraps at 256: only the parity matters
        inside ^= is_quote  # quotes before each byte, not up to it
        inside &= 1
        del is_quote
        rank_odd = inside[quotes].astype(bool)
        before = a[np.maximum(quotes - 1, 0)]
        before[quotes == 0] = _NEWLINE
        after = a[np.minimum(quotes + 1, self.size - 1)]
        stray = np.where(
            rank_odd,
            ~np.isin(after, (_COMMA, _NEWLINE, _QUOTE)),
            ~np.isin(before, (_COMMA, _NEWLINE, _QUOTE)),
        )
        exact[self.file_of(quotes[stray])] = True
        exact[self.file_of(np.flatnonzero(a == 0))] = True
        # Separators: commas and newlines outside quotes; every file's last newline ends a record.
        outside_newline = inside[newlines] == 0
        outside_newline[np.searchsorted(newlines, self.ends - 1)] = True
        record_ends = newlines[outside_newline]
        is_sep = a == _COMMA
        is_sep &= inside == 0
        del inside
        is_sep[record_ends] = True
        self.seps = np.flatnonzero(is_sep)
        self.record_ends = record_ends
        self.record_starts = np.concatenate(([0], record_ends[:-1] + 1))
        # Fields: field i ends at seps[i]; its value is its bytes less separators and the
        # quotes that are syntax (every opening quote and the second of each "").
        syntax_quotes = quotes[~rank_odd | np.isin(after, (_COMMA, _NEWLINE))]
        keep = ~is_sep
        del is_sep
        keep[syntax_quotes] = False
        self.values_data = a[keep]
        del keep
        field_ends = self.seps - np.arange(len(self.seps)) - np.searchsorted(syntax_quotes, self.seps)
        offsets = np.concatenate(([0], field_ends)).astype(np.int64)
        self.values = pa.LargeStringArray.from_buffers(
            len(self.seps), pa.py_buffer(offsets), pa.py_buffer(self.values_data)
        )
        self.first_field = np.searchsorted(self.seps, self.record_starts)
        self.field_counts = np.searchsorted(self.seps, record_ends) - self.first_field + 1
        # A field longer than the csv module reads, in a file with quotes: let it say so.
        field_starts = np.concatenate(([0], self.seps[:-1] + 1))
        long = field_starts[(self.seps - field_starts) > csv.field_size_limit()]
        long_files = self.file_of(long)
        exact[long_files[self.has_quotes[long_files]]] = True
        exact[_blankish_lines(self.buffer, a, np.concatenate(([0], self.newlines[:-1] + 1)), self.newlines,
                              self.file_of)] = True
        nonblank = self.record_starts < self.record_ends
        exact[np.bincount(self.file_of(self.record_starts[nonblank]), minlength=len(files)) == 0] = True
        self.exact = exact

    def file_of(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.starts, positions, side="right") - 1

    def tables(self, names: list[str]) -> Iterator[tuple[int, tuple[RawTable | None, list[Problem]]]]:
        """Each readable file's table, or the problems of its shape (rows of the wrong width)."""
        nonblank = self.record_starts < self.record_ends
        record_file = self.file_of(self.record_starts)
        records = np.flatnonzero(nonblank & ~self.exact[record_file])
        per_file = np.split(records, np.searchsorted(record_file[records], np.arange(1, len(names))))
        line_base = np.searchsorted(self.newlines, self.starts)
        line_of = np.zeros(len(self.record_starts), dtype=np.int64)  # by record: its first line in its file
        line_of[records] = np.searchsorted(self.newlines, self.record_starts[records]) + 1 - line_base[record_file[records]]
        wanted: dict[int, list[tuple[int, np.ndarray]]] = {}  # width -> (file, data records)
        for position, file_records in enumerate(per_file):
            if self.exact[position]:
                continue
            name = names[position]
            header, rows = int(file_records[0]), file_records[1:]
            width = int(self.field_counts[header])
            counts = self.field_counts[rows]
            wrong = rows[counts != width]
            problems = [
                Problem(name, int(line_of[r]), None,
                        f"has {int(self.field_counts[r])} fields where the header has {width}"
                        + (" (is the row cut short?)" if self.field_counts[r] < width else ""))
                for r in wrong
            ]
            first_line = self.buffer[self.starts[position] : self.newlines[line_base[position]]]
            if width == 1 and (b";" in first_line or b"\t" in first_line):
                problems.append(Problem(name, 1, None, "columns are not separated by commas (found ';' or a tab)"))
            if problems:
                yield position, (None, problems)
                continue
            wanted.setdefault(width, []).append((position, rows))
        for width, group in wanted.items():
            rows = np.concatenate([r for _, r in group])
            columns = [self.values.take(pa.array(self.first_field[rows] + j)) for j in range(width)]
            offset = 0
            for position, file_rows in group:
                header = int(per_file[position][0])
                header_text = self.buffer[self.record_starts[header] : self.record_ends[header]].decode("utf-8")
                cells = pa.Table.from_arrays(
                    [c.slice(offset, len(file_rows)) for c in columns], names=header_names(header_text)
                )
                file_lines = line_of[file_rows]
                offset += len(file_rows)
                yield position, (RawTable(names[position], cells, file_lines), [])


@functools.lru_cache(maxsize=4096)
def header_names(header: str) -> list[str]:
    """Column names as pandas reads a header row (repeats as a.1, blanks as Unnamed: N), trimmed
    and in lower case."""
    columns = pd.read_csv(io.StringIO(header + "\n"), dtype=str, nrows=0, keep_default_na=False).columns
    return [str(c).strip().lower() for c in columns]


# ---- one file the exact way: the csv module and pandas -----------------------------------


def _read_csv_exact(text: str, name: str) -> tuple[RawTable | None, list[Problem]]:
    try:
        record_lines, counts = _record_lines(text)
    except _UnreadableRecord as exc:
        return None, [Problem(name, exc.line, None, "cannot be read as CSV from here: a value is longer than "
                                                    f"{csv.field_size_limit():,} characters (is a quote left open?)")]
    if not counts:  # only quotes and spaces: no record at all
        return None, [Problem(name, 1, None, "is empty (expected a header row)")]
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
    cells = pa.Table.from_arrays(
        [pa.array(frame.iloc[:, i].to_numpy(dtype=object), TEXT) for i in range(frame.shape[1])],
        names=[str(c).strip().lower() for c in frame.columns],
    )
    return RawTable(name, cells, np.array(record_lines[1:], dtype=np.int64)), []


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
    """The workbook's `lines` sheet, else its first visible one (never a hidden sheet); hidden
    rows are read and warned of; a formula must carry the value a spreadsheet computed."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, ParseError … from a damaged file
        return None, [Problem(name, None, None, f"is not a readable XLSX workbook ({_reason(exc)})")]
    try:
        sheets = [s for s in book.worksheets if s.sheet_state == "visible"]
        sheet = next((s for s in sheets if s.title.strip().lower() == LINES_SHEET), sheets[0] if sheets else None)
        if sheet is None:
            return None, [Problem(name, None, None, "has no visible sheet to read")]
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
        marks = _sheet_marks(path, sheet)
    except Exception as exc:  # a damaged sheet: bad XML, a cell openpyxl cannot convert …
        return None, [Problem(name, None, None, f"is not a readable XLSX workbook ({_reason(exc)})")]
    finally:
        book.close()
    where = f"sheet {sheet.title!r}"
    problems = [Problem(name, line, cell, "a formula with no value computed (the workbook was not saved by "
                                          "a spreadsheet program that calculates: open it and save it again)")
                for line, cell in marks.uncomputed]
    if marks.recalculate and len(marks.formulas) > len(marks.uncomputed):  # values kept, maybe stale
        problems.append(Problem(name, marks.formulas[0], None, f"{where}: the workbook asks to be recalculated "
                                "when opened, so the values kept with its formulas may be out of date: open it in a "
                                "spreadsheet program and save it again"))
    if marks.hidden:
        shown = ", ".join(str(line) for line in marks.hidden[:10]) + (" …" if len(marks.hidden) > 10 else "")
        problems.append(Problem(name, marks.hidden[0], None, f"{where}: {counted(len(marks.hidden), 'hidden row')} "
                                f"({shown}) {'is' if len(marks.hidden) == 1 else 'are'} read all the same", "warning"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return None, _capped(errors)
    if header is None:
        return None, [Problem(name, 1, None, "is empty (expected a header row)"), *problems]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    beyond = [
        Problem(name, line, None, f"has values beyond the last named column ({len(header)})")
        for line, row in zip(lines, rows, strict=True)
        if any(v.strip() for v in row[width:])
    ]
    if beyond:
        return None, _capped(beyond)
    padded = [(row + [""] * width)[:width] for row in rows]
    cells = pa.Table.from_arrays(
        [pa.array([row[i] for row in padded], TEXT) for i in range(width)],
        names=[h.strip().lower() for h in header],
    )
    return RawTable(name, cells, np.array(lines, dtype=np.int64)), problems


def _reason(exc: Exception) -> str:
    """What went wrong, in the words of the exception; its kind when it has none."""
    return str(exc) or type(exc).__name__


def _capped(problems: list[Problem], most: int = 50) -> list[Problem]:
    """The first MOST problems, then one saying how many more there are."""
    if len(problems) <= most:
        return problems
    rest = problems[most]
    return [*problems[:most], Problem(rest.file, rest.line, rest.column,
                                      f"and {len(problems) - most} more rows with the same kind of problem")]


@dataclass(frozen=True)
class _SheetMarks:
    hidden: list[int]  # rows hidden in the spreadsheet
    formulas: list[int]  # rows with a formula
    uncomputed: list[tuple[int, str]]  # (row, cell) of formulas without a value
    recalculate: bool  # the workbook asks to be recalculated on opening (its values may be stale)


_MARKS = re.compile(rb"<(?:\w+:)?f[\s>/]|hidden=")


def _sheet_marks(path: Path, sheet: Any) -> _SheetMarks:
    """What openpyxl's read-only mode does not tell: hidden rows, formulas and whether they
    carry a value. The sheet's XML is scanned once, and parsed only if it has either."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    member = getattr(sheet, "_worksheet_path", None)
    hidden: list[int] = []
    formulas: list[int] = []
    uncomputed: list[tuple[int, str]] = []
    if member is None:
        return _SheetMarks(hidden, formulas, uncomputed, False)
    with zipfile.ZipFile(path) as archive:
        with archive.open(member.lstrip("/")) as stream:
            tail = b""
            found = False
            while chunk := stream.read(1 << 20):
                if _MARKS.search(tail + chunk):
                    found = True
                    break
                tail = chunk[-16:]
        if found:
            with archive.open(member.lstrip("/")) as stream:
                row_number = 0
                for event, element in iterparse(stream, events=("start", "end")):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if event == "start":
                        if tag == "row":
                            row_number = int(element.get("r") or row_number + 1)
                            if element.get("hidden") in ("1", "true"):
                                hidden.append(row_number)
                        continue
                    if tag == "c":
                        children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                        if "f" in children:
                            formulas.append(row_number)
                            value = children.get("v")
                            # openpyxl writes <v></v>: empty but for a formula giving text ("str")
                            if value is None or (not value.text and element.get("t") != "str"):
                                uncomputed.append((row_number, element.get("r", "")))
                        element.clear()
                    elif tag == "row":
                        element.clear()
        recalculate = False
        if formulas:
            with archive.open("xl/workbook.xml") as stream:
                for _, element in iterparse(stream):
                    if element.tag.rsplit("}", 1)[-1] == "calcPr":
                        recalculate = element.get("fullCalcOnLoad") in ("1", "true")
    return _SheetMarks(hidden, formulas, uncomputed, recalculate)


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
