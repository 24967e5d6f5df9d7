"""Paragraph numbering for committee papers, from plain Markdown.

Councils number a paper's sections and paragraphs (1. Background, 1.1, 1.2 …) so
that members can refer to them in the meeting, and annexes restart with their own
letters (Annex A: A1, A2 …). Authors write ordinary `##` headings and paragraphs;
this Python-Markdown extension adds the numbers as real text (so they are read out,
copied and found by search) and gives each paragraph an anchor (`#para-1-2`).
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, STX

ANNEX = re.compile(r"^annex\b\s*(?:[A-Z]\b)?\s*[:.–-]?\s*", re.IGNORECASE)


class ParagraphNumbering(Treeprocessor):
    """Number top-level h2 sections and the paragraphs under them."""

    def run(self, root: etree.Element) -> None:
        section = 0
        paragraph = 0
        annexes = iter(string.ascii_uppercase)
        prefix: str | None = None  # "3." while in section 3, "A" in annex A, None before any
        for element in list(root):
            if element.tag == "h2":
                text = "".join(element.itertext())
                if ANNEX.match(text):
                    letter = next(annexes)
                    prefix, paragraph = letter, 0
                    _replace_leading_text(element, ANNEX.sub("", text, count=1), f"Annex {letter}: ")
                    element.set("class", (element.get("class", "") + " annex-heading").strip())
                else:
                    section += 1
                    prefix, paragraph = f"{section}.", 0
                    _prepend_number(element, f"{section}.", "section-number")
            elif element.tag == "p" and prefix is not None and not _raw_html_block(element):
                paragraph += 1
                number = f"{prefix}{paragraph}"
                element.set("id", "para-" + number.replace(".", "-"))
                element.set("class", (element.get("class", "") + " numbered").strip())
                _prepend_number(element, number, "para-number")


def _raw_html_block(element: etree.Element) -> bool:
    """A paragraph that only holds a raw HTML block (a table or chart), not prose."""
    text = (element.text or "").strip()
    return len(element) == 0 and text.startswith(STX) and text.endswith(ETX) and bool(HTML_PLACEHOLDER_RE.search(text))


def _prepend_number(element: etree.Element, number: str, css_class: str) -> None:
    span = etree.Element("span", {"class": css_class})
    span.text = number + " "  # the space inside, so the hanging indent stays even
    span.tail = element.text
    element.text = None
    element.insert(0, span)


def _replace_leading_text(element: etree.Element, rest: str, label: str) -> None:
    """Turn 'Annex: Glossary' (or 'Annex B – Glossary') into 'Annex A: Glossary'."""
    for child in list(element):
        if child.get("class") != "headerlink":
            element.remove(child)
    element.text = label + rest.rstrip("#").strip()


class NumberedParagraphs(Extension):
    """Markdown(extensions=[NumberedParagraphs()]) numbers a paper's paragraphs."""

    def extendMarkdown(self, md: Markdown) -> None:
        # After toc (priority 20) has added ids and permalinks to headings.
        md.treeprocessors.register(ParagraphNumbering(md), "sitegen_numbering", 5)
