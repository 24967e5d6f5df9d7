"""The days an event is held: its first date, a weekly or fortnightly repeat up to its
last date, and any other dates listed (events.csv's `repeat`, `until`, `more_dates`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

STEP = {"weekly": dt.timedelta(weeks=1), "fortnightly": dt.timedelta(weeks=2)}


def event_dates(first: dt.date, repeat: str, until: dt.date | None, more: Iterable[dt.date] = ()) -> list[dt.date]:
    """Every day the event is held, in order, each once."""
    days = {first, *more}
    if repeat in STEP and until is not None:
        day = first
        while day <= until:
            days.add(day)
            day += STEP[repeat]
    return sorted(days)


def with_dates(events: pd.DataFrame) -> pd.DataFrame:
    """events.csv's rows with `until` as an ISO date (or blank) and `dates`: every day each is
    held, as ISO dates joined by ';', in order."""
    events = events.copy()
    dates = []
    for first, repeat, until, more in zip(events["date"], events["repeat"], events["until"], events["more_dates"],
                                          strict=True):
        listed = [dt.date.fromisoformat(day) for day in more.split(";") if day]
        last = None if pd.isna(until) else until.date()
        dates.append(";".join(day.isoformat() for day in event_dates(first.date(), repeat, last, listed)))
    events["until"] = [("" if pd.isna(day) else day.date().isoformat()) for day in events["until"]]
    events["dates"] = dates
    return events
