"""How UK public finance shows figures: the Jinja filters and table cell formats.

Babel does the locale work (grouping, currency symbol); rounding is done here first,
half up, because Babel rounds half-even and a finance officer expects 0.25 → 0.3.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from babel.dates import format_date
from babel.numbers import format_decimal

from sitegen.tables.revised import with_symbol
from sitegen.values import format_financial_year, round_half_up

LOCALE = "en_GB"
MINUS = "\u2212"  # a real minus sign: a hyphen is too short to read in a figure
MoneyScale = Literal["pounds", "k", "m", "words"]
NegativeStyle = Literal["minus", "brackets"]


def money(
    value: Any,
    scale: MoneyScale = "pounds",
    negative: NegativeStyle = "minus",
    symbol: bool = True,
    places: int | None = None,
) -> str:
    """£2,500 · £75.50 · £1.2 million · −£1,234 · (1,234); blank for no value. In pounds,
    `places` (0 or 2) gives a table column its one precision; alone, pence show when not nil."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    magnitude = abs(amount)
    if scale == "k":
        text = format_decimal(round_half_up(magnitude / 1000, 0), "#,##0", locale=LOCALE)
    elif scale == "m":
        text = format_decimal(round_half_up(magnitude / 1_000_000, 1), "#,##0.0", locale=LOCALE)
    elif scale == "words" and magnitude >= 1_000_000:
        # GOV.UK style: £1.2 million, £4.9 billion; one decimal, dropped when .0
        unit, word = (Decimal(1_000_000_000), "billion") if magnitude >= 1_000_000_000 else (Decimal(1_000_000), "million")
        short = round_half_up(magnitude / unit, 1)
        number = format_decimal(short, "#,##0.#", locale=LOCALE)
        text = f"{number} {word}"
    else:
        pence = round_half_up(magnitude, 2 if places is None else places)
        if places is None:
            pattern = "#,##0" if pence == pence.to_integral_value() else "#,##0.00"
        else:
            pattern = "#,##0." + "0" * places if places else "#,##0"
        text = format_decimal(pence, pattern, locale=LOCALE)
    is_zero_shown = text.strip("0.,") == "" or text in ("0", "0.0")
    negative_value = amount < 0 and not is_zero_shown
    # £k and £m columns carry the unit in their header, accountants' brackets too.
    if symbol and negative != "brackets" and scale not in ("k", "m"):
        text = "£" + text
    if not negative_value:
        return text
    return f"({text})" if negative == "brackets" else MINUS + text


def percent(value: Any, places: int = 1) -> str:
    """9.4% — one decimal, half up; blank for no value."""
    if value is None or value == "":
        return ""
    rounded = round_half_up(Decimal(value), places)
    pattern = "#,##0." + "0" * places if places else "#,##0"
    text = format_decimal(abs(rounded), pattern, locale=LOCALE) + "%"
    return MINUS + text if rounded < 0 else text


def financial_year(value: Any) -> str:
    """2008 → 2008-09."""
    if value is None or value == "":
        return ""
    return format_financial_year(int(value))


def number(value: Any, places: int | None = None) -> str:
    """1,234 — for counts; 48.0 beside 48.2 when a column's `places` is 1."""
    if value is None or value == "":
        return ""
    if places is None:
        return format_decimal(value, "#,##0.##", locale=LOCALE)
    rounded = round_half_up(value if isinstance(value, Decimal) else Decimal(str(value)), places)
    text = format_decimal(abs(rounded), "#,##0." + "0" * places if places else "#,##0", locale=LOCALE)
    return MINUS + text if rounded < 0 else text


def long_date(value: Any) -> str:
    """14 November 2007, as councils date their papers."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "d MMMM y", locale=LOCALE)


def long_dates(values: Any) -> str:
    """Several days as a reader writes them: "13 and 27 October, 10 November and 8 December 2011"
    (each month once, the year after its last month); ISO text or dates, in any order."""
    days = sorted({dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values if v})
    months: list[tuple[int, int, list[int]]] = []
    for day in days:
        if months and months[-1][:2] == (day.year, day.month):
            months[-1][2].append(day.day)
        else:
            months.append((day.year, day.month, [day.day]))
    parts = []
    for number, (year, month, numbers) in enumerate(months):
        name = format_date(dt.date(year, month, 1), "MMMM", locale=LOCALE)
        last_of_year = number + 1 == len(months) or months[number + 1][0] != year
        parts.append(f"{_and(str(n) for n in numbers)} {name}" + (f" {year}" if last_of_year else ""))
    return _and(parts)


def _and(items: Any) -> str:
    """a; a and b; a, b and c."""
    listed = list(items)
    return ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else "".join(listed)


def yes_no(value: Any) -> str:
    """Yes / No."""
    return "Yes" if value else "No"


def _marked(show: Callable[..., str]) -> Callable[..., str]:
    """A filter that keeps a revised figure's `[r]` (tables/revised.py) after the text it gives."""
    @functools.wraps(show)
    def filter_(value: Any, *args: Any, **kwargs: Any) -> str:
        return with_symbol(show(value, *args, **kwargs), value)
    return filter_


FILTERS = {
    "money": _marked(money),
    "percent": _marked(percent),
    "fy": financial_year,
    "number": _marked(number),
    "long_date": long_date,
    "long_dates": long_dates,
    "yes_no": yes_no,
}


def publication_filters(style: NegativeStyle, labels: Mapping[str, Mapping[str, str]]) -> dict[str, Callable[..., Any]]:
    """The filters that follow a project's settings: `money` in its one negative style
    ([numbers] negative), and `label`, the words for a code ({{ status | label("status") }})."""
    plain_money = FILTERS["money"]

    def money_filter(value: Any, scale: MoneyScale = "pounds", negative: NegativeStyle | None = None,
                     symbol: bool = True, places: int | None = None) -> str:
        return plain_money(value, scale, negative or style, symbol, places)

    def label(value: Any, vocabulary: str) -> str:
        if vocabulary not in labels:
            raise ValueError(f"label: no vocabulary {vocabulary!r} (vocabularies: {', '.join(labels)})")
        if value is None or value == "":
            return ""
        return labels[vocabulary].get(str(value), str(value))

    return {"money": money_filter, "label": label}
