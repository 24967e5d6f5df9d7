"""Pull quotes: a sentence of an article set large in its column, where the author puts it.

    /// pull-quote
    We were worried that sharing would mean a worse service. It has meant a faster one.
    ///

pymdownx's blocks read the fence (as `/// caption` under an image makes a figure); a
pull quote repeats words of the text, so it never comes before the text's first
paragraph: one written above it is moved to just after it.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

PULL_QUOTE = "pull-quote"


class PullQuote(Block):
    """`/// pull-quote`: its text in a <blockquote class="pull-quote">."""

    NAME = PULL_QUOTE
    ARGUMENT = False

    def on_create(self, parent: etree.Element) -> etree.Element:
        return etree.SubElement(parent, "blockquote", {"class": PULL_QUOTE})


class AfterFirstParagraph(Treeprocessor):
    """Each pull quote placed before the first paragraph of its article (or section) is moved
    to just after that paragraph."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            children = list(parent)
            quotes = [child for child in children if _is_pull_quote(child)]
            if not quotes:
                continue
            first = next((child for child in children if _is_text_paragraph(child)), None)
            if first is None:
                continue
            early = [quote for quote in quotes if children.index(quote) < children.index(first)]
            for quote in reversed(early):  # kept in the order they were written
                parent.remove(quote)
                parent.insert(list(parent).index(first) + 1, quote)


def _is_pull_quote(element: etree.Element) -> bool:
    return element.tag == "blockquote" and PULL_QUOTE in (element.get("class") or "").split()


def _is_text_paragraph(element: etree.Element) -> bool:
    """A paragraph of the text: not a standfirst or a byline (which carry a class), not an image alone."""
    return element.tag == "p" and not element.get("class") and bool((element.text or "").strip() or len(element) > 1
                                                                      or (len(element) == 1 and element[0].tag != "img"))


class PullQuotes(BlocksExtension):
    """The `/// pull-quote` block, and pull quotes kept after the first paragraph."""

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: Any) -> None:  # noqa: N802 (pymdownx's name)
        block_mgr.register(PullQuote, self.getConfigs())
        md.treeprocessors.register(AfterFirstParagraph(md), "pull_quotes_after_first_paragraph", 4)
