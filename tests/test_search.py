"""The search index: what it holds, what it leaves out, and the lunr.js it is made for."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import lunr
import pytest
from lunr.index import Index
from test_wayfinding import project, render  # noqa: F401 - the same small project

from sitegen.build import build
from sitegen.search import page_text

REPO = Path(__file__).parent.parent
VENDORED = REPO / "sitegen" / "theme" / "static" / "vendor" / "lunr"


def load_index(site: Path) -> dict:
    text = (site / "search" / "index.js").read_text(encoding="utf-8")
    assert text.startswith("window.SITEGEN_SEARCH = ") and text.endswith(";\n")
    return json.loads(text.removeprefix("window.SITEGEN_SEARCH = ").removesuffix(";\n"))


@pytest.fixture
def index_data(project: Path) -> dict:  # noqa: F811
    build(project)
    return load_index(project / "site")


def search(data: dict, query: str) -> list[str]:
    found = Index.load(data["index"]).search(query)
    return [data["documents"][int(hit["ref"])]["title"] for hit in found]


def test_page_text_is_what_a_reader_sees_in_main() -> None:
    html = """<!doctype html><html><head><title>Not this</title><script>alsoNot()</script></head>
    <body><nav>Menu words</nav><main><h2 id="x">Gains <a class="headerlink" href="#x">#</a></h2>
    <nav class="contents"><a href="#x">Contents words</a></nav>
    <p>Fish &amp; chips<br>for <b>all</b></p><script>var hidden = 1;</script>
    <table><caption>Savings table</caption><tr><td>Gritting</td></tr></table></main>
    <footer>Footer words</footer></body></html>"""
    assert page_text(html) == "Gains Fish & chips for all Savings table Gritting"


def test_a_page_is_found_by_a_word_in_its_body_and_the_store_keeps_summaries_only(index_data: dict) -> None:
    assert search(index_data, "barns") == ["Shared gritting"]  # only in the body
    study = next(d for d in index_data["documents"] if d["title"] == "Shared gritting")
    assert study == {"url": "case-studies/shared-gritting/", "title": "Shared gritting",
                     "summary": "Two councils grit each other's roads.", "kind": "Case study",
                     "theme": "collaboration", "sector": "county"}
    assert "barns" not in json.dumps(index_data["documents"])


def test_partner_pages_carry_their_sector_and_ways_to_find_pages_are_not_indexed(index_data: dict) -> None:
    partner = next(d for d in index_data["documents"] if d["title"] == "Alpha County Council")
    assert partner["kind"] == "Partner" and partner["sector"] == "county" and "theme" not in partner
    titles = {d["title"] for d in index_data["documents"]}
    assert "Accessibility statement" in titles
    assert not titles & {"Search", "Site map", "Page not found"}


def test_amounts_and_years_are_left_out_of_the_index(index_data: dict) -> None:
    terms = {term for term, _ in index_data["index"]["invertedIndex"]}
    assert not [t for t in terms if not re.search(r"[^\W\d_]", t)]
    assert "grit" in terms  # stemmed, as lunr.js stems the query


def test_the_index_is_the_same_whatever_the_hash_seed(project: Path) -> None:  # noqa: F811
    script = "import sys; from pathlib import Path; from sitegen.build import build; build(Path(sys.argv[1]), clean=True)"
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(project)], check=True, cwd=REPO, env=env)
        outputs.append((project / "site" / "search" / "index.js").read_bytes())
    assert outputs[0] == outputs[1]


def test_the_vendored_lunr_js_is_the_pinned_release_for_the_index_format() -> None:
    pins = dict(re.findall(r'^(LUNR_\w+)="([^"]+)"$', (REPO / "scripts" / "vendor-js.sh").read_text(), re.MULTILINE))
    minified = (VENDORED / "lunr.min.js").read_bytes()
    assert hashlib.sha256(minified).hexdigest() == pins["LUNR_MIN_SHA256"]
    assert f" - {pins['LUNR_VERSION']}\n".encode() in minified[:200]
    assert lunr.__TARGET_JS_VERSION__ == pins["LUNR_VERSION"]  # lunr.py writes this version's format
    assert "MIT" in (VENDORED / "LICENSE").read_text() or "Permission is hereby granted" in (VENDORED / "LICENSE").read_text()
