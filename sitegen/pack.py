"""Agenda packs: a meeting's front sheet, agenda and papers as one PDF.

The pack is one WeasyPrint document, so page numbers run on through every paper, the
agenda gives each item's page (CSS target-counter) and each item is a PDF bookmark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from sitegen.content import ContentTree, Page, source_line
from sitegen.errors import ContentError, Problem
from sitegen.render import PageDependencies, RenderedPage, Renderer


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


def render_pack(renderer: Renderer, meeting: RenderedPage, rendered: Mapping[str, RenderedPage]) -> bytes:
    """The agenda pack of one meeting as PDF bytes."""
    from sitegen.pdf import write_pdf  # WeasyPrint loads only when a PDF is made

    return write_pdf(renderer.config, pack_html(renderer, meeting, rendered), meeting.page)


def pack_html(renderer: Renderer, meeting: RenderedPage, rendered: Mapping[str, RenderedPage]) -> str:
    """The whole pack as one print document: front sheet, agenda, then every paper."""
    items = agenda(meeting.page, renderer.content)
    fragments = {}
    for item in items:
        if item.paper is not None:
            fragments[item.number] = _fragment(renderer, rendered[item.paper.url], item.anchor)
    template = renderer.env.get_template("pack.html")
    context = renderer.page_context(meeting.page, meeting.body_html, meeting.toc, PageDependencies())
    return template.render(
        context | {"for_print": True, "in_pack": True, "items": items, "fragments": fragments,
                   "meeting": meeting.page.details}
    )


def _fragment(renderer: Renderer, paper: RenderedPage, prefix: str) -> Markup:
    """A paper's article alone (its layout's main block), its ids made unique in the pack."""
    template = renderer.env.get_template(f"{paper.page.meta.layout}.html")
    context = renderer.page_context(paper.page, paper.body_html, paper.toc, PageDependencies())
    context |= {"for_print": True, "in_pack": True}
    html = "".join(template.blocks["main"](template.new_context(context)))
    html = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', html)
    html = re.sub(r'\bhref="#([^"]+)"', rf'href="#{prefix}-\1"', html)
    return Markup(html)
