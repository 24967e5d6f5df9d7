"""Tables as at a date: only what the support team had on that day.

A return counts from the day it was received (`data/received.csv`, one row per return,
which `sitegen returns receipt` adds to). A use of resources assessment of a year counts
once that year has ended. Everything else in data/ carries no date and is taken as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from sitegen.config import Config
from sitegen.data.load import Dataset
from sitegen.errors import Problem
from sitegen.tables.compute import compute_tables
from sitegen.tables.table import Table
from sitegen.values import format_financial_year

RECEIVED_FILE = "data/received.csv"
RETURN_KEY = ["partner_id", "year", "return_type"]


def dataset_as_at(dataset: Dataset, day: dt.date) -> Dataset:
    """The dataset as it stood at the end of DAY."""
    end = pd.Timestamp(day)
    lines = dataset.lines
    received = _received(dataset)
    if len(received):
        dates = lines[RETURN_KEY].merge(received, on=RETURN_KEY, how="left")["received"]
        # A return with no received date was there before dates were kept: counted (and warned of).
        keep = (dates.isna() | (dates <= end)).to_numpy()
        lines = lines[keep]
    uor = dataset.use_of_resources
    year_ended = pd.to_datetime((uor["assessment"].astype("int64") + 1).astype(str) + "-03-31")
    return replace(dataset, lines=lines, use_of_resources=uor[(year_ended <= end).to_numpy()])


def tables_as_at(dataset: Dataset, config: Config, day: dt.date) -> dict[str, Table]:
    """Every table of the project, computed from the data as it stood at the end of DAY."""
    return compute_tables(dataset_as_at(dataset, day), config)


def undated_returns(dataset: Dataset) -> list[Problem]:
    """A warning for each return with no received date (counted in every as-at table)."""
    received = _received(dataset)
    returns = dataset.lines[[*RETURN_KEY, "_file"]].drop_duplicates(RETURN_KEY)
    known = set(map(tuple, received[RETURN_KEY].itertuples(index=False))) if len(received) else set()
    return [
        Problem(row._file, None, None,
                f"no received date for the {format_financial_year(int(row.year))} {row.return_type} return "
                f"of {row.partner_id} in {RECEIVED_FILE}: counted in every table as at a date",
                severity="warning")
        for row in returns.itertuples(index=False)
        if (row.partner_id, row.year, row.return_type) not in known
    ]


def _received(dataset: Dataset) -> pd.DataFrame:
    received = dataset.received
    if received is None or not len(received):
        return pd.DataFrame(columns=[*RETURN_KEY, "received"])
    frame = received[[*RETURN_KEY, "received"]].copy()
    frame["received"] = pd.to_datetime(frame["received"]).dt.normalize()
    return frame.astype({"year": dataset.lines["year"].dtype})
