"""A project loaded: load → validate → compute, every input read and checked, nothing written."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.config import Config
from sitegen.content.agenda import with_agendas
from sitegen.content.generated import with_generated_pages
from sitegen.content.pages import ContentTree, load_content
from sitegen.data.load import Dataset, load_data
from sitegen.errors import Problem, SitegenError, link_problem, links_leading_out
from sitegen.records.issued import Records, apply_records
from sitegen.tables.compute import compute_tables
from sitegen.tables.table import Table


@dataclass(frozen=True)
class Project:
    """Everything read and computed from a project, before anything is rendered."""

    config: Config
    dataset: Dataset
    tables: dict[str, Table]
    content: ContentTree  # issued pages as their records say (sitegen/records/)
    warnings: tuple[Problem, ...]
    records: Records  # issued papers and packs; the tables each page is shown with


def load_project(config: Config, strict: bool = False, records: bool = True) -> Project:
    """Load → validate → compute → issued papers from their records: every input read and
    checked, nothing written. `records=False` leaves issued pages as their files say
    (for `sitegen issue`, which writes the records)."""
    check_theme_links(config)
    dataset = load_data(config)
    tables = compute_tables(dataset, config)
    content = with_generated_pages(config, tables, load_content(config))
    content = with_agendas(content)  # papers numbered from their meetings' agendas
    issued = apply_records(config, dataset, tables, content) if records else Records.none(content)
    warnings = tuple(config.warnings) + dataset.warnings + content.warnings + issued.warnings
    if strict and warnings:
        raise SitegenError(
            f"{len(warnings)} warning(s), and --strict makes warnings fatal", list(warnings)
        )
    return Project(config, dataset, tables, issued.content, warnings, issued)



def check_theme_links(config: Config) -> None:
    """No symbolic link in templates/ or static/ leads out of the project: a template could
    include, and the site publish, any file of the machine (content/ and data/ are
    checked as they are read)."""
    problems = [link_problem(path, config.project_dir, "not used")
                for folder in (config.templates_dir, config.static_dir)
                for path in links_leading_out(folder, config.project_dir)]
    if problems:
        raise SitegenError(f"{len(problems)} symbolic link(s) lead out of the project", problems)
