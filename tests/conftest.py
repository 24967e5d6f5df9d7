"""Shared fixtures: whole projects copied into a temporary folder and built there."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.build.pipeline import BuildOptions, BuildResult, Progress, build
from sitegen.config import load_config
from sitegen.project import Project, load_project

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
DEMO_PARTS = ("sitegen.toml", "content", "data", "templates", "static", "issued")


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    """Copy tests/fixtures/<name> into a fresh folder, so builds never touch the repo."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


def copy_demo(target: Path) -> Path:
    """The repository's own demo project, without the code around it."""
    target.mkdir(parents=True, exist_ok=True)
    for part in DEMO_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            shutil.copyfile(source, target / part)
    return target


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The demo publication, built once for every test that reads it: once per run, also
    when pytest-xdist runs the tests in several processes (the first to need it builds it,
    under a lock; the others wait, then read its result). Tests only read it."""
    folder = shared_folder(tmp_path_factory) / "demo"
    folder.mkdir(exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = folder / "result.pickle"
        project = folder / "project"
        if not saved.exists():
            shutil.rmtree(project, ignore_errors=True)  # what a process that failed to build it left
            saved.write_bytes(pickle.dumps(build_folder(copy_demo(project))))
        return project, pickle.loads(saved.read_bytes())


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this run's shared by all its test processes (pytest-xdist's workers each
    have their own basetemp inside the run's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_folder(project_dir: Path, *, strict: bool = False, clean: bool = False, jobs: int | None = None,
                 base_url: str | None = None, progress: Progress | None = None) -> BuildResult:
    """Build the project in PROJECT_DIR as `sitegen build -C PROJECT_DIR` does: config, then build."""
    options = BuildOptions(strict=strict, clean=clean, jobs=jobs, progress=progress)
    return build(load_config(project_dir, base_url), options)


def load_folder(project_dir: Path, strict: bool = False, base_url: str | None = None) -> Project:
    """The project in PROJECT_DIR loaded, validated and computed, as a build loads it."""
    return load_project(load_config(project_dir, base_url), strict)


# ---- the order pytest-xdist hands the modules out in -----------------------------------
#
# pyproject's `--dist loadfile --no-loadscope-reorder`: each worker is handed whole
# modules (a module's fixtures are then made once), one at a time, in collection order.
# The modules whose tests take longest are collected first, so that both workers are
# busy with them early and the short modules fill in at the end; pytest-xdist's own
# order (most tests first) handed out last the long modules of few tests (test_atomic,
# test_records, the browser's), leaving one worker idle for minutes at the end.

LONGEST_FIRST = (
    "test_faults.py", "test_incremental.py", "test_hostile.py", "browser/test_site.py", "test_records.py",
    "test_atomic.py", "test_serve.py", "test_publish.py", "test_pack.py", "test_limits.py", "test_cli.py",
    "test_build.py", "test_search.py", "test_sandbox.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.path.relative_to(Path(__file__).parent).as_posix()
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a module, and of the other modules, is kept
