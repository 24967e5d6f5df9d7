"""`sitegen issue PAGE`: write the record of a paper (or a meeting's pack) as it stands now.

Issuing is deliberate, like signing: the page's front matter says `status: issued` and
when; this command then takes its figures from today's data (or as at the page's
`as_at:` date) and writes them, with the page's text, under issued/. A re-issue is the
same command after an entry is added to `updates:`; the figures that changed since the
last version are marked [r].
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import simplejson

from sitegen.config import Config
from sitegen.content.agenda import agenda
from sitegen.content.pages import ContentTree, Page, source_line
from sitegen.data.load import Dataset
from sitegen.errors import ContentError, Problem
from sitegen.records.as_at import tables_as_at
from sitegen.records.figures import FigureRecorder, picked_rows, rows_used
from sitegen.records.issued import day_text, records_of
from sitegen.records.snapshot import (
    NUMERIC,
    Record,
    data_digests,
    digest_of,
    read_record,
    record_folder,
    row_keys,
    version_folder,
    write_record,
)
from sitegen.tables.table import Table


def issue(config: Config, dataset: Dataset, tables: dict[str, Table], content: ContentTree, target: str) -> Path:
    """Record the page TARGET names (a file under content/, or its URL); return the folder written."""
    page = find_page(config, content, target)
    if page.meta.status != "issued":
        raise ContentError("not ready to issue", [Problem(
            page.source_name, source_line(page, "status:"), "status",
            f"is {page.meta.status}: to issue it, set `status: issued` and `issued:` (the date) in its front matter")])
    if page.meta.layout == "meeting":
        return _issue_pack(config, content, page)
    return _issue_paper(config, dataset, tables, content, page)


def find_page(config: Config, content: ContentTree, target: str) -> Page:
    path = Path(target)
    if path.is_absolute():
        try:
            target = path.resolve().relative_to(config.project_dir.resolve()).as_posix()
        except ValueError:
            target = path.as_posix()
    wanted = target.removeprefix("./")
    for page in content.pages:
        if wanted in (page.source_name, page.source_name.removeprefix("content/"), page.url, page.url.rstrip("/")):
            return page
    raise ContentError(f"no page {target!r} in content/ (give its file, e.g. content/steering-group/paper.md)")


def _issue_paper(config: Config, dataset: Dataset, tables: dict[str, Table], content: ContentTree,
                 page: Page) -> Path:
    version = page.meta.version
    folder = version_folder(config.project_dir, page.source_name, version)
    if (folder / "record.json").exists():
        issued = read_record(folder, config.project_dir)
        raise ContentError("already issued", [Problem(
            page.source_name, source_line(page, "status:"), "status",
            f"version {version} was issued on {day_text(issued.issued)}: to re-issue it, add to `updates:` "
            "the date and what changed and why, then issue it again")])
    previous = _previous_version(config, page) if version > 1 else None
    shown_with = tables_as_at(dataset, config, page.meta.as_at) if page.meta.as_at else tables
    recorder = FigureRecorder(config, tables, content, {page.source_name: shown_with})
    recorder.render_page(page)
    figures = getattr(recorder, "figures", [])
    used = rows_used(shown_with, figures)
    issued_on = page.meta.updates[-1].date if page.meta.updates else page.meta.issued
    files = data_digests(config.project_dir)
    record: dict[str, Any] = {
        "page": page.source_name,
        "version": version,
        "issued": issued_on,
        "as_at": page.meta.as_at,
        "data_digest": digest_of(files),
        "data_files": files,
        "figures": [figure.as_json() for figure in figures],
        "revised": _revised(previous, figures, shown_with) if previous is not None else [],
    }
    write_record(folder, page.source.read_text(encoding="utf-8-sig"), record,
                 {name: (shown_with[name], rows) for name, rows in used.items()})
    return folder


def _previous_version(config: Config, page: Page) -> Record:
    """The last version issued before the one being issued now."""
    folder = version_folder(config.project_dir, page.source_name, page.meta.version - 1)
    if not (folder / "record.json").is_file():
        raise ContentError("not issued", [Problem(
            page.source_name, source_line(page, "updates:"), "updates",
            f"version {page.meta.version - 1} has not been issued: issue the versions in order")])
    return read_record(folder, config.project_dir)


def _revised(previous: Record, figures: list[Any], now: dict[str, Table]) -> list[list[Any]]:
    """(table, row key, column) of each figure shown in both versions whose value changed."""
    before = {figure.same_as for figure in previous.figures}
    found: dict[str, list[Any]] = {}
    for figure in figures:
        if figure.same_as not in before or figure.table not in previous.tables:
            continue
        old_table, new_table = previous.tables[figure.table], now[figure.table]
        old, new = picked_rows(old_table, figure), picked_rows(new_table, figure)
        old_by_key = dict(zip(row_keys(old_table, old), old, strict=True))
        for key, row in zip(row_keys(new_table, new), new, strict=True):
            for name in figure.columns:
                column = new_table.column(name)
                if column.kind in NUMERIC and key in old_by_key and old_by_key[key].get(name) != row.get(name):
                    found[repr((figure.table, key, name))] = [figure.table, list(key), name]
    return [found[k] for k in sorted(found)]


def _issue_pack(config: Config, content: ContentTree, meeting: Page) -> Path:
    folder = record_folder(config.project_dir, meeting.source_name)
    if (folder / "pack.json").exists():
        raise ContentError("already issued", [Problem(
            meeting.source_name, source_line(meeting, "status:"), "status",
            "its pack has been issued: papers added to the meeting now go in a supplementary pack")])
    papers: dict[str, int] = {}
    problems: list[Problem] = []
    for item in agenda(meeting, content):
        if item.paper is None:
            continue
        if item.paper.meta.status != "issued":
            problems.append(Problem(meeting.source_name, source_line(meeting, item.paper.url.rstrip("/")), "items",
                                    f"item {item.number}: {item.paper.source_name} has not been issued: "
                                    f"issue it first (`sitegen issue {item.paper.source_name}`)"))
            continue
        try:
            records_of(config, item.paper)
        except ContentError as exc:
            problems += exc.problems
            continue
        papers[item.paper.url] = item.paper.meta.version
    if problems:
        raise ContentError("the pack's papers are not all issued", problems)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.md").write_text(meeting.source.read_text(encoding="utf-8-sig"), encoding="utf-8")
    issued: dt.date = meeting.meta.issued  # type: ignore[assignment]
    document = {"page": meeting.source_name, "issued": issued.isoformat(), "papers": papers}
    (folder / "pack.json").write_text(simplejson.dumps(document, indent=1) + "\n", encoding="utf-8")
    return folder

