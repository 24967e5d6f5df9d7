"""What sitegen reads from its environment, read in this one place.

`SOURCE_DATE_EPOCH` (reproducible-builds.org) dates what a build makes instead of the
clock: the same inputs give the same bytes. Light on purpose: the no-change build
reads it before anything else is imported.
"""

from __future__ import annotations

import datetime as dt
import os


class EnvironmentProblem(ValueError):
    """An environment variable holds what sitegen cannot use."""


def source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a moment in UTC, or None when it is not set."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    try:
        if not text.isdigit():
            raise ValueError(text)
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise EnvironmentProblem(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1 January 1970 (found {text!r})"
        ) from None
