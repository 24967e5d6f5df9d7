"""The NI 179 rules of the data contract, as pure functions of DataFrames.

No I/O and no formatting here. Line-level money is int64 micropounds (exact sums,
fast on a million lines); return-level figures become exact `Decimal` pounds, since a
compound target (baseline × 9.69…%) is no whole number of anything. Nothing is
rounded here: rounding happens only when a figure is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from sitegen.values import MICRO, micro_to_pounds

# Why a return line does or does not count, in the order the tests are applied.
COUNTED = "counted"
OUT_OF_PERIOD = "out of period"
LAPSED = "lapsed"
NON_CASH = "non-cash"

RETURN_KEY = ["partner_id", "year", "return_type"]
PERIOD_KEY = ["year", "return_type"]


@dataclass(frozen=True)
class TargetRules:
    """The [target] settings the rules need, free of any config machinery."""

    first_year: int
    profile: tuple[Decimal, ...]
    method: str  # "additive" or "compound"
    count_from: pd.Timestamp
    disposal_rate: Decimal  # percent, at most two decimals
    sr04_threshold: Decimal  # percent, at most two decimals


def _percent_of(micro: pd.Series, percent: Decimal) -> pd.Series:
    """micro × percent / 100, exact: pence × hundredths-of-a-percent is whole micropounds."""
    hundredths = int(percent * 100)
    return micro * hundredths // 10_000


def cumulative_percentage(rules: TargetRules, year: int) -> Decimal | None:
    """Rule 5: the cumulative target percentage of a year, None outside the profile."""
    k = year - rules.first_year
    if k < 0 or k >= len(rules.profile):
        return None
    steps = rules.profile[: k + 1]
    if rules.method == "additive":
        return sum(steps, Decimal(0))
    factor = Decimal(1)
    for step in steps:
        factor *= 1 + step / 100
    return (factor - 1) * 100


def classify_lines(lines: pd.DataFrame, rules: TargetRules) -> pd.DataFrame:
    """Rules 1 and 2: each line's counted value (micropounds) and why it counts or not."""
    out = lines.copy()
    gross = out["gross_gbp"].astype("int64")
    costs = out["costs_gbp"].fillna(0).astype("int64")
    disposal = out["kind"].eq("disposal")
    out["counted_value"] = np.where(disposal, _percent_of(gross, rules.disposal_rate), gross) - costs
    in_period = out["first_impact"] >= rules.count_from
    reason = np.select(
        [~in_period, ~out["ongoing"], ~out["cash_releasing"]],
        [OUT_OF_PERIOD, LAPSED, NON_CASH],
        default=COUNTED,
    )
    out["reason"] = reason
    out["counts"] = out["reason"].eq(COUNTED)
    return out


def sr04_carry_forward(partners: pd.DataFrame, rules: TargetRules) -> pd.Series:
    """Rule 3: max(0, ongoing − baseline × threshold), by partner_id, in micropounds."""
    base = partners["sr04_baseline_gbp"]
    ongoing = partners["sr04_ongoing_gbp"]
    both = base.notna() & ongoing.notna()
    excess = ongoing.fillna(0).astype("int64") - _percent_of(base.fillna(0).astype("int64"), rules.sr04_threshold)
    carry = np.where(both, np.maximum(excess, 0), 0)
    return pd.Series(carry, index=partners["partner_id"].to_numpy(), dtype="int64")


def ni179_by_return(
    classified: pd.DataFrame, partners: pd.DataFrame, rules: TargetRules
) -> pd.DataFrame:
    """Rules 4 and 6: one row per return received, figures in exact pounds."""
    returns = classified[RETURN_KEY].drop_duplicates().sort_values(RETURN_KEY)
    counted = _sum_by(classified[classified["counts"]], RETURN_KEY, "counted_value")
    non_cash = _sum_by(classified[classified["reason"].eq(NON_CASH)], RETURN_KEY, "counted_value")
    frame = returns.merge(counted.rename("counted"), on=RETURN_KEY, how="left")
    frame = frame.merge(non_cash.rename("non_cash"), on=RETURN_KEY, how="left")
    info = partners.set_index("partner_id")
    carry = sr04_carry_forward(partners, rules)
    rows = []
    for rec in frame.itertuples(index=False):
        partner = info.loc[rec.partner_id]
        carry_micro = int(carry.get(rec.partner_id, 0))
        ni179 = Decimal(int(_int_or_zero(rec.counted)) + carry_micro) / MICRO
        target = partner_target(partner["baseline_gbp"], bool(partner["in_target"]), rules, rec.year)
        rows.append(
            {
                "partner_id": rec.partner_id,
                "partner_name": partner["name"],
                "year": int(rec.year),
                "return_type": rec.return_type,
                "ni179_gbp": ni179,
                "non_cash_gbp": Decimal(int(_int_or_zero(rec.non_cash))) / MICRO,
                "sr04_carry_forward_gbp": Decimal(carry_micro) / MICRO,
                "target_gbp": target,
                "achievement_pct": achievement(ni179, target),
            }
        )
    return pd.DataFrame(rows, columns=NI179_COLUMNS)


NI179_COLUMNS = [
    "partner_id",
    "partner_name",
    "year",
    "return_type",
    "ni179_gbp",
    "non_cash_gbp",
    "sr04_carry_forward_gbp",
    "target_gbp",
    "achievement_pct",
]


def partner_target(baseline_micro: object, in_target: bool, rules: TargetRules, year: int) -> Decimal | None:
    """Rule 6: baseline × cumulative percentage / 100; None outside target or profile."""
    percent = cumulative_percentage(rules, int(year))
    if not in_target or percent is None or baseline_micro is None or pd.isna(baseline_micro):
        return None
    return Decimal(int(baseline_micro)) / MICRO * percent / 100


def achievement(ni179: Decimal, target: Decimal | None) -> Decimal | None:
    """Rule 6: NI 179 as a percentage of target; None where there is no target."""
    if target is None or target == 0:
        return None
    return ni179 / target * 100


def expected_returns(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Rule 7: every in-target partner for every (year, return_type) seen in any return."""
    periods = classified[PERIOD_KEY].drop_duplicates()
    members = partners.loc[partners["in_target"], ["partner_id", "name"]]
    return periods.merge(members, how="cross").sort_values(PERIOD_KEY + ["partner_id"])


def returns_missing(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Rule 7: the expected returns not received, never treated as zero."""
    expected = expected_returns(classified, partners)
    received = classified[RETURN_KEY].drop_duplicates()
    merged = expected.merge(received, on=RETURN_KEY, how="left", indicator=True)
    missing = merged[merged["_merge"] == "left_only"]
    return pd.DataFrame(
        {
            "partner_id": missing["partner_id"],
            "partner_name": missing["name"],
            "year": missing["year"].astype(int),
            "return_type": missing["return_type"],
        }
    ).reset_index(drop=True)


def ni179_total(
    by_return: pd.DataFrame, classified: pd.DataFrame, partners: pd.DataFrame, rules: TargetRules
) -> pd.DataFrame:
    """Rule 8: the partnership's total per (year, return_type)."""
    members = partners[partners["in_target"]]
    received = by_return[by_return["partner_id"].isin(set(members["partner_id"]))]
    rows = []
    for (year, rtype) in sorted(classified[PERIOD_KEY].drop_duplicates().itertuples(index=False, name=None)):
        mine = received[(received["year"] == year) & (received["return_type"] == rtype)]
        total = sum(mine["ni179_gbp"], Decimal(0))
        targets = [partner_target(b, True, rules, year) for b in members["baseline_gbp"]]
        target = None if any(t is None for t in targets) else sum(targets, Decimal(0))  # type: ignore[arg-type]
        rows.append(
            {
                "year": int(year),
                "return_type": rtype,
                "returns_received": len(mine),
                "returns_expected": len(members),
                "ni179_gbp": total,
                "target_gbp": target,
                "achievement_pct": achievement(total, target),
            }
        )
    return pd.DataFrame(rows, columns=NI179_TOTAL_COLUMNS)


NI179_TOTAL_COLUMNS = [
    "year",
    "return_type",
    "returns_received",
    "returns_expected",
    "ni179_gbp",
    "target_gbp",
    "achievement_pct",
]


def totalled_counting_lines(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """The counting lines of the returns that ni179_total totals (in-target partners)."""
    members = set(partners.loc[partners["in_target"], "partner_id"])
    return classified[classified["counts"] & classified["partner_id"].isin(members)]


def workstreams(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Counted values by workstream; no row for a workstream with no counting line."""
    lines = totalled_counting_lines(classified, partners)
    sums = _sum_by(lines, PERIOD_KEY + ["workstream"], "counted_value").reset_index()
    sums = sums.sort_values(PERIOD_KEY + ["workstream"])
    return pd.DataFrame(
        {
            "year": sums["year"].astype(int),
            "return_type": sums["return_type"],
            "workstream": sums["workstream"],
            "ni179_gbp": [micro_to_pounds(v) for v in sums["counted_value"]],
        }
    ).reset_index(drop=True)


def spend_split(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Counted values split into revenue and capital, per (year, return_type)."""
    lines = totalled_counting_lines(classified, partners)
    periods = sorted(classified[PERIOD_KEY].drop_duplicates().itertuples(index=False, name=None))
    sums = _sum_by(lines, PERIOD_KEY + ["spend"], "counted_value")
    rows = []
    for year, rtype in periods:
        rows.append(
            {
                "year": int(year),
                "return_type": rtype,
                "revenue_gbp": micro_to_pounds(sums.get((year, rtype, "revenue"), 0)),
                "capital_gbp": micro_to_pounds(sums.get((year, rtype, "capital"), 0)),
            }
        )
    return pd.DataFrame(rows, columns=["year", "return_type", "revenue_gbp", "capital_gbp"])


def rag_summary(rag: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Ratings counted per year; not_returned = in-target partners with no rating."""
    members = set(partners.loc[partners["in_target"], "partner_id"])
    rows = []
    for year in sorted(rag["year"].dropna().unique()):
        mine = rag[rag["year"] == year]
        counts = mine["rating"].value_counts()
        rows.append(
            {
                "year": int(year),
                "green": int(counts.get("green", 0)),
                "amber": int(counts.get("amber", 0)),
                "red": int(counts.get("red", 0)),
                "not_returned": len(members - set(mine["partner_id"])),
            }
        )
    return pd.DataFrame(rows, columns=["year", "green", "amber", "red", "not_returned"])


def uor_distribution(uor: pd.DataFrame) -> pd.DataFrame:
    """Organisations per score, every score 4 to 1 listed for each assessment and theme."""
    rows = []
    groups = uor.groupby(["assessment", "theme"], sort=True)
    for (assessment, theme), group in groups:
        counts = group["score"].value_counts()
        for score in (4, 3, 2, 1):
            rows.append(
                {
                    "assessment": int(assessment),
                    "theme": theme,
                    "score": score,
                    "organisations": int(counts.get(score, 0)),
                }
            )
    return pd.DataFrame(rows, columns=["assessment", "theme", "score", "organisations"])


def target_trajectory(partners: pd.DataFrame, rules: TargetRules) -> pd.DataFrame:
    """Each in-target partner's cumulative target for every year of the profile."""
    rows = []
    for rec in partners[partners["in_target"]].itertuples(index=False):
        for k in range(len(rules.profile)):
            year = rules.first_year + k
            rows.append(
                {
                    "partner_id": rec.partner_id,
                    "partner_name": rec.name,
                    "year": year,
                    "cumulative_pct": cumulative_percentage(rules, year),
                    "target_gbp": partner_target(rec.baseline_gbp, True, rules, year),
                }
            )
    return pd.DataFrame(rows, columns=["partner_id", "partner_name", "year", "cumulative_pct", "target_gbp"])


def _sum_by(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """Exact grouped sum of micropounds (Python ints where int64 could overflow)."""
    values = frame[column]
    if len(values) and float(np.abs(values.to_numpy(dtype="float64")).sum()) > 2**62:
        values = values.astype(object).map(int)
    return frame.assign(**{column: values}).groupby(keys, sort=True)[column].sum()


def _int_or_zero(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]


def forecast_variance(by_return: pd.DataFrame) -> pd.DataFrame:
    """Forecast against actual NI 179 for each partner and year with both returns.

    A year with only one of the two returns has no row: a missing return is never zero.
    """
    key = ["partner_id", "partner_name", "year"]
    forecast = by_return[by_return["return_type"] == "forecast"][key + ["ni179_gbp"]]
    actual = by_return[by_return["return_type"] == "actual"][key + ["ni179_gbp"]]
    both = forecast.merge(actual, on=key, suffixes=("_forecast", "_actual")).sort_values(["year", "partner_id"])
    rows = []
    for rec in both.itertuples(index=False):
        variance = rec.ni179_gbp_actual - rec.ni179_gbp_forecast
        rows.append(
            {
                "partner_id": rec.partner_id,
                "partner_name": rec.partner_name,
                "year": int(rec.year),
                "forecast_gbp": rec.ni179_gbp_forecast,
                "actual_gbp": rec.ni179_gbp_actual,
                "variance_gbp": variance,
                "variance_pct": variance / rec.ni179_gbp_forecast * 100 if rec.ni179_gbp_forecast else None,
            }
        )
    return pd.DataFrame(
        rows, columns=["partner_id", "partner_name", "year", "forecast_gbp", "actual_gbp", "variance_gbp", "variance_pct"]
    )


def new_gains(by_return: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year new gains: the rise in each partner's actual NI 179 over its previous year.

    Returns are snapshots of everything still ongoing, so the year's new gains are the
    difference between consecutive actual returns; the first year's are all of it. With
    the previous year's actual return missing, the figure is left empty, not guessed.
    """
    actual = by_return[by_return["return_type"] == "actual"].sort_values(["partner_id", "year"])
    rows = []
    for partner_id, group in actual.groupby("partner_id", sort=True):
        previous: dict[int, Decimal] = dict(zip(group["year"].astype(int), group["ni179_gbp"], strict=True))
        first_year = int(group["year"].min())
        for rec in group.itertuples(index=False):
            year = int(rec.year)
            before = previous.get(year - 1)
            new = rec.ni179_gbp if year == first_year and before is None else (
                rec.ni179_gbp - before if before is not None else None
            )
            rows.append(
                {
                    "partner_id": partner_id,
                    "partner_name": rec.partner_name,
                    "year": year,
                    "ni179_gbp": rec.ni179_gbp,
                    "previous_gbp": before,
                    "new_gains_gbp": new,
                }
            )
    return pd.DataFrame(rows, columns=["partner_id", "partner_name", "year", "ni179_gbp", "previous_gbp", "new_gains_gbp"])
