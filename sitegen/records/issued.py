"""Issued papers and packs in a build: made from their records, compared with today's figures.

`apply_records` runs once per build, after the tables and content are loaded and before
anything renders (project.py). For each page with `status: issued` it checks that the
page's file is the text issued (else an error: a change must be a new version), gives
the renderer the record's tables for it instead of today's, and compares the figures
with today's: a difference is a warning naming the paper, the figure and the data files
changed since, and puts a notice on the paper. Each version is also kept as its own
PDF, the record copy (`papers/<name>-v<N>.pdf`), which never carries the notice. A page
with `as_at:` is shown with the tables as they stood that day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import simplejson

from sitegen.config import Config
from sitegen.content.agenda import agenda
from sitegen.content.pages import AgendaItem, ContentTree, Page, read_page, source_line
from sitegen.data.load import Dataset
from sitegen.errors import ContentError, Problem, counted
from sitegen.records.as_at import RECEIVED_FILE, tables_as_at, undated_returns
from sitegen.records.figures import Difference, differences
from sitegen.records.snapshot import (
    Record,
    data_digests,
    read_record,
    record_folder,
    version_folder,
)
from sitegen.tables.revised import REVISED_LEGEND
from sitegen.tables.table import Table

MAX_LISTED = 12  # differing figures named per paper; the rest are counted

# (key, make, *files read): the value `make()` gives, kept by the caller while the files
# (and the data and settings) are unchanged; project.LoadMemo does, so that a rebuild
# reads no record and computes no table as at a date again unless their files changed.
Remember = Callable[..., Any]


def _make_anew(key: tuple[Any, ...], make: Callable[[], Any], *files: Path) -> Any:
    return make()


@dataclass(frozen=True)
class IssuedPaper:
    page: Page  # the version the site shows (with the notice when today's figures differ)
    versions: tuple[Page, ...]  # each version as issued, for papers/<name>-v<N>.pdf, oldest first


@dataclass(frozen=True)
class IssuedPack:
    meeting: Page  # the meeting as its pack was issued
    papers: dict[str, Page]  # paper URL → the version it went out in
    supplement: Page | None  # the papers added to the meeting since, as a pack of their own


@dataclass(frozen=True)
class Records:
    content: ContentTree  # issued pages carry their record (meta.record) for the templates
    page_tables: dict[str, dict[str, Table]]  # by source name: the tables a page is shown with
    papers: tuple[IssuedPaper, ...]
    packs: dict[str, IssuedPack]  # by the meeting's URL
    warnings: tuple[Problem, ...]

    @property
    def pdf_paths(self) -> list[str]:
        """The PDFs the records add to the site: each version's, and supplementary packs."""
        versions = [version.pdf_path for paper in self.papers for version in paper.versions if version.meta.pdf]
        return versions + [pack.supplement.pdf_path for pack in self.packs.values() if pack.supplement is not None]

    @staticmethod
    def none(content: ContentTree) -> Records:
        return Records(content, {}, (), {}, ())


@dataclass
class _AsAt:
    """Tables as at each date asked for, each computed once."""

    dataset: Dataset
    config: Config
    found: dict[dt.date, dict[str, Table]]
    remember: Remember = _make_anew

    def __call__(self, day: dt.date) -> dict[str, Table]:
        if day not in self.found:
            self.found[day] = self.remember(("as_at", day), lambda: tables_as_at(self.dataset, self.config, day))
        return self.found[day]


def apply_records(config: Config, dataset: Dataset, tables: dict[str, Table], content: ContentTree,
                  remember: Remember = _make_anew) -> Records:
    """Issued pages from their records, pages as at a date from the returns received by then.
    REMEMBER keeps what unchanged files gave the last time (see `Remember`)."""
    issued = [p for p in content.pages if p.meta.status == "issued" and p.meta.layout != "meeting"]
    meetings = [p for p in content.pages if p.meta.status == "issued" and p.meta.layout == "meeting"]
    dated = [p for p in content.pages if p.meta.as_at is not None and p.meta.status != "issued"]
    if not (issued or meetings or dated):
        return Records.none(content)
    as_at = _AsAt(dataset, config, {}, remember)

    def read(folder: Path) -> Record:
        return remember(("record", str(folder)), lambda: read_record(folder, config.project_dir), folder)  # type: ignore[no-any-return]

    def compared(record: Record, which: str, against: Mapping[str, Table]) -> list[Difference]:
        return remember(("differences", str(record.folder), which),  # type: ignore[no-any-return]
                        lambda: differences(record.figures, record.tables, against), record.folder)
    files_now = data_digests(config.project_dir)
    problems: list[Problem] = []
    warnings: list[Problem] = undated_returns(dataset) if any(p.meta.as_at for p in content.pages) else []
    page_tables: dict[str, dict[str, Table]] = {}
    replaced: dict[str, Page] = {}
    papers: list[IssuedPaper] = []
    for page in dated:
        page_tables[page.source_name] = as_at(page.meta.as_at)  # type: ignore[arg-type]
        replaced[page.url] = _with_record(page, {"as_at": page.meta.as_at, "data": _digest(files_now)})
    for page in issued:
        try:
            records = records_of(config, page, read)
        except ContentError as exc:
            problems += exc.problems
            continue
        current = records[-1]
        now = tables
        then = as_at(current.as_at) if current.as_at is not None else tables
        warned = compared(current, f"as at {current.as_at}", then)
        shown = warned if then is now else compared(current, "now", now)
        warnings += _warnings(page, current, warned, files_now)
        versions = tuple(_version_page(config, page, record, records) for record in records)
        for version, record in zip(versions, records, strict=True):
            page_tables[version.source_name] = record.tables
        site_page = _with_record(page, _record_info(page, current, records, notice=bool(shown), copy=False))
        page_tables[site_page.source_name] = current.tables
        replaced[page.url] = site_page
        papers.append(IssuedPaper(site_page, versions))
    if problems:
        raise ContentError("issued papers differ from their records", problems)
    for url, revisions in _revisions(config, papers, content, read).items():
        page = replaced.get(url) or content.page_at(url)
        if page is not None:
            replaced[url] = replace(page, meta=page.meta.model_copy(update={"revisions": revisions}))
    content = replace(content, pages=tuple(replaced.get(p.url, p) for p in content.pages))
    versions_by_url = {paper.page.url: paper.versions for paper in papers}
    packs = {}
    for meeting in meetings:
        try:
            packs[meeting.url] = pack = _pack(config, meeting, content, versions_by_url)
        except ContentError as exc:
            problems += exc.problems
            continue
        supplement = pack.supplement.pdf_path if pack.supplement is not None else ""
        replaced[meeting.url] = _with_record(meeting, {"pack_issued": meeting.meta.issued, "supplement": supplement})
    if problems:
        raise ContentError("issued packs differ from their records", problems)
    content = replace(content, pages=tuple(replaced.get(p.url, p) for p in content.pages))
    return Records(content, page_tables, tuple(papers), packs, tuple(warnings))


def records_of(config: Config, page: Page, read: Callable[[Path], Record] | None = None) -> list[Record]:
    """Every issued version of PAGE, oldest first; an error unless the page is its last one's text."""
    project_dir = config.project_dir
    wanted = page.meta.version
    command = f"sitegen issue {page.source_name}"
    found = []
    for version in range(1, wanted + 1):
        folder = version_folder(project_dir, page.source_name, version)
        if not (folder / "record.json").is_file():
            line = source_line(page, "updates:" if version > 1 else "status:")
            what = "has not been issued" if version == 1 else f"version {version} (an update) has not been issued"
            raise ContentError("not issued", [Problem(page.source_name, line, "status",
                                                      f"status is issued but {what}: run `{command}`")])
        found.append(read(folder) if read is not None else read_record(folder, project_dir))
    issued_text = found[-1].text_path.read_text(encoding="utf-8-sig")
    if page.source.read_text(encoding="utf-8-sig") != issued_text:
        line = _first_different_line(page.source.read_text(encoding="utf-8-sig"), issued_text)
        raise ContentError("changed", [Problem(
            page.source_name, line, None,
            f"was issued on {day_text(found[-1].issued)} (version {wanted}) and has been changed since "
            f"(the text issued is {found[-1].text_path.relative_to(project_dir).as_posix()}): put it back, "
            f"or make a new version: add to `updates:` the date and what changed and why, then run `{command}`")])
    return found


def _version_page(config: Config, page: Page, record: Record, records: list[Record]) -> Page:
    """Version RECORD of PAGE as issued, laid out as papers/<name>-v<N>.pdf (the record copy)."""
    relative = PurePosixPath(page.source_name).relative_to("content").as_posix()
    issued = read_page(record.text_path, relative, config)
    name = record.text_path.relative_to(config.project_dir).as_posix()
    stem = _pdf_stem(page)
    issued = replace(issued, source=record.text_path, source_name=name, url=page.url,
                     pdf_name=f"{stem}-v{record.version}.pdf")
    agenda_item = getattr(page.details, "agenda_item", None)
    if agenda_item is not None:  # numbered from its meeting's agenda, as the live page is
        issued = replace(issued, details=issued.details.model_copy(update={"agenda_item": agenda_item}))
    return _with_record(issued, _record_info(page, record, records[: record.version], notice=False, copy=True))


def _record_info(page: Page, record: Record, records: list[Record], notice: bool, copy: bool) -> dict[str, Any]:
    """What the templates show of a page's record: versions, updates, [r], the notice."""
    stem = _pdf_stem(page)
    meeting = getattr(page.details, "meeting", "") or "meeting"
    return {
        "version": record.version,
        "issued": record.issued,
        "first_issued": records[0].issued,
        "as_at": record.as_at,
        "versions": [{"version": r.version, "issued": r.issued,
                      "pdf": f"papers/{stem}-v{r.version}.pdf" if page.meta.pdf else ""} for r in records],
        "updates": [{"date": u.date, "change": u.change} for u in page.meta.updates[: record.version - 1]],
        "revised": len(record.revised),
        "legend": REVISED_LEGEND,
        "notice": notice and not copy,
        "meeting": meeting,
        "reported": page.meta.date or record.issued,
        "live_url": page.meta.live_page.strip("/") + "/" if page.meta.live_page.strip("/") else "",
        "copy": copy,
        "digest": hashlib.sha256((record.folder / "record.json").read_bytes()).hexdigest(),
    }


def _revisions(config: Config, papers: list[IssuedPaper], content: ContentTree,
               read: Callable[[Path], Record]) -> dict[str, list[dict[str, Any]]]:
    """By page URL, the revisions that page tells of: every one on each paper's live page,
    and on a partner's page those that revised the partner's figures."""
    found: dict[str, list[dict[str, Any]]] = {}
    for paper in papers:
        meta = paper.page.meta
        for version, update in enumerate(meta.updates, start=2):
            record = read(version_folder(config.project_dir, paper.page.source_name, version))
            if not record.revised:
                continue
            told = {"date": update.date, "change": update.change, "paper": meta.title, "url": paper.page.url,
                    "version": version}
            counts: dict[str, int] = {}
            if meta.live_page.strip("/"):
                counts[meta.live_page.strip("/") + "/"] = len(record.revised)
            for _, key, _ in record.revised:
                for url in {f"partners/{part}/" for part in key if isinstance(part, str)}:
                    counts[url] = counts.get(url, 0) + 1
            for url, figures in sorted(counts.items()):
                if content.page_at(url) is not None:
                    found.setdefault(url, []).append(told | {"figures": figures})
    return found


def _warnings(page: Page, record: Record, found: list[Difference], files_now: Mapping[str, str]) -> list[Problem]:
    """A warning per figure of PAGE that today's data gives otherwise, with the files changed since."""
    if not found:
        return []
    changed = sorted(name for name in set(files_now) | set(record.data_files)
                     if files_now.get(name) != record.data_files.get(name))
    head = f"issued on {day_text(record.issued)} (version {record.version}), figure differs from today's data:"
    problems = []
    for difference in found[:MAX_LISTED]:
        sources = set(difference.sources) | ({RECEIVED_FILE} if record.as_at else set())
        because = [name for name in changed if name in sources] or changed
        problems.append(Problem(page.source_name, None, None,
                                f"{head} {difference.describe()} (changed since: {', '.join(because) or 'none'})",
                                severity="warning"))
    if len(found) > MAX_LISTED:
        problems.append(Problem(page.source_name, None, None,
                                f"{head} and {counted(len(found) - MAX_LISTED, 'more figure')}", severity="warning"))
    return problems


def _pack(config: Config, meeting: Page, content: ContentTree, versions: Mapping[str, tuple[Page, ...]]) -> IssuedPack:
    """The meeting's pack as issued, and a supplementary pack of the papers added since."""
    folder = record_folder(config.project_dir, meeting.source_name)
    command = f"sitegen issue {meeting.source_name}"
    path = folder / "pack.json"
    if not path.is_file():
        raise ContentError("not issued", [Problem(meeting.source_name, source_line(meeting, "status:"), "status",
                                                  f"status is issued but its pack has not been issued: run `{command}`")])
    document = simplejson.loads(path.read_text(encoding="utf-8"))
    relative = PurePosixPath(meeting.source_name).relative_to("content").as_posix()
    issued = read_page(folder / "page.md", relative, config)
    issued = replace(issued, source=folder / "page.md", url=meeting.url, pdf_name=meeting.pdf_name,
                     source_name=(folder / "page.md").relative_to(config.project_dir).as_posix())
    items_then: tuple[AgendaItem, ...] = issued.details.items
    items_now: tuple[AgendaItem, ...] = meeting.details.items
    same = (issued.body == meeting.body and items_now[: len(items_then)] == items_then
            and issued.details.model_copy(update={"items": ()}) == meeting.details.model_copy(update={"items": ()})
            and issued.meta.model_dump(exclude={"items"}) == meeting.meta.model_dump(exclude={"items"}))
    if not same:
        raise ContentError("changed", [Problem(
            meeting.source_name, None, None,
            f"its pack was issued on {day_text(document['issued'])} and the meeting has been changed since "
            f"(as issued: {issued.source_name}): an issued pack can only gain items, which go in a "
            "supplementary pack")])
    papers = {}
    for url, version in document["papers"].items():
        kept = versions.get(url, ())
        if len(kept) < version:
            raise ContentError("not issued", [Problem(meeting.source_name, None, None,
                                                      f"its pack holds version {version} of {url}, which has no record")])
        papers[url] = kept[version - 1]
    supplement = None
    if len(items_now) > len(items_then):
        stem = PurePosixPath(meeting.pdf_name).stem
        supplement = replace(meeting, pdf_name=f"{stem}-supplement.pdf",
                             meta=meeting.meta.model_copy(update={"title": f"{meeting.meta.title}: supplementary agenda",
                                                                  "pack_label": "Supplementary agenda and papers"}),
                             details=meeting.details.model_copy(update={"items": items_now[len(items_then):]}))
        agenda(supplement, content)  # its papers exist
    return IssuedPack(issued, papers, supplement)


def _pdf_stem(page: Page) -> str:
    """What a page's record copies are named after: its PDF (a page without one still has
    record copies, for the packs it is in, which are never published on their own)."""
    return PurePosixPath(page.pdf_name).stem or page.url.strip("/").replace("/", "-") or "index"


def _with_record(page: Page, info: dict[str, Any]) -> Page:
    return replace(page, meta=page.meta.model_copy(update={"record": info}))


def _digest(files: Mapping[str, str]) -> str:
    return hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()


def day_text(value: dt.date | str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _first_different_line(now: str, then: str) -> int:
    for number, (a, b) in enumerate(zip(now.split("\n"), then.split("\n")), start=1):
        if a != b:
            return number
    return min(now.count("\n"), then.count("\n")) + 1

