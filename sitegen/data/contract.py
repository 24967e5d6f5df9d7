"""The data contract (docs/data-contract.md) as data: every file sitegen reads from
`data/`, its columns, what each holds and which spellings it accepts."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.labels import codes
from sitegen.values import MICRO, PENNY

# Each enumerated column accepts exactly the codes that have a label (labels.py).
SECTORS = codes("sector")
RETURN_TYPES = codes("return_type")
WORKSTREAMS = codes("workstream")
SPEND = codes("spend")
KINDS = codes("kind")
RATINGS = codes("rating")
PROJECT_STATUSES = codes("status")
LEVELS = codes("level")
COST_BASES = codes("cost_basis")  # the unit cost a service is compared on
DIRECTIONS = codes("direction")  # which way a performance indicator is better
REPEATS = codes("repeat")  # how an event recurs (blank: it does not)

EMAIL_EXAMPLE = "an address such as name@council.gov.uk"
# Plausible, not RFC 5322: one @, no spaces, a dot in the domain. A typo such as
# "name@council" or "name council.gov.uk" is what this is for.
_EMAIL = r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[A-Za-z]{2,}"
MONEY_LIMIT = 999_999_999_999 * MICRO + 99 * PENNY  # £999,999,999,999.99: int64 sums stay exact


@dataclass(frozen=True)
class Column:
    """One column of the contract: how to read it and whether it must be there."""

    name: str
    kind: str  # text, id, enum, money, year, date, dates, yesno, score, email, number, count, percent, quarter
    required: bool = True
    default: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    """One file of the contract."""

    name: str  # stem under data/, e.g. "partners"
    columns: tuple[Column, ...]
    required: bool = False
    folder: bool = False  # also read data/<name>/*.csv|xlsx
    unique: tuple[str, ...] = ()  # columns that identify a row: a repeat is an error


CONTRACT: tuple[FileSpec, ...] = (
    FileSpec(
        "partners",
        (
            Column("partner_id", "id"),
            Column("name", "text"),
            Column("sector", "enum", values=SECTORS),
            Column("baseline_gbp", "money", required=False),
            Column("in_target", "yesno", required=False, default="yes"),
            Column("sr04_baseline_gbp", "money", required=False),
            Column("sr04_ongoing_gbp", "money", required=False),
            Column("contact_name", "text", required=False, default=""),
            Column("contact_email", "email", required=False, default=""),
        ),
        required=True,
        unique=("partner_id",),
    ),
    FileSpec(
        "returns",
        (
            Column("partner_id", "partner"),
            Column("year", "year"),
            Column("return_type", "enum", values=RETURN_TYPES),
            Column("gain_ref", "text"),
            Column("description", "text"),
            Column("workstream", "enum", values=WORKSTREAMS),
            Column("spend", "enum", values=SPEND),
            Column("kind", "enum", required=False, default="gain", values=KINDS),
            Column("gross_gbp", "money"),
            Column("costs_gbp", "money", required=False, default="0"),
            Column("cash_releasing", "yesno"),
            Column("ongoing", "yesno"),
            Column("first_impact", "date"),
            Column("evidence", "text", required=False, default=""),
        ),
        required=True,
        folder=True,
    ),
    # When each return reached the support team: `sitegen returns receipt` adds a row as it
    # writes the receipt; a paper "as at" a date counts only the returns received by then.
    FileSpec(
        "received",
        (
            Column("partner_id", "partner"),
            Column("year", "year"),
            Column("return_type", "enum", values=RETURN_TYPES),
            Column("received", "date"),
        ),
        unique=("partner_id", "year", "return_type"),
    ),
    FileSpec(
        "rag_forecasts",
        (
            Column("partner_id", "partner"),
            Column("year", "year"),
            Column("rating", "enum", values=RATINGS),
            Column("comment", "text", required=False, default=""),
        ),
        unique=("partner_id", "year"),
    ),
    FileSpec(
        "use_of_resources",
        (
            Column("partner_id", "partner"),
            Column("assessment", "year"),
            Column("theme", "text"),
            Column("score", "score"),
        ),
        unique=("partner_id", "assessment", "theme"),
    ),
    # Results known only as counts ("five of the seven districts score 2"), where the
    # partners' own ratings are not: added to those given partner by partner.
    FileSpec(
        "rag_counts",
        (
            Column("year", "year"),
            Column("sector", "enum", values=SECTORS),
            Column("rating", "enum", values=RATINGS),
            Column("partners", "count"),
        ),
        unique=("year", "sector", "rating"),
    ),
    FileSpec(
        "use_of_resources_counts",
        (
            Column("assessment", "year"),
            Column("theme", "text"),
            Column("sector", "enum", values=SECTORS),
            Column("score", "score"),
            Column("organisations", "count"),
        ),
        unique=("assessment", "theme", "sector", "score"),
    ),
    FileSpec(
        "projects",
        (
            Column("project_id", "id"),
            Column("title", "text"),
            Column("partners", "partner_list"),
            Column("lead", "partner"),
            Column("funding_source", "text"),
            Column("funding_gbp", "money"),
            Column("status", "enum", values=PROJECT_STATUSES),
            Column("target_saving_gbp", "money", required=False),
            Column("summary", "text", required=False, default=""),
        ),
        unique=("project_id",),
    ),
    FileSpec(
        "risks",
        (
            Column("risk_id", "text"),
            Column("category", "text"),
            Column("description", "text"),
            Column("actions_taken", "text"),
            Column("likelihood", "enum", values=LEVELS),
            Column("impact", "enum", values=LEVELS),
            Column("mitigation", "text"),
            Column("owner", "text", required=False, default=""),
        ),
        unique=("risk_id",),
    ),
    # Benchmarking (docs/data-contract.md, "Unit costs and savings"): what each service is
    # compared on, its unit costs and performance by partner and year, savings by quarter.
    FileSpec(
        "services",
        (
            Column("service_id", "id"),
            Column("name", "text"),
            Column("cost_basis", "enum", values=COST_BASES),
            Column("unit_name", "text", required=False, default=""),
            Column("indicator", "text"),
            Column("indicator_unit", "text", required=False, default=""),
            Column("direction", "enum", values=DIRECTIONS),
            Column("summary", "text", required=False, default=""),
        ),
        unique=("service_id",),
    ),
    FileSpec(
        "unit_costs",
        (
            Column("partner_id", "partner"),
            Column("service", "service"),
            Column("year", "year"),
            Column("net_cost_gbp", "money"),
            Column("population", "count", required=False),
            Column("users", "count", required=False),
            Column("units", "count", required=False),
            Column("performance", "number"),
            Column("customer_value_pct", "percent", required=False),
        ),
        unique=("partner_id", "service", "year"),
    ),
    FileSpec(
        "savings_progress",
        (
            Column("partner_id", "partner"),
            Column("saving_ref", "text"),
            Column("description", "text"),
            Column("service", "service", required=False, default=""),
            Column("year", "year"),
            Column("quarter", "quarter"),
            Column("target_gbp", "money"),
            Column("achieved_gbp", "money"),
            Column("forecast_gbp", "money", required=False),
            Column("comment", "text", required=False, default=""),
        ),
        unique=("partner_id", "saving_ref", "year", "quarter"),
    ),
    # Newsletter editions list the events dated from the edition on.
    FileSpec(
        "events",
        (
            Column("title", "text"),
            Column("date", "date"),
            Column("time", "text", required=False, default=""),
            Column("venue", "text"),
            Column("description", "text", required=False, default=""),
            Column("organiser", "text", required=False, default=""),
            Column("booking", "text", required=False, default=""),
            # An event held more than once is one row: its first `date`, then `repeat` (every
            # week or fortnight) until a last date, and/or the other dates it is held on.
            Column("repeat", "enum", required=False, default="", values=REPEATS),
            Column("until", "date", required=False),
            Column("more_dates", "dates", required=False, default=""),
        ),
        unique=("title", "date"),
    ),
)


CONTRACT_BY_NAME = {spec.name: spec for spec in CONTRACT}



def data_file_name(kind: str) -> str:
    """How a message names the file of a kind: 'data/returns.csv (or a data/returns/ folder)'."""
    spec = CONTRACT_BY_NAME.get(kind)
    return f"data/{kind}.csv" + (f" (or a data/{kind}/ folder)" if spec is not None and spec.folder else "")
