"""NI 179 figures over time on tiny hand-made frames: forecast against actual, and new gains.

`test_vfm.py` checks the line and return rules through whole projects; these two
functions work on `ni179_by_return`'s rows, so their frames are written here by hand
(exact Decimal pounds), and every expected figure is worked out in a comment.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from sitegen.rules.ni179 import forecast_variance, new_gains

BY_RETURN_COLUMNS = ["partner_id", "partner_name", "year", "return_type", "ni179_gbp"]


def by_return(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    """Rows of ni179_by_return as (partner_id, year, return_type, NI 179 in pounds as text)."""
    return pd.DataFrame(
        [(pid, pid.title(), year, kind, Decimal(pounds)) for pid, year, kind, pounds in rows],
        columns=BY_RETURN_COLUMNS,
    )


# ---- forecast_variance --------------------------------------------------------------------


def test_forecast_against_actual_for_each_partner_with_both_returns() -> None:
    """Alder forecast £100,000 and achieved £90,000.50; Birch sent only a forecast, so has no row."""
    returns = by_return([
        ("alder", 2009, "forecast", "100000.00"),
        ("alder", 2009, "actual", "90000.50"),
        ("birch", 2009, "forecast", "5000"),
    ])
    variance = forecast_variance(returns)
    assert variance.columns.tolist() == ["partner_id", "partner_name", "year", "forecast_gbp", "actual_gbp",
                                         "variance_gbp", "variance_pct"]
    # 90,000.50 − 100,000.00 = −9,999.50; −9,999.50 / 100,000 × 100 = −9.9995
    assert variance.values.tolist() == [
        ["alder", "Alder", 2009, Decimal(100_000), Decimal("90000.50"), Decimal("-9999.50"), Decimal("-9.9995")],
    ]


def test_a_forecast_of_nought_has_a_variance_but_no_percentage() -> None:
    """Forecast £0, actual £5: 5 − 0 = £5 more, and no percentage of nought."""
    variance = forecast_variance(by_return([("cedar", 2010, "forecast", "0"), ("cedar", 2010, "actual", "5")]))
    assert variance[["variance_gbp", "variance_pct"]].values.tolist() == [[Decimal(5), None]]


def test_variance_rows_are_in_year_then_partner_order() -> None:
    """Rows of two years and two partners come out 2009 alder, 2009 birch, 2010 alder."""
    returns = by_return([
        ("alder", 2010, "forecast", "10"), ("alder", 2010, "actual", "12"),
        ("birch", 2009, "forecast", "20"), ("birch", 2009, "actual", "15"),
        ("alder", 2009, "actual", "8"), ("alder", 2009, "forecast", "8"),
    ])
    variance = forecast_variance(returns)
    # 12 − 10 = 2 (20%); 15 − 20 = −5 (−25%); 8 − 8 = 0 (0%)
    assert variance[["partner_id", "year", "variance_gbp", "variance_pct"]].values.tolist() == [
        ["alder", 2009, Decimal(0), Decimal(0)],
        ["birch", 2009, Decimal(-5), Decimal(-25)],
        ["alder", 2010, Decimal(2), Decimal(20)],
    ]


# ---- new_gains ----------------------------------------------------------------------------


def test_new_gains_are_the_rise_over_the_previous_actual_return() -> None:
    """Alder's actuals: £100 (2008), £150.25 (2009), none for 2010, £200 (2011); forecasts are ignored."""
    returns = by_return([
        ("alder", 2008, "actual", "100"),
        ("alder", 2009, "actual", "150.25"),
        ("alder", 2009, "forecast", "999"),
        ("alder", 2011, "actual", "200"),
    ])
    gains = new_gains(returns)
    assert gains.columns.tolist() == ["partner_id", "partner_name", "year", "ni179_gbp", "previous_gbp",
                                      "new_gains_gbp"]
    assert gains.values.tolist() == [
        ["alder", "Alder", 2008, Decimal(100), None, Decimal(100)],  # the first year's gains are all new
        ["alder", "Alder", 2009, Decimal("150.25"), Decimal(100), Decimal("50.25")],  # 150.25 − 100
        ["alder", "Alder", 2011, Decimal(200), None, None],  # 2010-11's actual missing: not guessed
    ]


def test_new_gains_may_fall_and_each_partner_starts_on_its_own_first_year() -> None:
    """Birch starts in 2009 (all new); its 2010 actual of £40 after £60 is £20 fewer gains."""
    returns = by_return([
        ("birch", 2009, "actual", "60"), ("birch", 2010, "actual", "40"),
        ("alder", 2010, "actual", "7.5"),
    ])
    gains = new_gains(returns)
    # alder: first year 2010, all £7.50 new; birch 2009: £60 new; birch 2010: 40 − 60 = −20
    assert gains[["partner_id", "year", "new_gains_gbp"]].values.tolist() == [
        ["alder", 2010, Decimal("7.5")],
        ["birch", 2009, Decimal(60)],
        ["birch", 2010, Decimal(-20)],
    ]
