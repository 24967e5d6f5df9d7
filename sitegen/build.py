"""The build pipeline, top to bottom: config → data → validate → tables → content →
HTML → links → PDFs → search index, tables and files → swap.

Nothing reaches `site/` until everything has been read, validated and rendered: the
output is written into a folder beside it and swapped in at the end, so a failed
build leaves the site already published as it was. Each output is made only if its
inputs changed since the last build (incremental.py); with nothing changed at all, the
build stops before loading anything (result.unchanged_build).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from sitegen import __version__
from sitegen.atomic import STAGING_PREFIX, hold, output_lock, recover, swap_in
from sitegen.cache import CACHE_DIR, BuildCache, digest, empty_trash, inputs_state, remember_state, site_state
from sitegen.config import Config, load_config
from sitegen.content import ContentTree, Page, load_content
from sitegen.data import Dataset, load_data
from sitegen.errors import Problem, SitegenError
from sitegen.generated import with_generated_pages
from sitegen.incremental import Outputs, PageRecord
from sitegen.links import check_links, link_targets, still_fine
from sitegen.pack import PartCache, agenda, check_agendas, pack_html, render_pack
from sitegen.render import Renderer, static_dirs
from sitegen.result import BuildResult, unchanged_build
from sitegen.search import (
    INDEX_PATH,
    PageWords,
    TermCache,
    manifest_script,
    page_text,
    page_words,
    partner_sectors,
    search_document,
    shard_count,
    shard_inputs,
    shard_of,
    shard_path,
    shard_script,
)
from sitegen.tables import Table, compute_tables
from sitegen.wayfinding import site_level_files
from sitegen.workers import in_parallel

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Project:
    """Everything read and computed from a project, before anything is rendered."""

    config: Config
    dataset: Dataset
    tables: dict[str, Table]
    content: ContentTree
    warnings: tuple[Problem, ...]


def load_project(project_dir: Path, strict: bool = False, base_url: str | None = None) -> Project:
    """Load → validate → compute: every input read and checked, nothing written.

    `base_url` (the command line's `--base-url`) replaces `[site] base_url`."""
    config = load_config(project_dir, base_url)
    dataset = load_data(config)
    tables = compute_tables(dataset, config)
    content = with_generated_pages(config, tables, load_content(config))
    check_agendas(content)
    warnings = tuple(config.warnings) + dataset.warnings + content.warnings
    if strict and warnings:
        raise SitegenError(
            f"{len(warnings)} warning(s), and --strict makes warnings fatal", list(warnings)
        )
    return Project(config, dataset, tables, content, warnings)


def check(project_dir: Path, strict: bool = False, jobs: int | None = None, base_url: str | None = None) -> BuildResult:
    """Everything a build does short of PDFs and writing: config, data, pages, templates."""
    started = time.perf_counter()
    project = load_project(project_dir, strict, base_url)
    renderer = Renderer(project.config, project.tables, project.content)
    outputs = Outputs(renderer, BuildCache(project.config.project_dir), None, project.config.output_dir, jobs)
    pages = outputs.pages(_config_text(project.config), keep_body=set())
    extra_files = [*site_level_files(renderer, project.content.pages), INDEX_PATH]
    check_links(project, [(page, record.links) for page, record in pages], extra_files)
    return BuildResult(
        len(project.content.pages), len(project.tables), 0, project.warnings,
        time.perf_counter() - started, None,
    )


def build(
    project_dir: Path,
    strict: bool = False,
    progress: Progress | None = None,
    clean: bool = False,
    jobs: int | None = None,
    base_url: str | None = None,
) -> BuildResult:
    """Build the whole site and its PDF papers into `site/`, atomically.

    Outputs whose inputs are unchanged since the last build are kept from it
    (`clean` makes everything anew); the rest are made on `jobs` processes.
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    if not clean and (unchanged := unchanged_build(project_dir, strict, base_url)) is not None:
        return unchanged
    recover(project_dir / "site")  # undo what a build killed midway left beside site/
    inputs = inputs_state(project_dir, strict, base_url)  # as they are before anything is read
    cache = BuildCache.open(project_dir, use_previous=not clean)
    project = load_project(project_dir, strict, base_url)
    config = project.config
    renderer = Renderer(config, project.tables, project.content)
    previous_site = config.project_dir / CACHE_DIR / "previous-site"
    with staging_folder(config, previous_site) as (staging, recycled):
        outputs = Outputs(renderer, cache, staging, config.output_dir, jobs)
        config_text = _config_text(config)
        pages = outputs.pages(config_text, _bodies_needed(project), lambda done, total: report("pages", done, total))
        site_level = site_level_files(renderer, project.content.pages)
        _check_links(project, pages, [*site_level, INDEX_PATH], outputs, cache)
        print_inputs = _print_inputs(config, project, config_text)
        pdfs = outputs.pdfs(_print_jobs(renderer, pages), print_inputs,
                            lambda done, total: report("PDFs", done, total))
        pdfs += _write_packs(renderer, pages, outputs, print_inputs, use_previous=not clean)
        terms = TermCache(config.project_dir / CACHE_DIR / "search-terms", use_previous=not clean)
        _write_search_index(project, pages, outputs, terms, staging)
        _write_files(project, site_level, outputs)
        outputs.finish(recycled)
        result = BuildResult(
            len(pages), len(project.tables), pdfs, project.warnings,
            time.perf_counter() - started, config.output_dir, made=outputs.made, kept=outputs.kept,
        )
        with output_lock(config.project_dir):  # one build writes at a time
            swap_in(staging, config.output_dir, keep_old=previous_site)
            cache.save()
            remember_state(project_dir, inputs, site_state(config.output_dir, cache.current["site"]), result.as_summary())
    empty_trash(config.project_dir)
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
        finally:
            if staging.exists():  # not swapped in: the build failed, what it holds is unknown
                shutil.rmtree(staging, ignore_errors=True)


def _check_links(
    project: Project, pages: list[tuple[Page, PageRecord]], extra_files: list[str], outputs: Outputs, cache: BuildCache
) -> None:
    """Every link and anchor of every page leads somewhere; a page kept from the last
    build is not checked again while nothing its links lead to has changed."""
    page_links = [(page, record.links) for page, record in pages]
    targets = link_targets(project, page_links, extra_files)
    fine = still_fine(cache.previous.get("link_targets"), targets)
    check_links(project, page_links, extra_files,
                checked_before=lambda page, found: page.url in outputs.kept_pages and fine(page, found))
    cache.current["link_targets"] = targets


def _print_jobs(renderer: Renderer, pages: list[tuple[Page, PageRecord]]) -> list[tuple[str, Page, str]]:
    """(PDF path, page, print HTML) of every page whose PDF is laid out as one document (not an agenda pack)."""
    by_url = {page.url: record.rendered(page) for page, record in pages if record.body_html is not None}
    return [(page.pdf_path, page, renderer.print_html(by_url[page.url]))
            for page, _ in pages if page.wants_pdf and page.meta.layout != "meeting"]


def _write_packs(renderer: Renderer, pages: list[tuple[Page, PageRecord]], outputs: Outputs, print_inputs: str,
                 use_previous: bool) -> int:
    """Each meeting's agenda pack, put together from its papers laid out one by one (pack.py),
    kept while nothing it shows changed; a paper unchanged is not laid out again."""
    by_url = {page.url: record.rendered(page) for page, record in pages if record.body_html is not None}
    packs = [page for page, _ in pages if page.wants_pdf and page.meta.layout == "meeting"]
    parts_folder = renderer.config.project_dir / CACHE_DIR / "pack-parts"
    for page in packs:
        meeting = by_url[page.url]
        inputs = digest(print_inputs, pack_html(renderer, meeting, by_url))  # all the pack shows
        if outputs.reuse(page.pdf_path, inputs) is None:
            parts = PartCache(parts_folder / Path(page.pdf_path).stem, print_inputs, use_previous)
            outputs.write(page.pdf_path, inputs, render_pack(renderer, meeting, by_url, outputs.jobs, parts))
    if parts_folder.is_dir():  # the parts of meetings no longer in the site
        for folder in set(parts_folder.iterdir()) - {parts_folder / Path(page.pdf_path).stem for page in packs}:
            shutil.rmtree(folder, ignore_errors=True)
    return len(packs)


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


def _write_files(project: Project, site_level: dict[str, bytes], outputs: Outputs) -> None:
    """The tables as CSV and JSON (streamed), 404.html and sitemap.xml, images and static files."""
    for table in project.tables.values():
        fingerprint = outputs.fingerprints.table(table.name)
        for suffix, writer in (("csv", table.write_csv), ("json", table.write_json)):
            output = f"tables/{table.name}.{suffix}"
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
    needed = {page.url for page in project.content.pages if page.wants_pdf}
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
    return digest(__version__, config_text, os.environ.get("SOURCE_DATE_EPOCH", ""), loaded)


def static_files(config: Config) -> dict[str, Path]:
    """site/static/… → its source: the theme's files, overridden file by file by the project's static/."""
    found: dict[str, Path] = {}
    for folder in reversed(static_dirs(config)):  # theme first, project overwrites
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            found["static/" + path.relative_to(folder).as_posix()] = path
    return found
