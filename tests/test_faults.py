"""Faults during a build: killed at any step, a worker killed, Ctrl-C.

- The site and the build state are committed as one (the state is saved naming the
  folder about to become site/, and the swap commits both): a build killed at any step,
  or stopped there by Ctrl-C, is followed by a build that gives what a clean build
  gives, and the build after that too (the issue's "page that comes and goes").
- A worker process killed with SIGKILL fails the build at once, with a message.
- Ctrl-C stops a build at once (its workers too) and leaves the previous site.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import build_folder

from sitegen.build import atomic, pipeline
from sitegen.build import outputs as outputs_module
from sitegen.build.outputs import Outputs
from sitegen.build.state import BuildState
from sitegen.workers import WorkerDied, in_parallel

SITEGEN = shutil.which("sitegen", path=str(Path(sys.executable).parent)) or "sitegen"

# Each step of a build, in the order it runs: (object, attribute, which call).
STEPS: list[tuple[Any, str, int]] = [
    (pipeline, "recover", 1),
    (pipeline, "inputs_state", 1),
    (pipeline, "load_project", 1),
    (BuildState, "open", 1),
    (Outputs, "pages", 1),
    (outputs_module, "write_into", 2),  # midway through writing the pages
    (pipeline, "_check_links", 1),
    (Outputs, "page_pdfs", 1),
    (pipeline, "_write_packs", 1),
    (pipeline, "_write_search_index", 1),
    (pipeline, "_write_files", 1),
    (outputs_module, "link_into", 3),  # midway through keeping the last build's files
    (Outputs, "finish", 1),
    (BuildState, "save", 1),
    (pipeline, "swap_in", 1),
    (atomic, "exchange", 1),
    (atomic, "_retire", 1),
    (pipeline, "empty_trash", 1),
]
POINTS = [pytest.param(target, name, call, when, id=f"{when}-{name}")
          for target, name, call in STEPS for when in ("before", "after")]


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def first_edition(project: Path) -> None:
    (project / "content" / "extra.md").write_text("# Extra\n\nA page deleted before the next build.\n",
                                                  encoding="utf-8")


def second_edition(project: Path) -> None:
    """What changes between the build that is killed and the one before it."""
    (project / "content" / "extra.md").unlink()
    with (project / "content" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA sentence added for the second edition.\n")


@pytest.fixture(scope="module")
def clean_second_edition(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The site a clean build of the second edition gives (builds are the same bytes in any folder)."""
    project = tmp_path_factory.mktemp("reference") / "minimal"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", project)
    first_edition(project)
    second_edition(project)
    build_folder(project, clean=True, jobs=1)
    return snapshot(project / "site")


def stop_at(target: Any, name: str, call: int, when: str, stop: Callable[[], None]) -> None:
    """Make the CALLth call of TARGET.NAME stop the build, before or after it runs."""
    original = getattr(target, name)
    calls = 0

    def step(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if when == "before" and calls == call:
            stop()
        result = original(*args, **kwargs)
        if when == "after" and calls == call:
            stop()
        return result

    setattr(target, name, step)


def killed_build(project: Path, target: Any, name: str, call: int, when: str) -> int:
    """A build in a forked child that dies at once (as by SIGKILL: no cleanup) at that step."""
    child = os.fork()
    if child == 0:  # the child: never returns into pytest
        try:
            stop_at(target, name, call, when, lambda: os._exit(137))
            build_folder(project, jobs=1)
            os._exit(0)  # the step was never reached, or came after the build was done
        except BaseException:  # noqa: BLE001
            os._exit(3)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize(("target", "name", "call", "when"), POINTS)
def test_a_build_killed_at_any_step_is_followed_by_a_build_equal_to_a_clean_one(
    copy_fixture, clean_second_edition: dict[str, bytes], target: Any, name: str, call: int, when: str,
) -> None:
    project = copy_fixture("minimal")
    first_edition(project)
    build_folder(project, jobs=1)
    first = snapshot(project / "site")
    second_edition(project)
    assert killed_build(project, target, name, call, when) in (137, 0)
    assert snapshot(project / "site") in (first, clean_second_edition)  # whole, old or new
    build_folder(project, jobs=1)
    assert snapshot(project / "site") == clean_second_edition
    build_folder(project, jobs=1)  # and stays so: no page that comes and goes
    assert snapshot(project / "site") == clean_second_edition
    assert not [p.name for p in project.iterdir() if p.name.startswith((".site-new-", ".site-old-"))]


@pytest.mark.parametrize(("target", "name", "call", "when"), [p for p in POINTS if p.id.startswith("before-")])
def test_a_build_stopped_by_ctrl_c_at_any_step_is_followed_by_a_build_equal_to_a_clean_one(
    copy_fixture, clean_second_edition: dict[str, bytes], monkeypatch: pytest.MonkeyPatch,
    target: Any, name: str, call: int, when: str,
) -> None:
    """Ctrl-C raises KeyboardInterrupt wherever the build is: what it leaves is tidied by the next."""
    project = copy_fixture("minimal")
    first_edition(project)
    build_folder(project, jobs=1)
    first = snapshot(project / "site")
    second_edition(project)

    def interrupt() -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(target, name, getattr(target, name))  # undone on leaving the block
        stop_at(target, name, call, when, interrupt)
        with pytest.raises(KeyboardInterrupt):
            build_folder(project, jobs=1)
    assert snapshot(project / "site") in (first, clean_second_edition)
    build_folder(project, jobs=1)
    assert snapshot(project / "site") == clean_second_edition
    build_folder(project, jobs=1)
    assert snapshot(project / "site") == clean_second_edition


# ---- a real build process: workers, Ctrl-C --------------------------------------------


@pytest.fixture
def slow_project(copy_fixture) -> Path:
    """A project built once, then given pages whose (trusted) layout loops for a very long
    time: the next build keeps its workers busy until it is stopped."""
    project = copy_fixture("minimal")
    build_folder(project)
    (project / "templates").mkdir()
    (project / "templates" / "slow.html").write_text("<!doctype html>{% for i in range(10**15) %}{% endfor %}",
                                                     encoding="utf-8")
    for number in range(12):
        (project / "content" / f"slow-{number}.md").write_text(f"---\ntitle: Slow {number}\nlayout: slow\n---\nx\n",
                                                              encoding="utf-8")
    return project


def start_build(project: Path) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """`sitegen build -j 2` in a session of its own (as from a terminal), once its two workers run."""
    process = subprocess.Popen([SITEGEN, "build", "-C", str(project), "-j", "2"], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 180
    while len(workers := psutil.Process(process.pid).children()) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never started its workers"
        time.sleep(0.1)
    return process, workers


def finish(process: subprocess.Popen[str], workers: list[psutil.Process]) -> tuple[int, str]:
    """The build's exit status and error output; it must end by itself, and take its workers with it."""
    try:
        _, err = process.communicate(timeout=60)  # before: over two minutes, or for ever
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()  # reaped and its pipes closed, not left to a later test's garbage
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers left running: {alive}"
    return process.returncode, err


def test_a_worker_killed_fails_the_build_at_once_with_a_message(slow_project: Path) -> None:
    before = snapshot(slow_project / "site")
    process, workers = start_build(slow_project)
    workers[0].send_signal(signal.SIGKILL)
    code, err = finish(process, workers)
    assert code == 1
    assert err.startswith("Error: a worker process died (killed by SIGKILL) while the build was using it;"
                          " the build stopped and site/ is as it was")
    assert "Traceback" not in err
    assert snapshot(slow_project / "site") == before


def test_a_worker_killed_while_the_work_is_handed_out_fails_with_the_same_message(monkeypatch) -> None:
    """A worker may die before the last item is submitted (a loaded machine): the pool
    is then broken at `submit`, not in a result, and that too is a worker that died."""
    submit = ProcessPoolExecutor.submit

    def submit_then_kill_a_worker(pool: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> Any:
        future = submit(pool, *args, **kwargs)
        if pool._processes and not getattr(pool, "killed", False):  # the workers are forked at the first
            pool.killed = True
            process = next(iter(pool._processes.values()))
            process.kill()
            process.join()
            time.sleep(0.5)  # the executor notices, and refuses what is submitted next
        return future

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit_then_kill_a_worker)
    with pytest.raises(WorkerDied, match=r"^a worker process died \(killed by SIGKILL\) while the build was using it"):
        list(in_parallel(abs, range(100), jobs=2))


def test_ctrl_c_stops_the_build_and_its_workers_and_leaves_the_previous_site(slow_project: Path) -> None:
    before = snapshot(slow_project / "site")
    process, workers = start_build(slow_project)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: every process of the build gets it
    code, err = finish(process, workers)
    assert code == 1 and "Aborted!" in err and "Traceback" not in err
    assert snapshot(slow_project / "site") == before
    for number in range(12):
        (slow_project / "content" / f"slow-{number}.md").unlink()
    build_folder(slow_project)  # the next build tidies what the stopped one left
    assert not [p.name for p in slow_project.iterdir() if p.name.startswith((".site-new-", ".site-old-"))]
