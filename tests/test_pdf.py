"""PDF papers read back as a reader would: pages, text, running header, footer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from sitegen.build import build
from sitegen.errors import SitegenError


@pytest.fixture
def built_minimal(copy_fixture) -> Path:
    project = copy_fixture("minimal")
    build(project)
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
    build(project)
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
        build(project)
    assert str(caught.value.problems[0]) == (
        f"content/paper.md:6: missing image '{secret.as_uri()}': a file on this computer, which readers"
        " of the site cannot open")
    assert (project / "site" / "keep.txt").read_text() == "published"
    assert not os.path.exists(project / "site" / "index.html")
