"""The demo publication built end to end, checked as its readers would check it."""

from __future__ import annotations

import re

from click.testing import CliRunner
from pypdf import PdfReader

from sitegen.cli import main


def test_demo_builds_site_and_papers(built_demo) -> None:
    project, result = built_demo
    site = project / "site"
    assert (site / "index.html").is_file()
    assert result.pdfs >= 2
    assert (site / "papers" / "report.pdf").is_file()
    assert result.pages == len(list(site.rglob("index.html")))
    assert [str(w) for w in result.warnings] == [
        ("data/returns/valeshire-homes-2009-10-actual.csv:2: warning: partner_id: partner 'valeshire-homes' "
         "is not in the target: its returns are shown but not totalled"),
    ]


def test_every_page_links_only_inside_the_site(built_demo) -> None:
    project, _ = built_demo
    site = project / "site"
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="([^"#]*)(?:#[^"]*)?"', html):
            if not link or link.startswith(("data:", "mailto:", "tel:")):
                continue
            assert "://" not in link, f"{page}: external link {link}"
            target = (page.parent / link).resolve()
            if link.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)}: broken link {link}"


def test_table_csv_published_equals_sitegen_table(built_demo) -> None:
    project, _ = built_demo
    for name in ("ni179", "ni179_total", "returns_missing", "workstreams", "spend_split", "rag_summary",
                 "uor_distribution", "return_lines"):
        printed = CliRunner().invoke(main, ["table", name, "--format", "csv", "-C", str(project)])
        assert printed.exit_code == 0
        assert (project / "site" / "tables" / f"{name}.csv").read_text(encoding="utf-8") == printed.stdout


def test_report_pdf_reads_back(built_demo) -> None:
    project, _ = built_demo
    reader = PdfReader(project / "site" / "papers" / "report.pdf")
    pages = len(reader.pages)
    assert pages >= 3
    cover, contents = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Annual value for money report" in cover and "Page 1 of" not in cover  # a cover has no page furniture
    assert "Valeshire Partnership · Value for Money" in contents
    assert f"Page 2 of {pages}" in contents
    everything = "\n".join(page.extract_text() for page in reader.pages)
    assert "Returns expected but not received" in everything
    assert "Fenholt District Council" in everything


def test_rebuild_replaces_the_site_whole(copy_fixture) -> None:
    """A file left in site/ by hand is gone after the next build, and every built file is still there.

    On the minimal fixture, built and then built again in its folder: the rebuild is the
    incremental one a user runs (a copy of the built demo would be built whole again,
    its build state being of another folder, at the cost of a demo build).
    """
    project = copy_fixture("minimal")
    first = CliRunner().invoke(main, ["build", "-C", str(project)])
    assert first.exit_code == 0, first.output
    built_files = sorted(p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("*"))
    stray = project / "site" / "stray.html"
    stray.write_text("left over", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-C", str(project)])
    assert result.exit_code == 0, result.output
    assert not stray.exists()
    assert sorted(p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("*")) == built_files
