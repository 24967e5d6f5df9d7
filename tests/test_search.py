"""The search index: what it holds, what it leaves out, and the lunr.js it is made for."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import lunr
import pytest
from conftest import build_folder
from lunr import lunr as lunr_py
from lunr.index import Index
from test_wayfinding import project, render  # noqa: F401 - the same small project

from sitegen.build import search as search_module
from sitegen.build.search import FIELDS, field_terms, lunr_index, page_text, shard_count
from sitegen.build.state import CACHE_DIR, DATABASE

REPO = Path(__file__).parent.parent
VENDORED = REPO / "sitegen" / "theme" / "static" / "vendor" / "lunr"


SHARD_START = "(window.SITEGEN_SEARCH_SHARDS = window.SITEGEN_SEARCH_SHARDS || []).push("


def script_data(path: Path, start: str, end: str) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith(start) and text.endswith(end)
    return json.loads(text.removeprefix(start).removesuffix(end))


def load_shards(site: Path) -> list[dict]:
    """Every shard of the index, as search.js loads them: search/index.js names them."""
    manifest = script_data(site / "search" / "index.js", "window.SITEGEN_SEARCH = ", ";\n")
    return [script_data(site / "search" / name, SHARD_START, ");\n") for name in manifest["shards"]]


@pytest.fixture
def index_data(project: Path) -> dict:  # noqa: F811
    build_folder(project)
    [shard] = load_shards(project / "site")  # a small site's index is one shard
    return shard


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
    script = ("import sys; from pathlib import Path; from sitegen.build.pipeline import BuildOptions, build; "
              "from sitegen.config import load_config; build(load_config(Path(sys.argv[1])), BuildOptions(clean=True))")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(project)], check=True, cwd=REPO, env=env)
        outputs.append([(project / "site" / "search" / name).read_bytes() for name in ("index.js", "index-1-of-1.js")])
    assert outputs[0] == outputs[1]


def test_the_vendored_lunr_js_is_the_pinned_release_for_the_index_format() -> None:
    pins = dict(re.findall(r'^(LUNR_\w+)="([^"]+)"$', (REPO / "scripts" / "vendor-js.sh").read_text(), re.MULTILINE))
    minified = (VENDORED / "lunr.min.js").read_bytes()
    assert hashlib.sha256(minified).hexdigest() == pins["LUNR_MIN_SHA256"]
    assert f" - {pins['LUNR_VERSION']}\n".encode() in minified[:200]
    assert lunr.__TARGET_JS_VERSION__ == pins["LUNR_VERSION"]  # lunr.py writes this version's format
    assert "MIT" in (VENDORED / "LICENSE").read_text() or "Permission is hereby granted" in (VENDORED / "LICENSE").read_text()


def test_the_index_assembled_from_counted_terms_is_the_one_lunr_py_builds_from_text() -> None:
    documents = [
        {"id": "0", "title": "Shared gritting", "summary": "Two councils grit each other's roads.",
         "body": "Gritting the roads, the gritters shared barns; re-gritting at £4,000. The   council's\xa0depot"},
        {"id": "1", "title": "Joint procurement", "summary": "", "body": "Procured jointly: roads-and-barns, costs SHARED"},
        {"id": "2", "title": "The", "summary": "and of the", "body": ""},
    ]
    expected = lunr_py(ref="id", fields=[{"field_name": name, "boost": boost} for name, boost in FIELDS.items()],
                       documents=documents).serialize()
    counted = lunr_index([tuple(field_terms(document[name]) for name in FIELDS) for document in documents])
    assert json.dumps(counted, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_shard_counts_are_powers_of_two_that_hold_the_site() -> None:
    per_shard = search_module.SHARD_PAGES
    assert [shard_count(n) for n in (0, 1, per_shard, per_shard + 1, 4 * per_shard + 1)] == [1, 1, 1, 2, 8]


def test_a_big_site_is_searched_in_shards_each_page_in_one(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(search_module, "SHARD_PAGES", 2)
    build_folder(project)
    shards = load_shards(project / "site")
    assert len(shards) >= 4
    urls = [document["url"] for shard in shards for document in shard["documents"]]
    assert len(urls) == len(set(urls))
    assert "case-studies/shared-gritting/" in urls
    found = [shard["documents"][int(hit["ref"])]["title"] for shard in shards
             for hit in Index.load(shard["index"]).search("barns")]
    assert found == ["Shared gritting"]


def test_editing_a_page_rebuilds_its_shard_alone_and_matches_a_clean_build(
    project: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(search_module, "SHARD_PAGES", 2)
    build_folder(project)
    before = {p.name: p.read_bytes() for p in (project / "site" / "search").iterdir()}
    study = next((project / "content").rglob("shared-gritting.md"))
    study.write_text(study.read_text(encoding="utf-8") + "\nSalt is stored in the barns at Eastvale.\n", encoding="utf-8")
    result = build_folder(project)
    after = {p.name: p.read_bytes() for p in (project / "site" / "search").iterdir()}
    assert [name for name in after if after[name] != before[name]] == [_shard_holding(after, "Shared gritting")]
    assert result.made == 2  # the case study's page and its shard
    build_folder(project, clean=True)
    assert {p.name: p.read_bytes() for p in (project / "site" / "search").iterdir()} == after


def test_a_shard_is_rebuilt_right_without_its_term_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(search_module, "SHARD_PAGES", 2)
    build_folder(project)
    with sqlite3.connect(project / CACHE_DIR / DATABASE) as database:
        assert database.execute("UPDATE terms SET words = ?", (b"damaged",)).rowcount > 0
    study = next((project / "content").rglob("shared-gritting.md"))
    study.write_text(study.read_text(encoding="utf-8") + "\nSalt is stored at Eastvale.\n", encoding="utf-8")
    build_folder(project)
    incremental = {p.name: p.read_bytes() for p in (project / "site" / "search").iterdir()}
    build_folder(project, clean=True)
    assert {p.name: p.read_bytes() for p in (project / "site" / "search").iterdir()} == incremental


def _shard_holding(files: dict[str, bytes], title: str) -> str:
    return next(name for name, data in files.items() if name != "index.js" and f'"title":"{title}"'.encode() in data)



def test_listings_of_pages_are_marked_in_the_store_for_search_js_to_rank_last(index_data: dict) -> None:
    """search.js ranks the pages whose own words match before the pages that list them
    (tests/browser/test_site.py checks the order in the browser)."""
    listings = {d["title"] for d in index_data["documents"] if d.get("listing") == "yes"}
    assert listings == {"Case studies", "Case studies: Alphaton", "Case studies: County",
                        "Case studies: Collaboration and shared services", "Partners"}
    assert "Shared gritting" not in listings and "Alpha County Council" not in listings
