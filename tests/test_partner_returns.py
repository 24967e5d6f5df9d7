"""Return templates out, receipts back, and the chasing list (`sitegen returns`, issue #9).

Fixtures: `returns_partners` is a small project with every kind of line (counted,
lapsed, non-cash, disposal, out of period) and a missing return; `returns_errors` is
the same project with mistakes in it, as partners make them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.data.load import load_data, read_data
from sitegen.errors import DataError
from sitegen.returns.receipts import receipts
from sitegen.returns.templates import RETURN_COLUMNS, carried_over
from sitegen.rules.returns import CHASING_COLUMNS, chasing_list, return_deadline
from sitegen.tables.compute import compute_tables

HEADER = ",".join(RETURN_COLUMNS) + "\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def tables_csv(project: Path) -> dict[str, str]:
    config = load_config(project)
    return {name: t.to_csv() for name, t in compute_tables(load_data(config), config).items()}


def make_templates(project: Path, out: Path, *args: str) -> None:
    code, _, err = run("returns", "template", "--year", "2010-11", "--type", "forecast", *args,
                       "--out", str(out), "-C", str(project))
    assert code == 0, err


# ---- templates ----------------------------------------------------------------------


def test_template_lines_sheet_is_first_with_the_contract_columns_and_carried_lines(
    copy_fixture: Callable[[str], Path], tmp_path: Path
) -> None:
    project = copy_fixture("returns_partners")
    make_templates(project, tmp_path / "out", "--all")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "alpha-2010-11-forecast.xlsx", "beta-2010-11-forecast.xlsx",
        "delta-2010-11-forecast.xlsx", "gamma-2010-11-forecast.xlsx",
    ]
    book = openpyxl.load_workbook(tmp_path / "out" / "alpha-2010-11-forecast.xlsx")
    assert book.sheetnames == ["lines", "cover"]
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(RETURN_COLUMNS)
    # The 2009-10 actual is later than the 2009-10 forecast; A2 lapsed there, so is not carried.
    assert [r[3] for r in rows[1:]] == ["A1", "A3", "A4", "A5"]
    first = dict(zip(RETURN_COLUMNS, rows[1], strict=True))
    assert first["partner_id"] == "alpha" and first["year"] == "2010-11" and first["return_type"] == "forecast"
    assert first["gross_gbp"] == 26100.25 and first["costs_gbp"] == 500
    assert first["first_impact"] == dt.datetime(2008, 5, 1)
    assert first["cash_releasing"] == "yes" and first["evidence"] == "Contract award report"
    assert sheet.freeze_panes == "A2"
    assert sheet.protection.sheet and not sheet.protection.insertRows and not sheet.protection.deleteRows
    assert sheet["A1"].protection.locked and not sheet["A2"].protection.locked
    assert sheet.column_dimensions["A"].protection.locked is False  # rows a partner adds
    column = {name: i for i, name in enumerate(RETURN_COLUMNS, start=1)}
    assert sheet.cell(2, column["first_impact"]).number_format == "DD/MM/YYYY"
    assert "#,##0.00" in sheet.cell(2, column["gross_gbp"]).number_format
    assert "#,##0.00" in sheet.cell(2, column["costs_gbp"]).number_format
    assert sheet.cell(2, column["year"]).number_format == "@"  # Excel must not read 2010-11 as a date
    # A partner with no earlier return gets the header alone.
    empty = openpyxl.load_workbook(tmp_path / "out" / "gamma-2010-11-forecast.xlsx").worksheets[0]
    assert [list(r) for r in empty.iter_rows(values_only=True)] == [list(RETURN_COLUMNS)]


def test_template_has_drop_down_lists_for_every_enumerated_and_yes_no_column(
    copy_fixture: Callable[[str], Path], tmp_path: Path
) -> None:
    project = copy_fixture("returns_partners")
    make_templates(project, tmp_path / "out", "--partner", "beta")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "beta-2010-11-forecast.xlsx")["lines"]
    letters = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(RETURN_COLUMNS, start=1)}
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            if validation.type == "list":
                lists[cell_range.coord] = validation.formula1
    expected = {
        "workstream": '"bpi,collaboration,procurement,asset_management,technology,other"',
        "spend": '"revenue,capital"',
        "kind": '"gain,disposal"',
        "return_type": '"forecast,actual"',
        "cash_releasing": '"yes,no"',
        "ongoing": '"yes,no"',
        "partner_id": '"beta"',
        "year": '"2010-11"',
    }
    for name, formula in expected.items():
        assert lists[f"{letters[name]}2:{letters[name]}2000"] == formula, name
    types = {v.type for v in sheet.data_validations.dataValidation}
    assert {"list", "decimal", "date"} <= types


def test_template_cover_gives_deadline_and_rules_with_the_projects_settings(
    copy_fixture: Callable[[str], Path], tmp_path: Path
) -> None:
    project = copy_fixture("returns_partners")
    (project / "sitegen.toml").write_text(
        (project / "sitegen.toml").read_text().replace("disposal_rate = 5.0", "disposal_rate = 7.5"))
    make_templates(project, tmp_path / "out", "--partner", "alpha")
    cover = openpyxl.load_workbook(tmp_path / "out" / "alpha-2010-11-forecast.xlsx")["cover"]
    text = "\n".join(" | ".join(str(c) for c in row if c) for row in cover.iter_rows(values_only=True))
    assert "Alpha County Council | id alpha" in text
    assert "Deadline | 31 October 2010" in text
    assert "2010-11 forecast | your forecast of the position at 31 March 2011" in text
    assert "4 lines still ongoing in your 2009-10 actual return" in text
    assert "on or after 1 April 2008 count" in text
    assert "7.5% of the proceeds" in text
    assert "cash_releasing no" in text and "gross less costs" in text and "set ongoing to no" in text
    assert "Test Partnership Support Team" in text


def test_deadlines() -> None:
    assert return_deadline(2011, "forecast") == dt.date(2011, 10, 31)
    assert return_deadline(2011, "actual") == dt.date(2012, 7, 31)


def test_carried_over_takes_the_latest_earlier_return_actual_after_forecast() -> None:
    lines = pd.DataFrame(
        [
            ("p", 2008, "actual", "old", True),
            ("p", 2009, "forecast", "f1", True),
            ("p", 2009, "actual", "a1", True),
            ("p", 2009, "actual", "a2", False),
            ("p", 2010, "forecast", "later", True),
            ("q", 2009, "actual", "other partner", True),
        ],
        columns=["partner_id", "year", "return_type", "gain_ref", "ongoing"],
    ).assign(_file="f.csv", _line=range(2, 8))
    chosen, source = carried_over(lines, "p", 2010, "forecast")
    assert source == (2009, "actual") and list(chosen["gain_ref"]) == ["a1"]
    chosen, source = carried_over(lines, "p", 2009, "actual")  # the same year's forecast came first
    assert source == (2009, "forecast") and list(chosen["gain_ref"]) == ["f1"]
    chosen, source = carried_over(lines, "p", 2008, "actual")
    assert source is None and chosen.empty


def _fill_alpha(path: Path) -> None:
    """What a partner does: update a figure, mark a lapsed gain, add a new one."""
    book = openpyxl.load_workbook(path)
    sheet = book["lines"]
    column = {name: i for i, name in enumerate(RETURN_COLUMNS, start=1)}
    for row in range(2, sheet.max_row + 1):
        ref = sheet.cell(row, column["gain_ref"]).value
        if ref == "A1":
            sheet.cell(row, column["gross_gbp"]).value = 27000
        if ref == "A3":
            sheet.cell(row, column["ongoing"]).value = "no"
    sheet.append(["alpha", "2010-11", "forecast", "A6", "Shared fleet workshop", "collaboration", "revenue",
                  "gain", Decimal("15250.75"), 250, "yes", "Yes", dt.date(2010, 6, 1), None])
    book.save(path)


FILLED_ALPHA_CSV = HEADER + (
    "alpha,2010-11,forecast,A1,Joint procurement of energy,procurement,revenue,gain,27000,500,yes,yes,2008-05-01,"
    "Contract award report\n"
    "alpha,2010-11,forecast,A3,Mobile working,technology,revenue,gain,8000,0,no,no,2009-01-15,Activity data\n"
    "alpha,2010-11,forecast,A4,Sale of depot,asset_management,capital,disposal,400000,1000,yes,yes,2009-06-30,"
    "Sale completion\n"
    "alpha,2010-11,forecast,A5,Procurement card (SR04),procurement,revenue,gain,5000,0,yes,yes,2007-07-01,"
    "AES 2007-08\n"
    "alpha,2010-11,forecast,A6,Shared fleet workshop,collaboration,revenue,gain,15250.75,250,yes,yes,2010-06-01,\n"
)


def test_template_filled_in_loads_as_the_same_data_written_as_csv(
    copy_fixture: Callable[[str], Path], tmp_path: Path
) -> None:
    project = copy_fixture("returns_partners")
    make_templates(project, tmp_path / "out", "--partner", "alpha")
    filled = tmp_path / "out" / "alpha-2010-11-forecast.xlsx"
    _fill_alpha(filled)
    as_csv = shutil.copytree(project, tmp_path / "as_csv")
    (as_csv / "data" / "returns" / "alpha-2010-11-forecast.csv").write_text(FILLED_ALPHA_CSV, encoding="utf-8")
    shutil.copyfile(filled, project / "data" / "returns" / filled.name)

    from_xlsx, from_csv = tables_csv(project), tables_csv(as_csv)
    assert sorted(from_xlsx) == sorted(from_csv)
    # return_lines (and each partner's part of it) names each line's file: the one intended difference.
    for name in [n for n in from_xlsx if n.startswith("return_lines")]:
        from_xlsx[name] = from_xlsx[name].replace(".xlsx:", ".csv:")
    for name in from_csv:
        assert from_xlsx[name] == from_csv[name], name
    assert "alpha,Alpha County Council,2010-11,forecast,100500.75," in from_csv["ni179"]


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice is not on PATH")
def test_template_saved_again_by_libreoffice_still_loads(
    copy_fixture: Callable[[str], Path], tmp_path: Path
) -> None:
    project = copy_fixture("returns_partners")
    make_templates(project, tmp_path / "out", "--partner", "alpha")
    before = tables_csv(shutil.copytree(project, tmp_path / "direct"))
    template = tmp_path / "out" / "alpha-2010-11-forecast.xlsx"
    shutil.copyfile(template, tmp_path / "direct" / "data" / "returns" / template.name)
    converted = tmp_path / "converted"
    subprocess.run(
        ["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "xlsx", "--outdir", str(converted), str(template)],
        check=True, capture_output=True, timeout=180,
    )
    shutil.copyfile(converted / template.name, project / "data" / "returns" / template.name)
    assert openpyxl.load_workbook(converted / template.name).sheetnames[0] == "lines"
    assert tables_csv(project) == tables_csv(tmp_path / "direct")
    assert before != tables_csv(project)  # the template's lines did load, as a 2010-11 forecast


# ---- receipts -----------------------------------------------------------------------


def _check_problems(project: Path) -> list[str]:
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def test_receipts_list_exactly_the_problems_check_finds_for_each_partner(
    copy_fixture: Callable[[str], Path],
) -> None:
    project = copy_fixture("returns_errors")
    checked = _check_problems(project)
    assert len(checked) == 7
    config = load_config(project)
    found, other = receipts(read_data(config), config)
    for partner in ("alpha", "beta", "delta", "gamma"):
        expected = sorted(p for p in checked if p.startswith(f"data/returns/{partner}-"))
        listed = sorted(str(p) for r in found if r.partner_id == partner for p in r.problems)
        assert listed == expected, partner
    assert [str(p) for p in other] == [p for p in checked if p.startswith("data/partners.csv")]


def test_receipt_of_a_return_with_errors(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("returns_errors")
    config = load_config(project)
    found, _ = receipts(read_data(config), config)
    by_name = {r.name: r for r in found}
    assert sorted(by_name) == [
        "alpha-2009-10-actual-receipt", "alpha-2009-10-forecast-receipt", "beta-2009-10-actual-receipt",
        "beta-2009-10-forecast-receipt", "delta-2009-10-actual-receipt",
    ]
    alpha = by_name["alpha-2009-10-actual-receipt"]
    assert alpha.status == "errors" and len(alpha.errors) == 3 and alpha.lines == 5
    counts = {c.label: (c.lines, c.value) for c in alpha.counts}
    # Lines 2, 4 and 5 have errors; A2 (lapsed) and A5 (out of period) were read.
    assert counts["With errors (not read)"] == (3, None)
    assert counts["Counted"] == (0, Decimal(0))
    assert counts["Lapsed (not counted)"] == (1, Decimal(12000))
    assert counts["Out of period (not counted)"] == (1, Decimal(5000))
    assert alpha.ni179 == Decimal(40000)  # the SR04 carry-forward alone, until the lines are fixed
    # An unreadable workbook still gets its receipt, by its file name.
    beta = by_name["beta-2009-10-forecast-receipt"]
    assert (beta.partner_id, beta.year, beta.return_type, beta.lines) == ("beta", 2009, "forecast", 0)
    assert beta.ni179 is None and "could be read" in beta.why_no_figure
    assert [p.message for p in beta.problems] == ["is not a readable XLSX workbook (File is not a zip file)"]
    assert by_name["delta-2009-10-actual-receipt"].status == "warnings"


def test_receipt_figures_match_the_ni179_table(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("returns_partners")
    config = load_config(project)
    found, other = receipts(read_data(config), config)
    assert other == []
    alpha = next(r for r in found if r.name == "alpha-2009-10-actual-receipt")
    assert alpha.status == "accepted" and alpha.problems == ()
    assert (alpha.ni179, alpha.counted, alpha.sr04_carry_forward) == (
        Decimal("84600.25"), Decimal("44600.25"), Decimal(40000))
    assert alpha.target == Decimal(60000) and round(alpha.achievement, 1) == Decimal("141.0")
    assert [(c.label, c.lines, c.value) for c in alpha.counts] == [
        ("Counted", 2, Decimal("44600.25")),
        ("Non-cash (not counted)", 1, Decimal(8000)),
        ("Lapsed (not counted)", 1, Decimal(12000)),
        ("Out of period (not counted)", 1, Decimal(5000)),
    ]
    table = compute_tables(load_data(config), config)["ni179"].frame
    row = table[(table["partner_id"] == "alpha") & (table["year"] == 2009) & (table["return_type"] == "actual")]
    assert row["ni179_gbp"].iat[0] == alpha.ni179
    assert alpha.missing == ()
    beta = next(r for r in found if r.partner_id == "beta")
    assert beta.missing == ((2009, "actual"),)


def test_receipt_command_writes_html_and_one_page_pdfs(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("returns_errors")
    code, out, err = run("returns", "receipt", "--all", "-C", str(project))
    assert code == 0
    assert out.splitlines()[-1] == f"Wrote 5 receipts (3 with errors) into {project / 'receipts'}"
    assert "alpha-2009-10-actual-receipt.pdf  (Alpha County Council, 2009-10 actual return: 5 lines, 3 errors)" in out
    assert err == "1 problem in other data files is on no receipt: sitegen check lists them\n"
    html = (project / "receipts" / "alpha-2009-10-actual-receipt.html").read_text(encoding="utf-8")
    assert "Not accepted yet: 3 errors to correct." in html and "&#39;12.5k&#39;" in html
    reader = PdfReader(project / "receipts" / "alpha-2009-10-actual-receipt.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Receipt for your 2009-10 actual return" in text and "Page 1 of 1" in text
    assert "duplicate gain_ref 'A2'" in text and "first_impact" in text
    beta = PdfReader(project / "receipts" / "beta-2009-10-forecast-receipt.pdf").pages[0].extract_text()
    assert "not a readable XLSX workbook" in beta and "We have not received" not in beta


def test_receipt_command_for_one_partner_and_period(copy_fixture: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_fixture("returns_partners")
    code, out, _ = run("returns", "receipt", "--partner", "beta", "--out", str(tmp_path / "r"), "-C", str(project))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "beta-2009-10-forecast-receipt.html", "beta-2009-10-forecast-receipt.pdf"]
    text = PdfReader(tmp_path / "r" / "beta-2009-10-forecast-receipt.pdf").pages[0].extract_text()
    assert "We have not received your 2009-10 actual return." in text
    code, out, _ = run("returns", "receipt", "--all", "--year", "2009/10", "--type", "actual",
                       "--out", str(tmp_path / "s"), "-C", str(project))
    assert code == 0 and out.splitlines()[-1].startswith("Wrote 2 receipts (0 with errors)")


# ---- the chasing list -----------------------------------------------------------------


def test_chasing_list_is_the_latest_periods_missing_returns_with_contacts() -> None:
    partners = pd.DataFrame(
        {
            "partner_id": ["a", "b", "c", "d"],
            "name": ["A", "B", "C", "D"],
            "in_target": [True, True, True, False],
            "contact_name": ["Ann", "", "Cy", "Di"],
            "contact_email": ["ann@x.example", "", "cy@x.example", "di@x.example"],
        }
    )
    lines = pd.DataFrame(
        [("a", 2009, "actual"), ("b", 2009, "actual"), ("a", 2010, "forecast")],
        columns=["partner_id", "year", "return_type"],
    )
    chase = chasing_list(lines, partners)
    assert list(chase.columns) == CHASING_COLUMNS
    # 2010-11 forecast (October 2010) is later than 2009-10 actual (July 2010); d is outside the target.
    assert chase.values.tolist() == [
        ["b", "B", 2010, "forecast", "", ""],
        ["c", "C", 2010, "forecast", "Cy", "cy@x.example"],
    ]
    assert chasing_list(lines.iloc[0:0], partners).columns.tolist() == CHASING_COLUMNS
    assert chasing_list(lines.iloc[0:0], partners).empty


def test_chasing_list_is_a_published_table(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("returns_partners")
    code, out, _ = run("table", "chasing_list", "--format", "csv", "-C", str(project))
    assert code == 0
    assert out == (
        "partner_id,partner_name,year,return_type,contact_name,contact_email\n"
        "beta,Beta District Council,2009-10,actual,Ben Booth,ben.booth@valeshire.example\n"
        "gamma,Gamma Fire Authority,2009-10,actual,,\n"
    )


def test_contact_email_must_look_like_an_address(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("returns_partners")
    partners = project / "data" / "partners.csv"
    text = partners.read_text(encoding="utf-8")
    for bad in ("ben.booth@valeshire", "ben booth@valeshire.example", "@valeshire.example", "ben@@x.example"):
        partners.write_text(text.replace("ben.booth@valeshire.example", bad), encoding="utf-8")
        with pytest.raises(DataError) as caught:
            load_data(load_config(project))
        assert [str(p) for p in caught.value.problems if p.severity == "error"] == [
            f"data/partners.csv:3: contact_email: not a valid e-mail address ({bad!r}; "
            "expected an address such as name@council.gov.uk)"
        ]
    partners.write_text(text.replace("ben.booth@valeshire.example", " Ben.Booth@Beta-DC.gov.uk "), encoding="utf-8")
    assert load_data(load_config(project)).partners["contact_email"].tolist()[1] == "Ben.Booth@Beta-DC.gov.uk"


# ---- reading without stopping --------------------------------------------------------


def test_read_data_finds_what_load_data_raises_and_keeps_the_readable_rows(
    copy_fixture: Callable[[str], Path],
) -> None:
    project = copy_fixture("returns_errors")
    config = load_config(project)
    read = read_data(config)
    with pytest.raises(DataError) as caught:
        load_data(config)
    assert caught.value.problems == sorted(read.problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.message))
    readable = read.readable(config.target.first_year)
    lines = readable.lines
    assert sorted(zip(lines["_file"].str.rsplit("/", n=1).str[-1], lines["_line"], strict=True)) == [
        ("alpha-2009-10-actual.csv", 3), ("alpha-2009-10-actual.csv", 6),
        ("alpha-2009-10-forecast.csv", 2), ("alpha-2009-10-forecast.csv", 3), ("alpha-2009-10-forecast.csv", 4),
        ("delta-2009-10-actual.csv", 2),
    ]
    assert "gamma" not in set(readable.partners["partner_id"])
    assert "_error" not in lines.columns


def test_read_data_of_good_data_is_load_data(copy_fixture: Callable[[str], Path]) -> None:
    config = load_config(copy_fixture("returns_partners"))
    loaded, read = load_data(config), read_data(config).dataset()
    pd.testing.assert_frame_equal(loaded.lines, read.lines)
    pd.testing.assert_frame_equal(loaded.partners, read.partners)
    assert "_error" not in loaded.lines.columns and loaded.warnings == read.warnings


# ---- the command line ---------------------------------------------------------------


def test_template_command_output(copy_fixture: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_fixture("returns_partners")
    code, out, _ = run("returns", "template", "--year", "2010/11", "--type", "Forecast", "--partner", "alpha",
                       "--partner", "gamma", "--out", str(tmp_path / "t"), "-C", str(project))
    assert code == 0
    assert out.splitlines() == [
        f"{tmp_path / 't' / 'alpha-2010-11-forecast.xlsx'}  (4 ongoing lines from the 2009-10 actual return)",
        f"{tmp_path / 't' / 'gamma-2010-11-forecast.xlsx'}  (no earlier return: empty)",
        f"Wrote 2 templates for the 2010-11 forecast return (due 2010-10-31) into {tmp_path / 't'}",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "give --partner ID (one or more times) or --all"),
        (["--all", "--partner", "alpha"], 2, "give --partner ID (one or more times) or --all"),
        (["--partner", "alpah"], 1, "Error: unknown partner 'alpah' (not in data/partners.csv); did you mean 'alpha'?\n"),
    ],
)
def test_template_command_partner_options(
    copy_fixture: Callable[[str], Path], tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    project = copy_fixture("returns_partners")
    result = run("returns", "template", "--year", "2010-11", "--type", "actual", *args,
                 "--out", str(tmp_path / "t"), "-C", str(project))
    assert result[0] == code
    assert message in result[2] if code == 2 else result[2] == message


def test_template_command_errors(copy_fixture: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_fixture("returns_partners")
    base = ["returns", "template", "--type", "forecast", "--all", "-C", str(project)]
    code, _, err = run(*base, "--year", "2010", "--out", str(tmp_path / "t"))
    assert code == 2 and "'2010' is not a financial year such as 2010-11" in err
    code, _, err = run(*base, "--year", "2010-11", "--type", "estimate", "--out", str(tmp_path / "t"))
    assert code == 2 and "'estimate' is not one of 'forecast', 'actual'" in err
    code, _, err = run(*base, "--year", "2010-11")
    assert code == 2 and "Missing option '--out'" in err
    code, _, err = run(*base, "--year", "2007-08", "--out", str(tmp_path / "t"))
    assert (code, err) == (1, "Error: 2007-08 is before the target period (2008-09 onwards): "
                              "such a return would not load\n")
    code, _, err = run(*base, "--year", "2010-11", "--out", str(project / "data" / "returns"))
    assert code == 1 and err.startswith(f"Error: {project / 'data' / 'returns'}: templates must not be written "
                                        "inside data/")
    assert not list((project / "data" / "returns").glob("*.xlsx"))
    broken = copy_fixture("returns_errors")
    code, _, err = run("returns", "template", "--year", "2010-11", "--type", "forecast", "--all",
                       "--out", str(tmp_path / "t"), "-C", str(broken))
    assert code == 1
    assert err.startswith("Error: the data has 6 problems; templates are pre-filled from the returns received, "
                          "so fix them first\n  data/partners.csv:4: contact_email:")
    assert not (tmp_path / "t").exists()


def test_receipt_command_errors(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("returns_partners")
    code, _, err = run("returns", "receipt", "-C", str(project))
    assert code == 2 and "give --partner ID (one or more times) or --all" in err
    code, _, err = run("returns", "receipt", "--partner", "gamma", "-C", str(project))
    assert (code, err) == (1, "Error: no return received for gamma in data/returns\n")
    code, _, err = run("returns", "receipt", "--partner", "gama", "-C", str(project))
    assert (code, err) == (1, "Error: unknown partner 'gama' (not in data/partners.csv); did you mean 'gamma'?\n")
    code, _, err = run("returns", "receipt", "--all", "--year", "2010-11", "-C", str(project))
    assert (code, err) == (1, "Error: no return received for 2010-11 in data/returns\n")
    assert not (project / "receipts").exists()


def test_returns_help_lists_both_commands() -> None:
    code, out, _ = run("returns", "--help")
    assert code == 0 and "template" in out and "receipt" in out
    code, out, _ = run("returns", "template", "--help")
    assert code == 0 and "--year" in out and "--out" in out and "--project" in out


def test_a_template_sent_back_empty_is_no_return(copy_fixture: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_fixture("returns_partners")
    make_templates(project, project / "outgoing", "--partner", "gamma")
    shutil.copyfile(project / "outgoing" / "gamma-2010-11-forecast.xlsx",
                    project / "data" / "returns" / "gamma-2010-11-forecast.xlsx")
    assert run("check", "-C", str(project))[0] == 0
    code, out, _ = run("returns", "receipt", "--partner", "gamma", "--out", str(tmp_path / "r"), "-C", str(project))
    assert code == 0
    assert "(Gamma Fire Authority, 2010-11 forecast return: 0 lines, not a return yet)" in out
    html = (tmp_path / "r" / "gamma-2010-11-forecast-receipt.html").read_text(encoding="utf-8")
    assert "Not received yet: the file holds no return lines." in html
    assert "No line in data/returns/gamma-2010-11-forecast.xlsx: it holds none." in html
    assert "We have not received your 2009-10 forecast and 2009-10 actual returns." in html
    chase = run("table", "chasing_list", "--format", "csv", "-C", str(project))[1]
    assert "gamma,Gamma Fire Authority,2009-10,actual" in chase
