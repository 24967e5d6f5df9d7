"""The record of an issued paper, as committed with the project: `issued/<page>/v<N>/`.

`page.md` is the page's file as issued; `record.json` says when it was issued, the
digest of every data file it was made from, each figure the paper asks for (the table,
the rows it picks, the columns it shows) and those rows, exact. Later builds make the
paper from these alone, so that its figures are the ones reported whatever the data
does. Both are plain text, to be read (and reviewed in a commit) by people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import simplejson

from sitegen.errors import ContentError, Problem
from sitegen.records import RECORDS_DIR
from sitegen.tables.revised import revised
from sitegen.tables.table import Column, Table
from sitegen.values import financial_year_from_text, format_financial_year

NUMERIC = ("money", "pct", "count")


@dataclass(frozen=True)
class Figure:
    """One call of a page for figures: table(), chart(), value(), rows() or partner_name()."""

    call: str
    table: str
    filters: dict[str, Any]
    columns: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"call": self.call, "table": self.table, "filters": self.filters, "columns": list(self.columns)}

    @property
    def same_as(self) -> str:
        return simplejson.dumps(self.as_json(), sort_keys=True, default=str)


@dataclass(frozen=True)
class Record:
    """One issued version of a page."""

    folder: Path  # issued/<page>/v<N>
    page: str  # content/… as the author knows it
    version: int
    issued: dt.date
    as_at: dt.date | None
    data_digest: str
    data_files: dict[str, str]  # data file → SHA-256 when issued
    figures: tuple[Figure, ...]
    tables: dict[str, Table]  # the rows the figures picked, exact; revised cells marked
    revised: tuple[tuple[str, tuple[Any, ...], str], ...]  # (table, row key, column) revised since the last version

    @property
    def text_path(self) -> Path:
        return self.folder / "page.md"


def record_folder(project_dir: Path, source_name: str) -> Path:
    """issued/steering-group/2011-07 for content/steering-group/2011-07.md."""
    relative = PurePosixPath(source_name).relative_to("content").with_suffix("")
    return project_dir / RECORDS_DIR / relative


def version_folder(project_dir: Path, source_name: str, version: int) -> Path:
    return record_folder(project_dir, source_name) / f"v{version}"


def data_digests(project_dir: Path) -> dict[str, str]:
    """SHA-256 of every file under data/, by its name in the project."""
    data = project_dir / "data"
    found = {}
    for path in sorted(p for p in data.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))):
        found[path.relative_to(project_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def digest_of(files: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{name}\t{sha}\n" for name, sha in sorted(files.items())).encode()).hexdigest()


def row_keys(table: Table, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Each row's identity: its values that are not figures, and which such row it is."""
    names = [c.name for c in table.columns if c.kind not in NUMERIC]
    seen: dict[tuple[Any, ...], int] = {}
    keys = []
    for row in rows:
        key = tuple(_plain(table.column(n), row.get(n)) for n in names)
        seen[key] = seen.get(key, -1) + 1
        keys.append((*key, seen[key]))
    return keys


def write_record(folder: Path, page_text: str, record: dict[str, Any], tables: dict[str, tuple[Table, list[dict]]]) -> None:
    """Write page.md and record.json (the tables' picked rows, exact) into FOLDER."""
    folder.mkdir(parents=True, exist_ok=True)
    document = dict(record)
    document["tables"] = {
        name: {
            "title": table.title,
            "sources": list(table.sources),
            "columns": [{"name": c.name, "kind": c.kind, "label": c.label, "empty": c.empty} for c in table.columns],
            "rows": [{c.name: _plain(c, row.get(c.name)) for c in table.columns} for row in rows],
        }
        for name, (table, rows) in sorted(tables.items())
    }
    (folder / "page.md").write_text(page_text, encoding="utf-8")
    text = simplejson.dumps(document, use_decimal=True, indent=1, ensure_ascii=False, default=str)
    (folder / "record.json").write_text(text + "\n", encoding="utf-8")


def read_record(folder: Path, project_dir: Path) -> Record:
    """The record in FOLDER; a ContentError naming the file if it is damaged."""
    path = folder / "record.json"
    name = path.relative_to(project_dir).as_posix() if path.is_relative_to(project_dir) else str(path)
    try:
        document = simplejson.loads(path.read_text(encoding="utf-8"), use_decimal=True)
        revised_cells = {(t, tuple(k), c) for t, k, c in document.get("revised", [])}
        tables = {table_name: _table(table_name, held, revised_cells)
                  for table_name, held in document["tables"].items()}
        return Record(
            folder=folder,
            page=document["page"],
            version=int(document["version"]),
            issued=dt.date.fromisoformat(document["issued"]),
            as_at=dt.date.fromisoformat(document["as_at"]) if document.get("as_at") else None,
            data_digest=document["data_digest"],
            data_files=dict(document["data_files"]),
            figures=tuple(Figure(f["call"], f["table"], dict(f["filters"]), tuple(f["columns"]))
                          for f in document["figures"]),
            tables=tables,
            revised=tuple(sorted(revised_cells, key=str)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ContentError("an issued paper's record cannot be read",
                           [Problem(name, None, None, f"{type(exc).__name__}: {exc}")]) from exc


def _table(name: str, held: dict[str, Any], revised_cells: set[tuple[str, tuple[Any, ...], str]]) -> Table:
    columns = tuple(Column(c["name"], c["kind"], c.get("label", ""), c.get("empty")) for c in held["columns"])
    rows = [{c.name: _exact(c, row.get(c.name)) for c in columns} for row in held["rows"]]
    table = Table(name, held["title"], columns, pd.DataFrame(), tuple(held["sources"]))
    marked = {(key, column) for t, key, column in revised_cells if t == name}
    if marked:
        for row, key in zip(rows, row_keys(table, rows), strict=True):
            for column in columns:
                if (_json_key(key), column.name) in marked:
                    row[column.name] = revised(row[column.name])
    frame = pd.DataFrame({c.name: pd.Series([r[c.name] for r in rows], dtype=object) for c in columns})
    return Table(name, held["title"], columns, frame, tuple(held["sources"]))


def _json_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row key as it reads back from JSON."""
    return tuple(simplejson.loads(simplejson.dumps(list(key), use_decimal=True, default=str), use_decimal=True))


def _plain(column: Column, value: Any) -> Any:
    """A cell as the record holds it: exact numbers, years and dates as text."""
    if value is None:
        return None
    if column.kind == "year":
        return format_financial_year(int(value))
    if column.kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if column.kind in NUMERIC and not isinstance(value, bool):
        return value if isinstance(value, int) else Decimal(str(value))
    if column.kind == "bool":
        return bool(value)
    return value if isinstance(value, str | int | list) else str(value)


def _exact(column: Column, value: Any) -> Any:
    """A cell read back from the record, as the table held it."""
    if value is None:
        return None
    if column.kind == "year":
        return financial_year_from_text(value)
    if column.kind == "date":
        return pd.Timestamp(value)
    if column.kind in ("money", "pct"):
        return Decimal(str(value))
    return value
