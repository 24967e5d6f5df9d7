"""Return templates for partners: `sitegen returns template` writes each partner an XLSX
return to fill in.

The `lines` sheet comes first (the one sitegen reads), pre-filled with the
gains still ongoing in the partner's latest earlier return so that partners update
rather than retype, with drop-down lists for every enumerated column; a `cover` sheet
second gives the deadline and the counting rules in plain words. Every text cell is
text to Excel, never a formula, whatever a partner's name or description begins with
(`cells.put_cell`). Filled in and saved, it loads as it is. The counting rules' wording is shared with the receipts.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sitegen.cells import printable, put_cell
from sitegen.config import Config, load_config
from sitegen.data.contract import CONTRACT_BY_NAME, KINDS, RETURN_TYPES, SPEND, WORKSTREAMS
from sitegen.data.load import Dataset, load_data
from sitegen.errors import DataError, ReturnsError
from sitegen.rules.returns import period_key, return_deadline
from sitegen.values import format_financial_year, micro_to_pounds

if TYPE_CHECKING:
    from openpyxl import Workbook

RETURN_COLUMNS = tuple(c.name for c in CONTRACT_BY_NAME["returns"].columns)
TEMPLATE_ROWS = 2000  # rows of the lines sheet with drop-downs and unlocked cells
MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"  # text cells: Excel would turn "2011-12" into a date and "007" into 7


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
    book.properties.title = f"{printable(partner_name)}: {format_financial_year(year)} {return_type} efficiency return"
    book.properties.creator = "sitegen"
    if config.source_date is not None:  # the same inputs make the same workbook
        moment = config.source_date.replace(tzinfo=None)  # openpyxl writes naive times as UTC
        book.properties.created = book.properties.modified = moment
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
    _append(sheet, 1, [list(RETURN_COLUMNS)])
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
    _append(sheet, 2, _template_rows(lines, partner_id, year, return_type))
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
    from sitegen.tables.formatting import long_date

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
        f"{percent_text(target.disposal_rate)} of the proceeds, less costs, counts as an annual gain.",
        "Amounts are in pounds (12500, not 12.5k); dates are dates (01/05/2011).",
        "Keep the lines sheet first and its header row as it is. Add a row for each new gain, choosing "
        "partner_id, year and return_type from the drop-down lists; to remove a line added by mistake, "
        "clear its cells (empty rows are ignored).",
    ]


def percent_text(value: Decimal) -> str:
    """A rate as the counting rules word it: 5%, 7.5% (never 5.0%)."""
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

    from sitegen.tables.formatting import long_date

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
    _append(sheet, 1, [list(row) for row in rows])
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


def _append(sheet: Any, first: int, rows: list[list[Any]]) -> None:
    """Rows from row FIRST on, each cell text that Excel shows and never runs (a partner's
    description or name may begin with "="), not openpyxl's sheet.append, which makes it a formula."""
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            put_cell(sheet.cell(row=number, column=column), value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or path.resolve().is_relative_to(folder.resolve())


def chosen_partners(partners: Iterable[str], wanted: tuple[str, ...], everyone: bool) -> list[str]:
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


def make_templates(
    project_dir: Path, year: int, return_type: str, partner_ids: tuple[str, ...], out: Path
) -> list[WrittenTemplate]:
    """`sitegen returns template`: the templates for these partners (all when none are named)."""
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
    chosen = chosen_partners(dataset.partners["partner_id"], partner_ids, everyone=not partner_ids)
    return write_templates(config, dataset, year, return_type, chosen, out)
