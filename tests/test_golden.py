"""Golden HTML: whole pages compared byte for byte with reviewed copies.

After a deliberate change to the theme or the renderer, regenerate them with
`SITEGEN_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`, review the diff
(`git diff tests/golden`), and run the tests again without the variable. A run that
regenerates never passes: it writes the files and fails, saying which it wrote, so a
regenerated copy is never mistaken for a comparison.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main

GOLDEN = Path(__file__).parent / "golden"
PAGES = {"minimal-index.html": "index.html", "minimal-paper.html": "paper/index.html"}
REGENERATE = bool(os.environ.get("SITEGEN_REGEN_GOLDEN"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture built once, through the command line, into its own folder."""
    project = tmp_path_factory.mktemp("golden") / "minimal"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", project)
    result = CliRunner().invoke(main, ["build", "-C", str(project)])
    assert result.exit_code == 0, result.output
    return project / "site"


@pytest.mark.parametrize("golden", sorted(PAGES))
def test_page_matches_golden(built: Path, golden: str) -> None:
    """The page built today is byte for byte the reviewed copy in tests/golden/."""
    page = (built / PAGES[golden]).read_text(encoding="utf-8")
    path = GOLDEN / golden
    if REGENERATE:
        before = path.read_text(encoding="utf-8") if path.is_file() else None
        path.write_text(page, encoding="utf-8")
        what = "unchanged" if before == page else "created" if before is None else "CHANGED"
        pytest.fail(f"SITEGEN_REGEN_GOLDEN is set: wrote tests/golden/{golden} ({what}); review "
                    "`git diff tests/golden`, then run again without SITEGEN_REGEN_GOLDEN to compare",
                    pytrace=False)
    if not path.is_file():
        pytest.fail(f"tests/golden/{golden} is missing: make it with SITEGEN_REGEN_GOLDEN=1 and review it",
                    pytrace=False)
    expected = path.read_text(encoding="utf-8")
    assert expected.startswith("<!doctype html>"), f"tests/golden/{golden} is not a page"
    assert page == expected


def test_every_golden_file_is_compared() -> None:
    """No stale file in tests/golden/ that no test compares, and none of PAGES missing there."""
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(PAGES)
