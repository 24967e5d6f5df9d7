"""Tables and figures in pages: the one syntax authors use, and its error messages."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import load_folder

from sitegen.errors import TemplateError
from sitegen.render.pages import Renderer, _relpath, relative_url


def render_body(project: Path, body: str) -> str:
    (project / "content" / "index.md").write_text(f"---\ntitle: T\n---\n\n{body}\n", encoding="utf-8")
    loaded = load_folder(project)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content)
    return renderer.render_page(loaded.content.page_at("")).body_html


def problems_of(project: Path, body: str) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        render_body(project, body)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def minimal(copy_fixture) -> Path:
    return copy_fixture("minimal")


def test_table_columns_filters_and_money_styles(minimal: Path) -> None:
    html = render_body(minimal, '{{ table("ni179", partner="alpha", columns="partner_name, ni179_gbp", money="k") }}')
    assert "<td>Alpha County Council</td>" in html
    assert '<td class="num">30</td>' in html  # £29,500.50 in £k
    assert '<th scope="col" class="num">NI 179 (£k)</th>' in html
    assert "Beta" not in html


def test_pence_shown_only_when_present_and_totals_exact(minimal: Path) -> None:
    html = render_body(minimal, '{{ table("ni179", columns=["partner_name", "ni179_gbp", "target_gbp"], totals=true) }}')
    assert '<td class="num">£29,500.50</td>' in html
    assert '<td class="num">£6,000</td>' in html
    assert '<tfoot><tr><th scope="row">Total</th><td class="num">£33,500.75</td><td class="num">£36,000</td></tr></tfoot>' in html


def test_brackets_style_for_negatives(minimal: Path) -> None:
    returns = minimal / "data" / "returns.csv"
    returns.write_text(returns.read_text(encoding="utf-8")
                       + "beta,2008-09,actual,B3,Correction,bpi,revenue,gain,(5000),0,yes,yes,2008-06-01\n",
                       encoding="utf-8")
    html = render_body(minimal, '{{ value("ni179", "ni179_gbp", partner="beta") | money }}')
    assert "\u2212£999.75" in html
    with (minimal / "sitegen.toml").open("a", encoding="utf-8") as toml:  # the publication's one style
        toml.write('\n[numbers]\nnegative = "brackets"\n')
    html = render_body(minimal, '{{ table("ni179", partner="beta", columns=["ni179_gbp"]) }}')
    assert '<td class="num">(999.75)</td>' in html
    assert '<th scope="col" class="num">NI 179 (£)</th>' in html


def test_value_in_prose_and_financial_year_spellings(minimal: Path) -> None:
    html = render_body(minimal, 'Total {{ value("ni179_total", "ni179_gbp", year="2008/2009", return_type="Actual") | money }}.')
    assert "<p>Total £33,500.75.</p>" in html


def test_same_table_twice_gets_unique_anchors(minimal: Path) -> None:
    html = render_body(minimal, '{{ table("ni179") }}\n\n{{ table("ni179") }}')
    assert 'id="table-ni179"' in html and 'id="table-ni179-2"' in html


def test_download_links_are_relative_to_the_page(minimal: Path) -> None:
    (minimal / "content" / "deep").mkdir()
    (minimal / "content" / "deep" / "page.md").write_text('---\ntitle: Deep\n---\n{{ table("ni179") }}\n', encoding="utf-8")
    loaded = load_folder(minimal)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content)
    html = renderer.render_page(loaded.content.page_at("deep/page/")).body_html
    assert 'href="../../tables/ni179.csv"' in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{{ table("ni197") }}', "content/index.md:5: unknown table 'ni197'; did you mean 'ni179'?"),
        ('{{ table("ni179", columns=["ni179"]) }}',
         "content/index.md:5: table 'ni179' has no column 'ni179'; did you mean 'ni179_gbp'?"),
        ('{{ table("ni179", colour="red") }}', "content/index.md:5: table 'ni179': unknown option colour"),
        ('\n\n{{ value("ni179", "ni179_gbp") }}',
         "content/index.md:7: value('ni179', 'ni179_gbp') needs exactly one row, found 2 (filters: none)"),
        ("{{ no_such_thing }}", "content/index.md:5: undefined: 'no_such_thing' is undefined"),
        ('{{ table("ni179", year="2008-10") }}', "content/index.md:5: the two halves are not consecutive years: '2008-10'"),
    ],
)
def test_usage_errors_name_file_and_line(minimal: Path, body: str, message: str) -> None:
    assert problems_of(minimal, body)[0].startswith(message)


def test_content_from_data_is_escaped(minimal: Path) -> None:
    budget = minimal / "data" / "budget.csv"
    budget.write_text('item,amount\n"<script>alert(1)</script>",1\n', encoding="utf-8")
    html = render_body(minimal, '{{ table("budget") }}')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("here", "there", "link"),
    [
        ("", "report/", "report/"),
        ("report/", "", "../"),
        ("report/", "tables/ni179.csv", "../tables/ni179.csv"),
        ("a/b/", "a/c/", "../c/"),
        ("a/", "a/", "./"),
        ("", "papers/x.pdf", "papers/x.pdf"),
    ],
)
def test_relative_urls(here: str, there: str, link: str) -> None:
    assert relative_url(here, there) == link


@given(st.lists(st.sampled_from(["a", "b", "index.html", ".", "", ".."]), max_size=5).map("/".join),
       st.lists(st.sampled_from(["a", "b", "c", ".", "", ".."]), max_size=5).map("/".join))
@settings(max_examples=500, deadline=None)
def test_a_link_between_any_two_places_is_what_posixpath_relpath_makes_it(there: str, here: str) -> None:
    """relative_url works the path out itself (relpath asks the OS for the working folder
    twice a link); the answer is relpath's."""
    assert _relpath(there or ".", here or ".") == posixpath.relpath(there or ".", here or ".")


def test_chart_has_svg_text_alternative_and_data(minimal: Path) -> None:
    import base64
    import re

    html = render_body(minimal, '{{ chart("ni179", x="partner_name", y=["ni179_gbp", "target_gbp"], title="Gains") }}')
    assert '<figcaption class="chart__title">Gains</figcaption>' in html
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert alt == ("Gains. Alpha County Council: NI 179 £29,500.50, Target £30,000; "
                   "Beta District Council: NI 179 £4,000.25, Target £6,000")
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)).decode()
    assert svg.startswith("<svg") and "Alpha County Council" in svg
    assert "<summary>Show the data for this chart</summary>" in html


def test_chart_is_deterministic_and_checks_its_columns(minimal: Path) -> None:
    body = '{{ chart("ni179_total", x="year", y="ni179_gbp") }}'
    assert render_body(minimal, body) == render_body(minimal, body)
    assert problems_of(minimal, '{{ chart("ni179_total", x="year", y="ni179") }}')[0] == (
        "content/index.md:5: table 'ni179_total' has no column 'ni179'; did you mean 'ni179_gbp'?")
    assert problems_of(minimal, '{{ chart("ni179_total", x="year", y="ni179_gbp", kind="pie") }}')[0] == (
        "content/index.md:5: unknown chart kind 'pie' (kinds: bar, line, barh, quadrant)")


def test_each_page_knows_what_it_was_made_from(minimal: Path) -> None:
    loaded = load_folder(minimal)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content)
    rendered = renderer.render_page(loaded.content.page_at(""))
    assert rendered.tables == {"ni179", "ni179_total", "budget"}
    assert rendered.templates == {"page.html", "_page_header.html", "_contents.html", "base.html", "print.html", "_table.html",
                                  "_revisions.html"}


def test_markdown_attribute_lists_are_not_jinja_comments(minimal: Path) -> None:
    """`{#id}` is Markdown (attr_list) whether or not the page also calls table() or value()."""
    plain = render_body(minimal, "## Outcome {#outcome}\n\nText.\n")
    assert '<h2 id="outcome">' in plain
    with_figures = render_body(minimal, "## Outcome {#outcome .lead}\n\n{{ value('ni179_total', 'ni179_gbp', year='2008-09') | money }}\n")
    assert '<h2 class="lead" id="outcome">' in with_figures
    assert "£33,500.75" in with_figures


SMARTY_SNIPPETS = [
    "\"Quoted\" and 'single' -- dash --- em... and the '90s, 'tis the partners' \"sets\"'",
    "| Item | Note |\n|---|---|\n| Gritting | \"joint\" -- 2008 |\n| Salt... | don't |\n",
    "A `code \"span\" -- here` and <span title=\"a 'b'\">raw \"html\"</span> text.",
    "<div markdown=\"1\">\nInside \"a\" div -- yes.\n</div>\n\n<div>\nRaw \"block\" -- kept.\n</div>",
    "!!! note \"The partners' view\"\n    It's \"fine\" -- mostly...",
    "Term\n:   Its \"definition\" -- here.\n\nFoot[^1] note.\n\n[^1]: The \"source\" -- it's here.",
    "## A 'heading' -- with quotes\n\n[A \"link\"](https://example.org/a--b 'title \"x\"') and ~~'struck'~~.",
    "Line with \\\"escaped\\\" quotes and \\-- escaped dashes.\n\n    code \"block\" -- untouched",
    "*\"Emphasis\"* and **'strong'** -- \"nested *'mixed'* quotes\".",
    "Plain text with no marks at all.\n\n- list item\n- another one",
    "Hard  \nbreak, <https://example.org/x> and <officer@example.org>, &copy; &#169; AT&T, a_b_c, 2*3*4,"
    " ~~gone~~ ~sub~, \\*not em\\*, ``two `ticks` ``, ![alt](x.png \"t\"), [ref][r] and [r].\n\n[r]: https://example.org",
    "<span>inline *em* html</span> and <!-- a comment --> then <b>bold</b>_tail_ and [^9]\n\n[^9]: Note *x*.",
]


def test_quick_markdown_gives_python_markdowns_output_byte_for_byte() -> None:
    """Passing over text no pattern can match changes speed only: every content file of
    the demo and the fixtures, and snippets aimed at the patterns' corners, render the same."""
    import markdown

    from sitegen.render.numbering import NumberedParagraphs
    from sitegen.render.pages import MARKDOWN_CONFIG, MARKDOWN_EXTENSIONS
    from sitegen.render.quick_markdown import QuickInline, QuickSmarty, needs_of

    stock = [("smarty" if isinstance(e, QuickSmarty) else e) for e in MARKDOWN_EXTENSIONS if not isinstance(e, QuickInline)]
    assert len(stock) == len(MARKDOWN_EXTENSIONS) - 1 and "smarty" in stock
    repo = Path(__file__).parent.parent
    texts = [*SMARTY_SNIPPETS, *(p.read_text(encoding="utf-8") for p in sorted(repo.glob("content/**/*.md"))),
             *(p.read_text(encoding="utf-8") for p in sorted(repo.glob("tests/fixtures/*/content/**/*.md")))]
    assert len(texts) > 40
    for extra in ([], [NumberedParagraphs]):
        quick = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, *(e() for e in extra)], extension_configs=MARKDOWN_CONFIG)
        full = markdown.Markdown(extensions=[*stock, *(e() for e in extra)], extension_configs=MARKDOWN_CONFIG)
        differing = [text[:60] for text in texts if quick.reset().convert(text) != full.reset().convert(text)]
        assert differing == []
        # and the shortcut is on: every inline pattern of sitegen's Markdown is a vetted one
        assert needs_of(quick.treeprocessors["inline"]) is not None
    assert "&ldquo;Quoted&rdquo;" in quick.reset().convert(SMARTY_SNIPPETS[0])
