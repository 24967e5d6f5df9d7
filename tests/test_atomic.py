"""Atomic builds: site/ is always a whole build, the old or the new, whatever happens.

A build writes into `.site-new-*` beside `site/` and swaps it in with one
renameat2(RENAME_EXCHANGE) on Linux (two renames elsewhere, with recovery at the
start of the next build). These tests fail builds, kill them with SIGKILL at many
moments, and fake a crash between the two renames of the fallback.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import build_folder

from sitegen.build import atomic
from sitegen.errors import SitegenError

SITEGEN = shutil.which("sitegen", path=str(Path(sys.executable).parent)) or "sitegen"


def snapshot(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by relative path."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith((".site-new-", ".site-old-")))


def break_the_data(project: Path) -> None:
    with (project / "data" / "returns.csv").open("a", encoding="utf-8") as handle:
        handle.write("alpha,2008-09,actual,A9,x,bpi,revenue,gain,lots,0,yes,yes,2008-05-01\n")


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "f").write_text("first")
    (second / "f").write_text("second")
    if not atomic.exchange(first, second):
        pytest.skip("this system has no renameat2(RENAME_EXCHANGE)")
    assert (first / "f").read_text() == "second"
    assert (second / "f").read_text() == "first"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_linux_builds_swap_with_rename_exchange(copy_fixture, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_fixture("minimal")
    build_folder(project)
    calls: list[tuple[str, str]] = []
    real = atomic.exchange

    def spy(first: Path, second: Path) -> bool:
        calls.append((first.name[:10], second.name))
        return real(first, second)

    monkeypatch.setattr(atomic, "exchange", spy)
    build_folder(project, clean=True)  # a build with something to write (one with nothing to do writes nothing)
    assert calls == [(".site-new-", "site")]
    assert leftovers(project) == []


def test_failure_while_writing_leaves_the_previous_site_byte_identical(
    copy_fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_fixture("minimal")
    build_folder(project)
    before = snapshot(project / "site")
    (project / "content" / "index.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sitegen.build.outputs.Outputs.file", disk_full)
    with pytest.raises(OSError):
        build_folder(project)
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_failed_build_leaves_the_previous_site_byte_identical(copy_fixture) -> None:
    project = copy_fixture("minimal")
    build_folder(project)
    before = snapshot(project / "site")
    break_the_data(project)
    with pytest.raises(SitegenError):
        build_folder(project)
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_fallback_two_renames_when_exchange_is_unavailable(
    copy_fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_fixture("minimal")
    build_folder(project)
    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)
    (project / "content" / "index.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    build_folder(project)
    assert "New text." in (project / "site" / "index.html").read_text(encoding="utf-8")
    assert leftovers(project) == []


def test_crash_between_the_two_renames_is_undone_by_the_next_build(copy_fixture) -> None:
    """The fallback's one unsafe moment: site/ renamed away, staging not yet in place."""
    project = copy_fixture("minimal")
    build_folder(project)
    before = snapshot(project / "site")
    (project / "site").rename(project / ".site-old-k1ll3d")
    half = project / ".site-new-h4lf"
    half.mkdir()
    (half / "index.html").write_text("half written")
    break_the_data(project)  # and the next build fails too: the old site must come back
    with pytest.raises(SitegenError):
        build_folder(project)
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_leftovers_beside_a_complete_site_are_removed(copy_fixture) -> None:
    project = copy_fixture("minimal")
    build_folder(project)
    before = snapshot(project / "site")
    (project / ".site-old-x").mkdir()
    (project / ".site-new-y").mkdir()
    (project / ".site-new-y" / "junk").write_text("junk")
    assert atomic.recover(project / "site") == ["removed .site-old-x", "removed .site-new-y"]
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def _heavy_project(project: Path) -> None:
    """Enough PDF pages to take seconds, and enough files that writing takes a while."""
    rows = "\n".join(f"| Row {i} | {i * 37} |" for i in range(200))
    for number in range(2):
        (project / "content" / f"long-{number}.md").write_text(
            f"---\ntitle: Long paper {number}\npdf: true\n---\n\n| Item | Value |\n|---|---|\n{rows}\n",
            encoding="utf-8")
    images = project / "content" / "images"
    images.mkdir()
    for number in range(400):
        (images / f"figure-{number}.txt").write_text(f"asset {number}\n" * 200, encoding="utf-8")


def _sitegen_build(project: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.Popen([SITEGEN, "build", "-C", str(project)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_at_any_moment_leaves_a_whole_site(copy_fixture, tmp_path: Path) -> None:
    """Kill `sitegen build` with SIGKILL at many moments; site/ is always a whole build.

    Before the swap it must be the previous site, byte for byte; a kill that lands
    after the swap may leave the new one, complete. Either way the next build
    tidies what the killed one left.
    """
    project = copy_fixture("minimal")
    _heavy_project(project)
    reference = tmp_path / "reference"  # the same project, built and edited elsewhere (builds are reproducible)
    shutil.copytree(project, reference)
    build_folder(project)
    build_folder(reference)
    old = snapshot(project / "site")
    pristine = tmp_path / "old-site"
    shutil.copytree(project / "site", pristine)
    for folder in (project, reference):
        (folder / "content" / "index.md").write_text("# Home\n\nThe new text.\n", encoding="utf-8")
    started = time.perf_counter()
    assert _sitegen_build(reference).wait(timeout=120) == 0
    # The whole command, start-up included, timed on the build the kills interrupt: one after
    # an edit, which keeps the PDFs (timed on a clean build, most kills came after the swap).
    duration = time.perf_counter() - started
    new = snapshot(reference / "site")
    assert new != old

    outcomes = []
    # Moments spread over the whole command (start-up, loading, PDFs), then kills timed
    # on the moment the staging folder appears, i.e. while the site is being written.
    for fraction in (0.15, 0.4, 0.65, 0.85, None, 0.01):
        atomic.recover(project / "site")  # as the next build would, before it starts
        process = _sitegen_build(project)
        if fraction is None or fraction < 0.1:  # a little way into the writing
            while process.poll() is None and not leftovers(project):
                time.sleep(0.001)
            time.sleep(fraction or 0)
            phase = "writing"
        else:
            time.sleep(duration * fraction)
            phase = f"{fraction:.0%}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        site = snapshot(project / "site")
        assert site in (old, new), "site/ is neither the previous build nor the new one"
        if leftovers(project):
            phase += ", staging left"
        outcomes.append(phase if site == old else f"{phase}: new")
        if site == new:  # completed before the kill: start again from the old site
            shutil.rmtree(project / "site")
            shutil.copytree(pristine, project / "site")
    assert sum(not o.endswith("new") for o in outcomes) >= 4, outcomes  # most kills landed mid-build
    assert any("staging left" in o for o in outcomes), outcomes  # one at least while writing
    break_the_data(project)
    with pytest.raises(SitegenError):
        build_folder(project)  # a failing build still tidies up after the killed ones
    assert leftovers(project) == []
    assert snapshot(project / "site") == old
