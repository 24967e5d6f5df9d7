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
from sitegen.build.state import unchanged_build
from sitegen.errors import Problem, SitegenError

# The pipeline (pandas, Markdown, WeasyPrint) is imported by the commands that run it,
# so that a build with nothing to do answers at once.

RETURN_TYPES = ("forecast", "actual")  # the contract's (data/contract.py), spelt here to keep pandas unloaded


SCAFFOLD_DIR = Path(__file__).parent / "scaffold"


def project_option(func: Callable) -> Callable:
    return click.option(
        "-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=Path("."), show_default=True, help="The publication project's folder.",
    )(func)


def strict_option(func: Callable) -> Callable:
    return click.option("--strict", is_flag=True, help="Treat warnings as errors.")(func)


def base_url_option(func: Callable) -> Callable:
    return click.option(
        "--base-url", default=None, metavar="URL",
        help="The site's address, e.g. https://intranet.example.gov.uk/finance/vfm/ (replaces [site] base_url).",
    )(func)


def jobs_option(func: Callable) -> Callable:
    return click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=None,
        help="Processes rendering pages and PDFs at once  [default: one per core].",
    )(func)


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
@click.option("--clean", is_flag=True, help="Make every file anew, ignoring the build cache.")
@jobs_option
@base_url_option
@user_errors
def build_command(project_dir: Path, strict: bool, clean: bool, jobs: int | None, base_url: str | None) -> None:
    """Build the site and PDF papers into PROJECT/site/.

    Files whose inputs have not changed since the last build are kept from it
    (.sitegen-cache/ records what each was made from)."""
    result = None if clean else unchanged_build(project_dir, strict, base_url)
    if result is None:
        from sitegen.build.pipeline import BuildOptions, build
        from sitegen.config import load_config

        config = load_config(project_dir, base_url)
        with _progress_display() as progress:
            result = build(config, BuildOptions(strict=strict, clean=clean, jobs=jobs, progress=progress))
    _print_warnings(result.warnings)
    click.echo(f"Built {result.summary()}")


@main.command("check")
@project_option
@strict_option
@jobs_option
@base_url_option
@click.option("--pdf", "pdf_layout", is_flag=True,
              help="Also read back every PDF of the last build (site/) for layout faults.")
@user_errors
def check_command(project_dir: Path, strict: bool, jobs: int | None, base_url: str | None, pdf_layout: bool) -> None:
    """Validate config, data, content and templates; write nothing."""
    from sitegen.build.pipeline import BuildOptions, check
    from sitegen.config import load_config

    config = load_config(project_dir, base_url)
    result = check(config, BuildOptions(strict=strict, jobs=jobs))
    if pdf_layout:
        from dataclasses import replace

        from sitegen.pdf.check import check_pdfs

        if not config.output_dir.is_dir():
            raise SitegenError(f"{config.output_dir.name}/ is missing: build the site first (sitegen build)")
        layout = check_pdfs(config.output_dir.rglob("*.pdf"), config.project_dir)
        if strict and layout:
            raise SitegenError(f"{len(layout)} layout warning(s), and --strict makes warnings fatal", layout)
        result = replace(result, warnings=result.warnings + tuple(layout))
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
    from sitegen.config import load_config
    from sitegen.project import load_project

    if not name and not list_tables:
        raise click.UsageError("give a table NAME, or --list")
    project = load_project(load_config(project_dir))
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


    view = RichTable(title=table.title, title_justify="left", box=None, pad_edge=False)
    for column in table.columns:
        view.add_column(column.name, justify="right" if column.numeric else "left")
    for row in table.records():
        view.add_row(*(c.csv_text(row[c.name]) for c in table.columns))
    Console(width=max(shutil.get_terminal_size().columns, 160), soft_wrap=False).print(view)


@main.command("pack")
@click.argument("meeting")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the PDF (default: MEETING-agenda-pack.pdf here).")
@click.option("--confidential", is_flag=True,
              help="The pack of the papers not for publication (never written into site/).")
@project_option
@user_errors
def pack_command(meeting: str, out: Path | None, confidential: bool, project_dir: Path) -> None:
    """Make the agenda pack of MEETING (e.g. meetings/2011-07-14, or 2011-07-14) as one PDF."""
    from sitegen.config import load_config
    from sitegen.pdf.packs import render_pack
    from sitegen.project import load_project
    from sitegen.render.pages import Renderer

    project = load_project(load_config(project_dir))
    meetings = [p for p in project.content.pages if p.meta.layout == "meeting"]
    wanted = meeting.strip("/")
    found = [p for p in meetings if p.url.strip("/") == wanted or p.url.strip("/").rsplit("/", 1)[-1] == wanted]
    if len(found) != 1:
        known = ", ".join(p.url.strip("/") for p in meetings) or "none"
        raise SitegenError(f"no meeting {meeting!r} (meetings: {known})")
    renderer = Renderer(project.config, project.tables, project.content)
    # its papers render where they are laid out
    data = render_pack(renderer, renderer.render_page(found[0]), confidential=confidential)
    kind = "confidential-pack" if confidential else "agenda-pack"
    target = out or Path(f"{found[0].url.strip('/').rsplit('/', 1)[-1]}-{kind}.pdf")
    target.write_bytes(data)
    click.echo(f"Wrote the agenda pack of {found[0].meta.title} to {target}")


@main.command("serve")
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to serve on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to serve on; the default is this computer only.")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True,
              help="Open the site in the web browser once built.")
@user_errors
def serve_command(project_dir: Path, port: int, host: str, open_browser: bool) -> None:
    """Build, serve PROJECT/site/ on localhost, and rebuild when content, data,
    templates, static files or sitegen.toml change; open pages reload by themselves,
    and a failed build shows its problems on the page and here. Ctrl-C stops."""
    from sitegen.serve import run

    run(project_dir, host, port, open_browser, lambda message, is_error: click.echo(message, err=is_error))


@main.command("publish")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--rollback", is_flag=True,
              help="Put back the version DEST replaced (a second rollback puts it back again).")
@click.option("--verify", is_flag=True, help="Check DEST's files against its manifest; change nothing.")
@project_option
@user_errors
def publish_command(dest: Path, rollback: bool, verify: bool, project_dir: Path) -> None:
    """Copy PROJECT/site/ into DEST (e.g. a mounted intranet share) in one step: readers
    see the old site or the new one, never half of it; the old one is kept beside DEST."""
    from sitegen import publish

    if rollback and verify:
        raise click.UsageError("give --rollback or --verify, not both")
    if verify:
        manifest, problems = publish.verify(dest)
        if problems:
            raise SitegenError(f"{dest}: {len(problems)} file(s) differ from what was published", problems)
        click.echo(f"{dest} is as published on {manifest['published_at']}: {len(manifest['files'])} files,"
                   f" build {manifest['site_digest'][:12]}")
        return
    result = publish.rollback(dest) if rollback else publish.publish(project_dir, dest)
    shown = f"{len(result.manifest['files'])} files, build {result.manifest['site_digest'][:12]}"
    if rollback:
        click.echo(f"Rolled {dest} back to the version published on {result.manifest['published_at']} ({shown})")
    elif not result.changed:
        click.echo(f"{dest} already holds this build ({shown}); nothing copied")
    else:
        kept = f"; the previous version is kept in {publish.sibling(dest, 'previous')}" if result.previous else ""
        click.echo(f"Published {shown} to {dest}{kept}")


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


@main.group("returns")
def returns_group() -> None:
    """Returns from partners: XLSX templates out, receipts back."""


def _check_partner_options(wanted: tuple[str, ...], everyone: bool) -> None:
    """--partner ID (repeatable) or --all, never both or neither: a usage error (exit 2)."""
    if everyone == bool(wanted):
        raise click.UsageError("give --partner ID (one or more times) or --all")


def _year_option(required: bool) -> Any:
    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
        from sitegen.values import financial_year_from_text

        if value is None:
            return None
        try:
            return financial_year_from_text(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a financial year such as 2010-11") from None

    return click.option("--year", required=required, callback=parse, metavar="YEAR",
                        help="The financial year of the return, such as 2010-11.")


def _type_option(required: bool) -> Any:
    return click.option("--type", "return_type", required=required,
                        type=click.Choice(list(RETURN_TYPES), case_sensitive=False),
                        help="forecast (made in October) or actual (made in July).")


_partner_option = click.option("--partner", "partner_ids", multiple=True, metavar="ID",
                               help="A partner's id (repeat for several).")
_all_option = click.option("--all", "all_partners", is_flag=True, help="Every partner.")


@returns_group.command("template")
@_year_option(required=True)
@_type_option(required=True)
@_partner_option
@_all_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the XLSX templates into.")
@project_option
@user_errors
def template_command(year: int, return_type: str, partner_ids: tuple[str, ...], all_partners: bool,
                     out: Path, project_dir: Path) -> None:
    """Write an XLSX return for partners to fill in, pre-filled with their ongoing gains."""
    from sitegen.returns.templates import make_templates
    from sitegen.rules.returns import return_deadline
    from sitegen.values import format_financial_year

    _check_partner_options(partner_ids, all_partners)
    return_type = return_type.lower()
    written = make_templates(project_dir, year, return_type, partner_ids, out)
    for item in written:
        source = (f"{item.carried_lines} ongoing line{'s' if item.carried_lines != 1 else ''} from the "
                  f"{format_financial_year(item.carried_from[0])} {item.carried_from[1]} return"
                  if item.carried_from else "no earlier return: empty")
        click.echo(f"{item.path}  ({source})")
    deadline = return_deadline(year, return_type).isoformat()
    click.echo(f"Wrote {len(written)} template{'s' if len(written) != 1 else ''} for the "
               f"{format_financial_year(year)} {return_type} return (due {deadline}) into {out}")


@returns_group.command("receipt")
@_partner_option
@_all_option
@_year_option(required=False)
@_type_option(required=False)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder to write receipts into (default: PROJECT/receipts).")
@project_option
@user_errors
def receipt_command(partner_ids: tuple[str, ...], all_partners: bool, year: int | None, return_type: str | None,
                    out: Path | None, project_dir: Path) -> None:
    """Write a receipt (HTML and PDF) for each return received: figures, problems, what is missing."""
    from sitegen.returns.receipts import make_receipts

    _check_partner_options(partner_ids, all_partners)
    made = make_receipts(project_dir, partner_ids, year, return_type.lower() if return_type else None, out)
    for item, _, pdf_path in made.written:
        state = {"accepted": "accepted", "warnings": f"{len(item.warnings)} warning(s)",
                 "errors": f"{len(item.errors)} error(s)", "empty": "not a return yet"}[item.status]
        click.echo(f"{pdf_path}  ({item.partner_name}, {item.title}: {item.lines} lines, {state})")
    with_errors = sum(1 for item, _, _ in made.written if item.errors)
    click.echo(f"Wrote {len(made.written)} receipt{'s' if len(made.written) != 1 else ''} "
               f"({with_errors} with errors) into {made.folder}")
    if made.other_problems:
        click.echo(f"{len(made.other_problems)} problem(s) in other data files are on no receipt: "
                   "sitegen check lists them", err=True)


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
