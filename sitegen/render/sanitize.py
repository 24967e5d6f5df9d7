"""The raw-HTML policy for pages: authors' HTML is allowed, script is not.

Markdown passes raw HTML through, so a page (or a figure, name or description from a
data file that a page prints with `{{ … }}`, which Markdown then reads) could carry
`<script>`, an `onerror=` handler or a `javascript:` link onto the intranet and into
the papers. Every page body is therefore cleaned after Markdown by nh3 (the Python
binding of the Rust sanitizer ammonia) against an allow-list: the elements and
attributes of ordinary documents and everything sitegen itself emits (tables,
figures and charts, footnotes, callouts, heading anchors, definition lists, details).

Removed: `<script>`, `<style>`, `<iframe>`, `<object>`, `<embed>`, forms and any other
element not listed (script and style with their content; the others keep their
text), every `on…` event-handler attribute, and URLs other than relative ones,
`http:`, `https:`, `mailto:`, `tel:`, `file:` and, on images only, `data:image/…`. A project
that really needs script opts in with `[content] allow_scripts = true`, and then page
bodies are left exactly as Markdown made them.
"""

from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "blockquote",
    "br", "caption", "cite", "code", "col", "colgroup", "data", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "main",
    "mark", "nav", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "source", "span", "strike", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
    "wbr",
}
# Removed with everything inside them (the other disallowed elements keep their text).
DROPPED_WITH_CONTENT = {"script", "style"}
# On every element: what attr_list ({: .class #id }), tables and accessibility need.
GENERIC_ATTRIBUTES = {
    "class", "id", "title", "lang", "dir", "role", "tabindex", "hidden", "style",
}
ATTRIBUTES = {
    "a": {"href", "hreflang", "download", "rel", "type", "target"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "source": {"src", "srcset", "sizes", "media", "type"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "data": {"value"},
    "ins": {"cite", "datetime"},
    "del": {"cite", "datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "details": {"open"},
    "abbr": {"title"},
}
# file: is kept so that a paper pointing at a file outside the project fails loudly
# in the PDF fetcher (and `sitegen check`) instead of losing the image silently.
URL_SCHEMES = {"http", "https", "mailto", "tel", "data", "file"}
URL_ATTRIBUTES = {"href", "src", "cite", "srcset"}
IMAGE_DATA = ("data:image/svg+xml", "data:image/png", "data:image/jpeg", "data:image/gif",
              "data:image/webp")


def _filter(element: str, attribute: str, value: str) -> str | None:
    """Keep `data:` URLs only as images; everything else was decided by the lists."""
    if attribute in URL_ATTRIBUTES and value.strip().lower().startswith("data:"):
        if element in ("img", "source") and attribute in ("src", "srcset") and \
                value.strip().lower().startswith(IMAGE_DATA):
            return value
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={"*": GENERIC_ATTRIBUTES, **ATTRIBUTES},
    generic_attribute_prefixes={"aria-", "data-"},
    url_schemes=URL_SCHEMES,
    attribute_filter=_filter,
    link_rel=None,  # keep authors' rel="…" (WeasyPrint reads rel="attachment")
    strip_comments=True,
)


def clean_html(html: str, allow_scripts: bool = False) -> str:
    """A page body with script removed (or untouched when the project allows script)."""
    if allow_scripts:
        return html
    return _CLEANER.clean(html)
