"""Work spread over every core: a pool of forked worker processes.

Markdown, Jinja and WeasyPrint are pure Python, so threads would take turns; processes
run side by side. The workers are forked once the project is loaded, so they start
with the tables, pages and templates already in memory rather than reading them
again, and each item is sent to them as a small index into what they inherited.
Where there is no `fork` (Windows, macOS defaults) or one core, or only a few items,
the work runs in this process.

A worker that dies (SIGKILL, the kernel's out-of-memory killer) fails the build at
once with `WorkerDied` (concurrent.futures notices a lost worker; multiprocessing's
Pool waited for its work for ever), and a build stopped for any reason (Ctrl-C, an
error) kills its workers rather than waiting for them.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    pool = ProcessPoolExecutor(min(jobs, len(items)), mp_context=context, initializer=_start_worker)
    workers = _processes(pool)  # filled as the workers are forked; kept, as the executor forgets it on shutdown
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns that fork() in a process with threads may deadlock;
            # the workers touch none of the libraries whose threads exist here.
            warnings.simplefilter("ignore", DeprecationWarning)
            # Forks the workers and submits everything: a worker that dies meanwhile breaks
            # the pool before the last item is submitted, so this too is inside the `try`.
            with _ctrl_c_held():
                results = pool.map(_call, range(len(items)), chunksize=chunk)
        yield from results
    except BrokenProcessPool:
        _kill(list(workers.values()))
        # The executor's thread reaps the workers (waitpid) while it marks the pool broken;
        # a pool broken at submit is seen before it has finished: wait, so that the exit
        # codes are known (one process reaped by two threads tells one of them nothing).
        pool.shutdown(wait=True, cancel_futures=True)
        raise WorkerDied(f"a worker process died ({_deaths(list(workers.values()))}) while the build was using it;"
                         " the build stopped and site/ is as it was (short of memory? build with fewer processes:"
                         " -j)") from None
    except BaseException:  # stopped (Ctrl-C, an error): the workers end now, their work unfinished
        _kill(list(workers.values()))
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _INHERITED.clear()


class WorkerDied(Exception):
    """A worker process ended without finishing its work (killed, out of memory)."""


def _processes(pool: ProcessPoolExecutor) -> dict[int, multiprocessing.process.BaseProcess]:
    """The executor's own record of its workers (by pid), which it fills as it forks them."""
    return pool._processes  # type: ignore[attr-defined]  # not public; no public way to reach the workers


def _deaths(workers: list[multiprocessing.process.BaseProcess]) -> str:
    """How the workers that died ended: "killed by SIGKILL", "exit status 3"."""
    how = set()
    for process in workers:
        process.join(1)
        code = process.exitcode
        if code is not None and code < 0:
            how.add(f"killed by {signal.Signals(-code).name}")
        elif code:
            how.add(f"exit status {code}")
    if len(how) > 1:
        how.discard("killed by SIGTERM")  # the others, ended by the executor when one died
    return ", ".join(sorted(how)) or "ended abruptly"


def _kill(workers: list[multiprocessing.process.BaseProcess]) -> None:
    """End every worker now: Ctrl-C or a failure must not wait for their work to finish."""
    for process in workers:
        if process.is_alive():
            process.kill()


def die_with_parent() -> None:
    """This (forked) process is killed when the process that forked it dies (Linux)."""
    if sys.platform.startswith("linux"):
        try:  # prctl(PR_SET_PDEATHSIG, SIGKILL)
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C waits while the workers are forked: a worker starts with it held, and lets
    it go only once it ignores it (_start_worker), never in Python's start-up of the
    process (where it printed a traceback); the build gets it as soon as they are forked."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _start_worker() -> None:
    """A worker ends with the build that forked it, holds none of its locks, and leaves
    Ctrl-C (sent by the terminal to every process of the build) to the build, which ends it."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held since the fork (_ctrl_c_held)
    for descriptor in list(HELD):
        os.close(descriptor)


def _call(index: int) -> Any:
    return _INHERITED["function"](_INHERITED["items"][index])
