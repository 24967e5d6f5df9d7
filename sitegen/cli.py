"""The `sitegen` command: the only place that prints.

Exit 0 on success, 1 on a problem in the user's project (listed in full), 2 on bad
usage. Tracebacks only with --debug.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sitegen import __version__
from sitegen.build.state import unchanged_build
from sitegen.cells import printable
from sitegen.errors import Problem, SitegenError, counted
from sitegen.tables.symbols import MARKS
from sitegen.workers import WorkerDied

# The pipeline (pandas, Markdown, WeasyPrint) is imported by the commands that run it,
# so that a build with nothing to do answers at once.

RETURN_TYPES = ("forecast", "actual")  # the contract's (data/contract.py), spelt here to keep pandas unloaded


def project_option(func: Callable) -> Callable:
    return click.option(
        "-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=Path("."), metavar="FOLDER",
        help="The publication's folder (the one holding sitegen.toml); by default the folder you are in.",
    )(func)


def strict_option(func: Callable) -> Callable:
    return click.option("--strict", is_flag=True,
                        help="Stop at any warning too, as well as at errors (for the final run before issue).")(func)


def base_url_option(func: Callable) -> Callable:
    return click.option(
        "--base-url", default=None, metavar="URL",
        help="The site's address, e.g. https://intranet.example.gov.uk/finance/vfm/ (replaces [site] base_url).",
    )(func)


def _whole_number(low: int, high: int | None = None) -> Callable[[click.Context, click.Parameter, int | None], int | None]:
    """A check that a number option is in range, worded for people (click's IntRange
    would show `INTEGER RANGE [x>=1]` in the help)."""

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and (value < low or (high is not None and value > high)):
            allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise click.BadParameter(f"{value} is not allowed: give a whole number {allowed}")
        return value

    return check


def jobs_option(func: Callable) -> Callable:
    return click.option(
        "-j", "--jobs", type=int, default=None, metavar="N", callback=_whole_number(1),
        help="How many pages and PDFs to make at once; by default one per processor core.",
    )(func)


def user_errors(func: Callable) -> Callable:
    """Turn SitegenError into 'Error: …' on stderr and exit 1; anything else likewise
    unless --debug asks for the traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except (SitegenError, WorkerDied) as exc:
            if debug:
                raise
            click.echo(printable(f"Error: {exc}"), err=True)  # a file name may hold escape sequences
            sys.exit(1)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (`sitegen table --list | head`): stop quietly, as
            # Python's documentation advises, with nothing more to write to the pipe.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"Error: internal error: {exc!r} (run with --debug for the traceback)", err=True)
            sys.exit(1)

    return wrapper


# The commands in the order of a year's work, which is the order --help lists them in.
YEARS_WORK = ("new", "returns", "check", "build", "serve", "issue", "pack", "publish", "table")


class _YearsWorkGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands, key=lambda name: (YEARS_WORK + (name,)).index(name))


@click.group(cls=_YearsWorkGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog="The commands are listed in the order of a year's work. "
                    "Run 'sitegen COMMAND --help' for what a command does, with an example.")
@click.version_option(__version__, prog_name="sitegen")
@click.option("--debug", is_flag=True, help="When sitegen itself fails, show the details a developer needs.")
def main(debug: bool) -> None:
    """Make a partnership's value-for-money publications: a website for the intranet,
    committee papers and agenda packs as PDF, from the partners' returns (CSV or Excel
    files in data/) and the text you write (Markdown files in content/)."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(message)s")


def _print_warnings(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        click.echo(printable(str(warning)), err=True)


@main.command("build", short_help="Make the website and the PDF papers into site/.", epilog="""\b
Examples:
  sitegen build                 the publication in the folder you are in
  sitegen build -C vfm-2010-11  the publication in the folder vfm-2010-11
  sitegen build --strict        stop at warnings as well as errors""")
@project_option
@strict_option
@click.option("--clean", is_flag=True, help="Make every file anew, keeping nothing from the last build.")
@jobs_option
@base_url_option
@user_errors
def build_command(project_dir: Path, strict: bool, clean: bool, jobs: int | None, base_url: str | None) -> None:
    """Make the website and the PDF papers into the site/ folder of the publication.

    Only what your changes affect is made again; the rest is kept from the last build
    (the .sitegen-cache/ folder remembers what each file was made from). If there is a
    problem, nothing is changed and the problems are listed, each with its file and line."""
    result = None if clean else unchanged_build(project_dir, strict, base_url)
    if result is None:
        from sitegen.build.pipeline import BuildOptions, build
        from sitegen.config import load_config

        config = load_config(project_dir, base_url)
        with _progress_display() as progress:
            result = build(config, BuildOptions(strict=strict, clean=clean, jobs=jobs, progress=progress))
    _print_warnings(result.warnings)
    click.echo(f"Built {result.summary()}")


@main.command("check", short_help="Look for mistakes in the returns, pages and settings; change nothing.",
              epilog="""\b
Example:
  sitegen check -C vfm-2010-11""")
@project_option
@strict_option
@click.option("-j", "--jobs", type=int, default=None, hidden=True, callback=_whole_number(1))
@click.option("--base-url", default=None, hidden=True)
@click.option("--pdf", "pdf_layout", is_flag=True,
              help="Also read back every PDF of the last build (in site/) for faults of layout: a heading "
                   "alone at a page's foot, text past the margins, an agenda pack that disagrees with its papers.")
@user_errors
def check_command(project_dir: Path, strict: bool, jobs: int | None, base_url: str | None, pdf_layout: bool) -> None:
    """Read the settings, the returns, the pages and the templates, and list every
    problem with its file and line, as a build would, without making or changing a file."""
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
            raise SitegenError(f"{counted(len(layout), 'layout warning')}, and --strict makes warnings fatal", layout)
        result = replace(result, warnings=result.warnings + tuple(layout))
    _print_warnings(result.warnings)
    click.echo(
        f"OK: {counted(result.pages, 'page')}, {counted(result.tables, 'table')}, "
        f"{counted(len(result.warnings), 'warning')} in {result.seconds:.1f} s"
    )


@main.command("table", short_help="Show a table of figures in the terminal, or as CSV or JSON.", epilog="""\b
Examples:
  sitegen table --list              the tables there are
  sitegen table ni179               NI 179 by year, as a table
  sitegen table ni179 --format csv > ni179.csv""")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json", "xlsx"]), default="text", show_default=True,
              help="text to read here; csv or xlsx (an accessible Excel workbook) for Excel; json for other programs.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write to this file rather than here (needed for xlsx).")
@click.option("--list", "list_tables", is_flag=True, help="List the tables there are, with what each holds.")
@project_option
@user_errors
def table_command(name: str | None, fmt: str, out: Path | None, list_tables: bool, project_dir: Path) -> None:
    """Show the table NAME: one computed from the returns, or a CSV file of data/; or write it to a file."""
    from sitegen.config import load_config
    from sitegen.project import load_project

    if not name and not list_tables:
        raise click.UsageError("give a table NAME, or --list")
    project = load_project(load_config(project_dir))
    if list_tables:
        for table in project.tables.values():
            click.echo(printable(f"{table.name:<18} {table.title} ({counted(len(table.frame), 'row')})"))
        return
    assert name is not None
    if name not in project.tables:
        import difflib

        close = difflib.get_close_matches(name, list(project.tables), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise SitegenError(f"unknown table {name!r}{hint} (sitegen table --list shows them all)")
    table = project.tables[name]
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx writes a workbook: say where with --out FILE.xlsx")
    if out is not None:
        from sitegen.office.workbook import table_workbook

        data = {"xlsx": lambda: table_workbook(table, project.config), "csv": lambda: table.to_csv().encode("utf-8"),
                "json": lambda: table.to_json().encode("utf-8")}.get(fmt)
        if data is None:
            raise click.UsageError("--out writes csv, json or xlsx: choose one with --format")
        out.write_bytes(data())
        click.echo(f"Wrote {out}")
        return
    if fmt == "csv":
        click.echo(table.to_csv(), nl=False)
    elif fmt == "json":
        click.echo(table.to_json(), nl=False)
    else:
        _print_text_table(table)


def _print_text_table(table: Any) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    def cell(text: str) -> Text:  # as text: neither rich's [markup] nor the data's escape sequences
        return Text(printable(text))

    view = RichTable(title=cell(table.title), title_justify="left", box=None, pad_edge=False)
    for column in table.columns:
        view.add_column(cell(column.name), justify="right" if column.numeric else "left")
    for row in table.records():
        view.add_row(*(cell(c.csv_text(row[c.name], row.get(MARKS, {}).get(c.name))) for c in table.columns))
    Console(width=max(shutil.get_terminal_size().columns, 160), soft_wrap=False).print(view)


@main.command("pack", short_help="Make one meeting's agenda pack as a PDF file.", epilog="""\b
Example:
  sitegen pack 2011-07-14 -o pack.pdf""")
@click.argument("meeting")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Where to write the PDF; by default MEETING-agenda-pack.pdf in the folder you are in.")
@click.option("--confidential", is_flag=True,
              help="The pack of the papers not for publication, for members only (never written into site/).")
@project_option
@user_errors
def pack_command(meeting: str, out: Path | None, confidential: bool, project_dir: Path) -> None:
    """Make the agenda pack of MEETING (its date, such as 2011-07-14, or its page, such as
    meetings/2011-07-14) as one PDF: front sheet, agenda and the papers. `sitegen build`
    makes every meeting's pack too, into site/; this command takes from site/ each paper's
    PDF that the last build made and that is still current, and lays out only the others."""
    from sitegen.build.pipeline import meeting_pack
    from sitegen.build.state import read_memo
    from sitegen.config import load_config
    from sitegen.project import load_project

    config = load_config(project_dir)
    project = load_project(config, memo=read_memo(config.project_dir))  # what the last build loaded, if unchanged
    meetings = [p for p in project.content.pages if p.meta.layout == "meeting"]
    wanted = meeting.strip("/")
    found = [p for p in meetings if p.url.strip("/") == wanted or p.url.strip("/").rsplit("/", 1)[-1] == wanted]
    if len(found) != 1:
        known = ", ".join(p.url.strip("/") for p in meetings) or "none"
        raise SitegenError(f"no meeting {meeting!r} (meetings: {known})")
    data = meeting_pack(config, project, found[0], confidential)
    kind = "confidential-pack" if confidential else "agenda-pack"
    target = out or Path(f"{found[0].url.strip('/').rsplit('/', 1)[-1]}-{kind}.pdf")
    target.write_bytes(data)
    click.echo(f"Wrote the agenda pack of {found[0].meta.title} to {target}")


@main.command("issue", short_help="Issue a paper or a meeting's pack: its figures kept as they went out.",
              epilog="""\b
Example:
  sitegen issue content/steering-group/steering-group-2011-07.md""")
@click.argument("page")
@project_option
@user_errors
def issue_command(page: str, project_dir: Path) -> None:
    """Issue PAGE (its file, such as content/steering-group/2011-07.md): keep its text and
    figures in issued/, so that later returns never change what the meeting was told.

    Its front matter must say `status: issued` and `issued: DATE`; a re-issue adds an entry
    to `updates:` first. A meeting issues its agenda pack, once all its papers are issued."""
    from sitegen.config import load_config
    from sitegen.project import load_project
    from sitegen.records.issue import issue

    project = load_project(load_config(project_dir), records=False)
    folder = issue(project.config, project.dataset, project.tables, project.content, page)
    click.echo(f"Issued {page}: its record is in {folder.relative_to(project.config.project_dir.resolve()) if folder.is_relative_to(project.config.project_dir.resolve()) else folder}")


@main.command("serve", short_help="Preview the website while you write; it updates as you save.", epilog="""\b
Example:
  sitegen serve --open          then open http://127.0.0.1:8000/ if no browser opened""")
@project_option
@click.option("--port", type=int, default=8000, show_default=True, callback=_whole_number(0, 65535), metavar="NUMBER",
              help="The port number in the preview's address (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Who can see the preview: 127.0.0.1 is this computer only.")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True,
              help="Open the site in the web browser once built.")
@user_errors
def serve_command(project_dir: Path, port: int, host: str, open_browser: bool) -> None:
    """Build the website and show it in your web browser at http://127.0.0.1:8000/.
    When you save a page, a return or a setting, it is built again and the open page
    reloads by itself; a problem shows on the page and here. Ctrl-C stops."""
    from sitegen.serve import run

    run(project_dir, host, port, open_browser, lambda message, is_error: click.echo(message, err=is_error))


@main.command("publish", short_help="Copy the website to the intranet folder DEST in one step.", epilog="""\b
Examples:
  sitegen publish /mnt/intranet/vfm             publish the last build
  sitegen publish /mnt/intranet/vfm --verify    check nothing there was changed since
  sitegen publish /mnt/intranet/vfm --rollback  put the version before back""")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--rollback", is_flag=True,
              help="Put back the version DEST replaced (a second rollback puts it back again).")
@click.option("--verify", is_flag=True,
              help="Check that DEST holds exactly the files that were published, unchanged; change nothing.")
@project_option
@user_errors
def publish_command(dest: Path, rollback: bool, verify: bool, project_dir: Path) -> None:
    """Copy the website that `sitegen build` made into DEST (for example the intranet's
    shared folder) in one step: readers see the old website or the new one, never half
    of each. The old one is kept beside DEST, so --rollback can put it back."""
    from sitegen import publish

    if rollback and verify:
        raise click.UsageError("give --rollback or --verify, not both")
    if verify:
        manifest, problems = publish.verify(dest)
        if problems:
            raise SitegenError(f"{dest}: {counted(len(problems), 'file')} differ from what was published", problems)
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


@main.command("new", short_help="Start a new publication in a new folder.", epilog="""\b
Example:
  sitegen new vfm-2010-11 --title "Value for Money Report 2010-11"
  sitegen build -C vfm-2010-11""")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Value for Money Report", show_default=True, help="The publication's title.")
@user_errors
def new_command(directory: Path, title: str) -> None:
    """Start a new publication in the folder DIRECTORY (a new or empty one), with a
    settings file, example returns and example pages to change into your own."""
    import datetime as dt

    from sitegen.starter import start_project
    from sitegen.values import format_financial_year

    year = start_project(directory, title, dt.date.today())
    click.echo(f"Created {directory}, an example partnership's {format_financial_year(year)} publication to change "
               f"into yours. Build it with: sitegen build -C {directory}")


@main.group("returns", cls=_YearsWorkGroup,
            short_help="Send partners their return forms; receipt the returns that come back.")
def returns_group() -> None:
    """Partners' returns: Excel forms to send out (`template`), receipts for what
    comes back (`receipt`)."""


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
                               help="A partner's id, as in data/partners.csv (repeat for several).")
_all_option = click.option("--all", "all_partners", is_flag=True, help="Every partner.")


@returns_group.command("template", short_help="Write each partner's Excel return form for a year.", epilog="""\b
Example:
  sitegen returns template --year 2011-12 --type forecast --all --out forms""")
@_year_option(required=True)
@_type_option(required=True)
@_partner_option
@_all_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="FOLDER",
              help="The folder to write the Excel return forms into.")
@project_option
@user_errors
def template_command(year: int, return_type: str, partner_ids: tuple[str, ...], all_partners: bool,
                     out: Path, project_dir: Path) -> None:
    """Write an Excel return form for each partner to fill in, with the gains still
    ongoing from their last return already entered."""
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


@returns_group.command("receipt", short_help="Write a receipt for each return received.", epilog="""\b
Example:
  sitegen returns receipt --all --year 2010-11 --type actual""")
@_partner_option
@_all_option
@_year_option(required=False)
@_type_option(required=False)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="FOLDER",
              help="The folder to write receipts into; by default receipts/ in the publication's folder.")
@project_option
@user_errors
def receipt_command(partner_ids: tuple[str, ...], all_partners: bool, year: int | None, return_type: str | None,
                    out: Path | None, project_dir: Path) -> None:
    """Write a receipt (a web page and a PDF) for each return received, to send back
    to the partner: its figures, any problems in it and what is missing."""
    from sitegen.returns.receipts import make_receipts

    _check_partner_options(partner_ids, all_partners)
    made = make_receipts(project_dir, partner_ids, year, return_type.lower() if return_type else None, out)
    for item, _, pdf_path in made.written:
        state = {"accepted": "accepted", "warnings": counted(len(item.warnings), "warning"),
                 "errors": counted(len(item.errors), "error"), "empty": "not a return yet"}[item.status]
        click.echo(f"{pdf_path}  ({item.partner_name}, {item.title}: {counted(item.lines, 'line')}, {state})")
    for item in made.logged:  # the date a return arrived: what papers as at a date count
        click.echo(f"Entered in data/received.csv: {item.partner_name}, {item.title}")
    with_errors = sum(1 for item, _, _ in made.written if item.errors)
    click.echo(f"Wrote {len(made.written)} receipt{'s' if len(made.written) != 1 else ''} "
               f"({with_errors} with errors) into {made.folder}")
    if made.other_problems:
        others = len(made.other_problems)
        click.echo(f"{counted(others, 'problem')} in other data files {'is' if others == 1 else 'are'} on no receipt: "
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
            click.echo(f"{stage[:1].upper()}{stage[1:]}: {total} made", err=True)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()
