"""One error hierarchy: the CLI's only channel for a user's mistakes.

Every problem a user can fix is a `Problem` (file, line, column, message); errors
carry all the problems found, never only the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
            lines.append(f"  and {len(following)} more problem{'s' if len(following) != 1 else ''} that follow from "
                         f"those of {cause} above (in {', '.join(files)}): fix those first, then check again")
        return head + "\n" + "\n".join(lines)

    @property
    def causes(self) -> list[Problem]:
        """The problems that do not follow from another file's."""
        return [p for p in self.problems if p.follows is None]


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


class ReturnsError(SitegenError):
    """A `sitegen returns` command cannot do what was asked (unknown partner, bad folder)."""

