"""The layout check (pdf/check.py): every demo PDF read back as a reader would, and the
faults it exists to catch caught."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner

from sitegen.build.result import BuildResult
from sitegen.cli import main
from sitegen.pdf.check import MM, check_pdf, check_pdfs, page_lines
from sitegen.pdf.layout import write_pdf
from conftest import build_folder, load_folder


def test_every_demo_pdf_passes_the_layout_check(built_demo: tuple[Path, BuildResult]) -> None:
    project, _ = built_demo
    pdfs = sorted((project / "site").rglob("*.pdf"))
    assert len(pdfs) >= 20  # papers, report, services, plan, newsletter, case studies, the pack
    assert [str(problem) for problem in check_pdfs(pdfs, project)] == []


def test_the_demo_pack_agrees_with_its_papers_page_by_page(built_demo: tuple[Path, BuildResult]) -> None:
    """Each paper's first page in the pack: the pack's item number (the label drawn in its
    top margin) is the paper's agenda item; the paper of another meeting is labelled as
    such. Both papers are issued (issue 17), so no page is marked DRAFT (a draft
    meeting's pack: test_pack.py)."""
    project, _ = built_demo
    pages = page_lines(project / "site/papers/2011-07-14.pdf")
    tops = _tops(project / "site/papers/2011-07-14.pdf")
    assert [number for number, top in enumerate(tops, start=1) if "ITEM " in top] == [3, 7]
    assert tops[2].endswith("ITEM 3")
    assert {"ITEM", "4:", "VALESHIRE", "ASSOCIATION", "TREASURERS,", "2009,", "CIRCULATED", "WRITTEN"} <= set(
        tops[6].split())
    assert "Agenda item 3" in pages[2].text and "Agenda item 3" in pages[6].text  # the review was item 3 of its own
    with pdfplumber.open(project / "site/papers/2011-07-14.pdf") as pdf:
        marked = [any(char["text"] == "D" and char["size"] > 60 for char in page.chars) for page in pdf.pages]
    assert not any(marked)  # issued papers and the front sheet: none


def _tops(path: Path) -> list[str]:
    """The text in each page's top margin (its running header), line by line."""
    with pdfplumber.open(path) as pdf:
        return [" ".join(line["text"] for line in page.extract_text_lines() if line["top"] < 17 * MM)
                for page in pdf.pages]


def test_the_front_sheet_has_no_running_header_and_papers_name_themselves(
        built_demo: tuple[Path, BuildResult]) -> None:
    """The pack's own pages carry the meeting; each paper's pages are its own PDF's, which
    name the site and, from their second page, the paper."""
    project, _ = built_demo
    tops = _tops(project / "site/papers/2011-07-14.pdf")
    assert tops[0] == ""
    assert tops[1].startswith("Valeshire Partnership Steering Group, 14 July 2011")  # the agenda
    assert all("Valeshire Partnership · Value for Money" in top for top in tops[2:])
    assert "Value for money and efficiency: position at the end of 2010-11" in tops[3]  # item 3's second page
    assert "Efficiency: review of 2008-09" in tops[7]
    assert not any("Recommendations" in top or "Background" in top for top in tops)


def test_seed_papers_come_out_with_the_seeds_numbering_annexes_decision_and_order(copy_fixture) -> None:  # type: ignore[no-untyped-def]
    project = copy_fixture("seed_papers")
    assert build_folder(project, strict=True).warnings == ()
    kcp = (project / "site/kcp-vfm-2007/index.html").read_text(encoding="utf-8")
    numbers = re.findall(r'<span class="(?:para|section)-number">([^<]+) </span>', kcp)
    assert numbers == ["1.", "1.1", "1.2", "2.", "2.1", "2.2", "2.3", "3.", "3.1", "3.2", "3.3", "3.4",
                       "4.", "4.1", "4.2", "4.3", "4.4", "5.", "5.1"]
    assert '<p class="decision-status">FOR CONSIDERATION AND APPROVAL</p>' in kcp
    assert kcp.count('class="recommendations"') == 0  # recommendations are section 5 of the body
    order = [kcp.index(marker) for marker in ('id="para-5-1"', 'id="contacts"', '>ANNEX A - Outline', '>Annex B - Examples')]
    assert order == sorted(order)
    assert 'id="annex-a-outline-of-some-of-the-achievements-in-partnership"' in kcp
    assert "para-A1" not in kcp and "para-B1" not in kcp  # narrative annexes
    assert '<p class="unnumbered">With Steering Group member' in kcp
    review = (project / "site/lalat-review-2009/index.html").read_text(encoding="utf-8")
    numbers = re.findall(r'<span class="para-number">([^<]+) </span>', review)
    assert numbers == [str(n) for n in range(1, 18)]  # 1 to 17 straight through the headings
    assert "section-number" not in review and "decision-status" not in review
    pdf_pages = page_lines(project / "site/papers/kcp-vfm-2007.pdf")
    annex_pages = [page.number for page in pdf_pages if page.lines and page.lines[0].text.startswith(("ANNEX A", "Annex B"))]
    assert len(annex_pages) == 2  # each annex starts a page
    assert check_pdfs([project / "site/papers/kcp-vfm-2007.pdf", project / "site/papers/lalat-review-2009.pdf"],
                      project) == []


PANEL = """<!doctype html><html lang="en-GB"><body><h1>Panel</h1>
<div style="background:#eee; width:100%; padding:0 12mm">wide</div>{extra}</body></html>"""


def test_a_panel_past_the_margin_and_a_heading_at_the_foot_are_caught(copy_fixture) -> None:  # type: ignore[no-untyped-def]
    project = copy_fixture("minimal")
    loaded = load_folder(project)
    page = loaded.content.page_at("")
    # A break forced after a heading: the fault the print stylesheet otherwise prevents.
    filler = "<p>Line of text.</p>" * 20 + '<h2>Stranded heading</h2><p style="break-before: page">' + "Text. " * 200 + "</p>"
    data = write_pdf(loaded.config, PANEL.format(extra=filler), page)
    path = project / "bad.pdf"
    path.write_bytes(data)
    messages = [f"{problem.column}: {problem.message}" for problem in check_pdf(path, "bad.pdf")]
    assert any(message.startswith("page 1: a panel or rule prints outside the margins") for message in messages)
    assert any("a heading or caption ends the page" in message and "Stranded heading" in message
               for message in messages), messages


def test_check_pdf_reports_layout_warnings_and_strict_makes_them_fatal(copy_fixture) -> None:  # type: ignore[no-untyped-def]
    project = copy_fixture("minimal")
    runner = CliRunner()
    missing = runner.invoke(main, ["check", "--pdf", "-C", str(project)])
    assert missing.exit_code == 1 and "build the site first" in missing.output
    assert runner.invoke(main, ["build", "-C", str(project)]).exit_code == 0
    loaded = load_folder(project)
    (project / "site/papers/bad.pdf").write_bytes(
        write_pdf(loaded.config, PANEL.format(extra=""), loaded.content.page_at("")))
    result = runner.invoke(main, ["check", "--pdf", "-C", str(project)])
    assert result.exit_code == 0
    assert "site/papers/bad.pdf: warning: page 1: a panel or rule prints outside the margins" in result.output
    strict = runner.invoke(main, ["check", "--pdf", "--strict", "-C", str(project)])
    assert strict.exit_code == 1 and "layout warning" in strict.output


def test_a_watermark_painted_under_a_panel_is_caught(copy_fixture) -> None:  # type: ignore[no-untyped-def]
    project = copy_fixture("minimal")
    loaded = load_folder(project)
    page = loaded.content.page_at("")
    panel = '<div style="background:#eee; height:120mm">a panel</div>'
    messages = {}
    for z in (-1, 10):  # under the panel (as the theme had it), then over it
        html = (f'<!doctype html><html lang="en-GB"><body><div class="watermark" style="z-index:{z}">DRAFT</div>'
                f"<h1>Plan</h1>{panel}</body></html>")
        path = project / f"z{z}.pdf"
        path.write_bytes(write_pdf(loaded.config, html, page))
        messages[z] = [problem.message for problem in check_pdf(path)]
    assert "the watermark is painted under a panel, which hides it there" in messages[-1]
    assert messages[10] == []
