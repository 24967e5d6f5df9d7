"""The parts of a committee paper's body that sitegen finds in its Markdown: annexes and
appendices with the letters or numbers their authors gave them, and a recommendations
section. Read here from the source, so that a problem names its line; numbered by
render/numbering.py from the same rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitegen.errors import Problem

# "Annex C – Examples", "ANNEX A - Outline", "Appendix 2: Sources", "Annex: Glossary" (no
# letter: the next one is given). A letter is one capital standing alone; a number is digits.
ANNEX = re.compile(
    r"^(?P<word>annex|appendix)\b(?:\s+(?P<mark>[A-Z]|\d{1,2})(?!\w))?(?P<sep>\s*[:.–—-]?\s*)",
    re.IGNORECASE,
)
# A heading whose section holds the paper's recommendations ("Recommendations",
# "Conclusion and recommendations").
RECOMMENDATIONS = re.compile(r"\brecommendations?\b", re.IGNORECASE)
HEADING = re.compile(r"^##(?!#)\s+(?P<text>.+?)\s*#*\s*$")
ATTRIBUTE_LIST_AT_END = re.compile(r"\s*\{:?\s*[^}]*\}\s*$")


@dataclass(frozen=True)
class AnnexMark:
    word: str  # "Annex" or "Appendix", as the series is known
    mark: str  # "C", "2"; "" when the author gave none

    @property
    def series(self) -> str:
        """Annex letters and appendix numbers are counted apart."""
        return f"{self.word.lower()}-{'number' if self.mark.isdigit() else 'letter'}"


def annex_mark(heading_text: str) -> AnnexMark | None:
    """The annex or appendix a heading's text starts, if it does."""
    match = ANNEX.match(heading_text.strip())
    if match is None:
        return None
    mark = match["mark"] or ""
    return AnnexMark(match["word"].capitalize(), mark.upper() if not mark.isdigit() else str(int(mark)))


def body_headings(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line in the file, text without its attribute list) of each `##` heading of a body,
    outside fenced code."""
    found, fenced = [], False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = HEADING.match(line) if not fenced else None
        if match:
            found.append((first_line + offset, ATTRIBUTE_LIST_AT_END.sub("", match["text"])))
    return found


def annex_warnings(source_name: str, body: str, first_line: int) -> list[Problem]:
    """Annex letters or appendix numbers repeated or out of order, each at its heading's line."""
    warnings = []
    last: dict[str, tuple[str, int]] = {}
    for line, text in body_headings(body, first_line):
        mark = annex_mark(text)
        if mark is None or not mark.mark:
            continue
        key = int(mark.mark) if mark.mark.isdigit() else ord(mark.mark)
        previous = last.get(mark.series)
        if previous is not None:
            before = int(previous[0]) if previous[0].isdigit() else ord(previous[0])
            if key == before:
                warnings.append(Problem(source_name, line, "annex",
                                        f"{mark.word} {mark.mark} again (first at line {previous[1]})"))
            elif key < before:
                warnings.append(Problem(source_name, line, "annex",
                                        f"{mark.word} {mark.mark} comes after {mark.word} {previous[0]} "
                                        f"(line {previous[1]}): out of order"))
        last[mark.series] = (mark.mark, line)
    return warnings


def recommendations_heading(body: str, first_line: int) -> tuple[int, str] | None:
    """(line, text) of the body's section of recommendations, if it has one (not in an annex)."""
    for line, text in body_headings(body, first_line):
        if annex_mark(text) is None and RECOMMENDATIONS.search(text):
            return line, text
    return None
