"""Loading and validating a project's data/ folder against returns-format.md.

Each test writes a small project in tmp_path and goes through the public API:
load_config(project) then load_data(config). Problems are asserted as the user reads
them: str(problem) is FILE:LINE: column: message.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sitegen.config import load_config
from sitegen.data.load import Dataset, load_data
from sitegen.errors import DataError
from sitegen.tables.compute import compute_tables

TOML = '[site]\ntitle = "T"\n'

PARTNERS = """\
partner_id,name,sector,baseline_gbp
city,City Council,city,100000
county,County Council,county,200000
"""

HEADER = (
    "partner_id,year,return_type,gain_ref,description,workstream,spend,"
    "gross_gbp,cash_releasing,ongoing,first_impact\n"
)
LINE = "city,2008-09,actual,G1,Shared legal service,collaboration,revenue,1000,yes,yes,2008-05-01\n"


def write_project(root: Path, files: dict[str, str | bytes], toml: str = TOML) -> Path:
    """A project folder: sitegen.toml and the given files under data/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sitegen.toml").write_text(toml, encoding="utf-8")
    for name, content in files.items():
        path = root / "data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def load(root: Path, files: dict[str, str | bytes], toml: str = TOML) -> Dataset:
    return load_data(load_config(write_project(root, files, toml)))


def problems(root: Path, files: dict[str, str | bytes], toml: str = TOML) -> list[str]:
    """The problems load_data reports, as the user reads them."""
    with pytest.raises(DataError) as caught:
        load(root, files, toml)
    return [str(p) for p in caught.value.problems]


def returns(*rows: str, header: str = HEADER) -> str:
    return header + "".join(row if row.endswith("\n") else row + "\n" for row in rows)


def with_line(**changes: str) -> str:
    """LINE with some cells changed, by column name."""
    names = HEADER.strip().split(",")
    cells = dict(zip(names, LINE.strip().split(","), strict=True))
    cells.update(changes)
    return ",".join(cells[n] for n in names) + "\n"


def tables_csv(root: Path, files: dict[str, str | bytes], toml: str = TOML) -> dict[str, str]:
    config = load_config(write_project(root, files, toml))
    return {name: table.to_csv() for name, table in compute_tables(load_data(config), config).items()}


# ---- a good project loads -----------------------------------------------------------


def test_good_project_loads_typed_values(tmp_path: Path) -> None:
    dataset = load(tmp_path, {"partners.csv": PARTNERS, "returns/city.csv": returns(LINE)})
    assert dataset.warnings == ()
    line = dataset.lines.iloc[0]
    assert line["partner_id"] == "city"
    assert int(line["year"]) == 2008
    assert line["_file"] == "data/returns/city.csv"
    assert int(line["_line"]) == 2
    assert dataset.files["returns"] == ("data/returns/city.csv",)


# ---- every kind of bad input, alone -------------------------------------------------


def test_missing_returns_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load(tmp_path, {"partners.csv": PARTNERS})
    assert str(caught.value).splitlines()[0] == "the data has 1 problem"
    assert [str(p) for p in caught.value.problems] == [
        "data/returns.csv: required file is missing (or a data/returns/ folder of files): with the partners, "
        "their returns are needed too; a file with only the header row will do until the first ones come in"
    ]


def test_missing_partners_file(tmp_path: Path) -> None:
    found = problems(tmp_path, {"returns.csv": returns(LINE)})
    assert found[0] == "data/partners.csv: required file is missing: the returns name partners, and it lists them"


def test_missing_required_column_is_reported_at_line_1(tmp_path: Path) -> None:
    header = HEADER.replace(",workstream", "")
    row = LINE.replace(",collaboration", "")
    assert problems(tmp_path, {"partners.csv": PARTNERS, "returns/r.csv": returns(row, header=header)}) == [
        "data/returns/r.csv:1: workstream: required column is missing"
    ]


def test_misspelt_required_column_suggests_the_close_header(tmp_path: Path) -> None:
    header = HEADER.replace(",workstream,", ",wrkstream,")
    assert problems(tmp_path, {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE, header=header)}) == [
        "data/returns/r.csv:1: workstream: required column is missing; is the column 'wrkstream' it, misspelt? "
        "Name it workstream"
    ]


def test_missing_required_value(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(gross_gbp=""))}
    assert problems(tmp_path, files) == ["data/returns/r.csv:2: gross_gbp: required value is missing"]


def test_bad_years(tmp_path: Path) -> None:
    files = {
        "partners.csv": PARTNERS,
        "returns/r.csv": returns(
            with_line(year="2008-10"),
            with_line(year="08/09", gain_ref="G2"),
            with_line(year="2008", gain_ref="G3"),
        ),
    }
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: year: the two halves are not consecutive years "
        "('2008-10'; expected a financial year such as 2008-09)",
        "data/returns/r.csv:3: year: not a valid financial year ('08/09'; expected a financial year such as 2008-09)",
        "data/returns/r.csv:4: year: not a valid financial year ('2008'; expected a financial year such as 2008-09)",
    ]


def test_bad_dates(tmp_path: Path) -> None:
    dates = ["05/13/2008", "31/02/2009", "2008-13-01", "1 May 2008"]  # month-first is never read
    rows = [with_line(first_impact=d, gain_ref=f"G{i}") for i, d in enumerate(dates)]
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(*rows)}
    assert problems(tmp_path, files) == [
        f"data/returns/r.csv:{line}: first_impact: not a valid date ('{d}'; expected a date as YYYY-MM-DD or DD/MM/YYYY)"
        for line, d in enumerate(dates, start=2)
    ]


def test_bad_money(tmp_path: Path) -> None:
    amounts = ["1.2m", "n/a", "TBC", '"1,23"', "1000.005", "£"]
    rows = [with_line(gross_gbp=m, gain_ref=f"G{i}") for i, m in enumerate(amounts)]
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(*rows)}
    assert problems(tmp_path, files) == [
        f"data/returns/r.csv:{line}: gross_gbp: not an amount of money ('{m.strip(chr(34))}'; "
        "expected pounds such as 1,234.56, £1,234, -18500.00 or (1,234))"
        for line, m in enumerate(amounts, start=2)
    ]


def test_amount_beyond_the_limit(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(gross_gbp='"1,000,000,000,000"'))}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: gross_gbp: amount too large ('1,000,000,000,000'; at most £999,999,999,999.99)"
    ]


def test_the_largest_amount_the_message_allows_is_accepted(tmp_path: Path) -> None:
    row = with_line(gross_gbp='"£999,999,999,999.99"')
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(row)}
    assert int(load(tmp_path, files).lines["gross_gbp"].iloc[0]) == 999_999_999_999_990_000


def test_bad_yes_no(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(ongoing="maybe"))}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: ongoing: not yes or no ('maybe'; expected yes or no (also y/n, true/false, 1/0))"
    ]


def test_bad_enumerated_value(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(spend="Both"))}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: spend: unknown value ('Both'; expected one of revenue, capital)"
    ]


def test_unknown_partner_suggests_the_closest_id(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(partner_id="citty"))}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: partner_id: unknown partner 'citty' (not in partners.csv); did you mean 'city'?"
    ]


def test_unknown_partner_in_capitals_suggests_the_lower_case_id(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(partner_id="CITY"))}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: partner_id: unknown partner 'CITY' (not in partners.csv); did you mean 'city'?"
    ]


def test_duplicate_gain_ref_in_one_file_names_both_places(tmp_path: Path) -> None:
    files = {
        "partners.csv": PARTNERS,
        "returns/r.csv": returns(LINE, with_line(gain_ref="G2"), with_line(description="Again")),
    }
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:4: gain_ref: duplicate gain_ref 'G1' in the 2008-09 actual return of 'city' "
        "(first at data/returns/r.csv:2)"
    ]


def test_a_return_split_across_files_is_an_error_and_its_duplicate_gain_refs_name_both_places(
        tmp_path: Path) -> None:
    files = {
        "partners.csv": PARTNERS,
        "returns/a.csv": returns(LINE),
        "returns/b.csv": returns(with_line(gain_ref="G9"), with_line(gross_gbp="5")),
    }
    assert problems(tmp_path, files) == [
        "data/returns/b.csv:2: the 2008-09 actual return of 'city' is also in data/returns/a.csv (line 2): "
        "keep each return in one file, or it counts twice",
        "data/returns/b.csv:3: gain_ref: duplicate gain_ref 'G1' in the 2008-09 actual return of 'city' "
        "(first at data/returns/a.csv:2)",
    ]


def test_same_gain_ref_in_different_returns_is_fine(tmp_path: Path) -> None:
    # A return is a snapshot: the same gain appears again in the next year's return,
    # in the forecast and the actual, and other partners have their own G1.
    files = {
        "partners.csv": PARTNERS,
        "returns/r.csv": returns(
            LINE,
            with_line(year="2009-10"),
            with_line(return_type="forecast"),
            with_line(partner_id="county"),
        ),
    }
    assert len(load(tmp_path, files).lines) == 4


def test_return_year_before_first_year(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(year="2007-08"))}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: year: return year 2007-08 is before the target period (2008-09 onwards)"
    ]


def test_return_year_before_a_configured_first_year(tmp_path: Path) -> None:
    toml = TOML + '[target]\nfirst_year = "2009-10"\n'
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE)}
    assert problems(tmp_path, files, toml) == [
        "data/returns/r.csv:2: year: return year 2008-09 is before the target period (2009-10 onwards)"
    ]


def test_partner_in_target_without_baseline(tmp_path: Path) -> None:
    partners = PARTNERS.replace("county,200000", "county,")
    assert problems(tmp_path, {"partners.csv": partners, "returns/r.csv": returns(LINE)}) == [
        "data/partners.csv:3: baseline_gbp: partner 'county' is in the target but has no baseline "
        "(give baseline_gbp, or in_target no)"
    ]


def test_partner_outside_target_needs_no_baseline(tmp_path: Path) -> None:
    partners = (
        "partner_id,name,sector,baseline_gbp,in_target\n"
        "city,City Council,city,100000,yes\n"
        "county,County Council,county,,no\n"
    )
    dataset = load(tmp_path, {"partners.csv": partners, "returns/r.csv": returns(LINE)})
    assert dataset.partners["in_target"].tolist() == [True, False]


def test_binary_file_is_reported_not_read(tmp_path: Path) -> None:
    files = {
        "partners.csv": PARTNERS,
        "returns/a.csv": returns(LINE),
        "returns/b.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    }
    assert problems(tmp_path, files) == ["data/returns/b.csv: is not a CSV text file (it holds binary data)"]


def test_corrupt_xlsx_is_reported_not_read(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/a.csv": returns(LINE), "returns/b.xlsx": b"not a zip file"}
    found = problems(tmp_path, files)
    assert len(found) == 1
    assert found[0].startswith("data/returns/b.xlsx: is not a readable XLSX workbook (")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE)})
    locked = tmp_path / "data" / "returns" / "r.csv"
    real_read_bytes = pathlib.Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    # Tests may run as root, where chmod 000 does not stop a read.
    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    with pytest.raises(DataError) as caught:
        load_data(load_config(tmp_path))
    assert [str(p) for p in caught.value.problems] == [
        "data/returns/r.csv: cannot be read (Permission denied)"
    ]


def test_row_with_too_many_fields(tmp_path: Path) -> None:
    long_row = with_line(gain_ref="G2").strip() + ",x"
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE, long_row)}
    assert problems(tmp_path, files) == ["data/returns/r.csv:3: has 12 fields where the header has 11"]


def test_row_with_too_few_fields(tmp_path: Path) -> None:
    short = LINE.strip().rsplit(",", 1)[0]
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(short)}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:2: has 10 fields where the header has 11 (is the row cut short?)"
    ]


def test_unquoted_thousands_comma_shows_as_too_many_fields(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(with_line(gross_gbp="1,000"))}
    assert problems(tmp_path, files) == ["data/returns/r.csv:2: has 12 fields where the header has 11"]


def test_semicolon_delimited_file(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE).replace(",", ";")}
    assert problems(tmp_path, files) == [
        "data/returns/r.csv:1: columns are not separated by commas (found ';' or a tab)"
    ]


def test_empty_file(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE), "returns/empty.csv": ""}
    assert problems(tmp_path, files) == ["data/returns/empty.csv:1: is empty (expected a header row)"]


@pytest.mark.parametrize(
    ("partners", "problem"),
    [
        (
            PARTNERS.replace(",sector", "").replace(",city,", ",").replace(",county,", ","),
            "data/partners.csv:1: sector: required column is missing",
        ),
        (
            PARTNERS.replace(",", ";"),
            "data/partners.csv:1: columns are not separated by commas (found ';' or a tab)",
        ),
    ],    ids=["missing-column", "semicolons"],
)
def test_a_broken_partners_file_does_not_make_every_partner_unknown(
    tmp_path: Path, partners: str, problem: str
) -> None:
    files = {"partners.csv": partners, "returns/r.csv": returns(LINE, with_line(partner_id="county"))}
    assert problems(tmp_path, files) == [problem]


@pytest.mark.parametrize(
    "files",
    [
        {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE), "returns/empty.csv": HEADER},
        {
            "partners.csv": PARTNERS,
            "returns/r.csv": returns(LINE),
            "projects.csv": "project_id,title,partners,lead,funding_source,funding_gbp,status\n",
        },
    ],
    ids=["returns", "projects"],
)
def test_file_with_a_header_and_no_rows_loads(tmp_path: Path, files: dict[str, str]) -> None:
    dataset = load(tmp_path, files)
    assert len(dataset.lines) == 1


# ---- all problems at once -----------------------------------------------------------


@pytest.mark.parametrize("two_at_a_time", [False, True], ids=["one column at a time", "two columns at a time"])
def test_every_problem_is_reported_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_at_a_time: bool) -> None:
    # Every kind of bad input above except a missing required file (partners.csv and
    # returns are needed for the cross-file checks), in one data folder. Big files have
    # their columns typed on two threads: the problems and their order are the same.
    monkeypatch.setattr("sitegen.data.load.PARALLEL_ROWS", 0 if two_at_a_time else 10**12)
    monkeypatch.setattr("sitegen.data.load.available_cores", lambda: 2)
    partners = (
        "partner_id,name,sector,baseline_gbp,in_target\n"
        "city,City Council,city,100000,yes\n"
        "county,County Council,county,,yes\n"  # in the target, no baseline
        "police,Police,police,,no\n"
    )
    bad_lines = returns(
        with_line(year="2008-10"),  # line 2
        with_line(gain_ref="G2", first_impact="05/13/2008"),  # line 3
        with_line(gain_ref="G3", gross_gbp="1.2m"),  # line 4
        with_line(gain_ref="G4", cash_releasing="perhaps"),  # line 5
        with_line(gain_ref="G5", partner_id="countyy"),  # line 6
        with_line(gain_ref="G6"),  # line 7
        with_line(gain_ref="G6", description="Twice"),  # line 8: duplicate of line 7
        with_line(gain_ref="G7", year="2007-08"),  # line 9
        with_line(gain_ref="G8", year="2011-12"),  # line 10: warning, outside the profile
        with_line(gain_ref="G9", partner_id="police"),  # line 11: warning, not in the target
        with_line(gain_ref="G10", spend="Both"),  # line 12
        with_line(gain_ref="G11", description=""),  # line 13
    )
    files = {
        "partners.csv": partners,
        "returns/a.csv": bad_lines,
        "returns/b.csv": returns(
            LINE.replace(",collaboration", ""), header=HEADER.replace(",workstream", "")
        ),
        "returns/c.csv": b"\x00\x01binary\x00",
        "returns/d.csv": returns(LINE.strip() + ",extra"),
        "returns/e.csv": returns(LINE).replace(",", ";"),
    }
    with pytest.raises(DataError) as caught:
        load(tmp_path, files)
    found = [str(p) for p in caught.value.problems]
    assert found == [
        "data/partners.csv:3: baseline_gbp: partner 'county' is in the target but has no baseline "
        "(give baseline_gbp, or in_target no)",
        "data/returns/a.csv:2: year: the two halves are not consecutive years "
        "('2008-10'; expected a financial year such as 2008-09)",
        "data/returns/a.csv:3: first_impact: not a valid date ('05/13/2008'; expected a date as YYYY-MM-DD or DD/MM/YYYY)",
        "data/returns/a.csv:4: gross_gbp: not an amount of money ('1.2m'; "
        "expected pounds such as 1,234.56, £1,234, -18500.00 or (1,234))",
        "data/returns/a.csv:5: cash_releasing: not yes or no ('perhaps'; expected yes or no (also y/n, true/false, 1/0))",
        "data/returns/a.csv:6: partner_id: unknown partner 'countyy' (not in partners.csv); did you mean 'county'?",
        "data/returns/a.csv:8: gain_ref: duplicate gain_ref 'G6' in the 2008-09 actual return of 'city' "
        "(first at data/returns/a.csv:7)",
        "data/returns/a.csv:9: year: return year 2007-08 is before the target period (2008-09 onwards)",
        "data/returns/a.csv:12: spend: unknown value ('Both'; expected one of revenue, capital)",
        "data/returns/a.csv:13: description: required value is missing",
        "data/returns/b.csv:1: workstream: required column is missing",
        "data/returns/c.csv: is not a CSV text file (it holds binary data)",
        "data/returns/d.csv:2: has 12 fields where the header has 11",
        "data/returns/e.csv:1: columns are not separated by commas (found ';' or a tab)",
        # warnings after every error
        "data/returns/a.csv:10: warning: year: 2011-12 actual returns are outside the target profile "
        "(2008-09 to 2010-11): shown without a target",
        "data/returns/a.csv:11: warning: partner_id: partner 'police' is not in the target: "
        "its returns are shown but not totalled",
    ]
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 14
    assert [p.severity for p in caught.value.problems].count("warning") == 2
    assert str(caught.value).splitlines()[0] == "the data has 14 problems"


def test_problems_in_several_rows_of_a_column_are_each_located(tmp_path: Path) -> None:
    files = {
        "partners.csv": PARTNERS,
        "returns/r.csv": returns(
            with_line(gross_gbp="x"), with_line(gain_ref="G2"), with_line(gain_ref="G3", gross_gbp="y")
        ),
    }
    assert [p.split(": not")[0] for p in problems(tmp_path, files)] == [
        "data/returns/r.csv:2: gross_gbp",
        "data/returns/r.csv:4: gross_gbp",
    ]


# ---- warnings, not errors -----------------------------------------------------------


def test_year_outside_the_profile_is_a_warning(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE, with_line(year="2011-12"))}
    dataset = load(tmp_path, files)
    assert [str(w) for w in dataset.warnings] == [
        "data/returns/r.csv:3: warning: year: 2011-12 actual returns are outside the target profile "
        "(2008-09 to 2010-11): shown without a target"
    ]
    assert [w.severity for w in dataset.warnings] == ["warning"]


def test_return_of_a_partner_outside_the_target_is_a_warning(tmp_path: Path) -> None:
    partners = (
        "partner_id,name,sector,baseline_gbp,in_target\n"
        "city,City Council,city,100000,yes\n"
        "county,County Council,county,200000,\n"
        "fire,Fire Authority,fire,,no\n"
    )
    files = {"partners.csv": partners, "returns/r.csv": returns(LINE, with_line(partner_id="fire"))}
    dataset = load(tmp_path, files)
    assert [str(w) for w in dataset.warnings] == [
        "data/returns/r.csv:3: warning: partner_id: partner 'fire' is not in the target: "
        "its returns are shown but not totalled"
    ]


# ---- spellings a spreadsheet produces -----------------------------------------------


def test_header_names_in_any_case_with_stray_spaces(tmp_path: Path) -> None:
    header = (
        " Partner_ID ,YEAR, Return_Type,Gain_Ref ,Description,WorkStream ,SPEND,"
        "Gross_GBP, Cash_Releasing,Ongoing,  First_Impact  \n"
    )
    partners = " PARTNER_ID,Name , Sector,Baseline_GBP\n" + PARTNERS.split("\n", 1)[1]
    dataset = load(tmp_path, {"partners.csv": partners, "returns/r.csv": returns(LINE, header=header)})
    line = dataset.lines.iloc[0]
    assert (line["partner_id"], line["workstream"], int(line["gross_gbp"])) == (
        "city", "collaboration", 1000_000_000
    )  # fmt: skip
    assert dataset.partners["baseline_gbp"].tolist() == [100000_000_000, 200000_000_000]


def test_enumerated_values_in_any_case_are_shown_in_lower_case(tmp_path: Path) -> None:
    partners = PARTNERS.replace(",city,", ",CITY,").replace(",county,", ",County,")
    row = with_line(return_type="Actual", workstream="COLLABORATION", spend="Revenue")
    row = row.replace("yes,yes", "YES,Y")
    dataset = load(tmp_path, {"partners.csv": partners, "returns/r.csv": returns(row)})
    line = dataset.lines.iloc[0]
    assert (line["return_type"], line["workstream"], line["spend"]) == ("actual", "collaboration", "revenue")
    assert dataset.partners["sector"].tolist() == ["city", "county"]
    assert bool(line["cash_releasing"]) and bool(line["ongoing"])


def test_unknown_extra_columns_are_kept(tmp_path: Path) -> None:
    header = HEADER.replace("\n", ",Officer\n")
    files = {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE.strip() + ",J Smith", header=header)}
    dataset = load(tmp_path, files)
    assert dataset.lines["officer"].tolist() == ["J Smith"]


def test_utf8_bom_and_windows_1252_give_the_same_values(tmp_path: Path) -> None:
    partners = PARTNERS.replace("City Council", "Cité Council £")
    # Excel's "CSV" is Windows-1252, not Latin-1: ’ – € are bytes 0x92 0x96 0x80 there.
    text = returns(with_line(description='"Café’s £ savings – €0"', gross_gbp='"£1,000.50"'))
    loaded = {}
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        dataset = load(
            tmp_path / encoding,
            {"partners.csv": partners.encode(encoding), "returns/r.csv": text.encode(encoding)},
        )
        line = dataset.lines.iloc[0]
        loaded[encoding] = (
            list(dataset.lines.columns)[0],
            line["description"],
            int(line["gross_gbp"]),
            dataset.partners["name"].tolist(),
        )
    assert loaded["utf-8"] == (
        "partner_id", "Café’s £ savings – €0", 1_000_500_000, ["Cité Council £", "County Council"]
    )  # fmt: skip
    assert loaded["utf-8-sig"] == loaded["utf-8"]
    assert loaded["cp1252"] == loaded["utf-8"]


def test_optional_columns_absent_take_defaults(tmp_path: Path) -> None:
    # No kind, costs_gbp, evidence in returns; no in_target, sr04_* in partners.
    dataset = load(tmp_path, {"partners.csv": PARTNERS, "returns/r.csv": returns(LINE)})
    line = dataset.lines.iloc[0]
    assert line["kind"] == "gain"
    assert int(line["costs_gbp"]) == 0
    assert line["evidence"] == ""
    assert dataset.partners["in_target"].tolist() == [True, True]
    assert dataset.partners["sr04_baseline_gbp"].isna().all()


def test_blank_optional_cells_take_defaults(tmp_path: Path) -> None:
    header = HEADER.replace("\n", ",kind,costs_gbp,evidence\n")
    partners = "partner_id,name,sector,baseline_gbp,in_target\ncity,City Council,city,100000,\n"
    dataset = load(
        tmp_path,
        {
            "partners.csv": partners,
            "returns/r.csv": returns(
                LINE.strip() + ",,,",
                LINE.strip().replace("G1", "G2") + ",disposal,25,ledger 4410",
                header=header,
            ),
        },
    )
    assert dataset.lines["kind"].tolist() == ["gain", "disposal"]
    assert [int(v) for v in dataset.lines["costs_gbp"]] == [0, 25_000_000]
    assert dataset.lines["evidence"].tolist() == ["", "ledger 4410"]
    assert dataset.partners["in_target"].tolist() == [True]


def test_quoted_newlines_keep_the_line_numbers_an_editor_shows(tmp_path: Path) -> None:
    text = returns(
        with_line(description='"Shared legal:\nphase one\nphase two"'),  # lines 2-4
        "",  # line 5, blank
        with_line(gain_ref="G2", description='"Fleet, ""pooled"""', gross_gbp="1.2m"),  # line 6
        with_line(gain_ref="G3", description='"Two\nlines"', ongoing="perhaps"),  # lines 7-8
        with_line(gain_ref="G4", first_impact="31/02/2009"),  # line 9
    )
    found = problems(tmp_path, {"partners.csv": PARTNERS, "returns/r.csv": text})
    assert [p.split(": ")[0] + ": " + p.split(": ")[1] for p in found] == [
        "data/returns/r.csv:6: gross_gbp",
        "data/returns/r.csv:7: ongoing",
        "data/returns/r.csv:9: first_impact",
    ]


def test_quoted_newlines_in_a_windows_file_keep_line_numbers(tmp_path: Path) -> None:
    # Excel writes CRLF between rows and a bare LF inside a multi-line cell.
    rows = [
        HEADER.strip(),  # line 1
        with_line(description='"one\ntwo"').strip(),  # lines 2-3
        "",  # line 4
        with_line(gain_ref="G2", gross_gbp="n/a").strip(),  # line 5
    ]
    text = "\r\n".join(rows) + "\r\n"
    found = problems(tmp_path, {"partners.csv": PARTNERS, "returns/r.csv": text})
    assert len(found) == 1
    assert found[0].startswith("data/returns/r.csv:5: gross_gbp: ")


def test_line_numbers_in_xlsx_are_spreadsheet_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(LINE.strip().split(","))
    sheet.append([])  # row 3 left empty
    sheet.append(with_line(gain_ref="G2", gross_gbp="1.2m").strip().split(","))  # row 4
    write_project(tmp_path, {"partners.csv": PARTNERS})
    (tmp_path / "data" / "returns").mkdir()
    book.save(tmp_path / "data" / "returns" / "r.xlsx")
    with pytest.raises(DataError) as caught:
        load_data(load_config(tmp_path))
    assert [str(p) for p in caught.value.problems] == [
        "data/returns/r.xlsx:4: gross_gbp: not an amount of money ('1.2m'; "
        "expected pounds such as 1,234.56, £1,234, -18500.00 or (1,234))"
    ]


# ---- the same data as CSV and as XLSX -----------------------------------------------

_PARTNER_ROWS: list[list[object]] = [
    ["partner_id", "name", "sector", "baseline_gbp", "in_target", "sr04_baseline_gbp", "sr04_ongoing_gbp"],
    ["city", "City Council", "city", Decimal("1234567.89"), "yes", 1_000_000, 80_000],
    ["county", "County Council", "county", Decimal("200000.10"), "yes", None, None],
    ["police", "Police Authority", "police", None, "no", None, None],
]
_RETURN_ROWS: list[list[object]] = [
    ["partner_id", "year", "return_type", "gain_ref", "description", "workstream", "spend", "kind",
     "gross_gbp", "costs_gbp", "cash_releasing", "ongoing", "first_impact"],
    ["city", "2008-09", "actual", "G1", "Legal, shared", "collaboration", "revenue", "gain",
     Decimal("1000.10"), Decimal("0.20"), "yes", "yes", dt.date(2008, 5, 1)],
    ["city", "2008-09", "actual", "G2", "Depot sold", "asset_management", "capital", "disposal",
     Decimal("53.30"), None, "yes", "yes", dt.date(2009, 3, 31)],
    ["city", "2008-09", "actual", "G3", "Old gain", "procurement", "revenue", "gain",
     Decimal("750"), Decimal("0"), "yes", "yes", dt.date(2008, 3, 31)],
    ["county", "2008-09", "actual", "G1", "Lean review", "bpi", "revenue", "gain",
     Decimal("-18500"), Decimal("0"), "no", "yes", dt.date(2008, 4, 1)],
    ["county", "2008-09", "actual", "G2", "Fleet", "procurement", "revenue", "gain",
     Decimal("0.10"), Decimal("0"), "yes", "yes", dt.date(2008, 4, 1)],
    ["county", "2008-09", "actual", "G3", "Fleet 2", "procurement", "revenue", "gain",
     Decimal("0.20"), Decimal("0"), "yes", "no", dt.date(2008, 4, 1)],
    ["county", "2009-10", "forecast", "G1", "Lean review", "technology", "capital", "gain",
     Decimal("12345678.91"), Decimal("1000"), "yes", "yes", dt.date(2009, 1, 13)],
    ["police", "2008-09", "actual", "P1", "Estate", "other", "revenue", "gain",
     Decimal("0.01"), Decimal("0"), "yes", "yes", dt.date(2008, 4, 1)],
]
_RAG_ROWS: list[list[object]] = [
    ["partner_id", "year", "rating", "comment"],
    ["city", "2009-10", "amber", "risks in fleet"],
    ["county", "2009-10", "green", None],
]
_UOR_ROWS: list[list[object]] = [
    ["partner_id", "assessment", "theme", "score"],
    ["city", "2008-09", "value for money", 3],
    ["county", "2008-09", "value for money", 2],
]


def _csv_cell(value: object) -> str:
    """How a person typing the CSV might write each value."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        text = f"£{abs(value):,.2f}"
        return f'"({text})"' if value < 0 else f'"{text}"'
    if isinstance(value, str) and "," in value:
        return f'"{value}"'
    return str(value)


def _csv(rows: list[list[object]]) -> str:
    return "".join(",".join(_csv_cell(v) for v in row) + "\n" for row in rows)


def _xlsx(rows: list[list[object]], path: Path) -> None:
    """Money as real number cells, dates as real date cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def test_same_data_as_csv_and_xlsx_gives_identical_tables(tmp_path: Path) -> None:
    as_csv = tables_csv(
        tmp_path / "csv",
        {
            "partners.csv": _csv(_PARTNER_ROWS),
            "returns/r.csv": _csv(_RETURN_ROWS),
            "rag_forecasts.csv": _csv(_RAG_ROWS),
            "use_of_resources.csv": _csv(_UOR_ROWS),
        },
    )
    project = write_project(tmp_path / "xlsx", {})
    _xlsx(_PARTNER_ROWS, project / "data" / "partners.xlsx")
    _xlsx(_RETURN_ROWS, project / "data" / "returns" / "r.xlsx")
    _xlsx(_RAG_ROWS, project / "data" / "rag_forecasts.xlsx")
    _xlsx(_UOR_ROWS, project / "data" / "use_of_resources.xlsx")
    config = load_config(project)
    as_xlsx = {name: t.to_csv() for name, t in compute_tables(load_data(config), config).items()}

    assert sorted(as_xlsx) == sorted(as_csv)
    # return_lines (and each partner's part of it) names the source file of each line: the only intended difference.
    for name in [n for n in as_xlsx if n.startswith("return_lines")]:
        as_xlsx[name] = as_xlsx[name].replace("data/returns/r.xlsx:", "data/returns/r.csv:")
    for name in as_csv:
        assert as_xlsx[name] == as_csv[name], name
    # and the figures are the ones the data means, to the penny
    assert as_csv["ni179"].splitlines()[1:] == [
        "city,City Council,2008-09,actual,6002.57,0.00,5000.00,37037.04,16.2",
        "county,County Council,2008-09,actual,0.10,-18500.00,0.00,6000.00,0.0",
        "county,County Council,2009-10,forecast,12344678.91,0.00,0.00,12000.01,102872.3",
        "police,Police Authority,2008-09,actual,0.01,0.00,0.00,[z],[z]",  # outside the target: not applicable
    ]


# ---- headers as people write them, and problems cause first ------------------------


def test_headers_as_excel_users_write_them_are_the_contract_s(tmp_path: Path) -> None:
    """'Partner ID', 'Gross GBP' and 'Gross (£)' are partner_id and gross_gbp."""
    header = HEADER.replace("partner_id", "Partner ID").replace("gross_gbp", "Gross (£)").replace(
        "workstream", "Work stream")
    dataset = load(tmp_path, {"partners.csv": PARTNERS.replace("baseline_gbp", "Baseline GBP"),
                              "returns/city.csv": returns(LINE, header=header)})
    assert dataset.lines.iloc[0]["partner_id"] == "city"
    assert dataset.lines.iloc[0]["gross_gbp"] == 1000 * 1_000_000
    assert dataset.warnings == ()


def test_a_misspelt_required_header_is_named_as_written_with_the_contract_s_name(tmp_path: Path) -> None:
    found = problems(tmp_path, {"partners.csv": PARTNERS,
                                "returns/city.csv": returns(LINE, header=HEADER.replace("gross_gbp", "gros_gbp"))})
    assert found == ["data/returns/city.csv:1: gross_gbp: required column is missing; is the column 'gros_gbp' "
                     "it, misspelt? Name it gross_gbp"]


def test_a_misspelt_optional_header_is_the_cause_of_what_it_leaves_blank(tmp_path: Path) -> None:
    """baseline_gbp misspelt: one problem, the header, with the partners' missing
    baselines counted under it rather than listed as problems of their own."""
    with pytest.raises(DataError) as caught:
        load(tmp_path, {"partners.csv": PARTNERS.replace("baseline_gbp", "baselin_gbp"),
                        "returns/city.csv": returns(LINE)})
    lines = str(caught.value).splitlines()
    assert lines == [
        "the data has 1 problem (and 2 that follow from it)",
        "  data/partners.csv:1: baseline_gbp: no such column, but there is 'baselin_gbp': if that is baseline_gbp "
        "misspelt, name it so (until then baseline_gbp is read as blank)",
        "  and 2 more problems that follow from those of data/partners.csv above (in data/partners.csv): fix those "
        "first, then check again",
    ]


def test_one_broken_file_is_one_problem_not_seventy(tmp_path: Path) -> None:
    """A stray comma makes services.csv unreadable: its own problem comes first, and the
    unit costs that name its services are counted under it, not listed before it."""
    services = ("service_id,name,cost_basis,unit_name,indicator,indicator_unit,direction,summary\n"
                "waste,,Waste collection,head,,Recycling rate,%,higher,\n")
    costs = "partner_id,service,year,net_cost_gbp,population,performance\n" + "".join(
        f"city,waste,{year},1000,100,50\n" for year in ("2008-09", "2009-10", "2010-11"))
    with pytest.raises(DataError) as caught:
        load(tmp_path, {"partners.csv": PARTNERS, "returns/city.csv": returns(LINE),
                        "services.csv": services, "unit_costs.csv": costs})
    lines = str(caught.value).splitlines()
    assert lines[0] == "the data has 1 problem (and 3 that follow from it)"
    assert lines[1] == "  data/services.csv:2: has 9 fields where the header has 8"
    assert lines[2] == ("  and 3 more problems that follow from those of data/services.csv above "
                        "(in data/unit_costs.csv): fix those first, then check again")
    assert len(caught.value.problems) == 4  # every one is still there for those who want them


# ---- workbooks read right or refused ------------------------------------------------

RETURN_ROWS = [HEADER.strip().split(","), LINE.strip().split(",")]


def _workbook(path: Path, sheets: list[tuple[str, list[list[object]], str]]) -> openpyxl.Workbook:
    """A workbook of (title, rows, state) sheets, saved at PATH."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return book


def _amount(rows: list[list[object]], gross: object) -> list[list[object]]:
    return [rows[0], [gross if name == "gross_gbp" else value for name, value in zip(rows[0], rows[1], strict=True)]]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_not_read_but_the_first_visible_one(tmp_path: Path, state: str) -> None:
    project = write_project(tmp_path, {"partners.csv": PARTNERS})
    _workbook(project / "data" / "returns" / "city.xlsx",
              [("old", _amount(RETURN_ROWS, 999999), state), ("current", _amount(RETURN_ROWS, 1000), "visible")])
    lines = load_data(load_config(project)).lines
    assert lines["gross_gbp"].tolist() == [1000 * 10**6]


def test_a_sheet_named_lines_is_read_wherever_it_is(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"partners.csv": PARTNERS})
    _workbook(project / "data" / "returns" / "city.xlsx",
              [("cover", [["Partner", "City"]], "visible"), ("Lines", _amount(RETURN_ROWS, 1000), "visible")])
    assert load_data(load_config(project)).lines["gross_gbp"].tolist() == [1000 * 10**6]


def test_hidden_rows_are_read_with_a_warning(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"partners.csv": PARTNERS})
    rows = RETURN_ROWS + [with_line(gain_ref="G2").strip().split(",")]
    book = _workbook(project / "data" / "returns" / "city.xlsx", [("lines", rows, "visible")])
    book["lines"].row_dimensions[3].hidden = True
    book.save(project / "data" / "returns" / "city.xlsx")
    dataset = load_data(load_config(project))
    assert len(dataset.lines) == 2
    assert [str(w) for w in dataset.warnings] == [
        "data/returns/city.xlsx:3: warning: sheet 'lines': 1 hidden row (3) is read all the same"]


def test_xlsm_is_read_and_xls_refused_with_a_message(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"partners.csv": PARTNERS})
    _workbook(project / "data" / "returns" / "city.xlsm", [("lines", RETURN_ROWS, "visible")])
    assert len(load_data(load_config(project)).lines) == 1
    (project / "data" / "returns" / "county.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (project / "data" / "budget.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    with pytest.raises(DataError) as caught:
        load_data(load_config(project))
    refused = "is an Excel 97-2003 workbook (.xls), which sitegen does not read: save it as .xlsx or .csv"
    assert [str(p) for p in caught.value.problems] == [f"data/budget.xls: {refused}",
                                                      f"data/returns/county.xls: {refused}"]


@pytest.mark.parametrize("damage", ["sheet", "styles", "shared strings", "cut"])
def test_a_workbook_with_a_corrupt_part_is_an_error_naming_the_file(tmp_path: Path, damage: str) -> None:
    import zipfile

    good = tmp_path / "good.xlsx"
    _workbook(good, [("lines", RETURN_ROWS, "visible")])
    bad = tmp_path / "data" / "returns" / "city.xlsx"
    bad.parent.mkdir(parents=True)
    if damage == "cut":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        part = {"sheet": "xl/worksheets/sheet1.xml", "styles": "xl/styles.xml",
                "shared strings": "xl/worksheets/sheet1.xml"}[damage]
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == part:
                    data = data[: len(data) // 2] if damage != "shared strings" else data.replace(
                        b'<c r="A2"', b'<c r="A2" t="s"><v>99</v></c><c r="Z2"', 1)
                target.writestr(item, data)
    found = problems(tmp_path, {"partners.csv": PARTNERS})
    assert len(found) == 1 and found[0].startswith("data/returns/city.xlsx: is not a readable XLSX workbook ("), found


def test_a_formula_without_a_computed_value_is_an_error(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"partners.csv": PARTNERS})
    _workbook(project / "data" / "returns" / "city.xlsx", [("lines", _amount(RETURN_ROWS, "=400+600"), "visible")])
    found = problems(tmp_path, {"partners.csv": PARTNERS})
    assert found == ["data/returns/city.xlsx:2: H2: a formula with no value computed (the workbook was not saved "
                     "by a spreadsheet program that calculates: open it and save it again)"]


def _with_cached_value(path: Path, cell: str, value: str, recalculate: bool) -> None:
    """Give a formula cell the value a spreadsheet program computed and saved with it."""
    import re
    import zipfile

    data = {i.filename: (i, zipfile.ZipFile(path).read(i)) for i in zipfile.ZipFile(path).infolist()}
    item, sheet = data["xl/worksheets/sheet1.xml"]
    data[item.filename] = (item, re.sub(rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?'.encode(),
                                        rf"\1<f>\2</f><v>{value}</v>".encode(), sheet))
    item, workbook = data["xl/workbook.xml"]
    if not recalculate:
        workbook = re.sub(rb'\s*fullCalcOnLoad="1"', b"", workbook)
    data[item.filename] = (item, workbook)
    with zipfile.ZipFile(path, "w") as target:
        for item, content in data.values():
            target.writestr(item, content)


def test_a_formula_is_read_as_the_value_saved_with_it_unless_the_workbook_asks_to_be_recalculated(
        tmp_path: Path) -> None:
    project = write_project(tmp_path, {"partners.csv": PARTNERS})
    path = project / "data" / "returns" / "city.xlsx"
    _workbook(path, [("lines", _amount(RETURN_ROWS, "=400+600"), "visible")])
    _with_cached_value(path, "H2", "1000", recalculate=False)
    assert load_data(load_config(project)).lines["gross_gbp"].tolist() == [1000 * 10**6]
    _workbook(path, [("lines", _amount(RETURN_ROWS, "=400+600"), "visible")])
    _with_cached_value(path, "H2", "1000", recalculate=True)  # a value a program may not have kept up to date
    found = problems(tmp_path, {"partners.csv": PARTNERS})
    assert found == ["data/returns/city.xlsx:2: sheet 'lines': the workbook asks to be recalculated when opened, "
                     "so the values kept with its formulas may be out of date: open it in a spreadsheet program "
                     "and save it again"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_csv_is_decoded(tmp_path: Path, encoding: str) -> None:
    text = returns(with_line(description="Café £ service"))
    dataset = load(tmp_path, {"partners.csv": PARTNERS.encode(encoding), "returns.csv": text.encode(encoding)})
    assert dataset.lines["description"].tolist() == ["Café £ service"]


def test_excels_unicode_text_is_decoded_and_its_tabs_named(tmp_path: Path) -> None:
    tabbed = returns(LINE).replace(",", "\t").encode("utf-16")
    assert problems(tmp_path, {"partners.csv": PARTNERS, "returns.csv": tabbed}) == [
        "data/returns.csv:1: columns are not separated by commas (found ';' or a tab)"]


def test_the_same_return_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    files = {"partners.csv": PARTNERS, "returns/city-2008-09-actual.csv": returns(LINE),
             "returns/city-2008-09-actual-copy.csv": returns(with_line(gain_ref="G2")),
             "returns/county-2008-09-actual.csv": returns(with_line(partner_id="county"))}
    assert problems(tmp_path, files) == [
        "data/returns/city-2008-09-actual.csv:2: the 2008-09 actual return of 'city' is also in "
        "data/returns/city-2008-09-actual-copy.csv (line 2): keep each return in one file, or it counts twice"]


@pytest.mark.parametrize("kind", ["duplicates", "cut short", "unknown partner"])
def test_every_kind_of_problem_is_capped_per_column_with_a_count(tmp_path: Path, kind: str) -> None:
    rows = 100_000
    if kind == "duplicates":
        text = returns(*[LINE] * rows)
    elif kind == "cut short":
        text = returns(*[LINE.rsplit(",", 1)[0] + "\n"] * rows)
    else:
        text = returns(*[with_line(partner_id="nobody", gain_ref=f"G{i}") for i in range(rows)])
    found = problems(tmp_path, {"partners.csv": PARTNERS, "returns.csv": text})
    assert len(found) == 51, found[:3]
    assert found[-1].endswith(f"and {rows - 1 - 50 if kind == 'duplicates' else rows - 50} more rows with the same "
                              "kind of problem"), found[-1]
