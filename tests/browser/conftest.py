"""Browser tests: the demo built once, served under a sub-path as an intranet would,
and driven by Debian's Chromium through Playwright. Every request a page makes
outside the site is blocked and recorded; each test asserts there was none."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest
from conftest import build_folder, copy_demo  # tests/conftest.py

from sitegen.render.wayfinding import NOT_FOUND_PATH

SUB_PATH = "/finance/vfm/"
CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SETUP_HINT = "run `make test` (it installs Chromium, Node and axe-core: see the README)"


class _SubPathHandler(SimpleHTTPRequestHandler):
    """The site at SUB_PATH and nothing else; a missing page gets 404.html with status 404."""

    requested: list[str]  # set on the subclass made per server

    def do_GET(self) -> None:
        self.requested.append(self.path)
        if not self.path.startswith(SUB_PATH):
            self.send_error(404)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        self.do_GET()

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path[len(SUB_PATH):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / NOT_FOUND_PATH
        if code != 404 or not self.path.startswith(SUB_PATH) or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class ServedSite:
    folder: Path
    root: str  # http://127.0.0.1:PORT/finance/vfm/
    requested: list[str]

    @property
    def file_root(self) -> str:
        return self.folder.as_uri() + "/"


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The demo built with base_url set to where it is served, under /finance/vfm/."""
    project = copy_demo(tmp_path_factory.mktemp("browser") / "project")
    folder = project / "site"
    folder.mkdir()  # served before it is built: the base_url needs the server's port
    requested: list[str] = []
    handler = type("Handler", (_SubPathHandler,), {"requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    try:
        root = f"http://127.0.0.1:{server.server_port}{SUB_PATH}"
        config = project / "sitegen.toml"
        text = config.read_text(encoding="utf-8").replace("[site]\n", f'[site]\nbase_url = "{root}"\n', 1)
        config.write_text(text, encoding="utf-8")
        build_folder(project)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield ServedSite(folder, root, requested)
        server.shutdown()
        outside = [path for path in requested if not path.startswith(SUB_PATH)]
        assert outside == [], f"requests outside {SUB_PATH}: {outside}"
    finally:
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.is_file(), f"no Chromium at {CHROMIUM}: {SETUP_HINT}"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A browser context that lets through only the site's own requests, and records the rest."""

    context: object
    page: object
    outside: list[str] = field(default_factory=list)


def _open(browser: object, site: ServedSite, width: int = 1280) -> Visit:
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    visit = Visit(context, None)

    def guard(route: object) -> None:
        url = route.request.url
        if url.startswith((site.root, site.file_root)):
            route.continue_()
        else:
            visit.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: None if request.url.startswith(
        (site.root, site.file_root, "data:")) or request.url in visit.outside else visit.outside.append(request.url))
    visit.page = context.new_page()
    return visit


@pytest.fixture
def visit(browser: object, served_site: ServedSite) -> Iterator[Visit]:
    opened = _open(browser, served_site)
    yield opened
    opened.context.close()


@pytest.fixture
def narrow_visit(browser: object, served_site: ServedSite) -> Iterator[Visit]:
    opened = _open(browser, served_site, width=375)
    yield opened
    opened.context.close()


# ---- crawling the served site without a browser -------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.layout = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        if tag == "body":
            self.layout = values.get("data-layout", "")
        for attribute in ("href", "src"):
            if attribute in values and tag in ("a", "link", "script", "img", "source", "iframe"):
                self.links.append(values[attribute])


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes

    def parsed(self) -> _Links:
        parser = _Links()
        parser.feed(self.body.decode("utf-8"))
        parser.close()
        return parser


def fetch(url: str) -> Fetched:
    try:
        with urlopen(url, timeout=10) as response:
            return Fetched(response.status, response.headers.get("Content-Type", ""), response.read())
    except HTTPError as error:
        return Fetched(error.code, error.headers.get("Content-Type", ""), error.read())


@dataclass
class Crawl:
    pages: dict[str, Fetched]  # every HTML page reached from the home page, by URL
    files: dict[str, Fetched]  # everything else linked (CSV, JSON, PDF, CSS, JS, images)
    broken: list[str]


@pytest.fixture(scope="session")
def crawl(served_site: ServedSite) -> Crawl:
    """Every page and file reachable from the home page by links, fetched over HTTP."""
    pages: dict[str, Fetched] = {}
    files: dict[str, Fetched] = {}
    anchors: list[tuple[str, str, str]] = []  # (from page, target page, fragment)
    broken: list[str] = []
    queue = [served_site.root]
    while queue:
        url = queue.pop()
        if url in pages:
            continue
        fetched = fetch(url)
        pages[url] = fetched
        if fetched.status != 200:
            broken.append(f"{url}: status {fetched.status}")
            continue
        for link in fetched.parsed().links:
            target, fragment = urldefrag(urljoin(url, link))
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or not target.startswith(served_site.root):
                continue  # mailto:, tel:, data: images, and pages of other sites are not ours
            if fragment:
                anchors.append((url, target, fragment))
            if target.endswith(("/", ".html")):
                queue.append(target)
            elif target not in files:
                files[target] = fetch(target)
                if files[target].status != 200:
                    broken.append(f"{target} (linked from {url}): status {files[target].status}")
    for source, target, fragment in anchors:
        if target in pages and pages[target].status == 200 and fragment not in pages[target].parsed().ids:
            broken.append(f"{target}#{fragment} (linked from {source}): no such anchor")
    return Crawl(pages, files, broken)


def axe_violations(page: object) -> list[str]:
    """WCAG 2.2 A and AA violations axe-core finds on the page as it is now."""
    assert AXE.is_file(), f"axe-core is not installed in tests/browser/node_modules: {SETUP_HINT}"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
            resultTypes: ["violations"]})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) + " " + node.get("failureSummary", "").replace("\n", " ")
                    for node in v["nodes"][:3])
        for v in result["violations"]
    ]
