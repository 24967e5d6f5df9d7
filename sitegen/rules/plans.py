"""The outcome delivery plan's tables (`002_…`): the indicator's baseline and targets,
and the resources committed, computed from the data wherever the data exists.

Pure functions of DataFrames; money exact (Decimal pounds), rounded only when shown.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from sitegen.rules import ni179
from sitegen.values import MICRO


def target_profile(partners: pd.DataFrame, totals: pd.DataFrame, rules: ni179.TargetRules) -> pd.DataFrame:
    """One row per year of the target profile: the year's step and the cumulative target
    (percent and pounds, over every partner in the target), with the forecast and actual
    NI 179 beside it where those returns have come in."""
    members = partners[partners["in_target"]]
    baseline = sum((Decimal(int(b)) / MICRO for b in members["baseline_gbp"].dropna()), Decimal(0))
    rows = []
    for step, percent in enumerate(rules.profile):
        year = rules.first_year + step
        cumulative = ni179.cumulative_percentage(rules, year)
        targets = [ni179.partner_target(b, True, rules, year) for b in members["baseline_gbp"]]
        known = [t for t in targets if t is not None]
        target = sum(known, Decimal(0)) if known and len(known) == len(targets) else None  # as ni179_total
        reported = {
            kind: totals[(totals["year"] == year) & (totals["return_type"] == kind)]
            for kind in ("forecast", "actual")
        }
        forecast, actual = (
            reported[kind]["ni179_gbp"].iloc[0] if len(reported[kind]) else None for kind in ("forecast", "actual")
        )
        rows.append({
            "year": year,
            "annual_pct": Decimal(percent),
            "cumulative_pct": cumulative,
            "baseline_gbp": baseline,
            "target_gbp": target,
            "forecast_gbp": forecast,
            "actual_gbp": actual,
            "achievement_pct": ni179.achievement(actual, target) if actual is not None else None,
        })
    return pd.DataFrame(rows, columns=[
        "year", "annual_pct", "cumulative_pct", "baseline_gbp", "target_gbp", "forecast_gbp", "actual_gbp",
        "achievement_pct",
    ])


def funding_by_source(projects: pd.DataFrame) -> pd.DataFrame:
    """The joint projects' funding by where it comes from, with the savings it is to buy."""
    rows = []
    for source, group in projects.groupby("funding_source", sort=True):
        rows.append({
            "funding_source": source,
            "projects": len(group),
            "funding_gbp": sum((Decimal(int(v)) / MICRO for v in group["funding_gbp"].dropna()), Decimal(0)),
            "target_saving_gbp": sum(
                (Decimal(int(v)) / MICRO for v in group["target_saving_gbp"].dropna()), Decimal(0)
            ),
        })
    return pd.DataFrame(rows, columns=["funding_source", "projects", "funding_gbp", "target_saving_gbp"])
