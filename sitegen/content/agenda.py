"""A meeting's agenda: its items, each with the paper it names found in the content."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.content.pages import ContentTree, Page, source_line
from sitegen.errors import ContentError, Problem


@dataclass(frozen=True)
class PackItem:
    number: int
    title: str
    presenter: str
    paper: Page | None

    @property
    def anchor(self) -> str:
        return f"item-{self.number}" if self.paper else ""


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
        items.append(PackItem(number, item.title or (paper.meta.title if paper else ""), item.presenter, paper))
    if problems:
        raise ContentError(f"{meeting.source_name}: the agenda names papers that do not exist", problems)
    return items


def check_agendas(content: ContentTree) -> None:
    """Every meeting's papers exist: checked with the content, before anything renders."""
    problems: list[Problem] = []
    for page in content.pages:
        if page.meta.layout == "meeting":
            try:
                agenda(page, content)
            except ContentError as exc:
                problems += exc.problems
    if problems:
        raise ContentError("the agendas name papers that do not exist", problems)

