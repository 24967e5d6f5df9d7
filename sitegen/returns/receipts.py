"""Receipts for partners: for each return received, what was read, the NI 179 figure
as computed, why lines did or did not count, every problem with its line and column,
and what is still missing; as HTML and as a one-page PDF.

Receipts are made from `data.load.read_data`, which never stops at a problem: they must go
out precisely when a return is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from sitegen.config import Config, load_config
from sitegen.data.contract import RETURN_TYPES
from sitegen.data.load import DataRead, read_data
from sitegen.project import check_theme_links
from sitegen.errors import Problem, ReturnsError, TemplateError, relative_name
from sitegen.returns.templates import chosen_partners, percent_text
from sitegen.rules import ni179
from sitegen.rules.returns import PERIOD_ORDER, period_key
from sitegen.values import MICRO, financial_year_from_text, format_financial_year

ReturnKey = tuple[str, int | None, str | None]  # (partner, year, return type) of a return


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
    (ni179.COUNTED, "Counted"),
    (ni179.NON_CASH, "Non-cash (not counted)"),
    (ni179.LAPSED, "Lapsed (not counted)"),
    (ni179.OUT_OF_PERIOD, "Out of period (not counted)"),
)


def receipts(read: DataRead, config: Config) -> tuple[list[Receipt], list[Problem]]:
    """A receipt for each return received, and the problems that belong to no return.

    A problem belongs to the return of the row it is on; a problem of a whole file (a
    missing column, an unreadable file) to every return in that file, or, when no row
    could be read, to the return its file name names (`<partner_id>-<year>-<type>`).
    """
    from sitegen.tables.compute import target_rules

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
    classified = ni179.classify_lines(readable.lines, rules)
    # Received: a return with lines, or one that came and could not be read; not an empty file.
    received = pd.DataFrame(
        [
            (p, y, t) for (p, y, t), found in attributed.items()
            if y is not None and t is not None
            and (lines_read.get((p, y, t)) or any(f.severity == "error" for f in found))
        ],
        columns=["partner_id", "year", "return_type"],
    )
    missing = ni179.returns_missing(received, partners[partners["partner_id"] != ""].drop_duplicates("partner_id"))
    # Everything computed once for all returns: a million lines make thousands of receipts.
    figures = {
        (row["partner_id"], row["year"], row["return_type"]): row
        for row in ni179.ni179_by_return(classified, readable.partners, rules).to_dict(orient="records")
    }
    by_reason: dict[ReturnKey, dict[str, tuple[int, int]]] = {}
    sums = classified.groupby([*ni179.RETURN_KEY, "reason"], sort=False)["counted_value"].agg(["size", "sum"])
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

    from sitegen.render.pages import make_environment

    env = env or make_environment(config)
    try:
        template = env.get_template("receipt.html")
        return template.render(
            receipt=receipt,
            site=config.site,
            target=config.target,
            pdf_header=config.pdf_header,
            issued=_issue_date(config),
            rules=_receipt_rules(config),
        )
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or "receipt.html"
        raise TemplateError("the receipt template failed", [
            Problem(relative_name(Path(where), config.project_dir) if os.path.isabs(where) else where,
                    getattr(exc, "lineno", None), None, str(exc))
        ]) from exc


def _receipt_rules(config: Config) -> str:
    from sitegen.tables.formatting import long_date

    target = config.target
    return (
        "A line counts towards NI 179 when it is cash-releasing, still ongoing at the end of the year, and "
        f"first affected spending on or after {long_date(target.count_from)}; its counted value is gross "
        f"less costs ({percent_text(target.disposal_rate)} of the proceeds, less costs, for a disposal)."
    )


def _issue_date(config: Config) -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day: the same inputs make the same receipt."""
    return config.source_date.date() if config.source_date is not None else dt.date.today()


def receipt_pdf(config: Config, html: str, name: str) -> bytes:
    """The receipt HTML as a PDF, laid out like the papers (pdf/layout.py)."""
    from sitegen.pdf.layout import PROJECT_URL, lay_out_pdf

    return lay_out_pdf(config, html, name=name, base=PROJECT_URL, date=_issue_date(config), identity=f"receipts/{name}")


def write_receipts(config: Config, chosen: list[Receipt], out: Path) -> list[tuple[Receipt, Path, Path]]:
    """Each receipt as NAME.html and NAME.pdf in `out`."""
    from sitegen.render.pages import make_environment

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


@dataclass(frozen=True)
class WrittenReceipts:
    """What `sitegen returns receipt` wrote, and the problems no receipt carries."""

    written: list[tuple[Receipt, Path, Path]]
    folder: Path
    other_problems: list[Problem]
    logged: list[Receipt] = field(default_factory=list)  # returns newly entered in data/received.csv


def make_receipts(
    project_dir: Path, partner_ids: tuple[str, ...], year: int | None, return_type: str | None, out: Path | None
) -> WrittenReceipts:
    """`sitegen returns receipt`: a receipt for each return received from these partners
    (every receipt when none are named, even one whose partner id is not known)."""
    config = load_config(project_dir)
    check_theme_links(config)  # receipt.html may be the project's
    read = read_data(config)
    found, other = receipts(read, config)
    known = [p for p in dict.fromkeys(read.frames["partners"]["partner_id"]) if p]
    chosen_ids = set(chosen_partners(known, partner_ids, everyone=False)) if partner_ids else None
    chosen = [
        r for r in found
        if (chosen_ids is None or r.partner_id in chosen_ids)
        and (year is None or r.year == year)
        and (return_type is None or r.return_type == return_type)
    ]
    if not chosen:
        asked = " ".join(p for p in (
            ", ".join(sorted(chosen_ids)) if chosen_ids else "",
            format_financial_year(year) if year is not None else "", return_type or "") if p)
        raise ReturnsError(f"no return received{' for ' + asked if asked else ''} in data/returns")
    target = out if out is not None else config.project_dir / "receipts"
    written = write_receipts(config, chosen, target)
    return WrittenReceipts(written, target, other, log_received(config, chosen, _issue_date(config)))


RECEIVED_HEADER = "partner_id,year,return_type,received\n"


def log_received(config: Config, chosen: list[Receipt], day: dt.date) -> list[Receipt]:
    """Enter each return not yet in data/received.csv as received on DAY (the receipt's date):
    what a paper as at a date counts (sitegen/records/as_at.py). A return already entered
    keeps the date it was first received."""
    path = config.data_dir / "received.csv"
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else RECEIVED_HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    known = {tuple(line.split(",")[:3]) for line in text.splitlines()[1:] if line.strip()}
    added = []
    for receipt in chosen:
        if receipt.year is None or receipt.return_type is None or not receipt.lines:
            continue
        key = (receipt.partner_id, format_financial_year(receipt.year), receipt.return_type)
        if key not in known:
            known.add(key)
            text += ",".join([*key, day.isoformat()]) + "\n"
            added.append(receipt)
    if added:
        path.write_text(text, encoding="utf-8")
    return added


