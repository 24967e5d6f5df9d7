"""The build's Office outputs: each table as a workbook, each publication's tables as a
workbook beside its PDF, each committee paper as a Word document (sitegen/office/).

Each is kept from the last build while what it is made from is unchanged: a table's
values, the settings its cover shows, a paper's record and what its print HTML used
(as its PDF's: outputs.PrintRecord), and the Word template.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sitegen import __version__
from sitegen.build.outputs import Outputs, PageRecord
from sitegen.build.state import digest
from sitegen.content.pages import Page
from sitegen.office.workbook import table_workbook, workbook_bytes, workbook_info
from sitegen.project import Project
from sitegen.render.pages import PageDependencies, RenderedPage, Renderer, has_figures_workbook, has_word_copy
from sitegen.tables.table import Table
from sitegen.workers import in_parallel

TEMPLATE = "paper.docx"  # the council's Word template, in the project's templates/


def office_paths(project: Project, pages: list[tuple[Page, PageRecord]]) -> list[str]:
    """Every file this module writes, relative to site/ (for the link check)."""
    paths = [table.xlsx_path for table in project.tables.values() if table.has_workbook]
    for page, record in pages:
        if has_figures_workbook(page, _tables_of(project, record)):
            paths.append(page.figures_path)
        if has_word_copy(page):
            paths.append(page.docx_path)
    return paths


def write_office(project: Project, published: list[Table], renderer: Renderer, pages: list[tuple[Page, PageRecord]],
                 outputs: Outputs, config_text: str) -> None:
    """Write (or keep) every workbook and Word paper of the build; those to make, on every core."""
    config = project.config
    around = digest(__version__, config_text, str(config.source_date))
    stale: list[tuple[str, str, Callable[[], bytes]]] = []  # (output, inputs, how to make it)
    papers: list[tuple[Page, str, Callable[[], tuple[bytes, PageDependencies]]]] = []  # Word copies to make

    def wanted(output: str, inputs: str, make: Callable[[], bytes]) -> None:
        if outputs.reuse(output, inputs) is None:
            stale.append((output, inputs, make))

    for table in published:
        if table.has_workbook:
            wanted(table.xlsx_path, digest(around, outputs.fingerprints.table(table.name)),
                   functools.partial(table_workbook, table, config))
    template = config.templates_dir / TEMPLATE
    template_digest = digest(template.read_bytes()) if template.is_file() else ""
    for page, record in pages:
        tables = _tables_of(project, record)
        if has_figures_workbook(page, tables):
            shown = [table for table in tables if table.has_workbook]
            info = workbook_info(config, f"{page.meta.title}: tables", page.meta.date,
                                 "Draft: not yet agreed" if page.meta.status == "draft" else "Published",
                                 f"The tables of {page.meta.title}, with every row and column; "
                                 f"the publication is {page.pdf_path}.")
            wanted(page.figures_path, digest(around, repr(info), *(outputs.fingerprints.table(t.name) for t in shown)),
                   functools.partial(workbook_bytes, info, shown, config))
        if has_word_copy(page) and record.body_html is not None:
            # Kept, like its PDF, from the records: its print HTML is made only when it is made anew.
            inputs = digest(around, record.inputs, record.written, template_digest)
            if outputs.reuse(page.docx_path, inputs, page) is None:
                author = getattr(page.details, "report_of", "") or config.site.publisher or config.site.partnership
                papers.append((page, inputs, functools.partial(
                    _word_copy, renderer, record.rendered(page), title=page.meta.title, language=config.site.language,
                    author=author, date=page.meta.date, draft=page.meta.status == "draft",
                    template=template if template.is_file() else None)))
    for (output, inputs, _), data in zip(stale, in_parallel(_make, stale, outputs.jobs, smallest=4), strict=True):
        outputs.write(output, inputs, data)
    for (page, inputs, _), made in zip(papers, in_parallel(_make, papers, outputs.jobs, smallest=4), strict=True):
        outputs.write_printed(page.docx_path, page, inputs, *made)


def _word_copy(renderer: Renderer, rendered: RenderedPage, **details: Any) -> tuple[bytes, PageDependencies]:
    """A paper as Word, from its print HTML, and what that HTML used."""
    from sitegen.office.paper import paper_docx  # python-docx loads only when a Word copy is made

    deps = PageDependencies()
    html = renderer.print_html(rendered, deps)
    return paper_docx(html, **details), deps


def _make(job: tuple[Any, str, Callable[[], Any]]) -> Any:
    return job[2]()


def _tables_of(project: Project, record: PageRecord) -> list[Table]:
    return [project.tables[name] for name, _ in record.tables if name in project.tables]
