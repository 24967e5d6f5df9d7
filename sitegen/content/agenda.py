"""A meeting's agenda: its items, each with the paper it names found in the content.

The agenda is the one place an item's number comes from: a paper on it is numbered from
it (its page and PDF say "Agenda item 3" because the meeting lists it third), and a
paper whose own `agenda_item` says otherwise is an error naming both files. A meeting
that is final (not `status: draft`) takes only final papers written for it (the same
body and date), unless the item allows the exception by name (`allow: [draft,
other-meeting]`), as a clerk circulating a draft or another body's paper for reference
would. Papers not for publication stand in the public pack and meeting page as their
title and exemption only; their text goes into the confidential pack.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sitegen.content.pages import ContentTree, Page, source_line
from sitegen.errors import ContentError, Problem


@dataclass(frozen=True)
class PackItem:
    number: int
    title: str
    presenter: str
    paper: Page | None
    other_meeting: bool = False  # a paper written for another body or date, allowed by the item
    confidential: bool = False  # a paper not for publication: in the confidential pack only

    @property
    def anchor(self) -> str:
        return f"item-{self.number}" if self.paper else ""

    @property
    def exempt_reason(self) -> str:
        return self.paper.details.exempt_reason if self.confidential and self.paper else ""

    def in_pack(self, confidential: bool) -> bool:
        """Whether the item's paper is printed in the public (or the confidential) pack."""
        return self.paper is not None and self.confidential == confidential


def agenda(meeting: Page, content: ContentTree) -> list[PackItem]:
    """The meeting's items with their papers found; a missing paper is an error with its line."""
    items, problems = [], []
    for number, item in enumerate(meeting.details.items, start=1):
        paper = None
        if item.paper:
            paper = content.page_at(item.paper.strip("/") + "/")
            if paper is None:
                problems.append(Problem(meeting.source_name, source_line(meeting, item.paper), "items",
                                        f"item {number}: no page {item.paper!r} in content/"))
        is_paper = paper is not None and paper.meta.layout == "paper"
        items.append(PackItem(
            number, item.title or (paper.meta.title if paper else ""), item.presenter, paper,
            other_meeting=is_paper and not _same_meeting(meeting, paper),
            confidential=is_paper and paper.details.classification != "public",
        ))
    if problems:
        raise ContentError(f"{meeting.source_name}: the agenda names papers that do not exist", problems)
    return items


def _same_meeting(meeting: Page, paper: Page) -> bool:
    """A paper written for this meeting: the same body, and the same date when it has one."""
    same_body = " ".join(paper.details.meeting.split()).lower() == " ".join(meeting.details.meeting.split()).lower()
    return same_body and (paper.meta.date is None or paper.meta.date == meeting.meta.date)


def with_agendas(content: ContentTree) -> ContentTree:
    """The content with each paper numbered from the agenda of its meeting, once every
    agenda is checked against its papers (checked with the content, before anything renders)."""
    problems: list[Problem] = []
    numbered: dict[str, int] = {}
    for meeting in content.pages:
        if meeting.meta.layout != "meeting":
            continue
        try:
            items = agenda(meeting, content)
        except ContentError as exc:
            problems += exc.problems
            continue
        for position, item in zip(meeting.details.items, items, strict=True):
            if item.paper is None or item.paper.meta.layout != "paper":
                continue
            problems += _disagreements(meeting, item, set(position.allow))
            if not item.other_meeting:
                numbered.setdefault(item.paper.url, item.number)
    if problems:
        raise ContentError("the agendas and their papers do not agree", problems)
    pages = tuple(
        replace(page, details=page.details.model_copy(update={"agenda_item": numbered[page.url]}))
        if page.url in numbered else page
        for page in content.pages
    )
    return replace(content, pages=pages)


def _disagreements(meeting: Page, item: PackItem, allowed: set[str]) -> list[Problem]:
    """What a paper says that its meeting's agenda contradicts, each naming both files."""
    paper = item.paper
    assert paper is not None
    line = source_line(meeting, meeting_item_needle(paper, meeting))
    where = f"{meeting.source_name}:{line}" if line else meeting.source_name
    problems = []
    own = paper.details.agenda_item
    if not item.other_meeting and own is not None and str(own).strip() != str(item.number):
        problems.append(Problem(paper.source_name, source_line(paper, "agenda_item:"), "agenda_item",
                                f"says agenda item {own}, but {where} lists this paper as item {item.number}: "
                                f"the number comes from the agenda (remove agenda_item, or make it {item.number})"))
    if meeting.meta.status != "final":
        return problems
    if item.other_meeting and "other-meeting" not in allowed:
        when = f" of {paper.meta.date.isoformat()}" if paper.meta.date else ""
        problems.append(Problem(meeting.source_name, line, "items",
                                f"item {item.number}: {paper.source_name} is a paper of {paper.details.meeting}{when}, "
                                f"not of this meeting ({meeting.details.meeting} of {_date(meeting)}); a final pack "
                                f"takes it only with `allow: [other-meeting]` on the item"))
    if paper.meta.status == "draft" and "draft" not in allowed:
        problems.append(Problem(meeting.source_name, line, "items",
                                f"item {item.number}: {paper.source_name} is a draft (status: draft), and this "
                                f"meeting's pack is final; a final pack takes a draft only with `allow: [draft]` "
                                f"on the item (it is then marked DRAFT on every page)"))
    return problems


def meeting_item_needle(paper: Page, meeting: Page) -> str:
    """The text of the meeting's line naming the paper (its URL without the slashes)."""
    for item in meeting.details.items:
        if item.paper and item.paper.strip("/") + "/" == paper.url:
            return item.paper
    return paper.url


def _date(meeting: Page) -> str:
    return meeting.meta.date.isoformat() if meeting.meta.date else "no date"
