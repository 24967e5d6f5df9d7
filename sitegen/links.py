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
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from sitegen.errors import ContentError, Problem
from sitegen.render import RenderedPage, static_dirs

if TYPE_CHECKING:
    from sitegen.build import Project

LINKING = {("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("source", "src"),
           ("script", "src"), ("iframe", "src"), ("video", "src"), ("audio", "src")}
IMAGES = {"img", "source"}


@dataclass(frozen=True)
class Link:
    tag: str
    url: str
    text: str  # the link's text or the image's alt, to find it in the source


class _Collector(HTMLParser):
    """The ids and the outgoing links of one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[Link] = []
        self._open: list[tuple[str, str, list[str]]] = []  # <a> being read: its text so far

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(name):
                self.ids.add(values[name])
        for attribute in ("href", "src"):
            if (tag, attribute) in LINKING and attribute in values:
                if tag == "a":
                    self._open.append((tag, values[attribute], []))
                else:
                    self.links.append(Link(tag, values[attribute], values.get("alt", "")))

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            _, url, text = self._open.pop()
            self.links.append(Link("a", url, "".join(text).strip()))

    def close(self) -> None:
        super().close()
        while self._open:
            self.handle_endtag("a")


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def site_files(project: Project, rendered: Sequence[RenderedPage]) -> set[str]:
    """Every file a build of this project writes, relative to site/."""
    files = {item.page.output_path for item in rendered}
    files |= {item.page.pdf_path for item in rendered if item.page.wants_pdf}
    files |= {f"tables/{name}.{suffix}" for name in project.tables for suffix in ("csv", "json")}
    files |= {asset.output_path for asset in project.content.assets}
    for folder in static_dirs(project.config):
        files |= {"static/" + p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    return files


def check_links(project: Project, rendered: Sequence[RenderedPage]) -> None:
    """Raise ContentError listing every broken internal link, anchor and image."""
    files = site_files(project, rendered)
    parsed = {item.page.output_path: _collect(item.html) for item in rendered}
    problems: list[Problem] = []
    for item in rendered:
        body_urls = {link.url for link in _collect(item.body_html).links}
        for link in parsed[item.page.output_path].links:
            reason = _broken(link, item.page.url, files, parsed)
            if reason is not None:
                problems.append(_locate(item, link, reason, from_body=link.url in body_urls))
    if problems:
        unique = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
        raise ContentError(f"{len(unique)} broken link(s) or missing image(s)", unique)


def _broken(link: Link, page_url: str, files: set[str], parsed: dict[str, _Collector]) -> str | None:
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
        joined = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(page_url, path))
        if joined == ".." or joined.startswith("../"):
            return f"{what} {link.url!r}: it leads outside the site"
        joined = "" if joined == "." else joined
        candidates = [joined, f"{joined}/index.html".lstrip("/")] if not path.endswith("/") else \
            [f"{joined}/index.html".lstrip("/")]
        target = next((c for c in candidates if c in files), "")
        if not target:
            hint = " (no such table)" if joined.startswith("tables/") else ""
            return f"{what} {link.url!r}: the site has no {joined or 'home page'}{hint}"
    if fragment and target in parsed and fragment not in parsed[target].ids:
        shown = target.removesuffix("index.html") or "the home page"
        return f"{what} {link.url!r}: {shown} has no anchor #{fragment}"
    return None


def _locate(item: RenderedPage, link: Link, reason: str, from_body: bool) -> Problem:
    """The problem at the source line where the link is written."""
    page = item.page
    if not from_body:
        return Problem(page.source_name, None, None, f"{reason} (in the layout {page.meta.layout}.html)")
    return Problem(page.source_name, _line_of(page.body, page.body_line, link), None, reason)


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
