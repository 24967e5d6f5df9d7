"""What a build reports, and the report of a build that finds nothing to do.

Kept apart from the pipeline (pipeline.py) so that `sitegen build` can find out that
nothing changed — and say so — without loading pandas, Markdown or WeasyPrint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sitegen.errors import Problem, counted


@dataclass(frozen=True)
class BuildResult:
    pages: int
    tables: int
    pdfs: int
    warnings: tuple[Problem, ...]
    seconds: float
    output_dir: Path | None
    made: int = 0  # files made anew
    kept: int = 0  # files kept from the last build (unchanged inputs)
    pending: tuple[str, ...] = ()  # pages (URLs) whose PDF a build to follow lays out (BuildOptions.pdfs_later)

    def as_summary(self) -> dict[str, Any]:
        """What a later build with nothing changed reports (see state.unchanged_build)."""
        return {"pages": self.pages, "tables": self.tables, "pdfs": self.pdfs, "files": self.made + self.kept,
                "warnings": [asdict(w) for w in self.warnings]}

    @classmethod
    def unchanged(cls, summary: dict[str, Any], seconds: float, output_dir: Path) -> BuildResult:
        warnings = tuple(Problem(**w) for w in summary["warnings"])
        return cls(summary["pages"], summary["tables"], summary["pdfs"], warnings, seconds, output_dir,
                   made=0, kept=summary["files"])

    def summary(self) -> str:
        where = f" into {self.output_dir}" if self.output_dir else ""
        reused = f" ({self.kept} of {counted(self.made + self.kept, 'file')} unchanged)" if self.kept else ""
        later = f"; the PDFs of {counted(len(self.pending), 'page')} follow" if self.pending else ""
        return (
            f"{counted(self.pages, 'page')}, {counted(self.tables, 'table')}, {counted(self.pdfs, 'PDF')}, "
            f"{counted(len(self.warnings), 'warning')} in {self.seconds:.1f} s{where}{reused}{later}"
        )


