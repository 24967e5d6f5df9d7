"""PDF papers read back as a reader would: pages, text, running header, footer."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from conftest import build_folder
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject

from sitegen.cli import main
from sitegen.errors import SitegenError


@pytest.fixture
def built_minimal(copy_fixture) -> Path:
    project = copy_fixture("minimal")
    build_folder(project)
    return project


def test_paper_text_header_and_footer(built_minimal: Path) -> None:
    reader = PdfReader(built_minimal / "site" / "papers" / "paper.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Steering group paper" in text
    assert "1 June 2009" in text
    assert "Minimal Report" in text  # running header: the site title by default
    assert "Page 1 of 1" in text
    assert "Alpha County Council" in text and "£29,500.50" in text
    assert reader.metadata.title == "Steering group paper"


def test_long_paper_numbers_every_page(copy_fixture) -> None:
    project = copy_fixture("minimal")
    rows = "\n".join(f"| Row {i} | {i} |" for i in range(200))
    (project / "content" / "long.md").write_text(
        f"---\ntitle: Long paper\npdf: true\n---\n\n| Item | Value |\n|---|---|\n{rows}\n", encoding="utf-8")
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8") + '[pdf]\nheader = "Test Partnership papers"\n',
                      encoding="utf-8")
    build_folder(project)
    reader = PdfReader(project / "site" / "papers" / "long.pdf")
    count = len(reader.pages)
    assert count >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {count}" in text
        assert "Test Partnership papers" in text


def test_pdf_refuses_files_outside_the_project(copy_fixture, tmp_path: Path) -> None:
    project = copy_fixture("minimal")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not really an image")
    (project / "content" / "paper.md").write_text(
        f"---\ntitle: P\npdf: true\n---\n\n![x]({secret.as_uri()})\n", encoding="utf-8")
    (project / "site").mkdir()
    (project / "site" / "keep.txt").write_text("published")
    with pytest.raises(SitegenError) as caught:  # the link check sees it before the PDF fetcher
        build_folder(project)
    assert str(caught.value.problems[0]) == (
        f"content/paper.md:6: missing image '{secret.as_uri()}': a file on this computer, which readers"
        " of the site cannot open")
    assert (project / "site" / "keep.txt").read_text() == "published"
    assert not os.path.exists(project / "site" / "index.html")


# ---- accessible, archival PDFs: read back as a screen reader and an archive would --------------

XMP = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
       "pdfuaid": "http://www.aiim.org/pdfua/ns/id/", "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#"}


def structure(reader: PdfReader) -> tuple[Counter[str], list[tuple[str, str]]]:
    """The structure tree's element kinds, counted, and each element's alternative text."""
    kinds: Counter[str] = Counter()
    alternatives: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                kinds[str(node["/S"]).removeprefix("/")] += 1
                if "/Alt" in node:
                    alternatives.append((str(node["/S"]).removeprefix("/"), str(node["/Alt"])))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return kinds, alternatives


def outline_titles(entries: list) -> list[str]:
    return [title for entry in entries
            for title in (outline_titles(entry) if isinstance(entry, list) else [entry.title])]


def assert_accessible(path: Path, title: str, language: str = "en-GB") -> tuple[Counter[str], list[str]]:
    """Tagged (PDF/UA-1), archival (PDF/A-3a), titled, in its language: what every PDF must be."""
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert str(root["/Lang"]) == language
    assert reader.metadata.title == title
    # A PDF reader shows the title, not the file name:
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    xmp = ElementTree.fromstring(root["/Metadata"].get_object().get_data().split(b"?>", 1)[1].rsplit(b"<?", 1)[0])
    claims = {(name, value) for element in xmp.iter(f"{{{XMP['rdf']}}}Description")
              for name, value in element.attrib.items()}
    assert {(f"{{{XMP['pdfaid']}}}part", "3"), (f"{{{XMP['pdfaid']}}}conformance", "A"),
            (f"{{{XMP['pdfuaid']}}}part", "1")} <= claims
    assert [e.text for e in xmp.iter(f"{{{XMP['pdfaSchema']}}}prefix")] == ["pdfuaid"]  # declared for PDF/A
    kinds, alternatives = structure(reader)
    assert kinds["Document"] == 1 and kinds["H1"] >= 1 and kinds["P"] >= 1
    figures = kinds["Figure"]
    assert len([kind for kind, text in alternatives if kind == "Figure" and text.strip()]) == figures
    outline = outline_titles(reader.outline)
    assert outline  # bookmarks, made from the headings (each caller checks which)
    return kinds, outline


def test_every_kind_of_demo_pdf_is_tagged_titled_and_bookmarked(built_demo) -> None:
    project, _ = built_demo
    papers = project / "site" / "papers"

    kinds, outline = assert_accessible(papers / "report.pdf", "Annual value for money report 2010-11")
    assert kinds["H2"] >= 10 and kinds["Table"] >= 10 and kinds["TH"] > 0 and kinds["TD"] > 0
    assert kinds["Figure"] >= 4  # the charts, each with its text alternative
    assert outline[:5] == ["Annual value for money report 2010-11", "Contents", "Figures revised in issued papers",
                           "1. Summary", "2. Position against target"]  # the revisions under the contents
    _, alternatives = structure(PdfReader(papers / "report.pdf"))
    assert any(text.startswith("Actual gains against the cumulative target (£ million). 2008-09: NI 179 £71 million")
               for kind, text in alternatives)

    paper_title = "Value for money and efficiency: position at the end of 2010-11"
    kinds, outline = assert_accessible(papers / "steering-group-2011-07.pdf", paper_title)
    assert kinds["L"] >= 1 and kinds["LI"] >= 1 and kinds["Table"] >= 1
    assert outline[0] == paper_title and "Recommendations" in outline

    kinds, outline = assert_accessible(papers / "joint-legal-service.pdf", "Joint legal service for four districts")
    assert kinds["H2"] == 3 and kinds["Table"] == 1 and outline[1:] == ["What they did", "What it saved",
                                                                        "What made it work"]

    # The agenda pack keeps the papers' tags: one document, one tree, a bookmark per item.
    kinds, outline = assert_accessible(papers / "2011-07-14.pdf", "Steering Group, 14 July 2011")
    assert outline[:3] == ["Front sheet", "Agenda", paper_title]
    assert "Efficiency: review of 2008-09" in outline
    assert kinds["H1"] >= 3 and kinds["Table"] >= 5


def test_the_configured_language_and_page_title_reach_papers_and_receipts(copy_fixture) -> None:
    project = copy_fixture("minimal")
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'partnership = "Test Partnership"', 'partnership = "Test Partnership"\nlanguage = "cy-GB"'), encoding="utf-8")
    build_folder(project)
    kinds, outline = assert_accessible(project / "site" / "papers" / "paper.pdf", "Steering group paper", "cy-GB")
    assert outline == ["Steering group paper", "Purpose"]
    assert kinds["TH"] == 2 and kinds["TD"] >= 4

    result = CliRunner().invoke(main, ["returns", "receipt", "--partner", "alpha", "-C", str(project)])
    assert result.exit_code == 0, result.output
    receipt = project / "receipts" / "alpha-2008-09-actual-receipt.pdf"
    kinds, outline = assert_accessible(receipt, "Receipt: Alpha County Council, 2008-09 actual return", "cy-GB")
    assert kinds["H2"] >= 3 and kinds["Table"] >= 1
    assert outline[0] == "Receipt for your 2008-09 actual return"


def test_hyphenated_words_in_table_cells_are_never_broken_at_their_hyphen(built_demo) -> None:
    """The benchmarking papers' quadrant column is narrow: "Right-servicing" broke after its
    hyphen, leaving "servicing" alone on the next line of the row."""
    import pdfplumber

    project, _ = built_demo
    quadrants = ("Under-servicing", "Right-servicing", "Over-servicing")
    for name in ("waste-collection.pdf", "leisure.pdf", "planning.pdf"):
        with pdfplumber.open(project / "site" / "papers" / name) as pdf:
            words = [word["text"] for page in pdf.pages for word in page.extract_words()]
        halves = [word for word in words if word.endswith("-") or word == "servicing"]
        assert halves == [], f"{name}: broken at a hyphen: {halves}"
        assert sum(words.count(quadrant) for quadrant in quadrants) >= 8, name  # the rows were read
