"""Every internal link, anchor and image of the rendered pages leads somewhere.

Run by `sitegen check` and `sitegen build` on the pages as rendered, before anything
is written: a link to a page, table file, paper, static file or content file that the
build will not make, an anchor (`#id`) that the target page does not have, an image
that does not exist, or a link that climbs out of the site is an error. Each is
reported at the line of the Markdown source where its URL (or its text) is written;
one from a layout template names the page it broke and the layout.

Links with a scheme (`https:`, `mailto:`, `data:` …) are not followed, except
`file:`, which no reader of the site can open.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from sitegen.build.state import digest
from sitegen.content.pages import Page
from sitegen.errors import ContentError, Problem
from sitegen.render.pages import static_dirs

if TYPE_CHECKING:
    from sitegen.project import Project

LINKING = "a[href], area[href], link[href], img[src], source[src], script[src], iframe[src], video[src], audio[src]"
IMAGES = {"img", "source"}


class Link(NamedTuple):
    tag: str
    url: str
    text: str  # the link's text or the image's alt, to find it in the source


@dataclass(frozen=True)
class PageLinks:
    """What one rendered page links to and the anchors it offers: all the check needs,
    small enough to keep in the build cache instead of the page."""

    links: tuple[Link, ...]
    body_urls: frozenset[str]  # links written in the page's Markdown (the rest come from its layout)
    ids: frozenset[str]
    ids_digest: str = ""  # of the ids, worked out once, when the page is rendered ("": not yet)


def collect_links(html: str, body_html: str) -> PageLinks:
    """The links and ids of a page (parsed with lexbor: a C parser, ~0.2 ms a page)."""
    page = LexborHTMLParser(html)
    links = []
    for node in page.css(LINKING):
        attributes = node.attributes
        url = attributes.get("href") if "href" in attributes else attributes.get("src")
        text = node.text(deep=True).strip() if node.tag == "a" else attributes.get("alt") or ""
        links.append(Link(node.tag, url or "", text))
    ids = {node.attributes.get("id") or "" for node in page.css("[id]")}
    ids |= {node.attributes.get("name") or "" for node in page.css("a[name]")}
    body = LexborHTMLParser(body_html)
    body_urls = {node.attributes.get("href") or node.attributes.get("src") or "" for node in body.css(LINKING)}
    ids.discard("")
    return PageLinks(tuple(links), frozenset(body_urls), frozenset(ids), _ids_digest(ids))


def _ids_digest(ids: Iterable[str]) -> str:
    return digest(*sorted(ids))


def site_files(project: Project, extra: Iterable[str] = ()) -> set[str]:
    """Every file a build of this project writes, relative to site/."""
    pages = project.content.pages
    files = {page.output_path for page in pages} | {page.pdf_path for page in pages if page.wants_pdf}
    files |= {output for table in project.tables.values() for output, _ in table.outputs}
    files |= {asset.output_path for asset in project.content.assets}
    files |= set(extra)
    for folder in static_dirs(project.config):
        files |= {"static/" + p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    return files


def shared_links(found: PageLinks, seen: dict[Link, Link]) -> PageLinks:
    """The same links, each one object however many pages have it (the site's navigation
    is on every page): the build cache then stores it once."""
    return replace(found, links=tuple(seen.setdefault(link, link) for link in found.links))


@dataclass(frozen=True)
class LinkTargets:
    """Everything a link can lead to: the site's files and each page's anchors."""

    files: str  # a digest of the names of every file of the site
    anchors: dict[str, str]  # page (its output path) → a digest of its ids


def link_targets(project: Project, pages: Sequence[tuple[Page, PageLinks]], extra_files: Iterable[str] = ()) -> LinkTargets:
    return LinkTargets(digest("\n".join(sorted(site_files(project, extra_files)))),
                       {page.output_path: found.ids_digest or _ids_digest(found.ids) for page, found in pages})


def still_fine(previous: object, current: LinkTargets) -> Callable[[Page, PageLinks], bool]:
    """Whether the links of a page, all fine at the last build, still are: they are
    while the site has the same files and the pages they lead into with an anchor have
    the same anchors. (`previous` is the last build's LinkTargets, if any.)"""
    if not isinstance(previous, LinkTargets) or previous.files != current.files:
        return lambda page, found: False
    moved = {path for path, ids in current.anchors.items() if previous.anchors.get(path) != ids}

    def fine(page: Page, found: PageLinks) -> bool:
        # "#id" leads into the page itself, whose anchors are the same when it is kept
        return not any(_page_path(link.url, page.url) in moved for link in found.links
                       if "#" in link.url and not link.url.startswith("#"))

    return (lambda page, found: True) if not moved else fine


def _page_path(url: str, page_url: str) -> str:
    """The page (output path) a link with an anchor leads into, as far as the URL says."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc:
        return ""
    if not path:
        return f"{page_url}index.html"
    joined = _site_path(path, page_url)
    return joined if joined.endswith(".html") else f"{joined}/index.html".lstrip("/")


def _site_path(path: str, page_url: str) -> str:
    """Where PATH, written on the page at PAGE_URL, leads in the site ("" for its root;
    starting "../" when it climbs out)."""
    joined = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(page_url, path))
    return "" if joined == "." else joined


def check_links(
    project: Project,
    pages: Sequence[tuple[Page, PageLinks]],
    extra_files: Iterable[str] = (),
    checked_before: Callable[[Page, PageLinks], bool] = lambda page, found: False,
) -> None:
    """Raise ContentError listing every broken internal link, anchor and image.

    Pages for which `checked_before` is true are passed over: the last build checked
    their links, and nothing they lead to has changed since (see still_fine)."""
    files = site_files(project, extra_files)
    ids = {page.output_path: found.ids for page, found in pages}
    problems: list[Problem] = []
    for page, found in pages:
        if checked_before(page, found):
            continue
        for link in found.links:
            reason = _broken(link, page.url, files, ids)
            if reason is not None:
                problems.append(_locate(page, link, reason, from_body=link.url in found.body_urls))
    if problems:
        unique = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
        lead = "1 link or image leads" if len(unique) == 1 else f"{len(unique)} links or images lead"
        raise ContentError(f"{lead} nowhere", unique)


def _broken(link: Link, page_url: str, files: set[str], ids: dict[str, frozenset[str]]) -> str | None:
    """Why a link leads nowhere, or None when it is fine (or not ours to follow)."""
    what = "missing image" if link.tag in IMAGES else "broken link"
    parts = urlsplit(link.url)
    if parts.scheme == "file":
        return f"{what} {link.url!r}: a file on this computer, which readers of the site cannot open"
    if parts.scheme or parts.netloc:
        return None
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if not path:  # "#anchor" on this very page, or "" (the page itself)
        target = f"{page_url}index.html"
    else:
        joined = _site_path(path, page_url)
        if joined == ".." or joined.startswith("../"):
            return f"{what} {link.url!r}: it leads outside the site"
        candidates = [joined, f"{joined}/index.html".lstrip("/")] if not path.endswith("/") else \
            [f"{joined}/index.html".lstrip("/")]
        target = next((c for c in candidates if c in files), "")
        if not target:
            hint = " (no such table)" if joined.startswith("tables/") else ""
            return f"{what} {link.url!r}: the site has no {joined or 'home page'}{hint}"
    if fragment and target in ids and fragment not in ids[target]:
        shown = target.removesuffix("index.html") or "the home page"
        return f"{what} {link.url!r}: {shown} has no anchor #{fragment}"
    return None


def _locate(page: Page, link: Link, reason: str, from_body: bool) -> Problem:
    """The problem at the source line where the link is written."""
    if not from_body:
        return Problem(page.source_name, None, None, f"{reason} (in the layout {page.meta.layout}.html)")
    body_line = _line_of(page.body, 1, link)
    where, line = page.locate(body_line) if body_line is not None else (page.source_name, None)
    return Problem(where, line, None, reason)


def _line_of(body: str, first_line: int, link: Link) -> int | None:
    """The first line holding the URL and the text; else the URL; else the text."""
    lines = body.split("\n")
    urls = {link.url, unquote(link.url)}
    def text_beside_url(line: str) -> bool:
        rest = line
        for url in urls:
            rest = rest.replace(url, "\0")
        return "\0" in rest and bool(link.text) and link.text in rest

    tests = [
        text_beside_url,
        lambda line: any(u in line for u in urls),
        lambda line: bool(link.text) and link.text in line,
    ]
    for test in tests:
        for number, line in enumerate(lines):
            if test(line):
                return first_line + number
    return None
