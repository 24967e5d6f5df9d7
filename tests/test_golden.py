"""Golden HTML: whole pages compared byte for byte with reviewed copies.

After a deliberate change to the theme or the renderer, regenerate them with
`SITEGEN_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`, and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.build import build

GOLDEN = Path(__file__).parent / "golden"
PAGES = {"minimal-index.html": "index.html", "minimal-paper.html": "paper/index.html"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    project = tmp_path_factory.mktemp("golden") / "minimal"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", project)
    build(project)
    return project / "site"


@pytest.mark.parametrize("golden", sorted(PAGES))
def test_page_matches_golden(built: Path, golden: str) -> None:
    page = (built / PAGES[golden]).read_text(encoding="utf-8")
    path = GOLDEN / golden
    if os.environ.get("SITEGEN_REGEN_GOLDEN"):
        path.write_text(page, encoding="utf-8")
    assert page == path.read_text(encoding="utf-8")
