"""Load the content tree: Markdown pages with YAML front matter, and their assets.

A page's source path, output path and URL are worked out once, here. `index.md`
stands for its folder; `about.md` becomes `about/index.html`, so URLs never end in
`.html` and stay stable when a page gains children.
"""

from __future__ import annotations

import collections
import datetime as dt
import difflib
import functools
import html
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import frontmatter
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sitegen.cells import printable
from sitegen.config import Config
from sitegen.content.papers import annex_warnings, recommendations_heading
from sitegen.data.contract import SECTORS, WORKSTREAMS
from sitegen.errors import ContentError, Problem, counted, link_problem, links_leading_out, relative_name
from sitegen.values import financial_year_from_text, money_from_text

MARKDOWN_SUFFIXES = (".md", ".markdown")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


class Update(BaseModel):
    """One re-issue of an issued page: when, and what changed and why (its "Updates to this paper")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    change: str = Field(min_length=1)


class PageMeta(BaseModel):
    """Front matter keys sitegen understands; other keys pass through to templates."""

    model_config = ConfigDict(extra="allow", frozen=True)

    title: str = Field(min_length=1)
    layout: str = "page"
    date: dt.date | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    order: int = 0
    pdf: bool = False
    slug: str | None = None
    nav: bool = True  # listed in the site navigation
    status: Literal["draft", "final", "issued"] = "final"  # a draft's PDF carries a DRAFT watermark
    # The record's lifecycle (sitegen/records/): an issued page is made from its snapshot.
    issued: dt.date | None = None  # when it was issued (status: issued)
    updates: tuple[Update, ...] = ()  # each re-issue since, oldest first: its date and what changed and why
    as_at: dt.date | None = None  # tables from the returns received by this date
    live_page: str = ""  # where the current position is shown (an issued paper's notice links it)

    @field_validator("slug")
    @classmethod
    def _safe_slug(cls, value: str | None) -> str | None:
        if value is None:
            return value
        value = value.strip("/")
        if not SLUG.match(value) or ".." in value.split("/"):
            raise ValueError("lower-case letters, digits, '-', '_', '.' and '/' only, inside the site")
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _issued_has_a_date(self) -> PageMeta:
        if self.status == "issued" and self.issued is None:
            raise ValueError("status: issued needs the date it was issued (issued: 2011-07-07)")
        if self.status != "issued" and (self.issued is not None or self.updates):
            raise ValueError("issued: and updates: belong to a page with status: issued")
        dates = [self.issued, *(update.date for update in self.updates)]
        if any(later < earlier for earlier, later in zip(dates, dates[1:])):  # type: ignore[operator]
            raise ValueError("updates: go oldest first, each on or after the date issued and the update before")
        return self

    @property
    def version(self) -> int:
        """The version of an issued page its front matter describes: 1, and one more per update."""
        return 1 + len(self.updates)


# The statuses councils print on a paper; `decision:` may also be any short text ("for noting").
DECISIONS = ("FOR DECISION", "FOR CONSIDERATION AND APPROVAL", "FOR INFORMATION")
NUMBERING_STYLES = ("sections", "flat", "none")  # render/numbering.py


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    role: str = ""
    email: str = ""
    phone: str = ""


class Implications(BaseModel):
    """The implications every council paper must state, each a short paragraph."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    financial: str = ""
    legal: str = ""
    equalities: str = ""
    risk: str = ""


class PaperMeta(BaseModel):
    """Front matter of a committee paper (layout: paper), as councils set them out."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    meeting: str = Field(min_length=1)
    agenda_item: str | int | None = None
    reference: str = ""
    report_of: str = Field(min_length=1)
    contacts: tuple[Contact, ...] = ()
    classification: Literal["public", "not for publication"] = "public"
    exempt_reason: str = ""
    purpose: tuple[str, ...] = ()
    decision: str = Field(default="", max_length=60)  # printed in capitals; none when empty
    numbering: Literal[NUMBERING_STYLES] = "sections"  # type: ignore[valid-type]
    recommendations: tuple[str, ...] = ()
    implications: Implications = Implications()
    background_papers: tuple[str, ...] = ()

    @field_validator("decision", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return " ".join(value.upper().split()) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exempt_needs_reason(self) -> PaperMeta:
        if self.classification != "public" and not self.exempt_reason:
            raise ValueError("a paper not for publication needs exempt_reason (the paragraph of the exemption)")
        return self


class CaseStudyMeta(BaseModel):
    """Front matter of a good-practice case study (layout: case-study)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # Every place the study is about, each one place ("Thrimby", "Ravensholt"), never a pair
    # written as one; `place: Thrimby` is short for a list of one.
    places: tuple[str, ...] = Field(min_length=1)
    partners: tuple[str, ...] = ()
    sector: Literal[SECTORS]  # type: ignore[valid-type]
    theme: Literal[WORKSTREAMS]  # type: ignore[valid-type]
    year: int
    annual_saving_gbp: Decimal
    cash_releasing: bool
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _one_place(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "place" in raw and "places" not in raw:
            return {**raw, "places": raw["place"]}
        return raw

    @field_validator("places", mode="before")
    @classmethod
    def _places(cls, value: Any) -> Any:
        places = [value] if isinstance(value, str) else value
        if isinstance(places, list | tuple):
            places = [" ".join(place.split()) if isinstance(place, str) else place for place in places]
            if any(place == "" for place in places):
                raise ValueError("a place needs a name")
        return places

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int:
        return _financial_year(value)

    @field_validator("annual_saving_gbp", mode="before")
    @classmethod
    def _money(cls, value: Any) -> Decimal:
        return _money_field(value)


class AgendaItem(BaseModel):
    """One item of a meeting: a paper (by its page, e.g. steering-group/2011-07) or a heading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = ""
    paper: str = ""
    presenter: str = ""
    # Exceptions a final meeting's pack makes for this item's paper, by name (content/agenda.py):
    # a draft, or a paper written for another body or date, circulated as it is.
    allow: tuple[Literal["draft", "other-meeting"], ...] = ()

    @field_validator("allow", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _title_or_paper(self) -> AgendaItem:
        if not (self.title or self.paper):
            raise ValueError("an agenda item needs a title or a paper")
        return self


class MeetingMeta(BaseModel):
    """Front matter of a meeting (layout: meeting): its agenda becomes one PDF pack."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    meeting: str = Field(min_length=1)
    time: str = ""
    venue: str = ""
    chair: str = ""
    items: tuple[AgendaItem, ...] = Field(min_length=1)


def _financial_year(value: Any) -> int:
    """A front matter's `year` in any spelling sitegen accepts ("2009-10", "2009/10")."""
    try:
        return financial_year_from_text(str(value))
    except ValueError:
        raise ValueError('expected a financial year such as "2009-10"') from None


def _money_field(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected an amount of money such as 250000")
    try:
        return money_from_text(str(value))
    except ValueError:
        raise ValueError("expected an amount of money such as 250000") from None


class ServiceMeta(BaseModel):
    """Front matter of a hand-written service page (layout: service), which replaces the
    one made from services.csv at the same URL."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    service_id: str = Field(min_length=1)


class PlanRisk(BaseModel):
    """A risk to delivering an outcome, as the plan's form asks for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    risk: str = Field(min_length=1)
    likelihood: Literal["L", "M", "H"]
    impact: Literal["L", "M", "H"]
    mitigation: str = Field(min_length=1)

    @field_validator("likelihood", "impact", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        return value.strip().upper()[:1] if isinstance(value, str) else value


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: str = Field(min_length=1)  # "September 2011", "June 2011 onwards"
    action: str = Field(min_length=1)


class BudgetLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str = Field(min_length=1)
    amount_gbp: Decimal

    @field_validator("amount_gbp", mode="before")
    @classmethod
    def _money(cls, value: Any) -> Decimal:
        return _money_field(value)


class OutcomePlanMeta(BaseModel):
    """Front matter of an outcome delivery plan (layout: outcome-plan): the short answers of
    the form; the long ones are the page's Markdown, under the form's questions."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    outcome: str = Field(min_length=1)
    indicator: str = Field(min_length=1)
    indicator_definition: str = ""
    area: str = ""
    local_targets: str = ""
    lead_officer: str = Field(min_length=1)
    delivery_partnership: str = ""
    partners: tuple[str, ...] = ()  # partner ids
    contributions: str = ""
    risks: tuple[PlanRisk, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    resources: str = ""
    budget: tuple[BudgetLine, ...] = ()
    funding_sources: tuple[str, ...] = ()  # the joint projects' funding sources the plan draws on
    communication: tuple[str, ...] = ()


ARTICLE_SECTIONS = ("feature", "news", "people")


class ArticleMeta(BaseModel):
    """Front matter of a newsletter article (layout: article), a file in its edition's folder."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str = Field(min_length=1)
    summary: str = ""
    section: Literal[ARTICLE_SECTIONS] = "news"  # type: ignore[valid-type]
    order: int = 0
    pull_quote: str = ""
    author: str = ""
    anchor: str = ""  # set from the file name when the edition is put together
    source_name: str = ""


class NewsletterMeta(BaseModel):
    """Front matter of a newsletter edition (layout: newsletter); its articles are the
    `layout: article` files in its folder, in front-matter order, people news last."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    edition: str = Field(min_length=1)  # "Issue 6 · Autumn 2011"
    events_from: dt.date | None = None  # default: the edition's date
    events_until: dt.date | None = None
    contact: str = ""
    articles: tuple[ArticleMeta, ...] = ()  # filled in from the folder, never written by hand


class ReportMeta(BaseModel):
    """Front matter of a report (layout: report): what its cover says beside the title, the
    partnership, its status and date; and how its sections, paragraphs, tables and figures
    are numbered (render/numbering.py, as papers are)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    year: int  # the financial year reported on: "2010-11"
    numbering: Literal[NUMBERING_STYLES] = "sections"  # type: ignore[valid-type]
    prepared_by: str = ""  # printed on the cover under the date: "Partnership support officer"

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int:
        return _financial_year(value)


LAYOUT_META: dict[str, type[BaseModel]] = {
    "paper": PaperMeta,
    "report": ReportMeta,
    "case-study": CaseStudyMeta,
    "meeting": MeetingMeta,
    "service": ServiceMeta,
    "outcome-plan": OutcomePlanMeta,
    "newsletter": NewsletterMeta,
    "article": ArticleMeta,
}


@dataclass(frozen=True)
class Page:
    """One Markdown page: where it comes from, where it goes, what it says."""

    source: Path
    source_name: str  # as the user knows it, e.g. content/report/index.md
    url: str  # site-relative folder URL: "" for the home page, "report/" …
    meta: PageMeta
    body: str
    body_line: int  # line of the file where the body starts (for error messages)
    pdf_name: str = ""  # file name under papers/, unique in the site
    details: Any = None  # layout-specific front matter, checked (a PaperMeta for papers)
    # Where lines of a body put together from several files come from: (line of the body
    # where a file's text begins, that file, its line there). Empty: all from source_name.
    spliced: tuple[tuple[int, str, int | None], ...] = ()

    def locate(self, body_line: int) -> tuple[str, int | None]:
        """The file and line that line BODY_LINE (1 = the body's first) was written at
        (no line for what sitegen wrote between the files)."""
        for first, name, line in reversed(self.spliced):
            if body_line >= first:
                return name, None if line is None else line + body_line - first
        return self.source_name, self.body_line + body_line - 1

    @property
    def output_path(self) -> str:
        return f"{self.url}index.html"

    @property
    def depth(self) -> int:
        return self.url.count("/")

    @property
    def pdf_path(self) -> str:
        return f"papers/{self.pdf_name}"

    @property
    def figures_path(self) -> str:
        """The workbook of the tables a publication shows, beside its PDF."""
        return f"papers/{self.pdf_name.removesuffix('.pdf')}.xlsx"

    @property
    def docx_path(self) -> str:
        """A committee paper as a Word document, beside its PDF."""
        return f"papers/{self.pdf_name.removesuffix('.pdf')}.docx"

    @property
    def wants_pdf(self) -> bool:
        """Pages asking for one, and meetings (whose PDF is the agenda pack)."""
        return self.meta.pdf or self.meta.layout == "meeting"

    @property
    def parent_url(self) -> str | None:
        if not self.url:
            return None
        parent = posixpath.dirname(self.url.rstrip("/"))
        return parent + "/" if parent else ""


@dataclass(frozen=True)
class Asset:
    """A non-Markdown file under content/ (an image, a PDF to download), copied as is."""

    source: Path
    output_path: str


@dataclass(frozen=True)
class ContentTree:
    pages: tuple[Page, ...]
    assets: tuple[Asset, ...]
    warnings: tuple[Problem, ...] = field(default=())

    def page_at(self, url: str) -> Page | None:
        for page in self.pages:
            if page.url == url:
                return page
        return None


def _read_anew(key: tuple[Any, ...], make: Callable[[], Any], *files: Path) -> Any:
    return make()


def load_content(config: Config, remember: Callable[..., Any] = _read_anew) -> ContentTree:
    """Read every page under content/; raise ContentError listing all problems.

    REMEMBER(key, make, file) gives what reading a page's file made while that file is
    unchanged (project.LoadMemo: `sitegen serve` and the next build re-read only the pages
    that changed)."""
    root = config.content_dir
    if not root.exists():  # a folder of the partnership's data alone: tables, no pages
        return ContentTree(pages=(), assets=(), warnings=())
    if not root.is_dir():
        raise ContentError(f"{relative_name(root, config.project_dir)}: is a file; the pages go in a content/ folder")
    pages: list[Page] = []
    assets: list[Asset] = []
    # A symbolic link out of the project would publish a file from elsewhere.
    outside = links_leading_out(root, config.project_dir, skip_hidden=True)
    problems = [link_problem(path, config.project_dir, "not published") for path in outside]
    if root in outside:
        raise ContentError(f"the content has {counted(len(problems), 'problem')}", problems)
    files, linked_folders = _content_files(root)
    warnings = [Problem(f"content/{relative}", None, None, "is a symbolic link to a folder, which is not "
                        "followed: its pages are not published (move them into content/)", "warning")
                for path, relative in linked_folders if path not in outside]
    for path, relative in files:
        if path in outside:
            continue
        if printable(relative) != relative:  # it would be a URL, and a folder name in site/
            shown = relative.encode("unicode_escape").decode("ascii")
            problems.append(Problem(f"content/{shown}", None, None,
                                    "the file name holds a control character: rename the file"))
            continue
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            page, page_problems = remember(("page", relative), functools.partial(_read_page, path, relative), path)
            problems += page_problems
            if page is not None:
                pages.append(page)
                if page.meta.layout == "paper":
                    problems += _paper_body_problems(page)
                    warnings += annex_warnings(page.source_name, page.body, page.body_line)
                elif page.meta.layout == "case-study":
                    page, place_problems = _places_from_the_list(page, config.content.places)
                    pages[-1] = page
                    problems += place_problems
        else:
            assets.append(Asset(path, relative))
    pages, edition_problems = _put_editions_together(pages)
    problems += edition_problems
    problems += _duplicate_urls(pages)
    pages = name_pdfs(pages)
    if not any(p.url == "" for p in pages):
        problems.append(Problem("content/index.md", None, None, "the home page is missing"))
    if problems:
        raise ContentError(f"the content has {counted(len(problems), 'problem')}", problems)
    return ContentTree(tuple(pages), tuple(assets), tuple(warnings))


def _paper_body_problems(page: Page) -> list[Problem]:
    """A paper's recommendations are given once: in its front matter or as a section of its body."""
    found = recommendations_heading(page.body, page.body_line)
    if found is None or not page.details.recommendations:
        return []
    return [Problem(page.source_name, found[0], "recommendations",
                    f"the recommendations are both in the front matter (line "
                    f"{source_line(page, 'recommendations:')}) and in the section {found[1]!r}: keep one")]


def _places_from_the_list(page: Page, known: tuple[str, ...]) -> tuple[Page, list[Problem]]:
    """A case study's places as `[content] places` spells them; a place not in that list
    (when there is one) is an error naming the closest, so that one place is one place."""
    if not known:
        return page, []
    by_key = {place.casefold(): place for place in known}
    found, problems = [], []
    for place in page.details.places:
        spelt = by_key.get(place.casefold())
        if spelt is None:
            inside = [listed for key, listed in by_key.items() if re.search(rf"\b{re.escape(key)}\b", place.casefold())]
            close = difflib.get_close_matches(place.casefold(), list(by_key), n=2, cutoff=0.6)
            if len(inside) > 1:  # "Thrimby and Ravensholt": two places written as one
                hint = f": a study of several places names each, places: [{', '.join(inside)}]"
            else:
                hint = f"; did you mean {' or '.join(repr(by_key[c]) for c in close)}?" if close else ""
            text = page.source.read_text(encoding="utf-8-sig")
            key = "places" if _front_matter_line(text, "places") else "place"
            problems.append(Problem(page.source_name, _front_matter_line(text, key), key,
                                    f"{place!r} is not one of the places in sitegen.toml's [content] places{hint}"))
        elif spelt not in found:
            found.append(spelt)
    details = page.details.model_copy(update={"places": tuple(found)})
    return replace(page, details=details), problems


def _content_files(root: Path) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """Every file under content/ (path, path relative to it) in order, hidden ones left out,
    and the linked folders, which the walk does not enter (a linked file is checked by the caller)."""
    found: list[tuple[str, str]] = []
    linked: list[tuple[Path, str]] = []
    top = os.fspath(root)
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        prefix = os.path.relpath(folder, top).replace(os.sep, "/")
        linked += [(Path(folder, name), name if prefix == "." else f"{prefix}/{name}")
                   for name in subfolders if os.path.islink(os.path.join(folder, name))]
        for name in files:
            full = os.path.join(folder, name)
            if not name.startswith(".") and os.path.isfile(full):
                found.append((full, name if prefix == "." else f"{prefix}/{name}"))
    found.sort(key=lambda item: item[1].split("/"))
    return [(Path(full), relative) for full, relative in found], sorted(linked, key=lambda item: item[1])


PAGE_LIMIT = 1_000_000  # bytes of a page's file: a long report is 100 KB; the work grows with it


class _FrontMatter(frontmatter.YAMLHandler):
    """YAML front matter read without aliases: `*name` repeats a node, and nested ones (the
    "billion laughs") make a few hundred bytes into gigabytes; no front matter needs one."""

    def load(self, fm: str, **kwargs: object) -> Any:
        if "*" not in fm:  # no alias can be there: the quick C loader
            return yaml.load(fm, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return yaml.load(fm, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def read_page(path: Path, relative: str, config: Config) -> Page:
    """One page read from PATH as if it were content/RELATIVE (an issued paper's text as
    recorded); ContentError listing its problems."""
    page, problems = _read_page(path, relative)
    if page is None:
        raise ContentError(f"content/{relative}: the page has {counted(len(problems), 'problem')}", problems)
    return page


def _read_page(path: Path, relative: str) -> tuple[Page | None, list[Problem]]:
    name = f"content/{relative}"  # as the author knows it (a linked file by its link)
    size = path.stat().st_size
    if size > PAGE_LIMIT:
        return None, [Problem(name, None, None, f"is {size:,} bytes: a page may be at most {PAGE_LIMIT:,} "
                                                "(split it into pages)")]
    try:
        text = printable(path.read_text(encoding="utf-8-sig"))  # a control character breaks a PDF's XML
    except UnicodeDecodeError as exc:
        return None, [Problem(name, None, None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]
    try:
        post = frontmatter.loads(text, handler=_FrontMatter())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, line, "front matter", f"not valid YAML: {reason}")]
    except ValueError as exc:  # PyYAML reads 2011-13-01 as a date, and datetime refuses it
        line, key, value = _impossible_date(text)
        return None, [Problem(name, line, key, f"not a real date: {exc} (found {value!r})")]
    raw_meta = dict(post.metadata)
    if "title" not in raw_meta:
        raw_meta["title"] = _title_from_body(post.content) or _title_from_name(relative)
    problems: list[Problem] = []
    meta = details = None
    try:
        meta = PageMeta.model_validate(raw_meta)
    except ValidationError as exc:
        problems += [_front_matter_problem(name, text, raw_meta, err) for err in exc.errors()]
    layout = meta.layout if meta is not None else raw_meta.get("layout")
    if isinstance(layout, str) and layout in LAYOUT_META:  # its keys checked too: every problem at once
        try:
            details = LAYOUT_META[layout].model_validate(raw_meta)
        except ValidationError as exc:
            said = {problem.column for problem in problems}  # a key both models hold is said once
            problems += [problem for err in exc.errors()
                         if (problem := _front_matter_problem(name, text, raw_meta, err)).column not in said]
    if problems or meta is None:
        return None, problems
    url = _url_for(relative, meta.slug)
    start = text.find(post.content) if post.content else -1
    body_line = text.count("\n", 0, start) + 1 if start >= 0 else 1
    return Page(path, name, url, meta, post.content, body_line, details=details), []


def _front_matter_problem(name: str, text: str, raw_meta: dict, err: Any) -> Problem:
    key = ".".join(str(p) for p in err["loc"]) or "front matter"
    top = str(err["loc"][0]) if err["loc"] else ""
    line = _front_matter_line(text, top) if top else None
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return Problem(name, line, key, "required key is missing")
    found = raw_meta.get(top) if top else None
    return Problem(name, line, key, f"{message} (found {found!r})" if top else message)


def _url_for(relative: str, slug: str | None) -> str:
    if slug is not None:
        return f"{slug}/" if slug else ""
    pure = PurePosixPath(relative)
    parts = list(pure.parent.parts)
    if pure.stem != "index":
        parts.append(pure.stem)
    return "".join(f"{part.lower().replace(' ', '-')}/" for part in parts)


def source_line(page: Page, needle: str) -> int | None:
    """The first line of a page's file holding `needle`, to point a message at it."""
    try:
        text = page.source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number
    return None


def _front_matter_line(text: str, key: str) -> int | None:
    """The line of KEY in the front matter (never in the body, which may start a line 'key:')."""
    for number, line in _front_matter_lines(text):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return None


def _front_matter_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the front matter's lines, between its two '---' lines."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return []
    found = []
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            break
        found.append((number, line))
    return found


def _impossible_date(text: str) -> tuple[int | None, str, str]:
    """(line, key, value) of the front matter's first date that is no day of the calendar."""
    for number, line in _front_matter_lines(text):
        match = re.match(r"^\s*-?\s*([\w.-]+)\s*:\s*['\"]?(\d{4}-\d{1,2}-\d{1,2})\b", line)
        if match:
            try:
                dt.date.fromisoformat(f"{match[2][:4]}-{int(match[2][5:].split('-')[0]):02d}-"
                                      f"{int(match[2].rsplit('-', 1)[1]):02d}")
            except ValueError:
                return number, match[1], match[2]
    return None, "front matter", ""


def _title_from_body(body: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.MULTILINE)
    return match.group(1) if match else ""


def _title_from_name(relative: str) -> str:
    stem = PurePosixPath(relative).stem
    if stem == "index":
        stem = PurePosixPath(relative).parent.name or "Home"
    return stem.replace("-", " ").replace("_", " ").capitalize()


def name_pdfs(pages: list[Page]) -> list[Page]:
    """A paper's PDF is named after its page (report.pdf), or its whole path if that clashes."""
    def short(page: Page) -> str:
        return posixpath.basename(page.url.rstrip("/")) or "index"

    counts = collections.Counter(short(page) for page in pages)
    named = []
    for page in pages:
        if page.wants_pdf or page.meta.layout == "paper":  # a paper is a Word document too, named alike
            name = short(page) if counts[short(page)] == 1 else page.url.strip("/").replace("/", "-") or "index"
            page = replace(page, pdf_name=name + ".pdf")
        named.append(page)
    return named


def _put_editions_together(pages: list[Page]) -> tuple[list[Page], list[Problem]]:
    """Each newsletter edition with its articles inside it, and no page of their own.

    An edition is its own Markdown (the lead story) followed by each article's, in front
    matter order with people news last, so that tables and figures work in every article.
    """
    editions = {p.url: p for p in pages if p.meta.layout == "newsletter"}
    articles: dict[str, list[Page]] = {url: [] for url in editions}
    problems = []
    for page in pages:
        if page.meta.layout != "article":
            continue
        if page.parent_url in editions:
            articles[page.parent_url].append(page)
        else:
            problems.append(Problem(page.source_name, source_line(page, "layout:"), "layout",
                                    "an article belongs in the folder of a newsletter edition "
                                    "(beside an index.md with layout: newsletter)"))
    kept = []
    for page in pages:
        if page.meta.layout == "article":
            continue
        if page.url in editions:
            page = _edition(page, articles[page.url])
        kept.append(page)
    return kept, problems


def _edition(edition: Page, article_pages: list[Page]) -> Page:
    ordered = sorted(article_pages, key=lambda a: (a.details.section == "people", a.details.order,
                                                   a.details.title))
    details = [
        a.details.model_copy(update={"anchor": PurePosixPath(a.url).name, "source_name": a.source_name})
        for a in ordered
    ]
    blocks = [edition.body]
    spliced = [(1, edition.source_name, edition.body_line)]
    people_open = False
    for article, meta in zip(ordered, details, strict=True):
        if meta.section == "people" and not people_open:
            blocks.append('<section class="newsletter-people" id="people-news" markdown="1">\n\n'
                          '<h2 class="newsletter-people__title">People news</h2>\n')
            people_open = True
        block = _article_block(meta, article.body)
        # The article's own lines, where its body lands in the edition's (for error messages).
        starts_at = "\n\n".join(blocks).count("\n") + 3 + block[:block.index(article.body.strip())].count("\n")
        leading = len(article.body) - len(article.body.lstrip("\n"))
        spliced.append((starts_at, article.source_name, article.body_line + leading))
        spliced.append((starts_at + article.body.strip().count("\n") + 1, edition.source_name, None))
        blocks.append(block)
    if people_open:
        blocks.append("</section>\n")
    return replace(edition, body="\n\n".join(blocks), spliced=tuple(spliced),
                   details=edition.details.model_copy(update={"articles": tuple(details)}))


def _article_block(meta: ArticleMeta, body: str) -> str:
    """One article as Markdown inside its own <article>: its title and standfirst, then its text;
    a `pull_quote:` of its front matter goes after its first paragraph (render/blocks.py)."""
    def text(value: str) -> str:  # front matter is text: no markup, no Jinja
        return html.escape(value).replace("{", "&#123;")

    heading = "h3" if meta.section == "people" else "h2"
    parts = [(f'<article class="newsletter-article newsletter-article--{meta.section}" id="{meta.anchor}" '
              f'markdown="1">'),
             f'<{heading} class="newsletter-article__title">{text(meta.title)}</{heading}>']
    if meta.summary:
        parts.append(f'<p class="newsletter-article__standfirst">{text(meta.summary)}</p>')
    if meta.pull_quote:
        parts.append(f'<blockquote class="pull-quote"><p>{text(meta.pull_quote)}</p></blockquote>')
    parts.append(body.strip())
    if meta.author:
        parts.append(f'<p class="newsletter-article__author">{text(meta.author)}</p>')
    parts.append("</article>")
    return "\n\n".join(parts) + "\n"


def _duplicate_urls(pages: list[Page]) -> list[Problem]:
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        if page.url in seen:
            problems.append(
                Problem(page.source_name, None, None,
                        f"makes the same page ({page.url or '/'}) as {seen[page.url].source_name}")
            )
        seen.setdefault(page.url, page)
    return problems
