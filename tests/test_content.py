"""Loading the content tree: every rule of the front matter, as the author reads its message.

Each test writes a project of only `sitegen.toml` and `content/` in tmp_path and goes
through `load_content(load_config(project))`. Problems are asserted as the CLI prints
them: FILE:LINE: key: message (no line where the key is missing from the file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.config import Config, load_config
from sitegen.content.agenda import agenda, with_agendas
from sitegen.content.pages import ContentTree, load_content
from sitegen.errors import ConfigError, ContentError, TemplateError
from sitegen.project import load_project
from sitegen.render.pages import Renderer

HOME = "---\ntitle: Home\n---\n\nWelcome.\n"
PAPER = "---\ntitle: Budget paper\nlayout: paper\nmeeting: Steering group, 14 July 2011\nreport_of: Treasurer\n"
CASE_STUDY = "---\ntitle: Shared legal service\nlayout: case-study\nplace: Valeshire\n"
PLAN = "---\ntitle: Efficiency plan\nlayout: outcome-plan\noutcome: Efficiency\nindicator: NI 179\nlead_officer: Jo\n"


def project_config(root: Path, pages: dict[str, str | bytes]) -> Config:
    """A project holding only sitegen.toml and these files under content/ (a home page unless given)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sitegen.toml").write_text('[site]\ntitle = "T"\n', encoding="utf-8")
    for name, text in {"index.md": HOME, **pages}.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return load_config(root)


def loaded(root: Path, pages: dict[str, str | bytes]) -> ContentTree:
    """The content tree of a project that loads without problems."""
    return load_content(project_config(root, pages))


def problems_of(root: Path, pages: dict[str, str | bytes]) -> list[str]:
    """The problems load_content reports, as the CLI prints each of them."""
    with pytest.raises(ContentError) as caught:
        loaded(root, pages)
    assert str(caught.value).startswith(f"the content has {len(caught.value.problems)} problem")
    return [str(problem) for problem in caught.value.problems]


# ---- papers not for publication ----------------------------------------------------------


def test_a_paper_not_for_publication_without_its_reason_is_an_error(tmp_path: Path) -> None:
    """A closed paper must say which exemption applies; the message names the file and the key."""
    closed = PAPER + "classification: not for publication\n---\n\nText.\n"
    assert problems_of(tmp_path, {"steering-group/closed.md": closed}) == [
        ("content/steering-group/closed.md: front matter: a paper not for publication needs exempt_reason "
         "(the paragraph of the exemption)"),
    ]


def test_a_paper_not_for_publication_with_its_reason_loads(tmp_path: Path) -> None:
    """With exempt_reason given, the closed paper loads and keeps its classification and reason."""
    closed = PAPER + "classification: not for publication\nexempt_reason: Paragraph 3 (financial affairs)\n---\n"
    paper = loaded(tmp_path, {"closed.md": closed}).page_at("closed/")
    assert paper is not None
    assert (paper.details.classification, paper.details.exempt_reason) == (
        "not for publication", "Paragraph 3 (financial affairs)")


def test_a_public_paper_needs_no_reason(tmp_path: Path) -> None:
    """The default classification is public, and a public paper needs no exempt_reason."""
    paper = loaded(tmp_path, {"open.md": PAPER + "---\n"}).page_at("open/")
    assert paper is not None
    assert (paper.details.classification, paper.details.exempt_reason) == ("public", "")


# ---- two pages at one URL -----------------------------------------------------------------


def test_a_file_and_a_folder_index_at_one_url_is_an_error_naming_both(tmp_path: Path) -> None:
    """about.md and about/index.md would both be site/about/: the message names both files."""
    pages = {"about.md": "---\ntitle: About\n---\n", "about/index.md": "---\ntitle: About us\n---\n"}
    assert problems_of(tmp_path, pages) == [
        "content/about.md: makes the same page (about/) as content/about/index.md",
    ]


def test_a_slug_taking_another_pages_url_is_an_error_naming_both(tmp_path: Path) -> None:
    """A slug that lands on another page's URL is reported at the second file, naming the first."""
    pages = {"news.md": "---\ntitle: News\nslug: report\n---\n", "report.md": "---\ntitle: Report\n---\n"}
    assert problems_of(tmp_path, pages) == [
        "content/report.md: makes the same page (report/) as content/news.md",
    ]


def test_a_page_with_a_slug_of_its_own_url_is_no_clash(tmp_path: Path) -> None:
    """The check compares pages with each other, not a page with itself."""
    tree = loaded(tmp_path, {"report.md": "---\ntitle: Report\nslug: report\n---\n"})
    assert [page.url for page in tree.pages] == ["", "report/"]


# ---- every page: PageMeta ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("front_matter", "problem"),
    [
        ('title: ""', "content/a.md:2: title: String should have at least 1 character (found '')"),
        ("title: A\nlayout: [page]", "content/a.md:3: layout: Input should be a valid string (found ['page'])"),
        ("title: A\ndate: tomorrow",
         "content/a.md:3: date: Input should be a valid date or datetime, input is too short (found 'tomorrow')"),
        ("title: A\nsummary: 5", "content/a.md:3: summary: Input should be a valid string (found 5)"),
        ("title: A\ntags: 5", "content/a.md:3: tags: Input should be a valid tuple (found 5)"),
        ("title: A\norder: first",
         ("content/a.md:3: order: Input should be a valid integer, unable to parse string as an integer "
          "(found 'first')")),
        ("title: A\npdf: maybe",
         "content/a.md:3: pdf: Input should be a valid boolean, unable to interpret input (found 'maybe')"),
        ("title: A\nnav: sometimes",
         "content/a.md:3: nav: Input should be a valid boolean, unable to interpret input (found 'sometimes')"),
        ("title: A\nstatus: published", "content/a.md:3: status: Input should be 'draft', 'final' or 'issued' (found 'published')"),
        ("title: A\nslug: ../up",
         ("content/a.md:3: slug: lower-case letters, digits, '-', '_', '.' and '/' only, inside the site "
          "(found '../up')")),
        ("title: A\nslug: Reports",
         ("content/a.md:3: slug: lower-case letters, digits, '-', '_', '.' and '/' only, inside the site "
          "(found 'Reports')")),
        ("title: A\nslug: annual report",
         ("content/a.md:3: slug: lower-case letters, digits, '-', '_', '.' and '/' only, inside the site "
          "(found 'annual report')")),
    ],
    ids=["empty title", "layout not text", "date", "summary", "tags", "order", "pdf", "nav", "status",
         "slug leaving the site", "slug in capitals", "slug with a space"],
)
def test_each_page_key_is_checked_with_its_line(tmp_path: Path, front_matter: str, problem: str) -> None:
    """A wrong value of any page key is reported at its line, with the value found."""
    assert problems_of(tmp_path, {"a.md": f"---\n{front_matter}\n---\n\nText.\n"}) == [problem]


def test_every_bad_key_of_a_page_is_reported_at_once(tmp_path: Path) -> None:
    """Three wrong keys in one file: three problems, in the order of their lines."""
    page = "---\ntitle: A\norder: first\npdf: maybe\nstatus: published\n---\n"
    assert problems_of(tmp_path, {"a.md": page}) == [
        "content/a.md:3: order: Input should be a valid integer, unable to parse string as an integer (found 'first')",
        "content/a.md:4: pdf: Input should be a valid boolean, unable to interpret input (found 'maybe')",
        "content/a.md:5: status: Input should be 'draft', 'final' or 'issued' (found 'published')",
    ]


def test_page_keys_are_read_as_written(tmp_path: Path) -> None:
    """A date, one tag as text, a draft, an order and a slug with slashes around it."""
    page = "---\ntitle: A\ndate: 2011-07-29\ntags: budget\nstatus: draft\norder: 3\nslug: /reports/2011/\n---\n"
    page_read = loaded(tmp_path, {"a.md": page}).page_at("reports/2011/")
    assert page_read is not None and page_read.source_name == "content/a.md"
    meta = page_read.meta
    assert (meta.date, meta.tags, meta.status, meta.order, meta.slug) == (
        dt.date(2011, 7, 29), ("budget",), "draft", 3, "reports/2011")
    assert (page_read.url, page_read.output_path) == ("reports/2011/", "reports/2011/index.html")


def test_an_unknown_layout_is_reported_at_its_line_with_the_layouts_there_are(
    copy_fixture: Callable[[str], Path],
) -> None:
    """Any text loads as a layout; rendering a page of a layout with no template names the ones there are."""
    project = copy_fixture("minimal")
    (project / "content" / "leaflet.md").write_text("---\ntitle: L\nlayout: brochure\n---\n\nText.\n",
                                                    encoding="utf-8")
    loaded_project = load_project(load_config(project))
    page = loaded_project.content.page_at("leaflet/")
    assert page is not None and page.meta.layout == "brochure"
    renderer = Renderer(loaded_project.config, loaded_project.tables, loaded_project.content)
    with pytest.raises(TemplateError) as caught:
        renderer.render_page(page)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("content/leaflet.md", 3, "layout")
    assert problem.message.startswith("no template 'brochure.html' (layouts: ")
    layouts = problem.message.removeprefix("no template 'brochure.html' (layouts: ").removesuffix(")").split(", ")
    assert {"page", "paper", "case-study", "meeting", "service", "outcome-plan", "newsletter"} <= set(layouts)
    assert "base" not in layouts and "print" not in layouts  # the shells are no layouts


def test_a_page_is_a_page_by_default(tmp_path: Path) -> None:
    """With no keys but a title: layout page, final, in the navigation, no PDF."""
    page = loaded(tmp_path, {"a.md": "---\ntitle: A\n---\n"}).page_at("a/")
    assert page is not None
    assert (page.meta.layout, page.meta.status, page.meta.nav, page.meta.pdf, page.details) == (
        "page", "final", True, False, None)


def test_a_title_comes_from_the_first_heading_then_the_file_name(tmp_path: Path) -> None:
    """No title key: the first level-one heading, else the file name in words."""
    tree = loaded(tmp_path, {"headed.md": "Intro.\n\n# Annual report 2010-11\n\nText.\n",
                             "value_for-money.md": "Text without a heading.\n",
                             "team/index.md": "Text.\n"})
    titles = {page.url: page.meta.title for page in tree.pages}
    assert titles == {"": "Home", "headed/": "Annual report 2010-11", "team/": "Team",
                      "value_for-money/": "Value for money"}


def test_urls_come_from_file_names(tmp_path: Path) -> None:
    """index.md stands for its folder; other files become a folder; names are lower-cased, spaces hyphens."""
    tree = loaded(tmp_path, {"report/index.md": "# R\n", "report/Annex A.md": "# A\n", "about.md": "# About\n"})
    assert sorted((page.source_name, page.url) for page in tree.pages) == [
        ("content/about.md", "about/"),
        ("content/index.md", ""),
        ("content/report/Annex A.md", "report/annex-a/"),
        ("content/report/index.md", "report/"),
    ]


def test_hidden_files_are_left_out_and_other_files_are_assets(tmp_path: Path) -> None:
    """A dot file is neither a page nor copied; an image is copied as it is."""
    tree = loaded(tmp_path, {".draft.md": "---\ntitle: \"\"\n---\n", "img/logo.svg": "<svg/>",
                             ".git/notes.md": "# N\n"})
    assert [page.source_name for page in tree.pages] == ["content/index.md"]
    assert [asset.output_path for asset in tree.assets] == ["img/logo.svg"]


def test_pdf_names_are_the_page_name_or_its_whole_path_if_that_clashes(tmp_path: Path) -> None:
    """report.pdf when unique; 2010-report.pdf and 2011-report.pdf when two pages are called report."""
    pages = {"summary.md": "---\ntitle: S\npdf: true\n---\n", "2010/report.md": "---\ntitle: R\npdf: true\n---\n",
             "2011/report.md": "---\ntitle: R\npdf: true\n---\n", "notes.md": "---\ntitle: N\n---\n"}
    names = {page.url: page.pdf_name for page in loaded(tmp_path, pages).pages}
    assert names == {"": "", "2010/report/": "2010-report.pdf", "2011/report/": "2011-report.pdf",
                     "notes/": "", "summary/": "summary.pdf"}


def test_the_home_page_is_required(tmp_path: Path) -> None:
    """A content folder without index.md says the home page is missing."""
    config = project_config(tmp_path, {"about.md": "# About\n"})
    (tmp_path / "content" / "index.md").unlink()
    with pytest.raises(ContentError) as caught:
        load_content(config)
    assert [str(p) for p in caught.value.problems] == ["content/index.md: the home page is missing"]


def test_no_content_folder_is_a_project_of_data_alone(tmp_path: Path) -> None:
    """No content/ at all: no pages (the build makes a home page of the figures); a file
    called content where the folder should be is an error naming it."""
    config = project_config(tmp_path, {})
    (tmp_path / "content" / "index.md").unlink()
    (tmp_path / "content").rmdir()
    assert load_content(config).pages == ()
    (tmp_path / "content").write_text("pages\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(config)
    assert str(caught.value) == "content: is a file; the pages go in a content/ folder"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('---\ntitle: A\nkey: "x" y\nother: 1\n---\n', "content/a.md:3: front matter: not valid YAML: did not find expected key"),
        ("---\ntitle: A\nlist:\n  - a\n - b\n---\n", "content/a.md:5: front matter: not valid YAML: did not find expected key"),
        ("---\ntitle: A\n\tkey: 1\n---\n",
         "content/a.md:3: front matter: not valid YAML: found a tab character that violates indentation"),
    ],
    ids=["text after a quoted value", "list indented less", "tab"],
)
def test_front_matter_that_is_not_yaml_is_reported_at_its_line_in_the_file(
    tmp_path: Path, text: str, problem: str
) -> None:
    """The line is the file's, counting the opening ---, as an editor shows it."""
    assert problems_of(tmp_path, {"a.md": text + "\nBody.\n"}) == [problem]


def test_a_page_that_is_not_utf8_is_an_error_with_the_byte(tmp_path: Path) -> None:
    """A page saved in another encoding is named, with where its first bad byte is."""
    assert problems_of(tmp_path, {"a.md": b"---\ntitle: \xff\n---\n"}) == [
        "content/a.md: is not UTF-8 text (invalid start byte at byte 11)",
    ]


def test_problems_of_several_files_are_all_reported(tmp_path: Path) -> None:
    """One load reports every file's problems, sorted by file."""
    pages = {"b.md": "---\ntitle: B\npdf: maybe\n---\n", "a.md": "---\ntitle: A\nstatus: old\n---\n"}
    assert problems_of(tmp_path, pages) == [
        "content/a.md:3: status: Input should be 'draft', 'final' or 'issued' (found 'old')",
        "content/b.md:3: pdf: Input should be a valid boolean, unable to interpret input (found 'maybe')",
    ]


# ---- committee papers: PaperMeta ---------------------------------------------------------


def test_a_paper_needs_its_meeting_and_author(tmp_path: Path) -> None:
    """meeting and report_of are required of a paper; a missing key has no line to point at."""
    assert problems_of(tmp_path, {"p.md": "---\ntitle: P\nlayout: paper\n---\n"}) == [
        "content/p.md: meeting: required key is missing",
        "content/p.md: report_of: required key is missing",
    ]


def test_recommendations_are_given_once(tmp_path: Path) -> None:
    """In the front matter or as a section of the body, never both (they would print twice)."""
    body = "recommendations:\n  - agree\n---\n\n## Background\n\nOne.\n\n## Conclusion and recommendations\n\nAgree.\n"
    assert problems_of(tmp_path, {"p.md": f"{PAPER}{body}"}) == [
        "content/p.md:14: recommendations: the recommendations are both in the front matter (line 6) "
        "and in the section 'Conclusion and recommendations': keep one"
    ]


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ('meeting: ""', "content/p.md:4: meeting: String should have at least 1 character (found '')"),
        ("classification: secret",
         "content/p.md:6: classification: Input should be 'public' or 'not for publication' (found 'secret')"),
        ("decision: " + "for consideration, approval and onward reference to the full council of every partner",
         ("content/p.md:6: decision: String should have at most 60 characters (found 'for consideration, "
          "approval and onward reference to the full council of every partner')")),
        ("numbering: decimal",
         "content/p.md:6: numbering: Input should be 'sections', 'flat' or 'none' (found 'decimal')"),
        ("implications:\n  money: none",
         "content/p.md:6: implications.money: Extra inputs are not permitted (found {'money': 'none'})"),
    ],
    ids=["empty meeting", "classification", "decision", "numbering", "unknown implication"],
)
def test_each_paper_key_is_checked_with_its_line(tmp_path: Path, keys: str, problem: str) -> None:
    """A wrong value of a paper's key is reported at the line of that key."""
    assert problems_of(tmp_path, {"p.md": f"{PAPER}{keys}\n---\n"}) == [problem]


def test_each_contact_needs_a_name_and_no_other_keys(tmp_path: Path) -> None:
    """A contact without a name, and one with a key sitegen does not know, each at the contacts line."""
    contacts = 'contacts:\n  - role: Treasurer\n  - name: Bo\n    mobile: "0123"\n---\n'
    found = "[{'role': 'Treasurer'}, {'name': 'Bo', 'mobile': '0123'}]"
    assert problems_of(tmp_path, {"p.md": PAPER + contacts}) == [
        "content/p.md:6: contacts.0.name: required key is missing",
        f"content/p.md:6: contacts.1.mobile: Extra inputs are not permitted (found {found})",
    ]


def test_a_decision_in_any_case_is_read_in_capitals(tmp_path: Path) -> None:
    """'for decision' is the decision FOR DECISION, and so is the council's own wording ("for
    discussion"); with none given, a paper has no decision status."""
    tree = loaded(tmp_path, {"a.md": PAPER + "decision: ' for decision'\n---\n", "b.md": PAPER + "---\n",
                             "c.md": PAPER + "decision: for  discussion\n---\n"})
    decisions = {page.url: page.details.decision for page in tree.pages if page.details is not None}
    assert decisions == {"a/": "FOR DECISION", "b/": "", "c/": "FOR DISCUSSION"}


def test_a_papers_keys_are_kept_for_its_template(tmp_path: Path) -> None:
    """Agenda item, reference, contacts, recommendations and implications are read as written."""
    paper = PAPER + ("agenda_item: 5\nreference: VPSG/2011/07/05\ncontacts:\n  - name: Helen Armitage\n"
                     "    email: helen@valeshire.example\nrecommendations:\n  - Note the position\n"
                     "implications:\n  financial: None beyond the report.\n---\n")
    details = loaded(tmp_path, {"p.md": paper}).page_at("p/").details
    assert (details.agenda_item, details.reference, details.report_of) == (5, "VPSG/2011/07/05", "Treasurer")
    assert [(c.name, c.email) for c in details.contacts] == [("Helen Armitage", "helen@valeshire.example")]
    assert details.recommendations == ("Note the position",)
    assert (details.implications.financial, details.implications.legal) == ("None beyond the report.", "")


# ---- case studies: CaseStudyMeta ---------------------------------------------------------


def test_a_case_study_needs_its_facts(tmp_path: Path) -> None:
    """places, sector, theme, year, saving and whether it releases cash are all required."""
    assert problems_of(tmp_path, {"c.md": "---\ntitle: C\nlayout: case-study\n---\n"}) == [
        "content/c.md: annual_saving_gbp: required key is missing",
        "content/c.md: cash_releasing: required key is missing",
        "content/c.md: places: required key is missing",
        "content/c.md: sector: required key is missing",
        "content/c.md: theme: required key is missing",
        "content/c.md: year: required key is missing",
    ]


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ("sector: bank\ntheme: bpi\nyear: 2009-10\nannual_saving_gbp: 1\ncash_releasing: yes",
         ("content/c.md:5: sector: Input should be 'county', 'district', 'unitary', 'city', 'police', 'fire', "
          "'health' or 'other' (found 'bank')")),
        ("sector: district\ntheme: magic\nyear: 2009-10\nannual_saving_gbp: 1\ncash_releasing: yes",
         ("content/c.md:6: theme: Input should be 'bpi', 'collaboration', 'procurement', 'asset_management', "
          "'technology' or 'other' (found 'magic')")),
        ("sector: district\ntheme: bpi\nyear: 2009\nannual_saving_gbp: 1\ncash_releasing: yes",
         'content/c.md:7: year: expected a financial year such as "2009-10" (found 2009)'),
        ("sector: district\ntheme: bpi\nyear: 2009-11\nannual_saving_gbp: 1\ncash_releasing: yes",
         "content/c.md:7: year: expected a financial year such as \"2009-10\" (found '2009-11')"),
        ("sector: district\ntheme: bpi\nyear: 2009-10\nannual_saving_gbp: lots\ncash_releasing: yes",
         "content/c.md:8: annual_saving_gbp: expected an amount of money such as 250000 (found 'lots')"),
        ("sector: district\ntheme: bpi\nyear: 2009-10\nannual_saving_gbp: yes\ncash_releasing: yes",
         "content/c.md:8: annual_saving_gbp: expected an amount of money such as 250000 (found True)"),
        ("sector: district\ntheme: bpi\nyear: 2009-10\nannual_saving_gbp: 1234.567\ncash_releasing: yes",
         "content/c.md:8: annual_saving_gbp: expected an amount of money such as 250000 (found 1234.567)"),
        ("sector: district\ntheme: bpi\nyear: 2009-10\nannual_saving_gbp: 1\ncash_releasing: perhaps",
         ("content/c.md:9: cash_releasing: Input should be a valid boolean, unable to interpret input "
          "(found 'perhaps')")),
    ],
    ids=["sector", "theme", "year without its second half", "year not consecutive", "money in words",
         "money as yes", "money with a fraction of a penny", "cash releasing"],
)
def test_each_case_study_key_is_checked_with_its_line(tmp_path: Path, keys: str, problem: str) -> None:
    """A wrong sector, theme, financial year, amount or yes/no is reported at its line."""
    assert problems_of(tmp_path, {"c.md": f"{CASE_STUDY}{keys}\n---\n"}) == [problem]


@pytest.mark.parametrize(
    ("year", "saving", "start", "pounds"),
    [
        ("2009-10", "250000", 2009, Decimal(250000)),
        ("2009/10", '"£1,234.5"', 2009, Decimal("1234.50")),
        ("2009/2010", '"(1,000)"', 2009, Decimal(-1000)),
        ("'2010-11'", "0.1", 2010, Decimal("0.10")),
    ],
)
def test_case_study_years_and_savings_in_any_accepted_spelling(
    tmp_path: Path, year: str, saving: str, start: int, pounds: Decimal
) -> None:
    """Financial years and amounts are read as the data files read them, money exactly."""
    study = CASE_STUDY + f"sector: district\ntheme: bpi\nyear: {year}\nannual_saving_gbp: {saving}\ncash_releasing: no\n---\n"
    details = loaded(tmp_path, {"c.md": study}).page_at("c/").details
    assert (details.year, details.annual_saving_gbp, details.cash_releasing) == (start, pounds, False)
    assert isinstance(details.annual_saving_gbp, Decimal)


STUDY_FACTS = "sector: district\ntheme: bpi\nyear: 2009-10\nannual_saving_gbp: 1\ncash_releasing: yes\n---\n"


def test_a_case_study_names_its_places_as_a_list_or_one_place(tmp_path: Path) -> None:
    study = "---\ntitle: C\nlayout: case-study\nplaces: [Thrimby,  Ravensholt ]\n" + STUDY_FACTS
    one = "---\ntitle: D\nlayout: case-study\nplace: Thrimby\n" + STUDY_FACTS
    tree = loaded(tmp_path, {"c.md": study, "d.md": one})
    assert tree.page_at("c/").details.places == ("Thrimby", "Ravensholt")
    assert tree.page_at("d/").details.places == ("Thrimby",)


def test_a_place_not_in_the_projects_list_is_an_error_at_its_line_naming_the_closest(tmp_path: Path) -> None:
    """With [content] places, one place is one place: "Thrimby and Ravensholt" is two, a
    misspelling is named with the place meant, and a place in another case is the listed one."""
    studies = {
        "a.md": "---\ntitle: A\nlayout: case-study\nplaces: [Thrimby and Ravensholt]\n" + STUDY_FACTS,
        "b.md": "---\ntitle: B\nlayout: case-study\nplace: Thrimbey\n" + STUDY_FACTS,
        "c.md": "---\ntitle: C\nlayout: case-study\nplaces: [thrimby, Ravensholt]\n" + STUDY_FACTS,
    }
    project_config(tmp_path, studies)
    (tmp_path / "sitegen.toml").write_text('[site]\ntitle = "T"\n[content]\nplaces = ["Thrimby", "Ravensholt"]\n',
                                           encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(load_config(tmp_path))
    assert [str(p) for p in caught.value.problems] == [
        "content/a.md:4: places: 'Thrimby and Ravensholt' is not one of the places in sitegen.toml's [content] "
        "places: a study of several places names each, places: [Thrimby, Ravensholt]",
        "content/b.md:4: place: 'Thrimbey' is not one of the places in sitegen.toml's [content] places; "
        "did you mean 'Thrimby'?",
    ]
    for name in ("a.md", "b.md"):
        (tmp_path / "content" / name).unlink()
    assert load_content(load_config(tmp_path)).page_at("c/").details.places == ("Thrimby", "Ravensholt")


def test_the_list_of_places_names_each_place_once(tmp_path: Path) -> None:
    project_config(tmp_path, {})
    (tmp_path / "sitegen.toml").write_text('[site]\ntitle = "T"\n[content]\nplaces = ["Thrimby", "thrimby "]\n',
                                           encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert "content.places: 'thrimby' is listed twice (as 'Thrimby')" in str(caught.value.problems[0])


# ---- meetings: MeetingMeta and AgendaItem --------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "problems"),
    [
        ("", ["content/m.md: items: required key is missing", "content/m.md: meeting: required key is missing"]),
        ("meeting: SG\nitems: []",
         ["content/m.md:5: items: Tuple should have at least 1 item after validation, not 0 (found [])"]),
        ("meeting: SG\nitems:\n  - title: Welcome\n  - presenter: Chair",
         [("content/m.md:5: items.1: an agenda item needs a title or a paper "
           "(found [{'title': 'Welcome'}, {'presenter': 'Chair'}])")]),
        ("meeting: SG\nitems:\n  - title: Welcome\n  - title: Budget\n    minutes: 5",
         [("content/m.md:5: items.1.minutes: Extra inputs are not permitted "
           "(found [{'title': 'Welcome'}, {'title': 'Budget', 'minutes': 5}])")]),
    ],
    ids=["nothing", "no items", "item without title or paper", "unknown item key"],
)
def test_a_meeting_needs_its_name_and_items_each_with_a_title_or_paper(
    tmp_path: Path, keys: str, problems: list[str]
) -> None:
    """A meeting's agenda must have items, and each must say what it is."""
    assert problems_of(tmp_path, {"m.md": f"---\ntitle: M\nlayout: meeting\n{keys}\n---\n"}) == problems


def test_an_agenda_naming_a_page_that_does_not_exist_is_reported_at_its_line(tmp_path: Path) -> None:
    """The meeting file and the line of the unknown paper; the item's number in the agenda."""
    meeting = ("---\ntitle: M\nlayout: meeting\nmeeting: SG\nitems:\n  - title: Welcome\n"
               "  - paper: steering/missing\n    presenter: Treasurer\n---\n")
    tree = loaded(tmp_path, {"meetings/m.md": meeting})
    with pytest.raises(ContentError) as caught:
        with_agendas(tree)
    assert str(caught.value).splitlines() == [
        "the agendas and their papers do not agree",
        "  content/meetings/m.md:7: items: item 2: no page 'steering/missing' in content/",
    ]


def test_an_agenda_item_takes_its_title_from_its_paper(tmp_path: Path) -> None:
    """An item naming a paper (with or without slashes round it) shows the paper's title."""
    meeting = ("---\ntitle: M\nlayout: meeting\nmeeting: Steering group, 14 July 2011\nitems:\n  - title: Welcome\n"
               "  - paper: /steering/budget/\n    presenter: Treasurer\n---\n")
    tree = with_agendas(loaded(tmp_path, {"meetings/m.md": meeting, "steering/budget.md": PAPER + "---\n"}))
    items = agenda(tree.page_at("meetings/m/"), tree)
    assert [(i.number, i.title, i.presenter, i.paper.url if i.paper else None, i.anchor) for i in items] == [
        (1, "Welcome", "", None, ""),
        (2, "Budget paper", "Treasurer", "steering/budget/", "item-2"),
    ]
    assert tree.page_at("meetings/m/").pdf_name == "m.pdf"  # a meeting's PDF is its agenda pack
    assert tree.page_at("steering/budget/").details.agenda_item == 2  # numbered from the agenda


MEETING = "---\ntitle: M\nlayout: meeting\ndate: 2011-07-14\nmeeting: Steering group, 14 July 2011\nitems:\n"


@pytest.mark.parametrize(
    ("item", "paper", "problem"),
    [
        ("  - title: Welcome\n  - paper: budget\n", "agenda_item: 5\n",
         "content/budget.md:6: agenda_item: says agenda item 5, but content/meetings/m.md:8 lists this paper "
         "as item 2: the number comes from the agenda (remove agenda_item, or make it 2)"),
        ("  - paper: budget\n", "status: draft\n",
         "content/meetings/m.md:7: items: item 1: content/budget.md is a draft (status: draft), and this "
         "meeting's pack is final; a final pack takes a draft only with `allow: [draft]` on the item "
         "(it is then marked DRAFT on every page)"),
        ("  - paper: budget\n", "date: 2009-05-29\n",
         "content/meetings/m.md:7: items: item 1: content/budget.md is a paper of Steering group, 14 July 2011 "
         "of 2009-05-29, not of this meeting (Steering group, 14 July 2011 of 2011-07-14); a final pack takes "
         "it only with `allow: [other-meeting]` on the item"),
    ],
    ids=["agenda item", "draft", "other meeting"],
)
def test_a_pack_that_would_contradict_its_papers_is_an_error_naming_both_files(
        tmp_path: Path, item: str, paper: str, problem: str) -> None:
    tree = loaded(tmp_path, {"meetings/m.md": f"{MEETING}{item}---\n", "budget.md": f"{PAPER}{paper}---\n"})
    with pytest.raises(ContentError) as caught:
        with_agendas(tree)
    assert [str(found) for found in caught.value.problems] == [problem]


def test_allow_names_the_exceptions_a_final_pack_makes(tmp_path: Path) -> None:
    item = "  - paper: budget\n    allow: [draft, other-meeting]\n"
    tree = loaded(tmp_path, {"meetings/m.md": f"{MEETING}{item}---\n",
                             "budget.md": f"{PAPER}status: draft\ndate: 2009-05-29\nagenda_item: 7\n---\n"})
    paper = with_agendas(tree).page_at("budget/")
    assert paper.details.agenda_item == 7  # its own meeting's number, kept
    assert agenda(tree.page_at("meetings/m/"), tree)[0].other_meeting


# ---- service pages: ServiceMeta ----------------------------------------------------------


def test_a_service_page_names_its_service(tmp_path: Path) -> None:
    """service_id is required, and may not be empty."""
    assert problems_of(tmp_path, {"s.md": "---\ntitle: S\nlayout: service\n---\n",
                                  "t.md": '---\ntitle: T\nlayout: service\nservice_id: ""\n---\n'}) == [
        "content/s.md: service_id: required key is missing",
        "content/t.md:4: service_id: String should have at least 1 character (found '')",
    ]


# ---- outcome delivery plans: OutcomePlanMeta ------------------------------------------------


def test_an_outcome_plan_needs_its_outcome_indicator_and_lead(tmp_path: Path) -> None:
    """outcome, indicator and lead_officer are required."""
    assert problems_of(tmp_path, {"o.md": "---\ntitle: O\nlayout: outcome-plan\n---\n"}) == [
        "content/o.md: indicator: required key is missing",
        "content/o.md: lead_officer: required key is missing",
        "content/o.md: outcome: required key is missing",
    ]


def test_each_risk_milestone_and_budget_line_is_checked(tmp_path: Path) -> None:
    """Risk levels L/M/H, a mitigation, a milestone's when and action, a budget line's item and amount."""
    plan = PLAN + ("risks:\n  - risk: Partners leave\n    likelihood: high\n    impact: x\n    mitigation: ''\n"
                   "milestones:\n  - when: ''\n    action: Agree targets\n  - when: June 2011\n"
                   "budget:\n  - item: Staff\n    amount_gbp: ten\n  - amount_gbp: 5\n---\n")
    risks = "[{'risk': 'Partners leave', 'likelihood': 'high', 'impact': 'x', 'mitigation': ''}]"
    milestones = "[{'when': '', 'action': 'Agree targets'}, {'when': 'June 2011'}]"
    budget = "[{'item': 'Staff', 'amount_gbp': 'ten'}, {'amount_gbp': 5}]"
    assert problems_of(tmp_path, {"o.md": plan}) == [
        f"content/o.md:7: risks.0.impact: Input should be 'L', 'M' or 'H' (found {risks})",
        f"content/o.md:7: risks.0.mitigation: String should have at least 1 character (found {risks})",
        f"content/o.md:12: milestones.0.when: String should have at least 1 character (found {milestones})",
        "content/o.md:12: milestones.1.action: required key is missing",
        f"content/o.md:16: budget.0.amount_gbp: expected an amount of money such as 250000 (found {budget})",
        "content/o.md:16: budget.1.item: required key is missing",
    ]


def test_risk_levels_are_read_from_words_and_budgets_exactly(tmp_path: Path) -> None:
    """'high', ' Medium' and 'l' are H, M and L; '£12,500.50' is exactly 12500.50 pounds."""
    plan = PLAN + ("risks:\n  - risk: R1\n    likelihood: high\n    impact: ' Medium'\n    mitigation: M1\n"
                   "  - risk: R2\n    likelihood: l\n    impact: H\n    mitigation: M2\n"
                   "budget:\n  - item: Staff\n    amount_gbp: '£12,500.50'\n  - item: Printing\n    amount_gbp: 300\n"
                   "---\n")
    details = loaded(tmp_path, {"o.md": plan}).page_at("o/").details
    assert [(r.likelihood, r.impact) for r in details.risks] == [("H", "M"), ("L", "H")]
    assert [(b.item, b.amount_gbp) for b in details.budget] == [("Staff", Decimal("12500.50")),
                                                                ("Printing", Decimal(300))]


# ---- newsletters: NewsletterMeta and ArticleMeta -------------------------------------------


EDITION = "---\ntitle: Newsletter\nlayout: newsletter\nedition: Issue 6 · Autumn 2011\n---\n\nLead story.\n"


def test_a_newsletter_needs_its_edition_and_dates_that_are_dates(tmp_path: Path) -> None:
    """edition is required; events_from must be a date."""
    edition = "---\ntitle: N\nlayout: newsletter\nevents_from: soon\n---\n"
    assert problems_of(tmp_path, {"news/index.md": edition}) == [
        "content/news/index.md: edition: required key is missing",
        ("content/news/index.md:4: events_from: Input should be a valid date or datetime, input is too short "
         "(found 'soon')"),
    ]


@pytest.mark.parametrize(
    ("article", "problem"),
    [
        ('---\ntitle: ""\nlayout: article\n---\n',
         "content/news/a.md:2: title: String should have at least 1 character (found '')"),
        ("---\ntitle: A\nlayout: article\nsection: sport\n---\n",
         "content/news/a.md:4: section: Input should be 'feature', 'news' or 'people' (found 'sport')"),
        ("---\ntitle: A\nlayout: article\norder: last\n---\n",
         ("content/news/a.md:4: order: Input should be a valid integer, unable to parse string as an integer "
          "(found 'last')")),
    ],
    ids=["empty title", "section", "order"],
)
def test_each_article_key_is_checked_with_its_line(tmp_path: Path, article: str, problem: str) -> None:
    """An article's title, section and order are checked like a page's."""
    assert problems_of(tmp_path, {"news/index.md": EDITION, "news/a.md": article}) == [problem]


def test_an_article_outside_an_edition_folder_is_an_error(tmp_path: Path) -> None:
    """An article with no newsletter index beside it is reported at its layout line."""
    assert problems_of(tmp_path, {"stray/a.md": "---\ntitle: A\nlayout: article\n---\n\nText.\n"}) == [
        ("content/stray/a.md:3: layout: an article belongs in the folder of a newsletter edition "
         "(beside an index.md with layout: newsletter)"),
    ]


def test_an_edition_holds_its_articles_in_order_people_last(tmp_path: Path) -> None:
    """Articles by order then title, people news last; each anchored by its file name; none a page of its own."""
    pages = {
        "news/index.md": EDITION,
        "news/zeta.md": "---\ntitle: Zeta\nlayout: article\norder: 1\n---\n\nZeta text.\n",
        "news/alpha.md": "---\ntitle: Alpha\nlayout: article\norder: 1\n---\n\nAlpha text.\n",
        "news/first.md": "---\ntitle: First\nlayout: article\nsection: feature\norder: 0\n---\n\nFirst text.\n",
        "news/joiners.md": "---\ntitle: Joiners\nlayout: article\nsection: people\norder: -5\n---\n\nWelcome.\n",
    }
    tree = loaded(tmp_path, pages)
    assert [page.url for page in tree.pages] == ["", "news/"]
    edition = tree.page_at("news/")
    articles = edition.details.articles
    assert [(a.anchor, a.section, a.source_name) for a in articles] == [
        ("first", "feature", "content/news/first.md"),
        ("alpha", "news", "content/news/alpha.md"),
        ("zeta", "news", "content/news/zeta.md"),
        ("joiners", "people", "content/news/joiners.md"),
    ]
    body = edition.body
    assert body.index("Lead story.") < body.index("First text.") < body.index("Alpha text.") \
        < body.index("Zeta text.") < body.index("People news") < body.index("Welcome.")


def test_a_line_of_an_article_is_located_in_the_articles_file(tmp_path: Path) -> None:
    """A problem found in the edition's body is reported at the article's own file and line."""
    pages = {"news/index.md": EDITION,
             "news/a.md": "---\ntitle: A\nlayout: article\n---\n\nFirst line.\nSecond line.\n"}
    edition = loaded(tmp_path, pages).page_at("news/")
    second = edition.body.split("\n").index("Second line.") + 1
    assert edition.locate(second) == ("content/news/a.md", 7)
    assert edition.locate(edition.body.split("\n").index("Lead story.") + 1) == ("content/news/index.md", 7)


# ---- bugs found while writing these tests --------------------------------------------------


def test_an_impossible_date_is_a_problem_at_its_line(tmp_path: Path) -> None:
    """date: 2011-13-01 should be reported at its line, not crash the load."""
    [problem] = problems_of(tmp_path, {"a.md": "---\ntitle: A\ndate: 2011-13-01\n---\n"})
    assert problem.startswith("content/a.md:3: ")


def test_a_missing_key_is_never_located_in_the_body(tmp_path: Path) -> None:
    """A key missing from the front matter has no line, even when the body has a line starting 'meeting:'."""
    paper = "---\ntitle: P\nlayout: paper\nreport_of: Treasurer\n---\n\nmeeting: as agreed in June\n"
    assert problems_of(tmp_path, {"p.md": paper}) == ["content/p.md: meeting: required key is missing"]


def test_problems_of_page_keys_and_layout_keys_are_reported_together(tmp_path: Path) -> None:
    """A paper with a bad pdf key and no meeting: both problems in one run, not one per run."""
    paper = "---\ntitle: P\nlayout: paper\npdf: maybe\nreport_of: Treasurer\n---\n"
    assert problems_of(tmp_path, {"p.md": paper}) == [
        "content/p.md: meeting: required key is missing",
        "content/p.md:4: pdf: Input should be a valid boolean, unable to interpret input (found 'maybe')",
    ]
