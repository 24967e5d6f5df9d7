"""The `sitegen` command: the only place that prints.

Exit 0 on success, 1 on a problem in the user's project (listed in full), 2 on bad
usage. Tracebacks only with --debug.
"""

from __future__ import annotations

import functools
import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sitegen import __version__
from sitegen.build import BuildResult, build, check, load_project
from sitegen.errors import Problem, SitegenError
from sitegen.partner_returns import returns_group

SCAFFOLD_DIR = Path(__file__).parent / "scaffold"


def project_option(func: Callable) -> Callable:
    return click.option(
        "-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=Path("."), show_default=True, help="The publication project's folder.",
    )(func)


def strict_option(func: Callable) -> Callable:
    return click.option("--strict", is_flag=True, help="Treat warnings as errors.")(func)


def user_errors(func: Callable) -> Callable:
    """Turn SitegenError into 'Error: …' on stderr and exit 1; anything else likewise
    unless --debug asks for the traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except SitegenError as exc:
            if debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:
            if debug:
                raise
            click.echo(f"Error: internal error: {exc!r} (run with --debug for the traceback)", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sitegen")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def main(debug: bool) -> None:
    """Build value-for-money publications (a static site and PDF papers) from
    Markdown content and partners' efficiency returns."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(message)s")


def _print_warnings(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        click.echo(str(warning), err=True)


@main.command("build")
@project_option
@strict_option
@user_errors
def build_command(project_dir: Path, strict: bool) -> None:
    """Build the site and PDF papers into PROJECT/site/."""
    with _progress_display() as progress:
        result = build(project_dir, strict=strict, progress=progress)
    _print_warnings(result.warnings)
    click.echo(f"Built {result.summary()}")


@main.command("check")
@project_option
@strict_option
@user_errors
def check_command(project_dir: Path, strict: bool) -> None:
    """Validate config, data, content and templates; write nothing."""
    result: BuildResult = check(project_dir, strict=strict)
    _print_warnings(result.warnings)
    click.echo(
        f"OK: {result.pages} pages, {result.tables} tables, "
        f"{len(result.warnings)} warnings in {result.seconds:.1f} s"
    )


@main.command("table")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("--list", "list_tables", is_flag=True, help="List the tables and their columns.")
@project_option
@user_errors
def table_command(name: str | None, fmt: str, list_tables: bool, project_dir: Path) -> None:
    """Print the named table (computed from the returns, or a CSV in data/)."""
    if not name and not list_tables:
        raise click.UsageError("give a table NAME, or --list")
    project = load_project(project_dir)
    if list_tables:
        for table in project.tables.values():
            click.echo(f"{table.name:<18} {table.title} ({len(table.frame)} rows)")
        return
    assert name is not None
    if name not in project.tables:
        import difflib

        close = difflib.get_close_matches(name, list(project.tables), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise SitegenError(f"unknown table {name!r}{hint} (sitegen table --list shows them all)")
    table = project.tables[name]
    if fmt == "csv":
        click.echo(table.to_csv(), nl=False)
    elif fmt == "json":
        click.echo(table.to_json(), nl=False)
    else:
        _print_text_table(table)


def _print_text_table(table: Any) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    from sitegen.tables import plain_value

    view = RichTable(title=table.title, title_justify="left", box=None, pad_edge=False)
    for column in table.columns:
        view.add_column(column.name, justify="right" if column.numeric else "left")
    for row in table.records():
        view.add_row(*(plain_value(c, row[c.name]) for c in table.columns))
    Console(width=max(shutil.get_terminal_size().columns, 160), soft_wrap=False).print(view)


main.add_command(returns_group)


@main.command("pack")
@click.argument("meeting")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the PDF (default: MEETING-agenda-pack.pdf here).")
@project_option
@user_errors
def pack_command(meeting: str, out: Path | None, project_dir: Path) -> None:
    """Make the agenda pack of MEETING (e.g. meetings/2011-07-14, or 2011-07-14) as one PDF."""
    from sitegen.pack import render_pack
    from sitegen.render import Renderer

    project = load_project(project_dir)
    meetings = [p for p in project.content.pages if p.meta.layout == "meeting"]
    wanted = meeting.strip("/")
    found = [p for p in meetings if p.url.strip("/") == wanted or p.url.strip("/").rsplit("/", 1)[-1] == wanted]
    if len(found) != 1:
        known = ", ".join(p.url.strip("/") for p in meetings) or "none"
        raise SitegenError(f"no meeting {meeting!r} (meetings: {known})")
    renderer = Renderer(project.config, project.tables, project.content)
    rendered = {r.page.url: r for r in renderer.render_all(project.content.pages)}
    data = render_pack(renderer, rendered[found[0].url], rendered)
    target = out or Path(f"{found[0].url.strip('/').rsplit('/', 1)[-1]}-agenda-pack.pdf")
    target.write_bytes(data)
    click.echo(f"Wrote the agenda pack of {found[0].meta.title} to {target}")


@main.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Value for Money Report", show_default=True, help="The publication's title.")
@user_errors
def new_command(directory: Path, title: str) -> None:
    """Start a new publication project in DIRECTORY (which must be empty or absent)."""
    if directory.exists() and any(directory.iterdir()):
        raise SitegenError(f"{directory}: the folder is not empty; choose a new one")
    shutil.copytree(SCAFFOLD_DIR, directory, dirs_exist_ok=True)
    config = directory / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("{{title}}", title.replace('"', "'")), encoding="utf-8")
    click.echo(f"Created {directory}. Build it with: sitegen build -C {directory}")


class _progress_display:
    """A progress bar on a terminal; plain lines otherwise (logs, CI)."""

    def __enter__(self) -> Callable[[str, int, int], None]:
        self.tty = sys.stderr.isatty()
        self.progress = None
        self.tasks: dict[str, Any] = {}
        if self.tty:
            from rich.progress import Progress

            self.progress = Progress(transient=True)
            self.progress.start()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            if stage not in self.tasks:
                self.tasks[stage] = self.progress.add_task(f"Rendering {stage}", total=total)
            self.progress.update(self.tasks[stage], completed=done)
        elif done == total:
            click.echo(f"Rendered {total} {stage}", err=True)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()
