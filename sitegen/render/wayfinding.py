"""The files that make the site findable beyond its pages: the search index,
`404.html` and `sitemap.xml` (sections and previous/next are in `navigation.py`).

The search, site-map and accessibility-statement pages are ordinary generated pages
(see `generated.py`), so a project may write its own at the same URL. What cannot be
a page the build writes after the pages are rendered: the search index (made from
their text, see search.py), and `site_level_files`: `404.html` at the root and
`sitemap.xml`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from sitegen.config import Config
from sitegen.content.pages import Page, PageMeta
from sitegen.render.navigation import NOT_FOUND_LAYOUT
from sitegen.render.pages import Renderer

NOT_FOUND_PATH = "404.html"
SITEMAP_PATH = "sitemap.xml"
SITEMAP_XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def not_found_page(config: Config) -> Page:
    """The page a server shows for a missing URL: rendered as if at the root of the site."""
    meta = PageMeta(title="Page not found", layout=NOT_FOUND_LAYOUT, nav=False)
    return Page(config.source, "sitegen.toml", "", meta, body="", body_line=1)


def link_root(config: Config) -> str | None:
    """With the site's address known, 404.html links by absolute path: it works at any depth."""
    return urlsplit(config.site.base_url).path or "/" if config.site.base_url else None


def sitemap_xml(config: Config, pages: Iterable[Page]) -> str | None:
    """The sitemaps.org file of every page, or None without a base_url (it needs absolute URLs)."""
    if not config.site.base_url:
        return None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_XMLNS}">']
    for page in sorted(pages, key=lambda p: p.url):
        if page.meta.layout == NOT_FOUND_LAYOUT:
            continue
        lastmod = f"<lastmod>{page.meta.date.isoformat()}</lastmod>" if page.meta.date else ""
        lines.append(f"  <url><loc>{escape(config.site.base_url + page.url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def site_level_files(renderer: Renderer, pages: Sequence[Page]) -> dict[str, bytes]:
    """404.html, and sitemap.xml when the site's address is known (see sitemap_xml)."""
    config = renderer.config
    files = {NOT_FOUND_PATH: renderer.render_page(not_found_page(config), link_root=link_root(config)).html.encode("utf-8")}
    sitemap = sitemap_xml(config, pages)
    if sitemap is not None:
        files[SITEMAP_PATH] = sitemap.encode("utf-8")
    return files
