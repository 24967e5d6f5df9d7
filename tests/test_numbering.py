"""Paragraph numbering of committee papers, from plain Markdown."""

from __future__ import annotations

import markdown

from sitegen.render.numbering import NumberedParagraphs


def convert(text: str) -> str:
    return markdown.Markdown(extensions=["toc", "md_in_html", NumberedParagraphs()]).convert(text)


def test_sections_and_paragraphs_are_numbered() -> None:
    html = convert("Intro.\n\n## Background\n\nOne.\n\n- a list item\n\nTwo.\n\n## Progress\n\nThree.\n")
    assert "<p>Intro.</p>" in html  # before the first section: not numbered
    assert '<span class="section-number">1. </span>Background' in html
    assert '<p class="numbered" id="para-1-1"><span class="para-number">1.1 </span>One.</p>' in html
    assert "<li>a list item</li>" in html  # lists belong to their paragraph
    assert '<p class="numbered" id="para-1-2"><span class="para-number">1.2 </span>Two.</p>' in html
    assert '<span class="section-number">2. </span>Progress' in html
    assert 'id="para-2-1"><span class="para-number">2.1 </span>Three.' in html


def test_annexes_get_letters_and_their_own_numbering() -> None:
    html = convert("## Background\n\nOne.\n\n## Annex: Glossary\n\nTerm.\n\n## Annex B - Sources\n\nA source.\n")
    assert ">Annex A: Glossary<" in html
    assert '<span class="para-number">A1 </span>Term.' in html
    assert ">Annex B: Sources<" in html
    assert '<span class="para-number">B1 </span>A source.' in html


def test_raw_html_blocks_are_not_numbered() -> None:
    html = convert('## Figures\n\nOne.\n\n<figure class="data-table"><table></table></figure>\n\nTwo.\n')
    assert 'id="para-1-2"><span class="para-number">1.2 </span>Two.' in html
    assert "para-1-3" not in html
