"""`sitegen serve`: the site on localhost, rebuilt when an input changes, open pages reloaded.

It builds into `site/` as `sitegen build` does (atomically), serves that folder over
HTTP, and watches `sitegen.toml`, `content/`, `data/`, `templates/`, `static/` and `issued/`
with watchfiles. Each HTML response, and only the response (never the file in
`site/`), gets a small script that listens on a Server-Sent Events endpoint and
reloads the page when a build ends. A failed build leaves the last good site being
served, with its problems listed in the terminal and in an overlay on every page
until a build succeeds.

The project stays loaded between rebuilds: the server reads it (project.LoadMemo keeps
what files unchanged since gave, so an edit to a page reads that page again, not the
other pages nor the returns) and keeps the last build's records decoded (only those a
build made are read after it), and each build runs in a child process forked from it,
so that it starts with the project and the records read: what it costs depends on what
changed, not on the size of the site. The child is stopped when it overruns `BUILD_SECONDS` or when the
server stops: a build that never ends (a project template that loops for ever) fails
like any other, the last good site stays up, and the next change builds again.

Pages come first: a build makes everything but the PDFs that must be laid out again,
and open pages reload; a second build then lays those PDFs out, in the background,
while each page whose PDF it is making says so. A change meanwhile stops it and starts
over, pages first. Once it is done the site is the one `sitegen build` makes. The server answers only requests made to
the address it serves (the `Host` header: a page of another site that points a name
of its own at 127.0.0.1, "DNS rebinding", gets 421, as Vite's server answers), and a
request it cannot make sense of (a path holding `%00`) gets a 4xx, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import html
import io
import ipaddress
import logging
import multiprocessing
import multiprocessing.connection
import secrets
import signal
import socket
import threading
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, Self
from urllib.parse import unquote, urlsplit

import watchfiles

from sitegen.build.pipeline import BuildOptions, BuildResult, Loaded, build_loaded, load
from sitegen.build.state import decoded_records
from sitegen.config import CONFIG_NAME, load_config
from sitegen.errors import Problem, SitegenError, relative_name
from sitegen.project import LoadMemo
from sitegen.records import RECORDS_DIR
from sitegen.workers import WorkerDied, die_with_parent

EVENTS_PATH = "/__sitegen__/events"
WATCHED_FOLDERS = ("content", "data", "templates", "static", RECORDS_DIR)  # issued/: records of issued papers
KEEP_ALIVE_SECONDS = 15  # a comment down an idle event stream, so a closed tab is noticed
BUILD_SECONDS = 600.0  # a build taking longer is stopped (see the module's docstring)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
# watchfiles groups the events of one save: it yields once no event has come for STEP
# milliseconds (an editor's save is a few events within a few milliseconds; a save
# that replaces the file, or formats it first, may spread them over tens), and at the
# latest after DEBOUNCE. Each yield is a build: one save, one build.
WATCH_STEP_MS = 120
WATCH_DEBOUNCE_MS = 1200

log = logging.getLogger(__name__)

Report = Callable[[str, bool], None]  # (message, is_error): the CLI prints it


@dataclass
class BuildState:
    """The latest build's outcome, which every served page shows, and a tag that changes with it."""

    failure: str = ""  # the error's headline; empty after a good build
    problems: list[Problem] = field(default_factory=list)
    pdfs_pending: frozenset[str] = frozenset()  # URLs of the pages whose PDF is being laid out
    builds: int = 0
    stopping: bool = False
    session: str = field(default_factory=lambda: secrets.token_hex(4))  # a restarted server reloads pages
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def tag(self) -> str:
        return f"{self.session}-{self.builds}"

    def record(self, failure: str = "", problems: list[Problem] | None = None,
               pdfs_pending: frozenset[str] = frozenset()) -> None:
        with self.changed:
            self.failure, self.problems = failure, list(problems or [])
            self.pdfs_pending = pdfs_pending
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

    def injection(self, page_url: str | None = None) -> bytes:
        """What each served page gets before </body>: the reload script, the errors if any,
        and whether the page's PDF is being laid out (PAGE_URL: the page's, as "report/")."""
        script = (
            "<script>(function () {\n"
            f'  var shown = "{self.tag}", events = new EventSource("{EVENTS_PATH}");\n'
            '  events.addEventListener("build", function (event) {\n'
            "    if (event.data !== shown) { events.close(); location.reload(); }\n"
            "  });\n"
            "})();</script>\n"
        )
        return (self.overlay() + self.pdf_notice(page_url) + script).encode("utf-8")

    def pdf_notice(self, page_url: str | None) -> str:
        if page_url is None or page_url not in self.pdfs_pending:
            return ""
        return (
            '<div id="sitegen-pdf-pending" role="status" style="position:fixed;top:0;right:0;z-index:2147483646;'
            "margin:0;padding:.5em 1em;background:#fff;color:#0b0c0c;border:3px solid #1d70b8;"
            'font:16px/1.45 Arial,sans-serif">The PDF of this page is being updated; the page reloads when'
            " it is ready.</div>\n"
        )

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

    def parse_request(self) -> bool:
        """The request line and headers, refused (4xx) unless made to this server's own
        address and for a path that can be a file's."""
        if not super().parse_request():
            return False
        if not self.server.accepts_host(self.headers.get("Host")):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST,
                            "This server answers only requests for the address it serves")
            return False
        path = unquote(urlsplit(self.path).path, errors="strict") if "%" in self.path else self.path
        if not path.startswith("/") or any(ord(c) < 32 or c == "\x7f" for c in path):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request path")
            return False
        return True

    def handle_one_request(self) -> None:
        """One request; whatever goes wrong with it is a 400 (or a closed connection), not a traceback."""
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - a request nothing above foresaw
            log.debug("bad request %r", getattr(self, "requestline", ""), exc_info=True)
            self.close_connection = True
            try:
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad request")
            except OSError:
                pass

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
        body = _inject(body, state.injection(self._page_url()))
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

    def _page_url(self) -> str:
        """The URL of the page asked for, as the site names pages ("" for the home page, "report/")."""
        path = unquote(urlsplit(self.path).path).lstrip("/")
        return path.removesuffix("index.html")

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
    host_names: frozenset[str] = frozenset()  # what a request's Host may name, besides an address

    def accepts_host(self, header: str | None) -> bool:
        """Whether a request's `Host` is this server: a name it serves, or, when it serves
        every address, one of this computer's addresses, on its port."""
        if not header:
            return False
        try:
            parts = urlsplit(f"//{header.strip()}")
            port = parts.port or 80
        except ValueError:
            return False
        if parts.hostname is None or "@" in header or port != self.server_address[1]:
            return False
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        if host in self.host_names:
            return True
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return False  # a name: DNS decides where it leads, so only the names served are trusted
        bound = ipaddress.ip_address(self.server_address[0])
        return address == bound or bound.is_unspecified

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("error answering %s", client_address, exc_info=True)  # never a traceback on the terminal


class Preview:
    """Build, serve and watch one project until stopped.

    `start()` returns at once with the server running in the background (for tests
    and the CLI alike); `stop()` ends it.
    """

    def __init__(self, project_dir: Path, host: str = "127.0.0.1", port: int = 8000, report: Report | None = None,
                 build_seconds: float = BUILD_SECONDS):
        self.project_dir = project_dir
        self.host, self.port = host, port
        self.build_seconds = build_seconds
        self.report: Report = report or (lambda message, is_error: None)
        self.state = BuildState()
        self._stop = threading.Event()
        self._wanted = threading.Event()  # an input changed: build again
        self._restart_input_watch = threading.Event()  # an input folder appeared or went
        self._pending: set[str] = set()
        self._pending_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.server: PreviewServer | None = None
        self.memo = LoadMemo()  # the project as last read (see the module's docstring)
        self.records: dict[bytes, Any] = {}  # the last build's records, decoded (state.decoded_records)

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
        self.server.host_names = _host_names(self.host)
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
        """Build into site/, pages first, then the PDFs that must be laid out again (see the
        module's docstring); each outcome goes to the terminal and to every open page."""
        if changed:
            names = sorted(relative_name(Path(p), self.project_dir) for p in changed)
            self.report(f"Changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}", False)
        outcome = self._build(BuildOptions(pdfs_later=True))
        if not self._record(outcome):
            return False
        if outcome[3]:  # PDFs to lay out: unless a change comes first (then this starts over)
            outcome = self._build(BuildOptions(), stop_when=self._wanted)
            if outcome[0] == "stopped":
                return True
            return self._record(outcome)
        return True

    def _record(self, outcome: tuple[str, Any, Any, Any]) -> bool:
        """A build's outcome, to every open page and to the terminal; whether it succeeded."""
        if outcome[0] == "failed":
            self.state.record(outcome[1], outcome[2])
            self.report(f"Build failed; still serving the last good site.\nError: {SitegenError(outcome[1], outcome[2])}",
                        True)
            return False
        if outcome[0] == "internal":
            self.state.record(f"internal error: {outcome[1]} (a bug in sitegen; the terminal has the traceback)")
            self.report(f"Build failed with an internal error:\n{outcome[2]}", True)
            return False
        self.state.record(pdfs_pending=frozenset(outcome[3]))
        for warning in outcome[2]:
            self.report(warning, True)
        self.report(f"Built {outcome[1]}", False)
        return True

    def _build(self, options: BuildOptions, stop_when: threading.Event | None = None) -> tuple[str, Any, Any, Any]:
        """Read the project here (what is unchanged since the last read is kept), then build
        it in a child process: ("built", summary, warnings, pages whose PDFs follow),
        ("failed", headline, problems, ()), ("internal", error, traceback, ()), or
        ("stopped", …) when STOP_WHEN is set first."""
        try:
            config = load_config(self.project_dir)
            loaded = load(config, options, self.memo)
        except SitegenError as exc:
            return "failed", str(exc.args[0]), exc.problems, ()
        except Exception as exc:  # noqa: BLE001 - a bug in sitegen: reported to the terminal
            return "internal", repr(exc), traceback.format_exc(), ()
        if isinstance(loaded, BuildResult):  # nothing changed since the last build
            return "built", loaded.summary(), [str(w) for w in loaded.warnings], ()
        outcome = self._build_in_child(config, options, dataclasses.replace(loaded, records=self.records), stop_when)
        if outcome[0] == "built":
            self.records = decoded_records(self.project_dir, self.records)  # those it made, for the next build
        return outcome

    def _read_ahead(self) -> None:
        """Read the project and the last build's records, unless a build has: after a first
        build with nothing to do, the first change then finds them read (the project stays
        loaded). Nothing is said of a problem here: the build that follows says it."""
        if self.memo.entries:
            return
        try:
            load(load_config(self.project_dir), BuildOptions(clean=True), self.memo)  # (clean: loaded, not compared)
        except Exception:  # noqa: BLE001 - reported by the next build
            log.debug("reading the project ahead failed", exc_info=True)
            return
        self.records = decoded_records(self.project_dir, self.records)

    def _build_in_child(self, config: Any, options: BuildOptions, loaded: Loaded,
                        stop_when: threading.Event | None = None) -> tuple[str, Any, Any, Any]:
        """One build of a project read, in a child process (see `_build`). Stopped, as a
        failure, when it overruns its time or the server stops."""
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child uses none of theirs
            child = context.Process(target=_build_child, args=(config, options, loaded, sending),
                                    name="sitegen serve: build")
            child.start()
        sending.close()
        try:
            waited = 0.0
            while not receiving.poll(0.05):
                waited += 0.05
                if stop_when is not None and stop_when.is_set():
                    return "stopped", "", [], ()
                if self._stop.is_set():
                    return "failed", "stopped: the server is stopping", [], ()
                if not child.is_alive() and not receiving.poll():
                    return "internal", f"the build ended with exit status {child.exitcode}", "", ()
                if waited > self.build_seconds:
                    return "failed", (f"stopped: the build took more than {self.build_seconds:g} seconds"
                                      " (does a template loop for ever?)"), [], ()
            try:
                return receiving.recv()  # type: ignore[no-any-return]
            except EOFError:
                return "internal", f"the build ended with exit status {child.exitcode}", "", ()
        finally:
            receiving.close()
            _end(child)

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
        self._read_ahead()
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
                                            debounce=WATCH_DEBOUNCE_MS, step=WATCH_STEP_MS, raise_interrupt=False):
                self._want_build(changes)

    def _watch_project_folder(self) -> None:
        """sitegen.toml, and the input folders being made or removed (not the whole folder:
        it may hold .venv/ and site/)."""
        names = {CONFIG_NAME, *WATCHED_FOLDERS}
        for changes in watchfiles.watch(self.project_dir, recursive=False, stop_event=self._stop,
                                        debounce=WATCH_DEBOUNCE_MS, step=WATCH_STEP_MS,
                                        watch_filter=lambda change, path: Path(path).name in names,
                                        raise_interrupt=False):
            if any(Path(path).name in WATCHED_FOLDERS for _, path in changes):
                self._restart_input_watch.set()
            self._want_build(changes)

    def _input_folders(self) -> list[Path]:
        return [self.project_dir / name for name in WATCHED_FOLDERS if (self.project_dir / name).is_dir()]


def _build_child(config: Any, options: BuildOptions, loaded: Loaded,
                 sending: multiprocessing.connection.Connection) -> None:
    """The child process of one build: builds, and sends back what came of it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle: it stops this child
    die_with_parent()
    # What it inherited (the project, the records) is never garbage here: the collector
    # need not walk it, which also spares copying the pages of memory it would touch.
    gc.freeze()
    try:
        result = build_loaded(config, options, loaded)
        outcome: tuple[str, Any, Any, Any] = ("built", result.summary(), [str(w) for w in result.warnings],
                                              result.pending)
    except SitegenError as exc:
        outcome = ("failed", str(exc.args[0]), exc.problems, ())
    except WorkerDied as exc:
        outcome = ("failed", str(exc), [], ())
    except BaseException as exc:  # noqa: BLE001 - reported to the server, which prints it
        outcome = ("internal", repr(exc), traceback.format_exc(), ())
    sending.send(outcome)
    sending.close()


def _end(child: multiprocessing.process.BaseProcess) -> None:
    """Stop a build's child process if it is still running; it leaves site/ as it was
    (the build swaps the new site in whole, and its workers die with it)."""
    if child.is_alive():
        child.terminate()
        child.join(5)
        if child.is_alive():
            child.kill()
    child.join()


def _host_names(host: str) -> frozenset[str]:
    """The names a request's Host may give for a server on HOST: HOST itself, and the
    loopback names when it serves this computer alone (or every address)."""
    names = {host.lower() if ":" not in host else f"[{host.lower()}]"}
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or address is not None and (address.is_loopback or address.is_unspecified):
        names |= set(LOOPBACK_NAMES)
    if address is not None and address.is_unspecified:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names)


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
