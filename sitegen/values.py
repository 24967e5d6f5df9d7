"""Parsers for the value spellings the data contract accepts.

Each parser works on a whole pandas Series of text at once (a million return lines
must load in seconds) and returns the parsed values with a mask of the cells that
could not be read; the caller turns that mask into located problems.

Money is held as integer *micropounds* (£1 = 1,000,000): exact for pence, and exact
for a disposal rate of up to two decimal places of a percent applied to pence
(pence × 5.25 / 100 is a whole number of micropounds). No money ever passes through
binary floating point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MICRO = 1_000_000  # micropounds per pound
PENNY = 10_000  # micropounds per penny

FINANCIAL_YEAR_EXAMPLE = "a financial year such as 2008-09"
MONEY_EXAMPLE = "pounds such as 1,234.56, £1,234, -18500.00 or (1,234)"
DATE_EXAMPLE = "a date as YYYY-MM-DD or DD/MM/YYYY"
YES_NO_EXAMPLE = "yes or no (also y/n, true/false, 1/0)"

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}

_MONEY_SHAPE = r"-?[0-9]+(?:\.[0-9]{1,2})?"  # ASCII digits only: "１２３" is not money
_THOUSANDS = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?"


@dataclass(frozen=True)
class Parsed:
    """Values parsed from a column, and which cells could not be read."""

    values: pd.Series
    bad: pd.Series  # bool, True where the cell is not a valid spelling
    reason: pd.Series | None = None  # per-cell explanation where it differs by cell


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


def _parse_money(series: pd.Series) -> Parsed:
    """Read money spellings into integer micropounds (int64, or Python ints if huge).

    Written in Arrow compute functions, each over the whole column: a million distinct
    amounts take a fraction of a second. The steps are those of reading one by hand.
    """
    text = _arrow_text(_text(series))
    index = series.index
    if not len(text):
        return Parsed(pd.Series([], index=index, dtype="int64"), pd.Series([], index=index, dtype=bool))
    # Accountants' brackets mean negative: "(1,234)" or "(£1,234)".
    bracketed = pc.and_(pc.starts_with(text, "("), pc.ends_with(text, ")"))
    core = pc.if_else(bracketed, pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(text, 1, -1)), text)
    minus = pc.starts_with(core, "-")
    core = pc.if_else(minus, pc.utf8_ltrim_whitespace(pc.utf8_slice_codeunits(core, 1)), core)
    core = pc.utf8_ltrim_whitespace(pc.if_else(pc.starts_with(core, "£"), pc.utf8_slice_codeunits(core, 1), core))
    commas_ok = pc.or_(pc.invert(pc.match_substring(core, ",")), _fullmatch(core, _THOUSANDS))
    digits = pc.replace_substring(core, ",", "")
    shape_ok = pc.and_(_fullmatch(digits, _MONEY_SHAPE), pc.invert(pc.starts_with(digits, "-")))
    ok = pc.and_(pc.and_(shape_ok, commas_ok), pc.invert(pc.and_(bracketed, minus)))
    bad = pc.or_(pc.invert(ok), pc.equal(text, ""))
    parts = pc.extract_regex(pc.if_else(bad, "0", digits), r"^(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?$")
    whole = pc.struct_field(parts, "whole")
    frac = pc.utf8_rpad(pc.struct_field(parts, "frac"), 2, "0")
    negative = pc.or_(minus, bracketed).to_numpy(zero_copy_only=False)
    if pc.any(pc.greater(pc.utf8_length(whole), 12)).as_py():  # over £999,999,999,999: past int64
        values = pd.Series(
            [int(w) * MICRO + int(f) * PENNY for w, f in zip(whole.to_pylist(), frac.to_pylist(), strict=True)],
            index=index,
            dtype=object,
        )
    else:
        micro = pc.add(pc.multiply(pc.cast(whole, pa.int64()), MICRO), pc.multiply(pc.cast(frac, pa.int64()), PENNY))
        values = pd.Series(micro.to_numpy(zero_copy_only=False), index=index)
    return Parsed(values * np.where(negative, -1, 1), pd.Series(bad.to_numpy(zero_copy_only=False), index=index))


def _arrow_text(series: pd.Series) -> pa.Array:
    """A column of text as one Arrow array, blank for missing."""
    arrow = pa.array(series.astype("string").fillna("").array)
    return (arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow).cast(pa.large_string())


def _fullmatch(text: pa.Array, pattern: str) -> pa.Array:
    """Whether each string is wholly the pattern (as pandas' str.fullmatch on Arrow strings)."""
    return pc.match_substring_regex(text, f"^{pattern}$")


def _parse_financial_year(series: pd.Series) -> Parsed:
    """Read 2008-09, 2008/09, 2008-2009, 2008/2009 as the starting calendar year."""
    text = _text(series)
    parts = text.str.extract(r"^([0-9]{4})\s*[-/]\s*([0-9]{4}|[0-9]{2})$")
    shaped = parts[0].notna()
    start = pd.to_numeric(parts[0], errors="coerce")
    end = pd.to_numeric(parts[1], errors="coerce")
    two_digit = (parts[1].str.len() == 2).fillna(False).astype(bool)
    next_two = (end == (start + 1) % 100).fillna(False).astype(bool)
    next_four = (end == start + 1).fillna(False).astype(bool)
    consecutive = np.where(two_digit, next_two, next_four)
    bad = ~(shaped & consecutive)
    reason = pd.Series(
        np.where(
            shaped & ~bad,
            "",
            np.where(shaped, "the two halves are not consecutive years", "not a financial year"),
        ),
        index=text.index,
    )
    return Parsed(start.where(~bad).astype("Int64"), bad, reason)


def _parse_date(series: pd.Series) -> Parsed:
    """Read YYYY-MM-DD or UK DD/MM/YYYY (never month-first) into datetime64."""
    text = _text(series)
    iso = text.str.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}").fillna(False).astype(bool)
    uk = text.str.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}").fillna(False).astype(bool)
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    if iso.any():
        values[iso] = pd.to_datetime(text[iso], format="%Y-%m-%d", errors="coerce")
    if uk.any():
        values[uk] = pd.to_datetime(text[uk], format="%d/%m/%Y", errors="coerce")
    bad = values.isna()
    return Parsed(values, bad)


def _parse_yes_no(series: pd.Series) -> Parsed:
    """Read yes/no, y/n, true/false, 1/0 in any case."""
    text = _text(series).str.lower()
    yes = text.isin(_YES)
    bad = ~(yes | text.isin(_NO))
    return Parsed(yes.astype(bool), bad.astype(bool))


def _parse_enum(series: pd.Series, allowed: tuple[str, ...]) -> Parsed:
    """Read an enumerated value in any case; it is shown in lower case."""
    text = _text(series).str.lower()
    bad = ~text.isin(allowed)
    return Parsed(text, bad.astype(bool))


def by_distinct_value(parse: Callable[[pd.Series], Parsed], series: pd.Series) -> Parsed:
    """Parse each distinct spelling once and spread the results back over the rows.

    A million return lines hold a few dozen years, dates and yes/no spellings: parsing
    the distinct ones is a hundred times less work and gives the same answer.
    """
    encoded = _arrow_text(series).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    parsed = parse(pd.Series(encoded.dictionary, dtype="string"))
    index = series.index

    def spread(values: pd.Series) -> pd.Series:
        return pd.Series(values.array.take(codes), index=index)

    reason = spread(parsed.reason) if parsed.reason is not None else None
    return Parsed(spread(parsed.values), spread(parsed.bad).astype(bool), reason)


def parse_money(series: pd.Series) -> Parsed:
    """Read money spellings into integer micropounds (int64)."""
    return by_distinct_value(_parse_money, series)


def parse_financial_year(series: pd.Series) -> Parsed:
    """Read 2008-09, 2008/09, 2008-2009, 2008/2009 as the starting calendar year."""
    return by_distinct_value(_parse_financial_year, series)


def parse_date(series: pd.Series) -> Parsed:
    """Read YYYY-MM-DD or UK DD/MM/YYYY (never month-first) into datetime64."""
    return by_distinct_value(_parse_date, series)


def parse_yes_no(series: pd.Series) -> Parsed:
    """Read yes/no, y/n, true/false, 1/0 in any case."""
    return by_distinct_value(_parse_yes_no, series)


def parse_enum(series: pd.Series, allowed: tuple[str, ...]) -> Parsed:
    """Read an enumerated value in any case; it is shown in lower case."""
    return by_distinct_value(lambda values: _parse_enum(values, allowed), series)


# ---- one value at a time: for XLSX cells, config values and tests -------------------


def money_from_text(text: str) -> Decimal:
    """One money spelling as exact pounds; ValueError if it is not one."""
    parsed = parse_money(pd.Series([text], dtype="string"))
    if bool(parsed.bad.iloc[0]):
        raise ValueError(f"not an amount of money: {text!r}")
    return Decimal(int(parsed.values.iloc[0])) / MICRO


def financial_year_from_text(text: str) -> int:
    """One financial-year spelling as its starting year; ValueError if it is not one."""
    parsed = parse_financial_year(pd.Series([text], dtype="string"))
    if bool(parsed.bad.iloc[0]):
        raise ValueError(f"{parsed.reason.iloc[0]}: {text!r}")  # type: ignore[union-attr]
    return int(parsed.values.iloc[0])


def date_from_text(text: str) -> dt.date:
    """One date spelling as a date; ValueError if it is not one."""
    parsed = parse_date(pd.Series([text], dtype="string"))
    if bool(parsed.bad.iloc[0]):
        raise ValueError(f"not a date: {text!r}")
    return parsed.values.iloc[0].date()


def yes_no_from_text(text: str) -> bool:
    """One yes/no spelling as a bool; ValueError if it is not one."""
    parsed = parse_yes_no(pd.Series([text], dtype="string"))
    if bool(parsed.bad.iloc[0]):
        raise ValueError(f"not yes or no: {text!r}")
    return bool(parsed.values.iloc[0])


def format_financial_year(start: int) -> str:
    """2008 -> '2008-09', the one way sitegen shows a financial year."""
    return f"{start}-{(start + 1) % 100:02d}"


def micro_to_pounds(value: object) -> Decimal | None:
    """Exact pounds from micropounds."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    return Decimal(int(value)) / MICRO  # type: ignore[call-overload]


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round for display only: half up, as finance officers expect (not bankers')."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# ---- plain numbers: counts, indicators, percentages (never money) --------------------

NUMBER_EXAMPLE = "a number such as 1,234 or 97.5"
# ASCII digits, thousands commas in the right places, any decimals: "8.25", "112,400".
_NUMBER_SHAPE = r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?"


def _parse_number(series: pd.Series) -> Parsed:
    """Read a plain number into an exact Decimal (object dtype), None where unreadable."""
    text = _text(series)
    shaped = text.str.fullmatch(_NUMBER_SHAPE).fillna(False).astype(bool)
    values = pd.Series(
        [Decimal(t.replace(",", "")) if ok else None for t, ok in zip(text, shaped, strict=True)],
        index=text.index,
        dtype=object,
    )
    return Parsed(values, ~shaped)


def parse_number(series: pd.Series) -> Parsed:
    """Read plain numbers (performance indicators, counts) as exact Decimals."""
    return by_distinct_value(_parse_number, series)
