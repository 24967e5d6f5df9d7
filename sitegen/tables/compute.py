"""The registry of named tables: what Markdown, templates and `sitegen table` can show.

Every table has typed columns, exact values and the data files it came from, so that
a page that shows it can be rebuilt when those files change and a reader can trace a
figure back to its rows. Any other CSV/XLSX at the top of `data/` is a table too,
shown as it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.config import Config, TargetSettings
from sitegen.data.contract import data_file_name
from sitegen.data.load import Dataset
from sitegen.labels import COLUMN_VOCABULARIES
from sitegen.rules import benchmarking, events, ni179, plans, ratings
from sitegen.rules.returns import chasing_list
from sitegen.tables.symbols import MARKS
from sitegen.tables.table import Column, Table
from sitegen.values import micro_to_pounds

# ---- the registry -------------------------------------------------------------------


def target_rules(config: Config, target: TargetSettings | None = None) -> ni179.TargetRules:
    """The [target] settings (or a programme's, in full) as the computations need them."""
    target = target or config.target
    return ni179.TargetRules(
        first_year=target.first_year,
        profile=tuple(target.profile),
        method=target.method,
        count_from=pd.Timestamp(target.count_from),
        disposal_rate=target.disposal_rate,
        sr04_threshold=target.sr04_threshold,
    )


M, P, Y, N, T = "money", "pct", "year", "count", "text"
# Tables of the partnership's totals: strategic figures, shown in £ million to one decimal
# unless a page says otherwise (money="pounds"), as the Department's own tables are.
PARTNERSHIP_TOTALS = frozenset({"ni179_total", "programmes", "workstreams", "spend_split", "target_profile"})


class DataFiles(NamedTuple):
    """The data files a table is computed from: those read, and the kinds with none."""

    files: tuple[str, ...]
    absent: tuple[str, ...]  # as a message names them: "data/risks.csv"


def compute_tables(dataset: Dataset, config: Config) -> dict[str, Table]:
    """Every named table of the project, computed once per build."""
    rules = target_rules(config)
    partners = dataset.partners
    classified = ni179.classify_lines(dataset.lines, rules)
    by_return = ni179.ni179_by_return(classified, partners, rules)
    totals = ni179.ni179_total(by_return, partners, rules)
    tables: list[Table] = []

    def read_from(*kinds: str, either: tuple[str, ...] = ()) -> DataFiles:
        """The files of `kinds`, all needed, and of `either`, of which one will do."""
        absent = [data_file_name(kind) for kind in kinds if not dataset.files[kind]]
        if either and not any(dataset.files[kind] for kind in either):
            absent.append(" or ".join(data_file_name(kind) for kind in either))
        return DataFiles(sum((dataset.files[kind] for kind in (*kinds, *either)), ()), tuple(absent))

    labels = config.labels
    partner_names = tuple(zip(partners["partner_id"], partners["name"], strict=True))

    def labelled(column: Column, table: str) -> Column:
        """The column with the words a reader sees for its codes (labels.py), or as it is."""
        if column.kind != T:
            return column
        if column.name in COLUMN_VOCABULARIES:
            vocabulary = COLUMN_VOCABULARIES[column.name]
            return replace(column, words=tuple(labels[vocabulary].items()), vocabulary=vocabulary)
        if table == "projects" and column.name in ("lead", "partners"):  # partners by name, never by key
            return replace(column, words=partner_names, vocabulary="partner", listed=column.name == "partners")
        return column

    def add(name: str, title: str, columns: list[tuple[str, str]] | list[tuple[str, ...]], frame: pd.DataFrame,
            sources: DataFiles, description: str = "", micro: tuple[str, ...] = ()) -> None:
        # (name, kind) or (name, kind, symbol of an empty cell): "z" where no value can exist
        tables.append(
            Table(name, title, tuple(labelled(Column(spec[0], spec[1], "", *spec[2:]), name) for spec in columns),
                  frame, sources.files, description, micro, absent=sources.absent,
                  money="m" if name in PARTNERSHIP_TOTALS else "pounds")
        )

    returns_src = read_from("partners", "returns")

    add("ni179", "NI 179 by return",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("ni179_gbp", M),
         ("non_cash_gbp", M), ("sr04_carry_forward_gbp", M), ("target_gbp", M, "z"), ("achievement_pct", P, "z")],
        by_return, returns_src,
        "One row per return received: net cash-releasing ongoing gains counted towards NI 179.")
    add("ni179_total", "Partnership NI 179 against target",
        [("year", Y), ("return_type", T), ("returns_received", N), ("returns_expected", N),
         ("ni179_gbp", M), ("target_gbp", M, "z"), ("achievement_pct", P, "z")],
        _provisional_while_missing(totals), returns_src,
        "Totals over the returns received from partners in the target; target over all of them. While "
        "returns are missing, the total and achievement are provisional [p].")
    add("programmes", "Target programmes",
        [("programme", T), ("programme_name", T), ("year", Y), ("return_type", T), ("returns_received", N),
         ("returns_expected", N), ("ni179_gbp", M), ("target_gbp", M, "z"), ("achievement_pct", P, "z")],
        _programme_totals(dataset, config, totals), returns_src,
        "Each target programme ([target], and any [programmes.<id>] beside it) over its own years and partners.")
    add("returns_missing", "Returns not received",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T)],
        ni179.returns_missing(by_return, partners), returns_src)
    add("chasing_list", "Returns to chase",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("contact_name", T),
         ("contact_email", T)],
        chasing_list(dataset.lines, partners), returns_src,
        "The latest period's returns not yet received, with whom to ask for each.")
    add("workstreams", "NI 179 by workstream",
        [("year", Y), ("return_type", T), ("workstream", T), ("ni179_gbp", M)],
        ni179.workstreams(classified, partners), returns_src)
    add("spend_split", "NI 179 by revenue and capital",
        [("year", Y), ("return_type", T), ("revenue_gbp", M), ("capital_gbp", M)],
        ni179.spend_split(classified, partners), returns_src)
    rag_sectors = ratings.rag_by_sector(dataset.rag_forecasts, partners, dataset.rag_counts)
    add("rag_summary", "Partners' forecasts of meeting the target",
        [("year", Y), ("green", N), ("amber", N), ("red", N), ("no_rating", N)],
        ratings.rag_summary(rag_sectors), read_from("partners", either=("rag_forecasts", "rag_counts")),
        "Ratings given each year, partner by partner or as counts; no rating: partners in the target "
        "that gave none.")
    add("rag_by_sector", "Partners' forecasts of meeting the target, by sector",
        [("year", Y), ("sector", T), ("partners", N), ("green", N), ("amber", N), ("red", N), ("no_rating", N)],
        rag_sectors, read_from("partners", either=("rag_forecasts", "rag_counts")),
        "Partners: those of the sector in the target.")
    uor_sectors = ratings.uor_by_sector(dataset.use_of_resources, partners, dataset.use_of_resources_counts)
    add("uor_distribution", "Use of resources scores",
        [("assessment", Y), ("theme", T), ("score", N), ("organisations", N)],
        ratings.uor_distribution(uor_sectors), read_from(either=("use_of_resources", "use_of_resources_counts")))
    add("uor_by_sector", "Use of resources scores by sector",
        [("assessment", Y), ("theme", T), ("sector", T), ("assessed", N), ("score", N), ("organisations", N)],
        uor_sectors, read_from("partners", either=("use_of_resources", "use_of_resources_counts")),
        "Assessed: the organisations of the sector with a score for the theme, so that 'five of the seven "
        "districts score 2' is one row.")
    add("return_lines", "Every return line, counted or not and why",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("gain_ref", T),
         ("description", T), ("workstream", T), ("spend", T), ("kind", T), ("cash_releasing", "bool"),
         ("ongoing", "bool"), ("first_impact", "date"), ("gross_gbp", M), ("costs_gbp", M),
         ("counted_value_gbp", M), ("counts", "bool"), ("reason", T), ("source", T)],
        _return_lines(classified, partners), returns_src,
        "Each line's counted value and, where it does not count, why (out of period, lapsed, non-cash).",
        micro=RETURN_LINES_MICRO)
    tables += _lines_by_partner(tables[-1])
    add("return_line_counts", "Lines in each return, counted or not",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("lines", N), ("counted", N),
         ("out_of_period", N), ("lapsed", N), ("non_cash", N)],
        _return_line_counts(classified, partners), returns_src,
        "How many lines each return holds, and how many count towards NI 179 or why not.")
    add("variance", "Forecast against actual",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("forecast_gbp", M), ("actual_gbp", M),
         ("variance_gbp", M), ("variance_pct", P)],
        ni179.forecast_variance(by_return), returns_src,
        "Each partner's actual NI 179 against its forecast for the same year, where both were received.")
    add("new_gains", "New gains year on year",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("ni179_gbp", M), ("previous_gbp", M),
         ("new_gains_gbp", M)],
        ni179.new_gains(by_return), returns_src,
        "The rise in each partner's actual NI 179 over its previous year's actual return.")
    add("rag_forecasts", "Partners' forecast ratings",
        [("partner_id", T), ("partner_name", T), ("sector", T), ("year", Y), ("rating", T), ("comment", T)],
        _with_partner(dataset.rag_forecasts, partners), read_from("rag_forecasts"))
    add("use_of_resources", "Use of resources scores by partner",
        [("partner_id", T), ("partner_name", T), ("sector", T), ("assessment", Y), ("theme", T), ("score", N)],
        _with_partner(dataset.use_of_resources, partners), read_from("use_of_resources"))
    add("targets", "Target trajectory by partner",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("cumulative_pct", P), ("target_gbp", M),
         ("forecast_gbp", M), ("actual_gbp", M)],
        _with_returns(ni179.target_trajectory(partners, rules), by_return), returns_src,
        "Each partner's cumulative target each year, with the NI 179 of its forecast and actual returns; "
        "a return expected and not received is [x], never nil.")
    add("partners", "Partners",
        [("partner_id", T), ("name", T), ("sector", T), ("baseline_gbp", M, "z"), ("in_target", "bool")],
        _money_in_pounds(partners, ["baseline_gbp"]), read_from("partners"))
    add("projects", "Joint efficiency projects",
        [("project_id", T), ("title", T), ("partners", T), ("lead", T), ("funding_source", T),
         ("funding_gbp", M), ("status", T), ("target_saving_gbp", M), ("summary", T)],
        _money_in_pounds(dataset.projects, ["funding_gbp", "target_saving_gbp"]),
        read_from("projects"))
    add("risks", "Risk register",
        [("risk_id", T), ("category", T), ("description", T), ("actions_taken", T), ("likelihood", T),
         ("impact", T), ("mitigation", T), ("owner", T)],
        dataset.risks, read_from("risks"))
    _add_benchmarking_tables(add, read_from, dataset, rules, totals)
    for name, frame in sorted(dataset.extra_tables.items()):
        add(name, name.replace("_", " ").capitalize(), [(c, T) for c in frame.columns], frame,
            read_from(name))
    return {table.name: table for table in tables}


def _add_benchmarking_tables(add: Any, read_from: Any, dataset: Dataset, rules: ni179.TargetRules,
                             totals: pd.DataFrame) -> None:
    """The VfM action plan's, the outcome plan's and the newsletter's tables."""
    partners = dataset.partners
    costs_src = read_from("partners", "services", "unit_costs")
    add("services", "Services benchmarked",
        [("service_id", T), ("name", T), ("cost_basis", T), ("unit_name", T), ("indicator", T),
         ("indicator_unit", T), ("direction", T), ("summary", T)],
        dataset.services, read_from("services"),
        "What each service's unit cost is per (head, user or unit of output), and its performance indicator.")
    costs = benchmarking.unit_costs(dataset.unit_costs, dataset.services, partners)
    add("unit_costs", "Unit costs and performance by partner",
        [("partner_id", T), ("partner_name", T), ("service", T), ("service_name", T), ("year", Y),
         ("cost_basis", T), ("net_cost_gbp", M), ("population", N), ("users", N, "z"), ("units", N, "z"),
         ("cost_per_head_gbp", M), ("cost_per_user_gbp", M, "z"), ("cost_per_unit_gbp", M, "z"), ("unit_cost_gbp", M),
         ("cost_change_pct", P), ("cost_rank", N), ("cost_quartile", N), ("group_size", N),
         ("group_average_gbp", M), ("cost_vs_average_pct", P), ("performance", N), ("direction", T),
         ("performance_change", N), ("performance_quartile", N), ("group_average_performance", N),
         ("performance_vs_average_pct", P), ("customer_value_pct", P), ("quadrant", T), ("vfm_criteria", T),
         ("vfm_candidate", "bool"), ("source", T)],
        costs, costs_src,
        "Each partner's unit cost (on the service's cost basis) and performance, the change on the year "
        "before, and where it stands among the partners reporting the same service that year: rank and "
        "quartile (1 = lowest cost, 1 = best performance) by Excel's inclusive method.")
    add("cost_comparators", "Comparator groups: the spread of unit costs",
        [("service", T), ("service_name", T), ("year", Y), ("cost_basis", T), ("partners", N),
         ("lowest_gbp", M), ("lower_quartile_gbp", M), ("median_gbp", M), ("upper_quartile_gbp", M),
         ("highest_gbp", M), ("average_gbp", M), ("lowest_cost_partner", T), ("highest_cost_partner", T),
         ("average_performance", N), ("best_performance", N), ("best_performer", T),
         ("worst_performance", N), ("worst_performer", T)],
        benchmarking.comparator_groups(costs), costs_src,
        "Lowest, quartiles, highest and average unit cost of each service each year; best and worst performers.")
    add("vfm_candidates", "Candidate VfM projects",
        [("partner_id", T), ("partner_name", T), ("service", T), ("service_name", T), ("year", Y),
         ("unit_cost_gbp", M), ("cost_vs_average_pct", P), ("performance", N),
         ("performance_vs_average_pct", P), ("quadrant", T), ("vfm_criteria", T), ("vfm_criteria_met", N)],
        benchmarking.vfm_candidates(costs), costs_src,
        "Services costing more than their comparator group's average or performing below it; those meeting "
        "most criteria first.")
    progress = benchmarking.savings_progress(dataset.savings_progress, partners, dataset.services)
    savings_src = read_from("partners", "services", "savings_progress")
    add("savings_progress", "Progress against savings targets",
        [("partner_id", T), ("partner_name", T), ("saving_ref", T), ("description", T), ("service", T),
         ("service_name", T), ("year", Y), ("quarter", N), ("target_gbp", M), ("profile_gbp", M),
         ("achieved_gbp", M), ("achieved_pct", P), ("forecast_gbp", M), ("forecast_pct", P), ("rating", T),
         ("comment", T), ("source", T)],
        progress, savings_src,
        "Each saving at each quarter end: delivered against the target profiled evenly over the year, with its "
        "traffic light (green on profile, red below 75% of it or of the target by forecast).")
    add("savings_summary", "Savings by quarter",
        [("year", Y), ("quarter", N), ("savings", N), ("target_gbp", M), ("profile_gbp", M), ("achieved_gbp", M),
         ("green", N), ("amber", N), ("red", N)],
        benchmarking.savings_summary(progress), savings_src)
    add("target_profile", "Baseline and targets",
        [("year", Y), ("annual_pct", P), ("cumulative_pct", P), ("baseline_gbp", M), ("target_gbp", M),
         ("forecast_gbp", M), ("actual_gbp", M), ("achievement_pct", P)],
        plans.target_profile(partners, totals, rules), read_from("partners", "returns"),
        "The partnership's target year by year over all partners in it, with the forecast and actual NI 179 "
        "where the returns are in.")
    add("project_funding", "Joint projects' funding by source",
        [("funding_source", T), ("projects", N), ("funding_gbp", M), ("target_saving_gbp", M)],
        plans.funding_by_source(dataset.projects), read_from("projects"))
    add("events", "Events",
        [("title", T), ("date", "date"), ("time", T), ("venue", T), ("description", T), ("organiser", T),
         ("booking", T), ("repeat", T), ("until", T), ("more_dates", T), ("dates", T)],
        events.with_dates(dataset.events.sort_values(["date", "title"], kind="stable")), read_from("events"),
        "Each event once, with every day it is held (dates: its first date, its weekly or fortnightly "
        "repeats until its last, and its other dates).")


def _programme_totals(dataset: Dataset, config: Config, target_totals: pd.DataFrame) -> pd.DataFrame:
    """ni179_total for each programme over the years of its profile: [target] as
    `target`, then each [programmes.<id>], with its own rules and partners."""
    frames = []
    programmes = [("target", config.target, None), *((key, programme.rules_over(config.target), programme.partners)
                                                      for key, programme in config.programmes.items())]
    for key, settings, members in programmes:
        rules = target_rules(config, settings)
        if members is None:
            totals = target_totals
        else:
            partners = dataset.partners.assign(in_target=dataset.partners["partner_id"].isin(members)) if members \
                else dataset.partners
            by_return = ni179.ni179_by_return(ni179.classify_lines(dataset.lines, rules), partners, rules)
            totals = ni179.ni179_total(by_return, partners, rules)
        years = totals["year"].between(rules.first_year, rules.first_year + len(rules.profile) - 1)
        frames.append(totals[years].assign(programme=key, programme_name=settings.name))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _with_partner(frame: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """The frame with each row's partner name and sector beside its partner id."""
    names = dict(zip(partners["partner_id"], partners["name"], strict=True))
    sectors = dict(zip(partners["partner_id"], partners["sector"], strict=True))
    return frame.assign(partner_name=frame["partner_id"].map(names), sector=frame["partner_id"].map(sectors))


RETURN_LINES_MICRO = ("gross_gbp", "costs_gbp", "counted_value_gbp")


def _return_lines(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Every line, compact: money stays int64 micropounds and repeated words are categories,
    so that a million lines cost a few hundred megabytes, not gigabytes of Decimals.

    Sorted by partner, year, return type, file and line. The order is worked out on codes
    (each column's distinct values, sorted) and only the columns shown are moved, most of
    them as codes: moving every column of a million lines as text would cost seconds.
    """
    order = ["partner_id", "year", "return_type", "_file", "_line"]
    if any(classified[key].isna().any() for key in order):  # never in a valid build: sort as pandas does
        classified = classified.sort_values(order).reset_index(drop=True)
    codes = {key: pd.factorize(classified[key], sort=True) for key in
             ("partner_id", "year", "return_type", "_file", "workstream", "spend", "kind", "reason")}
    rows = np.lexsort([classified["_line"].to_numpy(), *(codes[key][0] for key in reversed(order[:-1]))])
    moved = not np.array_equal(rows, np.arange(len(rows)))

    def take(values: np.ndarray) -> np.ndarray:
        return values[rows] if moved else values

    def category(key: str) -> pd.Categorical:
        key_codes, uniques = codes[key]
        return pd.Categorical.from_codes(take(key_codes), categories=uniques)

    def text(key: str) -> pd.Series:
        column = classified[key].reset_index(drop=True)
        return column.take(rows).reset_index(drop=True) if moved else column

    partner_codes, partner_ids = codes["partner_id"]
    names = partners.set_index("partner_id")["name"]
    partner_names = pd.Categorical(pd.Series(partner_ids).map(names))  # a name per partner, not per line
    file_codes, file_names = codes["_file"]
    return pd.DataFrame(
        {
            "partner_id": category("partner_id"),
            "partner_name": pd.Categorical.from_codes(take(partner_names.codes[partner_codes]),
                                                      categories=partner_names.categories),
            "year": take(classified["year"].to_numpy(dtype=int)),
            "return_type": category("return_type"),
            "gain_ref": text("gain_ref"),
            "description": text("description"),
            "workstream": category("workstream"),
            "spend": category("spend"),
            "kind": category("kind"),
            "cash_releasing": take(classified["cash_releasing"].to_numpy()),
            "ongoing": take(classified["ongoing"].to_numpy()),
            "first_impact": take(classified["first_impact"].to_numpy()),
            "gross_gbp": take(classified["gross_gbp"].fillna(0).to_numpy(dtype="int64")),
            "costs_gbp": take(classified["costs_gbp"].fillna(0).to_numpy(dtype="int64")),
            "counted_value_gbp": take(classified["counted_value"].to_numpy(dtype="int64")),
            "counts": take(classified["counts"].to_numpy()),
            "reason": category("reason"),
            "source": _joined(pa.array(list(file_names), pa.large_string()).take(take(file_codes)),
                              take(classified["_line"].to_numpy()), ":"),
        },
        index=pd.RangeIndex(len(rows)),
    )


def _joined(text: pa.Array, numbers: np.ndarray, separator: str) -> pd.Series:
    """text + separator + number, row by row, in Arrow rather than a Python string per row."""
    joined = pc.binary_join_element_wise(
        text, pc.cast(pa.array(numbers), pa.large_string()), pa.scalar(separator, pa.large_string())
    )
    return pd.Series(pd.array(joined, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))


def _return_line_counts(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Per return: its lines, and how many count or why not (the reasons of rule 2)."""
    reasons = {"counted": ni179.COUNTED, "out_of_period": ni179.OUT_OF_PERIOD, "lapsed": ni179.LAPSED,
               "non_cash": ni179.NON_CASH}
    counts = classified.groupby([*ni179.RETURN_KEY, "reason"], sort=True).size().unstack("reason", fill_value=0)
    frame = counts.reindex(columns=list(reasons.values()), fill_value=0).rename(
        columns={v: k for k, v in reasons.items()}).reset_index()
    frame.insert(len(ni179.RETURN_KEY), "lines", counts.sum(axis=1).to_numpy() if len(counts) else 0)
    frame.insert(1, "partner_name", frame["partner_id"].map(partners.set_index("partner_id")["name"]))
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(ni179.RETURN_KEY).reset_index(drop=True)


def _lines_by_partner(lines: Table) -> list[Table]:
    """One table per partner of its own lines, for its page and to download on its own."""
    if not len(lines.frame):
        return []
    frame = lines.frame
    codes = frame["partner_id"].cat.codes.to_numpy()
    if (codes < 0).any() or (np.diff(codes) < 0).any():  # not grouped by partner (never, as made above)
        partner_ids = frame["partner_id"].astype(str)
        ranges = [(pid, rows) for pid, rows in sorted(partner_ids.groupby(partner_ids, sort=False).indices.items())]
    else:  # each partner's lines are one run of rows: slices, not copies
        starts = np.concatenate(([0], np.flatnonzero(np.diff(codes)) + 1))
        stops = np.append(starts[1:], len(frame))
        categories = frame["partner_id"].cat.categories
        ranges = [(str(categories[codes[a]]), slice(int(a), int(b))) for a, b in zip(starts, stops, strict=True)]
    tables = []
    for partner_id, rows in ranges:
        mine = frame.iloc[rows].reset_index(drop=True)
        tables.append(Table(f"return_lines/{partner_id}", f"Return lines of {mine['partner_name'].iloc[0]}",
                            lines.columns, mine, lines.sources, lines.description, lines.micro))
    return tables


def _with_returns(trajectory: pd.DataFrame, by_return: pd.DataFrame) -> pd.DataFrame:
    """Each partner's target year with the NI 179 of its forecast and actual return for
    that year, empty (shown [x]) where the return has not been received."""
    out = trajectory.copy()
    for return_type in ("forecast", "actual"):
        received = by_return[by_return["return_type"] == return_type].set_index(["partner_id", "year"])["ni179_gbp"]
        keys = pd.MultiIndex.from_arrays([out["partner_id"], out["year"]])
        out[f"{return_type}_gbp"] = [received.get(key) for key in keys]
    return out


def _provisional_while_missing(totals: pd.DataFrame) -> pd.DataFrame:
    """Partnership totals, the NI 179 and achievement of a period marked provisional [p]
    while some of its expected returns are missing: they change when those come in."""
    short = totals["returns_received"] < totals["returns_expected"]
    return totals.assign(**{MARKS: ["ni179_gbp=p achievement_pct=p" if s else "" for s in short]})


def _money_in_pounds(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = [micro_to_pounds(v) for v in frame[column]]
    return out
