"""Reading many CSV files at once gives what reading each the exact way gives.

`read_tables` splits a batch of files with vectorised scans and sends any file it
cannot read that way to the csv module and pandas. Whatever the bytes, each file's
cells, line numbers and problems must be exactly those of the one-by-one reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.data import sources

# Pieces that make CSV interesting: quotes, separators, blank and space-only lines,
# line ends of three kinds, non-ASCII and non-breaking spaces, a NUL.
PIECES = ["a", "bb", "12", ",", ",", '"', '""', "\n", "\n", "\r\n", "\r", " ", "\t", ";", "é", "\u00a0", "£",
          "\x00", '"x,y"', '"p\nq"']


def _exact(path: Path, name: str) -> tuple[object, list[str]]:
    """One file the exact way, as (cells and lines, problems) to compare."""
    data, problem = sources._normalised(path.read_bytes(), name)
    if problem is not None:
        return None, [str(problem)]
    raw, problems = sources._read_csv_exact(data.decode("utf-8"), name)
    return _shape(raw), [str(p) for p in problems]


def _shape(raw: sources.RawTable | None) -> object:
    if raw is None:
        return None
    return raw.columns, raw.cells.to_pydict() if len(set(raw.columns)) == len(raw.columns) else raw.cells.num_rows, \
        raw.lines.tolist()


def _compare(tmp_path: Path, contents: list[bytes]) -> None:
    files = []
    for number, content in enumerate(contents):
        path = tmp_path / f"f{number}.csv"
        path.write_bytes(content)
        files.append((path, f"data/returns/f{number}.csv"))
    batch = sources.read_tables(files)
    for (path, name), (raw, problems) in zip(files, batch, strict=True):
        assert (_shape(raw), [str(p) for p in problems]) == _exact(path, name), name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=40).map("".join), min_size=1, max_size=4),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_a_batch_of_any_files_reads_as_each_file_alone(tmp_path: Path, texts: list[str], encoding: str) -> None:
    _compare(tmp_path, [t.encode(encoding, errors="replace") for t in texts])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.lists(st.sampled_from(["x", "1,234", 'say "hi"', "", " ", "a\nb", "£5", "é"]),
                                  min_size=1, max_size=4), min_size=1, max_size=6), min_size=1, max_size=4))
def test_a_batch_of_well_formed_files_reads_as_each_file_alone(tmp_path: Path, tables: list[list[list[str]]]) -> None:
    """Spreadsheet-written CSV, quoted where needed: the files the fast scan reads itself."""
    import csv
    import io

    contents = []
    for rows in tables:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([["h1", "h2", "H1", "h3"][: len(rows[0])], *rows])
        contents.append(out.getvalue().encode("utf-8"))
    _compare(tmp_path, contents)


@pytest.mark.parametrize(
    "content",
    [
        b'id,text\n1,"' + b"x," * 70_000 + b'"\n2,b\n',  # a quoted value past the csv module's limit
        b'id,text\n"1",' + b"y" * 140_000 + b"\n2,b\n",  # an unquoted one, in a file with quotes
        b'id,text\n1,"' + b'ab""' * 40_000 + b'"\n',  # long from quote to quote, short once read
        b"id,text\n" + b"".join(b'%d,"a, b"\n' % i for i in range(20_000)),  # a big file, no long value
    ],
    ids=["quoted", "unquoted", "doubled quotes", "big file"],
)
def test_long_values_read_as_the_csv_module_reads_them(tmp_path: Path, content: bytes) -> None:
    _compare(tmp_path, [content, b'id,text\n1,"a"\n'])


@pytest.mark.parametrize(
    ("content", "rows", "lines"),
    [
        # a quoted line end is part of its value, and a blank line counts as a line
        (b'id,text\n1,"two\nlines"\n\n2,after\n', [["1", "two\nlines"], ["2", "after"]], [2, 5]),
        # blank lines before the header; Windows line ends; no line end after the last row
        (b"\n\nid,text\r\n1,a\r\n\r\n2,b", [["1", "a"], ["2", "b"]], [4, 6]),
        # doubled quotes inside a quoted value are one quote
        (b'id,text\n1,"a ""quoted"" word"\n', [["1", 'a "quoted" word']], [2]),
    ],
    ids=["quoted line end", "blank lines first", "doubled quotes"],
)
def test_line_numbers_are_the_editors(tmp_path: Path, content: bytes, rows: list[list[str]], lines: list[int]) -> None:
    """Each file reads to exactly its own cells, each row at the line an editor shows it on."""
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    raw, problems = sources.read_table(path, "r.csv")
    assert problems == [] and raw is not None
    assert raw.columns == ["id", "text"]
    assert raw.frame.values.tolist() == rows
    assert raw.lines.tolist() == lines
