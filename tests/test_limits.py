"""Very large inputs complete with memory bounded (issue 7), at sizes the suite can afford.

Each test generates a project (bench/bench_limits.py, deterministic) and runs sitegen
on it, asserting what a user would check: it finished, and its output is there and
right; run in a fresh process, its peak memory stayed under a stated bound. The full
sizes (a 200 MB returns file, 50,000 pages, a 5,000-row table in a PDF) and the 20 MB
file's time and memory are measured by bench/bench_limits.py; figures in bench/README.md.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from conftest import build_folder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_limits

MB = 1_000_000


def _ok(result: dict) -> None:
    assert result["returncode"] == 0, (result["stdout"] + result["stderr"])[-3000:]


def test_a_returns_file_with_partners_past_the_page_limit_is_published_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a very large returns file does, at 1 MB: every line reaches the published table,
    written a chunk at a time (chunks of 1,000 rows here, 50,000 in a build), and a partner
    with more lines than its page lists gets its counts and a file of its own. The 20 MB
    and 200 MB files' time and peak memory are bench/bench_limits.py's (bench/README.md)."""
    project = tmp_path / "returns"
    lines = bench_limits.write_returns_project(project, megabytes=1)
    assert (project / "data" / "returns.csv").stat().st_size > 0.9 * MB
    monkeypatch.setattr("sitegen.tables.table.CHUNK_ROWS", 1_000)

    build_folder(project)

    site = project / "site"
    with (site / "tables" / "return_lines.csv").open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) == lines + 1 > 5_000  # every line, and the header
    # A partner's page sums its lines up and links its own file of them, not 2,600 rows inline.
    partner = min(p for p in (site / "partners").iterdir() if p.is_dir())  # not the index of partners
    page = (partner / "index.html").read_text(encoding="utf-8")
    assert "too many to list on this page" in page
    assert f"tables/return_lines/{partner.name}.csv" in page
    assert page.count("<tr>") < 50
    with (site / "tables" / "return_lines" / f"{partner.name}.csv").open(encoding="utf-8", newline="") as handle:
        own = list(csv.DictReader(handle))
    assert len(own) > 1000 and {row["partner_id"] for row in own} == {partner.name}


@pytest.mark.slow
def test_2000_pages_check_in_bounded_memory(tmp_path: Path) -> None:
    """2,000 pages here (the suite's time); 50,000 in bench/bench_limits.py."""
    project = tmp_path / "pages"
    bench_limits.write_pages_project(project, pages=2_000)

    result = bench_limits.run_sitegen(["check", "-C", str(project)])

    _ok(result)
    assert result["stdout"].startswith("OK: 20") and " pages" in result["stdout"]  # 2,000 and the generated ones
    assert result["peak_rss_bytes"] < 1_000 * MB, f"peak RSS {result['peak_rss_bytes'] / MB:.0f} MB"


@pytest.mark.slow
def test_a_1000_row_table_in_a_pdf_builds_in_bounded_memory(tmp_path: Path) -> None:
    """1,000 rows here (the suite's time); 5,000 in bench/bench_limits.py."""
    project = tmp_path / "pdf-table"
    bench_limits.write_pdf_table_project(project, rows=1_000)

    result = bench_limits.run_sitegen(["build", "-C", str(project)])

    _ok(result)
    from pypdf import PdfReader

    reader = PdfReader(project / "site" / "papers" / "register.pdf")
    assert len(reader.pages) > 20  # 1,000 rows laid out (about 35 a page), not cut short
    text = reader.pages[-1].extract_text()
    assert "R01000" in text  # the last row is on the last page
    assert result["peak_rss_bytes"] < 1_000 * MB, f"peak RSS {result['peak_rss_bytes'] / MB:.0f} MB"


def test_a_table_written_in_chunks_is_the_table_written_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """return_lines is written 50,000 rows at a time from compact columns (micropounds,
    categories): the bytes must be those of writing its exact rows in one go."""
    import io
    import json
    from decimal import Decimal

    import pandas as pd
    import simplejson

    from sitegen.tables.table import Column, Table

    frame = pd.DataFrame({
        "partner_id": pd.Series(["a", "b", "a", "c", "b"], dtype="category"),
        "description": pd.Series(['Plain', 'Comma, "quoted"', "Two\nlines", "", "£ and é"], dtype="str"),
        "year": [2008, 2009, 2010, 2008, 2009],
        "counts": [True, False, True, True, False],
        "first_impact": pd.to_datetime(["2008-04-01", "2009-01-31", "0999-12-31", "2010-06-01", "2008-04-01"]),
        "gross_gbp": [1_005_000, -4_000, -5_000, 999_999_999_999_990_000, 0],  # micropounds
        "target_gbp": [Decimal("1.005"), None, Decimal("-0.004"), Decimal(7), Decimal("2.5")],
    })
    columns = (Column("partner_id"), Column("description"), Column("year", "year"), Column("counts", "bool"),
               Column("first_impact", "date"), Column("gross_gbp", "money"), Column("target_gbp", "money"))
    table = Table("t", "T", columns, frame, ("data/x.csv",), micro=("gross_gbp",))
    monkeypatch.setattr("sitegen.tables.table.CHUNK_ROWS", 2)

    rows = table.records()
    assert rows[1]["gross_gbp"] == Decimal("-0.004")
    whole_csv = io.StringIO()
    writer = csv.writer(whole_csv, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    writer.writerows([[c.csv_text(row[c.name]) for c in columns] for row in rows])
    assert table.to_csv() == whole_csv.getvalue()
    assert "1.01,1.01" in table.to_csv() and "-0.00" in table.to_csv()  # half up, sign kept
    whole_json = simplejson.dumps(
        {"name": "t", "title": "T", "sources": ["data/x.csv"],
         "columns": [{"name": c.name, "kind": c.kind} for c in columns],
         "rows": [{c.name: c.json_value(row[c.name]) for c in columns} for row in rows]},
        use_decimal=True, indent=1, ensure_ascii=False) + "\n"
    assert table.to_json() == whole_json
    assert json.loads(table.to_json())["rows"][3]["gross_gbp"] == 999999999999.99
    empty = Table("e", "E", columns, frame.iloc[:0], ())
    assert json.loads(empty.to_json())["rows"] == [] and empty.to_csv().count("\n") == 1
