"""Making the outputs of a build, each once: rendered anew or kept from the last build.

Every output (a page's HTML, a PDF, a table file, a copied file) has *inputs*: a
digest of everything it is made from. A page's are its own file and front matter,
the settings file and sitegen's version; after it is rendered we also know which
templates and tables it used and what it showed of other pages (the navigation, its
breadcrumbs, its previous and next pages, a list of pages: its *views*), and their
digests are checked too, so that a title changed remakes only the pages that show it. When
all of them match the last build's record and `site/` still holds the file that
build wrote, the file is hard-linked into the new site instead of made again.
Otherwise it is made — pages and PDFs across every core (see workers.py).

The outputs land in the staging folder; pipeline.py swaps it in once all is well.
Whether an output is current is state.py's to say (`BuildState.reusable`): this module
asks it, and records there what each output was made from.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from sitegen import __version__
from sitegen.build.files import link_into, prune, write_into
from sitegen.build.links import Link, PageLinks, collect_links, shared_links
from sitegen.build.search import INDEX_PATH, PageWords, page_text, page_words, shard_count, shard_path
from sitegen.build.state import BuildState, WrittenFile, digest, file_digest
from sitegen.content.facets import NOT_INDEXED
from sitegen.content.pages import Page, source_line
from sitegen.errors import ContentError, Problem, SitegenError, TemplateError, counted, relative_name
from sitegen.render.navigation import EVERY_PAGE_VIEW, NAV_VIEW, breadcrumbs_view, pager_view
from sitegen.render.pages import PageDependencies, RenderedPage, Renderer
from sitegen.render.wayfinding import NOT_FOUND_PATH, SITEMAP_PATH
from sitegen.tables.table import Table
from sitegen.workers import in_parallel

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OutputRecord:
    """What an output was made from (`inputs`) and what was written (`written`)."""

    inputs: str
    written: str


@dataclass(frozen=True)
class PageRecord(OutputRecord):
    """A rendered page, as much of it as later stages and the next build need."""

    tables: tuple[tuple[str, str], ...]  # (table, fingerprint) it read
    templates: tuple[tuple[str, str], ...]  # (template, digest of its source) it used
    links: PageLinks
    toc: tuple[dict, ...]
    body_html: str | None  # kept for pages that make a PDF or go into an agenda pack
    words: str | None  # digest of the words the search index holds of the page (None: not indexed)
    views: tuple[tuple[tuple[str, ...], str], ...] = ()  # (view, digest of its answer): what it shows of other pages

    def rendered(self, page: Page) -> RenderedPage:
        """The page as PDFs and packs use it (its article and contents, not its HTML)."""
        return RenderedPage(page, "", self.body_html or "", self.toc,
                            frozenset(n for n, _ in self.tables), frozenset(n for n, _ in self.templates),
                            frozenset(view for view, _ in self.views))


@dataclass(frozen=True)
class PrintRecord(OutputRecord):
    """What is made from a page's print HTML (its PDF, its Word copy): made from the page
    (its record's inputs and written HTML, in `inputs`) and from what its print HTML
    used besides, so that whether it is current is known without making that HTML again."""

    tables: tuple[tuple[str, str], ...]
    templates: tuple[tuple[str, str], ...]
    views: tuple[tuple[tuple[str, ...], str], ...] = ()


@dataclass
class Fingerprints:
    """Digests of the tables, templates and views of other pages (render/navigation.py)
    of this build, each worked out once."""

    renderer: Renderer
    _tables: dict[str, str] = field(default_factory=dict)
    _templates: dict[str, str] = field(default_factory=dict)
    _own: dict[tuple[str, str], str] = field(default_factory=dict)
    _views: dict[tuple[str, ...], str] = field(default_factory=dict)
    _unchanged: dict[tuple[object, ...], bool] = field(default_factory=dict)
    front_matter: dict[str, str] = field(default_factory=dict)  # each page's as JSON, by URL (Outputs.pages)
    # No page's place or front matter changed since the last build (the view of every page
    # is as it was): every view is then as it was too, and is not worked out page by page.
    views_as_before: bool = False

    def table(self, name: str, page: Page | None = None) -> str:
        """A table's digest: today's, or, for a page shown with tables of its own (an issued
        paper, from its record), that page's: an issued page is not made again when
        today's tables change."""
        own = self.renderer.page_tables.get(page.source_name) if page is not None else None
        if own is not None:
            key = (page.source_name, name)  # type: ignore[union-attr]
            if key not in self._own:
                self._own[key] = table_fingerprint(own[name]) if name in own else ""
            return self._own[key]
        if name not in self._tables:
            table = self.renderer.tables.get(name)
            self._tables[name] = "" if table is None else table_fingerprint(table)
        return self._tables[name]

    def template(self, name: str) -> str:
        if name not in self._templates:
            env = self.renderer.env
            assert env.loader is not None
            try:
                source, _, _ = env.loader.get_source(env, name)
            except Exception:  # gone since the last build
                self._templates[name] = ""
            else:  # its name and source, not its path: the project may be built from any folder
                self._templates[name] = digest(name, source)
        return self._templates[name]

    def view(self, view: tuple[str, ...]) -> str:
        """A digest of what a view of the site shows now (its answer): a page that showed
        the same is not made again when other pages change."""
        found = self._views.get(view)
        if found is None:
            found = self._views[view] = digest(*view, self._answer(view))
        return found

    def _answer(self, view: tuple[str, ...]) -> str:
        renderer = self.renderer
        if view == NAV_VIEW:
            return repr(renderer.nav)
        if view == EVERY_PAGE_VIEW:
            return "\n".join(map(self._described, renderer.content.pages))
        page = renderer.site_index.by_url.get(view[1]) if len(view) == 2 else None
        if page is None:
            return f"no page {view!r}"
        if view == breadcrumbs_view(page.url):
            return repr(renderer.breadcrumbs(page))
        if view == pager_view(page.url):
            pager = renderer.site_index.pager(page)
            return "none" if pager is None else "\n".join(
                "none" if shown is None else self._described(shown) for shown in (pager.section, pager.previous, pager.next))
        return f"unknown view {view!r}"

    def _described(self, page: Page) -> str:
        """All a template can show of another page: its place and front matter (not its body)."""
        front_matter = self.front_matter.get(page.url)
        if front_matter is None:
            front_matter = front_matter_json(page)
        return f"{page.url}\t{page.source_name}\t{page.pdf_name}\t{front_matter}"

    def unchanged(self, record: PageRecord | PrintRecord, page: Page | None) -> bool:
        own = page is not None and page.source_name in self.renderer.page_tables
        key = (record.tables, record.templates)  # shared by many pages' records
        found = None if own else self._unchanged.get(key)
        if found is None:
            found = all(self.table(n, page) == d for n, d in record.tables) and \
                all(self.template(n) == d for n, d in record.templates)
            if not own:
                self._unchanged[key] = found
        return found and (self.views_as_before or all(self.view(v) == d for v, d in record.views))


def table_fingerprint(table: Table) -> str:
    """A digest of a table's values, columns and sources (pandas hashes the values in C)."""
    columns = [c.name for c in table.columns]
    try:
        values = pd.util.hash_pandas_object(table.frame[columns], index=False).to_numpy().tobytes()
    except TypeError:  # cells pandas cannot hash (lists…): the published CSV says the same
        values = table.to_csv().encode("utf-8")
    return digest(table.name, table.title, table.description, repr(table.columns), repr(table.sources), values)


def pdf_inputs(print_inputs: str, page: OutputRecord) -> str:
    """What a page's PDF is made from: its page's record (what the page was made from and
    what was written) and what every PDF depends on (`print_inputs`)."""
    return digest(print_inputs, page.inputs, page.written)


def site_inputs(renderer: Renderer, config_text: str) -> str:
    """What every page depends on besides itself: sitegen, the settings, the tables there
    are. What a page shows of other pages (the navigation, breadcrumbs, lists: their
    titles and places) is not here but in its record's views, found while it was
    rendered (Fingerprints.view): a title changed remakes the pages that show it, a
    body changed that page alone."""
    epoch = renderer.config.source_date
    return digest(__version__, config_text, str(epoch), "\n".join(sorted(renderer.tables)))


def page_inputs(around: str, page: Page, front_matter: str) -> str:
    """A page's own inputs, on top of the site's (its source by its name in the project,
    not its path: `sitegen build` and `sitegen build -C /path/to/it` make the same)."""
    return digest(around, page.source_name, page.url, page.pdf_name, str(page.body_line),
                  front_matter, page.body)


def front_matter_json(page: Page) -> str:
    return f"{_json(page.meta)}\t{_json(page.details)}"


def _json(model: object) -> str:
    """A front-matter model as JSON (pydantic writes it in Rust: quick even for 50,000 pages)."""
    if model is None:
        return ""
    try:
        return model.model_dump_json()  # type: ignore[attr-defined]
    except Exception:  # not a pydantic model, or a value JSON cannot hold
        return repr(model)


def check_output_paths(renderer: Renderer, static: Mapping[str, Path]) -> None:
    """Raise ContentError when two outputs would be one file, or one a folder the other needs
    (a page with `slug: index.html` or `slug: static/css/site.css`), naming both; before
    anything is written, so that no output silently replaces another."""
    claims: list[tuple[str, str, Page | None]] = []  # (output, what makes it, the page that does)
    content, config = renderer.content, renderer.config
    for page in content.pages:
        claims.append((page.output_path, page.source_name, page))
        if page.wants_pdf:
            claims.append((page.pdf_path, f"the PDF of {page.source_name}", page))
    for table in renderer.tables.values():
        claims += [(output, f"the table {table.name}", None) for output, _ in table.outputs]
    claims += [(asset.output_path, f"content/{asset.output_path}", None) for asset in content.assets]
    claims += [(output, relative_name(source, config.project_dir) if source.is_relative_to(config.project_dir)
                else f"the theme's {output}", None) for output, source in static.items()]
    indexed = shard_count(sum(1 for page in content.pages if page.meta.layout not in NOT_INDEXED))
    claims += [(shard_path(number, indexed), "the search index", None) for number in range(indexed)]
    claims += [(INDEX_PATH, "the search index", None), (NOT_FOUND_PATH, "the 404 page", None),
               (SITEMAP_PATH, "the site map", None)]
    problems = _collisions(claims)
    if problems:
        raise ContentError(f"{counted(len(problems), 'output')} would overwrite another", problems)


def _collisions(claims: list[tuple[str, str, Page | None]]) -> list[Problem]:
    first: dict[str, tuple[str, Page | None]] = {}
    problems = []

    def problem(maker: str, page: Page | None, text: str) -> Problem:
        if page is None:
            return Problem(maker, None, None, text)
        return Problem(page.source_name, source_line(page, "slug:") if page.meta.slug is not None else None,
                       "slug" if page.meta.slug is not None else None, text)

    for output, maker, page in claims:
        if output in first and first[output][0] != maker:
            other, other_page = first[output]
            blamed, named = sorted([(maker, page), (other, other_page)], key=_blame_order)
            problems.append(problem(*blamed, f"{blamed[0]} and {named[0]} both make site/{output}"))
        first.setdefault(output, (maker, page))
    for output, (maker, page) in first.items():
        parts = output.split("/")
        for end in range(1, len(parts)):
            folder = "/".join(parts[:end])
            if folder in first:
                other, other_page = first[folder]
                blamed = min((maker, page), (other, other_page), key=_blame_order)
                problems.append(problem(*blamed, f"{maker} makes site/{output}, inside site/{folder}, "
                                                 f"which {other} makes as a file"))
    return problems


def _blame_order(claim: tuple[str, Page | None]) -> int:
    """Whose file a collision is reported at: a page's, else a project file's, else what sitegen makes."""
    maker, page = claim
    return 0 if page is not None else 1 if " " not in maker else 2


@dataclass
class Outputs:
    """This build's staging folder, the last build's records, and what has been made."""

    renderer: Renderer
    state: BuildState
    staging: Path | None  # None for `sitegen check`: render, keep nothing
    site_dir: Path
    jobs: int | None = None
    pdfs_later: bool = False  # leave PDFs to be laid out by a build that follows (see `later`)
    table_digests: Mapping[str, str] = field(default_factory=dict)  # today's tables' (from the load memo)
    made: int = 0  # outputs made anew (the rest were kept)
    kept: int = 0

    def __post_init__(self) -> None:
        self.fingerprints = Fingerprints(self.renderer, dict(self.table_digests))
        self.kept_pages: set[str] = set()  # URLs of the pages kept from the last build
        self.fresh_words: dict[str, PageWords] = {}  # the search terms of the pages rendered anew
        self._links: dict[Link, Link] = {}
        self.pending: list[str] = []  # URLs of the pages whose PDF is left to a later build
        self.around = ""  # what every page depends on besides itself (site_inputs), once pages() has run

    def later(self, output: str, page: Page) -> None:
        """Leave the PDF OUTPUT of PAGE to a build that follows (`sitegen serve` reloads the
        pages first): the last build's file stays meanwhile, if there is one, recorded as
        made from nothing, so that the next build lays it out."""
        self.pending.append(page.url)
        site_file = self.site_dir / output
        if self.staging is None or not site_file.is_file():
            return
        status = site_file.stat()
        written = link_into(self.staging, output, site_file, WrittenFile("", status.st_size, status.st_mtime_ns,
                                                                          status.st_ino))
        self.state.keep(output, OutputRecord(inputs="", written=""), written)

    # ---- any output ---------------------------------------------------------------------

    def current(self, output: str, inputs: str, page: Page | None = None) -> tuple[OutputRecord, WrittenFile] | None:
        """The last build's record of OUTPUT (of PAGE, if a page's) and its file in site/,
        if its inputs are unchanged and site/ still holds the file that build wrote."""
        record = self.state.record_of(output)
        if record is None or record.inputs != inputs:
            return None
        if isinstance(record, PageRecord | PrintRecord) and not self.fingerprints.unchanged(record, page):
            return None
        written = self.state.reusable(output, record.written, self.site_dir)
        return None if written is None else (record, written)

    def reuse(self, output: str, inputs: str, page: Page | None = None) -> OutputRecord | None:
        """Keep the last build's OUTPUT (of PAGE, if a page's) in the new site if its inputs are unchanged."""
        found = self.current(output, inputs, page) if self.staging is not None else None
        if found is None:
            return None
        record, written = found
        self.state.keep(output, record, link_into(self.staging, output, os.path.join(self.site_dir, output), written))
        self.kept += 1
        return record

    def write(self, output: str, inputs: str, data: bytes | Callable[[BinaryIO], None]) -> None:
        """Write a freshly made output (bytes, or a writer streaming them) into the new site and record it."""
        if self.staging is not None:
            written = write_into(self.staging, output, data)
            self.state.keep(output, OutputRecord(inputs, written.digest), written)
        self.made += 1

    def put(self, output: str, data: bytes) -> None:
        """An output cheap to make, made every build: kept when its bytes are the same."""
        inputs = file_digest(data)
        if self.reuse(output, inputs) is None:
            self.write(output, inputs, data)

    def file(self, output: str, source: Path) -> None:
        """A file copied as it is (static files, images under content/)."""
        self.put(output, source.read_bytes())  # a copy: site/ must never share the author's file

    def finish(self, recycled: bool) -> None:
        """Take out of a recycled staging folder whatever this build did not make or keep."""
        if self.staging is not None and recycled:
            prune(self.staging, set(self.state.written), self.state.previous_fact("held"))
        # After the swap the old site becomes the next build's staging folder: what it holds.
        self.state.facts["held"] = self.state.previous_files

    # ---- pages -----------------------------------------------------------------------------

    def pages(self, config_text: str, keep_body: set[str], progress: Progress | None = None) -> list[tuple[Page, PageRecord]]:
        """Every page: kept when nothing it was made from changed, else rendered (in parallel)."""
        pages = self.renderer.content.pages
        front_matter = self.site_around(config_text)
        inputs = {page.url: page_inputs(self.around, page, front_matter[page.url]) for page in pages}
        records: dict[str, PageRecord] = {}
        stale: list[Page] = []
        for page in pages:
            kept = self.reuse(page.output_path, inputs[page.url], page)
            if isinstance(kept, PageRecord) and (kept.body_html is not None or page.url not in keep_body):
                records[page.url] = kept
                self.kept_pages.add(page.url)
            else:
                stale.append(page)
        failures: dict[str, list[Problem]] = {}
        render = _PageJob(self.renderer, self.staging, keep_body, inputs, self.fingerprints)
        stale.sort(key=lambda page: not self.renderer.draws_charts(page))  # the costliest first, on one worker
        for number, (page, result) in enumerate(zip(stale, in_parallel(render, stale, self.jobs)), start=1):
            if isinstance(result, list):
                failures[page.url] = result
            else:
                record, written, words = result
                record = replace(record, links=shared_links(record.links, self._links))
                if words is not None:
                    self.fresh_words[page.url] = words
                records[page.url] = record
                if written is not None:
                    self.state.keep(page.output_path, record, written)
                self.made += 1
            if progress is not None and number < len(stale):
                progress(number, len(stale))
        if failures:
            problems = [problem for page in pages for problem in failures.get(page.url, [])]  # in the pages' order
            failed = len({p.file for p in problems})
            raise TemplateError(f"{counted(failed, 'file')} could not be rendered", problems)
        if progress is not None:
            progress(len(stale), len(stale))  # "done" only once every page is
        return [(page, records[page.url]) for page in pages]

    def site_around(self, config_text: str) -> dict[str, str]:
        """Work out what every page depends on besides itself (`around`) and what the view
        of every page shows now; each page's front matter as JSON, by URL."""
        front_matter = self.fingerprints.front_matter = {
            page.url: front_matter_json(page) for page in self.renderer.content.pages}
        every_page = self.fingerprints.view(EVERY_PAGE_VIEW)
        self.fingerprints.views_as_before = self.state.previous_fact("every page") == every_page
        self.state.facts["every page"] = every_page
        self.around = site_inputs(self.renderer, config_text)
        return front_matter

    # ---- PDFs ----------------------------------------------------------------------------

    def page_pdfs(self, pages: Sequence[tuple[Page, PageRecord]], print_inputs: str,
                  progress: Progress | None = None) -> int:
        """The PDF of each page laid out as one document. Whether one is current is decided
        from the records (the page's, and the tables and templates its print HTML used),
        never by making its print HTML again: that HTML, and the charts in it, are made
        only for a PDF laid out anew (in the workers, beside its layout)."""
        stale = []
        for page, record in pages:
            inputs = pdf_inputs(print_inputs, record)
            if self.reuse(page.pdf_path, inputs, page) is not None:
                continue
            if self.pdfs_later:
                self.later(page.pdf_path, page)
            else:
                stale.append((page, record, inputs))
        if not stale:
            return len(pages)
        from sitegen.pdf.layout import (
            write_pdf,  # WeasyPrint (a second to import) loads only when a PDF is made
        )

        def lay_out(job: tuple[Page, PageRecord, str]) -> tuple[bytes, PageDependencies] | list[Problem]:
            page, record, _ = job
            deps = PageDependencies()
            try:
                if record.body_html is None:  # a record copy (copy_pdfs): rendered here
                    rendered = self.renderer.render_page(page)
                    deps.tables |= rendered.tables
                    deps.templates |= rendered.templates
                    deps.views |= rendered.views
                else:
                    rendered = record.rendered(page)
                html = self.renderer.print_html(rendered, deps)
                return write_pdf(self.renderer.config, html, page), deps
            except SitegenError as exc:
                return exc.problems or [Problem(page.source_name, None, None, str(exc))]

        problems: list[Problem] = []
        for number, (job, made) in enumerate(zip(stale, in_parallel(lay_out, stale, self.jobs, smallest=2)), start=1):
            if isinstance(made, list):
                problems += made
            else:
                page, _, inputs = job
                self.write_printed(page.pdf_path, page, inputs, *made)
            if progress is not None:
                progress(number, len(stale))
        if problems:
            raise SitegenError(f"{counted(len({p.file for p in problems}), 'PDF')} could not be made", problems)
        return len(pages)

    def write_printed(self, output: str, page: Page, inputs: str, data: bytes, deps: PageDependencies) -> None:
        """Write what was made from PAGE's print HTML, recording what that HTML used (PrintRecord)."""
        if self.staging is not None:
            written = write_into(self.staging, output, data)
            self.state.keep(output, PrintRecord(
                inputs, written.digest,
                tables=tuple((n, self.fingerprints.table(n, page)) for n in sorted(deps.tables)),
                templates=tuple((n, self.fingerprints.template(n)) for n in sorted(deps.templates)),
                views=tuple((view, self.fingerprints.view(view)) for view in sorted(deps.views)),
            ), written)
        self.made += 1

    def copy_pdfs(self, versions: Sequence[Page], print_inputs: str, progress: Progress | None = None) -> int:
        """The PDF of each version of an issued paper as issued (its record copy), kept,
        like a page's, while the version's text and front matter, the site around it and
        what it used are unchanged: made from its record, so today's tables are not among them."""
        return self.page_pdfs([(version, self._copy_record(version)) for version in versions], print_inputs, progress)

    def _copy_record(self, version: Page) -> PageRecord:
        """What an issued version's PDF is made from, in place of a rendered page's record."""
        return PageRecord(inputs=page_inputs(self.around, version, front_matter_json(version)), written="",
                          tables=(), templates=(), links=PageLinks((), frozenset(), frozenset()), toc=(),
                          body_html=None, words=None)

    def site_pdf(self, page: Page, print_inputs: str, version: bool = False) -> bytes | None:
        """The PDF of PAGE (of an issued `version`) in site/, if the last build would keep it
        as it is: judged, as `page_pdfs` judges it, from the records of the page and of its
        PDF alone, nothing rendered; and read back whole, its bytes the ones recorded.
        For `sitegen pack`, with the last build's state (BuildState.last_build) and `site_around` done."""
        if version:
            record = self._copy_record(page)
        else:
            record = self.state.record_of(page.output_path)
            inputs = page_inputs(self.around, page, front_matter_json(page))
            if not isinstance(record, PageRecord) or record.inputs != inputs or \
                    not self.fingerprints.unchanged(record, page):
                return None
        found = self.current(page.pdf_path, pdf_inputs(print_inputs, record), page)
        if found is None:
            return None
        try:
            data = (self.site_dir / page.pdf_path).read_bytes()
        except OSError:
            return None
        return data if file_digest(data) == found[0].written else None


@dataclass
class _PageJob:
    """Render one page in a worker: write its HTML, return its record (never the HTML)."""

    renderer: Renderer
    staging: Path | None
    keep_body: set[str]
    inputs: Mapping[str, str]
    fingerprints: Fingerprints

    def __call__(self, page: Page) -> tuple[PageRecord, WrittenFile | None, PageWords | None] | list[Problem]:
        try:
            rendered = self.renderer.render_page(page)
        except TemplateError as exc:
            return exc.problems
        data = rendered.html.encode("utf-8")
        words = None if page.meta.layout in NOT_INDEXED else page_words(page, page_text(rendered.html))
        record = PageRecord(
            inputs=self.inputs[page.url],
            written=file_digest(data),
            tables=tuple((n, self.fingerprints.table(n, page)) for n in sorted(rendered.tables)),
            templates=tuple((n, self.fingerprints.template(n)) for n in sorted(rendered.templates)),
            links=collect_links(rendered.html, rendered.body_html),
            toc=rendered.toc,
            body_html=rendered.body_html if page.url in self.keep_body else None,
            words=None if words is None else words.digest,
            views=tuple((view, self.fingerprints.view(view)) for view in sorted(rendered.views)),
        )
        written = write_into(self.staging, page.output_path, data) if self.staging is not None else None
        return record, written, words
