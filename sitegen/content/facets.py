"""What a page can be found by on the search page: its kind, theme and sector."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sitegen.content.pages import Page
from sitegen.tables.table import Table

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

# Pages that list other pages (their titles and summaries): found by their name, but
# ranked after every page whose own words match (search.js).
LISTING_LAYOUTS = frozenset({"case-studies", "case-study-index", "partners", "projects", "services", "papers"})


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

