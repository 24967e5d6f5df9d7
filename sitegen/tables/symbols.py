"""The shorthand symbols of the Analysis Function's guidance, one set for every output.

A cell that has no figure, or whose figure is provisional or revised, says so with a
symbol in square brackets — never a 0 and never a blank — and the same symbol in the
page, the PDF, the workbook, the Word paper, the CSV and the JSON. Column.shown,
csv_text and json_value (table.py) put them in; the legend near each table and the
workbook's notes come from SYMBOLS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Symbol:
    """One shorthand: its code (x), what it means, and when sitegen uses it."""

    code: str
    meaning: str
    used_for: str
    replaces_value: bool  # shown instead of a figure ([x]) or beside one ([p])

    @property
    def text(self) -> str:
        """The symbol as every output shows it: [x]."""
        return f"[{self.code}]"


NOT_AVAILABLE = Symbol("x", "not available",
                       "a figure that is not available, such as a return expected and not received", True)
CONFIDENTIAL = Symbol("c", "confidential", "a figure withheld because it is confidential", True)
NOT_APPLICABLE = Symbol("z", "not applicable",
                        "a figure that cannot exist, such as the target of a partner outside the target", True)
PROVISIONAL = Symbol("p", "provisional",
                     "a figure that will change, such as a total while returns are still missing", False)
REVISED = Symbol("r", "revised", "a figure changed since it was first published", False)

SYMBOLS: Mapping[str, Symbol] = {s.code: s for s in (NOT_AVAILABLE, CONFIDENTIAL, NOT_APPLICABLE, PROVISIONAL, REVISED)}

# The frame column of a table that holds, row by row, the symbols of figures that are
# there ("ni179_gbp=p achievement_pct=p"); Table.rows gives them to each row under this key.
MARKS = "_symbols"


def symbol(code: str | None) -> Symbol | None:
    """The symbol of a code ("x"), None for none; an unknown code is a bug, not data."""
    if not code:
        return None
    return SYMBOLS[code]


def parse_marks(text: object) -> dict[str, str]:
    """"ni179_gbp=p achievement_pct=p" → {"ni179_gbp": "p", "achievement_pct": "p"}."""
    if not isinstance(text, str) or not text:
        return {}
    marks = dict(item.split("=", 1) for item in text.split())
    for code in marks.values():
        symbol(code)  # KeyError for a code that is no symbol
    return marks


def marks_text(marks: Mapping[str, str]) -> str:
    """The inverse of parse_marks, in a stable order."""
    return " ".join(f"{column}={code}" for column, code in sorted(marks.items()))


def legend(codes: Iterable[str]) -> list[Symbol]:
    """The symbols of these codes, in the guidance's order, each once: the legend of a table."""
    wanted = set(codes)
    return [s for s in SYMBOLS.values() if s.code in wanted]
