"""Ways around the site: previous/next, breadcrumbs, the site map and sitemap.xml, the
404 page, the search page's filters, the accessibility statement and base_url."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build_folder, load_folder

from sitegen.config import load_config
from sitegen.errors import ConfigError
from sitegen.render.pages import RenderedPage, Renderer

CASE_STUDY = """---
title: Shared gritting
layout: case-study
summary: Two councils grit each other's roads.
place: Alphaton
partners: [alpha, beta]
sector: county
theme: collaboration
year: 2008-09
annual_saving_gbp: 12000
cash_releasing: true
date: 2009-05-01
---

The salt barns were merged.
"""


@pytest.fixture
def project(copy_fixture) -> Path:
    """The minimal project with a report section of three pages and a case study."""
    root = copy_fixture("minimal")
    pages = {
        "report/index.md": "---\ntitle: Report\norder: 1\n---\n\nThe report.\n",
        "report/second.md": "---\ntitle: Second chapter\norder: 2\n---\n\nTwo.\n",
        "report/first.md": "---\ntitle: First chapter\norder: 1\n---\n\nOne.\n",
        "deep/a/b/page.md": "---\ntitle: Deep page\n---\n\nDeep.\n",
        "deep/index.md": "---\ntitle: Deep section\n---\n\nSection.\n",
        "case-studies/index.md": "---\ntitle: Case studies\nlayout: case-studies\n---\n",
        "case-studies/shared-gritting.md": CASE_STUDY,
    }
    for name, text in pages.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def render(project: Path) -> tuple[Renderer, dict[str, RenderedPage]]:
    loaded = load_folder(project)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content)
    return renderer, {page.url: renderer.render_page(page) for page in loaded.content.pages}


def set_site_key(project: Path, line: str) -> None:
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]\n", f"[site]\n{line}\n", 1), encoding="utf-8")


def links(html: str, rel: str) -> list[str]:
    return re.findall(rf'<a href="([^"]*)" rel="{rel}">', html)


def test_previous_and_next_walk_a_section_in_front_matter_order(project: Path) -> None:
    _, pages = render(project)
    assert links(pages["report/"].html, "prev") == []
    assert links(pages["report/"].html, "next") == ["first/"]
    assert links(pages["report/first/"].html, "prev") == ["../"]
    assert links(pages["report/first/"].html, "next") == ["../second/"]
    assert links(pages["report/second/"].html, "next") == []
    assert 'aria-label="Previous and next in Report"' in pages["report/second/"].html
    assert "rel=\"next\"" not in pages[""].html  # the home page is not in a section


def test_breadcrumbs_pass_over_a_folder_that_has_no_page(project: Path) -> None:
    _, pages = render(project)
    crumbs = pages["deep/a/b/page/"].html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', crumbs) == [
        ("../../../../", "Minimal report"), ("../../../", "Deep section")]


def test_every_page_says_its_layout_and_links_search_site_map_and_statement(project: Path) -> None:
    _, pages = render(project)
    html = pages["report/first/"].html
    assert '<body class="layout-page" data-layout="page">' in html
    assert '<form class="masthead__search" role="search" action="../../search/" method="get">' in html
    for target in ("../../sitemap/", "../../search/", "../../accessibility/"):
        assert f'<a href="{target}">' in html
    assert 'data-layout="case-study"' in pages["case-studies/shared-gritting/"].html


def test_the_site_map_lists_every_page_under_its_section(project: Path) -> None:
    _, pages = render(project)
    site_map = pages["sitemap/"].html
    for title in ("Report", "First chapter", "Second chapter", "Deep page", "Shared gritting", "Search"):
        assert f">{title}</a>" in site_map
    assert site_map.index(">First chapter<") < site_map.index(">Second chapter<")


def test_search_page_filters_offer_only_what_the_site_has(project: Path) -> None:
    _, pages = render(project)
    search = pages["search/"].html
    kinds = re.findall(r'<option value="([^"]+)">', search.split('id="search-kind"')[1].split("</select>")[0])
    assert kinds == ["Case study", "Partner", "Page"]
    assert '<option value="collaboration">Collaboration and shared services</option>' in search
    assert '<option value="county">County</option>' in search and '<option value="district">District</option>' in search
    assert 'value="police"' not in search
    assert "Search needs JavaScript" in search
    assert 'data-search-index="index.js"' in search


def test_without_base_url_there_is_no_sitemap_xml_and_404_links_from_the_root(project: Path) -> None:
    build_folder(project)
    site = project / "site"
    assert (site / "search" / "index.js").is_file() and not (site / "sitemap.xml").exists()
    missing = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="./static/css/site.css"' in missing and '<a href="sitemap/">' in missing
    assert 'data-layout="not-found"' in missing and "<h1>Page not found</h1>" in missing
    assert 'aria-current' not in missing and 'rel="canonical"' not in missing


def test_with_base_url_sitemap_xml_and_canonical_links_are_absolute_and_links_stay_relative(project: Path) -> None:
    set_site_key(project, 'base_url = "https://intranet.example.gov.uk/finance/vfm"')
    _, pages = render(project)
    build_folder(project)
    site = project / "site"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://intranet.example.gov.uk/finance/vfm/" in locations
    assert "https://intranet.example.gov.uk/finance/vfm/report/first/" in locations
    assert len(locations) == len(pages)
    assert "<loc>https://intranet.example.gov.uk/finance/vfm/case-studies/shared-gritting/</loc>" \
           "<lastmod>2009-05-01</lastmod>" in sitemap
    first = pages["report/first/"].html
    assert '<link rel="canonical" href="https://intranet.example.gov.uk/finance/vfm/report/first/">' in first
    assert links(first, "next") == ["../second/"]
    missing = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="/finance/vfm/static/css/site.css"' in missing
    assert '<a href="/finance/vfm/sitemap/">' in missing


@pytest.mark.parametrize("value", ["intranet/finance/vfm/", "ftp://host/x/", "https://host/x/?page=1", "/finance/vfm/"])
def test_a_base_url_that_is_not_an_absolute_web_address_is_an_error(project: Path, value: str) -> None:
    set_site_key(project, f'base_url = "{value}"')
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    problem = caught.value.problems[0]
    assert problem.column == "site.base_url"
    assert "absolute http(s) address" in problem.message and value in problem.message


def test_the_command_line_base_url_replaces_the_config_and_is_checked(project: Path) -> None:
    set_site_key(project, 'base_url = "https://old.example/"')
    assert load_config(project, base_url="http://intranet/vfm").site.base_url == "http://intranet/vfm/"
    with pytest.raises(ConfigError, match="--base-url"):
        load_config(project, base_url="intranet/vfm")


def test_the_accessibility_statement_follows_the_govuk_sample(project: Path) -> None:
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8") + (
        '\n[accessibility]\ncontact_email = "access@example.gov.uk"\ncontact_phone = "01234 567890"\n'
        'response_days = 5\nenforcement = "ECNI"\nprepared = 2011-08-01\n'), encoding="utf-8")
    _, pages = render(project)
    statement = pages["accessibility/"].html
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", statement)
    assert headings == [
        "How accessible this website is", "Feedback and contact information",
        "Reporting accessibility problems with this website", "Enforcement procedure",
        "Technical information about this website's accessibility", "Non-accessible content",
        "Preparation of this accessibility statement",
    ]
    assert "<h1>Accessibility statement for Test Partnership: Minimal Report</h1>" in statement
    assert statement.count('<a href="mailto:access@example.gov.uk">') == 2
    assert '<a href="tel:01234567890">01234 567890</a>' in statement
    assert "get back to you in 5 working days" in statement
    assert "Equality Commission for Northern Ireland" in statement and "EHRC" not in statement
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in statement
    assert "This statement was prepared on 1 August 2011." in statement


def test_accessibility_compliance_and_its_list_must_agree(project: Path) -> None:
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[accessibility]\ncompliance = "fully"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert caught.value.problems[0].column == "accessibility"
    assert "non_compliant" in caught.value.problems[0].message


def test_a_project_page_replaces_the_generated_statement(project: Path) -> None:
    (project / "content" / "accessibility.md").write_text(
        "---\ntitle: Our accessibility statement\n---\n\nWritten by hand.\n", encoding="utf-8")
    _, pages = render(project)
    assert "Written by hand." in pages["accessibility/"].html
    assert 'data-layout="page"' in pages["accessibility/"].html
