"""Returns over time on tiny hand-made frames: the order of periods, deadlines, and whom to chase.

The frames have the columns `load_data` gives the rules (partner_id, name, in_target,
contact_name, contact_email; the lines' partner_id, year, return_type), and every
expected row is written out by hand from the frames above it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sitegen.rules.returns import CHASING_COLUMNS, chasing_list, period_key, return_deadline


def partners_frame(contacts: bool = True) -> pd.DataFrame:
    """Three partners in the target, with a contact each unless `contacts` is False."""
    frame = pd.DataFrame({
        "partner_id": ["alder-dc", "birch-dc", "cedar-cc"],
        "name": ["Alder District Council", "Birch District Council", "Cedar County Council"],
        "in_target": [True, True, True],
    })
    if contacts:
        frame["contact_name"] = ["Ann Alder", "Ben Birch", "Cy Cedar"]
        frame["contact_email"] = ["ann@alder.example", "ben@birch.example", "cy@cedar.example"]
    return frame


def lines_frame(returns: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Two lines for each return received, as (partner_id, year, return_type)."""
    return pd.DataFrame([r for r in returns for _ in range(2)], columns=["partner_id", "year", "return_type"])


# ---- period_key ---------------------------------------------------------------------------


def test_periods_sort_forecast_before_actual_and_by_year() -> None:
    """2009-10 forecast, 2009-10 actual, 2010-11 forecast, 2010-11 actual, whatever the order given."""
    given = [(2010, "actual"), (2009, "actual"), (2010, "forecast"), (2009, "forecast")]
    assert sorted(given, key=lambda p: period_key(*p)) == [
        (2009, "forecast"), (2009, "actual"), (2010, "forecast"), (2010, "actual"),
    ]


def test_a_years_actual_comes_before_the_next_years_forecast() -> None:
    """The actual of 2009-10 (made July 2010) is earlier than the forecast of 2010-11 (October 2010)."""
    assert period_key(2009, "actual") < period_key(2010, "forecast")
    assert period_key(2009, "forecast") < period_key(2009, "actual")


def test_a_year_read_as_text_or_numpy_sorts_as_a_number() -> None:
    """Years from a frame (numpy integers) or read as text key the same as Python ints."""
    assert period_key(pd.Series([2009]).iloc[0], "actual") == period_key(2009, "actual") == (2009, 1)
    assert period_key("2010", "forecast") == (2010, 0)  # type: ignore[arg-type]


# ---- return_deadline ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "return_type", "deadline"),
    [
        (2010, "forecast", dt.date(2010, 10, 31)),  # 2010-11's forecast: October of the year itself
        (2010, "actual", dt.date(2011, 7, 31)),  # 2010-11's actual: July after the year ends in March 2011
        (2008, "actual", dt.date(2009, 7, 31)),
    ],
)
def test_return_deadlines(year: int, return_type: str, deadline: dt.date) -> None:
    """Forecasts are due on 31 October of the year, actuals on 31 July after it."""
    assert return_deadline(year, return_type) == deadline


def test_deadlines_fall_in_the_order_of_the_periods() -> None:
    """Sorting periods by deadline gives the order period_key gives."""
    periods = [(year, kind) for year in (2008, 2009, 2010) for kind in ("actual", "forecast")]
    by_deadline = sorted(periods, key=lambda p: return_deadline(*p))
    by_key = sorted(periods, key=lambda p: period_key(*p))
    assert by_deadline == by_key


# ---- chasing_list -------------------------------------------------------------------------


def test_the_chasing_list_is_the_latest_periods_missing_returns_with_contacts() -> None:
    """Latest period 2010-11 forecast: only Birch has not sent it; Cedar's missing 2009-10 actual is older."""
    lines = lines_frame([
        ("alder-dc", 2009, "actual"), ("birch-dc", 2009, "actual"),  # cedar-cc: none for 2009-10 actual
        ("alder-dc", 2010, "forecast"), ("cedar-cc", 2010, "forecast"),  # birch-dc: none for 2010-11 forecast
    ])
    chase = chasing_list(lines, partners_frame())
    assert list(chase.columns) == CHASING_COLUMNS
    assert chase.values.tolist() == [
        ["birch-dc", "Birch District Council", 2010, "forecast", "Ben Birch", "ben@birch.example"],
    ]


def test_every_partner_missing_the_latest_period_is_listed_in_partner_order() -> None:
    """Only Alder sent the 2010-11 actual: Birch and Cedar are chased, in partner_id order."""
    lines = lines_frame([
        ("alder-dc", 2010, "forecast"), ("birch-dc", 2010, "forecast"), ("cedar-cc", 2010, "forecast"),
        ("alder-dc", 2010, "actual"),
    ])
    chase = chasing_list(lines, partners_frame())
    assert chase.values.tolist() == [
        ["birch-dc", "Birch District Council", 2010, "actual", "Ben Birch", "ben@birch.example"],
        ["cedar-cc", "Cedar County Council", 2010, "actual", "Cy Cedar", "cy@cedar.example"],
    ]


def test_the_chasing_list_is_empty_when_nothing_is_missing() -> None:
    """All three sent the latest return (an older gap does not count): nobody to chase, same columns."""
    lines = lines_frame([
        ("alder-dc", 2009, "actual"),  # birch-dc and cedar-cc missed 2009-10 actual, long past
        ("alder-dc", 2010, "forecast"), ("birch-dc", 2010, "forecast"), ("cedar-cc", 2010, "forecast"),
    ])
    chase = chasing_list(lines, partners_frame())
    assert chase.empty
    assert list(chase.columns) == CHASING_COLUMNS


def test_the_chasing_list_of_no_returns_at_all_is_empty() -> None:
    """No return lines: no latest period, so nobody to chase."""
    chase = chasing_list(lines_frame([]), partners_frame())
    assert chase.empty
    assert list(chase.columns) == CHASING_COLUMNS


def test_partners_without_contact_columns_are_chased_with_blank_contacts() -> None:
    """A partners file with no contact columns still names whom to chase, contacts left blank."""
    lines = lines_frame([("alder-dc", 2010, "forecast"), ("birch-dc", 2010, "forecast")])
    chase = chasing_list(lines, partners_frame(contacts=False))
    assert chase.values.tolist() == [["cedar-cc", "Cedar County Council", 2010, "forecast", "", ""]]


def test_a_blank_contact_is_blank_text_and_a_partner_outside_the_target_is_not_chased() -> None:
    """A missing contact cell shows as "", and a partner outside the target owes no return."""
    partners = pd.concat([
        partners_frame(),
        pd.DataFrame({"partner_id": ["dale-homes"], "name": ["Dale Homes"], "in_target": [False],
                      "contact_name": ["Di Dale"], "contact_email": ["di@dale.example"]}),
    ], ignore_index=True)
    partners.loc[partners["partner_id"] == "birch-dc", ["contact_name", "contact_email"]] = None
    lines = lines_frame([("alder-dc", 2010, "forecast")])
    chase = chasing_list(lines, partners)
    assert chase.values.tolist() == [
        ["birch-dc", "Birch District Council", 2010, "forecast", "", ""],
        ["cedar-cc", "Cedar County Council", 2010, "forecast", "Cy Cedar", "cy@cedar.example"],
    ]
