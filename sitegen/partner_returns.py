"""Closing the loop with partners: return templates out, receipts back, a chasing list.

- `sitegen returns template` writes each partner an XLSX return to fill in: the `lines`
  sheet first (sitegen reads the first sheet), pre-filled with the gains still ongoing
  in the partner's latest earlier return so that partners update rather than retype,
  with drop-down lists for every enumerated column; a `cover` sheet second with the
  deadline and the counting rules in plain words. Filled in and saved, it loads as it is.
- `sitegen returns receipt` writes, for each return received, a one-page receipt (HTML
  and PDF): what was read, the NI 179 figure as computed and why lines did or did not
  count, every problem with its line and column, and what is still missing. Receipts
  are made from `data.read_data`, which never stops at a problem: they must go out
  precisely when a return is wrong.
- `chasing_list` is the `chasing_list` table: the latest period's missing returns, with
  whom to ask for each.

Only `chasing_list` is needed by the build (tables.py imports this module), so the
renderer, the PDF code and cli.py's helpers are imported where they are used: they
import tables.py themselves.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from sitegen import vfm
from sitegen.config import Config, load_config
from sitegen.data import (
    CONTRACT_BY_NAME,
    KINDS,
    RETURN_TYPES,
    SPEND,
    WORKSTREAMS,
    DataRead,
    Dataset,
    load_data,
    read_data,
)
from sitegen.errors import DataError, Problem, SitegenError, TemplateError, relative_name
from sitegen.values import MICRO, financial_year_from_text, format_financial_year, micro_to_pounds

if TYPE_CHECKING:
    from openpyxl import Workbook

RETURN_COLUMNS = tuple(c.name for c in CONTRACT_BY_NAME["returns"].columns)
CHASING_COLUMNS = ["partner_id", "partner_name", "year", "return_type", "contact_name", "contact_email"]
PERIOD_ORDER = {"forecast": 0, "actual": 1}  # a year's forecast (October) comes before its actual (July)
TEMPLATE_ROWS = 2000  # rows of the lines sheet with drop-downs and unlocked cells
MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"  # text cells: Excel would turn "2011-12" into a date and "007" into 7


class ReturnsError(SitegenError):
    """A `sitegen returns` command cannot do what was asked (unknown partner, bad folder)."""


def period_key(year: int, return_type: str) -> tuple[int, int]:
    """Chronological order of returns: 2010-11 forecast < 2010-11 actual < 2011-12 forecast."""
    return (int(year), PERIOD_ORDER[return_type])


def return_deadline(year: int, return_type: str) -> dt.date:
    """Forecasts are made in October for the year end, actuals in July for the year just ended."""
    if return_type == "forecast":
        return dt.date(year, 10, 31)
    return dt.date(year + 1, 7, 31)


# ---- the chasing list ---------------------------------------------------------------


def chasing_list(lines: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """The latest period's missing returns with each partner's contact: whom to chase."""
    periods = lines[["year", "return_type"]].dropna().drop_duplicates()
    if periods.empty:
        return pd.DataFrame(columns=CHASING_COLUMNS)
    year, return_type = max(
        periods.itertuples(index=False, name=None), key=lambda p: period_key(int(p[0]), p[1])
    )
    missing = vfm.returns_missing(lines, partners)
    missing = missing[(missing["year"] == year) & (missing["return_type"] == return_type)]
    contacts = partners.set_index("partner_id")
    out = missing.assign(
        contact_name=[_contact(contacts, pid, "contact_name") for pid in missing["partner_id"]],
        contact_email=[_contact(contacts, pid, "contact_email") for pid in missing["partner_id"]],
    )
    return out[CHASING_COLUMNS].reset_index(drop=True)


def _contact(partners: pd.DataFrame, partner_id: str, column: str) -> str:
    if column not in partners.columns:
        return ""
    value = partners.at[partner_id, column]
    return "" if pd.isna(value) else str(value)


# ---- templates ----------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenTemplate:
    """One template written, and where its pre-filled lines came from."""

    path: Path
    partner_id: str
    carried_lines: int
    carried_from: tuple[int, str] | None  # (year, return_type) of the return copied


def carried_over(
    lines: pd.DataFrame, partner_id: str, year: int, return_type: str
) -> tuple[pd.DataFrame, tuple[int, str] | None]:
    """The ongoing lines of the partner's latest return before (year, return_type)."""
    mine = lines[lines["partner_id"] == partner_id]
    earlier = [
        (int(y), t)
        for y, t in mine[["year", "return_type"]].drop_duplicates().itertuples(index=False, name=None)
        if period_key(int(y), t) < period_key(year, return_type)
    ]
    if not earlier:
        return mine.iloc[0:0], None
    source = max(earlier, key=lambda p: period_key(*p))
    chosen = mine[(mine["year"] == source[0]) & (mine["return_type"] == source[1]) & mine["ongoing"]]
    return chosen.sort_values(["_file", "_line"]), source


def write_templates(
    config: Config, dataset: Dataset, year: int, return_type: str, partner_ids: list[str], out: Path
) -> list[WrittenTemplate]:
    """One XLSX return per partner in `out`, named as returns are filed in data/returns/."""
    if _is_inside(out, config.data_dir):
        raise ReturnsError(
            f"{out}: templates must not be written inside data/, where sitegen would read their "
            "pre-filled lines as returns received; choose another folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    partners = dataset.partners.set_index("partner_id")
    written = []
    for partner_id in partner_ids:
        lines, source = carried_over(dataset.lines, partner_id, year, return_type)
        book = template_workbook(config, partner_id, str(partners.at[partner_id, "name"]), year,
                                 return_type, lines, source)
        path = out / f"{partner_id}-{format_financial_year(year)}-{return_type}.xlsx"
        book.save(path)
        written.append(WrittenTemplate(path, partner_id, len(lines), source))
    return written


def template_workbook(
    config: Config,
    partner_id: str,
    partner_name: str,
    year: int,
    return_type: str,
    lines: pd.DataFrame,
    source: tuple[int, str] | None,
) -> Workbook:
    """The `lines` sheet first (the one sitegen reads), the `cover` sheet second."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "lines"
    _fill_lines_sheet(sheet, partner_id, year, return_type, lines)
    _fill_cover_sheet(book.create_sheet("cover"), config, partner_id, partner_name, year, return_type,
                      len(lines), source)
    book.properties.title = f"{partner_name}: {format_financial_year(year)} {return_type} efficiency return"
    book.properties.creator = "sitegen"
    return book


_COLUMN_FORMATS = {
    "gross_gbp": MONEY_FORMAT,
    "costs_gbp": MONEY_FORMAT,
    "first_impact": DATE_FORMAT,
}
_COLUMN_WIDTHS = {"description": 48, "evidence": 32, "workstream": 18, "first_impact": 13}


def _fill_lines_sheet(sheet: Any, partner_id: str, year: int, return_type: str, lines: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    unlocked = Protection(locked=False)
    letters = {name: get_column_letter(i) for i, name in enumerate(RETURN_COLUMNS, start=1)}
    sheet.append(list(RETURN_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="12436D")
        cell.alignment = Alignment(vertical="center")
        cell.protection = Protection(locked=True)
    for name, letter in letters.items():
        # The column's own style reaches rows the partner adds: unlocked, right format.
        dimension = sheet.column_dimensions[letter]
        dimension.width = _COLUMN_WIDTHS.get(name, max(12, len(name) + 3))
        dimension.protection = unlocked
        dimension.number_format = _COLUMN_FORMATS.get(name, TEXT_FORMAT)
    for row in _template_rows(lines, partner_id, year, return_type):
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for name, cell in zip(RETURN_COLUMNS, cells, strict=True):
            cell.protection = unlocked
            cell.number_format = _COLUMN_FORMATS.get(name, TEXT_FORMAT)
    lists = {
        "partner_id": (partner_id,),
        "year": (format_financial_year(year),),
        "return_type": RETURN_TYPES,
        "workstream": WORKSTREAMS,
        "spend": SPEND,
        "kind": KINDS,
        "cash_releasing": ("yes", "no"),
        "ongoing": ("yes", "no"),
    }
    for name, values in lists.items():
        choices = ", ".join(values)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
            showErrorMessage=True, errorTitle=name, error=f"Choose one of: {choices}",
            showInputMessage=True, promptTitle=name, prompt=_clip(f"One of: {choices}", 255),
        )
        validation.add(f"{letters[name]}2:{letters[name]}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    for name in ("gross_gbp", "costs_gbp"):
        validation = DataValidation(
            type="decimal", operator="between", formula1="-999999999999.99", formula2="999999999999.99",
            allow_blank=True, showErrorMessage=True, errorTitle=name,
            error="An amount in pounds, such as 12500 or 12,500.50 (not 12.5k or £0.1m)",
        )
        validation.add(f"{letters[name]}2:{letters[name]}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    dates = DataValidation(
        type="date", operator="greaterThan", formula1="DATE(1990,1,1)", allow_blank=True,
        showErrorMessage=True, errorTitle="first_impact", error="A date, such as 01/05/2011",
    )
    dates.add(f"{letters['first_impact']}2:{letters['first_impact']}{TEMPLATE_ROWS}")
    sheet.add_data_validation(dates)
    sheet.freeze_panes = "A2"
    # Locks the header row only: every other cell of the table is unlocked above.
    sheet.protection.sheet = True
    for allowed in ("insertRows", "deleteRows", "formatCells", "formatColumns", "formatRows", "sort", "autoFilter"):
        setattr(sheet.protection, allowed, False)


def _template_rows(lines: pd.DataFrame, partner_id: str, year: int, return_type: str) -> list[list[Any]]:
    """Carried-over lines as real cells: numbers, dates, and the new return's key."""
    rows = []
    for line in lines.to_dict(orient="records"):
        cells: dict[str, Any] = {
            "partner_id": partner_id,
            "year": format_financial_year(year),
            "return_type": return_type,
            "gain_ref": line["gain_ref"],
            "description": line["description"],
            "workstream": line["workstream"],
            "spend": line["spend"],
            "kind": line["kind"],
            "gross_gbp": micro_to_pounds(line["gross_gbp"]),
            "costs_gbp": micro_to_pounds(line["costs_gbp"]) or Decimal(0),
            "cash_releasing": "yes" if line["cash_releasing"] else "no",
            "ongoing": "yes" if line["ongoing"] else "no",
            "first_impact": pd.Timestamp(line["first_impact"]).date(),
            "evidence": line["evidence"] or None,
        }
        rows.append([cells[name] for name in RETURN_COLUMNS])
    return rows


COLUMN_GUIDE = {
    "partner_id": ("yes", "your organisation's id, as given (choose it from the list)"),
    "year": ("yes", "the financial year of the return (choose it from the list)"),
    "return_type": ("yes", "forecast or actual (choose it from the list)"),
    "gain_ref": ("yes", "your own reference for the gain; keep the references of the lines carried over, "
                        "and use each reference once in the return"),
    "description": ("yes", "what was done"),
    "workstream": ("yes", "bpi, collaboration, procurement, asset_management, technology or other"),
    "spend": ("yes", "revenue or capital"),
    "kind": ("no (gain)", "gain, or disposal for the sale of an asset"),
    "gross_gbp": ("yes", "the full-year value of the gain at the end of the return year, in pounds; "
                         "for a disposal, the sale proceeds"),
    "costs_gbp": ("no (0)", "the investment and running costs of achieving the gain in the year"),
    "cash_releasing": ("yes", "yes if the gain frees cash; no if it only improves productivity"),
    "ongoing": ("yes", "yes if the gain is still sustained at the end of the return year"),
    "first_impact": ("yes", "the date the gain first affected your spending"),
    "evidence": ("no", "where the figure comes from: a document, a ledger code, a link"),
}


def template_rules(config: Config, year: int, return_type: str) -> list[str]:
    """The counting rules of the contract as a partner reads them, with this project's settings."""
    from sitegen.formatting import long_date

    target = config.target
    year_end = long_date(dt.date(year + 1, 3, 31))
    return [
        "Cash-releasing: only gains that free cash count (the same or a better service for less money, "
        "so the money can be used elsewhere). Report gains that only improve productivity too, with "
        "cash_releasing no: they are shown, but do not count towards NI 179.",
        f"Net of costs: gross_gbp is the full-year value of the gain at {year_end}; costs_gbp the "
        "investment and running costs of achieving it in the year. What counts is gross less costs.",
        f"Ongoing: a gain counts only while it is sustained at {year_end}. If a gain carried over from "
        "your last return has stopped, keep its line and set ongoing to no: it is reported as lapsed.",
        f"Count-from date: only gains that first affected your spending on or after "
        f"{long_date(target.count_from)} count (first_impact); earlier ones are reported as out of period.",
        f"Disposals: for the sale of an asset put kind disposal and the proceeds in gross_gbp; "
        f"{_percent_text(target.disposal_rate)} of the proceeds, less costs, counts as an annual gain.",
        "Amounts are in pounds (12500, not 12.5k); dates are dates (01/05/2011).",
        "Keep the lines sheet first and its header row as it is. Add a row for each new gain, choosing "
        "partner_id, year and return_type from the drop-down lists; to remove a line added by mistake, "
        "clear its cells (empty rows are ignored).",
    ]


def _percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _fill_cover_sheet(
    sheet: Any,
    config: Config,
    partner_id: str,
    partner_name: str,
    year: int,
    return_type: str,
    carried: int,
    source: tuple[int, str] | None,
) -> None:
    from openpyxl.styles import Alignment, Font

    from sitegen.formatting import long_date

    fy = format_financial_year(year)
    year_end = long_date(dt.date(year + 1, 3, 31))
    what = (f"your forecast of the position at {year_end}" if return_type == "forecast"
            else f"the actual position at {year_end}")
    carried_text = (
        f"{carried} line{'s' if carried != 1 else ''} still ongoing in your "
        f"{format_financial_year(source[0])} {source[1]} return, to update" if source
        else "none: no earlier return from you was found; add a row for each gain"
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 80
    title = config.site.partnership or config.site.title
    rows: list[tuple[str, str, str]] = [
        (f"{title}: efficiency return", "", ""),
        ("", "", ""),
        ("Partner", partner_name, f"id {partner_id}"),
        ("Return", f"{fy} {return_type}", what),
        ("Deadline", long_date(return_deadline(year, return_type)),
         "forecast returns are made in October for the year end; actual returns in July for the "
         "year just ended"),
        ("Send to", config.site.publisher or title, "the completed workbook, as it is (XLSX)"),
        ("Lines filled in", carried_text, ""),
        ("", "", ""),
        ("The rules", "", ""),
    ]
    rows += [("", "", rule) for rule in template_rules(config, year, return_type)]
    rows += [("", "", ""), ("The columns", "required", "meaning")]
    rows += [(name, *COLUMN_GUIDE[name]) for name in RETURN_COLUMNS]
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = wrap
    sheet["A1"].font = Font(bold=True, size=14)
    for cells in sheet.iter_rows():
        if cells[0].value in ("Partner", "Return", "Deadline", "Send to", "Lines filled in", "The rules",
                              "The columns"):
            cells[0].font = Font(bold=True)
        if cells[0].value == "The columns":
            for cell in cells:
                cell.font = Font(bold=True)


# ---- receipts -----------------------------------------------------------------------


@dataclass(frozen=True)
class LineCount:
    """Lines of a return that share a fate (counted, lapsed, …), and their counted value."""

    label: str
    lines: int
    value: Decimal | None  # None where lines could not be read


@dataclass(frozen=True)
class Receipt:
    """What sitegen made of one return received, for the partner who sent it."""

    partner_id: str  # as found in the return (or guessed from the file name)
    partner_name: str
    year: int | None  # None where no line says which year (an unreadable file)
    return_type: str | None
    files: tuple[tuple[str, int], ...]  # (file, lines read from it for this return)
    lines: int
    counts: tuple[LineCount, ...]
    ni179: Decimal | None  # None where it could not be computed
    counted: Decimal | None
    sr04_carry_forward: Decimal | None
    target: Decimal | None
    achievement: Decimal | None
    problems: tuple[Problem, ...]
    missing: tuple[tuple[int, str], ...]  # the partner's expected returns not received
    in_target: bool
    why_no_figure: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def status(self) -> str:
        """errors, empty (a file with no lines: not a return yet), warnings or accepted."""
        if self.errors:
            return "errors"
        if not self.lines:
            return "empty"
        return "warnings" if self.warnings else "accepted"

    @property
    def name(self) -> str:
        """The receipt's file name, without suffix."""
        if self.year is not None and self.return_type is not None and self.partner_id:
            return f"{self.partner_id}-{format_financial_year(self.year)}-{self.return_type}-receipt"
        stem = Path(self.files[0][0]).stem if self.files else "unknown"
        return f"{stem}-receipt"

    @property
    def title(self) -> str:
        period = " ".join(
            p for p in (format_financial_year(self.year) if self.year is not None else "", self.return_type or "")
            if p
        )
        return f"{period} return" if period else "return"


_REASON_LABELS = (
    (vfm.COUNTED, "Counted"),
    (vfm.NON_CASH, "Non-cash (not counted)"),
    (vfm.LAPSED, "Lapsed (not counted)"),
    (vfm.OUT_OF_PERIOD, "Out of period (not counted)"),
)

ReturnKey = tuple[str, int | None, str | None]


def receipts(read: DataRead, config: Config) -> tuple[list[Receipt], list[Problem]]:
    """A receipt for each return received, and the problems that belong to no return.

    A problem belongs to the return of the row it is on; a problem of a whole file (a
    missing column, an unreadable file) to every return in that file, or, when no row
    could be read, to the return its file name names (`<partner_id>-<year>-<type>`).
    """
    from sitegen.tables import target_rules

    rules = target_rules(config)
    rows = read.frames["returns"]
    partners = read.frames["partners"]
    known = sorted(set(partners["partner_id"]) - {""})
    keys = _row_keys(rows, known)
    lines_read: dict[ReturnKey, dict[str, int]] = {}  # return -> file -> lines read from it
    by_row: dict[tuple[str, int], ReturnKey] = {}
    for f, n, k in zip(rows["_file"], rows["_line"], keys, strict=True):
        per_file = lines_read.setdefault(k, {})
        per_file[f] = per_file.get(f, 0) + 1
        by_row[(f, int(n))] = k
    file_keys: dict[str, list[ReturnKey]] = {name: [] for name in read.files["returns"]}
    for key in sorted(lines_read, key=_key_order):
        for name in lines_read[key]:
            file_keys[name].append(key)
    for name, in_file in file_keys.items():
        if not in_file:
            in_file.append(_guess_key(name, known))
    attributed: dict[ReturnKey, list[Problem]] = {k: [] for ks in file_keys.values() for k in ks}
    unattributed: list[Problem] = []
    for problem in read.problems:
        if problem.file not in file_keys:
            unattributed.append(problem)
        elif problem.line is not None and (problem.file, problem.line) in by_row:
            attributed[by_row[(problem.file, problem.line)]].append(problem)
        else:
            for key in file_keys[problem.file]:
                attributed[key].append(problem)
    readable = read.readable(config.target.first_year)
    classified = vfm.classify_lines(readable.lines, rules)
    # Received: a return with lines, or one that came and could not be read; not an empty file.
    received = pd.DataFrame(
        [
            (p, y, t) for (p, y, t), found in attributed.items()
            if y is not None and t is not None
            and (lines_read.get((p, y, t)) or any(f.severity == "error" for f in found))
        ],
        columns=["partner_id", "year", "return_type"],
    )
    missing = vfm.returns_missing(received, partners[partners["partner_id"] != ""].drop_duplicates("partner_id"))
    # Everything computed once for all returns: a million lines make thousands of receipts.
    figures = {
        (row["partner_id"], row["year"], row["return_type"]): row
        for row in vfm.ni179_by_return(classified, readable.partners, rules).to_dict(orient="records")
    }
    by_reason: dict[ReturnKey, dict[str, tuple[int, int]]] = {}
    sums = classified.groupby([*vfm.RETURN_KEY, "reason"], sort=False)["counted_value"].agg(["size", "sum"])
    for (partner_id, year, return_type, reason), (size, total) in sums.iterrows():
        by_reason.setdefault((partner_id, int(year), return_type), {})[reason] = (int(size), int(total))
    info: dict[str, tuple[str, bool]] = {}
    for partner_id, name, in_target in zip(partners["partner_id"], partners["name"], partners["in_target"],
                                           strict=True):
        info.setdefault(partner_id, (str(name), bool(in_target)))
    owed: dict[str, list[tuple[int, str]]] = {}
    for partner_id, year, return_type in missing[["partner_id", "year", "return_type"]].itertuples(index=False):
        owed.setdefault(partner_id, []).append((int(year), str(return_type)))
    for periods in owed.values():
        periods.sort(key=lambda period: period_key(*period))  # as they fell due
    readable_ids = set(readable.partners["partner_id"])
    result = []
    for key in sorted(attributed, key=_key_order):
        read_from = lines_read.get(key, {})
        files = [(name, read_from.get(name, 0)) for name in read.files["returns"] if key in file_keys[name]]
        result.append(_receipt(
            key, files, sum(read_from.values()), attributed[key], info.get(key[0]), by_reason.get(key, {}),
            figures.get(key), key[0] in readable_ids, owed.get(key[0], []),
        ))
    return result, unattributed


def _key_order(key: ReturnKey) -> tuple:
    partner_id, year, return_type = key
    return (partner_id, year if year is not None else -1, PERIOD_ORDER.get(return_type or "", -1))


def _row_keys(rows: pd.DataFrame, known: list[str]) -> list[ReturnKey]:
    """Each row's return; a row whose year or type is wrong takes its file's, if one."""
    keys: list[ReturnKey] = []
    by_file: dict[str, tuple[set, set]] = {}
    for f, y, t in zip(rows["_file"], rows["year"], rows["return_type"], strict=True):
        years, types = by_file.setdefault(f, (set(), set()))
        if not pd.isna(y):
            years.add(int(y))
        if t in RETURN_TYPES:
            types.add(t)
    guesses = {f: _guess_key(f, known) for f in by_file}
    for f, p, y, t in zip(rows["_file"], rows["partner_id"], rows["year"], rows["return_type"], strict=True):
        guess = guesses[f]
        years, types = by_file[f]
        year = int(y) if not pd.isna(y) else (next(iter(years)) if len(years) == 1 else guess[1])
        rtype = t if t in RETURN_TYPES else (next(iter(types)) if len(types) == 1 else guess[2])
        keys.append((str(p) or guess[0], year, rtype))
    return keys


def _guess_key(file_name: str, known: list[str]) -> ReturnKey:
    """The return a file name names, as templates and the demo name them."""
    stem = Path(file_name).stem.lower()
    partner = max((k for k in known if stem == k or stem.startswith(k + "-")), key=len, default="")
    found = re.search(r"((?:19|20)\d\d[-_](?:\d\d){1,2})", stem[len(partner):])
    year = None
    if found:
        try:
            year = financial_year_from_text(found.group(1).replace("_", "-"))
        except ValueError:
            year = None
    rtype = next((t for t in RETURN_TYPES if re.search(rf"(^|[-_]){t}($|[-_])", stem)), None)
    return (partner, year, rtype)


def _receipt(
    key: ReturnKey,
    files: list[tuple[str, int]],
    line_count: int,
    problems: list[Problem],
    partner: tuple[str, bool] | None,  # (name, in_target) from partners.csv, if there
    by_reason: dict[str, tuple[int, int]],  # reason -> (readable lines, counted micropounds)
    figure: dict[str, Any] | None,  # the return's ni179 row, if it could be computed
    partner_readable: bool,
    owed: list[tuple[int, str]],
) -> Receipt:
    partner_id, year, return_type = key
    counts = [
        LineCount(label, by_reason.get(reason, (0, 0))[0], Decimal(by_reason.get(reason, (0, 0))[1]) / MICRO)
        for reason, label in _REASON_LABELS
    ]
    unread = line_count - sum(lines for lines, _ in by_reason.values())
    if unread:
        counts.append(LineCount("With errors (not read)", unread, None))
    values: dict[str, Any] = dict.fromkeys(("ni179", "counted", "sr04_carry_forward", "target", "achievement"))
    why = ""
    if not partner_readable:
        why = (f"no partner {partner_id!r} can be read from partners.csv" if partner_id
               else "the file name does not say whose return this is, and no line could be read")
    elif figure is None:
        why = "no line of the return could be read"
    else:
        carry = figure["sr04_carry_forward_gbp"]
        values = {
            "ni179": figure["ni179_gbp"],
            "counted": figure["ni179_gbp"] - carry,
            "sr04_carry_forward": carry,
            "target": figure["target_gbp"],
            "achievement": figure["achievement_pct"],
        }
    return Receipt(
        partner_id=partner_id,
        partner_name=(partner[0] if partner and partner[0] else partner_id or "Partner not known"),
        year=year,
        return_type=return_type,
        files=tuple(files),
        lines=line_count,
        counts=tuple(counts),
        problems=tuple(sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.message))),
        missing=tuple(owed),
        in_target=bool(partner and partner[1]),
        why_no_figure=why,
        **values,
    )


def render_receipt(config: Config, receipt: Receipt, env: Any = None) -> str:
    """The receipt as HTML, from receipt.html (the project's templates/ first, then the theme)."""
    import jinja2

    from sitegen.render import make_environment

    env = env or make_environment(config)
    try:
        template = env.get_template("receipt.html")
        return template.render(
            receipt=receipt,
            site=config.site,
            target=config.target,
            pdf_header=config.pdf_header,
            issued=_issue_date(),
            rules=_receipt_rules(config),
        )
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or "receipt.html"
        raise TemplateError("the receipt template failed", [
            Problem(relative_name(Path(where), config.project_dir) if os.path.isabs(where) else where,
                    getattr(exc, "lineno", None), None, str(exc))
        ]) from exc


def _receipt_rules(config: Config) -> str:
    from sitegen.formatting import long_date

    target = config.target
    return (
        "A line counts towards NI 179 when it is cash-releasing, still ongoing at the end of the year, and "
        f"first affected spending on or after {long_date(target.count_from)}; its counted value is gross "
        f"less costs ({_percent_text(target.disposal_rate)} of the proceeds, less costs, for a disposal)."
    )


def _issue_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day: the same inputs make the same receipt."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def receipt_pdf(config: Config, html: str, name: str) -> bytes:
    """The receipt HTML as a PDF, laid out like the papers (sitegen.pdf)."""
    from sitegen.pdf import PROJECT_URL, lay_out_pdf

    return lay_out_pdf(config, html, name=name, base=PROJECT_URL, date=_issue_date(), identity=f"receipts/{name}")


def write_receipts(config: Config, chosen: list[Receipt], out: Path) -> list[tuple[Receipt, Path, Path]]:
    """Each receipt as NAME.html and NAME.pdf in `out`."""
    from sitegen.render import make_environment

    out.mkdir(parents=True, exist_ok=True)
    env = make_environment(config)
    written = []
    for receipt in chosen:
        html = render_receipt(config, receipt, env)
        html_path, pdf_path = out / f"{receipt.name}.html", out / f"{receipt.name}.pdf"
        pdf = receipt_pdf(config, html, html_path.name)
        html_path.write_text(html, encoding="utf-8")
        pdf_path.write_bytes(pdf)
        written.append((receipt, html_path, pdf_path))
    return written


# ---- the commands -------------------------------------------------------------------


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or path.resolve().is_relative_to(folder.resolve())


def _check_partner_options(wanted: tuple[str, ...], everyone: bool) -> None:
    """--partner ID (repeatable) or --all, never both or neither: a usage error (exit 2)."""
    if everyone == bool(wanted):
        raise click.UsageError("give --partner ID (one or more times) or --all")


def _chosen_partners(partners: Iterable[str], wanted: tuple[str, ...], everyone: bool) -> list[str]:
    """The partners a command is for; an unknown id is an error naming the closest ones."""
    known = list(partners)
    if everyone:
        return known
    for partner_id in wanted:
        if partner_id not in known:
            close = difflib.get_close_matches(partner_id, known, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise ReturnsError(f"unknown partner {partner_id!r} (not in data/partners.csv){hint}")
    return list(dict.fromkeys(wanted))


def _year_option(required: bool) -> Any:
    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
        if value is None:
            return None
        try:
            return financial_year_from_text(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a financial year such as 2010-11") from None

    return click.option("--year", required=required, callback=parse, metavar="YEAR",
                        help="The financial year of the return, such as 2010-11.")


def _type_option(required: bool) -> Any:
    return click.option("--type", "return_type", required=required,
                        type=click.Choice(list(RETURN_TYPES), case_sensitive=False),
                        help="forecast (made in October) or actual (made in July).")


_partner_option = click.option("--partner", "partner_ids", multiple=True, metavar="ID",
                               help="A partner's id (repeat for several).")
_all_option = click.option("--all", "all_partners", is_flag=True, help="Every partner.")


def _template_command() -> click.Command:
    from sitegen.cli import project_option, user_errors

    @click.command("template")
    @_year_option(required=True)
    @_type_option(required=True)
    @_partner_option
    @_all_option
    @click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="The folder to write the XLSX templates into.")
    @project_option
    @user_errors
    def template(year: int, return_type: str, partner_ids: tuple[str, ...], all_partners: bool,
                 out: Path, project_dir: Path) -> None:
        """Write an XLSX return for partners to fill in, pre-filled with their ongoing gains."""
        _check_partner_options(partner_ids, all_partners)
        return_type = return_type.lower()
        config = load_config(project_dir)
        if year < config.target.first_year:
            raise ReturnsError(
                f"{format_financial_year(year)} is before the target period "
                f"({format_financial_year(config.target.first_year)} onwards): such a return would not load"
            )
        try:
            dataset = load_data(config)
        except DataError as exc:
            raise DataError(f"{exc.args[0]}; templates are pre-filled from the returns received, so fix "
                            "them first", exc.problems) from exc
        chosen = _chosen_partners(dataset.partners["partner_id"], partner_ids, all_partners)
        written = write_templates(config, dataset, year, return_type, chosen, out)
        for item in written:
            source = (f"{item.carried_lines} ongoing line{'s' if item.carried_lines != 1 else ''} from the "
                      f"{format_financial_year(item.carried_from[0])} {item.carried_from[1]} return"
                      if item.carried_from else "no earlier return: empty")
            click.echo(f"{item.path}  ({source})")
        deadline = return_deadline(year, return_type).isoformat()
        click.echo(f"Wrote {len(written)} template{'s' if len(written) != 1 else ''} for the "
                   f"{format_financial_year(year)} {return_type} return (due {deadline}) into {out}")

    return template


def _receipt_command() -> click.Command:
    from sitegen.cli import project_option, user_errors

    @click.command("receipt")
    @_partner_option
    @_all_option
    @_year_option(required=False)
    @_type_option(required=False)
    @click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="The folder to write receipts into (default: PROJECT/receipts).")
    @project_option
    @user_errors
    def receipt(partner_ids: tuple[str, ...], all_partners: bool, year: int | None, return_type: str | None,
                out: Path | None, project_dir: Path) -> None:
        """Write a receipt (HTML and PDF) for each return received: figures, problems, what is missing."""
        _check_partner_options(partner_ids, all_partners)
        config = load_config(project_dir)
        read = read_data(config)
        found, other = receipts(read, config)
        known = [p for p in dict.fromkeys(read.frames["partners"]["partner_id"]) if p]
        # --all means every receipt, even one for a return whose partner id is not known.
        chosen_ids = None if all_partners else set(_chosen_partners(known, partner_ids, False))
        chosen = [
            r for r in found
            if (chosen_ids is None or r.partner_id in chosen_ids)
            and (year is None or r.year == year)
            and (return_type is None or r.return_type == return_type.lower())
        ]
        if not chosen:
            asked = " ".join(p for p in (
                ", ".join(sorted(chosen_ids)) if chosen_ids else "",
                format_financial_year(year) if year is not None else "", (return_type or "").lower()) if p)
            raise ReturnsError(f"no return received{' for ' + asked if asked else ''} in data/returns")
        target = out if out is not None else config.project_dir / "receipts"
        written = write_receipts(config, chosen, target)
        for item, _, pdf_path in written:
            state = {"accepted": "accepted", "warnings": f"{len(item.warnings)} warning(s)",
                     "errors": f"{len(item.errors)} error(s)", "empty": "not a return yet"}[item.status]
            click.echo(f"{pdf_path}  ({item.partner_name}, {item.title}: {item.lines} lines, {state})")
        with_errors = sum(1 for item, _, _ in written if item.errors)
        click.echo(f"Wrote {len(written)} receipt{'s' if len(written) != 1 else ''} "
                   f"({with_errors} with errors) into {target}")
        if other:
            click.echo(f"{len(other)} problem(s) in other data files are on no receipt: "
                       "sitegen check lists them", err=True)

    return receipt


_SUBCOMMANDS = {"receipt": _receipt_command, "template": _template_command}


class _ReturnsGroup(click.Group):
    """The subcommands are made when asked for: they use cli.py's helpers, and cli.py
    imports this module, so they cannot be made while this module is imported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        make = _SUBCOMMANDS.get(cmd_name)
        return make() if make is not None else None


returns_group = _ReturnsGroup(
    "returns",
    help="Returns from partners: XLSX templates out, receipts back.",
)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
