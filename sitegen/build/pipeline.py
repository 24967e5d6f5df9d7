"""The build pipeline, top to bottom: data → validate → tables → content (project.py)
→ HTML → links → PDFs → search index, tables and files → swap.

`build(config, options)` takes a configuration already read and checked
(`config.load_config`). Nothing reaches `site/` until everything has been read,
validated and rendered: the output is written into a folder beside it and swapped in
at the end, so a failed build leaves the site already published as it was. Each
output is made only if its inputs changed since the last build (outputs.py, with the
records in state.py); with nothing changed at all, the build stops before loading
anything (state.unchanged_build).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.build.atomic import STAGING_PREFIX, hold, output_lock, recover, swap_in
from sitegen.build.files import empty_trash
from sitegen.build.links import check_links, link_targets, still_fine
from sitegen.build.office import office_paths, write_office
from sitegen.build.outputs import (
    Outputs,
    PageRecord,
    check_output_paths,
    front_matter_json,
    page_inputs,
    table_fingerprint,
)
from sitegen.build.result import BuildResult
from sitegen.build.search import (
    INDEX_PATH,
    PageWords,
    manifest_script,
    page_text,
    page_words,
    search_document,
    shard_count,
    shard_inputs,
    shard_of,
    shard_path,
    shard_script,
)
from sitegen.build.state import (
    CACHE_DIR,
    CHARTS_DIR,
    TEMPLATES_DIR,
    BuildState,
    TermCache,
    digest,
    inputs_state,
    read_memo,
    save_memo,
    site_state,
    unchanged_build,
)
from sitegen.config import Config
from sitegen.content.agenda import agenda
from sitegen.content.facets import partner_sectors
from sitegen.content.pages import Page
from sitegen.pdf.margins import PDF_FORMAT
from sitegen.pdf.packs import pack_html, render_pack
from sitegen.project import LoadMemo, Project, load_project
from sitegen.records.issued import Records
from sitegen.render.chartcache import ChartCache
from sitegen.render.navigation import EVERY_PAGE_VIEW
from sitegen.render.pages import Renderer, static_dirs
from sitegen.render.wayfinding import site_level_files
from sitegen.tables.table import Table
from sitegen.workers import in_parallel

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildOptions:
    """How to build, as the command line says; none of it changes what is made."""

    strict: bool = False  # warnings are fatal
    clean: bool = False  # trust nothing the last build made: make every output anew
    jobs: int | None = None  # processes rendering pages and laying out PDFs (None: one per core)
    progress: Progress | None = None
    # Make everything but the PDFs that must be laid out again, which keep their last
    # build's file meanwhile and are left to the build that follows (`sitegen serve`
    # shows the pages first); such a build is never taken for one with nothing to do.
    pdfs_later: bool = False


@dataclass(frozen=True)
class Loaded:
    """A project read for a build: the state of its inputs taken before reading them, and
    what was read (`sitegen serve` reads it in the server and builds it in a child)."""

    inputs: str
    project: Project
    started: float
    table_digests: dict[str, str]  # each table's (outputs.table_fingerprint), kept in the load memo
    records: Mapping[bytes, Any] = field(default_factory=dict)  # the last build's records, decoded (state.decoded_records)


def check(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Everything a build does short of PDFs and writing: data, pages, templates, links."""
    started = time.perf_counter()
    project = load_project(config, options.strict)
    renderer = Renderer(project.config, project.tables, project.content, project.records.page_tables)
    check_output_paths(renderer, static_files(project.config))
    outputs = Outputs(renderer, BuildState.unsaved(config.project_dir), None, config.output_dir, options.jobs)
    pages = outputs.pages(_config_text(project.config), keep_body=set())
    extra_files = [*site_level_files(renderer, project.content.pages), INDEX_PATH, *office_paths(project, pages),
                   *project.records.pdf_paths]
    check_links(project, [(page, record.links) for page, record in pages], extra_files)
    return BuildResult(
        len(project.content.pages), sum(1 for table in project.tables.values() if not table.absent), 0,
        project.warnings,
        time.perf_counter() - started, None,
    )


def build(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the whole site and its PDF papers into `site/`, atomically.

    Outputs whose inputs are unchanged since the last build are kept from it
    (`options.clean` makes everything anew); the rest are made on `options.jobs` processes.
    What loading the project computed from files that have not changed is kept in the
    build state too (project.LoadMemo).
    """
    memo = read_memo(config.project_dir) if not options.clean else LoadMemo()
    loaded = load(config, options, memo)
    if isinstance(loaded, BuildResult):
        return loaded
    if memo.changed:
        save_memo(config.project_dir, memo)
    return build_loaded(config, options, loaded)


def load(config: Config, options: BuildOptions, memo: LoadMemo) -> Loaded | BuildResult:
    """The project read for a build, or the last build's report when nothing changed since."""
    started = time.perf_counter()
    project_dir = config.project_dir
    recover(config.output_dir)  # undo what a build killed midway left beside site/
    inputs = inputs_state(project_dir, options.strict, config.command_line_base_url)  # before anything is read
    if not options.clean and (unchanged := unchanged_build(project_dir, options.strict,
                                                           config.command_line_base_url, inputs)) is not None:
        return unchanged
    project = load_project(config, options.strict, memo=memo)
    epoch = str(config.source_date)
    table_digests = memo.remember(("table digests", epoch), lambda: {name: table_fingerprint(table)
                                                                     for name, table in project.tables.items()},
                                  config.source, config.data_dir)
    memo.forget_unused()
    return Loaded(inputs, project, started, table_digests)


def build_loaded(config: Config, options: BuildOptions, loaded: Loaded) -> BuildResult:
    """The build of a project read by `load`."""
    started, project = loaded.started, loaded.project
    wall_started = time.time() - 2  # what files written in this build are newer than (file times are coarse)
    progress = options.progress or (lambda stage, done, total: None)
    project_dir = config.project_dir
    renderer = Renderer(config, project.tables, project.content, project.records.page_tables,
                        chart_cache=ChartCache(project_dir / CACHE_DIR / CHARTS_DIR, reuse=not options.clean),
                        compiled_templates=project_dir / CACHE_DIR / TEMPLATES_DIR)
    check_output_paths(renderer, static_files(config))
    previous_site = project_dir / CACHE_DIR / "previous-site"
    state = BuildState.open(project_dir, use_previous=not options.clean, decoded=loaded.records)
    with contextlib.closing(state), staging_folder(config, previous_site) as (staging, recycled):
        outputs = Outputs(renderer, state, staging, config.output_dir, options.jobs, options.pdfs_later,
                          loaded.table_digests)
        config_text = _config_text(config)
        pages = outputs.pages(config_text, _bodies_needed(project), lambda done, total: progress("pages", done, total))
        site_level = site_level_files(renderer, project.content.pages)
        _check_links(project, pages, [*site_level, INDEX_PATH, *office_paths(project, pages), *project.records.pdf_paths],
                     outputs, state)
        print_inputs = _print_inputs(config, project, config_text)
        pdfs = outputs.page_pdfs([(page, record) for page, record in pages
                                  if page.wants_pdf and page.meta.layout != "meeting"],  # packs: _write_packs
                                 print_inputs, lambda done, total: progress("PDFs of pages", done, total))
        versions = {version.pdf_path: version for paper in project.records.papers for version in paper.versions}
        pdfs += outputs.copy_pdfs([version for version in versions.values() if version.meta.pdf], print_inputs,
                                  lambda done, total: progress("PDFs of issued versions", done, total))
        pdfs += _write_packs(renderer, pages, outputs, print_inputs, state, project.records, versions,
                             lambda done, total: progress("agenda packs", done, total))
        published = published_tables(project, pages)
        write_office(project, published, renderer, pages, outputs, config_text)  # workbooks and Word papers
        _write_search_index(project, pages, outputs, state.terms(), staging)
        _write_files(project, published, site_level, outputs)
        outputs.finish(recycled)
        result = BuildResult(
            len(pages), len(published), pdfs, project.warnings,
            time.perf_counter() - started, config.output_dir, made=outputs.made, kept=outputs.kept,
            pending=tuple(dict.fromkeys(outputs.pending)),
        )
        inputs = loaded.inputs if not outputs.pending else ""  # PDFs to follow: the next build has work
        with output_lock(project_dir):  # one build writes at a time
            state.save(inputs, site_state(config.output_dir, state.written), result.as_summary(), staging)
            swap_in(staging, config.output_dir, keep_old=previous_site)  # commits the state saved with it
    empty_trash(project_dir)
    if options.clean and not outputs.pending:  # every chart shown was drawn: the others are of rows gone
        renderer.charts.prune(drawn_since=wall_started)
    log.info("%d outputs made, %d kept from the last build", outputs.made, outputs.kept)
    return replace(result, seconds=time.perf_counter() - started)


@contextlib.contextmanager
def staging_folder(config: Config, recycle: Path) -> Iterator[tuple[Path, bool]]:
    """The folder beside site/ that the new site is made in, and whether it is recycled.

    It is the site before last (`recycle`, kept by the last build) when there is one:
    most of its files are already the ones this build keeps, so bringing it up to
    date costs a few writes instead of a hard link per file. A clean build recycles it
    too, trusting none of its files (each output is written anew, the rest pruned):
    deleting a tree of thousands of folders instead takes seconds.
    """
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=config.project_dir))
    recycled = False
    with contextlib.ExitStack() as stack:
        with output_lock(config.project_dir):  # recover() in another build must not take it
            if recycle.is_dir():
                staging.rmdir()
                recycle.rename(staging)
                recycled = True
            stack.enter_context(hold(staging))  # in use until this build is done with it
        try:
            yield staging, recycled
        except KeyboardInterrupt:
            raise  # Ctrl-C stops at once: the next build's recover() removes the folder
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # not swapped in: what it holds is unknown
            raise


def _check_links(
    project: Project, pages: list[tuple[Page, PageRecord]], extra_files: list[str], outputs: Outputs, state: BuildState
) -> None:
    """Every link and anchor of every page leads somewhere; a page kept from the last
    build is not checked again while nothing its links lead to has changed."""
    page_links = [(page, record.links) for page, record in pages]
    targets = link_targets(project, page_links, extra_files)
    fine = still_fine(state.previous_fact("link_targets"), targets)
    check_links(project, page_links, extra_files,
                checked_before=lambda page, found: page.url in outputs.kept_pages and fine(page, found))
    state.facts["link_targets"] = targets


def _write_packs(renderer: Renderer, pages: list[tuple[Page, PageRecord]], outputs: Outputs, print_inputs: str,
                 state: BuildState, records: Records, versions: Mapping[str, Page],
                 progress: Callable[[int, int], None]) -> int:
    """Each meeting's agenda pack, put together from its papers' own PDFs, made or kept by
    this build just before (pdf/packs.py): kept while nothing it shows changed; no paper
    is laid out a second time for it (a page without a PDF of its own is laid out for
    the pack, and kept in the build state while unchanged). An issued
    pack is made from its record: the meeting and the papers as they went out, and papers
    added since go in a supplementary pack. `versions`: every version of every issued
    paper as issued, by its PDF (papers/<name>-v<N>.pdf), rendered for an issued pack.

    A pack is kept without making its HTML while what that HTML is made from is as
    the last build found it (`_pack_sources`); else the HTML decides, as it always may."""
    by_url = {page.url: record.rendered(page) for page, record in pages if record.body_html is not None}
    sources = _pack_sources(renderer, pages, outputs, print_inputs, records, versions)
    known = state.previous_fact("pack sources") or {}
    made = []
    meetings = [page for page, _ in pages if page.wants_pdf and page.meta.layout == "meeting"]
    for done, page in enumerate(meetings, start=1):
        issued = records.packs.get(page.url)
        paths = [page.pdf_path] + ([issued.supplement.pdf_path] if issued and issued.supplement else [])
        if all(known.get(path, ("", ""))[0] == sources and outputs.reuse(path, known[path][1]) for path in paths):
            state.facts.setdefault("pack sources", {}).update({path: known[path] for path in paths})
            made += paths
            progress(done, len(meetings))
            continue
        packs = [(page.pdf_path, by_url[page.url], by_url)]
        if issued is not None:
            copies = {url: renderer.render_page(versions[paper.pdf_path]) for url, paper in issued.papers.items()}
            packs = [(page.pdf_path, renderer.render_page(issued.meeting), by_url | copies)]
            if issued.supplement is not None:
                packs.append((issued.supplement.pdf_path, renderer.render_page(issued.supplement), by_url))
        for pdf_path, meeting, papers in packs:
            inputs = digest(print_inputs, pack_html(renderer, meeting, papers))  # all the pack shows
            if outputs.reuse(pdf_path, inputs) is not None:
                pass
            elif outputs.pdfs_later:
                outputs.later(pdf_path, page)
                continue  # not made: nothing to remember of it
            else:
                outputs.write(pdf_path, inputs, render_pack(renderer, meeting, papers, outputs.jobs,
                                                            functools.partial(_made_pdf, outputs, state),
                                                            state.parts(pdf_path, print_inputs)))
            state.facts.setdefault("pack sources", {})[pdf_path] = (sources, inputs)
            made.append(pdf_path)
        progress(done, len(meetings))
    state.forget_packs_except(made)  # meetings no longer in the site
    return len(made)


def _pack_sources(renderer: Renderer, pages: list[tuple[Page, PageRecord]], outputs: Outputs, print_inputs: str,
                  records: Records, versions: Mapping[str, Page]) -> str:
    """A digest of all any pack's HTML is made from, without making it: the files every
    PDF loads, the site (every page's front matter, the settings), each page's record
    whose article a pack may show (what it was made from and what was written), each
    issued page's text and front matter, every template and every table. Coarse (a
    change to any of them makes the packs' HTML again, to compare), never wrong."""
    fingerprints = outputs.fingerprints
    issued_pages = [*versions.values(), *(pack.meeting for pack in records.packs.values()),
                    *(pack.supplement for pack in records.packs.values() if pack.supplement is not None)]
    assert renderer.env.loader is not None
    return digest(
        print_inputs, outputs.around, fingerprints.view(EVERY_PAGE_VIEW),
        *(f"{page.url}\t{record.inputs}\t{record.written}" for page, record in pages if record.body_html is not None),
        *(f"{page.source_name}\t{page_inputs(outputs.around, page, front_matter_json(page))}\t"
          + " ".join(fingerprints.table(name, page) for name in sorted(renderer.page_tables.get(page.source_name, {})))
          for page in issued_pages),
        *(f"{name}\t{fingerprints.template(name)}" for name in sorted(renderer.env.list_templates())),
        *(f"{name}\t{fingerprints.table(name)}" for name in sorted(renderer.tables)),
    )


def _made_pdf(outputs: Outputs, state: BuildState, paper: Page) -> bytes | None:
    """The PDF this build has made or kept for a paper, as it stands in the staging folder."""
    path = paper.pdf_path
    if outputs.staging is None or path not in state.written or not paper.meta.pdf:
        return None
    return (outputs.staging / path).read_bytes()


def meeting_pack(config: Config, project: Project, meeting: Page, confidential: bool = False,
                 jobs: int | None = None) -> bytes:
    """`sitegen pack`: the agenda pack of MEETING, the bytes a build makes of it. A paper's
    PDF is taken from site/ while the last build's records show it current, judged as a
    build judges it (`Outputs.site_pdf`: nothing rendered to find out); the others (a
    paper changed since, one with no PDF of its own) are laid out, on `jobs` processes.
    Nothing is written but the pack. An issued pack is made from its record, as the build makes it."""
    renderer = Renderer(config, project.tables, project.content, project.records.page_tables)
    outputs = Outputs(renderer, BuildState.last_build(config.project_dir), None, config.output_dir, jobs)
    config_text = _config_text(config)
    outputs.site_around(config_text)
    print_inputs = _print_inputs(config, project, config_text)
    versions = {version.pdf_path: version for paper in project.records.papers for version in paper.versions}

    def site_pdf(paper: Page) -> bytes | None:
        return outputs.site_pdf(paper, print_inputs, version=paper.pdf_path in versions) if paper.meta.pdf else None

    issued = project.records.packs.get(meeting.url)
    if issued is None or confidential:
        return render_pack(renderer, renderer.render_page(meeting), None, jobs, site_pdf, confidential=confidential)
    papers = {url: versions.get(paper.pdf_path, paper) for url, paper in issued.papers.items()}
    return render_pack(renderer, renderer.render_page(issued.meeting), papers, jobs, site_pdf)


def _write_search_index(project: Project, pages: list[tuple[Page, PageRecord]], outputs: Outputs,
                        terms: TermCache, staging: Path) -> None:
    """search/index.js and its shards, from the terms of every indexed page. A shard is
    kept while its pages' words and results are unchanged; one being rebuilt takes the
    terms of pages rendered now from the renderers, of the others from the term cache
    (or, failing that, from their HTML in the staging folder)."""
    indexed = [(page, record.words) for page, record in pages if record.words is not None]
    sectors = partner_sectors(project.tables)
    count = shard_count(len(indexed))
    shards: dict[str, list[tuple[Page, str]]] = {}
    for page, words in indexed:
        shards.setdefault(shard_path(shard_of(page.url, count), count), []).append((page, words))
    outputs.put(INDEX_PATH, manifest_script(sorted(shards)).encode("utf-8"))
    stale = []
    for output, members in sorted(shards.items()):
        documents = [search_document(page, sectors) for page, _ in members]
        inputs = shard_inputs(documents, [words for _, words in members])
        if outputs.reuse(output, inputs) is None:
            stale.append((output, inputs, documents, members))

    def make_shard(job: tuple[str, str, list[dict[str, str]], list[tuple[Page, str]]]) -> bytes:
        output, _, documents, members = job
        cached = terms.load(output)
        found: dict[str, PageWords] = {}
        for page, words in members:
            known = outputs.fresh_words.get(page.url) or cached.get(page.url)
            if known is None or known.digest != words:
                known = page_words(page, page_text((staging / page.output_path).read_text(encoding="utf-8")))
            found[page.url] = known
        terms.save(output, found)
        return shard_script(documents, [found[page.url].terms for page, _ in members]).encode("utf-8")

    for job, data in zip(stale, in_parallel(make_shard, stale, outputs.jobs, smallest=2)):
        outputs.write(job[0], job[1], data)
    terms.keep_only(shards)


def published_tables(project: Project, pages: list[tuple[Page, PageRecord]]) -> list[Table]:
    """The tables the site publishes: every one with its data, and one whose data files
    the project does not have (a project of papers alone has no returns) only where a
    page shows it, so that its links hold."""
    shown = {name for _, record in pages for name, _ in record.tables}
    return [table for table in project.tables.values() if not table.absent or table.name in shown]


def _write_files(project: Project, published: list[Table], site_level: dict[str, bytes], outputs: Outputs) -> None:
    """The tables as CSV and JSON (streamed), 404.html and sitemap.xml, images and static files."""
    for table in published:
        fingerprint = outputs.fingerprints.table(table.name)
        for output, writer in table.outputs:
            if outputs.reuse(output, fingerprint) is None:
                outputs.write(output, fingerprint, writer)
    for output, data in site_level.items():
        outputs.put(output, data)
    for asset in project.content.assets:
        outputs.file(asset.output_path, asset.source)
    for output, source in static_files(project.config).items():
        outputs.file(output, source)


def _config_text(config: Config) -> str:
    return config.source.read_text(encoding="utf-8") if config.source.is_file() else ""


def _bodies_needed(project: Project) -> set[str]:
    """Pages whose article a PDF is made from: papers, and every page an agenda packs."""
    needed = {page.url for page in project.content.pages if page.wants_pdf or page.meta.layout == "paper"}
    for page in project.content.pages:
        if page.meta.layout == "meeting":
            needed |= {item.paper.url for item in agenda(page, project.content) if item.paper is not None}
    return needed


def _print_inputs(config: Config, project: Project, config_text: str) -> str:
    """What every PDF depends on besides its print HTML: the files it may load (static
    files, images under content/), the settings, the date stamp and sitegen itself."""
    files = [(output, path) for output, path in static_files(config).items()]
    files += [(asset.output_path, asset.source) for asset in project.content.assets]
    loaded = "\n".join(f"{output} {digest(path.read_bytes())}" for output, path in sorted(files))
    return digest(__version__, PDF_FORMAT, config_text, str(config.source_date), loaded)


def static_files(config: Config) -> dict[str, Path]:
    """site/static/… → its source: the theme's files, overridden file by file by the project's static/."""
    found: dict[str, Path] = {}
    for folder in reversed(static_dirs(config)):  # theme first, project overwrites
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            found["static/" + path.relative_to(folder).as_posix()] = path
    return found
