"""The annual report (layout: report) read back as a proof-reader would: its PDF opens with a
cover and a contents page whose page numbers are where the sections start, its tables and
figures are numbered by section with their units, the web page numbers them alike, and
years run across the columns with every figure one row of the table's CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pdfplumber
import pytest
from selectolax.lexbor import LexborHTMLParser

from sitegen.errors import ContentError
from sitegen.pdf.check import check_pdf, page_lines
from sitegen.tables.formatting import money

from conftest import build_folder

CONTENTS_LINE = re.compile(r"^(\d+) (.+?)[ .]*?\.[ .]*(\d+)$")  # "3 Partners' returns for 2010-11. . . . 4"
CAPTION = re.compile(r"^(Table|Figure) (\d+)\.(\d+): (.+)$")


def report_pdf(project: Path) -> Path:
    return project / "site" / "papers" / "report.pdf"


def report_html(project: Path) -> LexborHTMLParser:
    return LexborHTMLParser((project / "site" / "report" / "index.html").read_text(encoding="utf-8"))


def test_the_pdf_opens_with_its_cover(built_demo) -> None:
    project, _ = built_demo
    cover = page_lines(report_pdf(project))[0]
    assert [line.text for line in cover.lines[:4]] == [
        "VALESHIRE PARTNERSHIP", "Annual value for money report", "2010-11", "Financial year 2010-11"]
    assert "Status Final" in cover.text and "Date 29 July 2011" in cover.text
    assert "Contents" not in cover.text and "1. Summary" not in cover.text  # the cover alone on its page
    with pdfplumber.open(report_pdf(project)) as pdf:  # no running header and no page number on a cover
        assert "Page 1 of" not in pdf.pages[0].extract_text()
        assert f"Page 2 of {len(pdf.pages)}" in pdf.pages[1].extract_text()


def test_the_contents_page_gives_the_page_each_section_starts_on(built_demo) -> None:
    project, _ = built_demo
    pages = page_lines(report_pdf(project))
    contents = pages[1]
    assert contents.lines[0].text == "Contents"
    listed = [line.text for line in contents.lines[1:]]
    if "Figures revised in issued papers" in listed:  # under the contents, on their page
        listed = listed[:listed.index("Figures revised in issued papers")]
    entries = [CONTENTS_LINE.match(text) for text in listed]
    assert all(entries) and len(entries) == 11
    headings = {}  # "3. Partners' returns for 2010-11": the page it is printed on
    for page in pages[2:]:
        for line in page.lines:
            if re.match(r"^\d+\. \S", line.text) and line.bold:
                headings.setdefault(line.text, page.number)
    for number, (entry, expected) in enumerate(zip(entries, headings.items(), strict=True), start=1):
        assert entry is not None
        assert entry.group(1) == str(number)
        heading, page = expected
        assert heading == f"{number}. {entry.group(2)}"
        assert int(entry.group(3)) == page, f"the contents say section {number} starts on page {entry.group(3)}"


def test_tables_and_figures_are_numbered_by_section_with_their_units(built_demo) -> None:
    project, _ = built_demo
    pages = page_lines(report_pdf(project))
    captions = []
    section = 0
    for page in pages[2:]:
        for line in page.lines:
            heading = re.match(r"^(\d+)\. \S", line.text)
            if heading and line.bold:
                section = int(heading.group(1))
            found = CAPTION.match(line.text)
            if found:
                captions.append(found.groups())
                assert int(found.group(2)) == section, f"{line.text!r} is printed in section {section}"
    tables = [(int(s), int(n)) for kind, s, n, _ in captions if kind == "Table"]
    assert len(tables) >= 14
    for (s, n), (next_s, next_n) in zip(tables, tables[1:]):  # 3.1, 3.2, then 4.1: none missed, none twice
        assert (next_s, next_n) in ((s, n + 1), (next_s, 1)) and next_s >= s
    assert ("Table", "6", "1", "Counted gains by workstream and year, actual returns (£ million)") in captions
    assert any(kind == "Figure" for kind, *_ in captions)

    # The web page numbers them the same, and every table with money says its unit.
    html = report_html(project)
    shown = [node.text(strip=True) for node in html.css("figure.data-table caption, figure.risk-grid caption")]
    assert [c.split(":")[0] for c in shown] == [f"Table {s}.{n}" for s, n in tables]
    for figure in html.css("figure.data-table"):
        caption = figure.css_first("caption").text()
        if "£" in figure.css_first("tbody").text() or "(£" in figure.css_first("thead").text():
            assert re.search(r"\(£[^)]*\)$", caption), f"no unit in {caption!r}"
    charts = [" ".join(node.text().split()) for node in html.css("figure.chart > figcaption")]
    assert charts and all(re.match(r"Figure \d+\.\d+: .+\(.+\)$", text) for text in charts)


def test_the_web_page_has_the_title_block_and_a_linked_contents_list(built_demo) -> None:
    project, _ = built_demo
    html = report_html(project)
    cover = html.css_first(".report-cover")
    assert cover.css_first("h1").text() == "Annual value for money report 2010-11"
    assert "Financial year 2010-11" in cover.text() and "Final" in cover.text() and "29 July 2011" in cover.text()
    links = html.css(".report-contents a")
    assert len(links) == 11
    for link in links:  # each entry goes to its section's heading
        target = html.css_first(link.attributes["href"])
        assert target is not None and target.tag == "h2"
        assert target.text(strip=True).removesuffix("#").endswith(link.text(strip=True))


def test_the_report_pdf_has_no_layout_fault_and_no_near_empty_last_page(built_demo) -> None:
    project, _ = built_demo
    assert check_pdf(report_pdf(project)) == []
    last = page_lines(report_pdf(project))[-1]
    assert len(last.lines) > 10


def test_years_run_across_and_each_figure_is_one_row_of_the_csv(built_demo) -> None:
    """Table 2.1 (ni179_total, years across): each cell is its row's value in £m, [p] kept;
    a row per return and value column, in the order the page asks for them."""
    project, _ = built_demo
    table = report_html(project).css_first("#table-ni179_total table")

    def text(node) -> str:  # type: ignore[no-untyped-def]
        return " ".join(node.text().replace("\u2011", "-").split())  # a year's hyphen may be non-breaking

    years = [text(th) for th in table.css("thead th")][2:]
    assert years == ["2008-09", "2009-10", "2010-11"]
    body = [[text(cell) for cell in row.css("td")] for row in table.css("tbody tr")]
    with (project / "site" / "tables" / "ni179_total.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return_types = [cells[0].lower() for cells in body[::4]]  # forecast first, as the page sorts them
    assert return_types == ["forecast", "actual"]
    assert len(body) == 4 * len(return_types)  # received, NI 179, target, achievement
    for row in rows:
        first = 4 * return_types.index(row["return_type"])
        column = 2 + years.index(row["year"])
        assert body[first][0].lower() == row["return_type"]
        received, ni179, target, achievement = (body[first + offset][column] for offset in range(4))
        figure, mark = row["ni179_gbp"].removesuffix(" [p]"), " [p]" if row["ni179_gbp"].endswith(" [p]") else ""
        assert ni179 == money(figure, "m") + mark
        assert received == row["returns_received"] and target == money(row["target_gbp"], "m")
        assert achievement.removesuffix("%") == row["achievement_pct"]


def test_the_risk_register_has_its_actions_column(built_demo) -> None:
    project, _ = built_demo
    table = report_html(project).css_first("#table-risks table")
    headings = [th.text(strip=True) for th in table.css("thead th")]
    assert "Actions taken to reduce risk" in headings and "Mitigation measures" in headings
    with (project / "data" / "risks.csv").open(encoding="utf-8") as file:
        risks = list(csv.DictReader(file))
    column = headings.index("Actions taken to reduce risk")
    shown = [row.css("td")[column].text().strip() for row in table.css("tbody tr")]
    assert shown == [risk["actions_taken"] for risk in risks]


def test_a_report_needs_a_financial_year(copy_fixture, tmp_path: Path) -> None:
    project = copy_fixture("minimal")
    (project / "content" / "annual.md").write_text(
        "---\ntitle: Annual report\nlayout: report\nyear: 2010-13\n---\n\n## Summary\n\nText.\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        build_folder(project)
    assert any(problem.file == "content/annual.md" and problem.line == 4 and "financial year" in problem.message
               for problem in raised.value.problems)


def test_a_project_restyles_the_report_by_template(copy_fixture) -> None:
    """Its own _report_cover.html replaces the theme's cover; the contents and numbering stay."""
    project = copy_fixture("minimal")
    (project / "content" / "annual.md").write_text(
        "---\ntitle: Annual report\nlayout: report\nyear: 2010-11\nstatus: draft\n---\n\n"
        "## Summary\n\nText.\n\n## Position\n\nMore text.\n", encoding="utf-8")
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "_report_cover.html").write_text(
        '<header class="council-cover"><h1>{{ meta.title }}</h1><p>Year {{ page.details.year | fy }}, '
        '{{ meta.status }}</p></header>\n', encoding="utf-8")
    build_folder(project)
    html = LexborHTMLParser((project / "site" / "annual" / "index.html").read_text(encoding="utf-8"))
    assert html.css_first(".council-cover").text(strip=True) == "Annual reportYear 2010-11, draft"
    assert html.css_first(".report-cover") is None
    assert [a.text() for a in html.css(".report-contents a")] == ["Summary", "Position"]
    assert html.css_first("#para-2-1") is not None
