"""The VfM action plan's figures: unit costs, benchmarking, servicing quadrants,
candidate VfM projects and quarterly savings traffic lights.

These follow the VfM strategy of the seeds (`001_…`): unit costs per head, per user or
per unit of output (4.1); benchmarking against other councils to find "the areas of
high and low cost and performance" (4.5); the four servicing quadrants (4.6); projects
chosen for above-average cost or below-average performance (8.1); quarterly reports on
savings "using a traffic light system" (15.2). Every function is a pure function of
DataFrames; money is exact (Decimal pounds from integer micropounds), and nothing is
rounded until it is shown.

The comparator group of a partner's service in a year is every partner that reported
that service that year: the partnership is its own benchmarking club.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from sitegen.values import MICRO

# The four quadrants of `001_…` 4.6, as (valued by customers, performs well) -> name.
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "under-servicing",
    (True, True): "right-servicing",
    (False, False): "irritants",
    (False, True): "over-servicing",
}
QUADRANT_MEANINGS = {
    "under-servicing": "valued by customers, but performing below the comparator average",
    "right-servicing": "valued by customers and performing at or above the comparator average",
    "irritants": "less valued by customers and performing below the comparator average",
    "over-servicing": "performing at or above the comparator average in a service customers value less",
}
# A service is "valued" when at least half of those surveyed rate it as important to them.
VALUED_FROM_PCT = Decimal(50)
# Savings traffic lights: red below this share of the profiled target (or of the year's target
# for the forecast); green when the profile is met and the forecast reaches the target.
RED_BELOW_PCT = Decimal(75)
COST_COLUMN = {"head": "cost_per_head_gbp", "user": "cost_per_user_gbp", "unit": "cost_per_unit_gbp"}
DENOMINATOR = {"cost_per_head_gbp": "population", "cost_per_user_gbp": "users", "cost_per_unit_gbp": "units"}
HUNDRED = Decimal(100)


def quartiles(values: Iterable[Decimal]) -> tuple[Decimal, Decimal, Decimal] | None:
    """The three cut points by the inclusive method (Excel's QUARTILE / QUARTILE.INC).

    Councils' benchmarking clubs and CIPFA's tools use this one: the k-th cut point lies
    at position 1 + (n − 1) × k / 4 of the sorted values, interpolating linearly between
    neighbours. None for fewer than two values. Exact for Decimals.
    """
    data = sorted(values)
    if len(data) < 2:
        return None
    q1, q2, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return q1, q2, q3


def quartile_of(value: Decimal, cuts: tuple[Decimal, Decimal, Decimal] | None, low_is_first: bool) -> int | None:
    """1 to 4; quartile 1 is the lowest values when `low_is_first`, else the highest.

    A value on a cut point belongs to the quartile nearer quartile 1.
    """
    if cuts is None:
        return None
    q1, q2, q3 = cuts
    if low_is_first:
        return 1 if value <= q1 else 2 if value <= q2 else 3 if value <= q3 else 4
    return 1 if value >= q3 else 2 if value >= q2 else 3 if value >= q1 else 4


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _relative_pct(value: Decimal, average: Decimal) -> Decimal | None:
    """How far above the average, as a percentage of it; None when the average is nought."""
    return (value - average) / abs(average) * HUNDRED if average else None


def _pounds(micro: object) -> Decimal | None:
    return None if pd.isna(micro) else Decimal(int(micro)) / MICRO  # type: ignore[arg-type, call-overload]


def _number(value: object) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(value)  # type: ignore[arg-type]


def unit_costs(costs: pd.DataFrame, services: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """One row per partner, service and year: unit costs, change on the year before, and
    the position in the comparator group (rank, quartile, against the average)."""
    service_rows = services.set_index("service_id")
    names = partners.set_index("partner_id")["name"]
    rows: list[dict[str, object]] = []
    for _, row in costs.iterrows():
        service = service_rows.loc[row["service"]]
        net = _pounds(row["net_cost_gbp"])
        out: dict[str, object] = {
            "partner_id": row["partner_id"],
            "partner_name": names.get(row["partner_id"], row["partner_id"]),
            "service": row["service"],
            "service_name": service["name"],
            "year": int(row["year"]),
            "cost_basis": service["cost_basis"],
            "direction": service["direction"],
            "net_cost_gbp": net,
            "population": _number(row["population"]),
            "users": _number(row["users"]),
            "units": _number(row["units"]),
            "performance": _number(row["performance"]),
            "customer_value_pct": _number(row["customer_value_pct"]),
            "source": f"{row['_file']}:{row['_line']}",
        }
        for cost_column, denominator in DENOMINATOR.items():
            count = out[denominator]
            out[cost_column] = net / count if net is not None and count else None  # type: ignore[operator]
        out["unit_cost_gbp"] = out[COST_COLUMN[str(service["cost_basis"])]]
        rows.append(out)
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    return _with_positions(_with_previous_year(frame))


FIGURE_COLUMNS = [
    "partner_id", "partner_name", "service", "service_name", "year", "cost_basis", "direction", "net_cost_gbp",
    "population", "users", "units", "performance", "customer_value_pct", "source", *COST_COLUMN.values(),
    "unit_cost_gbp",
]


def _with_previous_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Unit cost and performance against the same partner's figures for the year before."""
    by_key = {(r.partner_id, r.service, r.year): r for r in frame.itertuples()}
    cost_change, performance_change = [], []
    for r in frame.itertuples():
        before = by_key.get((r.partner_id, r.service, r.year - 1))
        cost_change.append(
            _relative_pct(r.unit_cost_gbp, before.unit_cost_gbp)
            if before is not None and r.unit_cost_gbp is not None and before.unit_cost_gbp is not None else None
        )
        performance_change.append(r.performance - before.performance if before is not None else None)
    out = frame.copy()
    out["cost_change_pct"] = pd.Series(cost_change, index=frame.index, dtype=object)
    out["performance_change"] = pd.Series(performance_change, index=frame.index, dtype=object)
    return out


def _with_positions(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's place among the partners reporting the same service in the same year."""
    columns: dict[str, list[object]] = {name: [None] * len(frame) for name in POSITION_COLUMNS}
    position = {index: number for number, index in enumerate(frame.index)}
    for _, group in frame.groupby(["service", "year"], sort=False):
        costs = [c for c in group["unit_cost_gbp"] if c is not None]
        performances = list(group["performance"])
        better = 1 if group["direction"].iloc[0] == "higher" else -1
        cost_cuts, performance_cuts = quartiles(costs), quartiles(performances)
        average_cost = _mean(costs) if costs else None
        average_performance = _mean(performances)
        for index, row in group.iterrows():
            at = position[index]
            cost = row["unit_cost_gbp"]
            columns["group_size"][at] = len(group)
            columns["group_average_gbp"][at] = average_cost
            columns["group_average_performance"][at] = average_performance
            if cost is not None and average_cost is not None:
                columns["cost_rank"][at] = 1 + sum(c < cost for c in costs)
                columns["cost_quartile"][at] = quartile_of(cost, cost_cuts, low_is_first=True)
                columns["cost_vs_average_pct"][at] = _relative_pct(cost, average_cost)
            performance = row["performance"]
            columns["performance_quartile"][at] = quartile_of(performance, performance_cuts, low_is_first=better < 0)
            gap = _relative_pct(performance, average_performance)
            # Turned so that positive is better; a gap of nought stays +0, never "−0.0".
            columns["performance_vs_average_pct"][at] = None if gap is None else better * gap if gap else Decimal(0)
            performs_well = better * (performance - average_performance) >= 0
            value = row["customer_value_pct"]
            columns["quadrant"][at] = QUADRANTS[(value >= VALUED_FROM_PCT, performs_well)] if value is not None else None
            criteria = []
            if cost is not None and average_cost is not None and cost > average_cost:
                criteria.append("above-average cost")
            if not performs_well:
                criteria.append("below-average performance")
            if columns["quadrant"][at] == "under-servicing":
                criteria.append("valued by customers but not performing")
            columns["vfm_criteria"][at] = "; ".join(criteria)
            columns["vfm_criteria_met"][at] = len(criteria)
            columns["vfm_candidate"][at] = any(c in CANDIDATE_CRITERIA for c in criteria)
    out = frame.copy()
    for name, values in columns.items():
        out[name] = pd.Series(values, index=frame.index, dtype=object)
    return out.sort_values(["service", "year", "partner_name"], kind="stable").reset_index(drop=True)


# `001_…` 8.1: "areas of above average cost and/or below average performance".
CANDIDATE_CRITERIA = ("above-average cost", "below-average performance")
POSITION_COLUMNS = (
    "group_size", "group_average_gbp", "cost_rank", "cost_quartile", "cost_vs_average_pct",
    "group_average_performance", "performance_quartile", "performance_vs_average_pct", "quadrant",
    "vfm_criteria", "vfm_criteria_met", "vfm_candidate",
)


def comparator_groups(unit_cost_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per service and year: the comparator group's spread of unit costs and
    performance (lowest, quartiles, highest, average), the best and worst performers."""
    rows = []
    for (service, year), group in unit_cost_rows.groupby(["service", "year"], sort=True):
        costs = [c for c in group["unit_cost_gbp"] if c is not None]
        cuts = quartiles(costs)
        performances = list(group["performance"])
        higher_better = group["direction"].iloc[0] == "higher"
        best = max(performances) if higher_better else min(performances)
        worst = min(performances) if higher_better else max(performances)
        rows.append({
            "service": service,
            "service_name": group["service_name"].iloc[0],
            "year": int(year),
            "cost_basis": group["cost_basis"].iloc[0],
            "partners": len(group),
            "lowest_gbp": min(costs) if costs else None,
            "lower_quartile_gbp": cuts[0] if cuts else None,
            "median_gbp": cuts[1] if cuts else (costs[0] if costs else None),
            "upper_quartile_gbp": cuts[2] if cuts else None,
            "highest_gbp": max(costs) if costs else None,
            "average_gbp": _mean(costs) if costs else None,
            "lowest_cost_partner": _names_at(group, "unit_cost_gbp", min(costs)) if costs else "",
            "highest_cost_partner": _names_at(group, "unit_cost_gbp", max(costs)) if costs else "",
            "average_performance": _mean(performances),
            "best_performance": best,
            "best_performer": _names_at(group, "performance", best),
            "worst_performance": worst,
            "worst_performer": _names_at(group, "performance", worst),
        })
    return pd.DataFrame(rows, columns=COMPARATOR_COLUMNS)


COMPARATOR_COLUMNS = [
    "service", "service_name", "year", "cost_basis", "partners", "lowest_gbp", "lower_quartile_gbp",
    "median_gbp", "upper_quartile_gbp", "highest_gbp", "average_gbp", "lowest_cost_partner",
    "highest_cost_partner", "average_performance", "best_performance", "best_performer",
    "worst_performance", "worst_performer",
]


def _names_at(group: pd.DataFrame, column: str, value: Decimal) -> str:
    """Every partner holding `value` (ties are named together)."""
    return ", ".join(group.loc[[v == value for v in group[column]], "partner_name"])


def vfm_candidates(unit_cost_rows: pd.DataFrame) -> pd.DataFrame:
    """The partners' services that meet `001_…` 8.1's criteria for a VfM project, most
    criteria first, then the dearest against its group's average."""
    chosen = unit_cost_rows[unit_cost_rows["vfm_candidate"].astype(bool)].copy()
    chosen["_cost_gap"] = [g if g is not None else Decimal(0) for g in chosen["cost_vs_average_pct"]]
    chosen = chosen.sort_values(["year", "vfm_criteria_met", "_cost_gap"], ascending=[True, False, False],
                                kind="stable")
    return chosen.drop(columns="_cost_gap").reset_index(drop=True)


def savings_progress(savings: pd.DataFrame, partners: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """Each saving at each quarter end against its target, with its traffic light.

    The year's target is profiled evenly: a quarter's share of it is due by each quarter
    end (a quarter of it after Q1, all of it after Q4). Green: the savings delivered so far
    meet the profile and the forecast for the year (where given) meets the target. Red:
    less than 75% of the profile delivered, or a forecast below 75% of the target. Amber:
    anything between.
    """
    names = partners.set_index("partner_id")["name"]
    service_names = services.set_index("service_id")["name"]
    rows = []
    for _, row in savings.iterrows():
        target = _pounds(row["target_gbp"])
        achieved = _pounds(row["achieved_gbp"])
        forecast = _pounds(row["forecast_gbp"])
        quarter = int(row["quarter"])
        profile = target * quarter / 4  # type: ignore[operator]
        rows.append({
            "partner_id": row["partner_id"],
            "partner_name": names.get(row["partner_id"], row["partner_id"]),
            "saving_ref": row["saving_ref"],
            "description": row["description"],
            "service": row["service"],
            "service_name": service_names.get(row["service"], "") if row["service"] else "",
            "year": int(row["year"]),
            "quarter": quarter,
            "target_gbp": target,
            "profile_gbp": profile,
            "achieved_gbp": achieved,
            "achieved_pct": achieved / profile * HUNDRED,  # type: ignore[operator]
            "forecast_gbp": forecast,
            "forecast_pct": forecast / target * HUNDRED if forecast is not None else None,  # type: ignore[operator]
            "rating": traffic_light(profile, achieved, target, forecast),  # type: ignore[arg-type]
            "comment": row["comment"],
            "source": f"{row['_file']}:{row['_line']}",
        })
    frame = pd.DataFrame(rows, columns=SAVINGS_COLUMNS)
    return frame.sort_values(["year", "quarter", "partner_name", "saving_ref"], kind="stable").reset_index(drop=True)


SAVINGS_COLUMNS = [
    "partner_id", "partner_name", "saving_ref", "description", "service", "service_name", "year", "quarter",
    "target_gbp", "profile_gbp", "achieved_gbp", "achieved_pct", "forecast_gbp", "forecast_pct", "rating",
    "comment", "source",
]


def traffic_light(profile: Decimal, achieved: Decimal, target: Decimal, forecast: Decimal | None) -> str:
    """green, amber or red for one saving at one quarter end (see savings_progress)."""
    if achieved * HUNDRED < profile * RED_BELOW_PCT or (
        forecast is not None and forecast * HUNDRED < target * RED_BELOW_PCT
    ):
        return "red"
    if achieved >= profile and (forecast is None or forecast >= target):
        return "green"
    return "amber"


def savings_summary(progress: pd.DataFrame) -> pd.DataFrame:
    """One row per year and quarter: the savings reported, their totals and traffic lights."""
    rows = []
    for (year, quarter), group in progress.groupby(["year", "quarter"], sort=True):
        ratings = list(group["rating"])
        rows.append({
            "year": int(year),
            "quarter": int(quarter),
            "savings": len(group),
            "target_gbp": sum(group["target_gbp"], Decimal(0)),
            "profile_gbp": sum(group["profile_gbp"], Decimal(0)),
            "achieved_gbp": sum(group["achieved_gbp"], Decimal(0)),
            "green": ratings.count("green"),
            "amber": ratings.count("amber"),
            "red": ratings.count("red"),
        })
    return pd.DataFrame(rows, columns=["year", "quarter", "savings", "target_gbp", "profile_gbp", "achieved_gbp",
                                       "green", "amber", "red"])
