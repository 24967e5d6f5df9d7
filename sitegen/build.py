"""The build pipeline, top to bottom: config → data → validate → tables → content →
HTML → PDFs → write.

Nothing reaches `site/` until everything has been read, validated and rendered: the
output is written into a fresh folder beside it and swapped in at the end, so a
failed build leaves the site already published as it was.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.atomic import STAGING_PREFIX, output_lock, recover, swap_in
from sitegen.config import Config, load_config
from sitegen.content import ContentTree, load_content
from sitegen.data import Dataset, load_data
from sitegen.errors import Problem, SitegenError
from sitegen.generated import with_generated_pages
from sitegen.links import check_links
from sitegen.pack import check_agendas, render_pack
from sitegen.pdf import render_pdf
from sitegen.render import RenderedPage, Renderer, static_dirs
from sitegen.tables import Table, compute_tables

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site and what it was made from."""

    path: str  # relative to site/
    sources: tuple[str, ...]


@dataclass(frozen=True)
class BuildResult:
    pages: int
    tables: int
    pdfs: int
    warnings: tuple[Problem, ...]
    seconds: float
    output_dir: Path | None
    outputs: tuple[OutputFile, ...] = field(default=())

    def summary(self) -> str:
        where = f" into {self.output_dir}" if self.output_dir else ""
        return (
            f"{self.pages} pages, {self.tables} tables, {self.pdfs} PDFs, "
            f"{len(self.warnings)} warnings in {self.seconds:.1f} s{where}"
        )


@dataclass(frozen=True)
class Project:
    """Everything read and computed from a project, before anything is rendered."""

    config: Config
    dataset: Dataset
    tables: dict[str, Table]
    content: ContentTree
    warnings: tuple[Problem, ...]


def load_project(project_dir: Path, strict: bool = False) -> Project:
    """Load → validate → compute: every input read and checked, nothing written."""
    config = load_config(project_dir)
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


def check(project_dir: Path, strict: bool = False) -> BuildResult:
    """Everything a build does short of PDFs and writing: config, data, pages, templates."""
    started = time.perf_counter()
    project = load_project(project_dir, strict)
    renderer = Renderer(project.config, project.tables, project.content)
    check_links(project, renderer.render_all(project.content.pages))
    return BuildResult(
        len(project.content.pages), len(project.tables), 0, project.warnings,
        time.perf_counter() - started, None,
    )


def build(project_dir: Path, strict: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the whole site and its PDF papers into `site/`, atomically."""
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    recover(project_dir / "site")  # undo what a build killed midway left beside site/
    project = load_project(project_dir, strict)
    config = project.config
    renderer = Renderer(config, project.tables, project.content)
    rendered = renderer.render_all(project.content.pages, lambda done, total: report("pages", done, total))
    check_links(project, rendered)
    pdf_pages = [r for r in rendered if r.page.wants_pdf]
    pdfs: list[tuple[RenderedPage, bytes]] = []
    by_url = {r.page.url: r for r in rendered}
    for number, item in enumerate(pdf_pages, start=1):
        is_meeting = item.page.meta.layout == "meeting"
        pdfs.append((item, render_pack(renderer, item, by_url) if is_meeting else render_pdf(renderer, item)))
        report("PDFs", number, len(pdf_pages))
    with output_lock(config.project_dir):  # one build writes at a time
        outputs = write_site(config, project, rendered, pdfs)
    return BuildResult(
        len(rendered), len(project.tables), len(pdfs), project.warnings,
        time.perf_counter() - started, config.output_dir, tuple(outputs),
    )


def write_site(
    config: Config,
    project: Project,
    rendered: list[RenderedPage],
    pdfs: list[tuple[RenderedPage, bytes]],
) -> list[OutputFile]:
    """Write everything into a new folder beside site/, then swap it in."""
    target = config.output_dir
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=config.project_dir))
    outputs: list[OutputFile] = []
    try:
        for item in rendered:
            templates = tuple(f"templates/{t}" for t in sorted(item.templates))
            sources = (item.page.source_name, *templates, *_table_sources(project, item.tables))
            outputs.append(_write(staging, item.page.output_path, item.html.encode("utf-8"), sources))
        for item, data in pdfs:
            sources = (item.page.source_name, *_table_sources(project, item.tables))
            outputs.append(_write(staging, item.page.pdf_path, data, sources))
        for table in project.tables.values():
            outputs.append(_write(staging, f"tables/{table.name}.csv", table.to_csv().encode("utf-8"), table.sources))
            outputs.append(_write(staging, f"tables/{table.name}.json", table.to_json().encode("utf-8"), table.sources))
        for asset in project.content.assets:
            destination = staging / asset.output_path
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset.source, destination)
            outputs.append(OutputFile(asset.output_path, (f"content/{asset.output_path}",)))
        outputs += _copy_static(config, staging)
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return outputs


def _table_sources(project: Project, names: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({s for n in names for s in project.tables[n].sources}))


def _write(root: Path, relative: str, data: bytes, sources: tuple[str, ...]) -> OutputFile:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return OutputFile(relative, sources)


def _copy_static(config: Config, staging: Path) -> list[OutputFile]:
    """Theme static files, overridden file by file by the project's static/."""
    outputs: dict[str, OutputFile] = {}
    for folder in reversed(static_dirs(config)):  # theme first, project overwrites
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = "static/" + path.relative_to(folder).as_posix()
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            outputs[relative] = OutputFile(relative, (relative,))
    return list(outputs.values())
