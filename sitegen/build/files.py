"""The files of the staging folder: written and digested in one pass, linked unchanged
from the last site, set aside instead of deleted, and pruned to this build's outputs."""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from sitegen.build.state import CACHE_DIR, WrittenFile


def link_into(staging: Path, output: str, site_file: Path | str, written: WrittenFile) -> WrittenFile:
    """Make staging/OUTPUT the unchanged file site/OUTPUT: usually it already is (the
    staging folder is the site before last, recycled), else a hard link, else a copy."""
    destination = os.path.join(staging, output)  # (strings: done for every kept file, pathlib costs)
    try:
        if os.stat(destination).st_ino == written.inode:
            return written
        set_aside(Path(destination), staging)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(destination), exist_ok=True)
    try:
        os.link(site_file, destination)
        return written
    except OSError:  # no hard links here: a copy keeps the same bytes
        shutil.copy2(site_file, destination)
        status = destination.stat()
        return WrittenFile(written.digest, status.st_size, status.st_mtime_ns, status.st_ino)


def write_into(staging: Path, output: str, data: bytes | Callable[[BinaryIO], None]) -> WrittenFile:
    """A freshly made output, written into the staging folder: bytes, or a writer that
    streams it (a table of a million rows is never one string)."""
    path = staging / output
    path.parent.mkdir(parents=True, exist_ok=True)
    set_aside(path, staging)  # never write through a hard link into a published file
    with path.open("wb") as handle:
        hashing = _Hashing(handle)
        if isinstance(data, bytes):
            hashing.write(data)
        else:
            data(hashing)  # type: ignore[arg-type]
    status = path.stat()
    return WrittenFile(hashing.hexdigest(), status.st_size, status.st_mtime_ns, status.st_ino)


class _Hashing:
    """A file being written, and the digest of what went into it (as digest() of its bytes)."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.hasher = hashlib.blake2b(digest_size=20)

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        return self.handle.write(data)

    def hexdigest(self) -> str:
        return self.hasher.hexdigest()


TRASH = "trash"


_set_aside_numbers = itertools.count()


def set_aside(path: Path, staging: Path) -> None:
    """Take the file PATH out of the staging folder, to be deleted later (if it exists)."""
    trash = staging.parent / CACHE_DIR / TRASH
    name = trash / f"{os.getpid()}-{next(_set_aside_numbers)}"
    try:
        os.rename(path, name)
    except FileNotFoundError:
        if not os.path.lexists(path):
            return
        trash.mkdir(parents=True, exist_ok=True)
        os.rename(path, name)


def empty_trash(project_dir: Path) -> None:
    """Delete what builds set aside, in a process of its own that the build does not wait for."""
    cache = project_dir / CACHE_DIR
    trash = cache / TRASH
    if trash.is_dir():
        trash.rename(cache / f"{TRASH}-{os.getpid()}-{time.time_ns()}")  # the next build sets aside anew
    emptying = sorted(str(path) for path in cache.glob(TRASH + "-*"))
    if emptying:  # the launcher forks the deleter and returns at once
        subprocess.run([sys.executable, "-c", _EMPTY_TRASH, *emptying], check=False, start_new_session=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_EMPTY_TRASH = """
import os, shutil, sys
if hasattr(os, "fork") and os.fork():
    os._exit(0)
for path in sys.argv[1:]:
    shutil.rmtree(path, ignore_errors=True)
"""


def prune(staging: Path, outputs: set[str], held: Iterable[str] | None) -> None:
    """Remove what a recycled staging folder holds beyond this build's outputs; `held`
    lists what it holds when the last build knew (else the folder is walked)."""
    if held is not None:
        for output in set(held) - outputs:
            path = staging / output
            set_aside(path, staging)
            for folder in path.parents:
                if folder == staging or any(folder.iterdir()):
                    break
                folder.rmdir()
        return
    for folder, subfolders, files in os.walk(staging, topdown=False):
        relative = os.path.relpath(folder, staging)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in files:
            if prefix + name not in outputs:
                set_aside(Path(folder, name), staging)
        if prefix and not os.listdir(folder):
            os.rmdir(folder)

