"""The site's search index, built at build time from the rendered pages.

lunr.py writes an index that lunr.js (vendored in the theme) loads as it is. It goes
out as scripts (setting `window.SITEGEN_SEARCH…`) rather than JSON fetched at run
time, because browsers refuse `fetch` from `file:` pages and the site must search
offline when opened from a shared drive. The index holds every word of each page's
main text; the documents store beside it holds only what a result shows (title,
summary, kind, theme, sector, and whether the page is a listing of pages), which keeps
the files small. search.js ranks every page whose own words match above the listings
of pages (the case-study indexes, the papers index), whose words are other pages' names.

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
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lunr.builder import Builder
from lunr.field_ref import FieldRef
from lunr.lunr import get_default_builder
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS
from selectolax.lexbor import LexborHTMLParser

from sitegen.build.state import digest
from sitegen.content.facets import LISTING_LAYOUTS, page_facets
from sitegen.content.pages import Page

INDEX_PATH = "search/index.js"
# What is not the page's own words: script, styles, permalinks, contents lists, pagers, downloads.
SKIPPED = ("script, style, template, noscript, svg, .headerlink, .contents, .pager, .data-table__downloads, "
           ".data-table__cue")
LETTER = re.compile(r"[^\W\d_]")


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
_TERMS_REMEMBERED = 500_000  # words; beyond this the memo starts again (a long `sitegen serve` sees new words)


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
        if len(_TERMS_OF) >= _TERMS_REMEMBERED:
            _TERMS_OF.clear()
        terms = _TERMS_OF[word] = tuple(str(token) for token in _PIPELINE.run([Token(word, {})]))
    return terms


LONGEST_WORD = 64  # characters; longer "words" (a pasted hash, a page of one word) are not indexed


def field_terms(text: str) -> FieldTerms:
    # lunr's token set holds a node per character of each term: a 10 MB word took 5.7 GB.
    words = Counter(word for word in SEPARATORS.split(text.lower()) if word and len(word) <= LONGEST_WORD)
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
                "kind": facets.kind, "theme": facets.theme, "sector": facets.sector,
                "listing": "yes" if page.meta.layout in LISTING_LAYOUTS else ""}
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


