"""Work spread over every core: a pool of forked worker processes.

Markdown, Jinja and WeasyPrint are pure Python, so threads would take turns; processes
run side by side. The workers are forked once the project is loaded, so they start
with the tables, pages and templates already in memory rather than reading them
again, and each item is sent to them as a small index into what they inherited.
Where there is no `fork` (Windows, macOS defaults) or one core, or only a few items,
the work runs in this process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Descriptors whose locks this process holds (build/atomic.py's staging folder locks):
# worker processes forked meanwhile close their copies, so that the locks end with this
# process even if a worker outlives it.
HELD: set[int] = set()

# What the workers inherit: set just before the pool is forked, read by `_call`.
_INHERITED: dict[str, Any] = {}


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def in_parallel(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int | None = None,
    smallest: int = 8,
) -> Iterator[Result]:
    """`function(item)` for every item, in order, on up to `jobs` processes.

    `function` may use anything the calling process holds (it is inherited through
    fork, never pickled); items and results are pickled, so keep them small.
    """
    jobs = available_cores() if jobs is None else jobs
    if jobs <= 1 or len(items) < smallest or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    _INHERITED["function"] = function
    _INHERITED["items"] = items
    context = multiprocessing.get_context("fork")
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns that fork() in a process with threads may deadlock;
            # the workers touch none of the libraries whose threads exist here.
            warnings.simplefilter("ignore", DeprecationWarning)
            pool = context.Pool(min(jobs, len(items)), initializer=_start_worker)
        with pool:
            yield from pool.imap(_call, range(len(items)), chunksize=chunk)
    finally:
        _INHERITED.clear()


def die_with_parent() -> None:
    """This (forked) process is killed when the process that forked it dies (Linux)."""
    if sys.platform.startswith("linux"):
        try:  # prctl(PR_SET_PDEATHSIG, SIGKILL)
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


def _start_worker() -> None:
    """A worker ends with the build that forked it, and holds none of its locks."""
    die_with_parent()
    for descriptor in list(HELD):
        os.close(descriptor)


def _call(index: int) -> Any:
    return _INHERITED["function"](_INHERITED["items"][index])
