"""The outcome delivery plan's figures on tiny hand-made frames, worked out by hand.

Money goes in as integer micropounds (as `load_data` gives it: £1 = 1,000,000) and
comes out as exact Decimal pounds; every expected figure is worked out in a comment
from the frame above it, never copied from the function's output.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from sitegen.rules.ni179 import TargetRules
from sitegen.rules.plans import funding_by_source, target_profile

MICRO = 1_000_000  # micropounds per pound, as the data layer holds money
TOTAL_COLUMNS = ["year", "return_type", "ni179_gbp"]


def rules(method: str = "additive") -> TargetRules:
    """The default profile: 3%, 3% and 3.4% a year from 2008-09."""
    return TargetRules(
        first_year=2008,
        profile=(Decimal("3.0"), Decimal("3.0"), Decimal("3.4")),
        method=method,
        count_from=pd.Timestamp("2008-04-01"),
        disposal_rate=Decimal(5),
        sr04_threshold=Decimal("7.5"),
    )


def partners_frame(baselines_pence: list[int | None], in_target: list[bool]) -> pd.DataFrame:
    """Partners with baselines given in pence (None: not given), as nullable micropounds."""
    micro = [None if p is None else p * 10_000 for p in baselines_pence]
    return pd.DataFrame({
        "partner_id": [f"p{n}" for n in range(len(micro))],
        "name": [f"Partner {n}" for n in range(len(micro))],
        "baseline_gbp": pd.array(micro, dtype="Int64"),
        "in_target": in_target,
    })


# ---- target_profile -----------------------------------------------------------------------


def test_target_profile_adds_the_steps_over_the_partners_in_the_target() -> None:
    """Baselines £1,000,000 and £500,000 in the target (£999 outside): targets 3%, 6%, 9.4% of £1.5m."""
    partners = partners_frame([100_000_000, 50_000_000, 99_900], [True, True, False])
    totals = pd.DataFrame([
        (2008, "forecast", Decimal("40000.00")),
        (2008, "actual", Decimal("45000.45")),
        (2009, "forecast", Decimal("80000.10")),
    ], columns=TOTAL_COLUMNS)
    profile = target_profile(partners, totals, rules())
    assert list(profile.columns) == ["year", "annual_pct", "cumulative_pct", "baseline_gbp", "target_gbp",
                                     "forecast_gbp", "actual_gbp", "achievement_pct"]
    rows = profile.to_dict("records")
    assert [r["year"] for r in rows] == [2008, 2009, 2010]
    assert [r["annual_pct"] for r in rows] == [Decimal(3), Decimal(3), Decimal("3.4")]
    # cumulative: 3; 3 + 3 = 6; 6 + 3.4 = 9.4
    assert [r["cumulative_pct"] for r in rows] == [Decimal(3), Decimal(6), Decimal("9.4")]
    # £1,000,000 + £500,000 = £1,500,000 every year; the partner outside the target is left out
    assert [r["baseline_gbp"] for r in rows] == [Decimal(1_500_000)] * 3
    # 1,500,000 × 3 / 100 = 45,000; × 6 / 100 = 90,000; × 9.4 / 100 = 141,000
    assert [r["target_gbp"] for r in rows] == [Decimal(45_000), Decimal(90_000), Decimal(141_000)]
    assert [r["forecast_gbp"] for r in rows] == [Decimal(40_000), Decimal("80000.10"), None]
    assert [r["actual_gbp"] for r in rows] == [Decimal("45000.45"), None, None]
    # 45,000.45 / 45,000 × 100 = 100 + 0.45 / 450 = 100.001; no actual, no achievement
    assert [r["achievement_pct"] for r in rows] == [Decimal("100.001"), None, None]


def test_target_profile_is_exact_to_a_fraction_of_a_penny() -> None:
    """A baseline of £250,000.50: 3% of it is £7,500.015, kept exactly, never a float."""
    partners = partners_frame([25_000_050], [True])
    profile = target_profile(partners, pd.DataFrame(columns=TOTAL_COLUMNS), rules())
    # 250,000.50 × 3 / 100 = 7,500.015; × 6 / 100 = 15,000.03; × 9.4 / 100 = 23,500.047
    assert profile["target_gbp"].tolist() == [Decimal("7500.015"), Decimal("15000.03"), Decimal("23500.047")]
    assert profile["baseline_gbp"].tolist() == [Decimal("250000.50")] * 3
    assert all(isinstance(v, Decimal) for v in profile["target_gbp"])


def test_target_profile_compounds_when_the_method_says_so() -> None:
    """Compound: 1.03 × 1.03 = 1.0609, so 6.09% after two years; × 1.034 = 1.0969706, 9.69706% after three."""
    partners = partners_frame([100_000_000], [True])
    profile = target_profile(partners, pd.DataFrame(columns=TOTAL_COLUMNS), rules("compound"))
    assert profile["cumulative_pct"].tolist() == [Decimal(3), Decimal("6.09"), Decimal("9.69706")]
    # £1,000,000 × 3% = 30,000; × 6.09% = 60,900; × 9.69706% = 96,970.60
    assert profile["target_gbp"].tolist() == [Decimal(30_000), Decimal(60_900), Decimal("96970.6")]


def test_without_every_baseline_there_is_no_partnership_target() -> None:
    """One partner in the target has no baseline: the target is unknown, not the others' sum."""
    partners = partners_frame([100_000_000, None], [True, True])
    totals = pd.DataFrame([(2008, "actual", Decimal(1000))], columns=TOTAL_COLUMNS)
    profile = target_profile(partners, totals, rules())
    # the baseline shown is of those given: £1,000,000
    assert profile["baseline_gbp"].tolist() == [Decimal(1_000_000)] * 3
    assert profile["target_gbp"].tolist() == [None, None, None]
    assert profile["actual_gbp"].tolist()[0] == Decimal(1000)
    assert profile["achievement_pct"].tolist()[0] is None  # no target, no percentage of it


def test_an_actual_of_nought_is_nought_percent_not_missing() -> None:
    """A return of £0 against a £45,000 target achieves 0%, which is not 'no return'."""
    partners = partners_frame([150_000_000], [True])
    totals = pd.DataFrame([(2008, "actual", Decimal(0))], columns=TOTAL_COLUMNS)
    profile = target_profile(partners, totals, rules())
    # £1,500,000 × 3% = £45,000; 0 / 45,000 × 100 = 0
    assert profile.iloc[0]["target_gbp"] == Decimal(45_000)
    assert profile.iloc[0]["actual_gbp"] == Decimal(0)
    assert profile.iloc[0]["achievement_pct"] == Decimal(0)


# ---- funding_by_source --------------------------------------------------------------------


def projects_frame(rows: list[tuple[str, int | None, int | None]]) -> pd.DataFrame:
    """Joint projects as (funding_source, funding in pence, target saving in pence)."""
    return pd.DataFrame({
        "project_id": [f"j{n}" for n in range(len(rows))],
        "funding_source": [r[0] for r in rows],
        "funding_gbp": pd.array([None if r[1] is None else r[1] * 10_000 for r in rows], dtype="Int64"),
        "target_saving_gbp": pd.array([None if r[2] is None else r[2] * 10_000 for r in rows], dtype="Int64"),
    })


def test_funding_is_summed_by_source_in_pence_exactly() -> None:
    """RIEP: £50,000.25 + £25,000.25 = £75,000.50 for two projects; Council: one of £10,000."""
    projects = projects_frame([
        ("RIEP", 5_000_025, 10_000_000),  # £50,000.25, saving £100,000
        ("Council", 1_000_000, 1_234_567),  # £10,000, saving £12,345.67
        ("RIEP", 2_500_025, None),  # £25,000.25, no saving given
    ])
    funding = funding_by_source(projects)
    assert funding.columns.tolist() == ["funding_source", "projects", "funding_gbp", "target_saving_gbp"]
    # sorted by source: Council before RIEP; RIEP's saving is the one given, £100,000 + nothing
    assert funding.values.tolist() == [
        ["Council", 1, Decimal(10_000), Decimal("12345.67")],
        ["RIEP", 2, Decimal("75000.50"), Decimal(100_000)],
    ]


def test_a_tenth_of_a_penny_never_appears_from_adding_pence() -> None:
    """Ten projects of £0.10 each are exactly £1.00 (floats would give 0.9999999999999999)."""
    funding = funding_by_source(projects_frame([("RIEP", 10, 10)] * 10))
    assert funding.values.tolist() == [["RIEP", 10, Decimal(1), Decimal(1)]]
    assert isinstance(funding.iloc[0]["funding_gbp"], Decimal)


def test_no_projects_is_an_empty_table_with_its_columns() -> None:
    """Without projects there is no row, but the columns are there for the page's table."""
    funding = funding_by_source(projects_frame([]))
    assert funding.empty
    assert funding.columns.tolist() == ["funding_source", "projects", "funding_gbp", "target_saving_gbp"]


@pytest.mark.parametrize("pence", [1, 99, 123_456_789])
def test_one_projects_funding_is_its_own_amount(pence: int) -> None:
    """A source with one project shows exactly that project's funding (pence / 100 pounds)."""
    funding = funding_by_source(projects_frame([("Lottery", pence, None)]))
    assert funding.iloc[0]["funding_gbp"] == Decimal(pence) / 100
