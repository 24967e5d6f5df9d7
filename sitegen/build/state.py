"""The one record of what builds made, from what: whether an output is current is
decided here and nowhere else.

Every output of a build (a page's HTML, a PDF, a table file, a copied file) is recorded
while it is made: the digest of everything it was made from (its *inputs*; for a page
also the tables and templates it used, found while rendering it) and how the file
looked on disk when written. A later build keeps an output whose inputs are unchanged
and whose copy in `site/` is still that file (`BuildState.reusable`); everything else
is made again. Besides the outputs, the state holds what later builds reuse without it
being an output: agenda-pack parts laid out by earlier builds, each page's search
terms, the link targets the links were last checked against, and the facts of the
no-change build (see `unchanged_build`).

It is one SQLite database, `.sitegen-cache/state.sqlite` (Lektor's builder keeps its
dependencies the same way): one file, written in transactions, readable from the
worker processes that lay out parts and index pages. The outputs' records are replaced
in one transaction once a build has made everything, just before its site is swapped
in, naming the folder that becomes site/: the swap commits the site and its record as
one, so a failed build leaves the last good record, and one killed between the two
leaves a record the next build sees is not of site/ (and makes every output again). Anything wrong with the database (another sitegen version, a damaged
file) means a clean build, never a wrong one; `sitegen build --clean` ignores it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen import __version__
from sitegen.build.atomic import recover
from sitegen.build.result import BuildResult
from sitegen.environment import EnvironmentProblem, source_date_epoch
from sitegen.records import RECORDS_DIR

if TYPE_CHECKING:  # the no-change build must not load pandas: the project is imported when a memo is read
    from sitegen.project import LoadMemo

log = logging.getLogger(__name__)

CACHE_DIR = ".sitegen-cache"
DATABASE = "state.sqlite"
CHARTS_DIR = "charts"  # charts drawn by earlier builds (render/chartcache.py)
TEMPLATES_DIR = "templates"  # the layouts compiled by Jinja (render/pages.make_environment)
MEMO = "project.pickle"  # what loading the project computed (project.LoadMemo)
FORMAT = 5  # bump when the records or tables change shape

_SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (
    output TEXT PRIMARY KEY, record BLOB NOT NULL,
    digest TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS parts (
    pack TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL, pdf BLOB NOT NULL, PRIMARY KEY (pack, key));
CREATE TABLE IF NOT EXISTS terms (shard TEXT PRIMARY KEY, words BLOB NOT NULL);
"""


def digest(*parts: str | bytes) -> str:
    """One digest of several inputs (length-prefixed, so parts cannot run together)."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(data: bytes) -> str:
    """The digest of a file's bytes, as files.write_into works it out while writing."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass(frozen=True)
class WrittenFile:
    """A file of site/ as a build left it: what it holds and how it looked on disk."""

    digest: str
    size: int
    mtime_ns: int
    inode: int


class _Database:
    """The state database, opened anew in each process that uses it (a connection must
    not cross a fork: the build's workers open their own)."""

    def __init__(self, path: Path):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def connection(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


def _open_database(project_dir: Path) -> _Database:
    """The project's state database, emptied when it is from another sitegen or damaged."""
    database = _Database(project_dir / CACHE_DIR / DATABASE)
    try:
        connection = database.connection()
        found = dict(connection.execute("SELECT name, value FROM facts WHERE name IN ('format', 'version')"))
        if found != {"format": str(FORMAT), "version": __version__}:
            if found:
                log.info("the build state is from another sitegen; building everything")
            _reset(connection)
        return database
    except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
        log.warning("ignoring the build state %s (%s); building everything", database.path, exc)
        database.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database.path}{suffix}").unlink(missing_ok=True)
        database = _Database(database.path)
        _reset(database.connection())
        return database


def _reset(connection: sqlite3.Connection) -> None:
    with _transaction(connection):
        for table in ("facts", "outputs", "parts", "terms"):
            connection.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        connection.executemany("INSERT INTO facts VALUES (?, ?)", [("format", str(FORMAT)), ("version", __version__)])


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: the writes inside happen together, or not at all."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass
class BuildState:
    """The last build's records (read) and this build's (being made), in one place.

    `use_previous=False` (`--clean`) trusts nothing recorded: every output is made
    anew, every part laid out anew, every page's terms counted anew. A state that is
    not of the site/ there is (`_describes_site`) keeps no output and no fact of the
    last build, but its parts and terms, found by digests of what they are made from,
    are still used."""

    project_dir: Path
    use_previous: bool = True
    database: _Database | None = None  # None: `sitegen check`, which keeps nothing
    outputs_trusted: bool = False  # the last build's outputs and facts are of the site/ there is
    previous_outputs: dict[str, tuple[bytes, WrittenFile]] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)  # this build's, by output
    written: dict[str, WrittenFile] = field(default_factory=dict)  # this build's, by output
    facts: dict[str, Any] = field(default_factory=dict)  # this build's facts, saved with it
    _decoded: dict[str, Any] = field(default_factory=dict)  # the last build's records read so far, by output
    _site_folder_read: str | None = None  # the folder the rows read are of

    @classmethod
    def open(cls, project_dir: Path, use_previous: bool = True, decoded: Mapping[bytes, Any] | None = None) -> BuildState:
        """DECODED: records already read, by their bytes (`sitegen serve` keeps them between
        builds: decoded_records), so that only those made since are read again."""
        database = _open_database(project_dir)
        trusted = use_previous and _describes_site(database.connection(), project_dir / "site")
        if use_previous and not trusted:
            log.info("the build state is not of the site/ there is (a build was stopped midway); making every output")
        state = cls(project_dir, use_previous, database, trusted)
        if trusted:
            connection = database.connection()
            with _transaction(connection):  # the rows and the folder they are of, read together
                state._site_folder_read = _site_folder(connection)
                rows = connection.execute("SELECT output, record, digest, size, mtime_ns, inode FROM outputs")
                state.previous_outputs = {row[0]: (row[1], WrittenFile(*row[2:])) for row in rows}
            if decoded:
                state._decoded = {output: record for output, (blob, _) in state.previous_outputs.items()
                                  if (record := decoded.get(blob)) is not None}
        return state

    @classmethod
    def last_build(cls, project_dir: Path) -> BuildState:
        """The last build's records, read only, and only if they are of the site/ there is
        (`sitegen pack` takes the PDFs they show current); else a state that knows nothing.
        Nothing is written: neither the database nor site/ changes."""
        state = cls.unsaved(project_dir)
        try:
            with contextlib.closing(sqlite3.connect(f"file:{project_dir / CACHE_DIR / DATABASE}?mode=ro", uri=True,
                                                    timeout=60)) as connection:
                found = dict(connection.execute("SELECT name, value FROM facts WHERE name IN ('format', 'version')"))
                if found != {"format": str(FORMAT), "version": __version__} or \
                        not _describes_site(connection, project_dir / "site"):
                    return state
                rows = connection.execute("SELECT output, record, digest, size, mtime_ns, inode FROM outputs")
                state.previous_outputs = {row[0]: (row[1], WrittenFile(*row[2:])) for row in rows}
        except (sqlite3.DatabaseError, OSError):  # none, damaged or being replaced: nothing is current
            return cls.unsaved(project_dir)
        state.outputs_trusted = True
        return state

    @classmethod
    def unsaved(cls, project_dir: Path) -> BuildState:
        """A state that remembers nothing and keeps nothing (`sitegen check`)."""
        return cls(project_dir, use_previous=False)

    # ---- outputs: is it current? -------------------------------------------------------

    def record_of(self, output: str) -> Any:
        """The last build's record of an output (a path under site/), or None."""
        found = self.previous_outputs.get(output)
        if found is None:
            return None
        record = self._decoded.get(output)
        if record is None:
            try:
                record = self._decoded[output] = pickle.loads(found[0])
            except Exception:  # noqa: BLE001 - a record this sitegen cannot read: make it anew
                return None
        return record

    def reusable(self, output: str, written_digest: str, site_dir: Path) -> WrittenFile | None:
        """site/OUTPUT as the last build wrote it with this digest, if it is still that file."""
        found = self.previous_outputs.get(output)
        if found is None or found[1].digest != written_digest:
            return None
        seen = found[1]
        try:
            now = os.stat(os.path.join(site_dir, output))
        except OSError:
            return None
        return seen if (now.st_size, now.st_mtime_ns, now.st_ino) == (seen.size, seen.mtime_ns, seen.inode) else None

    def keep(self, output: str, record: Any, written: WrittenFile) -> None:
        """This build's record of OUTPUT (what it was made from) and what site/OUTPUT holds."""
        self.records[output] = record
        self.written[output] = written

    @property
    def previous_files(self) -> list[str] | None:
        """The outputs the last build left (what the site before it, recycled, holds)."""
        return list(self.previous_outputs) if self.outputs_trusted else None

    # ---- facts: what the last build knew ---------------------------------------------

    def previous_fact(self, name: str) -> Any:
        """A fact the last build recorded (such as the link targets), or None."""
        if self.database is None or not self.outputs_trusted:
            return None
        row = self.database.connection().execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        try:
            return None if row is None else pickle.loads(row[0])
        except Exception:  # noqa: BLE001
            return None

    # ---- reused without being outputs -------------------------------------------------

    def parts(self, pack: str, print_inputs: str) -> PartCache:
        """The laid-out parts of one agenda pack (see pdf/packs.py)."""
        return PartCache(self.database, pack, print_inputs, self.use_previous)

    def forget_packs_except(self, packs: Iterable[str]) -> None:
        """Drop the parts of meetings no longer in the site."""
        if self.database is not None:
            wanted = set(packs)
            with _transaction(self.database.connection()) as connection:
                held = {pack for (pack,) in connection.execute("SELECT DISTINCT pack FROM parts")}
                connection.executemany("DELETE FROM parts WHERE pack = ?", [(pack,) for pack in held - wanted])

    def terms(self) -> TermCache:
        """The search terms of the pages, by shard (see search.py)."""
        return TermCache(self.database, self.use_previous)

    # ---- saving ------------------------------------------------------------------------

    def save(self, inputs: str, site: str, summary: Mapping[str, Any], site_folder: Path) -> None:
        """This build's records in place of the last build's, in one transaction, with
        the facts of the no-change build: the inputs and site as they are now.

        Saved just before `site_folder` (the staging folder) is swapped in as site/, and
        naming it (its inode and device, which the swap keeps): a build killed between
        the two leaves a state that names another folder than site/, which the next
        build therefore does not trust (`_describes_site`). The site and its state are
        so committed as one: by the swap."""
        if self.database is None:
            return
        folder = site_folder.stat()
        facts = {**{name: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for name, value in self.facts.items()},
                 "inputs": inputs, "site": site, "summary": json.dumps(summary), "ended": repr(time.time()),
                 "site_folder": f"{folder.st_dev}:{folder.st_ino}"}
        # Only the rows that differ from the last build's are written: an edit's build
        # writes a few rows, not one per output of the site.
        def rows(changed_only: bool) -> list[tuple[str, bytes, str, int, int, int]]:
            return [(output, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), w.digest, w.size, w.mtime_ns,
                     w.inode)
                    for output, record in self.records.items() for w in (self.written[output],)
                    if not changed_only or self._decoded.get(output) is not record
                    or self.previous_outputs[output][1] != w]

        with _transaction(self.database.connection()) as connection:
            if self.previous_outputs and _site_folder(connection) == self._site_folder_read:
                # The rows are still the ones read: only those that differ are written (an
                # edit's build writes a few rows, not one per output of the site).
                connection.executemany("DELETE FROM outputs WHERE output = ?",
                                       [(output,) for output in self.previous_outputs if output not in self.records])
                connection.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)", rows(True))
            else:  # a clean build, a state not of this site, or another build saved meanwhile
                connection.execute("DELETE FROM outputs")
                connection.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?, ?, ?)", rows(False))
            connection.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?)", list(facts.items()))

    def close(self) -> None:
        if self.database is not None:
            self.database.close()


def decoded_records(project_dir: Path, known: Mapping[bytes, Any]) -> dict[bytes, Any]:
    """The records the last build saved, decoded, by their bytes: those in KNOWN taken from
    it, the rest read (a few after an edit's build). Any trouble reading: none."""
    path = project_dir / CACHE_DIR / DATABASE
    found: dict[bytes, Any] = {}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)) as connection:
            for (blob,) in connection.execute("SELECT record FROM outputs"):
                record = known.get(blob)
                found[blob] = record if record is not None else pickle.loads(blob)
    except Exception:  # noqa: BLE001 - the build reads them itself
        return {}
    return found


def _site_folder(connection: sqlite3.Connection) -> str | None:
    """The folder the saved records are of (see `save`)."""
    row = connection.execute("SELECT value FROM facts WHERE name = 'site_folder'").fetchone()
    return None if row is None else str(row[0])


def _describes_site(connection: sqlite3.Connection, site_dir: Path) -> bool:
    """Whether the records in the database are of the folder now at site/ (see `save`)."""
    saved = _site_folder(connection)
    try:
        folder = site_dir.stat()
    except OSError:
        return False
    return saved is not None and saved == f"{folder.st_dev}:{folder.st_ino}"


class PartCache:
    """The parts of one meeting's pack laid out by earlier builds.

    A part is found by a digest of all it is made from (its HTML, and `print_inputs`:
    the files and settings every PDF depends on), so a part found is the part as it
    would be laid out now; it is stored with a digest of its bytes, so a damaged one is
    laid out again rather than used. Used from the workers that lay parts out."""

    def __init__(self, database: _Database | None, pack: str, print_inputs: str, use_previous: bool = True):
        self.database = database
        self.pack = pack
        self.print_inputs = print_inputs
        self.use_previous = use_previous

    def key(self, html: str) -> str:
        return digest(self.print_inputs, html)

    def load(self, key: str) -> bytes | None:
        if not self.use_previous or self.database is None:
            return None
        row = self.database.connection().execute(
            "SELECT digest, pdf FROM parts WHERE pack = ? AND key = ?", (self.pack, key)).fetchone()
        return bytes(row[1]) if row is not None and file_digest(row[1]) == row[0] else None

    def save(self, key: str, data: bytes) -> None:
        if self.database is not None:
            with _transaction(self.database.connection()) as connection:
                connection.execute("INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?)",
                                   (self.pack, key, file_digest(data), data))

    def stored(self) -> list[str]:
        """The keys of the parts kept for this pack."""
        if self.database is None:
            return []
        rows = self.database.connection().execute("SELECT key FROM parts WHERE pack = ? ORDER BY key", (self.pack,))
        return [key for (key,) in rows]

    def keep_only(self, keys: set[str]) -> None:
        """Forget the parts the pack no longer uses."""
        if self.database is not None:
            with _transaction(self.database.connection()) as connection:
                held = [key for (key,) in connection.execute("SELECT key FROM parts WHERE pack = ?", (self.pack,))]
                connection.executemany("DELETE FROM parts WHERE pack = ? AND key = ?",
                                       [(self.pack, key) for key in held if key not in keys])


class TermCache:
    """Each shard's pages' search terms as earlier builds counted them (page URL →
    search.PageWords), read only for a shard being rebuilt, so that a shard rebuilt for
    one page counts that page alone. Entries are checked by the digest of their words,
    so a stale or damaged one costs time, never a wrong index."""

    def __init__(self, database: _Database | None, use_previous: bool):
        self.database = database
        self.use_previous = use_previous

    def load(self, shard: str) -> dict[str, Any]:
        if not self.use_previous or self.database is None:
            return {}
        row = self.database.connection().execute("SELECT words FROM terms WHERE shard = ?", (shard,)).fetchone()
        try:
            found = pickle.loads(row[0]) if row is not None else {}
        except Exception:  # noqa: BLE001 - damaged or from another version: counted again
            return {}
        return found if isinstance(found, dict) else {}

    def save(self, shard: str, words: Mapping[str, Any]) -> None:
        if self.database is not None:
            data = pickle.dumps(dict(words), protocol=pickle.HIGHEST_PROTOCOL)
            with _transaction(self.database.connection()) as connection:
                connection.execute("INSERT OR REPLACE INTO terms VALUES (?, ?)", (shard, data))

    def keep_only(self, shards: Iterable[str]) -> None:
        """Forget the shards the index no longer has (the site grew or shrank)."""
        if self.database is not None:
            wanted = set(shards)
            with _transaction(self.database.connection()) as connection:
                held = [shard for (shard,) in connection.execute("SELECT shard FROM terms")]
                connection.executemany("DELETE FROM terms WHERE shard = ?", [(s,) for s in held if s not in wanted])


# ---- what loading the project computed ---------------------------------------------------
#
# The data, the tables computed from it and the records of issued papers are the
# second most of an edit's rebuild after the pages themselves: kept here, pickled, with
# the state of the files each value came from (project.LoadMemo), and of sitegen and the
# Python running it. A memo that cannot be read is an empty one: everything computed anew.

def _memo_header() -> bytes:
    import pandas

    code = digest(__version__, sys.version, pandas.__version__, "\n".join(_walk_lines(PACKAGE_DIR, "sitegen")))
    return f"sitegen-memo {FORMAT} {code}\n".encode("ascii")


def read_memo(project_dir: Path) -> LoadMemo:
    """The memo the last build left, if it was left by this sitegen."""
    from sitegen.project import LoadMemo

    try:
        with (project_dir / CACHE_DIR / MEMO).open("rb") as file:
            if file.readline() != _memo_header():
                return LoadMemo()
            memo = pickle.load(file)
    except Exception:  # noqa: BLE001 - missing, damaged or from another version: computed anew
        return LoadMemo()
    return memo if isinstance(memo, LoadMemo) else LoadMemo()


def save_memo(project_dir: Path, memo: LoadMemo) -> None:
    """Keep MEMO for the next build (written whole, then put in place)."""
    from sitegen.project import LoadMemo

    path = project_dir / CACHE_DIR / MEMO
    temporary = path.with_name(f".{MEMO}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file:
            file.write(_memo_header())
            pickle.dump(LoadMemo(memo.entries), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # a memo that cannot be kept costs time next build, nothing else
        log.debug("could not keep the load memo", exc_info=True)
        temporary.unlink(missing_ok=True)


# ---- the no-change build -------------------------------------------------------------
#
# Before loading anything, a build compares the state of every input file (size,
# modification and change times, inode) and of every file in site/ with what they were
# after the last build. When nothing differs there is nothing to do, and the build says
# so in the time it takes to list the files. The change time (ctime) cannot be set by
# programs, so a file rewritten with its old size and modification time still differs.

INPUT_FOLDERS = ("content", "data", "templates", "static", RECORDS_DIR)  # issued/: the records of issued papers
PACKAGE_DIR = Path(__file__).parent.parent  # sitegen/: its code and theme


def inputs_state(project_dir: Path, strict: bool, base_url: str | None = None) -> str:
    """A digest of how every input file looks on disk, and of the build's settings."""
    lines = [_stat_line(project_dir / "sitegen.toml", "sitegen.toml")]
    for folder in INPUT_FOLDERS:
        lines += _walk_lines(project_dir / folder, folder)
    lines += _walk_lines(PACKAGE_DIR, "sitegen")  # the theme, and sitegen itself in a checkout
    settings = (__version__, sys.version, str(source_date_epoch()), str(strict), str(base_url))
    return digest(*settings, "\n".join(lines))


def site_state(site_dir: Path, written: Mapping[str, WrittenFile] | None = None) -> str:
    """A digest of the files of site/: read from disk, or from what this build wrote."""
    if written is None:
        found = {}
        base = os.fspath(site_dir)
        for folder, _, files in os.walk(base):
            relative = os.path.relpath(folder, base).replace(os.sep, "/")
            for file in files:
                status = os.stat(os.path.join(folder, file), follow_symlinks=False)
                name = file if relative == "." else f"{relative}/{file}"
                found[name] = WrittenFile("", status.st_size, status.st_mtime_ns, status.st_ino)
        written = found
    return digest("\n".join(f"{name}\t{w.size}\t{w.mtime_ns}\t{w.inode}" for name, w in sorted(written.items())))


def last_build(project_dir: Path, strict: bool, base_url: str | None = None,
               inputs: str | None = None) -> tuple[dict[str, Any], float] | None:
    """The last build's summary and when it ended, if no input and no file of site/ has
    changed since; else None. INPUTS: inputs_state, if already worked out."""
    path = project_dir / CACHE_DIR / DATABASE
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)) as connection:
            facts = dict(connection.execute(
                "SELECT name, value FROM facts WHERE name IN ('format', 'version', 'inputs', 'site', 'summary', 'ended')"))
    except (sqlite3.DatabaseError, OSError):
        return None
    if facts.get("format") != str(FORMAT) or facts.get("version") != __version__:
        return None
    try:
        if facts.get("inputs") != (inputs or inputs_state(project_dir, strict, base_url)):
            return None
    except EnvironmentProblem:  # the build that follows says what is wrong
        return None
    if facts.get("site") != site_state(project_dir / "site"):
        return None  # (a site/ other than the one the facts were saved for: its files differ)
    try:
        return json.loads(facts["summary"]), float(facts["ended"])
    except (KeyError, TypeError, ValueError):
        return None


def unchanged_build(project_dir: Path, strict: bool, base_url: str | None = None,
                    inputs: str | None = None) -> BuildResult | None:
    """The last build's report when no input and no file of site/ changed since, else None."""
    started = time.perf_counter()
    recover(project_dir / "site")  # undo what a build killed midway left beside site/
    found = last_build(project_dir, strict, base_url, inputs)
    if found is None:
        return None
    return BuildResult.unchanged(found[0], time.perf_counter() - started, project_dir / "site")


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
