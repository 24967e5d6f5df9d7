"""A project loaded: load → validate → compute, every input read and checked, nothing written."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.config import Config
from sitegen.content.agenda import check_agendas
from sitegen.content.generated import with_generated_pages
from sitegen.content.pages import ContentTree, load_content
from sitegen.data.load import Dataset, load_data
from sitegen.errors import Problem, SitegenError
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
    dataset = load_data(config)
    tables = compute_tables(dataset, config)
    content = with_generated_pages(config, tables, load_content(config))
    check_agendas(content)
    issued = apply_records(config, dataset, tables, content) if records else Records.none(content)
    warnings = tuple(config.warnings) + dataset.warnings + content.warnings + issued.warnings
    if strict and warnings:
        raise SitegenError(
            f"{len(warnings)} warning(s), and --strict makes warnings fatal", list(warnings)
        )
    return Project(config, dataset, tables, issued.content, warnings, issued)

