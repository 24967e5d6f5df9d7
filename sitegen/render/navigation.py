"""The content tree as sections: each page's children in front-matter order, and the
previous and next pages within a section (the report's pages in order).

Worked out once per build and looked up in constant time: a site of many generated
pages (a page per partner) must not scan every page for each page it renders.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from sitegen.content.pages import ContentTree, Page

NOT_FOUND_LAYOUT = "not-found"

# What a page shows of other pages, its *views* of the site, recorded while it is
# rendered (render/pages.py) so that a page's title changed remakes only the pages that
# show it (build/outputs.py works out each view's answer again to compare).
NAV_VIEW = ("nav",)  # the site navigation: the sections and their pages
EVERY_PAGE_VIEW = ("pages",)  # every page: a template that lists or looks up pages
EVERY_PAGE_NAMES = frozenset({"pages", "site_index"})  # the template variables that give every page


def breadcrumbs_view(url: str) -> tuple[str, str]:
    return ("breadcrumbs", url)


def pager_view(url: str) -> tuple[str, str]:
    return ("pager", url)


@dataclass(frozen=True)
class Pager:
    """Where a page sits in its section, for the previous/next links under it."""

    section: Page
    previous: Page | None
    next: Page | None


class SiteIndex:
    """Pages by URL and by parent, children sorted by (order, title) as in the navigation."""

    def __init__(self, content: ContentTree):
        self.by_url: dict[str, Page] = {page.url: page for page in content.pages}
        children: dict[str, list[Page]] = {}
        for page in content.pages:
            if page.parent_url is not None:
                children.setdefault(page.parent_url, []).append(page)
        self.children = _sorted(children)
        self._places: dict[str, dict[str, int]] = {}
        # For the site map, a page whose folder has no page of its own (case-studies/themes/x/)
        # hangs from its nearest ancestor that has one.
        nearest: dict[str, list[Page]] = {}
        for page in content.pages:
            ancestor = page.parent_url
            while ancestor is not None and ancestor not in self.by_url:
                ancestor = parent_url_of(ancestor)
            if ancestor is not None:
                nearest.setdefault(ancestor, []).append(page)
        self.tree = _sorted(nearest)

    def _place(self, url: str) -> dict[str, int]:
        """Where each page inside `url`'s folder comes in it (worked out once per folder)."""
        if url not in self._places:
            self._places[url] = {page.url: number for number, page in enumerate(self.children_of(url))}
        return self._places[url]

    def children_of(self, url: str) -> tuple[Page, ...]:
        """The pages directly inside `url`'s folder: a section's pages, for previous/next."""
        return self.children.get(url, ())

    def tree_children_of(self, url: str) -> tuple[Page, ...]:
        """The pages under `url` in the site map, folders without a page passed over."""
        return self.tree.get(url, ())

    def pager(self, page: Page) -> Pager | None:
        """A top-level section's page leads into its pages; a page inside one, to its neighbours."""
        if page.parent_url is None or page.meta.layout == NOT_FOUND_LAYOUT:
            return None
        # The section's sequence is its page, then the pages inside it (not copied: a
        # folder may hold thousands, and every page of it asks).
        if page.parent_url == "":
            head, first, children = page, page, self.children_of(page.url)
            position = 0
        else:
            parent = self.by_url.get(page.parent_url)
            head, first, children = parent or page, parent, self.children_of(page.parent_url)
            position = self._place(page.parent_url).get(page.url, -1) + (1 if parent else 0)
        offset = 1 if first is not None else 0
        length = offset + len(children)

        def at(index: int) -> Page | None:
            return first if index == 0 and first is not None else children[index - offset]

        if length < 2 or position < 0 or at(position) is not page:
            return None
        previous = at(position - 1) if position > 0 else None
        following = at(position + 1) if position + 1 < length else None
        return Pager(head, previous, following)


def _sorted(groups: dict[str, list[Page]]) -> dict[str, tuple[Page, ...]]:
    """Each group in the navigation's order: front-matter order, then title."""
    return {url: tuple(sorted(kids, key=lambda p: (p.meta.order, p.meta.title.lower(), p.url)))
            for url, kids in groups.items()}


def parent_url_of(url: str) -> str | None:
    """'a/b/' -> 'a/', 'a/' -> '', '' -> None."""
    if not url:
        return None
    up = posixpath.dirname(url.rstrip("/"))
    return f"{up}/" if up else ""
