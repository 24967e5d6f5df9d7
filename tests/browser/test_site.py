"""The demo site as a reader meets it on an intranet: served under /finance/vfm/ and
opened from disk, in headless Chromium, with no request leaving the site."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import build_folder
from lunr.index import Index
from test_search import load_shards
from test_wayfinding import project  # noqa: F401 - a small project with a case study

from sitegen.build import search as search_module

from .conftest import SUB_PATH, Crawl, ServedSite, Visit, axe_violations, fetch

pytestmark = pytest.mark.slow

KNOWN_STUDY = "Shared winter maintenance"
STUDY_LINK = "a[href*='case-studies/shared-winter-maintenance/']"  # a joint project has the same title
WORD_IN_ITS_TEXT = "gritting"  # in the study's body, not its title; also on a joint project's page


def _expect():
    from playwright.sync_api import expect

    return expect


def _assert_stayed_inside(visit: Visit, site: ServedSite) -> None:
    """No request left the site: none blocked in the browser, none outside the sub-path at the server."""
    assert visit.outside == []
    assert [path for path in site.requested if not path.startswith(SUB_PATH)] == []


def _heading(visit: Visit) -> str:
    return visit.page.locator("h1").first.inner_text().strip()


def test_navigation_breadcrumbs_and_previous_next_work_from_a_sub_path(visit: Visit, served_site: ServedSite) -> None:
    page, expect = visit.page, _expect()
    page.goto(served_site.root)
    site_nav = page.get_by_role("navigation", name="Site")
    site_nav.get_by_role("link", name="Case studies", exact=True).click()
    expect(page).to_have_url(served_site.root + "case-studies/")
    expect(site_nav.get_by_role("link", name="Case studies", exact=True)).to_have_attribute("aria-current", "page")

    page.get_by_role("main").get_by_role("link", name=KNOWN_STUDY).first.click()
    expect(page).to_have_url(served_site.root + "case-studies/shared-winter-maintenance/")
    assert _heading(visit) == KNOWN_STUDY

    pager = page.get_by_role("navigation", name=re.compile("^Previous and next"))
    following = pager.locator("a[rel=next]")
    next_title = following.inner_text().removeprefix("Next").strip()
    following.click()
    assert _heading(visit) == next_title
    previous = page.get_by_role("navigation", name=re.compile("^Previous and next")).locator("a[rel=prev]")
    assert previous.inner_text().removeprefix("Previous").strip() == KNOWN_STUDY

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Case studies", exact=True).click()
    expect(page).to_have_url(served_site.root + "case-studies/")
    _assert_stayed_inside(visit, served_site)


def test_narrow_screen_folds_the_navigation_behind_a_menu_button(narrow_visit: Visit, served_site: ServedSite) -> None:
    page, expect = narrow_visit.page, _expect()
    page.goto(served_site.root + "report/")
    menu = page.get_by_role("button", name="Menu")
    links = page.get_by_role("navigation", name="Site").get_by_role("link")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links.first).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(links.first).to_be_visible()
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Partners", exact=True).click()
    expect(page).to_have_url(served_site.root + "partners/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways at 375 px"
    _assert_stayed_inside(narrow_visit, served_site)


def test_search_finds_a_case_study_by_a_word_in_it_and_a_filter_narrows_it(visit: Visit, served_site: ServedSite) -> None:
    page, expect = visit.page, _expect()
    page.goto(served_site.root + "report/")
    page.get_by_role("search").get_by_label("Search this site").fill(WORD_IN_ITS_TEXT)
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(re.escape(served_site.root + "search/") + r"\?q=" + WORD_IN_ITS_TEXT))
    results = page.locator("#search-results .search-result")
    expect(results.locator(STUDY_LINK)).to_have_text(KNOWN_STUDY)
    expect(page.locator("[data-search-no-script]")).to_be_hidden()
    everything = results.count()
    assert everything >= 2, "the word is on a case study and a joint project's page"

    page.get_by_label("Type of page").select_option("Case study")
    expect(results).to_have_count(1)
    expect(results.locator(STUDY_LINK)).to_be_visible()
    page.get_by_label("Sector").select_option("police")
    expect(results).to_have_count(0)
    page.get_by_label("Sector").select_option("county")
    expect(results).to_have_count(1)

    results.locator(STUDY_LINK).click()
    expect(page).to_have_url(served_site.root + "case-studies/shared-winter-maintenance/")
    _assert_stayed_inside(visit, served_site)


def test_search_page_without_script_says_search_needs_it(browser: object, served_site: ServedSite) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_site.root + "search/?q=" + WORD_IN_ITS_TEXT)
        notice = page.locator("[data-search-no-script]")
        assert notice.is_visible()
        assert "needs JavaScript" in notice.inner_text()
        notice.get_by_role("link", name="site map").click()
        assert page.locator("h1").inner_text() == "Site map"
    finally:
        context.close()


def test_table_csv_downloads_are_served(visit: Visit, served_site: ServedSite) -> None:
    page = visit.page
    page.goto(served_site.root + "report/")
    hrefs = sorted(set(page.locator("a[download][href$='.csv']").evaluate_all("links => links.map(a => a.href)")))
    assert len(hrefs) >= 5
    for href in hrefs:
        assert href.startswith(served_site.root + "tables/")
        response = visit.context.request.get(href)
        assert response.status == 200, href
        assert response.headers["content-type"].startswith("text/csv"), href
        assert "," in response.text().splitlines()[0]
    with page.expect_download() as download:
        page.locator("a[download][href$='.csv']:visible").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    assert download.value.failure() is None
    _assert_stayed_inside(visit, served_site)


def test_every_internal_link_and_anchor_resolves(crawl: Crawl, served_site: ServedSite) -> None:
    assert crawl.broken == []
    layouts = {page.parsed().layout for page in crawl.pages.values()}
    assert {"page", "case-study", "partner", "paper", "search", "sitemap", "accessibility"} <= layouts
    assert any(url.endswith(".csv") for url in crawl.files) and any(url.endswith(".pdf") for url in crawl.files)
    # sitemap.xml (made because base_url is set) lists exactly the pages the links reach.
    sitemap = fetch(served_site.root + "sitemap.xml")
    assert sitemap.status == 200
    listed = set(re.findall(r"<loc>([^<]+)</loc>", sitemap.body.decode("utf-8")))
    assert listed == {url for url in crawl.pages if url.endswith("/")}


def test_a_missing_page_gets_the_404_page_with_working_links_at_any_depth(served_site: ServedSite) -> None:
    for missing in ("no-such-page", "case-studies/themes/no-such-theme/deeper/"):
        url = served_site.root + missing
        fetched = fetch(url)
        assert fetched.status == 404
        parsed = fetched.parsed()
        assert parsed.layout == "not-found"
        for link in parsed.links:
            target = urljoin(url, link)
            if link.startswith("#"):
                continue  # the skip link, to this very page
            if target.startswith(served_site.root):
                assert fetch(target).status == 200, f"{link} from {url}"


def test_axe_finds_no_wcag_violation_on_any_layout(visit: Visit, crawl: Crawl, served_site: ServedSite) -> None:
    """One page of every layout in the built site (found by its data-layout), plus the 404
    page, search results drawn by script, and a narrow screen."""
    first_of_layout: dict[str, str] = {}
    for url in sorted(crawl.pages):
        layout = crawl.pages[url].parsed().layout
        first_of_layout.setdefault(layout, url)
    assert "" not in first_of_layout, f"a page without data-layout: {first_of_layout.get('')}"
    checks = [*first_of_layout.values(), served_site.root + "no-such-page/",
              served_site.root + f"search/?q={WORD_IN_ITS_TEXT}"]
    problems: dict[str, list[str]] = {}
    page = visit.page
    for url in checks:
        page.goto(url)
        if "search/?" in url:
            page.locator("#search-results .search-result").first.wait_for()
        found = axe_violations(page)
        if found:
            problems[url] = found
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(served_site.root + "case-studies/shared-winter-maintenance/")
    page.get_by_role("button", name="Menu").click()
    if found := axe_violations(page):
        problems["375 px wide, menu open"] = found
    assert problems == {}
    _assert_stayed_inside(visit, served_site)


def test_opened_from_disk_navigation_and_search_work_offline(visit: Visit, served_site: ServedSite) -> None:
    page, expect = visit.page, _expect()
    visit.context.set_offline(True)
    home = served_site.file_root + "index.html"
    page.goto(home)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Case studies", exact=True).click()
    expect(page).to_have_url(served_site.file_root + "case-studies/index.html")
    assert _heading(visit) == "Case studies"
    page.get_by_role("search").get_by_label("Search this site").fill(WORD_IN_ITS_TEXT)
    page.get_by_role("search").get_by_label("Search this site").press("Enter")
    expect(page).to_have_url(re.compile(re.escape(served_site.file_root + "search/index.html?q=")))
    page.locator("#search-results").locator(STUDY_LINK).click()
    expect(page).to_have_url(served_site.file_root + "case-studies/shared-winter-maintenance/index.html")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").first.click()
    expect(page).to_have_url(home)
    _assert_stayed_inside(visit, served_site)


def test_the_axe_check_reports_violations_when_there_are_some(visit: Visit) -> None:
    """The harness itself: a page with an unlabelled field and an image without alt fails."""
    visit.page.set_content('<!doctype html><html lang="en"><title>t</title><main>'
                           '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input></main></html>')
    found = " ".join(axe_violations(visit.page))
    assert "image-alt" in found and "label" in found


def test_search_ranks_the_results_of_every_shard_together(
    browser: object, project: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """A big site's index comes in shards: the page loads them all from disk and ranks
    their hits as one list, best first (lunr.py's scores of each shard, merged)."""
    monkeypatch.setattr(search_module, "SHARD_PAGES", 2)
    build_folder(project)
    shards = load_shards(project / "site")
    assert len(shards) >= 3
    hits = [(bool(document.get("listing")), -hit["score"], document["url"], document["title"])
            for shard in shards for hit in Index.load(shard["index"]).search("report")
            for document in [shard["documents"][int(hit["ref"])]]]
    expected = [title for *_, title in sorted(hits)]  # listings of pages after the pages
    assert len({url for _, _, url, _ in hits}) >= 3 and len(shards) > 1
    context = browser.new_context(offline=True)
    try:
        page = context.new_page()
        page.goto((project / "site" / "search" / "index.html").as_uri() + "?q=report")
        titles = page.locator("#search-results .search-result__title")
        _expect()(titles.first).to_be_visible()
        assert titles.all_inner_texts() == expected
    finally:
        context.close()


def test_search_ranks_a_page_of_its_own_words_above_the_listings_of_pages(
    browser: object, project: Path  # noqa: F811
) -> None:
    """"Case studies: Alphaton" has the word in its title, which lunr weighs ten times a
    word of the text; the study says it in its text. The study comes first."""
    study = project / "content" / "case-studies" / "shared-gritting.md"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "The salt barns were merged.", "The salt barns of Alphaton and Betaby were merged into one depot."),
        encoding="utf-8")
    build_folder(project)
    [shard] = load_shards(project / "site")
    raw = [shard["documents"][int(hit["ref"])]["title"] for hit in Index.load(shard["index"]).search("alphaton")]
    assert raw[0] == "Case studies: Alphaton"  # what lunr's scores alone would put first
    context = browser.new_context(offline=True)
    try:
        page = context.new_page()
        page.goto((project / "site" / "search" / "index.html").as_uri() + "?q=alphaton")
        titles = page.locator("#search-results .search-result__title")
        _expect()(titles.first).to_be_visible()
        shown = titles.all_inner_texts()
        assert shown[0] == "Shared gritting"
        assert shown.index("Case studies: Alphaton") > 0 and set(shown) == set(raw)
    finally:
        context.close()


def test_a_wide_table_on_a_phone_scrolls_in_its_frame_with_a_cue_and_its_caption_in_view(
    narrow_visit: Visit, served_site: ServedSite
) -> None:
    """At 375 px the report's tables are wider than the screen: each says it scrolls, its
    frame scrolls, and its caption wraps within the screen."""
    page, expect = narrow_visit.page, _expect()
    page.goto(served_site.root + "report/")
    figure = page.locator("figure.data-table").first
    expect(figure).to_have_class(re.compile(r"\bdata-table--wide\b"))
    cue = figure.locator(".data-table__cue")
    expect(cue).to_be_visible()
    assert "scroll" in cue.inner_text().lower()
    frame = figure.locator(".data-table__scroll")
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth"), "the table fits: no cue needed"
    caption = figure.locator("caption").bounding_box()
    assert caption is not None and caption["x"] + caption["width"] <= 375
    frame.evaluate("f => { f.scrollLeft = 10000; }")
    assert figure.locator("caption").bounding_box()["x"] >= 0  # still in view once scrolled
    _assert_stayed_inside(narrow_visit, served_site)


def test_a_table_that_fits_shows_no_scroll_cue(visit: Visit, served_site: ServedSite) -> None:
    page = visit.page
    page.goto(served_site.root + "returns/")
    for figure in page.locator("figure.data-table").all():
        fits = figure.locator(".data-table__scroll").evaluate("f => f.scrollWidth <= f.clientWidth + 1")
        assert figure.locator(".data-table__cue").is_visible() is not fits


def test_on_a_phone_the_download_links_wrap_to_the_left_edge(narrow_visit: Visit, served_site: ServedSite) -> None:
    """At 375 px the report's PDF and workbook links no longer fit on one line: the one
    that wraps starts at the same left edge as the other, not indented under it."""
    page = narrow_visit.page
    page.goto(served_site.root + "report/")
    pdf = page.locator(".report-cover .pdf-link").bounding_box()
    workbook = page.locator(".report-cover .xlsx-link").bounding_box()
    assert pdf is not None and workbook is not None
    assert workbook["y"] > pdf["y"], "the links fit on one line: nothing wraps"
    assert abs(workbook["x"] - pdf["x"]) < 1
