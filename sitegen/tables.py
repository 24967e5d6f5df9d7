"""The registry of named tables: what Markdown, templates and `sitegen table` can show.

Every table has typed columns, exact values and the data files it came from, so that
a page that shows it can be rebuilt when those files change and a reader can trace a
figure back to its rows. Any other CSV/XLSX at the top of `data/` is a table too,
shown as it is.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import simplejson

from sitegen import benchmarking, plans, vfm
from sitegen.config import Config
from sitegen.data import Dataset
from sitegen.partner_returns import chasing_list
from sitegen.values import PENNY, format_financial_year, micro_to_pounds, round_half_up


@dataclass(frozen=True)
class Column:
    """A table column: its name, what kind of value it holds, its heading."""

    name: str
    kind: str = "text"  # text, money, pct, year, count, date, bool
    label: str = ""

    @property
    def heading(self) -> str:
        return self.label or self.name.replace("_gbp", "").replace("_pct", " %").replace("_", " ").capitalize()

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "pct", "count")


@dataclass(frozen=True)
class Table:
    """A computed or loaded table: typed columns, exact values, and its sources."""

    name: str
    title: str
    columns: tuple[Column, ...]
    frame: pd.DataFrame
    sources: tuple[str, ...]  # data files it is computed from
    description: str = ""
    micro: tuple[str, ...] = ()  # money columns the frame holds as int64 micropounds (big tables)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @functools.cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The rows, computed once per build; read them, never change them (see records())."""
        frame = self.frame[[c.name for c in self.columns]]
        rows = [
            {k: (None if _is_missing(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")
        ]
        for row in rows:
            for name in self.micro:
                row[name] = micro_to_pounds(row[name])
        return rows

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of exact values (Decimal pounds, int years), None for empty."""
        return [dict(row) for row in self.rows]

    def to_csv(self) -> str:
        """The contract's CSV: pounds with two decimals, percentages with one."""
        out = io.BytesIO()
        self.write_csv(out)
        return out.getvalue().decode("utf-8")

    def to_json(self) -> str:
        """Columns with their kinds, then rows; money as exact JSON numbers (1234.50)."""
        out = io.BytesIO()
        self.write_json(out)
        return out.getvalue().decode("utf-8")

    def write_csv(self, out: BinaryIO) -> None:
        """Write the CSV a chunk of rows at a time: a million lines are never one string."""
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow([c.name for c in self.columns])
        out.write(header.getvalue().encode("utf-8"))
        if len(self.columns) == 1:  # a lone empty cell is written "": leave that to the csv module
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            for row in self.rows:
                writer.writerow([plain_value(self.columns[0], row[self.columns[0].name])])
            out.write(text.getvalue().encode("utf-8"))
            return
        for chunk in self._chunks():
            cells = [self._encoded(c, chunk[c.name], _csv_cell) for c in self.columns]
            lines = pc.binary_join_element_wise(*cells, ",")
            out.write(("\n".join(lines.to_pylist()) + "\n").encode("utf-8"))

    def write_json(self, out: BinaryIO) -> None:
        """Write the JSON a chunk of rows at a time, byte for byte as one simplejson.dumps."""
        document = {
            "name": self.name,
            "title": self.title,
            "sources": list(self.sources),
            "columns": [{"name": c.name, "kind": c.kind} for c in self.columns],
            "rows": [],
        }
        head = simplejson.dumps(document, use_decimal=True, indent=1, ensure_ascii=False)
        if not len(self.frame):
            out.write((head + "\n").encode("utf-8"))
            return
        assert head.endswith('"rows": []\n}')
        out.write((head[: -len("]\n}")] + "\n").encode("utf-8"))
        keys = [f"   {simplejson.dumps(c.name, ensure_ascii=False)}: " for c in self.columns]
        first = True
        for chunk in self._chunks():
            cells = [
                pc.binary_join_element_wise(key, self._encoded(c, chunk[c.name], _json_cell), "")
                for key, c in zip(keys, self.columns, strict=True)
            ]
            rows = pc.binary_join_element_wise("  {\n", pc.binary_join_element_wise(*cells, ",\n"), "\n  }", "")
            out.write((("" if first else ",\n") + ",\n".join(rows.to_pylist())).encode("utf-8"))
            first = False
        out.write(b"\n ]\n}\n")

    def _chunks(self) -> Iterator[pd.DataFrame]:
        for start in range(0, len(self.frame), CHUNK_ROWS):
            yield self.frame.iloc[start : start + CHUNK_ROWS]

    def _encoded(self, column: Column, values: pd.Series, encode: Callable[[Column, Any], str]) -> pa.Array:
        """A column's cells as CSV or JSON text: vectorised for micropounds, once per distinct
        value for plain dtypes, cell by cell for Python objects (Decimals)."""
        if column.name in self.micro and values.dtype == "int64":
            return _pounds_text(values.to_numpy())
        if column.name in self.micro:
            values = pd.Series([micro_to_pounds(v) for v in values], index=values.index, dtype=object)
        if values.dtype == object or values.dtype.kind == "f":  # -0.0 and 0.0 are one value to a hash
            return pa.array([encode(column, None if _is_missing(v) else v) for v in values], pa.string())
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        texts = pa.array([encode(column, None if _is_missing(v) else v) for v in uniques.tolist()], pa.string())
        return texts.take(pa.array(codes))


CHUNK_ROWS = 50_000  # rows formatted at once when a table is written


def _csv_cell(column: Column, value: Any) -> str:
    """One cell as csv.writer writes it (quoted where it must be), in a row of two or more."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([plain_value(column, value), ""])
    return out.getvalue()[:-2]


def _json_cell(column: Column, value: Any) -> str:
    return simplejson.dumps(json_value(column, value), use_decimal=True, ensure_ascii=False)


def _pounds_text(micro: np.ndarray) -> pa.Array:
    """Micropounds as pounds with two decimals, rounded half up (away from zero): -0.004 is -0.00."""
    pence = (np.abs(micro) + PENNY // 2) // PENNY
    whole = pc.cast(pa.array(pence // 100), pa.string())
    cents = pc.utf8_lpad(pc.cast(pa.array(pence % 100), pa.string()), 2, "0")
    text = pc.binary_join_element_wise(whole, cents, ".")
    return pc.if_else(pa.array(micro < 0), pc.binary_join_element_wise("-", text, ""), text)


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def plain_value(column: Column, value: Any) -> str:
    """A cell as CSV and `sitegen table` print it."""
    if value is None:
        return ""
    if column.kind == "money":
        return str(round_half_up(Decimal(value), 2))
    if column.kind == "pct":
        return str(round_half_up(Decimal(value), 1))
    if column.kind == "year":
        return format_financial_year(int(value))
    if column.kind == "bool":
        return "yes" if value else "no"
    if column.kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if column.kind == "count" and isinstance(value, Decimal):  # an indicator: 48.0 as 48 (as shown), 8.25 as is
        return str(int(value)) if value == int(value) else str(value.normalize())
    return str(value)


def json_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "money":
        return round_half_up(Decimal(value), 2)
    if column.kind == "pct":
        return round_half_up(Decimal(value), 1)
    if column.kind == "count":  # counts, and indicators such as 8.5 days: never truncated
        return int(value) if Decimal(value) == int(value) else Decimal(value)
    if column.kind == "bool":
        return bool(value)
    return plain_value(column, value)


# ---- the registry -------------------------------------------------------------------


def target_rules(config: Config) -> vfm.TargetRules:
    """The [target] settings as the computations need them."""
    target = config.target
    return vfm.TargetRules(
        first_year=target.first_year,
        profile=tuple(target.profile),
        method=target.method,
        count_from=pd.Timestamp(target.count_from),
        disposal_rate=target.disposal_rate,
        sr04_threshold=target.sr04_threshold,
    )


M, P, Y, N, T = "money", "pct", "year", "count", "text"


def compute_tables(dataset: Dataset, config: Config) -> dict[str, Table]:
    """Every named table of the project, computed once per build."""
    rules = target_rules(config)
    partners = dataset.partners
    classified = vfm.classify_lines(dataset.lines, rules)
    by_return = vfm.ni179_by_return(classified, partners, rules)
    totals = vfm.ni179_total(by_return, partners, rules)
    returns_src = dataset.files["partners"] + dataset.files["returns"]
    tables: list[Table] = []

    def add(name: str, title: str, columns: list[tuple[str, str]], frame: pd.DataFrame,
            sources: tuple[str, ...], description: str = "", micro: tuple[str, ...] = ()) -> None:
        tables.append(
            Table(name, title, tuple(Column(n, k) for n, k in columns), frame, sources, description, micro)
        )

    add("ni179", "NI 179 by return",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("ni179_gbp", M),
         ("non_cash_gbp", M), ("sr04_carry_forward_gbp", M), ("target_gbp", M), ("achievement_pct", P)],
        by_return, returns_src,
        "One row per return received: net cash-releasing ongoing gains counted towards NI 179.")
    add("ni179_total", "Partnership NI 179 against target",
        [("year", Y), ("return_type", T), ("returns_received", N), ("returns_expected", N),
         ("ni179_gbp", M), ("target_gbp", M), ("achievement_pct", P)],
        totals, returns_src,
        "Totals over the returns received from partners in the target; target over all of them.")
    add("returns_missing", "Returns not received",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T)],
        vfm.returns_missing(by_return, partners), returns_src)
    add("chasing_list", "Returns to chase",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("contact_name", T),
         ("contact_email", T)],
        chasing_list(dataset.lines, partners), returns_src,
        "The latest period's returns not yet received, with whom to ask for each.")
    add("workstreams", "NI 179 by workstream",
        [("year", Y), ("return_type", T), ("workstream", T), ("ni179_gbp", M)],
        vfm.workstreams(classified, partners), returns_src)
    add("spend_split", "NI 179 by revenue and capital",
        [("year", Y), ("return_type", T), ("revenue_gbp", M), ("capital_gbp", M)],
        vfm.spend_split(classified, partners), returns_src)
    add("rag_summary", "Partners' forecasts of meeting the target",
        [("year", Y), ("green", N), ("amber", N), ("red", N), ("not_returned", N)],
        vfm.rag_summary(dataset.rag_forecasts, partners),
        dataset.files["partners"] + dataset.files["rag_forecasts"])
    add("uor_distribution", "Use of resources scores",
        [("assessment", Y), ("theme", T), ("score", N), ("organisations", N)],
        vfm.uor_distribution(dataset.use_of_resources), dataset.files["use_of_resources"])
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
        vfm.forecast_variance(by_return), returns_src,
        "Each partner's actual NI 179 against its forecast for the same year, where both were received.")
    add("new_gains", "New gains year on year",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("ni179_gbp", M), ("previous_gbp", M),
         ("new_gains_gbp", M)],
        vfm.new_gains(by_return), returns_src,
        "The rise in each partner's actual NI 179 over its previous year's actual return.")
    add("rag_forecasts", "Partners' forecast ratings",
        [("partner_id", T), ("year", Y), ("rating", T), ("comment", T)],
        dataset.rag_forecasts, dataset.files["rag_forecasts"])
    add("use_of_resources", "Use of resources scores by partner",
        [("partner_id", T), ("assessment", Y), ("theme", T), ("score", N)],
        dataset.use_of_resources, dataset.files["use_of_resources"])
    add("targets", "Target trajectory by partner",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("cumulative_pct", P), ("target_gbp", M)],
        vfm.target_trajectory(partners, rules), dataset.files["partners"])
    add("partners", "Partners",
        [("partner_id", T), ("name", T), ("sector", T), ("baseline_gbp", M), ("in_target", "bool")],
        _money_in_pounds(partners, ["baseline_gbp"]), dataset.files["partners"])
    add("projects", "Joint efficiency projects",
        [("project_id", T), ("title", T), ("partners", T), ("lead", T), ("funding_source", T),
         ("funding_gbp", M), ("status", T), ("target_saving_gbp", M), ("summary", T)],
        _money_in_pounds(dataset.projects, ["funding_gbp", "target_saving_gbp"]),
        dataset.files["projects"])
    add("risks", "Risk register",
        [("risk_id", T), ("category", T), ("description", T), ("actions_taken", T), ("likelihood", T),
         ("impact", T), ("mitigation", T), ("owner", T)],
        dataset.risks, dataset.files["risks"])
    _add_benchmarking_tables(add, dataset, rules, totals)
    for name, frame in sorted(dataset.extra_tables.items()):
        add(name, name.replace("_", " ").capitalize(), [(c, T) for c in frame.columns], frame,
            dataset.files[name])
    return {table.name: table for table in tables}


def _add_benchmarking_tables(add: Any, dataset: Dataset, rules: vfm.TargetRules, totals: pd.DataFrame) -> None:
    """The VfM action plan's, the outcome plan's and the newsletter's tables."""
    partners = dataset.partners
    files = dataset.files
    costs_src = files["partners"] + files["services"] + files["unit_costs"]
    add("services", "Services benchmarked",
        [("service_id", T), ("name", T), ("cost_basis", T), ("unit_name", T), ("indicator", T),
         ("indicator_unit", T), ("direction", T), ("summary", T)],
        dataset.services, files["services"],
        "What each service's unit cost is per (head, user or unit of output), and its performance indicator.")
    costs = benchmarking.unit_costs(dataset.unit_costs, dataset.services, partners)
    add("unit_costs", "Unit costs and performance by partner",
        [("partner_id", T), ("partner_name", T), ("service", T), ("service_name", T), ("year", Y),
         ("cost_basis", T), ("net_cost_gbp", M), ("population", N), ("users", N), ("units", N),
         ("cost_per_head_gbp", M), ("cost_per_user_gbp", M), ("cost_per_unit_gbp", M), ("unit_cost_gbp", M),
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
    savings_src = files["partners"] + files["services"] + files["savings_progress"]
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
        plans.target_profile(partners, totals, rules), files["partners"] + files["returns"],
        "The partnership's target year by year over all partners in it, with the forecast and actual NI 179 "
        "where the returns are in.")
    add("project_funding", "Joint projects' funding by source",
        [("funding_source", T), ("projects", N), ("funding_gbp", M), ("target_saving_gbp", M)],
        plans.funding_by_source(dataset.projects), files["projects"])
    add("events", "Events",
        [("title", T), ("date", "date"), ("time", T), ("venue", T), ("description", T), ("organiser", T),
         ("booking", T)],
        dataset.events.sort_values(["date", "title"], kind="stable"), files["events"])


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
    reasons = {"counted": vfm.COUNTED, "out_of_period": vfm.OUT_OF_PERIOD, "lapsed": vfm.LAPSED,
               "non_cash": vfm.NON_CASH}
    counts = classified.groupby([*vfm.RETURN_KEY, "reason"], sort=True).size().unstack("reason", fill_value=0)
    frame = counts.reindex(columns=list(reasons.values()), fill_value=0).rename(
        columns={v: k for k, v in reasons.items()}).reset_index()
    frame.insert(len(vfm.RETURN_KEY), "lines", counts.sum(axis=1).to_numpy() if len(counts) else 0)
    frame.insert(1, "partner_name", frame["partner_id"].map(partners.set_index("partner_id")["name"]))
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(vfm.RETURN_KEY).reset_index(drop=True)


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


def _money_in_pounds(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = [micro_to_pounds(v) for v in frame[column]]
    return out
