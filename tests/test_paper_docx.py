"""Committee papers as Word documents (sitegen/office/paper.py), read back with
python-docx as a clerk's Word would: the numbered paragraphs the page shows, headings,
recommendations, tables with repeating header rows and their symbols, charts with their
text alternative, title and language, the council's template, nothing lost from the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser

from conftest import build_folder


def _all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    return "\n".join(parts)


def test_paper_as_word_has_the_pages_numbered_paragraphs_and_tables(built_demo) -> None:
    project, _ = built_demo
    site = project / "site"
    html = (site / "steering-group" / "steering-group-2011-07" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../papers/steering-group-2011-07.docx"' in html  # linked beside the PDF
    document = docx.Document(site / "papers" / "steering-group-2011-07.docx")
    props = document.core_properties
    assert props.title == "Value for money and efficiency: position at the end of 2010-11"
    assert props.language == "en-GB"
    langs = document.styles.element.findall(f".//{qn('w:docDefaults')}//{qn('w:lang')}")
    assert [lang.get(qn("w:val")) for lang in langs] == ["en-GB"]
    # The paragraph numbers are the page's, in its order, each before its own words.
    page = LexborHTMLParser(html)
    numbered = [(p.css_first(".para-number").text().strip(), p.text().split(maxsplit=1)[1][:30])
                for p in page.css("p.numbered")]
    assert [n for n, _ in numbered][:3] == ["1.1", "1.2", "2.1"]
    assert not [n for n, _ in numbered if n.startswith("A")]  # Annex A is a narrative annex: unnumbered
    in_word = [p.text.split("\t", 1) for p in document.paragraphs if "\t" in p.text and p.style.name == "Normal"]
    assert [(number, words[:30]) for number, words in in_word] == numbered
    hanging = next(p for p in document.paragraphs if p.text.startswith("1.1\t")).paragraph_format
    assert hanging.first_line_indent < 0 < hanging.left_indent
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    # version 2 of an issued paper (issue 17) says first what changed since version 1
    assert headings[:4] == ["Updates to this paper", "Recommendations", "1.\tBackground", "2.\tPosition at the year end"]
    assert "Annex A: How the figures are calculated" in headings
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [props.title]
    recommendations = [p.text for p in document.paragraphs if re.match(r"[a-c]\. ", p.text)]
    assert recommendations[0] == "a. note the position against the target at the end of 2010-11, set out in section 2"
    assert len(recommendations) == 3
    # Tables: the header row repeats on each page; the symbols are the page's.
    totals, by_partner, outstanding = document.tables
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    # version 2 restated the total: revised since version 1 (issue 17), as the page shows it
    # (the partnership's totals in £m, as the page shows them: £190,932,883.66 and £225,651,700)
    assert [c.text for c in totals.rows[1].cells][4:] == ["190.9 [r]", "225.7", "84.6 [r]"]
    assert "NI 179 (£m)" in [c.text for c in totals.rows[0].cells]
    homes = next(row for row in by_partner.rows if row.cells[0].text.startswith("Valeshire Homes"))
    assert [c.text for c in homes.cells][2:] == ["[z]", "[z]"]
    legends = [p.text for p in document.paragraphs if p.text.startswith("Symbols: ")]
    assert legends and all(legend.startswith("Symbols: ") for legend in legends)
    assert any("[r] revised" in legend for legend in legends) and any("[z] not applicable" in legend for legend in legends)


def test_nothing_in_the_pdf_is_missing_from_the_word_copy(built_demo) -> None:
    project, _ = built_demo
    for name in ("steering-group-2011-07", "ni179-review-2009"):
        pdf = " ".join(page.extract_text() for page in PdfReader(project / "site" / "papers" / f"{name}.pdf").pages)
        word = _all_text(docx.Document(project / "site" / "papers" / f"{name}.docx"))

        def words(text: str) -> set[str]:
            return set(re.findall(r"[a-z0-9£%\[\]]+", text.replace("’", "'").lower()))

        running = words("Valeshire Partnership · Value for Money Page")  # the PDF's running header and footer
        assert words(pdf) - words(word) - running == set(), name


PAPER = """---
title: Budget monitoring
layout: paper
date: 2011-07-14
pdf: true
status: draft
meeting: Test Partnership Board
report_of: Treasurer
recommendations:
  - note the position
---

## Position

The returns show the position below.

{{ chart("ni179", x="partner_name", y="ni179_gbp", title="NI 179 by partner") }}

{{ table("ni179", columns=["partner_name", "ni179_gbp"]) }}
"""


def test_a_council_template_a_chart_with_its_alt_text_and_a_draft(copy_fixture, tmp_path: Path) -> None:
    project = copy_fixture("minimal")
    (project / "content" / "budget.md").write_text(PAPER, encoding="utf-8")
    template = docx.Document()
    template.styles["Normal"].font.name = "Georgia"
    template.styles["Normal"].font.size = Pt(12)
    template.sections[0].header.paragraphs[0].text = "Test Borough Council: committee report"
    template.sections[0].footer.paragraphs[0].text = "Template footer"
    template.add_paragraph("Placeholder text of the template, replaced by the paper.")
    (project / "templates").mkdir()
    template.save(project / "templates" / "paper.docx")
    build_folder(project)
    document = docx.Document(project / "site" / "papers" / "budget.docx")
    assert document.styles["Normal"].font.name == "Georgia"
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == "Test Borough Council: committee report"
    assert "DRAFT: not yet agreed, not for circulation" in header
    assert document.sections[0].footer.paragraphs[0].text == "Template footer"
    assert "Placeholder" not in _all_text(document)
    assert document.paragraphs[0].text == "Test Partnership"
    (chart,) = document.inline_shapes
    alt = chart._inline.docPr.get("descr")
    html = LexborHTMLParser((project / "site" / "budget" / "index.html").read_text(encoding="utf-8"))
    assert alt == html.css_first("figure.chart img").attributes["alt"]
    assert alt.startswith("NI 179 by partner. Alpha County Council: NI 179 ")
    assert chart._inline.docPr.get("title") == "NI 179 by partner"
    assert document.core_properties.title == "Budget monitoring"
    # The same paper gives the same bytes again (zip entries dated alike).
    first = (project / "site" / "papers" / "budget.docx").read_bytes()
    build_folder(project, clean=True)
    assert (project / "site" / "papers" / "budget.docx").read_bytes() == first
