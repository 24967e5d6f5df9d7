"""Replacing `site/` in one step, and tidying up after a build that was killed.

A build writes the new site into `.site-new-XXXX` beside `site/`, then swaps the two.
On Linux the swap is one `renameat2(RENAME_EXCHANGE)` system call: at every instant
`site/` is either the old site or the new one, complete, even if the process is
killed with SIGKILL. Elsewhere (or on a file system without the call) it is two
renames, `site/` → `.site-old-XXXX` then staging → `site/`; a kill between them
leaves no `site/` but the old one beside it, and `recover()`, run at the start of
every build, puts it back. Builds of one project take turns: each holds an
exclusive lock on the project folder while it recovers and while it writes.

Not covered: a power cut (nothing is fsync'ed), or two machines building one
project on a network file system without working locks.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sitegen.workers import HELD

log = logging.getLogger(__name__)

STAGING_PREFIX = ".site-new-"
RETIRED_PREFIX = ".site-old-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> Callable[..., int] | None:
    """libc's renameat2 (glibc 2.28+), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2  # libc, already loaded
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _load_renameat2()  # looked up once; read-only afterwards


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False when this system cannot (then nothing moved)."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without RENAME_EXCHANGE
    raise OSError(code, f"cannot swap {first} and {second}: {os.strerror(code)}")


def swap_in(staging: Path, target: Path, keep_old: Path | None = None) -> None:
    """Make `staging` the new `target`, never leaving `target` half written.

    The old site is deleted, or moved to `keep_old` for the next build to recycle.
    """
    os.chmod(staging, 0o755)  # mkdtemp made it private
    if not target.exists():
        staging.rename(target)
        return
    if exchange(staging, target):
        _retire(staging, keep_old)  # staging now holds the old site
        return
    retired = Path(tempfile.mkdtemp(prefix=RETIRED_PREFIX, dir=target.parent))
    retired.rmdir()
    target.rename(retired)
    staging.rename(target)  # a kill before this line is undone by recover()
    _retire(retired, keep_old)


def _retire(old_site: Path, keep_old: Path | None) -> None:
    if keep_old is not None and not keep_old.exists():
        keep_old.parent.mkdir(parents=True, exist_ok=True)
        old_site.rename(keep_old)
    else:
        shutil.rmtree(old_site, ignore_errors=True)


def recover(target: Path) -> list[str]:
    """Undo what a killed build left beside `target`; return what was done, for the log."""
    parent = target.parent
    if not parent.is_dir():
        return []  # no project: loading it will say so
    with output_lock(parent):
        return _recover(target)


def _recover(target: Path) -> list[str]:
    parent = target.parent
    done: list[str] = []
    retired = sorted((p for p in parent.glob(RETIRED_PREFIX + "*") if p.is_dir()),
                     key=lambda p: p.stat().st_mtime_ns)
    if not target.exists() and retired:
        newest = retired.pop()
        newest.rename(target)
        done.append(f"restored {target.name}/ from {newest.name}")
    staging = [p for p in parent.glob(STAGING_PREFIX + "*") if p.is_dir() and not _in_use(p)]
    for leftover in [*retired, *staging]:
        shutil.rmtree(leftover, ignore_errors=True)
        done.append(f"removed {leftover.name}")
    for line in done:
        log.info("%s (left by an interrupted build)", line)
    return done


@contextlib.contextmanager
def hold(folder: Path) -> Iterator[None]:
    """Mark a staging folder as in use by this build, for as long as it renders into it."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    HELD.add(descriptor)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        HELD.discard(descriptor)
        os.close(descriptor)


def _in_use(folder: Path) -> bool:
    """A staging folder another build is still rendering into (it holds a lock on it)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


@contextlib.contextmanager
def output_lock(project_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the project folder (one writer at a time)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; builds must not overlap there
        yield
        return
    descriptor = os.open(project_dir, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def replace_file(path: Path, data: bytes) -> None:
    """Write PATH whole or not at all: a new file beside it, renamed over it, so that a
    build killed midway leaves the old file, never half a new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

