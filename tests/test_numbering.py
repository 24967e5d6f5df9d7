"""Paragraph numbering of committee papers, from plain Markdown."""

from __future__ import annotations

import markdown
import pytest

from sitegen.content.papers import annex_warnings
from sitegen.render.numbering import NumberedParagraphs


def convert(text: str, style: str = "sections") -> str:
    return markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", NumberedParagraphs(style)]).convert(text)


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
    assert ">Annex A: Glossary<" in html  # no letter given: the next one
    assert '<span class="para-number">A1 </span>Term.' in html
    assert ">Annex B - Sources<" in html  # a letter given: kept as written
    assert '<span class="para-number">B1 </span>A source.' in html


def test_an_annex_keeps_its_letter_in_its_text_its_anchor_and_its_paragraphs() -> None:
    html = convert("## Background\n\nOne.\n\n## ANNEX C – Examples\n\nFirst.\n\nSecond.\n")
    assert '<h2 class="annex-heading" id="annex-c-examples">ANNEX C – Examples</h2>' in html
    assert '<p class="numbered" id="para-C1"><span class="para-number">C1 </span>First.</p>' in html
    assert 'id="para-C2"><span class="para-number">C2 </span>Second.' in html
    assert "2. " not in html  # an annex is not a section


def test_an_appendix_number_numbers_its_paragraphs_from_it() -> None:
    html = convert("## Background\n\nOne.\n\n## Appendix 2 – Sources\n\nA source.\n")
    assert ">Appendix 2 – Sources<" in html
    assert 'id="para-2-1"><span class="para-number">2.1 </span>A source.' in html
    assert "section-number\">2." not in html


def test_annexes_go_last_each_in_a_section_of_its_own() -> None:
    html = convert("## Annex A - Sources\n\nA source.\n\n## Background\n\nOne.\n")
    assert html.index("Background") < html.index("Annex A")
    assert html.count('<section class="annex">') == 1
    assert 'id="para-1-1"><span class="para-number">1.1 </span>One.' in html


def test_an_unnumbered_paragraph_is_left_out_and_the_count_goes_on() -> None:
    html = convert("## Background\n\nOne.\n\nA follow-on.\n{: .unnumbered }\n\nTwo.\n")
    assert '<p class="unnumbered">A follow-on.</p>' in html
    assert 'id="para-1-2"><span class="para-number">1.2 </span>Two.' in html


def test_an_unnumbered_heading_leaves_its_whole_section_unnumbered() -> None:
    html = convert("## Background\n\nOne.\n\n## Annex A - Narrative {: .unnumbered }\n\nStory.\n\n"
                   "## Note {: .unnumbered }\n\nAside.\n\n## Progress\n\nTwo.\n")
    assert '<p>Story.</p>' in html and '<p>Aside.</p>' in html
    assert 'id="annex-a-narrative"' in html
    assert '<span class="section-number">2. </span>Progress' in html  # the unnumbered heading not counted
    assert 'id="para-2-1"><span class="para-number">2.1 </span>Two.' in html


def test_flat_numbering_runs_straight_through_the_headings() -> None:
    html = convert("## Purpose\n\nOne.\n\n## Background\n\nTwo.\n\n### Detail\n\nThree.\n", "flat")
    assert "<h2 id=\"purpose\">Purpose</h2>" in html  # headings carry no number
    assert '<p class="numbered" id="para-1"><span class="para-number">1 </span>One.</p>' in html
    assert 'id="para-2"><span class="para-number">2 </span>Two.' in html
    assert 'id="para-3"><span class="para-number">3 </span>Three.' in html


def test_no_numbering_numbers_nothing() -> None:
    html = convert("## Purpose\n\nOne.\n\n## Annex A - Sources\n\nA source.\n", "none")
    assert "numbered" not in html and "number\"" not in html
    assert '<section class="annex">' in html


def test_an_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="one of sections, flat, none"):
        NumberedParagraphs("decimal")


def test_annex_letters_repeated_or_out_of_order_are_warnings_at_their_lines() -> None:
    body = "## Annex A - One\n\nx\n\n## Annex C - Two\n\ny\n\n## Annex B - Three\n\n## Annex B - Four\n"
    warnings = annex_warnings("content/p.md", body, 10)
    assert [(w.line, w.message) for w in warnings] == [
        (18, "Annex B comes after Annex C (line 14): out of order"),
        (20, "Annex B again (first at line 18)"),
    ]
    assert annex_warnings("content/p.md", "## Annex A\n\n## Appendix 1\n\n## Annex B\n", 1) == []


def test_raw_html_blocks_are_not_numbered() -> None:
    html = convert('## Figures\n\nOne.\n\n<figure class="data-table"><table></table></figure>\n\nTwo.\n')
    assert 'id="para-1-2"><span class="para-number">1.2 </span>Two.' in html
    assert "para-1-3" not in html


def test_the_readmes_worked_example_prints_as_the_readme_says(copy_fixture) -> None:  # type: ignore[no-untyped-def]
    """The whole paper in README.md ("Numbering a paper"), built: the numbers it promises."""
    import re
    from pathlib import Path

    from conftest import load_folder

    from sitegen.render.pages import Renderer

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Numbering a paper"):readme.index("### Agenda packs that agree")]
    example = re.search(r"```markdown\n(.*?)```", section, re.DOTALL)
    assert example is not None
    project = copy_fixture("minimal")
    (project / "content" / "example.md").write_text(example[1], encoding="utf-8")
    loaded = load_folder(project, strict=True)
    html = Renderer(loaded.config, loaded.tables, loaded.content).render_page(
        loaded.content.page_at("example/")).html
    numbers = re.findall(r'<span class="(?:para|section)-number">([^<]+) </span>', html)
    assert numbers == ["1.", "1.1", "1.2", "2.", "2.1", "2.2", "3.", "3.1", "4.", "4.1"]
    assert "FOR CONSIDERATION AND APPROVAL" in html and 'class="recommendations"' not in html
    assert html.index('id="contacts"') < html.index(">ANNEX A - Outline of the achievements in partnership<")
    assert '<p class="unnumbered">With the Steering Group' in html


def convert_report(text: str, style: str = "sections") -> tuple[str, list[dict]]:
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", NumberedParagraphs(style, figures=True)])
    return md.convert(text), md.toc_tokens


TABLE = '<figure class="data-table"><table><caption>{}</caption><tr><td>1</td></tr></table></figure>'
CHART = ('<figure class="chart"><figcaption class="chart__title">{}</figcaption><img alt="">'
         '<details><table><caption>{}</caption></table></details></figure>')


def test_a_reports_tables_and_figures_are_numbered_in_their_sections_and_annexes() -> None:
    html, toc = convert_report(
        f"{TABLE.format('Before any section')}\n\n## Background\n\nOne.\n\n{TABLE.format('Gains (£m)')}\n\n"
        f"{CHART.format('Gains', 'Gains')}\n\n{TABLE.format('Costs (£)')}\n\n## Note {{: .unnumbered }}\n\n"
        f"{TABLE.format('Aside')}\n\n## Progress\n\n{TABLE.format('Third (£)')}\n\n"
        f"## Annex B - Data\n\n{TABLE.format('Baseline (£bn)')}\n")
    assert "<caption>Before any section</caption>" in html  # where paragraphs are not numbered, nor are they
    assert '<caption><span class="caption-number">Table 1.1:</span> Gains (£m)</caption>' in html
    assert '<figcaption class="chart__title"><span class="caption-number">Figure 1.1:</span> Gains</figcaption>' in html
    assert "<details><table><caption>Gains</caption>" in html  # the chart's own data table is not another table
    assert '<span class="caption-number">Table 1.2:</span> Costs (£)' in html
    assert "<caption>Aside</caption>" in html
    assert '<span class="caption-number">Table 2.1:</span> Third (£)' in html
    assert '<span class="caption-number">Table B.1:</span> Baseline (£bn)' in html  # 003_… Table B.1
    assert [(entry["name"], entry["number"]) for entry in toc] == [
        ("Background", "1"), ("Note", ""), ("Progress", "2"), ("Annex B - Data", "")]


def test_flat_numbering_numbers_tables_straight_through() -> None:
    html, _ = convert_report(f"## One\n\nA.\n\n{TABLE.format('First')}\n\n## Two\n\n{TABLE.format('Second')}\n", "flat")
    assert '<span class="caption-number">Table 1:</span> First' in html
    assert '<span class="caption-number">Table 2:</span> Second' in html


def test_papers_tables_are_not_numbered() -> None:
    assert "caption-number" not in convert(f"## One\n\nA.\n\n{TABLE.format('First')}\n")
