"""Whole returns files, corrupted at random: a clear error or the right figure, never else.

Hypothesis writes a clean `data/returns.csv`, then damages it the ways files arrive
damaged: rows cut short, the wrong delimiter, binary junk, a huge field, random bytes
inserted, deleted or changed, the file truncated. Loading must then either

- raise DataError, every problem of which names the file (and a line, where a row
  is involved), never any other exception; or
- succeed, and then the NI 179 total of every (year, return type) equals an
  independent recomputation (Python's csv module and the contract's rules written
  out plainly here) from the rows the damaged file really holds: never a wrong figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.data.load import load_data
from sitegen.errors import DataError
from sitegen.tables.compute import compute_tables

RETURNS = "data/returns.csv"
HEADER = ["partner_id", "year", "return_type", "gain_ref", "description", "workstream", "spend", "kind",
          "gross_gbp", "costs_gbp", "cash_releasing", "ongoing", "first_impact"]
PARTNERS = 'partner_id,name,sector,baseline_gbp,in_target\nalpha,Alpha,county,"1,000,000",yes\n' \
           "beta,Beta,district,200000,yes\n"
COUNT_FROM = dt.date(2008, 4, 1)
DISPOSAL_RATE = Decimal(5)
# Problems about the file as a whole, which have no line to give.
WHOLE_FILE = ("is not a CSV text file", "cannot be read")


# ---- the independent recomputation --------------------------------------------------


class Unreadable(Exception):
    """The damaged file breaks the contract: sitegen must have refused it."""


def _money(text: str) -> Decimal:
    match = re.fullmatch(r"(\()?\s*(-)?\s*£?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?\s*(\))?", text)
    if not match or bool(match.group(1)) != bool(match.group(5)) or (match.group(1) and match.group(2)):
        raise Unreadable(f"money {text!r}")
    pounds = Decimal(match.group(3).replace(",", "") + "." + (match.group(4) or "0"))
    if len(match.group(3).replace(",", "").lstrip("0")) > 12:
        raise Unreadable(f"too much money {text!r}")
    return -pounds if match.group(1) or match.group(2) else pounds


def _contract_names(header: list[str]) -> list[str]:
    """The contract's rule for headings: compared ignoring case, spaces and punctuation,
    £ as GBP; a heading that matches a column the file does not already have is that column."""
    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.replace("£", "gbp")).replace("gbpgbp", "gbp")

    by_key = {key(name): name for name in HEADER}
    present = set(header)
    names = []
    for cell in header:
        name = by_key.get(key(cell))
        if cell not in HEADER and name is not None and name not in present:
            present.add(name)
            cell = name
        names.append(cell)
    return names


def _year(text: str) -> int:
    match = re.fullmatch(r"([0-9]{4})\s*[-/]\s*([0-9]{4}|[0-9]{2})", text)
    if not match:
        raise Unreadable(f"year {text!r}")
    start, end = int(match.group(1)), match.group(2)
    if (len(end) == 2 and int(end) != (start + 1) % 100) or (len(end) == 4 and int(end) != start + 1):
        raise Unreadable(f"year {text!r}")
    if start < 2008:
        raise Unreadable("a year before the first year of the target")
    return start


def _date(text: str) -> dt.date:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", text):
            year, month, day = (int(p) for p in text.split("-"))
        elif re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", text):
            day, month, year = (int(p) for p in text.split("/"))
        else:
            raise Unreadable(f"date {text!r}")
        return dt.date(year, month, day)
    except ValueError as exc:
        raise Unreadable(f"date {text!r}") from exc


def _yes(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise Unreadable(f"yes/no {text!r}")


def _one_of(text: str, allowed: tuple[str, ...]) -> str:
    if text.lower() not in allowed:
        raise Unreadable(f"{text!r} not in {allowed}")
    return text.lower()


def expected_totals(raw: bytes) -> dict[tuple[int, str], Decimal]:
    """NI 179 by (year, return type) as the contract defines it, or Unreadable."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise Unreadable("binary")
    limit = csv.field_size_limit(2**31 - 1)  # a long value is no reason to refuse a file
    try:
        rows = [r for r in csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
                if any(cell.strip() for cell in r)]
    finally:
        csv.field_size_limit(limit)
    if not rows:
        raise Unreadable("empty")
    header = _contract_names([c.strip().lower() for c in rows[0]])
    if len(set(header)) != len(header) or not {"partner_id", "year", "return_type", "gross_gbp",
                                                "cash_releasing", "ongoing", "first_impact"} <= set(header):
        raise Unreadable(f"header {header}")
    totals: dict[tuple[int, str], Decimal] = {}
    for row in rows[1:]:
        if len(row) != len(header):
            raise Unreadable("fields")
        cells = {name: value.strip() for name, value in zip(header, row)}
        if cells["partner_id"] not in ("alpha", "beta"):
            raise Unreadable(f"partner {cells['partner_id']!r}")
        period = (_year(cells["year"]), _one_of(cells["return_type"], ("actual", "forecast")))
        kind = _one_of(cells.get("kind") or "gain", ("gain", "disposal"))
        gross = _money(cells["gross_gbp"])
        costs = _money(cells["costs_gbp"]) if cells.get("costs_gbp") else Decimal(0)
        counted = (gross * DISPOSAL_RATE / 100 if kind == "disposal" else gross) - costs
        counts = _yes(cells["cash_releasing"]) & _yes(cells["ongoing"]) & (_date(cells["first_impact"]) >= COUNT_FROM)
        totals[period] = totals.get(period, Decimal(0)) + (counted if counts else Decimal(0))
    return totals


# ---- clean files and their damage ---------------------------------------------------

MONEY_STYLES = (
    lambda pounds, pence: f"{pounds}.{pence:02d}",
    lambda pounds, pence: f"£{pounds:,}",
    lambda pounds, pence: f"{pounds:,}.{pence:02d}",
    lambda pounds, pence: f"{pounds}",
    lambda pounds, pence: f"({pounds:,})",
    lambda pounds, pence: f"-{pounds}.{pence:02d}",
)
money_text = st.builds(lambda style, pounds, pence: style(pounds, pence),
                       st.sampled_from(MONEY_STYLES), st.integers(0, 2_000_000), st.integers(0, 99))

row = st.fixed_dictionaries({
    "partner_id": st.sampled_from(["alpha", "beta"]),
    "year": st.sampled_from(["2008-09", "2009/10", "2010-2011", "2009-10"]),
    "return_type": st.sampled_from(["actual", "forecast", "Actual"]),
    "description": st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                           max_size=30).filter(str.strip),
    "workstream": st.sampled_from(["bpi", "procurement", "technology"]),
    "spend": st.sampled_from(["revenue", "capital"]),
    "kind": st.sampled_from(["gain", "disposal", ""]),
    "gross_gbp": money_text,
    "costs_gbp": st.one_of(st.just(""), money_text),
    "cash_releasing": st.sampled_from(["yes", "no", "Y", "true", "0"]),
    "ongoing": st.sampled_from(["yes", "no", "TRUE", "1"]),
    "first_impact": st.sampled_from(["2008-05-01", "01/10/2008", "2008-03-31", "2009-4-1"]),
})


def clean_file(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for number, values in enumerate(rows, start=1):
        writer.writerow([f"G{number}" if name == "gain_ref" else values[name] for name in HEADER])
    return out.getvalue().encode("utf-8")


@st.composite
def damage(draw: st.DrawFn, data: bytes) -> bytes:
    """One kind of damage to a file's bytes."""
    lines = data.split(b"\n")
    line = draw(st.integers(0, max(len(lines) - 2, 0)))
    position = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["cut row", "semicolons", "semicolon row", "junk", "huge field",
                                 "insert", "delete", "replace", "truncate", "tabs", "quote", "blank lines"]))
    if kind == "cut row":
        lines[line] = lines[line][: draw(st.integers(0, len(lines[line])))]
    elif kind == "semicolons":
        return data.replace(b",", b";")
    elif kind == "semicolon row":
        lines[line] = lines[line].replace(b",", b";")
    elif kind == "tabs":
        return data.replace(b",", b"\t")
    elif kind == "junk":
        return data[:position] + draw(st.binary(min_size=1, max_size=64)) + data[position:]
    elif kind == "huge field":
        size = draw(st.sampled_from([1_000, 140_000]))  # past the csv module's default field limit
        filler = draw(st.sampled_from([b"x", b"9", b"\xe9", b" ", b'"']))  # "9…": past 64 bits, as money
        return data[:position] + filler * size + data[position:]
    elif kind == "insert":
        return data[:position] + draw(st.binary(min_size=1, max_size=3)) + data[position:]
    elif kind == "delete":
        return data[:position] + data[position + draw(st.integers(1, 4)):]
    elif kind == "replace":
        return data[:position] + draw(st.binary(min_size=1, max_size=2)) + data[position + 1:]
    elif kind == "truncate":
        return data[:position]
    elif kind == "quote":
        return data[:position] + b'"' + data[position:]
    elif kind == "blank lines":
        lines.insert(line, draw(st.sampled_from([b"", b",,,,,,,,,,,,", b"   ", b"\r"])))
    return b"\n".join(lines)


@st.composite
def damaged_file(draw: st.DrawFn) -> tuple[bytes, bytes]:
    clean = clean_file(draw(st.lists(row, min_size=1, max_size=8)))
    data = clean
    for _ in range(draw(st.integers(1, 3))):
        data = draw(damage(data))
    return clean, data


# ---- the property -------------------------------------------------------------------


def load(project: Path, returns: bytes) -> dict[tuple[int, str], Decimal]:
    (project / "data" / "returns.csv").write_bytes(returns)
    config = load_config(project)
    tables = compute_tables(load_data(config), config)
    return {(int(r["year"]), str(r["return_type"])): Decimal(r["ni179_gbp"])
            for r in tables["ni179_total"].records()}


def _project() -> tempfile.TemporaryDirectory:
    folder = tempfile.TemporaryDirectory(prefix="sitegen-fuzz-")
    root = Path(folder.name)
    (root / "data").mkdir()
    (root / "content").mkdir()
    (root / "sitegen.toml").write_text('[site]\ntitle = "Fuzz"\n', encoding="utf-8")
    (root / "data" / "partners.csv").write_text(PARTNERS, encoding="utf-8")
    return folder


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged_file())
def test_damaged_returns_give_a_located_error_or_the_right_figure(files: tuple[bytes, bytes]) -> None:
    _, damaged = files
    with _project() as folder:
        project = Path(folder)
        try:
            found = load(project, damaged)
        except DataError as exc:
            assert exc.problems, str(exc)
            for problem in exc.problems:
                if problem.severity != "error":
                    continue
                assert problem.file == RETURNS, str(problem)
                assert problem.line is not None or problem.message.startswith(WHOLE_FILE), str(problem)
            return
    try:
        expected = expected_totals(damaged)
    except Unreadable as reason:
        raise AssertionError(f"sitegen accepted a file that breaks the contract ({reason}): {found}") from None
    assert found == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=12))
def test_clean_returns_give_the_recomputed_figure(rows: list[dict[str, str]]) -> None:
    data = clean_file(rows)
    with _project() as folder:
        assert load(Path(folder), data) == expected_totals(data)


def test_an_amount_past_64_bits_is_a_located_error() -> None:
    data = clean_file([{"partner_id": "alpha", "year": "2008-09", "return_type": "actual",
                        "description": "d", "workstream": "bpi", "spend": "revenue", "kind": "",
                        "gross_gbp": "9" * 25, "costs_gbp": "", "cash_releasing": "yes", "ongoing": "yes",
                        "first_impact": "2008-05-01"}])
    with _project() as folder, pytest.raises(DataError) as caught:  # found by the property above
        load(Path(folder), data)
    assert [str(p) for p in caught.value.problems] == [
        f"data/returns.csv:2: gross_gbp: amount too large ('{'9' * 25}'; at most £999,999,999,999.99)"]


def _one_line(gross: str = "1000", description: str = "d") -> bytes:
    return clean_file([{"partner_id": "alpha", "year": "2008-09", "return_type": "actual",
                        "description": description, "workstream": "bpi", "spend": "revenue", "kind": "",
                        "gross_gbp": gross, "costs_gbp": "", "cash_releasing": "yes", "ongoing": "yes",
                        "first_impact": "2008-05-01"}])


def test_a_quote_left_open_is_a_located_error() -> None:
    """Found by the property above: pandas raised its own ParserError."""
    with _project() as folder, pytest.raises(DataError) as caught:
        load(Path(folder), b'"' + _one_line())
    assert [str(p) for p in caught.value.problems] == [
        "data/returns.csv:1: cannot be read as CSV from here (a quote is opened and never closed)"]


def test_a_value_past_the_csv_field_limit_is_a_located_error() -> None:
    """Found by the property above: the csv module raised its own Error (quoted values only)."""
    with _project() as folder, pytest.raises(DataError) as caught:
        load(Path(folder), _one_line(description="x, " * 50_000))
    assert [str(p) for p in caught.value.problems] == [
        ("data/returns.csv:2: cannot be read as CSV from here: a value is longer than 131,072 characters"
         " (is a quote left open?)")]
