"""`sitegen new`: a small partnership whose figures agree with each other, dated by the
year its title names, to learn from and then replace.

The files under `scaffold/` hold @YEAR@-style marks (in text and in file names) that
are filled in as they are copied: @YEAR@ the financial year ("2010-11"), @BASE_YEAR@
the year before it, @Y0@ and @Y1@ its calendar years, @TITLE@ the title.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.values import financial_year_from_text, format_financial_year

SCAFFOLD_DIR = Path(__file__).parent / "scaffold"
_YEAR_IN_TITLE = re.compile(r"\b(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\b")


def starter_year(title: str, today: dt.date) -> int:
    """The financial year a title names ("VfM Report 2010-11" -> 2010); else the
    last year ended by `today`, whose actual returns are the first a new project has."""
    found = _YEAR_IN_TITLE.search(title)
    if found:
        try:
            return financial_year_from_text(f"{found.group(1)}-{found.group(2)}")
        except ValueError:
            pass
    this_year = today.year if today.month >= 4 else today.year - 1
    return this_year - 1


def start_project(directory: Path, title: str, today: dt.date) -> int:
    """Copy the starter into `directory` (new or empty) with its marks filled in;
    return the financial year it is about."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise SitegenError(f"{directory}: the folder is not empty; choose a new one")
    year = starter_year(title, today)
    marks = {
        "@TITLE@": title.replace('"', "'"),
        "@YEAR@": format_financial_year(year),
        "@BASE_YEAR@": format_financial_year(year - 1),
        "@Y0@": str(year),
        "@Y1@": str(year + 1),
    }

    def filled(text: str) -> str:
        for mark, value in marks.items():
            text = text.replace(mark, value)
        return text

    for source in sorted(SCAFFOLD_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        target = directory / filled(source.relative_to(SCAFFOLD_DIR).as_posix())
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(filled(source.read_text(encoding="utf-8")), encoding="utf-8")
    return year
