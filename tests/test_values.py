"""The value spellings of the data contract (returns-format.md, "Accepted spellings").

Each accepted spelling must give the exact value a finance officer means; anything else
must be a ValueError (which load_data turns into a located problem), never a guess.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen import values
from sitegen.values import (
    date_from_text,
    financial_year_from_text,
    format_financial_year,
    money_from_text,
    round_half_up,
    yes_no_from_text,
)

# ---- money --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pounds"),
    [
        ("1234", Decimal("1234")),
        ("1234.56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("£1,234", Decimal("1234")),
        ("£0", Decimal("0")),
        ("-18500.00", Decimal("-18500")),
        ("(1,234)", Decimal("-1234")),
        ("(£1,234.50)", Decimal("-1234.5")),
        ("0.01", Decimal("0.01")),
        ("12.5", Decimal("12.50")),
        ("1,234,567,890.12", Decimal("1234567890.12")),
        ("  £2,500  ", Decimal("2500")),  # stray spaces around a cell
    ],
)
def test_money_accepted_spellings_give_exact_pounds(text: str, pounds: Decimal) -> None:
    value = money_from_text(text)
    assert value == pounds
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    "text",
    [
        "1.2m",
        "n/a",
        "N/A",
        "text",
        "1,23",  # commas not in thousands
        "12,34.00",
        "1.234",  # three decimals
        "1,234.567",
        "",
        "   ",
        "£",
        "-",
        "()",
        "(-5)",  # negative twice
        "£-5",  # minus is written first
        "1e5",
        "+5",
        ".5",
        "12.",
        "1 234",
        "£1,234 (est)",
        "€100",
    ],
)
def test_money_rejected_spellings_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount of money"):
        money_from_text(text)


@pytest.mark.parametrize("text", ["１２３", "١٢٣", "£１,２３４"])
def test_money_non_ascii_digits_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        money_from_text(text)


def _spelled(pence: int, pound_sign: bool, commas: bool, decimals: str, negative: str) -> str:
    """An amount of pence written the way a partner might write it."""
    whole, frac = divmod(abs(pence), 100)
    digits = f"{whole:,}" if commas else str(whole)
    if decimals == "two" or (decimals == "short" and frac % 10):
        digits += f".{frac:02d}"
    elif decimals == "short" and frac:
        digits += f".{frac // 10}"  # 12.5 for 12.50
    elif decimals == "none" and frac:
        digits += f".{frac:02d}"  # pence must be written
    body = ("£" if pound_sign else "") + digits
    if pence < 0:
        return f"({body})" if negative == "brackets" else f"-{body}"
    return body


@settings(max_examples=100, deadline=None)
@given(
    pence=st.integers(min_value=-(10**14), max_value=10**14),
    pound_sign=st.booleans(),
    commas=st.booleans(),
    decimals=st.sampled_from(["two", "short", "none"]),
    negative=st.sampled_from(["minus", "brackets"]),
)
@example(pence=-1, pound_sign=True, commas=True, decimals="two", negative="brackets")
@example(pence=10, pound_sign=False, commas=False, decimals="short", negative="minus")
@example(pence=123456789, pound_sign=True, commas=True, decimals="none", negative="minus")
def test_money_any_pence_in_any_accepted_style_parses_back_exactly(
    pence: int, pound_sign: bool, commas: bool, decimals: str, negative: str
) -> None:
    text = _spelled(pence, pound_sign, commas, decimals, negative)
    assert money_from_text(text) == Decimal(pence) / 100


# The contract's grammar, written independently of sitegen (ASCII digits only). Spaces
# after "-", "£" and inside brackets are tolerated by sitegen, so the oracle allows them.
_NUMBER = r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?"
_ACCEPTED = re.compile(
    rf"\s*(?:(?:-\s*)?£?\s*{_NUMBER}|\(\s*£?\s*{_NUMBER}\s*\))\s*", re.ASCII
)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789,.£()- m/aE", max_size=14))
def test_money_text_outside_the_grammar_is_a_value_error(text: str) -> None:
    if _ACCEPTED.fullmatch(text):
        money_from_text(text)  # accepted spellings must parse
    else:
        with pytest.raises(ValueError):
            money_from_text(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_money_any_text_raises_nothing_but_value_error(text: str) -> None:
    try:
        value = money_from_text(text)
    except ValueError:
        return
    assert isinstance(value, Decimal)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789,.£( -", max_size=20), max_size=30))
@example(["1,234.56", "£12,345", "1.234", "12,34", "0012", "£", "", "123456789012", "1234567890123", "£1,234,567.8"])
def test_amounts_read_from_their_bytes_are_what_the_general_reading_gives(texts: list[str]) -> None:
    """The fast reading of simply written amounts (numpy over the bytes) claims only amounts the
    general reading (Arrow, step by step) accepts, with the same value."""
    column = pa.array(texts, pa.large_string())
    micro, simple = values._simple_money(column)
    general, bad = values._general_money(column)
    for i in np.flatnonzero(simple):
        assert not bad[i] and micro[i] == general[i], texts[i]


def test_a_column_of_amounts_reads_as_each_amount_alone() -> None:
    """A big column (read whole, not per distinct spelling) of every style, simple or not."""
    rng = random.Random(179)
    texts = [
        _spelled(rng.randint(-(10**13), 10**13) // rng.choice([1, 100, 10**6]), rng.random() < 0.3,
                 rng.random() < 0.3, rng.choice(["two", "short", "none"]), rng.choice(["minus", "brackets"]))
        for _ in range(20_000)
    ] + ["n/a", "", "1.2m", "12,34", "(-5)", "£ 12", " 7 ", "99999999999999.99"]
    parsed = values.parse_money(pd.Series(texts, dtype="string"))
    general, bad = values._general_money(pa.array([t.strip() for t in texts], pa.large_string()))
    assert parsed.bad.tolist() == bad.tolist()
    assert [int(v) for v, b in zip(parsed.values, bad, strict=True) if not b] == [
        int(v) for v, b in zip(general, bad, strict=True) if not b]


# ---- financial years ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["2008-09", "2008/09", "2008-2009", "2008/2009", " 2008-09 "])
def test_financial_year_spellings_give_the_starting_year(text: str) -> None:
    assert financial_year_from_text(text) == 2008


def test_financial_year_across_the_century() -> None:
    assert financial_year_from_text("1999-00") == 1999
    assert format_financial_year(1999) == "1999-00"


def test_financial_year_is_always_shown_as_yyyy_yy() -> None:
    assert format_financial_year(2008) == "2008-09"
    assert format_financial_year(2010) == "2010-11"


@pytest.mark.parametrize("text", ["2008-10", "2008/2010", "2008-07", "2008-2008"])
def test_financial_year_halves_not_consecutive_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="not consecutive") as caught:
        financial_year_from_text(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["2008", "08-09", "2008/9", "FY2008", "", "2008-09-01"])
def test_financial_year_other_text_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a financial year"):
        financial_year_from_text(text)


@given(st.one_of(
    st.text(alphabet=st.sampled_from("0123456789-/ \t\v\xa0\u3000\u200b\n２x"), max_size=14),
    st.builds(lambda a, sep, b: f"{a}{sep}{b}", st.integers(0, 9999).map(lambda n: f"{n:04d}"),
              st.sampled_from(["-", "/", " - ", "\xa0/\xa0", "_", "--"]),
              st.integers(0, 9999).map(lambda n: f"{n:0{2 if n < 100 else 4}d}")),
))
@example("2008\u3000-\u300009")
@example("\x1c2008-09\x1f")
@settings(max_examples=300, deadline=None)
def test_one_financial_year_reads_as_a_column_of_it_does(text: str) -> None:
    """The one-value reading (front matter, settings) and the column reading (returns)
    accept the same spellings, with the same year and the same reason for a refusal."""
    column = values.parse_financial_year(pd.Series([text], dtype="string"))
    try:
        year = financial_year_from_text(text)
    except ValueError as exc:
        assert bool(column.bad.iloc[0])
        assert str(exc) == f"{column.reason.iloc[0]}: {text!r}"  # type: ignore[union-attr]
    else:
        assert not bool(column.bad.iloc[0])
        assert year == int(column.values.iloc[0])


# ---- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2009-01-13", dt.date(2009, 1, 13)),
        ("13/01/2009", dt.date(2009, 1, 13)),
        ("02/03/2009", dt.date(2009, 3, 2)),  # 2 March, never 3 February
        ("1/4/2008", dt.date(2008, 4, 1)),
        ("29/02/2008", dt.date(2008, 2, 29)),
        (" 31/03/2009 ", dt.date(2009, 3, 31)),
    ],
)
def test_dates_iso_and_uk_day_first(text: str, date: dt.date) -> None:
    assert date_from_text(text) == date


@pytest.mark.parametrize(
    "text",
    [
        "01/13/2009",  # month-first is never read
        "31/02/2009",
        "29/02/2009",
        "2009-02-30",
        "13/01/09",
        "2009/01/13",
        "13-01-2009",
        "13 Jan 2009",
        "",
    ],
)
def test_dates_rejected_spellings_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        date_from_text(text)


# ---- yes/no -------------------------------------------------------------------------

_YES = ["yes", "y", "true", "1"]
_NO = ["no", "n", "false", "0"]


def _cases(words: list[str]) -> list[str]:
    """Each word as written, in capitals and capitalised, in one order (pytest-xdist's processes
    must collect the same tests in the same order)."""
    return [form for w in words for form in dict.fromkeys((w, w.upper(), w.capitalize()))]


@pytest.mark.parametrize("text", _cases(_YES) + [" Yes "])
def test_yes_spellings(text: str) -> None:
    assert yes_no_from_text(text) is True


@pytest.mark.parametrize("text", _cases(_NO) + [" NO "])
def test_no_spellings(text: str) -> None:
    assert yes_no_from_text(text) is False


@pytest.mark.parametrize("text", ["", "maybe", "2", "ok", "yes please", "t", "f", "-1"])
def test_yes_no_other_text_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="not yes or no"):
        yes_no_from_text(text)


# ---- rounding for display -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        ("2.665", 2, "2.67"),  # bankers' rounding would give 2.66
        ("2.675", 2, "2.68"),
        ("0.005", 2, "0.01"),
        ("12.25", 1, "12.3"),  # bankers' rounding would give 12.2
        ("12.24999", 1, "12.2"),
        ("9.2727", 1, "9.3"),
    ],
)
def test_round_half_up(value: str, places: int, shown: str) -> None:
    assert str(round_half_up(Decimal(value), places)) == shown
