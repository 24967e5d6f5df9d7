"""A project loaded: load → validate → compute, every input read and checked, nothing written."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sitegen.config import Config
from sitegen.content.agenda import with_agendas
from sitegen.content.generated import with_generated_pages
from sitegen.content.pages import ContentTree, load_content
from sitegen.data.load import Dataset, load_data
from sitegen.environment import source_date_epoch
from sitegen.errors import Problem, SitegenError, counted, link_problem, links_leading_out
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


T = TypeVar("T")


@dataclass
class LoadMemo:
    """What loading a project computed from files unchanged since: each page read from
    its file, the data and the tables computed from it, the records of issued papers,
    the tables as at a date.

    `sitegen serve` keeps one between rebuilds (the project stays loaded, and a change
    to a page re-reads that page, not the other pages nor the returns); `sitegen build` keeps one in the
    build state (state.py). Each value is kept with the state on disk (sizes, times,
    inodes, the change time included) of the files it was read from, and made again
    when any of them differs: a kept value is the value those files give.
    """

    entries: dict[tuple[Any, ...], tuple[str, Any]] = field(default_factory=dict)
    used: set[tuple[Any, ...]] = field(default_factory=set)
    changed: bool = False  # something was made anew since the memo was read

    def remember(self, key: tuple[Any, ...], make: Callable[[], T], *files: Path) -> T:
        """The value made by `make`, kept under KEY while FILES (files or folders) are unchanged."""
        stamp = files_stamp(*files)  # before making it: a file changed meanwhile is seen next time
        self.used.add(key)
        found = self.entries.get(key)
        if found is not None and found[0] == stamp:
            return found[1]  # type: ignore[no-any-return]
        value = make()
        self.entries[key] = (stamp, value)
        self.changed = True
        return value

    def forget_unused(self) -> None:
        """Drop what was not asked for since the last call (a record no longer issued, an
        old date): called once a build has asked for all it needs."""
        if set(self.entries) - self.used:
            self.changed = True
        self.entries = {key: entry for key, entry in self.entries.items() if key in self.used}
        self.used = set()


def files_stamp(*paths: Path) -> str:
    """How files and folders (every file under them) look on disk, as one string."""
    lines = []
    for top in paths:
        base = os.fspath(top)
        try:
            status = os.stat(base)
        except OSError:
            lines.append(f"{base}\tmissing")
            continue
        if not stat.S_ISDIR(status.st_mode):
            lines.append(f"{base}\t{status.st_size}\t{status.st_mtime_ns}\t{status.st_ctime_ns}\t{status.st_ino}")
            continue
        for folder, subfolders, files in os.walk(base):
            subfolders.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                lines.append(f"{path}\t{status.st_size}\t{status.st_mtime_ns}\t{status.st_ctime_ns}\t{status.st_ino}")
    return "\n".join(lines)


def load_project(config: Config, strict: bool = False, records: bool = True, memo: LoadMemo | None = None) -> Project:
    """Load → validate → compute → issued papers from their records: every input read and
    checked, nothing written. `records=False` leaves issued pages as their files say
    (for `sitegen issue`, which writes the records). MEMO keeps what files unchanged since
    the last load gave (see LoadMemo)."""
    memo = memo if memo is not None else LoadMemo()
    check_theme_links(config)
    settings = (config.source, config.data_dir)  # what the data and the tables are made from
    epoch = source_date_epoch()
    dataset, tables = memo.remember(("tables", epoch), lambda: _data_and_tables(config), *settings)
    content = with_generated_pages(config, tables, load_content(config, lambda key, make, *files: memo.remember(
        ("content", *key), make, *files)))
    content = with_agendas(content)  # papers numbered from their meetings' agendas

    def remember(key: tuple[Any, ...], make: Callable[[], T], *files: Path) -> T:
        return memo.remember(("records", epoch, *key), make, *settings, *files)

    issued = apply_records(config, dataset, tables, content, remember) if records else Records.none(content)
    warnings = tuple(config.warnings) + dataset.warnings + content.warnings + issued.warnings
    if strict and warnings:
        raise SitegenError(
            f"{counted(len(warnings), 'warning')}, and --strict makes warnings fatal", list(warnings)
        )
    return Project(config, dataset, tables, issued.content, warnings, issued)


def _data_and_tables(config: Config) -> tuple[Dataset, dict[str, Table]]:
    dataset = load_data(config)
    return dataset, compute_tables(dataset, config)


def check_theme_links(config: Config) -> None:
    """No symbolic link in templates/ or static/ leads out of the project: a template could
    include, and the site publish, any file of the machine (content/ and data/ are
    checked as they are read)."""
    problems = [link_problem(path, config.project_dir, "not used")
                for folder in (config.templates_dir, config.static_dir)
                for path in links_leading_out(folder, config.project_dir)]
    if problems:
        verb = "leads" if len(problems) == 1 else "lead"
        raise SitegenError(f"{counted(len(problems), 'symbolic link')} {verb} out of the project", problems)
