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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import simplejson

from sitegen import vfm
from sitegen.config import Config
from sitegen.data import Dataset
from sitegen.partner_returns import chasing_list
from sitegen.values import format_financial_year, micro_to_pounds, round_half_up


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

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @functools.cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The rows, computed once per build; read them, never change them (see records())."""
        frame = self.frame[[c.name for c in self.columns]]
        return [
            {k: (None if _is_missing(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")
        ]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of exact values (Decimal pounds, int years), None for empty."""
        return [dict(row) for row in self.rows]

    def to_csv(self) -> str:
        """The contract's CSV: pounds with two decimals, percentages with one."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in self.columns])
        for row in self.rows:
            writer.writerow([plain_value(c, row[c.name]) for c in self.columns])
        return out.getvalue()

    def to_json(self) -> str:
        """Columns with their kinds, then rows; money as exact JSON numbers (1234.50)."""
        rows = [{c.name: json_value(c, row[c.name]) for c in self.columns} for row in self.rows]
        document = {
            "name": self.name,
            "title": self.title,
            "sources": list(self.sources),
            "columns": [{"name": c.name, "kind": c.kind} for c in self.columns],
            "rows": rows,
        }
        return simplejson.dumps(document, use_decimal=True, indent=1, ensure_ascii=False) + "\n"


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
    return str(value)


def json_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "money":
        return round_half_up(Decimal(value), 2)
    if column.kind == "pct":
        return round_half_up(Decimal(value), 1)
    if column.kind == "count":
        return int(value)
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
    returns_src = dataset.files["partners"] + dataset.files["returns"]
    tables: list[Table] = []

    def add(name: str, title: str, columns: list[tuple[str, str]], frame: pd.DataFrame,
            sources: tuple[str, ...], description: str = "") -> None:
        tables.append(
            Table(name, title, tuple(Column(n, k) for n, k in columns), frame, sources, description)
        )

    add("ni179", "NI 179 by return",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T), ("ni179_gbp", M),
         ("non_cash_gbp", M), ("sr04_carry_forward_gbp", M), ("target_gbp", M), ("achievement_pct", P)],
        by_return, returns_src,
        "One row per return received: net cash-releasing ongoing gains counted towards NI 179.")
    add("ni179_total", "Partnership NI 179 against target",
        [("year", Y), ("return_type", T), ("returns_received", N), ("returns_expected", N),
         ("ni179_gbp", M), ("target_gbp", M), ("achievement_pct", P)],
        vfm.ni179_total(by_return, classified, partners, rules), returns_src,
        "Totals over the returns received from partners in the target; target over all of them.")
    add("returns_missing", "Returns not received",
        [("partner_id", T), ("partner_name", T), ("year", Y), ("return_type", T)],
        vfm.returns_missing(classified, partners), returns_src)
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
        "Each line's counted value and, where it does not count, why (out of period, lapsed, non-cash).")
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
    for name, frame in sorted(dataset.extra_tables.items()):
        add(name, name.replace("_", " ").capitalize(), [(c, T) for c in frame.columns], frame,
            dataset.files[name])
    return {table.name: table for table in tables}


def _return_lines(classified: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    names = partners.set_index("partner_id")["name"]
    frame = classified.sort_values(["partner_id", "year", "return_type", "_file", "_line"])
    def to_pounds(column: pd.Series) -> list[Decimal | None]:
        return [micro_to_pounds(v) for v in column.fillna(0)]

    return pd.DataFrame(
        {
            "partner_id": frame["partner_id"],
            "partner_name": frame["partner_id"].map(names),
            "year": frame["year"].astype(int),
            "return_type": frame["return_type"],
            "gain_ref": frame["gain_ref"],
            "description": frame["description"],
            "workstream": frame["workstream"],
            "spend": frame["spend"],
            "kind": frame["kind"],
            "cash_releasing": frame["cash_releasing"],
            "ongoing": frame["ongoing"],
            "first_impact": frame["first_impact"],
            "gross_gbp": to_pounds(frame["gross_gbp"]),
            "costs_gbp": to_pounds(frame["costs_gbp"]),
            "counted_value_gbp": to_pounds(frame["counted_value"]),
            "counts": frame["counts"],
            "reason": frame["reason"],
            "source": frame["_file"] + ":" + frame["_line"].astype(str),
        }
    ).reset_index(drop=True)


def _money_in_pounds(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = [micro_to_pounds(v) for v in frame[column]]
    return out
