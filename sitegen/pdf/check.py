"""The layout of a PDF read back as a reader would see it: what a typesetter would not let
through. Generic (any PDF with text; nothing of sitegen's HTML is assumed), so that
`sitegen check --pdf` gives authors the warnings the tests hold sitegen's own PDFs to.

Each page is read with pdfplumber (every character with its font, size and position;
every rectangle and line). The running header and footer are told from the body by
their small type in the top and bottom bands of the page. The rules:

- nothing prints outside the page's side margins, which are taken from the text itself
  (the leftmost body text marks the left margin; margins are the same on both sides);
- a heading or caption (a line in bold at least the body's size) never ends a page;
- a table's header row never ends a page alone: the next page opens with it repeated;
- a table never leaves one row alone on a page under its repeated header row (counted by
  the rules under the rows);
- a watermark (type of 60 pt or more) is painted over panels, never under them;
- a last page is not made for a handful of lines (three or fewer);
- in an agenda pack, a paper's "ITEM N" label (a line of its own) agrees with its own
  "Agenda item N" (another meeting's paper is labelled with more than its number).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.errors import Problem, counted

MM = 72 / 25.4
FURNITURE_BAND = 17 * MM  # running headers and footers sit this close to the top or bottom edge
FURNITURE_SIZE = 9.0  # … in type no bigger than this
WATERMARK_SIZE = 60.0  # type this big, or set at an angle, is a watermark, not text
TOLERANCE = 1.5  # points: rounding in layout
FEW_LINES = 3  # a last page holding no more than this is nearly empty
ITEM_LABEL = re.compile(r"^ITEM\s+(\d+)$", re.MULTILINE)  # a pack's label, alone on its line
OWN_ITEM = re.compile(r"\bAgenda item\s+(\d+)\b")


@dataclass(frozen=True)
class Line:
    """One line of body text on a page."""

    text: str
    x0: float
    top: float
    bottom: float
    size: float  # the largest type on the line
    bold: bool  # every character in a bold face


@dataclass(frozen=True)
class PageText:
    number: int
    lines: tuple[Line, ...]
    text: str
    rules: tuple[float, ...] = ()  # where horizontal rules (a table's row borders) run across, top down


def check_pdf(path: Path, shown_as: str | None = None) -> list[Problem]:
    """Every layout problem of one PDF, as warnings naming the file and the page."""
    import pdfplumber

    name = shown_as or str(path)
    problems: list[Problem] = []

    def problem(page: int, message: str) -> None:
        problems.append(Problem(name, None, f"page {page}", message, severity="warning"))

    with pdfplumber.open(path) as pdf:
        pages = list(pdf.pages)
        if not pages:
            return [Problem(name, None, None, "has no pages", severity="warning")]
        body_size = _body_size(pages)
        left = _left_margin(pages)
        texts = [_page_text(index + 1, page) for index, page in enumerate(pages)]
        for page, text in zip(pages, texts, strict=True):
            for what, x0, x1 in _outside(page, left):
                problem(text.number, f"{what} prints outside the margins "
                                     f"({x0 / MM:.1f} to {x1 / MM:.1f} mm across a page "
                                     f"{page.width / MM:.0f} mm wide, margins {left / MM:.1f} mm)")
            if _watermark_under_a_panel(page):
                problem(text.number, "the watermark is painted under a panel, which hides it there")
    for text, following in zip(texts, texts[1:]):
        if not text.lines or not following.lines:
            continue
        last = text.lines[-1]
        if last.bold and following.lines[0].text == last.text and len(following.lines) > 1:
            problem(text.number, f"a table's header row ends the page alone: {last.text!r}")
            continue
        opening = following.lines[0]
        if opening.bold and any(line.bold and line.text == opening.text for line in text.lines):
            rows = [rule for rule in following.rules if rule > opening.top]
            if len(rows) == 2 and rows[-1] >= following.lines[-1].top:
                problem(following.number, "a table leaves a single row alone on the page, "
                                          f"under its header row repeated ({opening.text!r})")
        heading = _heading_at_foot(text.lines, body_size, left)
        if heading is not None and not (_heading_like(opening, body_size, left) and opening.size >= heading.size):
            problem(text.number, f"a heading or caption ends the page with less than two lines "
                                 f"of what follows it: {heading.text!r}")
    if len(texts) > 1 and 0 < len(texts[-1].lines) <= FEW_LINES:
        problem(texts[-1].number, f"the last page holds only {counted(len(texts[-1].lines), 'line')}: "
                                  f"{texts[-1].lines[0].text!r}")
    for text in texts:
        labels, own = ITEM_LABEL.findall(text.text), OWN_ITEM.findall(text.text)
        if labels and own and labels[0] != own[0]:
            problem(text.number, f"the pack's label says item {labels[0]}, the paper says agenda item {own[0]}")
    return problems


def check_pdfs(paths: Iterable[Path], root: Path) -> list[Problem]:
    """The layout problems of many PDFs, each named from `root` (the project)."""
    problems: list[Problem] = []
    for path in sorted(paths):
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = str(path)
        problems += check_pdf(path, shown)
    return problems


def page_lines(path: Path) -> list[PageText]:
    """Each page's body lines (running header and footer left out), for tests and reports."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [_page_text(index + 1, page) for index, page in enumerate(pdf.pages)]


def _is_text(char: dict[str, Any]) -> bool:
    return bool(char.get("upright", True)) and char["size"] < WATERMARK_SIZE and bool(char["text"].strip())


def _is_furniture(line: dict[str, Any], height: float) -> bool:
    sizes = [char["size"] for char in line["chars"]]
    near_edge = line["top"] < FURNITURE_BAND or line["bottom"] > height - FURNITURE_BAND
    return near_edge and max(sizes, default=0) <= FURNITURE_SIZE + 0.01


def _page_text(number: int, page: Any) -> PageText:
    lines = []
    for line in page.extract_text_lines(return_chars=True):
        chars = [char for char in line["chars"] if _is_text(char)]
        if not chars or _is_furniture(line, page.height):
            continue
        text = " ".join(line["text"].split())
        lines.append(Line(text, min(char["x0"] for char in chars), line["top"], line["bottom"],
                          max(char["size"] for char in chars),
                          all("bold" in char["fontname"].lower() for char in chars)))
    rules = sorted({round(shape["top"], 1) for shape in (*page.lines, *page.rects)
                    if shape["bottom"] - shape["top"] < TOLERANCE and shape["x1"] - shape["x0"] > 10})
    return PageText(number, tuple(lines), "\n".join(line.text for line in lines), tuple(rules))


def _body_size(pages: list[Any]) -> float:
    """The size most of the document's text is set in."""
    sizes: collections.Counter[float] = collections.Counter()
    for page in pages:
        sizes.update(round(char["size"], 1) for char in page.chars if _is_text(char))
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _left_margin(pages: list[Any]) -> float:
    """Where the document's text starts: its left margin (its right one is the same)."""
    starts = [char["x0"] for page in pages for char in page.chars if _is_text(char)]
    return min(starts) if starts else 0.0


def _outside(page: Any, left: float) -> list[tuple[str, float, float]]:
    """(what, left edge, right edge) of each thing printed past the side margins."""
    right = page.width - left
    found = []
    for char in page.chars:
        if _is_text(char) and (char["x1"] > right + TOLERANCE or char["x0"] < left - TOLERANCE):
            found.append((f"text {char['text']!r}", char["x0"], char["x1"]))
            break  # one character of a line says it
    for kind, shapes in (("a panel or rule", page.rects), ("a line", page.lines)):
        for shape in shapes:
            if shape["x1"] > right + TOLERANCE or shape["x0"] < left - TOLERANCE:
                found.append((kind, shape["x0"], shape["x1"]))
    return found


def _heading_at_foot(lines: tuple[Line, ...], body_size: float, left: float) -> Line | None:
    """The last heading or caption of a page (bold, nearly the body's size or more, at the
    left margin) when fewer than two lines of what follows it are on the page with it."""
    for position in range(len(lines) - 1, -1, -1):
        line = lines[position]
        if _heading_like(line, body_size, left):
            following = [later for later in lines[position + 1:] if not later.bold]
            return line if len(following) < 2 else None
        if not line.bold and len(lines) - position > 2:
            return None  # two lines of text and more end the page: whatever is above them is kept with them
    return None


def _heading_like(line: Line, body_size: float, left: float) -> bool:
    return line.bold and line.size >= body_size * 0.95 and abs(line.x0 - left) <= 2 * TOLERANCE


def _watermark_under_a_panel(page: Any) -> bool:
    """Whether a filled shape over the watermark is painted after it (drawing order is
    the order of the page's content stream, which pdfminer keeps)."""
    from pdfminer.layout import LTChar, LTCurve

    drawn = list(page.layout)
    marks = [(index, item) for index, item in enumerate(drawn) if isinstance(item, LTChar) and item.size >= WATERMARK_SIZE]
    if not marks:
        return False
    first = marks[0][0]
    for item in drawn[first + 1:]:
        if isinstance(item, LTCurve) and getattr(item, "fill", False) and any(
                item.x0 < mark.x1 and mark.x0 < item.x1 and item.y0 < mark.y1 and mark.y0 < item.y1
                for _, mark in marks):
            return True
    return False
