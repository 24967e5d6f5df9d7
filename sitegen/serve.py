"""`sitegen serve`: the site on localhost, rebuilt when an input changes, open pages reloaded.

It builds into `site/` as `sitegen build` does (atomically), serves that folder over
HTTP, and watches `sitegen.toml`, `content/`, `data/`, `templates/`, `static/` and `issued/`
with watchfiles. Each HTML response, and only the response (never the file in
`site/`), gets a small script that listens on a Server-Sent Events endpoint and
reloads the page when a build ends. A failed build leaves the last good site being
served, with its problems listed in the terminal and in an overlay on every page
until a build succeeds.
"""

from __future__ import annotations

import functools
import html
import io
import secrets
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, Self
from urllib.parse import urlsplit

import watchfiles

from sitegen.build.pipeline import build
from sitegen.config import CONFIG_NAME, load_config
from sitegen.errors import Problem, SitegenError, relative_name
from sitegen.records import RECORDS_DIR

EVENTS_PATH = "/__sitegen__/events"
WATCHED_FOLDERS = ("content", "data", "templates", "static", RECORDS_DIR)  # issued/: records of issued papers
KEEP_ALIVE_SECONDS = 15  # a comment down an idle event stream, so a closed tab is noticed

Report = Callable[[str, bool], None]  # (message, is_error): the CLI prints it


@dataclass
class BuildState:
    """The latest build's outcome, which every served page shows, and a tag that changes with it."""

    failure: str = ""  # the error's headline; empty after a good build
    problems: list[Problem] = field(default_factory=list)
    builds: int = 0
    stopping: bool = False
    session: str = field(default_factory=lambda: secrets.token_hex(4))  # a restarted server reloads pages
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def tag(self) -> str:
        return f"{self.session}-{self.builds}"

    def record(self, failure: str = "", problems: list[Problem] | None = None) -> None:
        with self.changed:
            self.failure, self.problems = failure, list(problems or [])
            self.builds += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: str | None, timeout: float) -> str:
        with self.changed:
            self.changed.wait_for(lambda: self.tag != seen or self.stopping, timeout)
            return self.tag

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def injection(self) -> bytes:
        """What each served page gets before </body>: the reload script, and the errors if any."""
        script = (
            "<script>(function () {\n"
            f'  var shown = "{self.tag}", events = new EventSource("{EVENTS_PATH}");\n'
            '  events.addEventListener("build", function (event) {\n'
            "    if (event.data !== shown) { events.close(); location.reload(); }\n"
            "  });\n"
            "})();</script>\n"
        )
        return (self.overlay() + script).encode("utf-8")

    def overlay(self) -> str:
        if not self.failure:
            return ""
        items = "".join(
            f"<li><code>{html.escape(place)}</code> {html.escape(what)}</li>\n"
            for place, what in map(_located, self.problems)
        )
        return (
            '<div id="sitegen-build-errors" role="alert" style="position:fixed;left:0;right:0;bottom:0;'
            "max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.5em;background:#fff;"
            "color:#0b0c0c;border-top:6px solid #d4351c;box-shadow:0 -2px 12px rgba(0,0,0,.35);"
            'font:16px/1.45 Arial,sans-serif;text-align:left">\n'
            '<h2 style="margin:0 0 .4em;font-size:1.25em;color:#d4351c">The site did not rebuild:'
            " this is the last good build</h2>\n"
            f'<p style="margin:0 0 .4em">{html.escape(self.failure)}</p>\n'
            f'<ul style="margin:0;padding-left:1.2em">\n{items}</ul>\n</div>\n'
        )


def _located(problem: Problem) -> tuple[str, str]:
    """A problem as its place (file:line) and what is wrong there, worded as on the terminal."""
    place = problem.file + (f":{problem.line}" if problem.line is not None else "")
    return place, str(problem).removeprefix(f"{place}: ")


class PreviewHandler(SimpleHTTPRequestHandler):
    """Files of site/ as they are, HTML pages with the reload script, and the event stream."""

    server: PreviewServer
    extensions_map = {  # noqa: RUF012 - SimpleHTTPRequestHandler's own attribute, extended
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".csv": "text/csv; charset=utf-8",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def do_GET(self) -> None:
        if urlsplit(self.path).path == EVENTS_PATH:
            self._stream_events()
        else:
            super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a preview is never stale
        super().end_headers()

    def send_head(self) -> BinaryIO | None:
        page = self._page()
        if page is None:
            return super().send_head()
        state = self.server.state
        try:
            body = page.read_bytes()
            status = HTTPStatus.OK
        except OSError:  # no site yet: the first build failed
            if not state.failure:
                return super().send_head()
            body = b"<!doctype html><title>Build failed</title><body></body>"
            status = HTTPStatus.SERVICE_UNAVAILABLE
        body = _inject(body, state.injection())
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _page(self) -> Path | None:
        """The HTML file a request is for, or None for anything else (or a folder to redirect)."""
        url_path = urlsplit(self.path).path
        file = Path(self.translate_path(self.path))
        if url_path.endswith("/"):
            return file / "index.html"
        if file.suffix == ".html":
            return file
        return None

    def _stream_events(self) -> None:
        """Server-Sent Events: the build tag now, then on every build; a comment when idle."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = None
        try:
            while True:
                tag = state.wait_for_change(seen, KEEP_ALIVE_SECONDS)
                if state.stopping:
                    return
                self.wfile.write(b": idle\n\n" if tag == seen else f"event: build\ndata: {tag}\n\n".encode())
                self.wfile.flush()
                seen = tag
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed or reloaded

    def log_message(self, format: str, *args: Any) -> None:
        pass  # every request on the terminal would bury the build messages


def _inject(page: bytes, injection: bytes) -> bytes:
    end = page.lower().rfind(b"</body>")
    return page + injection if end < 0 else page[:end] + injection + page[end:]


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the command alive
    state: BuildState


class Preview:
    """Build, serve and watch one project until stopped.

    `start()` returns at once with the server running in the background (for tests
    and the CLI alike); `stop()` ends it.
    """

    def __init__(self, project_dir: Path, host: str = "127.0.0.1", port: int = 8000, report: Report | None = None):
        self.project_dir = project_dir
        self.host, self.port = host, port
        self.report: Report = report or (lambda message, is_error: None)
        self.state = BuildState()
        self._stop = threading.Event()
        self._wanted = threading.Event()  # an input changed: build again
        self._restart_input_watch = threading.Event()  # an input folder appeared or went
        self._pending: set[str] = set()
        self._pending_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.server: PreviewServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> str:
        """Serve (the site already built, if any) and watch, build once, then return the URL.

        Later builds run in a background thread, one at a time, as inputs change.
        """
        handler = functools.partial(PreviewHandler, directory=str(self.project_dir / "site"))
        try:
            self.server = PreviewServer((self.host, self.port), handler)
        except OSError as exc:
            raise SitegenError(f"cannot serve on {self.host}:{self.port}: {exc.strerror}"
                               " (choose another port with --port)") from exc
        self.server.state = self.state
        self._spawn(self.server.serve_forever, "serve")
        self._spawn(self._watch_inputs, "watch inputs")
        self._spawn(self._watch_project_folder, "watch project")
        self.rebuild(set())
        self._spawn(self._build_when_wanted, "build")  # then changes made during this first build
        return self.url

    def wait(self) -> None:
        """Until stop() or Ctrl-C (waking twice a second, so that Ctrl-C is seen at once)."""
        while not self._stop.wait(0.5):
            pass

    def stop(self) -> None:
        self._stop.set()
        self._wanted.set()
        self.state.stop()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def rebuild(self, changed: set[str]) -> bool:
        """One build into site/; its outcome goes to the terminal and to every open page."""
        if changed:
            names = sorted(relative_name(Path(p), self.project_dir) for p in changed)
            self.report(f"Changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}", False)
        try:
            result = build(load_config(self.project_dir))
        except SitegenError as exc:
            self.state.record(str(exc.args[0]), exc.problems)
            self.report(f"Build failed; still serving the last good site.\nError: {exc}", True)
            return False
        except Exception as exc:
            self.state.record(f"internal error: {exc!r} (a bug in sitegen; the terminal has the traceback)")
            self.report(f"Build failed with an internal error:\n{traceback.format_exc()}", True)
            return False
        self.state.record()
        for warning in result.warnings:
            self.report(str(warning), True)
        self.report(f"Built {result.summary()}", False)
        return True

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"sitegen serve: {name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _want_build(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        with self._pending_lock:
            self._pending |= {path for _, path in changes}
        self._wanted.set()

    def _build_when_wanted(self) -> None:
        """Builds one at a time; changes made during a build make one more build after it."""
        while not self._stop.is_set():
            self._wanted.wait()
            if self._stop.is_set():
                return
            self._wanted.clear()
            with self._pending_lock:
                changed, self._pending = self._pending, set()
            self.rebuild(changed)

    def _watch_inputs(self) -> None:
        """content/, data/, templates/ and static/, recursively; again when one appears or goes."""
        while not self._stop.is_set():
            self._restart_input_watch.clear()
            folders = self._input_folders()
            if not folders:
                _wait_any(self._stop, self._restart_input_watch)
                continue
            for changes in watchfiles.watch(*folders, stop_event=_AnyEvent(self._stop, self._restart_input_watch),
                                            debounce=400, raise_interrupt=False):
                self._want_build(changes)

    def _watch_project_folder(self) -> None:
        """sitegen.toml, and the input folders being made or removed (not the whole folder:
        it may hold .venv/ and site/)."""
        names = {CONFIG_NAME, *WATCHED_FOLDERS}
        for changes in watchfiles.watch(self.project_dir, recursive=False, stop_event=self._stop, debounce=400,
                                        watch_filter=lambda change, path: Path(path).name in names,
                                        raise_interrupt=False):
            if any(Path(path).name in WATCHED_FOLDERS for _, path in changes):
                self._restart_input_watch.set()
            self._want_build(changes)

    def _input_folders(self) -> list[Path]:
        return [self.project_dir / name for name in WATCHED_FOLDERS if (self.project_dir / name).is_dir()]


class _AnyEvent:
    """Set when any of its events is: what watchfiles checks to stop watching."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


def _wait_any(*events: threading.Event) -> None:
    while not any(event.is_set() for event in events):
        events[0].wait(0.2)


def run(project_dir: Path, host: str, port: int, open_browser: bool, report: Report) -> None:
    """`sitegen serve`: until Ctrl-C."""
    preview = Preview(project_dir, host, port, report)
    try:
        url = preview.start()
        report(f"Serving {project_dir / 'site'} at {url} — rebuilding on changes; Ctrl-C to stop", False)
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        preview.wait()
    except KeyboardInterrupt:
        report("Stopped.", False)
    finally:
        preview.stop()
