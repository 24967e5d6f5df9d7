"""Publishing to a share: readers see the old site or the new one, never half of one.

`sitegen publish DEST` copies site/ beside DEST, checks it, and swaps it in; the
version replaced is kept in .DEST.previous, and `--rollback` swaps the two back.
These tests publish, republish, roll back, verify, fake a crash between the two
renames of the fallback, and kill publishes with SIGKILL mid-copy.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import build_folder

from sitegen import publish as publishing
from sitegen.build.state import last_build
from sitegen.cli import main
from sitegen.errors import SitegenError
from sitegen.publish import MANIFEST_NAME, publish, rollback, settle, sibling, verify

SITEGEN = shutil.which("sitegen", path=str(Path(sys.executable).parent)) or "sitegen"


def run(*args: str) -> tuple[int, str, str]:
    """`sitegen ARGS` in this process: exit status, stdout, stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def site_files(folder: Path) -> dict[str, bytes]:
    """Every file of a published folder but its manifest, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST_NAME}


def beside(dest: Path) -> list[str]:
    """What publishing left next to DEST besides DEST, its previous version and the lock."""
    keep = {dest.name, f".{dest.name}.previous", f".{dest.name}.publish-lock"}
    return sorted(p.name for p in dest.parent.iterdir() if p.name not in keep)


def change_home_page(project: Path, text: str) -> None:
    (project / "content" / "index.md").write_text(f"# Home\n\n{text}\n", encoding="utf-8")
    build_folder(project)


@pytest.fixture
def built(copy_fixture) -> Path:
    """A built project of its own, for a test that edits or builds it."""
    project = copy_fixture("minimal")
    build_folder(project)
    return project


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("built") / "minimal"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", project)
    build_folder(project)
    return project


@pytest.fixture
def built_shared(built_once: Path) -> Iterator[Path]:
    """The built project the tests that only publish it share (a build each would be
    most of their time), checked after each to be still the build of its inputs."""
    before = site_files(built_once / "site")
    yield built_once
    assert last_build(built_once, strict=False) is not None, "a test changed the shared project"
    assert site_files(built_once / "site") == before


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    """The published folder, on a share of its own."""
    (tmp_path / "share").mkdir()
    return tmp_path / "share" / "vfm"


def test_publish_copies_the_site_and_writes_a_manifest(built_shared: Path, dest: Path) -> None:
    result = publish(built_shared, dest)
    assert result.changed and result.previous is None
    assert site_files(dest) == site_files(built_shared / "site")
    manifest = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    index = (built_shared / "site" / "index.html").read_bytes()
    assert manifest["files"]["index.html"]["bytes"] == len(index)
    assert len(manifest["files"]) == len(site_files(built_shared / "site"))
    assert manifest["project"] == str(built_shared.resolve()) and manifest["replaces"] is None
    assert verify(dest)[1] == []
    assert beside(dest) == []
    assert oct(dest.stat().st_mode & 0o777) == "0o755"  # readers can open it


def test_republish_keeps_the_previous_version_and_rollback_restores_it_byte_for_byte(
        built: Path, dest: Path) -> None:
    publish(built, dest)
    first = site_files(dest)
    first_manifest = (dest / MANIFEST_NAME).read_bytes()
    change_home_page(built, "The second edition.")
    result = publish(built, dest)
    second = site_files(dest)
    assert b"The second edition." in second["index.html"] and second != first
    assert result.previous is not None and result.manifest["replaces"] == result.previous["id"]
    assert site_files(sibling(dest, "previous")) == first

    rollback(dest)
    assert site_files(dest) == first
    assert (dest / MANIFEST_NAME).read_bytes() == first_manifest  # the very folder that was published
    assert site_files(sibling(dest, "previous")) == second
    rollback(dest)  # a second rollback undoes the first
    assert site_files(dest) == second
    assert beside(dest) == []


def test_publishing_the_same_build_again_keeps_the_previous_version(built: Path, dest: Path) -> None:
    publish(built, dest)
    change_home_page(built, "Second.")
    publish(built, dest)
    previous = site_files(sibling(dest, "previous"))
    again = publish(built, dest)
    assert not again.changed
    assert site_files(sibling(dest, "previous")) == previous  # not pushed out by a copy of itself


def test_no_site_is_a_clear_error(copy_fixture, dest: Path) -> None:
    project = copy_fixture("minimal")
    with pytest.raises(SitegenError, match="there is no built site to publish; run 'sitegen build' first"):
        publish(project, dest)
    assert not dest.exists()


def test_a_project_with_errors_is_not_published(built: Path, dest: Path) -> None:
    """site/ then comes from an earlier build: publishing it would publish the wrong thing."""
    publish(built, dest)
    before = site_files(dest)
    with (built / "data" / "returns.csv").open("a", encoding="utf-8") as handle:
        handle.write("alpha,2008-09,actual,A9,x,bpi,revenue,gain,lots,0,yes,yes,2008-05-01\n")
    with pytest.raises(SitegenError) as caught:
        publish(built, dest)
    assert "site/ is an earlier build" in str(caught.value)
    assert str(caught.value.problems[0]).startswith("data/returns.csv:7: gross_gbp: not an amount of money")
    assert site_files(dest) == before


def test_a_site_older_than_its_inputs_is_not_published_until_rebuilt(built: Path, dest: Path) -> None:
    (built / "content" / "paper.md").write_text("---\ntitle: P\npdf: true\n---\n\nEdited.\n", encoding="utf-8")
    with pytest.raises(SitegenError, match="site/ is not the build of the project as it is now"):
        publish(built, dest)
    assert not dest.exists()
    build_folder(built)
    publish(built, dest)
    assert b"Edited." in (dest / "paper" / "index.html").read_bytes()


def test_a_site_changed_by_hand_is_not_published(built: Path, dest: Path) -> None:
    (built / "site" / "index.html").write_text("edited in site/", encoding="utf-8")
    with pytest.raises(SitegenError, match="site/ is not the build of the project as it is now"):
        publish(built, dest)


def test_refuses_a_folder_sitegen_did_not_publish(built_shared: Path, tmp_path: Path) -> None:
    dest = tmp_path / "intranet"
    dest.mkdir()
    (dest / "someone-elses.html").write_text("keep me")
    with pytest.raises(SitegenError, match="holds files that sitegen did not publish"):
        publish(built_shared, dest)
    assert (dest / "someone-elses.html").read_text() == "keep me"
    empty = tmp_path / "empty"
    empty.mkdir()
    publish(built_shared, empty)  # an empty folder is fine
    assert (empty / "index.html").is_file()


def test_missing_share_and_nothing_to_roll_back_are_clear_errors(built_shared: Path, dest: Path,
                                                                 tmp_path: Path) -> None:
    with pytest.raises(SitegenError, match="no such folder \\(is the share mounted\\?\\)"):
        publish(built_shared, tmp_path / "not-mounted" / "vfm")
    publish(built_shared, dest)
    with pytest.raises(SitegenError, match="no previous version to roll back to"):
        rollback(dest)


def test_verify_names_every_file_changed_since_publishing(built_shared: Path, dest: Path) -> None:
    publish(built_shared, dest)
    (dest / "index.html").write_text("defaced")
    (dest / "tables" / "budget.csv").unlink()
    (dest / "extra.html").write_text("added")
    _, problems = verify(dest)
    assert [str(p) for p in problems] == [
        "tables/budget.csv: missing: published but no longer there",
        "index.html: changed since it was published",
        "extra.html: not published: added since",
    ]


def test_a_second_publish_at_the_same_time_is_refused(built_shared: Path, dest: Path) -> None:
    descriptor = os.open(sibling(dest, "publish-lock"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # as a publish in progress holds it
        with pytest.raises(SitegenError, match="another publish or rollback to this folder is running"):
            publish(built_shared, dest)
    finally:
        os.close(descriptor)
    assert not dest.exists() and beside(dest) == []


def test_fallback_without_rename_exchange(built: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CIFS shares have no RENAME_EXCHANGE: two renames instead, the same outcome."""
    monkeypatch.setattr(publishing, "exchange", lambda first, second: False)
    publish(built, dest)
    first = site_files(dest)
    change_home_page(built, "Second.")
    publish(built, dest)
    assert site_files(sibling(dest, "previous")) == first
    rollback(dest)
    assert site_files(dest) == first
    assert beside(dest) == []


def test_a_crash_between_the_two_renames_is_finished_by_the_next_publish(
        built: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(built, dest)
    first = site_files(dest)
    change_home_page(built, "Second.")
    second = site_files(built / "site")
    monkeypatch.setattr(publishing, "exchange", lambda first, second: False)
    real_rename = Path.rename

    def killed_before_the_second_rename(self: Path, target: Path) -> Path:
        if ".incoming-" in self.name:
            raise KeyboardInterrupt("killed")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", killed_before_the_second_rename)
    with pytest.raises(KeyboardInterrupt):
        publish(built, dest)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not dest.exists()  # the fallback's one moment without DEST
    settle(dest)  # what the next publish or rollback does first
    assert site_files(dest) == second
    assert site_files(sibling(dest, "previous")) == first
    assert beside(dest) == []


def test_cli_publish_verify_and_rollback(built: Path, dest: Path) -> None:

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["publish", *args])
        return result.exit_code, result.stdout + result.stderr

    code, out = run(str(dest), "-C", str(built))
    assert code == 0 and out.startswith(f"Published {len(site_files(built / 'site'))} files, build ")
    change_home_page(built, "Second.")
    code, out = run(str(dest), "-C", str(built))
    assert code == 0 and f"the previous version is kept in {dest.parent / '.vfm.previous'}" in out
    assert run(str(dest), "-C", str(built))[1].startswith(f"{dest} already holds this build")
    code, out = run("--verify", str(dest))
    assert code == 0 and out.startswith(f"{dest} is as published on ")
    code, out = run("--rollback", str(dest))
    assert code == 0 and out.startswith(f"Rolled {dest} back to the version published on ")
    (dest / "index.html").write_text("defaced")
    code, out = run("--verify", str(dest))
    assert code == 1 and "index.html: changed since it was published" in out


def _bulky(project: Path) -> None:
    """Enough bytes that copying them to the share takes a while."""
    images = project / "content" / "images"
    images.mkdir()
    for number in range(60):
        (images / f"photo-{number}.bin").write_bytes(os.urandom(256 * 1024))


@pytest.mark.slow
def test_sigkill_mid_publish_leaves_dest_whole(built: Path, dest: Path) -> None:
    """Kill `sitegen publish` with SIGKILL while it copies, and at other moments.

    DEST is always the old site or the new one, whole; the next publish tidies up
    (finishing a swap the killed one had begun) and ends with the new site in DEST
    and the old one kept beside it.
    """
    _bulky(built)
    build_folder(built)
    publish(built, dest)
    old = site_files(dest)
    change_home_page(built, "The new edition.")
    new = site_files(built / "site")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def start() -> subprocess.Popen:
        return subprocess.Popen([SITEGEN, "publish", str(dest), "-C", str(built)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = time.perf_counter()
    assert start().wait(timeout=120) == 0
    duration = time.perf_counter() - started
    assert site_files(dest) == new
    outcomes = []
    # Kills timed on the moment the copy appears beside DEST, then at moments of the whole command.
    for delay in (0.0, 0.05, duration * 0.5, duration * 0.95):
        if site_files(dest) != old:
            rollback(dest)  # start again from the old site in DEST
        process = start()
        if delay < 0.1:
            while process.poll() is None and not any(".incoming-" in name for name in beside(dest)):
                time.sleep(0.001)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = site_files(dest)
        assert now in (old, new), "DEST is neither the old site nor the new one"
        assert (dest / MANIFEST_NAME).is_file()
        outcomes.append(("old" if now == old else "new") + (", copy left" if beside(dest) else ""))
        publish(built, dest)  # tidies up, and finishes what the killed one began
        assert site_files(dest) == new
        assert site_files(sibling(dest, "previous")) == old
        assert beside(dest) == []
    assert any(o == "old, copy left" for o in outcomes), outcomes  # killed mid-copy, DEST untouched


@pytest.mark.parametrize("inside", ["content/published", "published", "data", "."])
def test_a_destination_inside_the_project_is_refused(built: Path, inside: str) -> None:
    """Publishing into content/ would make the next build copy the site into itself."""
    before = site_files(built / "site")
    target = built / inside
    code, _, err = run("publish", str(target), "-C", str(built))
    assert code == 1
    assert f"Error: {target.absolute()}: " in err
    assert "inside the project" in err or "a folder that holds it" in err
    assert "internal error" not in err
    assert not (built / "content" / "published").exists() and not (built / "published").exists()
    assert site_files(built / "site") == before
    build_folder(built)  # and the next build has nothing of a site in it
    assert not list((built / "site").glob("published*"))


@pytest.fixture
def read_only_share(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system mounted read-only (root only: mount(8))."""
    share = tmp_path / "read-only-share"
    share.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(share)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only file system here: {mounted.stderr.decode().strip()}")
    try:
        yield share
    finally:
        subprocess.run(["umount", str(share)], check=True)


def test_a_read_only_share_is_named_not_an_internal_error(built_shared: Path, read_only_share: Path) -> None:
    dest = read_only_share / "vfm"
    code, _, err = run("publish", str(dest), "-C", str(built_shared))
    assert code == 1
    assert "internal error" not in err and "Traceback" not in err
    assert f"could not publish to {dest}: Read-only file system" in err
    assert err.startswith(f"Error: {read_only_share}/")  # the path refused comes first


@pytest.mark.parametrize(("failure", "words"), [(errno.EROFS, "Read-only file system"),
                                                (errno.EPERM, "Operation not permitted"),  # chattr +i
                                                (errno.EACCES, "Permission denied"),
                                                (errno.ENOSPC, "No space left on device")])
def test_an_unwritable_share_is_named_by_its_path(built_shared: Path, dest: Path,
                                                  monkeypatch: pytest.MonkeyPatch, failure: int, words: str) -> None:
    """Whichever write the share refuses first (the lock, the copy), the path is named."""
    real_open = os.open

    def refusing_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path).parent == dest.parent and Path(path).name.startswith(f".{dest.name}."):
            raise OSError(failure, os.strerror(failure), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(publishing.os, "open", refusing_open)
    code, _, err = run("publish", str(dest), "-C", str(built_shared))
    assert code == 1 and "internal error" not in err
    assert err.startswith(f"Error: {sibling(dest, 'publish-lock')}: could not publish to {dest}: {words}")
    monkeypatch.setattr(publishing.os, "open", real_open)
    monkeypatch.setattr(publishing.tempfile, "mkdtemp",
                        lambda prefix, dir: (_ for _ in ()).throw(OSError(failure, os.strerror(failure), dir)))
    code, _, err = run("publish", str(dest), "-C", str(built_shared))
    assert code == 1 and err.startswith(f"Error: {dest.parent}: could not publish to {dest}: {words}")
    assert not dest.exists()
