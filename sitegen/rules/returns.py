"""Returns over time: the order of return periods, their deadlines, and whom to chase.

Pure functions of the returns and partners frames: no files, no settings.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sitegen.rules import ni179

CHASING_COLUMNS = ["partner_id", "partner_name", "year", "return_type", "contact_name", "contact_email"]


PERIOD_ORDER = {"forecast": 0, "actual": 1}  # a year's forecast (October) comes before its actual (July)


def period_key(year: int, return_type: str) -> tuple[int, int]:
    """Chronological order of returns: 2010-11 forecast < 2010-11 actual < 2011-12 forecast."""
    return (int(year), PERIOD_ORDER[return_type])


def return_deadline(year: int, return_type: str) -> dt.date:
    """Forecasts are made in October for the year end, actuals in July for the year just ended."""
    if return_type == "forecast":
        return dt.date(year, 10, 31)
    return dt.date(year + 1, 7, 31)


def chasing_list(lines: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """The latest period's missing returns with each partner's contact: whom to chase."""
    periods = lines[["year", "return_type"]].dropna().drop_duplicates()
    if periods.empty:
        return pd.DataFrame(columns=CHASING_COLUMNS)
    year, return_type = max(
        periods.itertuples(index=False, name=None), key=lambda p: period_key(int(p[0]), p[1])
    )
    missing = ni179.returns_missing(lines, partners)
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

