"""What a page asks for, and what differs: the figures of an issued paper against today's.

A page's figures are its calls of table(), chart(), value(), rows() and partner_name():
each picks rows of a table by its filters and shows some of their columns. Rendering
the page with a FigureRecorder notes every call; the rows each picks, then, can be
picked again from any version of the tables, and compared cell by cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from sitegen.content.pages import Page
from sitegen.records.snapshot import NUMERIC, Figure, row_keys
from sitegen.render.pages import CHART_OPTIONS, TABLE_OPTIONS, PageDependencies, Renderer, UsageError, filter_rows
from sitegen.tables.revised import unmarked
from sitegen.tables.table import Table



class FigureRecorder(Renderer):
    """A renderer that notes each figure a page asks for (in `figures`, in the order asked)."""

    figures: list[Figure]

    def body_context(self, page: Page, deps: PageDependencies, in_layout: bool = False) -> dict[str, Any]:
        context = super().body_context(page, deps, in_layout)
        if not hasattr(self, "figures"):
            self.figures = []
        tables = self.page_tables.get(page.source_name, self.tables)

        def note(call: str, name: str, filters: dict[str, Any], columns: list[str] | None) -> None:
            known = [c.name for c in tables[name].columns] if name in tables else []
            self.figures.append(Figure(call, name, _plain_filters(filters), tuple(columns or known)))

        def table(name: str, **options: Any) -> Markup:
            shown = context["table"](name, **options)
            names = options.get("columns")
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else names
            note("table", name, {k: v for k, v in options.items() if k not in TABLE_OPTIONS}, names)
            return shown

        def chart(name: str, **options: Any) -> Markup:
            shown = context["chart"](name, **options)
            y = [options["y"]] if isinstance(options["y"], str) else list(options["y"])
            note("chart", name, {k: v for k, v in options.items() if k not in CHART_OPTIONS}, [options["x"], *y])
            return shown

        def value(name: str, column: str, **filters: Any) -> Any:
            found = context["value"](name, column, **filters)
            note("value", name, filters, [column])
            return found

        def rows(name: str, **filters: Any) -> list[dict[str, Any]]:
            found = context["rows"](name, **filters)
            note("rows", name, filters, None)
            return found

        def partner_name(partner_id: str) -> str:
            found = context["partner_name"](partner_id)
            note("partner_name", "partners", {"partner_id": partner_id}, ["name"])
            return found

        return context | {"table": table, "chart": chart, "value": value, "rows": rows, "partner_name": partner_name}


def picked_rows(table: Table, figure: Figure) -> list[dict[str, Any]]:
    """The rows of TABLE the figure picks (none if the table no longer has its columns)."""
    try:
        return filter_rows(table, figure.filters)
    except UsageError:
        return []


def rows_used(tables: Mapping[str, Table], figures: list[Figure]) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows that any figure picks, in the table's order: what the record keeps."""
    used: dict[str, set[str]] = {}
    for figure in figures:
        table = tables[figure.table]
        used.setdefault(figure.table, set()).update(_identity(row) for row in picked_rows(table, figure))
    return {name: [row for row in tables[name].rows if _identity(row) in identities]
            for name, identities in used.items()}


@dataclass(frozen=True)
class Difference:
    """One figure of a paper that is not what it was: a cell, or a row come or gone."""

    table: str
    key: tuple[Any, ...]
    column: str | None  # None: the whole row is new (issued None) or gone (now None)
    issued: str | None
    now: str | None
    sources: tuple[str, ...]

    def describe(self) -> str:
        where = ", ".join(str(part) for part in self.key[:-1] if part not in (None, "")) or "the table"
        if self.column is None:
            change = "no longer shown" if self.now is None else "now shown"
            return f"{self.table} ({where}): row {change}"
        return f"{self.table} ({where}) {self.column}: {self.issued or 'none'} as issued, {self.now or 'none'} now"


def differences(figures: tuple[Figure, ...], issued: Mapping[str, Table], now: Mapping[str, Table]) -> list[Difference]:
    """Every cell the figures show that differs between the record's tables and NOW's."""
    found: dict[tuple[str, tuple[Any, ...], str | None], Difference] = {}
    for figure in figures:
        before, after = issued.get(figure.table), now.get(figure.table)
        if before is None:
            continue
        old = picked_rows(before, figure)
        new = picked_rows(after, figure) if after is not None else []
        old_by_key = dict(zip(row_keys(before, old), old, strict=True))
        new_by_key = dict(zip(row_keys(after, new), new, strict=True)) if after is not None else {}
        sources = after.sources if after is not None else before.sources
        for key in [*old_by_key, *(k for k in new_by_key if k not in old_by_key)]:
            if key not in new_by_key or key not in old_by_key:
                gone = key not in new_by_key
                found[(figure.table, key, None)] = Difference(
                    figure.table, key, None, "shown" if gone else None, None if gone else "shown", sources)
                continue
            for name in figure.columns:
                column = _column(before, name)
                if column is None or column.kind not in NUMERIC:
                    continue
                a, b = unmarked(old_by_key[key].get(name)), new_by_key[key].get(name)
                if (a is None) != (b is None) or (a is not None and a != b):
                    found[(figure.table, key, name)] = Difference(
                        figure.table, key, column.heading, column.shown(a), column.shown(b), sources)
    return list(found.values())


def _column(table: Table, name: str) -> Any:
    try:
        return table.column(name)
    except KeyError:
        return None


def _identity(row: Mapping[str, Any]) -> str:
    return repr(sorted(row.items()))


def _plain_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Filters as the record holds them (JSON): lists for tuples and sets, text for the rest."""
    plain: dict[str, Any] = {}
    for key, value in filters.items():
        if isinstance(value, tuple | set | frozenset):
            value = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        plain[key] = value if isinstance(value, str | int | float | list | bool) or value is None else str(value)
    return plain
