"""The demo's publications checked as their readers would: papers, packs, generated pages."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from conftest import copy_demo, load_folder
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser

from sitegen.cli import main


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_committee_paper_structure(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "steering-group" / "steering-group-2011-07" / "index.html").read_text(encoding="utf-8")
    assert '<p class="decision-status">FOR CONSIDERATION AND APPROVAL</p>' in html
    assert "<dt>Agenda item</dt><dd>3</dd>" in html  # from the meeting's agenda, where it is item 3
    assert "<dt>Paper reference</dt><dd>VPSG/2011/07/05</dd>" in html
    assert "<p>This paper:</p>" in html
    recommendations = re.search(r'<ol class="recommendations__list" type="a">(.*?)</ol>', html, re.S).group(1)
    assert recommendations.count("<li>") == 3
    numbers = re.findall(r'<span class="para-number">([^<]+) </span>', html)
    assert numbers[:2] == ["1.1", "1.2"] and "2.1" in numbers and numbers[-1] == "3.1"  # Annex A: unnumbered
    assert html.index('id="contacts"') < html.index(">Annex A: How the figures are calculated<")
    assert "<dt>Financial</dt>" in html and "<dt>Risk</dt>" in html
    assert "helen.armitage@valeshire.example" in html


def test_draft_paper_carries_a_watermark(built_demo) -> None:
    project, _ = built_demo
    draft = PdfReader(project / "site" / "papers" / "efficiency.pdf")  # the outcome plan is a draft
    assert "DRAFT" in draft.pages[0].extract_text()
    final = PdfReader(project / "site" / "papers" / "steering-group-2011-07.pdf")
    assert "DRAFT" not in "".join(page.extract_text() for page in final.pages)


def test_agenda_pack_numbers_pages_and_bookmarks_items(built_demo) -> None:
    project, _ = built_demo
    pack = PdfReader(project / "site" / "papers" / "2011-07-14.pdf")
    total = len(pack.pages)
    # The pack is issued: it holds the papers as they went out (version 1 of each).
    paper = len(PdfReader(project / "site" / "papers" / "steering-group-2011-07-v1.pdf").pages)
    review = len(PdfReader(project / "site" / "papers" / "ni179-review-2009-v1.pdf").pages)
    assert total == 2 + paper + review  # front sheet, agenda, then the papers
    for number, page in enumerate(pack.pages, start=1):
        assert f"Page {number} of {total}" in page.extract_text()
    top = [(title, page) for depth, title, page in outline(pack) if depth == 0]
    assert top == [
        ("Front sheet", 1),
        ("Agenda", 2),
        ("Value for money and efficiency: position at the end of 2010-11", 3),
        ("Efficiency: review of 2008-09", 3 + paper),
    ]
    agenda = pack.pages[1].extract_text()
    assert re.search(r"position at the end of 2010-11[ .]+page 3", agenda)
    assert re.search(rf"review of 2008-09[ .]+page {3 + paper}", agenda)


def test_pack_command_writes_the_same_pack(built_demo, tmp_path: Path) -> None:
    project, _ = built_demo
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(main, ["pack", "meetings/2011-07-14", "-o", str(out), "-C", str(project)])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(out).pages) == len(PdfReader(project / "site" / "papers" / "2011-07-14.pdf").pages)


def test_a_page_per_partner_and_per_project(built_demo) -> None:
    project, _ = built_demo
    site = project / "site"
    partners = (project / "data" / "partners.csv").read_text(encoding="utf-8").splitlines()[1:]
    ids = [line.split(",")[0] for line in partners]
    for partner_id in ids:
        assert (site / "partners" / partner_id / "index.html").is_file()
    projects = (project / "data" / "projects.csv").read_text(encoding="utf-8").splitlines()[1:]
    for line in projects:
        assert (site / "projects" / line.split(",")[0] / "index.html").is_file()
    index = (site / "partners" / "index.html").read_text(encoding="utf-8")
    assert index.count('href="fenholt-dc/"') == 1


def test_partner_page_lists_every_line_with_its_reason(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "partners" / "fenholt-dc" / "index.html").read_text(encoding="utf-8")
    lines_csv = (project / "site" / "tables" / "return_lines.csv").read_text(encoding="utf-8").splitlines()
    fenholt = [line for line in lines_csv if line.startswith("fenholt-dc,")]
    assert fenholt
    for line in fenholt:
        source = line.rsplit(",", 1)[1]
        assert source in html, source
    cells = {cell.text() for cell in LexborHTMLParser(html).css("td")}
    assert {"Out of period", "Non-cash"} <= cells  # the reasons in words
    assert "Returns missing</dt><dd>2010-11 actual" in html


def test_case_study_library(built_demo) -> None:
    project, _ = built_demo
    site = project / "site" / "case-studies"
    studies = sorted(p.stem for p in (project / "content" / "case-studies").glob("*.md") if p.stem != "index")
    assert len(studies) >= 12
    for name in studies:
        assert (site / name / "index.html").is_file()
        assert len(PdfReader(project / "site" / "papers" / f"{name}.pdf").pages) == 1
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in studies:
        assert f'href="{name}/"' in index
    procurement = (site / "themes" / "procurement" / "index.html").read_text(encoding="utf-8")
    assert "Joint highways maintenance contract" in procurement
    assert "Shared revenues and benefits service" not in procurement
    assert (site / "sectors" / "health" / "index.html").is_file()
    assert (site / "places" / "castlebridge" / "index.html").is_file()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_one_place_is_one_place_in_the_case_study_indexes(built_demo) -> None:
    """The borough-wide study lists Thrimby and Ravensholt as two places: Thrimby's index has
    both Thrimby studies, and there is no index for "Thrimby and Ravensholt"."""
    project, _ = built_demo
    places = project / "site" / "case-studies" / "places"
    assert not (places / "thrimby-and-ravensholt").exists()
    thrimby = text_of((places / "thrimby" / "index.html").read_text(encoding="utf-8"))
    assert "Police and fire sharing a station at Thrimby" in thrimby and "Managed service for agency staff" in thrimby
    assert "Managed service for agency staff : Thrimby and Ravensholt, 2010-11" in thrimby
    ravensholt = text_of((places / "ravensholt" / "index.html").read_text(encoding="utf-8"))
    assert "Managed service for agency staff" in ravensholt and "Police and fire" not in ravensholt
    study = text_of((project / "site" / "case-studies" / "agency-staff-managed-service" / "index.html")
                    .read_text(encoding="utf-8"))
    assert "Places Thrimby and Ravensholt" in study


def test_the_case_study_library_never_adds_a_non_cash_saving_to_a_cash_one(built_demo) -> None:
    project, _ = built_demo
    index = (project / "site" / "case-studies" / "index.html").read_text(encoding="utf-8")
    table = re.search(r'<h2 id="by-theme">.*?</table>', index, re.DOTALL).group(0)
    headings = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
    assert headings == ["Theme", "Case studies", "Cash-releasing saving", "Non-cash saving"]
    rows = {text_of(row.split("</th>")[0]): re.findall(r'<td class="num">([^<]+)</td>', row)
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]}
    assert rows["Technology"] == ["1", "£0", "£46,000"]  # Marrowby's channel shift frees staff time
    assert rows["All themes"] == ["12", "£8,623,000", "£46,000"]  # by hand: the 11 cash savings add to £8,623,000
    technology = text_of((project / "site" / "case-studies" / "themes" / "technology" / "index.html")
                         .read_text(encoding="utf-8"))
    assert "1 case study: non-cash savings (staff time or capacity freed) of £46,000 a year." in technology


def test_the_meeting_page_gives_its_chair_venue_and_time(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "meetings" / "2011-07-14" / "index.html").read_text(encoding="utf-8")
    facts = dict(re.findall(r"<div><dt>([^<]+)</dt><dd>(?:<time[^>]*>)?([^<]+)", html))
    assert facts == {"Meeting": "Valeshire Partnership Steering Group", "Date": "14 July 2011", "Time": "10:00",
                     "Venue": "Committee Room 2, County Hall, Valeford", "Chair": "Councillor Margaret Oyelaran"}


def test_the_papers_index_lists_each_paper_under_its_meeting_with_date_and_reference(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "steering-group" / "index.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section class="papers-meeting".*?</section>', html, re.DOTALL)
    assert [text_of(re.search(r"<h2.*?</h2>", s, re.DOTALL).group(0)) for s in sections] == [
        "Valeshire Partnership Steering Group, 14 July 2011",
        "Valeshire Association of Local Authority Treasurers, 29 May 2009",  # another body's paper, said so
    ]
    first, second = (text_of(s) for s in sections)
    assert "Agenda and agenda pack" in first and 'href="../meetings/2011-07-14/"' in sections[0]
    assert ("Value for money and efficiency: position at the end of 2010-11 Reference VPSG/2011/07/05 "
            "Agenda item 3 Status issued 7 July 2011; version 2, 4 August 2011") in first
    assert "Efficiency: review of 2008-09 Reference VALAT/2009/05/03 Agenda item 3 Status issued 22 May 2009" in second


def _number(text: str) -> str | None:
    """A shown figure as the plain number CSV would hold: '(£1,234.50)' -> '-1234.50'."""
    text = text.strip()
    negative = text.startswith(("(", "\u2212", "-"))
    digits = text.strip("()\u2212-").replace("£", "").replace(",", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", digits):
        return None
    return ("-" if negative and digits.strip("0.") else "") + digits


def test_every_figure_shown_is_in_its_table(built_demo) -> None:
    """Every number in every data table of every page is a value `sitegen table` prints."""
    project, _ = built_demo
    site = project / "site"
    tables = load_folder(project).tables  # what `sitegen table NAME --format csv` prints
    printed: dict[str, set[str]] = {}
    checked = 0
    for page in site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for name, figure in re.findall(r'<figure class="data-table" id="table-([a-z0-9_]+?)(?:-\d+)?">(.*?)</figure>', html, re.S):
            if name not in printed:
                out = tables[name].to_csv()
                values = {cell for line in out.splitlines()[1:] for cell in line.split(",")}
                printed[name] = values | {v.removesuffix(".00") for v in values}
            headings = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", figure)
            body = re.sub(r"<tfoot>.*?</tfoot>", "", figure, flags=re.S)  # totals are sums, not rows
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
                cells = re.findall(r'<td class="num">(.*?)</td>', row)
                for cell in cells:
                    value = _number(cell)
                    scaled = any("£k" in h or "£m" in h for h in headings) or "(£k)" in row or "(£m)" in row \
                        or re.search(r"<caption>(?:(?!</caption>).)*£ (thousand|million)", figure, re.S)  # rounded: not a row's value
                    if value is None or scaled:
                        continue
                    checked += 1
                    assert value in printed[name], f"{page.relative_to(site)}: {name} shows {cell}"
    assert checked > 1000


def test_an_agenda_naming_a_missing_paper_is_an_error_with_its_line(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "demo")
    meeting = project / "content" / "meetings" / "2011-07-14.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "paper: steering-group/ni179-review-2009", "paper: steering-group/no-such-paper"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-C", str(project)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: the agendas and their papers do not agree",
        "  content/meetings/2011-07-14.md:17: items: item 4: no page 'steering-group/no-such-paper' in content/",
    ]
