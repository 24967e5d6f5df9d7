"""Render pages: Markdown (with Jinja calls for tables and figures) into HTML.

A page body is first a Jinja template (sandboxed, within limits, its printed values
kept from Markdown: sandbox.py), so that `{{ table("ni179", year="2009-10") }}`
and `{{ value("ni179_total", "ni179_gbp", year="2009-10", return_type="actual") | money }}`
put live figures into prose; then Markdown. Page layouts are Jinja templates looked up
in the project's `templates/` first and the theme shipped with sitegen second, file by
file. Jinja runs with StrictUndefined: a figure that silently renders empty is a bug.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import posixpath
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.sandbox
import markdown
from markupsafe import Markup

from sitegen import __version__
from sitegen.config import Config
from sitegen.content.pages import ContentTree, Page, source_line
from sitegen.errors import Problem, TemplateError
from sitegen.labels import VOCABULARIES
from sitegen.render.blocks import PullQuotes
from sitegen.render.chartcache import ChartCache
from sitegen.render.charts import LAYOUTS, quadrant_summary
from sitegen.render.navigation import (
    EVERY_PAGE_NAMES,
    EVERY_PAGE_VIEW,
    NAV_VIEW,
    SiteIndex,
    breadcrumbs_view,
    pager_view,
    parent_url_of,
)
from sitegen.render.numbering import NumberedParagraphs
from sitegen.render.quick_markdown import QuickInline, QuickSmarty
from sitegen.render.sandbox import LimitExceeded, PageSandbox, PrintedValues, body_context
from sitegen.render.sanitize import clean_html
from sitegen.tables import formatting
from sitegen.tables.crosstab import cross_tabulate
from sitegen.tables.symbols import MARKS, legend
from sitegen.tables.table import Column, Table, column_places
from sitegen.values import financial_year_from_text

THEME_DIR = Path(__file__).parent.parent / "theme"

MARKDOWN_EXTENSIONS = [
    "tables",
    "footnotes",
    "toc",
    "attr_list",
    "def_list",
    "admonition",  # callout boxes: !!! example "Case study"
    "md_in_html",
    "sane_lists",
    QuickSmarty(),  # smarty's curly quotes and dashes, likewise (quick_markdown.py)
    "pymdownx.tilde",
    "pymdownx.blocks.caption",  # an image with its caption: ![alt](file.png) then /// caption … ///
    PullQuotes(),  # /// pull-quote … /// (blocks.py)
    QuickInline(),  # the inline patterns only on text that has what one of them needs
]
MARKDOWN_CONFIG = {
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-3"},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}
TABLE_OPTIONS = {
    "columns", "caption", "money", "negative", "totals", "sort", "descending", "limit",
    "download", "labels", "id", "across", "by", "values",
}
# What chart() takes besides filters on the table's columns; x_title and y_title name its axes.
CHART_OPTIONS = frozenset({"x", "y", "kind", "title", "money", "labels", "id", "x_title", "y_title"})
FILTER_ALIASES = {"partner": "partner_id"}
NUMBERED_LAYOUTS = {"paper", "report"}  # layouts whose paragraphs are numbered 1., 1.1 …
FIGURES_NUMBERED = {"report"}  # … and whose tables and figures are too: Table 3.1
SHELLS = {"base.html", "print.html", "receipt.html", "pack.html"}  # templates that are not page layouts


def has_figures_workbook(page: Page, tables: Iterable[Table]) -> bool:
    """A publication (a page with a PDF, not an agenda pack nor a one-page case study) that shows
    tables has a workbook of them."""
    return (page.wants_pdf and page.meta.layout not in ("meeting", "case-study")
            and any(table.has_workbook for table in tables))


def has_word_copy(page: Page) -> bool:
    """Every committee paper is also a Word document."""
    return page.meta.layout == "paper" and bool(page.pdf_name)


class UsageError(Exception):
    """A table() or value() call in a page names something that does not exist."""


# What a page body can do wrong (the sandbox refuses, a limit is met, 1/0, a missing
# include…): each is the page's problem, located at its line, never an internal error.
BODY_ERRORS = (
    UsageError, LimitExceeded, jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
    AttributeError, RecursionError, MemoryError,
)


@dataclass
class PageDependencies:
    """What one output was made from: the key to rebuilding only what changed."""

    tables: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    views: set[tuple[str, ...]] = field(default_factory=set)  # what it shows of other pages (navigation.py)
    element_ids: set[str] = field(default_factory=set)  # to keep table anchors unique

    def unique_id(self, wanted: str) -> str:
        candidate, number = wanted, 1
        while candidate in self.element_ids:
            number += 1
            candidate = f"{wanted}-{number}"
        self.element_ids.add(candidate)
        return candidate


@dataclass(frozen=True)
class RenderedPage:
    page: Page
    html: str  # the whole web page
    body_html: str  # the article alone, reused for the PDF
    toc: tuple[dict, ...]
    tables: frozenset[str]
    templates: frozenset[str]
    views: frozenset[tuple[str, ...]] = frozenset()


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str  # site-relative
    children: tuple[NavItem, ...] = ()


def template_dirs(config: Config) -> list[Path]:
    """Project templates first, so that a project overrides the theme file by file."""
    dirs = [config.templates_dir] if config.templates_dir.is_dir() else []
    return dirs + [THEME_DIR / "templates"]


def static_dirs(config: Config) -> list[Path]:
    dirs = [config.static_dir] if config.static_dir.is_dir() else []
    return dirs + [THEME_DIR / "static"]


def make_environment(config: Config, sandboxed: bool = False, compiled: Path | None = None) -> jinja2.Environment:
    """The project's and theme's templates' environment (trusted), or, `sandboxed`, page bodies'.

    `compiled`: a folder keeping the templates compiled (Jinja's bytecode cache, which
    takes a template's code only while its source is the same), so that a build, and
    each of its workers, does not compile every layout again (0.24 s for the theme's)."""
    environment = PageSandbox if sandboxed else jinja2.Environment
    env = environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(formatting.FILTERS)
    env.filters.update(formatting.publication_filters(config.numbers.negative, config.labels))
    env.filters["unbroken_hyphens"] = unbroken_hyphens
    env.globals["sitegen_version"] = __version__
    if compiled is not None:
        env.bytecode_cache = _bytecode_cache(env, compiled)
    return env


_HYPHENATED_WORD = re.compile(r"[^\s-]+(?:-[^\s-]+)+")


def unbroken_hyphens(text: Any) -> Markup:
    """A table cell's words kept whole at their hyphens: in a narrow column "Right-servicing"
    broke after "Right-", leaving "servicing" alone on the next line."""
    def held(word: re.Match[str]) -> str:
        return f'<span class="nowrap">{word.group(0)}</span>' if len(word.group(0)) <= 24 else word.group(0)
    return Markup(_HYPHENATED_WORD.sub(held, str(Markup.escape(text))))


def _bytecode_cache(env: jinja2.Environment, folder: Path) -> jinja2.BytecodeCache | None:
    """Jinja's cache, in a folder of its own for this Jinja, sitegen and the settings that
    change the compiled code (Jinja checks only the source and Python's version)."""
    settings = repr((jinja2.__version__, __version__, sorted(env.filters), sorted(env.tests), env.autoescape,
                     env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence,
                     env.optimized, sorted(env.extensions)))
    folder = folder / hashlib.blake2b(settings.encode("utf-8"), digest_size=8).hexdigest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache: compile as before
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def relative_url(from_url: str, to_url: str) -> str:
    """A link that works from any sub-path and from the file system."""
    start = from_url.rstrip("/") or "."
    target = to_url or "."
    anchor = ""
    if "#" in target:
        target, anchor = target.split("#", 1)
        anchor = "#" + anchor
    rel = _relpath(target or ".", start)
    if to_url.endswith("/") or to_url == "":
        rel = rel.rstrip("/") + "/" if rel != "." else "./"
    return rel + anchor


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath of two site-relative paths, without the two getcwd() calls it
    makes (a page has some fifteen links: 15,000 calls at 1,000 pages); the same answer."""
    path_parts = [part for part in path.split("/") if part and part != "."]
    start_parts = [part for part in start.split("/") if part and part != "."]
    if path.startswith("/") or start.startswith("/") or ".." in path_parts or ".." in start_parts:
        return posixpath.relpath(path, start)
    common = 0
    for mine, theirs in zip(path_parts, start_parts):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start_parts) - common) + path_parts[common:]) or "."


class Renderer:
    """Turns pages into HTML with the project's tables, settings and templates."""

    def __init__(self, config: Config, tables: dict[str, Table], content: ContentTree,
                 page_tables: Mapping[str, Mapping[str, Table]] | None = None, chart_cache: ChartCache | None = None,
                 compiled_templates: Path | None = None):
        self.config = config
        self.tables = tables
        self.content = content
        # Pages shown with tables of their own, by source name: an issued paper's from its
        # snapshot, a page as at a date from the returns received by then (sitegen/records/).
        self.page_tables = page_tables or {}
        self.env = make_environment(config, compiled=compiled_templates)
        self.body_env = make_environment(config, sandboxed=True)
        self.nav = build_nav(content)
        self.charts = chart_cache or ChartCache(None)  # charts drawn by earlier builds (chartcache.py)
        self.site_index = SiteIndex(content)
        # One Markdown converter per numbering style (None: not numbered), made when first
        # used, each with its own stash of the values a page printed (sandbox.PrintedValues).
        self._converters: dict[tuple[str | None, bool], tuple[markdown.Markdown, PrintedValues]] = {}

    # ---- pages ----------------------------------------------------------------------

    def render_page(self, page: Page, link_root: str | None = None) -> RenderedPage:
        """`link_root` ("/finance/vfm/") makes the page's links absolute paths (for 404.html)."""
        deps = PageDependencies()
        body_html, toc = self._body(page, deps)
        layout = f"{page.meta.layout}.html"
        context = self.page_context(page, body_html, toc, deps, link_root)
        html = self._render_template(layout, context, page, deps)
        return RenderedPage(
            page, html, body_html, toc, frozenset(deps.tables), frozenset(deps.templates), frozenset(deps.views)
        )

    def page_context(
        self, page: Page, body_html: str, toc: tuple[dict, ...], deps: PageDependencies,
        link_root: str | None = None,
    ) -> dict[str, Any]:
        """What a layout template sees: the page, the site, and the same table calls."""
        root = link_root or relative_url(page.url, "")
        absolute = {"url": lambda target: link_root + target} if link_root else {}
        deps.views.update((NAV_VIEW, breadcrumbs_view(page.url), pager_view(page.url)))
        return self.body_context(page, deps, in_layout=True) | absolute | {
            "content": Markup(body_html),
            "toc": toc,
            "nav": self.nav,
            "breadcrumbs": self.breadcrumbs(page),
            "pager": self.site_index.pager(page),
            "site_index": self.site_index,
            "accessibility": self.config.accessibility,
            "root": root,
            "for_print": False,
            "in_pack": False,
            "pdf_header": self.config.pdf_header,
            "pdf_url": relative_url(page.url, page.pdf_path) if page.wants_pdf else None,
            # The publication's tables as a workbook, and a paper as Word (office/, made by the build).
            "figures_url": relative_url(page.url, page.figures_path) if has_figures_workbook(
                page, [self.tables[name] for name in sorted(deps.tables)])
            else None,
            "docx_url": relative_url(page.url, page.docx_path) if has_word_copy(page) else None,
            "data_tables": [(name, table) for name, table in self.tables.items() if table.sources and not table.absent and "/" not in name],
        }

    def print_html(self, rendered: RenderedPage, deps: PageDependencies | None = None) -> str:
        """A page's own layout in the print shell (print.html) instead of the site's: the
        HTML its PDF is laid out from. `deps` gathers the tables and templates it used."""
        page = rendered.page
        deps = deps if deps is not None else PageDependencies()
        context = self.page_context(page, rendered.body_html, rendered.toc, deps)
        return self._render_template(f"{page.meta.layout}.html", context | {"for_print": True}, page, deps)

    def breadcrumbs(self, page: Page) -> list[NavItem]:
        crumbs: list[NavItem] = []
        url = page.parent_url
        while url is not None:
            parent = self.site_index.by_url.get(url)
            if parent is not None:
                crumbs.insert(0, NavItem(parent.meta.title, parent.url))
            # A folder with no page of its own (case-studies/themes/) is passed over, not a dead end.
            url = parent_url_of(url)
        return crumbs

    def _body(self, page: Page, deps: PageDependencies) -> tuple[str, tuple[dict, ...]]:
        name = page.source_name
        printed: list[str] = []
        try:
            if not JINJA_SYNTAX.search(page.body):
                source = page.body  # plain Markdown: what Jinja would give back, without compiling it
            else:
                env = self.body_env
                tree = env.parse(_attribute_lists_as_text(page.body), name=name, filename=name)
                if self._shows_every_page(tree):
                    deps.views.add(EVERY_PAGE_VIEW)
                code = env.compile(tree, name=name, filename=name)
                template = env.template_class.from_code(env, code, env.globals, None)
                context, printed = body_context(self.body_context(page, deps))
                source = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            where, line = page.locate(exc.lineno or 1)
            raise TemplateError("rendering failed", [Problem(where, line, None, f"template syntax: {exc.message}")]) from exc
        except BODY_ERRORS as exc:
            body_line = _line_in(exc, name)
            where, line = page.locate(body_line) if body_line else (name, None)
            raise TemplateError("rendering failed", [Problem(where, line, None, _describe(exc))]) from exc
        style = getattr(page.details, "numbering", "sections") if page.meta.layout in NUMBERED_LAYOUTS else None
        converter, stash = self._converter(style, page.meta.layout in FIGURES_NUMBERED)
        converter.reset()
        stash.values = printed
        try:
            body_html = clean_html(converter.convert(source), self.config.content.allow_scripts)
        finally:
            stash.values = []
        toc = tuple(getattr(converter, "toc_tokens", ()))
        return body_html, toc

    def _converter(self, style: str | None, figures: bool = False) -> tuple[markdown.Markdown, PrintedValues]:
        """The Markdown converter for a numbering style (tables and figures numbered too, or
        not), and its stash of printed values."""
        found = self._converters.get((style, figures))
        if found is None:
            stash = PrintedValues()
            numbering = [NumberedParagraphs(style, figures)] if style is not None else []
            converter = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, *numbering, stash],
                                          extension_configs=MARKDOWN_CONFIG)
            found = self._converters[(style, figures)] = (converter, stash)
        return found

    def body_context(self, page: Page, deps: PageDependencies, in_layout: bool = False) -> dict[str, Any]:
        """What a page body sees: table(), value() and rows() record what they use.

        A layout serves every project, with its data or without; a page's author asked
        for each table by name, so there a table without its data files is an error."""
        named = self.table_named if in_layout else self.table_with_data
        tables = self.page_tables.get(page.source_name, self.tables)  # an issued paper's: its record's

        def table(name: str, **options: Any) -> Markup:
            return self.table_html(named(name, deps, tables), page, options, deps)

        def chart(name: str, **options: Any) -> Markup:
            return self.chart_html(named(name, deps, tables), page, options, deps)

        def value(name: str, column: str, **filters: Any) -> Any:
            return self.single_value(named(name, deps, tables), column, filters)

        def rows(name: str, **filters: Any) -> list[dict[str, Any]]:
            return filter_rows(named(name, deps, tables), filters)

        def partner_name(partner_id: str) -> str:
            """A partner's display name from partners.csv (the id itself if unknown)."""
            found = filter_rows(self.table_named("partners", deps, tables), {"partner_id": partner_id})
            return found[0]["name"] if found else partner_id

        return {
            "table": table,
            "chart": chart,
            "value": value,
            "rows": rows,
            "partner_name": partner_name,
            "site": self.config.site,
            "page": page,
            "meta": page.meta,
            "target": self.config.target,
            "pages": self.content.pages,
            "url": lambda target: relative_url(page.url, target),
        }

    def _render_template(self, name: str, context: dict[str, Any], page: Page, deps: PageDependencies) -> str:
        try:
            template = self.env.get_template(name)
            deps.templates.update(self.template_closure(name))
            if self.template_shows_every_page(name):
                deps.views.add(EVERY_PAGE_VIEW)
            return template.render(context)
        except jinja2.TemplateNotFound as exc:
            known = sorted(
                t.removesuffix(".html") for t in self.env.list_templates()
                if t.endswith(".html") and not t.startswith("_") and t not in SHELLS
            )
            raise TemplateError("rendering failed", [Problem(
                page.source_name, source_line(page, "layout:"), "layout",
                f"no template {exc.name!r} (layouts: {', '.join(known)})")]) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError("rendering failed", [Problem(
                _template_name(exc.filename or exc.name or name, self.config), exc.lineno,
                None, f"template syntax: {exc.message}")]) from exc
        except (jinja2.UndefinedError, TypeError, ValueError, KeyError) as exc:
            frame = _template_frame(exc)
            where = _template_name(frame[0], self.config) if frame else name
            raise TemplateError("rendering failed", [Problem(
                where, frame[1] if frame else None, None,
                f"{_describe(exc)} (rendering {page.source_name})")]) from exc

    def draws_charts(self, page: Page) -> bool:
        """Whether rendering the page draws a chart (its body or its layout calls chart()):
        the costliest pages, which the build starts first so that one worker draws them
        (and loads matplotlib) while the others render the rest."""
        return "chart(" in page.body or self._layout_draws_charts(f"{page.meta.layout}.html")

    def _layout_draws_charts(self, name: str) -> bool:
        found = self._charting_layouts.get(name)
        if found is None:
            assert self.env.loader is not None
            try:
                found = any("chart(" in self.env.loader.get_source(self.env, used)[0]
                            for used in self.template_closure(name))
            except jinja2.TemplateError:  # no such layout: rendering the page says so
                found = False
            self._charting_layouts[name] = found
        return found

    @functools.cached_property
    def _charting_layouts(self) -> dict[str, bool]:
        return {}

    @functools.cached_property
    def _template_closures(self) -> dict[str, frozenset[str]]:
        """template_closure's answers, kept on the renderer so that they go when it goes
        (`functools.cache` on the method kept every renderer, and its whole project, alive:
        one more per rebuild in `sitegen serve`)."""
        return {}

    @functools.cached_property
    def _every_page_templates(self) -> dict[str, bool]:
        """Whether each template names a variable that gives every page (worked out once)."""
        return {}

    def _shows_every_page(self, tree: jinja2.nodes.Template) -> bool:
        """Whether a page body (its syntax tree) may show any page of the site: it names
        `pages` or `site_index`, or uses a template that does (or one named only as it runs)."""
        if EVERY_PAGE_NAMES & jinja2.meta.find_undeclared_variables(tree):
            return True
        return any(used is None or self.template_shows_every_page(used)
                   for used in jinja2.meta.find_referenced_templates(tree))

    def template_shows_every_page(self, name: str) -> bool:
        """Whether a layout, or any template it extends, includes or imports, names `pages`
        or `site_index` (worked out once per template and renderer)."""
        found = self._every_page_templates.get(name)
        if found is None:
            env = self.env
            assert env.loader is not None
            try:
                closure = self.template_closure(name)
            except jinja2.TemplateNotFound:
                return False  # rendering says what is missing
            found = any(EVERY_PAGE_NAMES & jinja2.meta.find_undeclared_variables(
                env.parse(env.loader.get_source(env, used)[0])) for used in closure)
            self._every_page_templates[name] = found
        return found

    def template_closure(self, name: str) -> frozenset[str]:
        """A template and every template it extends, includes or imports (worked out once
        per template and renderer)."""
        closure = self._template_closures.get(name)
        if closure is not None:
            return closure
        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, name)
        found = {name}
        for child in jinja2.meta.find_referenced_templates(self.env.parse(source)):
            # A computed name ({% extends "print.html" if for_print else "base.html" %}):
            # depend on both shells rather than miss one.
            for name_used in [child] if child is not None else ["base.html", "print.html"]:
                if name_used not in found:
                    found |= self.template_closure(name_used)
        closure = self._template_closures[name] = frozenset(found)
        return closure

    # ---- tables -----------------------------------------------------------------------

    def table_named(self, name: str, deps: PageDependencies, tables: Mapping[str, Table] | None = None) -> Table:
        tables = self.tables if tables is None else tables
        if name not in tables:
            raise UsageError(f"unknown table {name!r}{_did_you_mean(name, tables)}")
        deps.tables.add(name)
        if tables is not self.tables and name in self.tables:  # an issued paper's figures, in today's words
            return tables[name].presented_like(self.tables[name])
        return tables[name]

    def table_with_data(self, name: str, deps: PageDependencies, tables: Mapping[str, Table] | None = None) -> Table:
        """A table a page's author asked for, which must have its data: a page of a project
        without returns that shows NI 179 is a mistake to name, not an empty table to print."""
        table = self.table_named(name, deps, tables)
        if table.absent:
            files = " and ".join(table.absent)
            raise UsageError(f"the table {name!r} is computed from {files}, which this project does not have: "
                             f"add {'it' if len(table.absent) == 1 else 'them'} (the README's data contract "
                             "says what goes in each), or take the table out of the page")
        return table

    def single_value(self, table: Table, column: str, filters: dict[str, Any]) -> Any:
        _check_columns(table, [column])
        matches = filter_rows(table, filters)
        if len(matches) != 1:
            raise UsageError(
                f"value({table.name!r}, {column!r}) needs exactly one row, found {len(matches)}"
                f" (filters: {filters or 'none'})"
            )
        return matches[0][column]

    def table_html(self, table: Table, page: Page, options: dict[str, Any], deps: PageDependencies) -> Markup:
        unknown = set(options) - TABLE_OPTIONS - {c.name for c in table.columns} - set(FILTER_ALIASES)
        if unknown:
            raise UsageError(
                f"table {table.name!r}: unknown option {', '.join(sorted(unknown))} "
                f"(options: {', '.join(sorted(TABLE_OPTIONS))}; or filter by a column: "
                f"{', '.join(c.name for c in table.columns)})"
            )
        filters = {k: v for k, v in options.items() if k not in TABLE_OPTIONS}
        names = options.get("columns") or _reader_columns(table)
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        _check_columns(table, names)
        columns = [table.column(n) for n in names]
        records = filter_rows(table, filters)
        if options.get("sort"):
            _check_columns(table, [options["sort"]])
            key = options["sort"]
            records.sort(key=lambda r: (r[key] is None, r[key]), reverse=bool(options.get("descending")))
        if "limit" in options:
            limit = options["limit"]
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise UsageError(f"table {table.name!r}: limit must be a whole number of rows, 1 or more "
                                 f"(found {limit!r})")
            records = records[:limit]
        scale = options.get("money") or _default_scale(table, columns, records)
        negative = self.config.numbers.negative
        if options.get("negative", negative) != negative:  # one style per publication, never one per table
            raise UsageError(f"table {table.name!r}: negative={options['negative']!r}, but this publication shows "
                             f"negative figures as {negative!r}: set it once for every table, in sitegen.toml "
                             f'[numbers] negative = "{options["negative"]}"')
        labels = options.get("labels") or {}
        headings = [_rating_marked(c, _heading(c, scale, negative, labels.get(c.name))) for c in columns]
        sums = {c.name: sum((r[c.name] or 0 for r in records), Decimal(0)) for c in columns
                if options.get("totals") and c.kind in ("money", "count")}
        # One precision per column, totals included: £1,053,000.51 and £27,491,430.00, never £27,491,430.
        places = {c.name: c.places if c.places is not None  # the table's own, as its CSV holds it
                  else column_places(c, [*(r[c.name] for r in records), sums.get(c.name)], scale) for c in columns}
        body = [[_cell(c, r[c.name], scale, negative, r.get(MARKS, {}).get(c.name), places[c.name]) for c in columns]
                for r in records]
        totals = None
        symbols = table.symbols_in(records, columns)
        if options.get("across"):  # years across the columns: tables/crosstab.py
            columns, headings, body, totals, symbols = _crossed(table, records, options, scale, negative, labels)
        elif options.get("totals"):
            totals = [
                _cell(c, sums[c.name], scale, negative, places=places[c.name]) if c.name in sums else ("", False)
                for c in columns
            ]
            totals[0] = (totals[0][0] or "Total", totals[0][1])
        template = self.env.get_template("_table.html")
        deps.templates.add("_table.html")
        html = template.render(
            table=table,
            id=deps.unique_id(options.get("id") or f"table-{table.name}"),
            caption=options.get("caption", table.title),
            columns=columns,
            headings=headings,
            rows=body,
            totals=totals,
            csv_url=relative_url(page.url, table.csv_path) if options.get("download", True) else None,
            json_url=relative_url(page.url, table.json_path) if options.get("download", True) else None,
            xlsx_url=relative_url(page.url, table.xlsx_path) if options.get("download", True) and table.has_workbook
            else None,
            legend=legend(symbols),
        )
        # One line of HTML: Markdown keeps a raw block intact only up to a blank line.
        return Markup("\n" + " ".join(html.split("\n")) + "\n")


    def chart_html(self, table: Table, page: Page, options: dict[str, Any], deps: PageDependencies) -> Markup:
        """A chart of table columns as SVG, with a text alternative and its data a click away."""
        known = CHART_OPTIONS
        if "x" not in options or "y" not in options:
            raise UsageError(f"chart({table.name!r}) needs x= (a column) and y= (a column or a list of them)")
        unknown = set(options) - known - {c.name for c in table.columns} - set(FILTER_ALIASES)
        if unknown:
            raise UsageError(f"chart {table.name!r}: unknown option {', '.join(sorted(unknown))} "
                             f"(options: {', '.join(sorted(known))}; or filter by a column)")
        y_names = [options["y"]] if isinstance(options["y"], str) else list(options["y"])
        _check_columns(table, [options["x"], *y_names])
        records = filter_rows(table, {k: v for k, v in options.items() if k not in known})
        labels = options.get("labels") or {}
        x, series = table.column(options["x"]), [table.column(n) for n in y_names]
        named = [
            Column(c.name, c.kind, labels.get(c.name) or c.heading) for c in series
        ]
        kind = options.get("kind", "bar")
        drawn = {layout: self.charts.chart_svg(x, named, records, kind, options.get("money", "words"), labels, layout,
                                               (options.get("x_title"), options.get("y_title")))
                 for layout in LAYOUTS}
        title = options.get("title") or f"{' and '.join(c.label for c in named)} by {x.heading.lower()}"
        scale = options.get("money", "words")
        alternative = "; ".join(
            f"{_cell(x, r[x.name], scale, 'minus')[0]}: "
            + ", ".join(f"{c.label} {_cell(c, r[c.name], scale, 'minus')[0] or 'none'}" for c in named)
            for r in records
        )
        if kind == "quadrant":  # where each partner is, in words, before the figures
            alternative = f"{quadrant_summary(x, named, records)}. {alternative}"
        places = {c.name: column_places(c, [r[c.name] for r in records], scale) for c in [x, *named]}  # one per column
        template = self.env.get_template("_chart.html")
        deps.templates.add("_chart.html")
        html = template.render(
            id=deps.unique_id(options.get("id") or f"chart-{table.name}"),
            title=title,
            alternative=alternative,
            image="data:image/svg+xml;base64," + base64.b64encode(drawn["wide"].encode("utf-8")).decode("ascii"),
            narrow_image="data:image/svg+xml;base64," + base64.b64encode(drawn["narrow"].encode("utf-8")).decode("ascii"),
            csv_url=relative_url(page.url, table.csv_path),
            json_url=relative_url(page.url, table.json_path),
            xlsx_url=relative_url(page.url, table.xlsx_path) if table.has_workbook else None,
            table=table,
            headings=[_heading(c, scale, "minus") for c in [x, *named]],
            columns=[x, *named],
            rows=[[_cell(c, r[c.name], scale, "minus", r.get(MARKS, {}).get(c.name), places[c.name]) for c in [x, *named]]
                  for r in records],
        )
        return Markup("\n" + " ".join(html.split("\n")) + "\n")


def _crossed(table: Table, records: list[dict[str, Any]], options: dict[str, Any], scale: str, negative: str,
             labels: dict[str, str]) -> tuple[list[Column], list[str], list[list[tuple[str, bool]]],
                                              list[tuple[str, bool]] | None, list[str]]:
    """A table() with `across=`: its columns, headings, rows, totals and symbols, from cross_tabulate."""
    if options.get("columns"):
        raise UsageError(f"table {table.name!r}: across= takes values= (and by=), not columns=")
    values = options.get("values") or []
    values = [n.strip() for n in values.split(",")] if isinstance(values, str) else list(values)
    by = options.get("by") or []
    by = [n.strip() for n in by.split(",")] if isinstance(by, str) else list(by)
    _check_columns(table, [options["across"], *values, *by])
    crossed = cross_tabulate(table, records, options["across"], values, by, bool(options.get("totals")))
    shown_across = [_cell(crossed.across, value, scale, negative)[0] for value in crossed.across_values]
    # Row headings are text, whatever they hold (a score, a year); the cells are figures.
    columns = [*(Column(c.name, "text", c.heading) for c in crossed.headers),
               *(Column(f"{crossed.across.name}_{text}", "count", text) for text in shown_across)]
    # A year across the top never breaks ("2008-" over "09"), as year cells do not.
    headings = [labels.get(c.name) or c.heading for c in crossed.headers] + [
        Markup('<span class="year">{}</span>').format(text) if crossed.across.kind == "year" else text
        for text in shown_across]

    def heading(column: Column, value: Any) -> tuple[str, bool]:
        if isinstance(value, Column):  # a row of one value column: its heading, with its unit
            return (labels.get(value.name) or _heading(value, scale, negative), False)
        return (_cell(column, value, scale, negative)[0], False)

    # One precision per column of figures, over its rows and its total, as in any table.
    figure_columns = list(zip(*[cells for _, cells in crossed.rows], *([crossed.totals] if crossed.totals else [])))
    places = [column_places(cells[0].column, [cell.value for cell in cells], scale)
              if len({cell.column.kind for cell in cells}) == 1 else None for cells in figure_columns]
    body = [[heading(column, value) for column, value in zip(crossed.headers, row_headings, strict=True)]
            + [_cell(cell.column, cell.value, scale, negative, cell.mark, places[i]) for i, cell in enumerate(cells)]
            for row_headings, cells in crossed.rows]
    totals = None
    if crossed.totals is not None:
        totals = [("Total", False), *[("", False)] * (len(crossed.headers) - 1),
                  *[_cell(cell.column, cell.value, scale, negative, places=places[i])
                    for i, cell in enumerate(crossed.totals)]]
    return columns, headings, body, totals, crossed.symbols()


def filter_rows(table: Table, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows whose columns equal the given values (financial years in any spelling)."""
    wanted = {}
    for key, expected in filters.items():
        column_name = FILTER_ALIASES.get(key, key)
        _check_columns(table, [column_name])
        column = table.column(column_name)
        values = expected if isinstance(expected, list | tuple | set) else [expected]
        wanted[column_name] = {_comparable(column, v) for v in values}
    checks = [(name, table.column(name), allowed) for name, allowed in wanted.items()]
    # Read the table's own rows and copy only the matches: a page per partner must not
    # copy a million-line table once each.
    return [
        dict(r) for r in table.rows
        if all(_comparable(column, r[name]) in allowed for name, column, allowed in checks)
    ]


def _comparable(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "year":
        return financial_year_from_text(value) if isinstance(value, str) else int(value)
    if column.kind in ("money", "pct", "count"):
        return Decimal(str(value))
    return column.csv_text(value).lower()


def _check_columns(table: Table, names: Iterable[str]) -> None:
    known = [c.name for c in table.columns]
    for name in names:
        if name not in known:
            raise UsageError(f"table {table.name!r} has no column {name!r}{_did_you_mean(name, known)}")


def _heading(column: Column, scale: str, negative: str, label: str | None = None) -> str:
    """The column's heading (or the page's label for it) with its unit where the cells do
    not show one: "NI 179 (£m)", "Achievement (%)"; a label that names its unit keeps it."""
    text = label or column.heading
    if column.kind == "money":
        unit = {"k": "£k", "m": "£m"}.get(scale, "£" if negative == "brackets" else "")
        return f"{text} ({unit})" if unit and "£" not in text else text
    if column.kind == "pct":
        return f"{text} (%)" if "%" not in text else text
    return text


def _cell(column: Column, value: Any, scale: str, negative: str, mark: str | None = None,
          places: int | None = None) -> tuple[str, bool]:
    """(text shown, right-aligned?) for one cell: the column's one formatter (tables/table.py).
    A rating is its word in its colour (never the colour alone)."""
    text = column.shown(value, scale, negative, mark, places)  # type: ignore[arg-type]
    if column.vocabulary == "rating" and value is not None:
        return (Markup('<span class="rag rag--{}">{}</span>').format(value, text), column.numeric)
    return (text, column.numeric)


def _default_scale(table: Table, columns: list[Column], records: list[dict[str, Any]]) -> str:
    """Partnership totals in £ million to one decimal (table.money), as strategic tables
    are written, when that loses no figure: some amount is £1 million or more and none but
    nil would show as 0.0. Otherwise, and for every other table, pounds."""
    if table.money == "pounds":
        return "pounds"
    amounts = [abs(Decimal(r[c.name])) for c in columns if c.kind == "money" for r in records if r[c.name] is not None]
    if any(a >= 1_000_000 for a in amounts) and all(a == 0 or a >= 50_000 for a in amounts):
        return table.money
    return "pounds"


def _rating_marked(column: Column, heading: str) -> str:
    """The heading of a count of ratings ("Green") in its colour as well as its word."""
    if column.kind == "count" and column.name in VOCABULARIES["rating"]:
        return Markup('<span class="rag rag--{}">{}</span>').format(column.name, heading)
    return heading


def _reader_columns(table: Table) -> list[str]:
    """The columns a table shows when a page names none: all but a key whose name is beside
    it (a reader wants "Fenholt District Council", not "fenholt-dc" as well)."""
    names = {c.name for c in table.columns}
    return [c.name for c in table.columns if not (c.name in ID_COLUMNS and ID_COLUMNS[c.name] in names)]


ID_COLUMNS = {"partner_id": "partner_name", "service": "service_name", "project_id": "title", "programme": "programme_name"}


# `{#id}` and `{#id .class}` are Markdown attribute lists (attr_list), but open a Jinja
# comment; a real comment ends with `#}`, which these never do.
JINJA_SYNTAX = re.compile(r"\{[{%#]")
ATTRIBUTE_LIST = re.compile(r"\{#([^\s#}](?:[^}\n]*[^#}\n])?)\}")


def _attribute_lists_as_text(body: str) -> str:
    """A page body with its `{#id}` attribute lists shielded from Jinja (same lines)."""
    return ATTRIBUTE_LIST.sub(r"{% raw %}{#\1}{% endraw %}", body)


def build_nav(content: ContentTree) -> tuple[NavItem, ...]:
    """Top-level sections and their direct children, in front-matter order."""
    by_parent: dict[str | None, list[Page]] = {}
    for page in content.pages:
        if page.meta.nav:
            by_parent.setdefault(page.parent_url, []).append(page)

    def children_of(url: str) -> list[Page]:
        return sorted(by_parent.get(url, ()), key=lambda p: (p.meta.order, p.meta.title))

    items = []
    home = content.page_at("")
    if home is not None:
        items.append(NavItem(home.meta.title if home.meta.nav else "Home", ""))
    for section in children_of(""):
        kids = tuple(NavItem(k.meta.title, k.url) for k in children_of(section.url))
        items.append(NavItem(section.meta.title, section.url, kids))
    return tuple(items)


def _line_in(exc: BaseException, filename: str) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    found = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith(".html") or "/templates/" in name:
            found = (name, lineno)
    return found


def _template_name(path: str, config: Config) -> str:
    try:
        return Path(path).resolve().relative_to(config.project_dir.resolve()).as_posix()
    except ValueError:
        return os.path.relpath(path, THEME_DIR.parent.parent) if os.path.isabs(path) else path


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return f"not allowed in a page: {exc.message}"
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"no template {exc.name!r} to include (templates come from templates/ and the theme)"
    if isinstance(exc, RecursionError):
        return "stopped: calls nested too deep (a macro calling itself?)"
    if isinstance(exc, MemoryError):
        return "stopped: it ran out of memory"
    if isinstance(exc, ArithmeticError | LookupError | AttributeError):
        return f"{type(exc).__name__}: {exc}"  # "ZeroDivisionError: division by zero" says more than its message
    return str(exc)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
