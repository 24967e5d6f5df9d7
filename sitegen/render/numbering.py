"""Paragraph numbering for committee papers, from plain Markdown, the council's way.

Councils number a paper's paragraphs so that members can refer to them in the meeting.
Authors write ordinary `##` headings and paragraphs; this Python-Markdown extension adds
the numbers as real text (so they are read out, copied and found by search) and gives
each paragraph an anchor (`#para-1-2`). A paper picks one of three styles:

- `sections` (the default): sections 1., 2. …, their paragraphs 1.1, 1.2 …;
- `flat`: paragraphs 1, 2, 3 … straight through the headings, which are not numbered;
- `none`: no numbers.

`{: .unnumbered }` on a paragraph leaves it out of the count; on a heading, leaves the
heading and everything under it unnumbered. A heading starting `Annex C` or `Appendix 2`
keeps its letter or number (in its text and its anchor) and numbers its paragraphs C1,
C2 … or 2.1, 2.2 …; `Annex:` alone is given the next letter. Annexes are moved to the end
of the body, each in a `<section class="annex">`, so that the paper's template can put
them after its implications and contacts (content/papers.py finds them in the source).

A report (`figures=True`) numbers its tables and figures the same way, by the section
or annex they are in ("Table 3.1:", "Figure A.2:", flat "Table 4:"), as real text at the
start of their caption, so that the web page and the PDF say the same. The numbers of
sections are also put on the table of contents' entries (`number`), for contents lists.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, STX

from sitegen.content.papers import ANNEX, annex_mark

STYLES = ("sections", "flat", "none")
UNNUMBERED = "unnumbered"


class ParagraphNumbering(Treeprocessor):
    """Number top-level h2 sections and the paragraphs under them, in one of STYLES."""

    def __init__(self, md: Markdown, style: str, figures: bool = False):
        super().__init__(md)
        self.style = style
        self.figures = figures

    def run(self, root: etree.Element) -> None:
        section = flat = paragraph = 0
        prefix: str | None = None  # "3." in section 3, "" flat, "C" in annex C; None: not numbering
        annexes: list[etree.Element] = []
        annex: etree.Element | None = None  # the annex being read, whose elements move into it
        letters_used: set[str] = set()
        numbers: dict[str, str] = {}  # a numbered section's heading id: its number ("3")
        figures = FigureCount()  # tables and figures, numbered where paragraphs are
        for element in list(root):
            if element.tag == "h2":
                unnumbered = _has_class(element, UNNUMBERED) or self.style == "none"
                mark = annex_mark(_heading_text(element))
                if mark is not None:
                    if not mark.mark:  # "Annex: Glossary": the letter after the last one given
                        mark = type(mark)(mark.word, _next_letter(letters_used))
                        _relabel(element, f"{mark.word} {mark.mark}: ")
                    if not mark.mark.isdigit():
                        letters_used.add(mark.mark)
                    _add_class(element, "annex-heading")
                    annex = etree.Element("section", {"class": "annex"})
                    annexes.append(annex)
                    prefix = None if unnumbered else (f"{mark.mark}." if mark.mark.isdigit() else mark.mark)
                    paragraph = 0
                else:
                    annex = None
                    paragraph = 0
                    if unnumbered:
                        prefix = None
                    elif self.style == "flat":
                        prefix = ""
                    else:
                        section += 1
                        prefix = f"{section}."
                        _prepend_number(element, f"{section}.", "section-number")
                        numbers[element.get("id", "")] = str(section)
                figures.start(prefix)
            elif self.figures and prefix is not None and _raw_html_block(element):
                self._number_figure(element, figures)
            elif (element.tag == "p" and prefix is not None and not _has_class(element, UNNUMBERED)
                  and not _raw_html_block(element)):
                if prefix == "":
                    flat += 1
                    number = str(flat)
                else:
                    paragraph += 1
                    number = f"{prefix}{paragraph}"
                element.set("id", "para-" + number.replace(".", "-"))
                _add_class(element, "numbered")
                _prepend_number(element, number, "para-number")
            if annex is not None and not _has_class(element, "footnote"):
                root.remove(element)
                annex.append(element)
        for annex in annexes:  # last, in the order written
            root.append(annex)
        for token in getattr(self.md, "toc_tokens", ()):  # for contents lists: "3", or "" (an annex says its own)
            token["number"] = numbers.get(token["id"], "")

    def _number_figure(self, element: etree.Element, figures: FigureCount) -> None:
        """Put "Table 3.1: " at the start of the caption of a table or chart that sitegen
        printed here (a raw HTML block in Markdown's stash), counting it in its section."""
        match = HTML_PLACEHOLDER_RE.search(element.text or "")
        if match is None:
            return
        index = int(match.group(1))
        stash = self.md.htmlStash.rawHtmlBlocks
        block = str(stash[index]) if index < len(stash) else ""
        found = FIGURE_CAPTION.search(block) if CHART.match(block) else TABLE_CAPTION.search(block)
        if found is None or not FIGURE_BLOCK.match(block):
            return
        kind = "Figure" if found.group(0).startswith("<figcaption") else "Table"
        label = f"{kind} {figures.next(kind)}:"
        stash[index] = (block[: found.end()] + f'<span class="caption-number">{label}</span> '
                        + block[found.end():])


FIGURE_BLOCK = re.compile(r"\s*<(figure|table)\b")
CHART = re.compile(r'\s*<figure class="chart[ "]')
TABLE_CAPTION = re.compile(r"<caption\b[^>]*>")
FIGURE_CAPTION = re.compile(r"<figcaption\b[^>]*>")


class FigureCount:
    """Tables and figures counted, each kind on its own: through the page when paragraphs
    are numbered flat, else afresh in each section ("3.1") or annex ("C.1", "2.1")."""

    def __init__(self) -> None:
        self.prefix = ""
        self.counts: dict[str, int] = {}

    def start(self, paragraph_prefix: str | None) -> None:
        """A new h2, whose paragraphs are numbered with `paragraph_prefix` ("3.", "C", "")."""
        if paragraph_prefix:  # flat ("") counts on through the headings
            self.prefix = paragraph_prefix if paragraph_prefix.endswith(".") else paragraph_prefix + "."
            self.counts = {}

    def next(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{self.prefix}{self.counts[kind]}"


def _heading_text(element: etree.Element) -> str:
    """A heading's text without its permalink (toc's `<a class="headerlink">#</a>`)."""
    parts = [element.text or ""]
    for child in element:
        if child.get("class") != "headerlink":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _next_letter(used: set[str]) -> str:
    after = max(used, default="")
    return next((letter for letter in string.ascii_uppercase if letter > after), "Z")


def _has_class(element: etree.Element, name: str) -> bool:
    return name in element.get("class", "").split()


def _add_class(element: etree.Element, name: str) -> None:
    element.set("class", (element.get("class", "") + " " + name).strip())


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


def _relabel(element: etree.Element, label: str) -> None:
    """'Annex: Glossary' given its letter: 'Annex A: Glossary' (the permalink kept)."""
    rest = ANNEX.sub("", _heading_text(element), count=1)
    for child in list(element):
        if child.get("class") != "headerlink":
            element.remove(child)
    element.text = label + rest.strip()


class NumberedParagraphs(Extension):
    """Markdown(extensions=[NumberedParagraphs("flat")]) numbers a paper's paragraphs in a style of STYLES."""

    def __init__(self, style: str = "sections", figures: bool = False, **kwargs: object):
        if style not in STYLES:
            raise ValueError(f"numbering style {style!r}: one of {', '.join(STYLES)}")
        self.style = style
        self.figures = figures  # tables and figures numbered too (a report)
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After toc (priority 20) has added ids and permalinks to headings.
        md.treeprocessors.register(ParagraphNumbering(md, self.style, self.figures), "sitegen_numbering", 5)
