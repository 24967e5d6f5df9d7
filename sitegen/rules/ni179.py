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
import pyarrow as pa

from sitegen import labels
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
    gross = lines["gross_gbp"].astype("int64")
    costs = lines["costs_gbp"].fillna(0).astype("int64")
    disposal = lines["kind"].eq("disposal")
    in_period = (lines["first_impact"] >= rules.count_from).to_numpy(dtype=bool)
    reason = np.select(
        [~in_period, ~lines["ongoing"].to_numpy(dtype=bool), ~lines["cash_releasing"].to_numpy(dtype=bool)],
        [1, 2, 3],
        default=0,
    ).astype(np.int8)
    # New columns on a shallow copy: the lines' own columns are shared, not copied.
    return lines.assign(
        counted_value=np.where(disposal, _percent_of(gross, rules.disposal_rate), gross) - costs,
        reason=_words(reason, REASONS, lines.index),
        counts=reason == 0,
    )


REASONS = (COUNTED, OUT_OF_PERIOD, LAPSED, NON_CASH)  # by the codes classify_lines gives them


def _words(codes: np.ndarray, words: tuple[str, ...], index: pd.Index) -> pd.Series:
    """A text column of a few distinct words, from each row's code: no Python string per row."""
    text = pa.array(words, pa.large_string()).take(pa.array(codes))
    return pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow", na_value=np.nan)), index=index)


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
    counts = classified["counts"].to_numpy(dtype=bool)
    non_cash = classified["reason"].eq(NON_CASH).to_numpy(dtype=bool)
    value = classified["counted_value"]
    sums = _sum_by(
        classified[RETURN_KEY].assign(counted=value.where(counts, 0), non_cash=value.where(non_cash, 0)),
        RETURN_KEY,
        ["counted", "non_cash"],
    )
    info = {
        pid: (name, baseline, bool(in_target))
        for pid, name, baseline, in_target in zip(
            partners["partner_id"], partners["name"], partners["baseline_gbp"], partners["in_target"], strict=True
        )
    }
    carry = sr04_carry_forward(partners, rules)
    carry_by_partner = dict(zip(carry.index, carry.to_numpy().tolist(), strict=True))
    targets = _TargetCache(rules)
    rows = []
    for (partner_id, year, return_type), counted, not_cash in zip(
        sums.index, sums["counted"].tolist(), sums["non_cash"].tolist(), strict=True
    ):
        name, baseline, in_target = info[partner_id]
        carry_micro = int(carry_by_partner.get(partner_id, 0))
        ni179 = Decimal(int(counted) + carry_micro) / MICRO
        target = targets.target(baseline, in_target, year)
        rows.append(
            {
                "partner_id": partner_id,
                "partner_name": name,
                "year": int(year),
                "return_type": return_type,
                "ni179_gbp": ni179,
                "non_cash_gbp": Decimal(int(not_cash)) / MICRO,
                "sr04_carry_forward_gbp": Decimal(carry_micro) / MICRO,
                "target_gbp": target,
                "achievement_pct": achievement(ni179, target),
            }
        )
    return pd.DataFrame(rows, columns=NI179_COLUMNS)


class _TargetCache:
    """Rule 6 for many returns: each year's cumulative percentage worked out once."""

    def __init__(self, rules: TargetRules):
        self.rules = rules
        self.percent: dict[int, Decimal | None] = {}

    def target(self, baseline_micro: object, in_target: bool, year: object) -> Decimal | None:
        number = int(year)  # type: ignore[call-overload]
        if number not in self.percent:
            self.percent[number] = cumulative_percentage(self.rules, number)
        return _target(baseline_micro, in_target, self.percent[number])


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
    return _target(baseline_micro, in_target, cumulative_percentage(rules, int(year)))


def _target(baseline_micro: object, in_target: bool, percent: Decimal | None) -> Decimal | None:
    if not in_target or percent is None or baseline_micro is None or pd.isna(baseline_micro):  # type: ignore[arg-type]
        return None
    return Decimal(int(baseline_micro)) / MICRO * percent / 100  # type: ignore[call-overload]


def achievement(ni179: Decimal, target: Decimal | None) -> Decimal | None:
    """Rule 6: NI 179 as a percentage of target; None where there is no target."""
    if target is None or target == 0:
        return None
    return ni179 / target * 100


def expected_returns(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Rule 7: every in-target partner for every (year, return_type) seen in any return.

    `classified` is any frame of the returns received by RETURN_KEY: their lines, or
    `ni179_by_return`'s rows (a thousand times fewer for the same answer)."""
    periods = classified[PERIOD_KEY].drop_duplicates()
    members = partners.loc[partners["in_target"], ["partner_id", "name"]]
    return periods.merge(members, how="cross").sort_values(PERIOD_KEY + ["partner_id"])


def returns_missing(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Rule 7: the expected returns not received, never treated as zero."""
    received = classified[RETURN_KEY].drop_duplicates()
    expected = expected_returns(received, partners)  # the periods of the returns received: fewer rows
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


def ni179_total(by_return: pd.DataFrame, partners: pd.DataFrame, rules: TargetRules) -> pd.DataFrame:
    """Rule 8: the partnership's total per (year, return_type) of the returns in `by_return`."""
    members = partners[partners["in_target"]]
    received = by_return[by_return["partner_id"].isin(set(members["partner_id"]))]
    totals = {
        (year, rtype): (len(group), sum(group["ni179_gbp"], Decimal(0)))
        for (year, rtype), group in received.groupby(PERIOD_KEY, sort=False)
    }
    baselines = members["baseline_gbp"].tolist()
    targets = _TargetCache(rules)
    rows = []
    for (year, rtype) in sorted(by_return[PERIOD_KEY].drop_duplicates().itertuples(index=False, name=None)):
        count, total = totals.get((year, rtype), (0, Decimal(0)))
        known = [t for t in (targets.target(b, True, year) for b in baselines) if t is not None]
        target = sum(known, Decimal(0)) if len(known) == len(baselines) else None
        rows.append(
            {
                "year": int(year),
                "return_type": rtype,
                "returns_received": count,
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


def _totalled(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.Series:
    """The counting lines of the returns that ni179_total totals (in-target partners)."""
    members = set(partners.loc[partners["in_target"], "partner_id"])
    return classified["counts"] & classified["partner_id"].isin(members)


def _counting_sums(classified: pd.DataFrame, partners: pd.DataFrame, by: str) -> pd.Series:
    """Counted values of the lines `_totalled` picks, summed per period and `by`
    (only the columns summed are filtered: a million lines of text are not copied)."""
    keys = PERIOD_KEY + [by]
    lines = classified.loc[_totalled(classified, partners), [*keys, "counted_value"]]
    return _sum_by(lines, keys, "counted_value")  # type: ignore[return-value]


def workstreams(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Counted values by workstream, in the order the efficiency strategy lists them ("Other"
    last, not wherever its code sorts); no row for a workstream with no counting line."""
    sums = _counting_sums(classified, partners, "workstream").reset_index()
    listed = {code: place for place, code in enumerate(labels.codes("workstream"))}
    sums = sums.sort_values(PERIOD_KEY + ["workstream"], key=lambda c: c.map(listed) if c.name == "workstream" else c)
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
    periods = sorted(classified[PERIOD_KEY].drop_duplicates().itertuples(index=False, name=None))
    sums = _counting_sums(classified, partners, "spend")
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


def _sum_by(frame: pd.DataFrame, keys: list[str], column: str | list[str]) -> pd.Series | pd.DataFrame:
    """Exact grouped sum of micropounds (Python ints where int64 could overflow)."""
    columns = [column] if isinstance(column, str) else column
    exact = {}
    for name in columns:
        values = frame[name]
        if len(values) and float(np.abs(values.to_numpy(dtype="float64")).sum()) > 2**62:
            exact[name] = values.astype(object).map(int)
    sums = frame.assign(**exact).groupby(keys, sort=True)[column].sum()
    return sums


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
    actual = by_return[(by_return["return_type"] == "actual") & by_return["partner_id"].notna()]
    actual = actual.sort_values(["partner_id", "year"])
    partner_ids, names, years, figures = (
        actual[c].tolist() for c in ("partner_id", "partner_name", "year", "ni179_gbp")
    )
    years = [int(y) for y in years]
    figure_of = {(p, y): f for p, y, f in zip(partner_ids, years, figures, strict=True)}
    first_year: dict[str, int] = {}
    for partner_id, year in zip(partner_ids, years, strict=True):
        first_year[partner_id] = min(year, first_year.get(partner_id, year))
    rows = []
    for partner_id, name, year, figure in zip(partner_ids, names, years, figures, strict=True):
        before = figure_of.get((partner_id, year - 1))
        new = figure if year == first_year[partner_id] and before is None else (
            figure - before if before is not None else None
        )
        rows.append(
            {
                "partner_id": partner_id,
                "partner_name": name,
                "year": year,
                "ni179_gbp": figure,
                "previous_gbp": before,
                "new_gains_gbp": new,
            }
        )
    return pd.DataFrame(rows, columns=["partner_id", "partner_name", "year", "ni179_gbp", "previous_gbp", "new_gains_gbp"])
