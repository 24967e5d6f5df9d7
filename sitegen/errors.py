"""One error hierarchy: the CLI's only channel for a user's mistakes.

Every problem a user can fix is a `Problem` (file, line, column, message); errors
carry all the problems found, never only the first one.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path


def counted(number: int, noun: str) -> str:
    """'1 page', '2 pages': every count sitegen says, in the singular when it is one."""
    return f"{number} {noun if number == 1 else noun + 's'}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as precisely as we know it."""

    file: str
    line: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error" or "warning"
    # The file whose own problems this one follows from (an id unknown because the file
    # that lists it cannot be read): counted under that cause rather than listed.
    follows: str | None = None
    count: int = 1  # the rows it stands for: "and 20 more rows with the same kind of problem" is 20

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        what = f"{self.column}: {self.message}" if self.column else self.message
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{what}"


class SitegenError(Exception):
    """A problem the user can fix; the CLI prints it and exits 1."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = sorted(problems or [], key=_problem_order)

    def __str__(self) -> str:
        """The problems to fix, causes first: errors, then warnings, then for each file
        with problems of its own one line counting those that follow from them."""
        head = self.args[0]
        if not self.problems:
            return head
        lines = [f"  {p}" for p in self.problems if p.follows is None]
        knock_ons: dict[str, list[Problem]] = {}
        for problem in self.problems:
            if problem.follows is not None:
                knock_ons.setdefault(problem.follows, []).append(problem)
        for cause, following in knock_ons.items():
            files = sorted({p.file for p in following})
            number = sum(p.count for p in following)
            lines.append(f"  and {number} more problem{'s' if number != 1 else ''} that follow from "
                         f"those of {cause} above (in {', '.join(files)}): fix those first, then check again")
        return head + "\n" + "\n".join(lines)


def _problem_order(p: Problem) -> tuple:
    return (p.follows is not None, p.severity != "error", p.file, p.line or 0, p.column or "", p.message)


class ConfigError(SitegenError):
    """sitegen.toml is missing, unreadable or holds a bad value."""


class DataError(SitegenError):
    """A data file (partners, returns, …) breaks the data contract."""


class ContentError(SitegenError):
    """A Markdown page or its front matter is wrong."""


class TemplateError(SitegenError):
    """A Jinja template (theme or project) fails to load or render."""


class PdfError(SitegenError):
    """WeasyPrint could not make a PDF."""


def relative_name(path: Path, project_dir: Path) -> str:
    """The path as the user knows it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


def links_leading_out(folder: Path, project_dir: Path, skip_hidden: bool = False) -> list[Path]:
    """The symbolic links under FOLDER (itself included) that lead outside the project, sorted.

    No link is followed to look for more; a link to a link is judged by where it ends. A
    link that cannot be resolved (a loop) counts as leading out: nothing can be read through it.
    """
    project = project_dir.resolve()

    def leads_out(path: Path) -> bool:
        try:
            return not path.resolve().is_relative_to(project)
        except (OSError, RuntimeError):
            return True

    if folder.is_symlink() and leads_out(folder):
        return [folder]
    found = []
    for top, subfolders, files in os.walk(folder):
        if skip_hidden:
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in subfolders + files:
            if os.path.islink(os.path.join(top, name)) and not (skip_hidden and name.startswith(".")) \
                    and leads_out(path := Path(top, name)):  # (strings first: every file of content/ is asked)
                found.append(path)
    return sorted(found)


def link_problem(path: Path, project_dir: Path, what: str) -> Problem:
    """A symbolic link leading out of the project, named as the user knows it (the link, not its target)."""
    name = Path(os.path.relpath(path.absolute(), project_dir.absolute())).as_posix()
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python before 3.13 on a loop
        return Problem(name, None, None, f"is a symbolic link that leads round in a loop; {what}")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(name, None, None, f"is a symbolic link that leads round in a loop; {what}")
    kind = "folder" if path.is_dir() else "file"
    return Problem(name, None, None, f"is a symbolic link to a {kind} outside the project; {what}")


class ReturnsError(SitegenError):
    """A `sitegen returns` command cannot do what was asked (unknown partner, bad folder)."""

