"""The site's search index, built at build time from the rendered pages.

lunr.py writes an index that lunr.js (vendored in the theme) loads as it is. It goes
out as scripts (setting `window.SITEGEN_SEARCH…`) rather than JSON fetched at run
time, because browsers refuse `fetch` from `file:` pages and the site must search
offline when opened from a shared drive. The index holds every word of each page's
main text; the documents store beside it holds only what a result shows (title,
summary, kind, theme, sector), which keeps the files small.

Two things keep a rebuild quick when one page changes on a site of thousands:

- each page's words are reduced to lunr's terms (lunr's own tokenizer rule and
  pipeline: trimmer, stop words, Porter stemmer) once, when the page is rendered, and
  the counts are cached, so the index is assembled from counts, not text;
- the index is split into shards of a few hundred pages, each page in the shard its
  URL hashes to, so a changed page rebuilds its shard alone. `search/index.js` names
  the shards; the search page loads them all and ranks their results together. Each
  shard weighs words by its own statistics (BM25 over a random sample of the site),
  close to the whole site's for all but the rarest words.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lunr.builder import Builder
from lunr.field_ref import FieldRef
from lunr.lunr import get_default_builder
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS
from selectolax.lexbor import LexborHTMLParser

from sitegen.cache import digest, replace_file
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


# ---- a page's terms ----------------------------------------------------------------------

FIELDS = {"title": 10, "summary": 5, "body": 1}  # field → boost
# lunr's tokenizer: lower case, split on these characters (its Tokenizer loops over
# them a character at a time in Python; the split is the same).
SEPARATORS = re.compile("[" + re.escape(SEPARATOR_CHARS) + "]+")
_PIPELINE = get_default_builder().pipeline  # trimmer, stop word filter, stemmer
_TERMS_OF: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class FieldTerms:
    """A field's terms as lunr's Builder counts them."""

    length: int  # how many terms (stop words are not terms)
    counts: dict[str, int]  # each term's count, in the order the terms first appear


PageTerms = tuple[FieldTerms, ...]  # one per FIELDS entry, in its order


def _terms_of(word: str) -> tuple[str, ...]:
    """lunr's pipeline on one word, remembered: each of its steps looks at the word alone."""
    terms = _TERMS_OF.get(word)
    if terms is None:
        terms = _TERMS_OF[word] = tuple(str(token) for token in _PIPELINE.run([Token(word, {})]))
    return terms


def field_terms(text: str) -> FieldTerms:
    words = Counter(word for word in SEPARATORS.split(text.lower()) if word)
    counts: dict[str, int] = {}
    for word, times in words.items():
        for term in _terms_of(word):
            counts[term] = counts.get(term, 0) + times
    return FieldTerms(sum(counts.values()), counts)


@dataclass(frozen=True)
class PageWords:
    """What a page gives the index: its terms, and a digest of the words they came from."""

    digest: str
    terms: PageTerms


def page_words(page: Page, text: str) -> PageWords:
    """`text` is page_text of the page as rendered."""
    body = _words(text)
    return PageWords(digest(page.meta.title, page.meta.summary or "", body),
                     (field_terms(page.meta.title), field_terms(page.meta.summary or ""), field_terms(body)))


class CountedBuilder(Builder):
    """lunr's Builder, given each document's terms already counted (`add` tokenizes
    and runs the pipeline itself, which is most of the cost of an index)."""

    def add_counted(self, ref: str, terms: PageTerms) -> None:
        """What Builder.add records for a document, field by field, term by term."""
        self._documents[ref] = {}
        self.document_count += 1
        for field_name, field in zip(self._fields, terms, strict=True):
            field_ref = str(FieldRef(ref, field_name))
            self.field_term_frequencies[field_ref] = field.counts
            self.field_lengths[field_ref] = field.length
            for term in field.counts:
                posting = self.inverted_index.get(term)
                if posting is None:
                    posting = self.inverted_index[term] = {name: {} for name in self._fields}
                    posting["_index"] = self.term_index
                    self.term_index += 1
                posting[field_name][ref] = {}


def lunr_index(terms: Sequence[PageTerms]) -> dict[str, Any]:
    """The serialised lunr index of documents "0", "1"… with these terms."""
    builder = CountedBuilder()
    default = get_default_builder()
    builder.pipeline, builder.search_pipeline = default.pipeline, default.search_pipeline
    builder.ref("id")
    for name, boost in FIELDS.items():
        builder.field(name, boost=boost)
    for number, page in enumerate(terms):
        builder.add_counted(str(number), page)
    return builder.build().serialize()


# ---- the index in shards -------------------------------------------------------------

SHARD_PAGES = 256  # a shard holds up to about this many pages: a changed page costs a shard's rebuild


def shard_count(pages: int) -> int:
    """A power of two, so that a page stays in its shard until the site doubles or halves."""
    count = 1
    while count * SHARD_PAGES < pages:
        count *= 2
    return count


def shard_of(url: str, count: int) -> int:
    return int.from_bytes(hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest(), "big") % count


def shard_path(number: int, count: int) -> str:
    return f"search/index-{number + 1}-of-{count}.js"


def search_document(page: Page, sectors: Mapping[str, str]) -> dict[str, str]:
    """What a result shows of a page: the documents store's entry."""
    facets = page_facets(page, sectors)
    document = {"url": page.url, "title": page.meta.title, "summary": page.meta.summary,
                "kind": facets.kind, "theme": facets.theme, "sector": facets.sector}
    return {k: v for k, v in document.items() if v or k == "url"}


def _script(variable_code: str, payload: Any) -> str:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # "</" cannot end a script element early: the files are scripts, never inline, but
    # keep them safe to inline all the same.
    return variable_code.replace("DATA", data.replace("</", "<\\/"))


def manifest_script(shards: Sequence[str]) -> str:
    """`search/index.js`: the file names of the shards that hold pages, relative to it."""
    return _script("window.SITEGEN_SEARCH = DATA;\n", {"shards": [path.removeprefix("search/") for path in shards]})


def shard_script(documents: Sequence[Mapping[str, str]], terms: Sequence[PageTerms]) -> str:
    """One shard: its lunr index and documents store; refs are positions in the store."""
    payload = {"index": lunr_index(terms), "documents": list(documents)}
    return _script("(window.SITEGEN_SEARCH_SHARDS = window.SITEGEN_SEARCH_SHARDS || []).push(DATA);\n", payload)


def shard_inputs(documents: Sequence[Mapping[str, str]], word_digests: Sequence[str]) -> str:
    return digest(*(json.dumps(doc, sort_keys=True) + "\t" + words for doc, words in zip(documents, word_digests)))


class TermCache:
    """Each indexed page's terms from earlier builds, in a file per shard, read only
    for a shard being rebuilt. Entries are checked by the digest of their words, so
    a stale or damaged file costs time, never a wrong index."""

    def __init__(self, folder: Path, use_previous: bool):
        self.folder = folder
        self.use_previous = use_previous

    def _file(self, shard: str) -> Path:
        return self.folder / (Path(shard).stem + ".pickle")

    def load(self, shard: str) -> dict[str, PageWords]:
        if not self.use_previous:
            return {}
        try:
            with self._file(shard).open("rb") as handle:
                found = pickle.load(handle)
            return found if isinstance(found, dict) else {}
        except Exception:  # noqa: BLE001 - missing, damaged or from another version: counted again
            return {}

    def save(self, shard: str, words: Mapping[str, PageWords]) -> None:
        replace_file(self._file(shard), pickle.dumps(dict(words), protocol=pickle.HIGHEST_PROTOCOL))

    def keep_only(self, shards: Iterable[str]) -> None:
        """Forget the files of shards the index no longer has (the site grew or shrank)."""
        wanted = {self._file(shard).name for shard in shards}
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in wanted:
                    path.unlink(missing_ok=True)

