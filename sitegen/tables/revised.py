"""Figures revised since a paper was first issued: shown with the statistics shorthand `[r]`.

A revised figure is its value with a mark on it (a Decimal that says so), so that
one formatter shows it wherever it goes (a table cell, a chart's text alternative, a
figure in a sentence) and arithmetic on it gives a plain value. The shorthand set
itself ([x], [c], [z], [p], [r]) is symbols.py; a column shows a revised value's mark
through it (Column.symbol_for).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sitegen.tables import symbols

REVISED = symbols.REVISED.text  # "[r]": the shorthand set's own
REVISED_LEGEND = "[r] revised: a figure changed since the version before (see Updates to this paper)"


class RevisedDecimal(Decimal):
    symbol = REVISED


def revised(value: Any) -> Any:
    """VALUE marked as revised (a number); anything else as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int):  # a count too: pandas would unbox an int subclass
        return RevisedDecimal(value)
    return value


def unmarked(value: Any) -> Any:
    """VALUE without its mark: the figure alone."""
    return Decimal(value) if isinstance(value, RevisedDecimal) else value


def with_symbol(text: str, value: Any) -> str:
    """TEXT, the figure VALUE as shown, followed by its shorthand symbol if it has one."""
    symbol = getattr(value, "symbol", "")
    return f"{text} {symbol}" if symbol and text else text
