"""The edit loop as an author lives it: save a page, see it changed in the browser.

`measure_serve` starts a tool's preview server (`sitegen serve`, `mkdocs serve`,
`hugo server`) on a free port, waits for the page to be served, then edits it again and
again: each time, from the moment the file is saved to the moment the served page holds
the new text (the page polled every 10 ms over HTTP, as a reloaded browser tab would
fetch it). What the server does in between (watching, debouncing, rebuilding, its
reload script) is its own affair: the figure is what the author waits.

Used by bench_site.py (the `serve` scenario, and `demo-serve` on the demo project).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_S = 0.01  # how often the page is fetched while waiting for the change
SETTLE_S = 2.0  # after the first page is served, and between edits: the watcher is up, the last build done
EDIT_TIMEOUT_S = 300.0  # an edit not shown by then fails the run


@dataclass
class Served:
    """One save-to-page wait."""

    wall_s: float  # file saved → served page shows the change
    cpu_s: float  # CPU the server's process tree used meanwhile (its finished children too)
    peak_bytes: int  # largest RSS summed over the server's process tree, during the wait
    peak_pss_bytes: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(tool: str, root: Path, port: int, peer_bin: Callable[[str], Path], sitegen: Path) -> list[str]:
    """How each tool serves its copy of the pages, rebuilding on a change."""
    if tool == "sitegen":
        return [str(sitegen), "serve", "-C", str(root), "--port", str(port), "--no-open"]
    if tool == "mkdocs":  # its livereload server; --dirty rebuilds the changed pages only, as the CLI's rebuild
        return [str(peer_bin("mkdocs")), "serve", "-q", "--dirty", "-f", str(root / "mkdocs.yml"),
                "-a", f"127.0.0.1:{port}"]
    if tool == "hugo":  # renders to memory, re-renders what changed ("fast render"), livereload
        return [str(peer_bin("hugo")), "server", "--quiet", "--source", str(root), "--bind", "127.0.0.1",
                "--port", str(port)]
    raise ValueError(f"{tool} has no preview server here")


def fetch(url: str) -> str | None:
    """The page's text, or None while the server cannot give it (starting, rebuilding, 404)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def measure_serve(command: list[str], cwd: Path, url: str, edit: Callable[[int], str], edits: int, log: Path,
                  ready_timeout: float) -> list[Served]:
    """Start the server, wait until `url` is served, then `edits` times: `edit(n)` saves the
    page and returns the text it added; measure until the served page shows it."""
    with _running(command, cwd, log) as server:
        deadline = time.perf_counter() + ready_timeout
        while fetch(url) is None:
            if server.poll() is not None:
                raise SystemExit(f"bench_site: {' '.join(command)} ended (exit {server.returncode}) before serving "
                                 f"{url}; its output ends:\n{_tail(log)}")
            if time.perf_counter() > deadline:
                raise SystemExit(f"bench_site: {url} not served within {ready_timeout:.0f} s of {' '.join(command)}")
            time.sleep(0.1)
        waits = []
        for version in range(1, edits + 1):
            time.sleep(SETTLE_S)
            waits.append(_one_edit(server, url, edit, version, command, log))
        return waits


def _one_edit(server: subprocess.Popen, url: str, edit: Callable[[int], str], version: int, command: list[str],
              log: Path) -> Served:
    root = psutil.Process(server.pid)
    cpu_before = _tree_cpu(root)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = tree_memory(root)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    added = edit(version)
    saved = time.perf_counter()
    try:
        while True:
            page = fetch(url)
            if page is not None and added in page:
                wall = time.perf_counter() - saved
                break
            if server.poll() is not None:
                raise SystemExit(f"bench_site: {' '.join(command)} ended while rebuilding; its output ends:\n"
                                 f"{_tail(log)}")
            if time.perf_counter() - saved > EDIT_TIMEOUT_S:
                raise SystemExit(f"bench_site: {url} did not show the edit within {EDIT_TIMEOUT_S:.0f} s")
            time.sleep(POLL_S)
    finally:
        done.set()
        sampler.join()
    return Served(wall, _tree_cpu(root) - cpu_before, peak[0], peak[1])


@contextlib.contextmanager
def _running(command: list[str], cwd: Path, log: Path) -> Iterator[subprocess.Popen]:
    """The server in a process group of its own, ended (the group, by its id) when done."""
    with log.open("ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        server = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield server
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGINT)  # Ctrl-C, as an author stops it
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _tree_cpu(root: psutil.Process) -> float:
    """User + system CPU of a process, its children it has waited for, and its live descendants."""
    total = 0.0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def tree_memory(root: psutil.Process) -> tuple[int, int]:
    """RSS and PSS summed over a process and its descendants (PSS 0 where the system has none)."""
    rss = pss = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            memory = process.memory_full_info()
            rss += memory.rss
            pss += getattr(memory, "pss", 0)
    return rss, pss


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]

