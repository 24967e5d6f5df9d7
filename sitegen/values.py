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
import re
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

    The amounts most returns hold (digits, thousands commas, pence, perhaps a £) are read
    from their bytes by numpy; the others by the general reading, in Arrow compute
    functions. Either way a million amounts take a fraction of a second.
    """
    text = _arrow_text(_text(series))
    index = series.index
    micro, simple = _simple_money(text)
    rest = np.flatnonzero(~simple)
    values: np.ndarray = micro
    bad = np.zeros(len(text), dtype=bool)
    if len(rest):
        general, general_bad = _general_money(text.take(pa.array(rest)))
        if general.dtype == object:  # an amount past 64 bits among them: Python ints throughout
            values = micro.astype(object)
        values[rest] = general
        bad[rest] = general_bad
    return Parsed(pd.Series(values, index=index), pd.Series(bad, index=index))


_SIMPLE_MONEY_WIDTH = 18  # "999,999,999,999.99": 12 digits, 3 commas, pence


def _simple_money(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Micropounds of the amounts written simply, and which ones those are: an optional £,
    then digits (at most 12, in thousands groups or not) and perhaps one or two of pence.

    A state machine over each amount's bytes, one byte position at a time for many rows
    at once (65,536 rows a step, so that its arrays stay in the processor's cache). Any
    other spelling, good or bad, is left to `_general_money`, which reads these the same.
    """
    count = len(text)
    micro = np.zeros(count, dtype=np.int64)
    simple = np.zeros(count, dtype=bool)
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8) if count and text.buffers()[2] is not None else None
    if data is None or not len(data):
        return micro, simple
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + count + 1]
    for first in range(0, count, _SIMPLE_MONEY_ROWS):
        rows = slice(first, first + _SIMPLE_MONEY_ROWS)
        micro[rows], simple[rows] = _simple_money_rows(data, offsets[first : first + _SIMPLE_MONEY_ROWS + 1])
    return micro, simple


_SIMPLE_MONEY_ROWS = 1 << 16


def _simple_money_rows(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    start, length = offsets[:-1], np.diff(offsets)
    count, last = len(start), len(data) - 1

    def byte(position: np.ndarray) -> np.ndarray:
        return data[np.minimum(position, last)]

    pound = (length >= 3) & (byte(start) == 0xC2) & (byte(start + 1) == 0xA3)  # "£" in UTF-8
    start = start + 2 * pound
    length = length - 2 * pound
    ok = (length >= 1) & (length <= _SIMPLE_MONEY_WIDTH)
    micro = np.zeros(count, dtype=np.int64)
    whole = np.zeros(count, dtype=np.int8)  # digits before the point
    pence = np.full(count, -1, dtype=np.int8)  # digits after it; -1 before a point
    group = np.zeros(count, dtype=np.int8)  # digits since the last comma
    commas = np.zeros(count, dtype=np.int8)
    for position in range(int(length[ok].max(initial=0))):
        active = ok & (position < length)
        char = byte(start + position)
        digit = active & (char >= 0x30) & (char <= 0x39)
        comma = active & (char == 0x2C)
        point = active & (char == 0x2E)
        after_point = pence >= 0
        ok &= ~active | digit | ((comma | point) & ~after_point)
        # A comma closes a group: the first of 1 to 3 digits, the others of 3; a point closes the last.
        ok &= ~comma | np.where(commas == 0, (group >= 1) & (group <= 3), group == 3)
        ok &= ~point | ((whole >= 1) & ((commas == 0) | (group == 3)))
        micro = np.where(digit, micro * 10 + (char.astype(np.int64) - 0x30), micro)
        whole += digit & ~after_point
        group = np.where(comma, 0, group + (digit & ~after_point))
        commas += comma
        pence = np.where(point, 0, pence + (digit & after_point))
    ok &= (whole >= 1) & (whole <= 12)
    ok &= (pence == -1) | (pence == 1) | (pence == 2)
    ok &= (commas == 0) | (pence >= 0) | (group == 3)  # without a point, the last group closes at the end
    scale = np.array([MICRO, MICRO // 10, MICRO // 100], dtype=np.int64)[np.clip(pence, 0, 2)]
    return np.where(ok, micro * scale, 0), ok


def _general_money(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Any spelling of money as micropounds (int64, or Python ints if huge) and which are bad:
    the steps of reading one by hand, in Arrow compute functions over the whole column."""
    if not len(text):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
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
    sign = np.where(negative, -1, 1)
    if pc.any(pc.greater(pc.utf8_length(whole), 12)).as_py():  # over £999,999,999,999: past int64
        values = np.array(
            [int(w) * MICRO + int(f) * PENNY for w, f in zip(whole.to_pylist(), frac.to_pylist(), strict=True)],
            dtype=object,
        )
        return values * sign.astype(object), bad.to_numpy(zero_copy_only=False)
    micro = pc.add(pc.multiply(pc.cast(whole, pa.int64()), MICRO), pc.multiply(pc.cast(frac, pa.int64()), PENNY))
    return micro.to_numpy(zero_copy_only=False) * sign, bad.to_numpy(zero_copy_only=False)


def _arrow_text(series: pd.Series | pa.Array) -> pa.Array:
    """A column of text as one Arrow array, blank for missing."""
    if isinstance(series, pd.Series):
        arrow = pa.array(series.astype("string").fillna("").array)
    else:
        arrow = pc.fill_null(series, "") if series.null_count else series
    return (arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow).cast(pa.large_string())


def _fullmatch(text: pa.Array, pattern: str) -> pa.Array:
    """Whether each string is wholly the pattern (as pandas' str.fullmatch on Arrow strings)."""
    return pc.match_substring_regex(text, f"^{pattern}$")


FINANCIAL_YEAR_PATTERN = r"([0-9]{4})\s*[-/]\s*([0-9]{4}|[0-9]{2})"  # the start year, and the end's two or four digits


def _parse_financial_year(series: pd.Series) -> Parsed:
    """Read 2008-09, 2008/09, 2008-2009, 2008/2009 as the starting calendar year."""
    text = _text(series)
    parts = text.str.extract(f"^{FINANCIAL_YEAR_PATTERN}$")
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


def by_distinct_value(parse: Callable[[pd.Series], Parsed], series: pd.Series | pa.Array) -> Parsed:
    """Parse each distinct spelling once and spread the results back over the rows.

    A million return lines hold a few dozen years, dates and yes/no spellings: parsing
    the distinct ones is a hundred times less work and gives the same answer. `series`
    may be Arrow text, or Arrow text already dictionary-encoded (the rows then have a
    plain 0, 1, 2 … index).
    """
    encoded = series if isinstance(series, pa.DictionaryArray) else _arrow_text(series).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    parsed = parse(pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary)))
    index = series.index if isinstance(series, pd.Series) else pd.RangeIndex(len(series))

    def spread(values: pd.Series) -> pd.Series:
        return pd.Series(values.array.take(codes), index=index)

    reason = spread(parsed.reason) if parsed.reason is not None else None
    return Parsed(spread(parsed.values), spread(parsed.bad).astype(bool), reason)


def parse_money(series: pd.Series | pa.Array) -> Parsed:
    """Read money spellings into integer micropounds (int64)."""
    if _mostly_distinct(_arrow_text(series)):  # amounts: finding the distinct ones would cost more than it saves
        return _parse_money(series if isinstance(series, pd.Series) else pd.Series(pd.arrays.ArrowStringArray(series)))
    return by_distinct_value(_parse_money, series)


def _mostly_distinct(text: pa.Array, sample: int = 4096) -> bool:
    """Whether most of a big column's values differ, judged from evenly spaced rows."""
    if len(text) < 4 * sample:
        return False
    rows = text.take(pa.array(np.linspace(0, len(text) - 1, sample).astype(np.int64)))
    return pc.count_distinct(rows).as_py() > sample // 2


def parse_financial_year(series: pd.Series | pa.Array) -> Parsed:
    """Read 2008-09, 2008/09, 2008-2009, 2008/2009 as the starting calendar year."""
    return by_distinct_value(_parse_financial_year, series)


def parse_date(series: pd.Series | pa.Array) -> Parsed:
    """Read YYYY-MM-DD or UK DD/MM/YYYY (never month-first) into datetime64."""
    return by_distinct_value(_parse_date, series)


def parse_yes_no(series: pd.Series | pa.Array) -> Parsed:
    """Read yes/no, y/n, true/false, 1/0 in any case."""
    return by_distinct_value(_parse_yes_no, series)


def parse_enum(series: pd.Series | pa.Array, allowed: tuple[str, ...]) -> Parsed:
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
    """One financial-year spelling as its starting year; ValueError if it is not one.

    Read as `parse_financial_year` reads a column, without pandas: every page with a
    `year` asks, and a column of one costs milliseconds."""
    found = _FINANCIAL_YEAR.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"not a financial year: {text!r}")
    start, end = int(found.group(1)), found.group(2)
    if int(end) != ((start + 1) % 100 if len(end) == 2 else start + 1):
        raise ValueError(f"the two halves are not consecutive years: {text!r}")
    return start


_FINANCIAL_YEAR = re.compile(FINANCIAL_YEAR_PATTERN)


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
