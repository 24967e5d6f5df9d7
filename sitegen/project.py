"""A project loaded: load → validate → compute, every input read and checked, nothing written."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.config import Config
from sitegen.content.agenda import with_agendas
from sitegen.content.generated import with_generated_pages
from sitegen.content.pages import ContentTree, load_content
from sitegen.data.load import Dataset, load_data
from sitegen.errors import Problem, SitegenError
from sitegen.tables.compute import compute_tables
from sitegen.tables.table import Table


@dataclass(frozen=True)
class Project:
    """Everything read and computed from a project, before anything is rendered."""

    config: Config
    dataset: Dataset
    tables: dict[str, Table]
    content: ContentTree
    warnings: tuple[Problem, ...]


def load_project(config: Config, strict: bool = False) -> Project:
    """Load → validate → compute: every input read and checked, nothing written."""
    dataset = load_data(config)
    tables = compute_tables(dataset, config)
    content = with_generated_pages(config, tables, load_content(config))
    content = with_agendas(content)  # papers numbered from their meetings' agendas
    warnings = tuple(config.warnings) + dataset.warnings + content.warnings
    if strict and warnings:
        raise SitegenError(
            f"{len(warnings)} warning(s), and --strict makes warnings fatal", list(warnings)
        )
    return Project(config, dataset, tables, content, warnings)

