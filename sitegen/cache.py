"""The build cache: what each output of the last build was made from.

A rebuild renders only the outputs whose inputs changed. Each output's record holds
the digest of everything it was made from — the page (its file, front matter and
body), the site around it (every page's title, place and settings: the navigation),
the templates it used, the tables it read, the settings and sitegen's version — and
the digest of what was written. An output whose inputs are unchanged, and whose copy
in `site/` is still the file the last build wrote, is hard-linked into the new site
instead of being rendered again.

The cache is a single file, `.sitegen-cache/index.pickle`, written only after a
build has succeeded. Anything wrong with it (another sitegen version, a damaged
file) means a clean build, never a wrong one. `sitegen build --clean` ignores it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sitegen import __version__

log = logging.getLogger(__name__)

CACHE_DIR = ".sitegen-cache"
INDEX = "index.pickle"
FORMAT = 2  # bump when the records change shape


def digest(*parts: str | bytes) -> str:
    """One digest of several inputs (length-prefixed, so parts cannot run together)."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(data: bytes) -> str:
    """The digest of a file's bytes, as write_into works it out while writing."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


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


@dataclass(frozen=True)
class WrittenFile:
    """A file of site/ as the last build left it: what it holds and how it looked on disk."""

    digest: str
    size: int
    mtime_ns: int
    inode: int


@dataclass
class BuildCache:
    """The records of the last build (read) and of this one (being written)."""

    project_dir: Path
    previous: dict[str, Any] = field(default_factory=dict)
    current: dict[str, dict[str, Any]] = field(default_factory=lambda: {"outputs": {}, "site": {}})

    @classmethod
    def open(cls, project_dir: Path, use_previous: bool = True) -> BuildCache:
        cache = cls(project_dir)
        if use_previous:
            cache.previous = _read_index(project_dir / CACHE_DIR / INDEX)
        return cache

    # ---- outputs ------------------------------------------------------------------

    def record_of(self, output: str) -> Any:
        """The last build's record for an output (a path under site/), or None."""
        return self.previous.get("outputs", {}).get(output)

    def keep(self, output: str, record: Any) -> None:
        """Remember an output's record for the next build."""
        self.current["outputs"][output] = record

    def reusable(self, output: str, written_digest: str, site_dir: Path) -> WrittenFile | None:
        """site/OUTPUT as the last build wrote it with this digest, if it is still that file."""
        seen = self.previous.get("site", {}).get(output)
        if seen is None or seen.digest != written_digest:
            return None
        try:
            now = (site_dir / output).stat()
        except OSError:
            return None
        return seen if (now.st_size, now.st_mtime_ns, now.st_ino) == (seen.size, seen.mtime_ns, seen.inode) else None

    # ---- saving -----------------------------------------------------------------------

    def note_written(self, output: str, written: WrittenFile) -> None:
        """What site/OUTPUT holds after this build."""
        self.current["site"][output] = written

    def save(self) -> None:
        """Write this build's records, replacing the last build's in one step."""
        document = {"format": FORMAT, "version": __version__, **self.current}
        replace_file(self.project_dir / CACHE_DIR / INDEX, pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))


def _read_index(path: Path) -> dict[str, Any]:
    """The last build's records, or nothing when they cannot be trusted."""
    try:
        with path.open("rb") as handle:
            document = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # a damaged or foreign file: build clean instead
        log.warning("ignoring the build cache %s (%s); building everything", path, exc)
        return {}
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != __version__:
        return {}
    return document


def link_into(staging: Path, output: str, site_file: Path, written: WrittenFile) -> WrittenFile:
    """Make staging/OUTPUT the unchanged file site/OUTPUT: usually it already is (the
    staging folder is the site before last, recycled), else a hard link, else a copy."""
    destination = staging / output
    try:
        if destination.stat().st_ino == written.inode:
            return written
        set_aside(destination, staging)
    except FileNotFoundError:
        destination.parent.mkdir(parents=True, exist_ok=True)
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


# ---- files out of the way ------------------------------------------------------------
#
# Freeing a file's blocks can cost milliseconds: 1.7 ms a file on the benchmark machine,
# whose file system is mounted with online discard. A build that replaces thousands of
# files would spend seconds deleting. Files the staging folder no longer wants are
# renamed into `.sitegen-cache/trash/` instead (a rename frees nothing), and the trash
# is emptied by a background process once the build is done.

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


# ---- the no-change build -------------------------------------------------------------
#
# Before loading anything, a build compares the state of every input file (size,
# modification and change times, inode) and of every file in site/ with what they were
# after the last build. When nothing differs there is nothing to do, and the build says
# so in the time it takes to list the files. The change time (ctime) cannot be set by
# programs, so a file rewritten with its old size and modification time still differs.

STATE = "state.json"
INPUT_FOLDERS = ("content", "data", "templates", "static")
PACKAGE_DIR = Path(__file__).parent


def inputs_state(project_dir: Path, strict: bool, base_url: str | None = None) -> str:
    """A digest of how every input file looks on disk, and of the build's settings."""
    lines = [_stat_line(project_dir / "sitegen.toml", "sitegen.toml")]
    for folder in INPUT_FOLDERS:
        lines += _walk_lines(project_dir / folder, folder)
    lines += _walk_lines(PACKAGE_DIR, "sitegen")  # the theme, and sitegen itself in a checkout
    settings = (__version__, sys.version, os.environ.get("SOURCE_DATE_EPOCH", ""), str(strict), str(base_url))
    return digest(*settings, "\n".join(lines))


def site_state(site_dir: Path, written: dict[str, WrittenFile] | None = None) -> str:
    """A digest of the files of site/: read from disk, or from what this build wrote."""
    if written is None:
        written = {}
        base = os.fspath(site_dir)
        for folder, _, files in os.walk(base):
            relative = os.path.relpath(folder, base).replace(os.sep, "/")
            for file in files:
                status = os.stat(os.path.join(folder, file), follow_symlinks=False)
                name = file if relative == "." else f"{relative}/{file}"
                written[name] = WrittenFile("", status.st_size, status.st_mtime_ns, status.st_ino)
    return digest("\n".join(f"{name}\t{w.size}\t{w.mtime_ns}\t{w.inode}" for name, w in sorted(written.items())))


def unchanged_since_last_build(project_dir: Path, strict: bool, base_url: str | None = None) -> dict[str, Any] | None:
    """The last build's summary if no input and no file of site/ has changed since, else None."""
    try:
        state = json.loads((project_dir / CACHE_DIR / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("inputs") != inputs_state(project_dir, strict, base_url):
        return None
    if state.get("site") != site_state(project_dir / "site"):
        return None
    return state.get("summary")


def remember_state(project_dir: Path, inputs: str, site: str, summary: dict[str, Any]) -> None:
    state = json.dumps({"inputs": inputs, "site": site, "summary": summary})
    replace_file(project_dir / CACHE_DIR / STATE, state.encode("utf-8"))


def forget_state(project_dir: Path) -> None:
    """A build has begun: until it succeeds, nothing is known to be up to date."""
    (project_dir / CACHE_DIR / STATE).unlink(missing_ok=True)


def _stat_line(path: Path | str, name: str) -> str:
    try:
        status = os.stat(path)  # a linked file: the file it leads to
    except OSError:
        return f"{name}\tmissing"
    return f"{name}\t{status.st_size}\t{status.st_mtime_ns}\t{status.st_ctime_ns}\t{status.st_ino}\t{status.st_mode}"


def _walk_lines(top: Path, name: str) -> list[str]:
    lines = []
    base = os.fspath(top)
    for folder, subfolders, files in os.walk(base):
        subfolders.sort()
        if "__pycache__" in subfolders:
            subfolders.remove("__pycache__")
        relative = os.path.relpath(folder, base).replace(os.sep, "/")
        prefix = f"{name}/" if relative == "." else f"{name}/{relative}/"
        for file in sorted(files):
            lines.append(_stat_line(os.path.join(folder, file), prefix + file))
    return lines
