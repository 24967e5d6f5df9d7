"""The NI 179 rules of returns-format.md, one rule at a time, on tiny projects.

Most tests write a few return lines as CSV and read the computed tables the way a
reader of the publication would: `table.to_csv()` (pounds to the penny, percentages
to one decimal) or `table.records()` (exact Decimal pounds, None for empty).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from sitegen.config import load_config
from sitegen.errors import DataError
from sitegen.data.load import load_data
from sitegen.rules import ni179
from sitegen.tables.compute import compute_tables
from sitegen.tables.table import Table

TOML = '[site]\ntitle = "T"\n'

COLUMNS = [
    "partner_id", "year", "return_type", "gain_ref", "description", "workstream", "spend", "kind",
    "gross_gbp", "costs_gbp", "cash_releasing", "ongoing", "first_impact",
]  # fmt: skip
DEFAULT_LINE = {
    "partner_id": "city",
    "year": "2008-09",
    "return_type": "actual",
    "description": "a gain",
    "workstream": "procurement",
    "spend": "revenue",
    "kind": "gain",
    "gross_gbp": "0",
    "costs_gbp": "0",
    "cash_releasing": "yes",
    "ongoing": "yes",
    "first_impact": "2008-06-01",
}


def line(gross: str, **cells: str) -> dict[str, str]:
    return {**DEFAULT_LINE, "gross_gbp": gross, **cells}


def partner(
    pid: str, baseline: str = "100000", in_target: str = "yes", sr04: tuple[str, str] = ("", ""),
    sector: str = "other",
) -> str:
    cells = [pid, f"{pid.title()} Council", sector, baseline, in_target, *sr04]
    return ",".join(f'"{c}"' for c in cells) + "\n"


PARTNERS_HEADER = "partner_id,name,sector,baseline_gbp,in_target,sr04_baseline_gbp,sr04_ongoing_gbp\n"
CITY = partner("city")


def compute(
    root: Path,
    lines: list[dict[str, str]],
    partners: str = CITY,
    target: str = "",
    extra: dict[str, str] | None = None,
) -> dict[str, Table]:
    """Write a project with these return lines and compute its tables."""
    data = root / "data"
    data.mkdir(parents=True)
    (root / "sitegen.toml").write_text(TOML + ("[target]\n" + target if target else ""), encoding="utf-8")
    (data / "partners.csv").write_text(PARTNERS_HEADER + partners, encoding="utf-8")
    rows = [",".join(COLUMNS)]
    for number, cells in enumerate(lines, start=1):
        cells = {"gain_ref": f"G{number}", **cells}
        rows.append(",".join(f'"{cells[c]}"' for c in COLUMNS))
    (data / "returns.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for name, text in (extra or {}).items():
        (data / name).write_text(text, encoding="utf-8")
    config = load_config(root)
    return compute_tables(load_data(config), config)


def body(table: Table) -> list[str]:
    """The CSV rows of a table, without its header."""
    return table.to_csv().splitlines()[1:]


def column(table: Table, name: str) -> list[object]:
    return [row[name] for row in table.records()]


# ---- rule 1: counted value of a line ------------------------------------------------


def test_counted_value_of_a_gain_is_gross_less_costs(tmp_path: Path) -> None:
    tables = compute(tmp_path, [line("12,500.00", costs_gbp="2,499.99")])
    assert column(tables["return_lines"], "counted_value_gbp") == [Decimal("10000.01")]
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("10000.01")]


def test_counted_value_of_a_disposal_is_five_percent_of_proceeds_less_costs(tmp_path: Path) -> None:
    sale = line("£250,000", kind="disposal", costs_gbp="1,500", workstream="asset_management")
    tables = compute(tmp_path, [sale])
    # 5% of £250,000 = £12,500, less £1,500 of costs
    assert column(tables["return_lines"], "counted_value_gbp") == [Decimal("11000")]
    assert body(tables["ni179"]) == ["city,City Council,2008-09,actual,11000.00,0.00,0.00,3000.00,366.7"]


def test_disposal_rate_from_the_config(tmp_path: Path) -> None:
    tables = compute(tmp_path, [line("1,000.01", kind="disposal")], target="disposal_rate = 7.25\n")
    # 7.25% of £1,000.01 = £72.5007250 exactly
    assert column(tables["return_lines"], "counted_value_gbp") == [Decimal("72.500725")]


def test_counted_value_may_be_negative(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("1000", kind="disposal", costs_gbp="80"), line("100", costs_gbp="400")],
    )
    # disposal: 5% of £1,000 = £50 less £80 = -£30 ; gain: £100 less £400 = -£300
    assert column(tables["return_lines"], "counted_value_gbp") == [Decimal("-30"), Decimal("-300")]
    assert body(tables["ni179"]) == ["city,City Council,2008-09,actual,-330.00,0.00,0.00,3000.00,-11"]


# ---- rule 2: which lines count ------------------------------------------------------


def test_a_cash_releasing_ongoing_line_from_count_from_counts(tmp_path: Path) -> None:
    tables = compute(
        tmp_path, [line("100", first_impact="2008-04-01"), line("10", first_impact="31/03/2011")]
    )
    assert column(tables["return_lines"], "counts") == [True, True]
    assert column(tables["return_lines"], "reason") == ["counted", "counted"]
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("110")]


def test_a_line_that_does_not_count_says_why(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("1000", gain_ref="early", first_impact="2008-03-31"),  # the day before count_from
            line("2000", gain_ref="ended", ongoing="no"),
            line("4000", gain_ref="productivity", cash_releasing="no"),
            line("1", gain_ref="counted"),
        ],
    )
    assert [(r["gain_ref"], r["counts"], r["reason"]) for r in tables["return_lines"].records()] == [
        ("early", False, "out of period"),
        ("ended", False, "lapsed"),
        ("productivity", False, "non-cash"),
        ("counted", True, "counted"),
    ]
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("1")]


def test_count_from_from_the_config(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("1", first_impact="2009-03-31"), line("10", first_impact="01/04/2009")],
        target='count_from = "2009-04-01"\n',
    )
    assert column(tables["return_lines"], "reason") == ["out of period", "counted"]
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("10")]


# ---- rule 3: SR04 carry-forward -----------------------------------------------------


def test_sr04_carry_forward_above_the_threshold(tmp_path: Path) -> None:
    # 7.5% of £2,000,000 = £150,000; ongoing £160,000.50 carries forward £10,000.50
    tables = compute(tmp_path, [line("100")], partners=partner("city", sr04=("2,000,000", "160,000.50")))
    assert body(tables["ni179"]) == ["city,City Council,2008-09,actual,10100.50,0.00,10000.50,3000.00,336.7"]


def test_sr04_carry_forward_is_zero(tmp_path: Path) -> None:
    cases = {
        "below": ("2000000", "149999.99"),
        "at": ("2000000", "150000"),  # exactly 7.5%: nothing above it
        "nobase": ("", "160000"),
        "noongoing": ("2000000", ""),
        "neither": ("", ""),
    }
    tables = compute(
        tmp_path,
        [line("100", partner_id=pid) for pid in cases],
        partners="".join(partner(pid, sr04=sr04) for pid, sr04 in cases.items()),
    )
    records = tables["ni179"].records()
    shown = {r["partner_id"]: (r["sr04_carry_forward_gbp"], r["ni179_gbp"]) for r in records}
    assert shown == {pid: (Decimal(0), Decimal(100)) for pid in cases}


def test_sr04_carry_forward_is_added_to_every_return_of_the_partner(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("100"),
            line("200", return_type="forecast"),
            line("300", year="2009-10"),
            line("0", year="2010-11", ongoing="no"),  # nothing counts, the carry-forward still does
            line("5", partner_id="county"),
        ],
        partners=partner("city", sr04=("1000000", "100000")) + partner("county"),
        target="sr04_threshold = 7.5\n",
    )
    assert [(r["partner_id"], r["year"], r["return_type"], r["ni179_gbp"], r["sr04_carry_forward_gbp"])
            for r in tables["ni179"].records()] == [
        ("city", 2008, "actual", Decimal("25100"), Decimal("25000")),
        ("city", 2008, "forecast", Decimal("25200"), Decimal("25000")),
        ("city", 2009, "actual", Decimal("25300"), Decimal("25000")),
        ("city", 2010, "actual", Decimal("25000"), Decimal("25000")),
        ("county", 2008, "actual", Decimal("5"), Decimal("0")),
    ]  # fmt: skip


def test_sr04_carry_forward_directly() -> None:
    partners = pd.DataFrame(
        {
            "partner_id": ["a", "b", "c"],
            "sr04_baseline_gbp": pd.array([100 * 10**6, 100 * 10**6, None], dtype="Int64"),
            "sr04_ongoing_gbp": pd.array([8 * 10**6, 7 * 10**6, 9 * 10**6], dtype="Int64"),
        }
    )
    rules = _rules(["3.0"], "additive")
    carry = ni179.sr04_carry_forward(partners, rules)
    # £8 - 7.5% of £100 = £0.50, in micropounds; below threshold and missing baseline give 0
    assert carry.to_dict() == {"a": 500_000, "b": 0, "c": 0}


# ---- rule 4: NI 179 and non-cash gains of a return ----------------------------------


def test_ni179_and_non_cash_of_a_return(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("1000", costs_gbp="100"),  # counts: 900
            line("40,000", kind="disposal"),  # counts: 2,000
            line("50", cash_releasing="no"),  # non-cash: 50
            line("70", cash_releasing="no", costs_gbp="5"),  # non-cash: 65
            line("9000", cash_releasing="no", ongoing="no"),  # lapsed: neither
            line("8000", cash_releasing="no", first_impact="2008-03-31"),  # out of period: neither
            line("7000", ongoing="no"),  # lapsed
            line("6000", first_impact="2007-04-01"),  # out of period
        ],
        partners=partner("city", baseline="1000000", sr04=("1000000", "76000")),
    )
    assert body(tables["ni179"]) == [
        # 900 + 2,000 + 1,000 carried forward ; target 3% of £1m = £30,000
        "city,City Council,2008-09,actual,3900.00,115.00,1000.00,30000.00,13"
    ]


def test_returns_are_one_per_partner_year_and_type(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("1"),
            line("2", return_type="forecast"),
            line("4", year="2009-10"),
            line("8", partner_id="county"),
            line("16", partner_id="county"),
        ],
        partners=CITY + partner("county"),
    )  # fmt: skip
    rows = [(r["partner_id"], r["year"], r["return_type"], r["ni179_gbp"]) for r in tables["ni179"].records()]
    assert rows == [
        ("city", 2008, "actual", Decimal("1")),
        ("city", 2008, "forecast", Decimal("2")),
        ("city", 2009, "actual", Decimal("4")),
        ("county", 2008, "actual", Decimal("24")),
    ]


# ---- rule 5: cumulative target percentage -------------------------------------------


def _rules(profile: list[str], method: str) -> ni179.TargetRules:
    return ni179.TargetRules(
        first_year=2008,
        profile=tuple(Decimal(p) for p in profile),
        method=method,
        count_from=pd.Timestamp("2008-04-01"),
        disposal_rate=Decimal(5),
        sr04_threshold=Decimal("7.5"),
    )


def test_cumulative_percentage_additive() -> None:
    rules = _rules(["3.0", "3.0", "3.4"], "additive")
    assert [ni179.cumulative_percentage(rules, y) for y in (2008, 2009, 2010)] == [
        Decimal("3.0"), Decimal("6.0"), Decimal("9.4")
    ]  # fmt: skip


def test_cumulative_percentage_compound() -> None:
    rules = _rules(["3.0", "3.0", "3.4"], "compound")
    assert [ni179.cumulative_percentage(rules, y) for y in (2008, 2009, 2010)] == [
        Decimal("3"), Decimal("6.09"), Decimal("9.69706")  # (1.03 × 1.03 × 1.034 − 1) × 100
    ]  # fmt: skip


def test_cumulative_percentage_outside_the_profile_is_none() -> None:
    rules = _rules(["3.0", "3.0", "3.4"], "additive")
    assert ni179.cumulative_percentage(rules, 2007) is None
    assert ni179.cumulative_percentage(rules, 2011) is None


@pytest.mark.parametrize(
    ("method", "shown"),
    [("additive", ["3.0", "6.0", "9.4"]), ("compound", ["3.0", "6.1", "9.7"])],
)
def test_targets_table_shows_the_cumulative_percentage(tmp_path: Path, method: str, shown: list[str]) -> None:
    tables = compute(tmp_path, [line("1")], target=f'method = "{method}"\n')
    assert [row.split(",")[3] for row in body(tables["targets"])] == shown


# ---- rule 6: target and achievement -------------------------------------------------


def test_target_and_achievement_of_a_return(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("15,000", year="2009-10"), line("20,000", year="2010-11")],
        partners=partner("city", baseline="£1,000,000"),
    )
    # 6% and 9.4% of £1m
    assert body(tables["ni179"]) == [
        "city,City Council,2009-10,actual,15000.00,0.00,0.00,60000.00,25.0",
        "city,City Council,2010-11,actual,20000.00,0.00,0.00,94000.00,21.3",
    ]
    assert column(tables["ni179"], "target_gbp") == [Decimal("60000"), Decimal("94000")]


def test_target_with_a_compound_profile_is_exact(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("1", year="2010-11")],
        partners=partner("city", baseline="333.33"),
        target='method = "compound"\nprofile = [3.0, 3.0, 3.4]\n',
    )
    # £333.33 × 9.69706% = £32.323210098
    assert column(tables["ni179"], "target_gbp") == [Decimal("32.323210098")]
    assert body(tables["ni179"])[0].split(",")[7] == "32.32"


def test_year_outside_the_profile_has_empty_target_and_achievement(tmp_path: Path) -> None:
    tables = compute(tmp_path, [line("100", year="2011-12")], partners=CITY + partner("county"))
    assert body(tables["ni179"]) == ["city,City Council,2011-12,actual,100.00,0.00,0.00,[z],[z]"]
    assert column(tables["ni179"], "target_gbp") == [None]
    assert column(tables["ni179"], "achievement_pct") == [None]
    # no target outside the profile: not applicable; the total provisional while county's return is missing
    assert body(tables["ni179_total"]) == ["2011-12,actual,1,2,100.00 [p],[z],[z]"]


def test_zero_baseline_gives_zero_target_and_no_achievement(tmp_path: Path) -> None:
    tables = compute(tmp_path, [line("100")], partners=partner("city", baseline="0"))
    assert body(tables["ni179"]) == ["city,City Council,2008-09,actual,100.00,0.00,0.00,0.00,[z]"]


# ---- rules 7 and 8: expected returns and the partnership total ----------------------


def test_missing_returns_are_listed_never_zero(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("1000", partner_id="city"),
            line("3000", partner_id="county"),
            line("500", partner_id="city", return_type="forecast", year="2009-10"),
        ],
        partners=CITY + partner("county", baseline="200000") + partner("district", baseline="300000"),
    )
    assert body(tables["returns_missing"]) == [
        "district,District Council,2008-09,actual",
        "county,County Council,2009-10,forecast",
        "district,District Council,2009-10,forecast",
    ]
    # no ni179 row is invented for a missing return
    assert [(r["partner_id"], r["year"]) for r in tables["ni179"].records()] == [
        ("city", 2008), ("city", 2009), ("county", 2008)
    ]  # fmt: skip
    # the total compares what was received with the target of every partner in the target
    assert body(tables["ni179_total"]) == [
        # 3% of £600,000; NI 179 and achievement provisional [p] while a return is missing
        "2008-09,actual,2,3,4000.00 [p],18000.00,22.2 [p]",
        "2009-10,forecast,1,3,500.00 [p],36000.00,1.4 [p]",  # 6% of £600,000
    ]


def test_partnership_total_counts_only_partners_in_the_target(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("1000", partner_id="city"),
            line("2000", partner_id="county"),
            line("99999", partner_id="fire", workstream="technology", spend="capital"),
        ],
        partners=CITY + partner("county", baseline="200000") + partner("fire", baseline="", in_target="no"),
    )
    assert body(tables["ni179"]) == [
        "city,City Council,2008-09,actual,1000.00,0.00,0.00,3000.00,33.3",
        "county,County Council,2008-09,actual,2000.00,0.00,0.00,6000.00,33.3",
        "fire,Fire Council,2008-09,actual,99999.00,0.00,0.00,[z],[z]",  # no target: not applicable
    ]
    assert body(tables["ni179_total"]) == ["2008-09,actual,2,2,3000.00,9000.00,33.3"]
    assert body(tables["returns_missing"]) == []
    # the non-target partner's lines are not in the breakdowns either
    assert body(tables["workstreams"]) == ["2008-09,actual,procurement,3000.00"]
    assert body(tables["spend_split"]) == ["2008-09,actual,3000.00,0.00"]


def test_a_partner_outside_the_target_with_a_baseline_has_no_target(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("10", partner_id="fire"), line("20")],
        partners=CITY + partner("fire", baseline="500000", in_target="no"),
    )
    assert column(tables["ni179"], "target_gbp") == [Decimal("3000"), None]
    assert body(tables["ni179_total"]) == ["2008-09,actual,1,1,20.00,3000.00,0.7"]


def test_partnership_total_includes_sr04_carry_forward(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("100"), line("200", partner_id="county")],
        partners=partner("city", sr04=("100000", "8000")) + partner("county"),
    )
    assert body(tables["ni179_total"]) == ["2008-09,actual,2,2,800.00,6000.00,13.3"]


# ---- breakdowns ---------------------------------------------------------------------


def test_workstreams_sum_counting_lines_only(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("100", workstream="procurement"),
            line("50.50", workstream="procurement", partner_id="county"),
            line("1000", workstream="bpi", kind="disposal"),
            line("700", workstream="technology", ongoing="no"),  # lapsed: technology has no row
            line("600", workstream="other", cash_releasing="no"),  # non-cash: other has no row
            line("300", workstream="collaboration", year="2009-10"),
        ],
        partners=partner("city", sr04=("100000", "9000")) + partner("county"),
    )
    # the £1,500 SR04 carry-forward is no workstream
    assert body(tables["workstreams"]) == [
        "2008-09,actual,bpi,50.00",
        "2008-09,actual,procurement,150.50",
        "2009-10,actual,collaboration,300.00",
    ]



def test_workstreams_in_the_strategys_order_with_other_last(tmp_path: Path) -> None:
    """Readers find the workstreams in the order the efficiency strategy lists them, not
    wherever their codes sort ("other" sorted before "procurement")."""
    tables = compute(
        tmp_path,
        [line("10", workstream=code) for code in ("technology", "other", "procurement", "asset_management", "bpi")],
        partners=partner("city", sr04=("100000", "9000")),
    )
    assert [row.split(",")[2] for row in body(tables["workstreams"])] == [
        "bpi", "procurement", "asset_management", "technology", "other"]

def test_spend_split(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [
            line("100", spend="revenue"),
            line("250.25", spend="capital"),
            line("1000", spend="capital", ongoing="no"),
            line("40", spend="revenue", partner_id="county"),
            line("5", spend="revenue", return_type="forecast", ongoing="no"),
        ],
        partners=partner("city", sr04=("100000", "9000")) + partner("county"),
    )
    assert body(tables["spend_split"]) == [
        "2008-09,actual,140.00,250.25",
        "2008-09,forecast,0.00,0.00",
    ]


def test_rag_summary_counts_ratings_and_partners_with_no_rating(tmp_path: Path) -> None:
    rag = (
        "partner_id,year,rating,comment\n"
        "city,2009-10,Green,\n"
        "county,2009-10,AMBER,unsure\n"
        "district,2009-10,amber,\n"
        "city,2010/11,red,\n"
        "fire,2010-11,green,outside the target\n"
    )
    tables = compute(
        tmp_path,
        [line("1")],
        partners=CITY
        + partner("county")
        + partner("district")
        + partner("fire", baseline="", in_target="no"),
        extra={"rag_forecasts.csv": rag},
    )
    assert tables["rag_summary"].to_csv() == (
        "year,green,amber,red,no_rating\n"
        "2009-10,1,2,0,0\n"
        "2010-11,1,0,1,2\n"
    )


def test_rag_summary_without_a_file_has_its_header_only(tmp_path: Path) -> None:
    tables = compute(tmp_path, [line("1")])
    assert tables["rag_summary"].to_csv() == "year,green,amber,red,no_rating\n"
    assert tables["uor_distribution"].to_csv() == "assessment,theme,score,organisations\n"


def test_ratings_known_only_as_counts_add_to_those_given_partner_by_partner(tmp_path: Path) -> None:
    """`002_…` paragraph 7 gives scores as "five out of seven districts score 2": a
    partnership that knows only the counts gives them in use_of_resources_counts.csv."""
    scores = "partner_id,assessment,theme,score\ncity,2008-09,value for money,3\n"
    counts = ("assessment,theme,sector,score,organisations\n"
              "2008-09,value for money,district,2,5\n2008-09,value for money,district,3,2\n")
    rag_counts = "year,sector,rating,partners\n2009-10,district,amber,2\n"
    tables = compute(tmp_path, [line("1")], partners=CITY + partner("district", sector="district"),
                     extra={"use_of_resources.csv": scores, "use_of_resources_counts.csv": counts,
                            "rag_counts.csv": rag_counts})
    assert tables["uor_distribution"].to_csv() == (
        "assessment,theme,score,organisations\n"
        "2008-09,value for money,4,0\n2008-09,value for money,3,3\n"
        "2008-09,value for money,2,5\n2008-09,value for money,1,0\n"
    )
    districts = [r for r in tables["uor_by_sector"].records() if r["sector"] == "district" and r["score"] == 2]
    assert [(r["organisations"], r["assessed"]) for r in districts] == [(5, 7)]
    assert tables["rag_by_sector"].to_csv().splitlines()[1:] == [
        "2009-10,district,1,0,2,0,0", "2009-10,other,1,0,0,0,1",
    ]


def test_uor_distribution_lists_every_score_with_zeros(tmp_path: Path) -> None:
    uor = (
        "partner_id,assessment,theme,score\n"
        "city,2008/09,value for money,3\n"
        "county,2008-09,value for money,3\n"
        "district,2008-09,value for money,1\n"
        "city,2008-09,managing finances,4\n"
    )
    tables = compute(
        tmp_path, [line("1")], partners=CITY + partner("county") + partner("district"),
        extra={"use_of_resources.csv": uor},
    )  # fmt: skip
    assert tables["uor_distribution"].to_csv() == (
        "assessment,theme,score,organisations\n"
        "2008-09,managing finances,4,1\n"
        "2008-09,managing finances,3,0\n"
        "2008-09,managing finances,2,0\n"
        "2008-09,managing finances,1,0\n"
        "2008-09,value for money,4,0\n"
        "2008-09,value for money,3,2\n"
        "2008-09,value for money,2,0\n"
        "2008-09,value for money,1,1\n"
    )


# ---- rule 9: exact money, rounded only when shown -----------------------------------


def test_money_sums_are_exact(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("0.10"), line("0.20"), line("0.10", partner_id="county"), line("0.20", partner_id="county"),
         line("0.30", partner_id="county", costs_gbp="0.10")],
        partners=CITY + partner("county"),
    )  # fmt: skip
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("0.3"), Decimal("0.5")]
    assert column(tables["ni179_total"], "ni179_gbp") == [Decimal("0.8")]
    assert column(tables["workstreams"], "ni179_gbp") == [Decimal("0.8")]


def test_many_pennies_add_up_exactly(tmp_path: Path) -> None:
    pennies = [line("0.01", gain_ref=f"P{i}") for i in range(3000)]
    tables = compute(tmp_path, pennies + [line("£0.07", costs_gbp="0.01")])
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("30.06")]
    assert body(tables["ni179_total"]) == ["2008-09,actual,1,1,30.06,3000.00,1"]


def test_large_sums_are_exact(tmp_path: Path) -> None:
    tables = compute(
        tmp_path,
        [line("999,999,999,999"), line("999,999,999,999"), line("0.03"), line("-0.01")],
        partners=partner("city", baseline="999,999,999,999"),
    )
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("1999999999998.02")]
    assert body(tables["ni179"]) == [
        "city,City Council,2008-09,actual,1999999999998.02,0.00,0.00,29999999999.97,6666.7"
    ]


def test_half_a_penny_in_a_figure_is_shown_rounded_up(tmp_path: Path) -> None:
    # 5% of £53.30 = £2.665: half up gives 2.67 (bankers' rounding or binary floats give 2.66)
    tables = compute(tmp_path, [line("53.30", kind="disposal")])
    assert column(tables["ni179"], "ni179_gbp") == [Decimal("2.665")]
    assert body(tables["ni179"])[0].split(",")[4] == "2.67"
    assert body(tables["ni179_total"])[0].split(",")[4] == "2.67"
    assert body(tables["workstreams"])[0].split(",")[3] == "2.67"


def test_totals_are_computed_from_unrounded_values(tmp_path: Path) -> None:
    # each return holds half a penny (5% of £0.10), shown as 0.01; the total is one penny
    tables = compute(
        tmp_path,
        [line("0.10", kind="disposal"), line("0.10", kind="disposal", partner_id="county")],
        partners=CITY + partner("county"),
    )
    assert [row.split(",")[4] for row in body(tables["ni179"])] == ["0.01", "0.01"]
    assert body(tables["ni179_total"])[0].split(",")[4] == "0.01"


def test_a_percentage_of_12_25_is_shown_as_12_3(tmp_path: Path) -> None:
    # target 3% of £10,000 = £300 ; £36.75 / £300 = 12.25%
    tables = compute(tmp_path, [line("36.75")], partners=partner("city", baseline="10000"))
    assert column(tables["ni179"], "achievement_pct") == [Decimal("12.25")]
    assert body(tables["ni179"]) == ["city,City Council,2008-09,actual,36.75,0.00,0.00,300.00,12.3"]
    assert body(tables["ni179_total"]) == ["2008-09,actual,1,1,36.75,300.00,12.3"]


def test_a_cumulative_percentage_of_12_25_is_shown_as_12_3(tmp_path: Path) -> None:
    tables = compute(tmp_path, [line("1")], target="profile = [12.25]\n")
    # beside the target, the NI 179 of the partner's returns: no forecast received is [x], never nil
    assert body(tables["targets"]) == ["city,City Council,2008-09,12.3,12250.00,[x],1.00"]


def test_two_target_programmes_side_by_side(tmp_path: Path) -> None:
    """`002_…`: the LAA (2008-09 to 2010-11) and the MAA (2009-10 to 2011-12), both
    3/3/3.4, the MAA over some partners only and counting gains from its own start."""
    target = ('name = "Local Area Agreement"\n\n[programmes.maa]\nname = "Multi-Area Agreement"\n'
              'first_year = "2009-10"\npartners = ["city"]\n')
    tables = compute(
        tmp_path,
        [line("1000", year="2009-10", first_impact="2008-06-01"),
         line("500", year="2009-10", first_impact="2009-06-01")],
        partners=CITY + partner("county"),
        target=target,
    )
    rows = [(r["programme"], r["programme_name"], r["year"], r["returns_received"], r["returns_expected"],
             r["ni179_gbp"], r["target_gbp"]) for r in tables["programmes"].records()]
    assert rows == [
        # the LAA: both partners, every gain from April 2008; 6% of 2 × £100,000 in its second year
        ("target", "Local Area Agreement", 2009, 1, 2, Decimal("1500"), Decimal("12000")),
        # the MAA: the city only, gains from April 2009; 3% of £100,000 in its first year
        ("maa", "Multi-Area Agreement", 2009, 1, 1, Decimal("500"), Decimal("3000")),
    ]


def test_a_programme_naming_a_partner_that_does_not_exist_is_a_located_error(tmp_path: Path) -> None:
    target = '[programmes.maa]\nname = "MAA"\nfirst_year = "2009-10"\npartners = ["cty"]\n'
    with pytest.raises(DataError) as caught:
        compute(tmp_path, [line("1")], target=target)
    assert [str(p) for p in caught.value.problems] == [
        "sitegen.toml: programmes.maa.partners: unknown partner 'cty' (not in partners.csv); did you mean 'city'?"
    ]
