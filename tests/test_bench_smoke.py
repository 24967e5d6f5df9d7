"""The benchmarks still run (a tiny size; the figures themselves are for bench/, not tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"


@pytest.mark.slow
def test_returns_benchmark_smoke_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_returns.py"), "--smoke", "--keep", str(tmp_path / "project")],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "load_data" in result.stdout


@pytest.mark.slow
def test_site_benchmark_smoke_run_for_sitegen(tmp_path: Path) -> None:
    """The side-by-side harness builds and rebuilds after an edit, for sitegen alone (the peers
    need their own venv from PyPI, which CI does not make; the PDF scenarios cost seconds more)."""
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_site.py"), "--smoke", "--tools", "sitegen",
         "--scenarios", "clean,onechange", "--no-micro", "--keep", str(tmp_path / "projects"), "--json", str(figures)],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clean build" in result.stdout and "not judged" in result.stdout
    measured = json.loads(figures.read_text(encoding="utf-8"))
    runs = {(r["tool"], r["scenario"]): r["runs"][0] for r in measured["results"]}
    assert set(runs) == {("sitegen", "clean"), ("sitegen", "onechange")}
    for run in runs.values():
        assert run["wall_s"] > 0 and run["cpu_s"] > 0 and run["peak_bytes"] > 10 * 2**20
    edited = json.loads((tmp_path / "projects" / "pages" / "bench-site-manifest.json").read_text())["edit"]
    page = tmp_path / "projects" / "pages" / "sitegen" / "site" / edited["path"].removesuffix(".md") / "index.html"
    assert "Revised (1)." in page.read_text(encoding="utf-8")  # the harness checks it too; the edit reached the site


@pytest.mark.slow
def test_site_benchmark_smoke_run_of_the_edit_loop(tmp_path: Path) -> None:
    """The save-to-page wait under `sitegen serve` (on the generated pages, and on the starter
    project standing in for the demo at --smoke), and the CLI edit on that project: each
    run ends when the served page or the built file shows the edit."""
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_site.py"), "--smoke", "--tools", "sitegen",
         "--scenarios", "serve,demo-onechange,demo-serve", "--no-micro", "--keep", str(tmp_path / "projects"),
         "--json", str(figures)],
        check=False, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "serve: save to page" in result.stdout and "demo: one-page edit" in result.stdout
    measured = json.loads(figures.read_text(encoding="utf-8"))
    runs = {(r["tool"], r["scenario"]): r["runs"][0] for r in measured["results"]}
    assert set(runs) == {("sitegen", "serve"), ("sitegen", "demo-onechange"), ("sitegen", "demo-serve")}
    for run in runs.values():
        assert run["wall_s"] > 0 and run["peak_bytes"] > 10 * 2**20
    edited = json.loads((tmp_path / "projects" / "pages" / "bench-site-manifest.json").read_text())["edit"]
    source = tmp_path / "projects" / "pages" / "sitegen" / "content" / edited["path"]
    assert "Revised (1)." in source.read_text(encoding="utf-8")  # the file the server was watching was saved
    starter = tmp_path / "projects" / "demo" / "site" / "index.html"
    assert "Revised (2)." in starter.read_text(encoding="utf-8")  # the served edit was built into site/
