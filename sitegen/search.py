"""The site's search index, built once at build time from the rendered pages.

lunr.py writes an index that lunr.js (vendored in the theme) loads as it is. It goes
out as a script (`search/index.js`, setting `window.SITEGEN_SEARCH`) rather than JSON
fetched at run time, because browsers refuse `fetch` from `file:` pages and the site
must search offline when opened from a shared drive. The index holds every word of
each page's main text; the documents store beside it holds only what a result shows
(title, summary, kind, theme, sector), which keeps the file small.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lunr import lunr
from selectolax.lexbor import LexborHTMLParser

from sitegen.cache import digest
from sitegen.content import Page
from sitegen.tables import Table

INDEX_PATH = "search/index.js"
# Pages that are ways to find pages, not content to find.
NOT_INDEXED = frozenset({"search", "sitemap", "not-found"})
KIND_LABELS = {
    "case-study": "Case study",
    "partner": "Partner",
    "project": "Joint project",
    "paper": "Committee paper",
    "meeting": "Meeting",
}
OTHER_KIND = "Page"
# What is not the page's own words: script, styles, permalinks, contents lists, pagers, downloads.
SKIPPED = "script, style, template, noscript, svg, .headerlink, .contents, .pager, .data-table__downloads"
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Facets:
    """What a page can be filtered by on the search page ('' when it has none)."""

    kind: str
    theme: str
    sector: str


def partner_sectors(tables: Mapping[str, Table]) -> dict[str, str]:
    """Each partner's sector, which its generated page is filtered by."""
    return {row["partner_id"]: row["sector"] for row in tables["partners"].rows}


def page_facets(page: Page, sectors: Mapping[str, str]) -> Facets:
    layout = page.meta.layout
    kind = KIND_LABELS.get(layout, OTHER_KIND)
    if layout == "case-study":
        return Facets(kind, page.details.theme, page.details.sector)
    if layout == "partner":
        return Facets(kind, "", sectors.get(getattr(page.meta, "partner_id", ""), ""))
    return Facets(kind, "", "")


def facet_options(
    pages: Iterable[Page], sectors: Mapping[str, str], theme_names: Mapping[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices for each filter, only those some page has, in a stable order."""
    found = [page_facets(p, sectors) for p in pages if p.meta.layout not in NOT_INDEXED]
    kinds = [*KIND_LABELS.values(), OTHER_KIND]
    themes = list(theme_names)
    return {
        "kind": [(k, k) for k in kinds if any(f.kind == k for f in found)],
        "theme": [(t, theme_names[t]) for t in themes if any(f.theme == t for f in found)],
        "sector": [(s, s.capitalize()) for s in sorted({f.sector for f in found if f.sector})],
    }


def page_text(html: str) -> str:
    """The words a reader sees in a page's <main>, without permalinks, contents lists or script."""
    document = LexborHTMLParser(html)
    main = document.css_first("main") or document.body or document.root
    if main is None:
        return ""
    for node in main.css(SKIPPED):
        node.decompose()
    return re.sub(r"\s+", " ", main.text(deep=True, separator=" ")).strip()


def _words(text: str) -> str:
    """Text without tokens that hold no letter (amounts, years, percentages): nobody
    finds a page by "1,234", and a table's figures would otherwise fill the index."""
    return " ".join(token for token in text.split() if LETTER.search(token))


def search_index_inputs(texts: Sequence[tuple[Page, str]], sectors: Mapping[str, str]) -> str:
    """What the index is made from, so that a build can keep the last one when it is unchanged."""
    return digest(*(f"{page.url}\t{page.meta.title}\t{page.meta.summary}\t{page_facets(page, sectors)}\t{text}"
                    for page, text in texts))


def search_index_script(texts: Sequence[tuple[Page, str]], sectors: Mapping[str, str]) -> str:
    """`search/index.js`: the serialised lunr index and the documents store, as one script.

    `texts` are the indexed pages with their text (page_text of the page as rendered)."""
    records: list[dict[str, Any]] = []
    documents: list[dict[str, str]] = []
    for number, (page, text) in enumerate(texts):
        facets = page_facets(page, sectors)
        records.append({"id": str(number), "title": page.meta.title, "summary": page.meta.summary,
                        "body": _words(text)})
        document = {"url": page.url, "title": page.meta.title, "summary": page.meta.summary,
                    "kind": facets.kind, "theme": facets.theme, "sector": facets.sector}
        documents.append({k: v for k, v in document.items() if v or k == "url"})
    index = lunr(
        ref="id",
        fields=[{"field_name": "title", "boost": 10}, {"field_name": "summary", "boost": 5}, "body"],
        documents=records,
    )
    payload = {"index": index.serialize(), "documents": documents}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # "</" cannot end a script element early: the file is a script, never inline, but
    # keep it safe to inline all the same.
    return "window.SITEGEN_SEARCH = " + data.replace("</", "<\\/") + ";\n"
