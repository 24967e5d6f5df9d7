"""Publishing a built site into the folder readers open (an intranet share), in one step.

`sitegen publish DEST` copies `site/` into a new folder beside DEST (so on the same file
system), checks every file of the copy against the original by SHA-256, writes a
manifest into it, then swaps it with DEST. Readers see the old site or the new one,
never a half-copied one, and their URLs do not change: DEST stays where it was. The
version it replaced is kept beside it, and `--rollback` swaps the two back.

Beside DEST, in its parent folder:

    DEST/                        the published site; DEST/.sitegen-publish.json its manifest
    .DEST.previous/              the version DEST replaced (after a rollback: the one rolled back)
    .DEST.incoming-XXXX/         a copy being made; removed if the publish was interrupted
    .DEST.retired-XXXX/          only where the swap takes two renames: gone a moment later
    .DEST.publish-journal.json   what DEST and .DEST.previous must hold, written before moving
    .DEST.publish-lock           one publish at a time

Every move is guided by the journal: the manifest ids DEST and .DEST.previous must end
up with. A publish killed at any moment is finished by the next publish or rollback
(`settle`), or, killed before its journal, removed, leaving DEST as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.build.atomic import exchange
from sitegen.errors import Problem, SitegenError

MANIFEST_NAME = ".sitegen-publish.json"

FileRecord = dict[str, Any]  # {"bytes": int, "sha256": str}


@dataclass(frozen=True)
class PublishResult:
    dest: Path
    manifest: dict[str, Any]  # of the version now in DEST
    previous: dict[str, Any] | None  # of the version kept beside it
    changed: bool  # False: DEST already held this build


def sibling(dest: Path, role: str) -> Path:
    """The hidden folder or file beside DEST with this role (see the module's docstring)."""
    return dest.parent / f".{dest.name}.{role}"


def publish(project_dir: Path, dest: Path) -> PublishResult:
    """Copy `project_dir/site` into `dest` in one step, keeping the version it replaces."""
    site = project_dir / "site"
    if not site.is_dir():
        raise SitegenError(f"{site}: there is no built site to publish; run 'sitegen build' first")
    dest = _checked_destination(dest, site, project_dir)
    built_at = _refuse_unless_current(project_dir)
    with _share_errors(dest), _publish_lock(dest):
        settle(dest)
        files = _hash_tree(site)
        digest = _digest(files)
        current = read_manifest(dest) if dest.exists() else None
        if dest.exists() and current is None:
            if any(dest.iterdir()):
                raise SitegenError(f"{dest}: the folder holds files that sitegen did not publish (no {MANIFEST_NAME});"
                                   " publish into a new or empty folder")
            dest.rmdir()  # empty: nothing to keep
        if current is not None and current.get("site_digest") == digest:
            return PublishResult(dest, current, read_manifest(sibling(dest, "previous")), changed=False)
        manifest: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "project": str(project_dir.resolve()),
            "built_at": built_at.isoformat(timespec="seconds"),
            "sitegen_version": __version__,
            "site_digest": digest,
            "replaces": current["id"] if current else None,
            "files": files,
        }
        _copy_verified(site, files, dest, manifest)
        _write_journal(dest, current=manifest["id"], previous=current["id"] if current else None)
        settle(dest)
    return PublishResult(dest, manifest, current, changed=True)


def rollback(dest: Path) -> PublishResult:
    """Swap DEST and the version it replaced; a second rollback swaps them back."""
    dest = dest.absolute()
    if not dest.parent.is_dir():
        raise SitegenError(f"{dest.parent}: no such folder (is the share mounted?)")
    with _share_errors(dest), _publish_lock(dest):
        settle(dest)
        current, previous = read_manifest(dest), read_manifest(sibling(dest, "previous"))
        if current is None:
            raise SitegenError(f"{dest}: nothing published here by sitegen (no {MANIFEST_NAME})")
        if previous is None:
            raise SitegenError(f"{dest}: no previous version to roll back to")
        _write_journal(dest, current=previous["id"], previous=current["id"])
        settle(dest)
    return PublishResult(dest, previous, current, changed=True)


def verify(dest: Path) -> tuple[dict[str, Any], list[Problem]]:
    """DEST's manifest, and every file that differs from it (missing, changed or extra)."""
    manifest = read_manifest(dest)
    if manifest is None:
        raise SitegenError(f"{dest}: nothing published here by sitegen (no readable {MANIFEST_NAME})")
    found = _hash_tree(dest)
    problems = [Problem(name, None, None, "missing: published but no longer there")
                for name in manifest["files"] if name not in found]
    problems += [Problem(name, None, None, "changed since it was published")
                 for name, record in found.items() if name in manifest["files"] and manifest["files"][name] != record]
    problems += [Problem(name, None, None, "not published: added since")
                 for name in found if name not in manifest["files"]]
    return manifest, problems


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The publish manifest in `folder`, or None when there is none (or it is unreadable)."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and "id" in manifest and "files" in manifest else None


def settle(dest: Path) -> None:
    """Bring DEST and .DEST.previous to what the journal says, then remove what is left.

    Run before and after every publish and rollback, under the lock: it is how they
    move folders, and how one that was killed midway is finished. A copy made before
    its journal was written is incomplete or unwanted, and goes.
    """
    journal_path = sibling(dest, "publish-journal.json")
    previous = sibling(dest, "previous")
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        journal = None
    except ValueError as exc:  # never half written (see _write_journal): changed by hand
        raise SitegenError(f"{journal_path}: not a publish journal ({exc}); remove it, then check {dest}") from exc
    if journal is not None:
        located: dict[str, Path] = {}
        for folder in (dest, previous, *_leftovers(dest)):
            manifest = read_manifest(folder) if folder.is_dir() else None
            if manifest is not None:
                located.setdefault(manifest["id"], folder)
        for target, wanted in ((dest, journal["current"]), (previous, journal["previous"])):
            source = located.get(wanted)
            if wanted is None or source is None or source == target:
                continue  # nothing wanted there, or it is gone: keep what is there
            occupant = read_manifest(target) if target.is_dir() else None
            moved_to = _move_into(source, target, dest)
            located[wanted] = target
            if occupant is not None and moved_to is not None:
                located[occupant["id"]] = moved_to
        journal_path.unlink()
    for leftover in _leftovers(dest):
        shutil.rmtree(leftover)


def _leftovers(dest: Path) -> list[Path]:
    return sorted([*dest.parent.glob(f".{dest.name}.incoming-*"), *dest.parent.glob(f".{dest.name}.retired-*")])


def _move_into(source: Path, target: Path, dest: Path) -> Path | None:
    """Put `source` at `target`; return where target's old content went (None if there was none).

    One renameat2(RENAME_EXCHANGE) where the file system has it; otherwise (CIFS, some
    NFS, macOS) two renames, between which `target` is missing for a moment: a kill
    there is finished by the next `settle`, as the journal is still in place.
    """
    if not target.exists():
        source.rename(target)
        return None
    if exchange(source, target):
        return source
    retired = Path(tempfile.mkdtemp(prefix=f".{dest.name}.retired-", dir=dest.parent))
    retired.rmdir()
    target.rename(retired)
    source.rename(target)
    return retired


def _write_journal(dest: Path, current: str, previous: str | None) -> None:
    """Written whole or not at all (a new file renamed over), before any folder moves."""
    path = sibling(dest, "publish-journal.json")
    partial = path.with_name(path.name + ".new")
    partial.write_text(json.dumps({"current": current, "previous": previous}), encoding="utf-8")
    os.replace(partial, path)


def _copy_verified(site: Path, files: dict[str, FileRecord], dest: Path, manifest: dict[str, Any]) -> None:
    """Copy the site into .DEST.incoming-XXXX, check every file by hash, then write the manifest."""
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.incoming-", dir=dest.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp made it private
        for name in files:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / name, target)  # contents only: shares often refuse chmod/utime
        copied = _hash_tree(staging)
        wrong = sorted(set(files) ^ set(copied) | {n for n in files if n in copied and copied[n] != files[n]})
        if wrong:
            raise SitegenError(f"{dest}: the copy differs from site/ (the share may be full or failing);"
                               " nothing was published", [Problem(name, None, None, "copied wrongly") for name in wrong])
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _hash_tree(root: Path) -> dict[str, FileRecord]:
    """Every file under `root` but the manifest, by relative path: size and SHA-256."""
    records = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and name != MANIFEST_NAME:
            with path.open("rb") as handle:
                records[name] = {"bytes": path.stat().st_size, "sha256": hashlib.file_digest(handle, "sha256").hexdigest()}
    return records


def _digest(files: dict[str, FileRecord]) -> str:
    """One hash for the whole build: builds are reproducible, so the same inputs give the same digest."""
    lines = "".join(f"{name}\0{record['sha256']}\n" for name, record in sorted(files.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _refuse_unless_current(project_dir: Path) -> dt.datetime:
    """When the build in site/ was made, if it is the build of the project as it is now.

    The build cache's record says so: written when a build succeeds, it no longer
    matches once an input, sitegen or a file of site/ has changed, and is removed when a
    build starts. Otherwise the project is checked, to name its errors if it has any.
    """
    from sitegen.build.state import last_build

    for strict in (False, True):
        if (found := last_build(project_dir, strict)) is not None:
            return dt.datetime.fromtimestamp(found[1], dt.UTC)
    from sitegen.build.pipeline import check  # the whole pipeline: imported only for this
    from sitegen.config import load_config

    try:
        check(load_config(project_dir))
    except SitegenError as exc:
        raise SitegenError(
            f"not published: {exc.args[0]}; site/ is an earlier build (fix these, run 'sitegen build',"
            " then publish)", exc.problems) from exc
    raise SitegenError("not published: site/ is not the build of the project as it is now (an input, sitegen"
                       " itself or a file of site/ changed since the last build, or that build failed);"
                       " run 'sitegen build', then publish")


def _checked_destination(dest: Path, site: Path, project_dir: Path) -> Path:
    dest = dest.absolute()
    if not dest.parent.is_dir():
        raise SitegenError(f"{dest.parent}: no such folder (is the share mounted?)")
    if dest.is_symlink():
        raise SitegenError(f"{dest}: a symbolic link; give the folder itself, which publishing replaces")
    if dest.exists() and not dest.is_dir():
        raise SitegenError(f"{dest}: not a folder")
    resolved, built = dest.resolve(), site.resolve()
    if resolved == built or resolved.is_relative_to(built) or built.is_relative_to(resolved):
        raise SitegenError(f"{dest}: cannot publish into site/ itself, or into a folder that holds it")
    project = project_dir.resolve()
    if resolved.is_relative_to(project):
        # In content/ the next build would copy the site into itself; anywhere in the project it is an input.
        raise SitegenError(f"{dest}: inside the project ({project}); publish into a folder outside it")
    return dest


@contextlib.contextmanager
def _publish_lock(dest: Path) -> Iterator[None]:
    """One publish or rollback to DEST at a time; a second one stops at once, saying why."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; publishes must not overlap there
        yield
        return
    descriptor = os.open(sibling(dest, "publish-lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SitegenError(f"{dest}: another publish or rollback to this folder is running;"
                               " try again when it has finished") from None
        yield
    finally:
        os.close(descriptor)  # releases the lock


@contextlib.contextmanager
def _share_errors(dest: Path) -> Iterator[None]:
    """A full, read-only or unwritable share is the user's to fix: say so, naming the
    path refused, without a traceback."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or dest
        raise SitegenError(f"{where}: could not publish to {dest}: {exc.strerror or exc}") from exc
