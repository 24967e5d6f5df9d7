"""Pages made from data rather than Markdown: a page per partner and per joint project,
their indexes, and the case-study indexes by theme, place and sector.

Each is an ordinary `Page` with an empty body and a layout that draws everything
from the tables, so a project overrides it like any other template. A Markdown page
at the same URL wins: an author can always write the page by hand instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from sitegen.config import Config
from sitegen.content.facets import facet_options, partner_sectors
from sitegen.content.pages import ContentTree, Page, PageMeta, name_pdfs
from sitegen.data.contract import SECTORS, WORKSTREAMS
from sitegen.tables.table import Table

THEME_NAMES = {
    "bpi": "Business process improvement",
    "collaboration": "Collaboration and shared services",
    "procurement": "Procurement",
    "asset_management": "Asset management",
    "technology": "Technology",
    "other": "Other",
}


def with_generated_pages(config: Config, tables: dict[str, Table], content: ContentTree) -> ContentTree:
    """The content tree plus every page made from data, hand-written pages first."""
    made = [
        *_partner_pages(config, tables),
        *_project_pages(config, tables),
        *_service_pages(config, tables),
        *_case_study_indexes(content),
    ]
    if content.page_at("") is None:
        made.append(_page(config.source, "sitegen.toml", "", title=config.site.title, layout="figures", order=0,
                          summary="The partnership's figures, computed from the partners' returns."))
    made += _site_pages(config, tables, [*content.pages, *made])
    taken = {page.url for page in content.pages}
    extra = [page for page in made if page.url not in taken]
    pages = name_pdfs([*content.pages, *extra])
    return replace(content, pages=tuple(pages))


def slug(text: str) -> str:
    """'South Valeshire' -> 'south-valeshire'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


def _page(source: Path, source_name: str, url: str, **meta: object) -> Page:
    return Page(source, source_name, url, PageMeta.model_validate(meta), body="", body_line=1)


def _partner_pages(config: Config, tables: dict[str, Table]) -> Iterable[Page]:
    partners = tables["partners"]
    if not partners.sources:  # papers or a newsletter alone: no partnership data
        return
    source_name = partners.sources[0]
    source = config.project_dir / source_name
    yield _page(source, source_name, "partners/", title="Partners", layout="partners", order=6,
                summary="Each partner's returns, target and forecasts, line by line.")
    for row in partners.records():
        yield _page(source, source_name, f"partners/{row['partner_id']}/", title=row["name"], layout="partner",
                    nav=False, partner_id=row["partner_id"],
                    summary=f"{row['name']}: efficiency returns, target trajectory, forecasts and scores.")


def _project_pages(config: Config, tables: dict[str, Table]) -> Iterable[Page]:
    projects = tables["projects"]
    if not len(projects.frame):
        return
    source_name = projects.sources[0]
    source = config.project_dir / source_name
    yield _page(source, source_name, "projects/", title="Joint projects", layout="projects", order=5,
                summary="The efficiency projects partners are carrying out together, with their funding and status.")
    for row in projects.records():
        yield _page(source, source_name, f"projects/{row['project_id']}/", title=row["title"], layout="project",
                    nav=False, project_id=row["project_id"], summary=row["summary"] or "")


def _service_pages(config: Config, tables: dict[str, Table]) -> Iterable[Page]:
    """The VfM action plan: an index of the benchmarked services and a page (with a PDF) for each."""
    services = tables["services"]
    if not len(services.frame):
        return
    source_name = services.sources[0]
    source = config.project_dir / source_name
    yield _page(source, source_name, "services/", title="Service unit costs", layout="services", order=4,
                summary="What each service costs per head, per user or per unit, how well it performs, "
                        "and how it compares with the other partners.")
    for row in services.records():
        yield _page(source, source_name, f"services/{row['service_id']}/", title=row["name"], layout="service",
                    nav=False, pdf=True, service_id=row["service_id"],
                    summary=row["summary"] or f"{row['name']}: unit costs, performance and value for money.")


def _case_study_indexes(content: ContentTree) -> Iterable[Page]:
    studies = [p for p in content.pages if p.meta.layout == "case-study"]
    if not studies:
        return
    root = studies[0].parent_url or ""
    source = studies[0].source.parent
    source_name = studies[0].source_name.rsplit("/", 1)[0] + "/"
    facets = {
        "themes": sorted({s.details.theme for s in studies}, key=WORKSTREAMS.index),
        "sectors": sorted({s.details.sector for s in studies}, key=SECTORS.index),
        "places": sorted({place for s in studies for place in s.details.places}),
    }
    for facet, values in facets.items():
        for value in values:
            title = THEME_NAMES.get(value, value.capitalize()) if facet != "places" else value
            yield _page(source, source_name, f"{root}{facet}/{slug(value)}/", title=f"Case studies: {title}",
                        layout="case-study-index", nav=False, facet=facet, facet_value=value,
                        summary=f"Case studies filed under {title.lower() if facet != 'places' else title}.")


def _site_pages(config: Config, tables: dict[str, Table], pages: list[Page]) -> list[Page]:
    """Search, the site map and the accessibility statement: linked from every page's header
    and footer, out of the navigation (WCAG's "multiple ways" to find a page)."""
    source = config.source
    facets = facet_options(pages, partner_sectors(tables), THEME_NAMES)
    return [
        _page(source, "sitegen.toml", "search/", title="Search", layout="search", nav=False,
              summary="Search the pages, case studies and partner pages of this site.", facets=facets),
        _page(source, "sitegen.toml", "sitemap/", title="Site map", layout="sitemap", nav=False,
              summary="Every page of this site, section by section."),
        _page(source, "sitegen.toml", "accessibility/", title="Accessibility statement", layout="accessibility",
              nav=False, summary="How accessible this website is, and how to report a problem."),
    ]
