"""`sitegen serve` as a person previewing meets it: pages, live reload, errors on the page.

The server runs on a free port of 127.0.0.1, in this process (`Preview`) or as the
command itself; pages are fetched over HTTP and the reload announcements read from
the Server-Sent Events stream an open page listens to.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import pytest
from conftest import build_folder

from sitegen import project
from sitegen.errors import SitegenError
from sitegen.serve import EVENTS_PATH, Preview

SITEGEN = shutil.which("sitegen", path=str(Path(sys.executable).parent)) or "sitegen"
BAD_LINE = "alpha,2008-09,actual,A9,x,bpi,revenue,gain,lots,0,yes,yes,2008-05-01\n"  # line 7


def get(url: str) -> tuple[int, Message, str]:
    """Status, headers (any case) and text of one request."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode("utf-8", "replace")


class EventStream:
    """The stream an open page listens to: each build's tag, as the browser gets it."""

    def __init__(self, url: str):
        host, port = url.removeprefix("http://").strip("/").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()

    def next_build(self) -> str:
        """The next `build` event's data (idle comments skipped)."""
        event, data = None, None
        while True:
            line = self.response.readline().decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif line == "" and event == "build":
                return data or ""

    def close(self) -> None:
        self.response.close()  # the response holds the socket (HTTP/1.0: read until closed)
        self.connection.close()


@pytest.fixture
def preview(copy_fixture) -> Iterator[tuple[Preview, list[str]]]:
    """A server of its own, for a test that edits the project it serves."""
    project = copy_fixture("minimal")
    said: list[str] = []
    with Preview(project, port=0, report=lambda message, is_error: said.append(message)) as running:
        yield running, said


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Preview, list[str]]]:
    """One server for the tests that only send it requests (its first build is a clean
    build of the fixture: a server each would be a build each)."""
    project = tmp_path_factory.mktemp("serving") / "minimal"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", project)
    said: list[str] = []
    with Preview(project, port=0, report=lambda message, is_error: said.append(message)) as running:
        wait_for(lambda: not running.state.pdfs_pending and said[-1].startswith("Built "), said)
        yield running, said


@pytest.fixture
def preview_unedited(serving: tuple[Preview, list[str]]) -> Iterator[tuple[Preview, list[str]]]:
    """The shared server, checked after each test to have built nothing more and to be
    free of failure: what the test sent it changed nothing."""
    server, said = serving
    builds = server.state.builds
    yield serving
    assert server.state.builds == builds and not server.state.failure, said


def test_serves_the_built_site_with_the_right_types_and_no_caching(preview_unedited) -> None:
    server, said = preview_unedited
    assert said[-1].startswith("Built ") and f"into {server.project_dir / 'site'}" in said[-1]
    status, headers, page = get(server.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert "The partnership reported £33,500.75 in 2008-09." in page
    assert f'new EventSource("{EVENTS_PATH}")' in page  # in what is served…
    assert "EventSource" not in (server.project_dir / "site" / "index.html").read_text(encoding="utf-8")  # …only
    expected = {"tables/ni179.csv": "text/csv; charset=utf-8", "tables/ni179.json": "application/json",
                "papers/paper.pdf": "application/pdf", "static/css/site.css": "text/css; charset=utf-8"}
    for path, media_type in expected.items():
        status, headers, _ = get(server.url + path)
        assert (status, headers["Content-Type"]) == (200, media_type), path
        assert headers["Cache-Control"] == "no-store"
    status, _, page = get(server.url + "paper/")
    assert status == 200 and "Steering group paper" in page and "EventSource" in page
    assert get(server.url + "no-such-page/")[0] == 404


def test_a_content_change_rebuilds_and_reloads_the_page(preview) -> None:
    server, said = preview
    events = EventStream(server.url)
    try:
        first = events.next_build()  # sent on connecting: the build the page shows
        assert f'shown = "{first}"' in get(server.url)[2]
        (server.project_dir / "content" / "index.md").write_text("# Home\n\nA brand new sentence.\n", encoding="utf-8")
        second = events.next_build()
        assert second != first  # the page's script reloads on this
        status, _, page = get(server.url)
        assert status == 200 and "A brand new sentence." in page and f'shown = "{second}"' in page
        assert "Changed: content/index.md" in said
    finally:
        events.close()


def test_a_data_error_is_shown_on_the_page_and_the_server_keeps_going(preview) -> None:
    server, said = preview
    returns = server.project_dir / "data" / "returns.csv"
    good = returns.read_text(encoding="utf-8")
    events = EventStream(server.url)
    try:
        events.next_build()
        returns.write_text(good + BAD_LINE, encoding="utf-8")
        events.next_build()
        status, _, page = get(server.url + "paper/")
        assert status == 200 and "Steering group paper" in page  # the last good site, still served
        overlay = re.search(r'<div id="sitegen-build-errors" role="alert".*?</div>', page, re.DOTALL)
        assert overlay is not None
        assert "<code>data/returns.csv:7</code> gross_gbp: not an amount of money (&#x27;lots&#x27;" in overlay[0]
        assert any("data/returns.csv:7: gross_gbp: not an amount of money" in s for s in said)  # the terminal too
        assert get(server.url + "tables/ni179.csv")[0] == 200

        returns.write_text(good, encoding="utf-8")
        events.next_build()
        assert "sitegen-build-errors" not in get(server.url)[2]
        assert said[-1].startswith("Built ")
    finally:
        events.close()


def test_a_first_build_that_fails_still_serves_the_errors(copy_fixture) -> None:
    project = copy_fixture("minimal")
    with (project / "data" / "returns.csv").open("a", encoding="utf-8") as handle:
        handle.write(BAD_LINE)
    with Preview(project, port=0) as server:
        status, _, page = get(server.url)
        assert status == 503
        assert "<code>data/returns.csv:7</code>" in page and "EventSource" in page


def test_a_port_in_use_is_a_clear_error(preview_unedited) -> None:
    server, _ = preview_unedited
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(SitegenError, match=f"cannot serve on 127.0.0.1:{port}: .*choose another port with --port"):
        Preview(server.project_dir, port=port).start()


def test_the_command_serves_until_ctrl_c(copy_fixture) -> None:
    project = copy_fixture("minimal")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # Ctrl-C as a terminal sends it, whatever this suite was started from: a shell starts
    # background jobs with SIGINT ignored, and Python then keeps ignoring it.
    with subprocess.Popen([SITEGEN, "serve", "-C", str(project), "--port", "0"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as process:
        try:
            lines = []
            while not lines or not lines[-1].startswith("Serving "):
                line = process.stdout.readline()
                assert line, f"the command ended: {process.stderr.read()}"
                lines.append(line)
            url = re.search(r"at (http://127\.0\.0\.1:\d+/)", lines[-1])[1]
            assert get(url)[0] == 200
            process.send_signal(signal.SIGINT)  # Ctrl-C
            assert process.wait(timeout=30) == 0
            assert process.stdout.read().strip().endswith("Stopped.")
            assert "Traceback" not in process.stderr.read()
        finally:
            if process.poll() is None:
                process.kill()


def raw_status(url: str, request: str) -> str:
    """The status line the server answers a request written byte for byte (a browser's, an attacker's)."""
    host, port = url.removeprefix("http://").strip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request.replace("{port}", port).encode("latin-1"))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


@pytest.mark.parametrize(("host", "status"), [
    ("127.0.0.1:{port}", "200"),
    ("localhost:{port}", "200"),
    ("evil.example:{port}", "421"),  # a name of the attacker's, pointed at 127.0.0.1 (DNS rebinding)
    ("localhost.evil.example:{port}", "421"),
    ("127.0.0.1:1", "421"),  # another port
    ("10.0.0.1:{port}", "421"),  # an address this server does not serve
    ("user@127.0.0.1:{port}", "421"),
    (None, "421"),
])
def test_only_requests_for_the_address_served_are_answered(preview_unedited, host: str | None, status: str) -> None:
    server, _ = preview_unedited
    header = f"Host: {host}\r\n" if host is not None else ""
    line = raw_status(server.url, f"GET /paper/ HTTP/1.1\r\n{header}Connection: close\r\n\r\n")
    assert line.split(" ")[1] == status, line


@pytest.mark.parametrize("path", ["/%00", "/paper/%00.html", "/a%00b/", "/%ff%fe/", "http://evil.example/",
                                  "/paper/\x01", "/" + "%" * 3])
def test_a_bad_request_is_a_4xx_without_a_traceback(preview_unedited, path: str,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    server, _ = preview_unedited
    line = raw_status(server.url, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{{port}}\r\nConnection: close\r\n\r\n")
    assert line.split(" ")[1].startswith("4"), line
    assert get(server.url)[0] == 200  # and the server is still there
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


def wait_for(condition: Callable[[], bool], said: list[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited in vain: {said}"
        time.sleep(0.2)


def test_a_build_that_never_ends_is_stopped_and_later_builds_still_run(copy_fixture) -> None:
    """A project template (trusted, so not sandboxed) that loops for ever: the build is
    stopped at its time limit, the last good site stays up, and the next change builds."""
    project = copy_fixture("minimal")
    build_folder(project)  # so that the server's first build has nothing to do
    said: list[str] = []
    with Preview(project, port=0, report=lambda message, is_error: said.append(message), build_seconds=8) as server:
        assert said[-1].startswith("Built ")
        forever = project / "templates" / "forever.html"
        forever.parent.mkdir()
        forever.write_text("<!doctype html>{% for i in range(10**15) %}{% endfor %}", encoding="utf-8")
        looping = project / "content" / "looping.md"
        looping.write_text("---\ntitle: Looping\nlayout: forever\n---\nFor ever.\n", encoding="utf-8")
        wait_for(lambda: "took more than 8 seconds" in server.state.failure, said)
        assert any("Build failed; still serving the last good site." in s for s in said)
        status, _, page = get(server.url + "paper/")
        assert status == 200 and "Steering group paper" in page and "took more than 8 seconds" in page
        looping.unlink()
        wait_for(lambda: said[-1].startswith("Built "), said)
        assert not server.state.failure and get(server.url)[0] == 200
        assert not list(project.glob(".site-new-*"))


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_pages_reload_first_and_the_pdf_follows_as_a_clean_build_makes_it(preview) -> None:
    server, _ = preview
    pdf = server.project_dir / "site" / "papers" / "paper.pdf"
    before = pdf.read_bytes()
    events = EventStream(server.url)
    try:
        events.next_build()
        paper = server.project_dir / "content" / "paper.md"
        paper.write_text(paper.read_text(encoding="utf-8").replace("This paper reports", "This paper now reports"),
                         encoding="utf-8")
        events.next_build()  # the pages
        page = get(server.url + "paper/")[2]
        assert "This paper now reports" in page
        assert 'id="sitegen-pdf-pending"' in page and "The PDF of this page is being updated" in page
        assert 'id="sitegen-pdf-pending"' not in get(server.url)[2]  # the home page's PDF is not
        assert pdf.read_bytes() == before
        events.next_build()  # the PDF
        assert 'id="sitegen-pdf-pending"' not in get(server.url + "paper/")[2]
        assert pdf.read_bytes() != before
    finally:
        events.close()
    served = snapshot(server.project_dir / "site")
    build_folder(server.project_dir, clean=True)
    assert snapshot(server.project_dir / "site") == served


def test_a_change_while_the_pdfs_are_laid_out_shows_its_pages_first(preview) -> None:
    server, said = preview
    events = EventStream(server.url)
    try:
        events.next_build()
        paper = server.project_dir / "content" / "paper.md"
        paper.write_text(paper.read_text(encoding="utf-8").replace("This paper reports", "This paper now reports"),
                         encoding="utf-8")
        events.next_build()  # the pages; the PDF is being laid out
        index = server.project_dir / "content" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nAdded while the PDF was laid out.\n", encoding="utf-8")
        events.next_build()
        page = get(server.url)[2]
        if "Added while the PDF was laid out." not in page:  # the PDF's build ended first: the next is the pages'
            events.next_build()
            page = get(server.url)[2]
        assert "Added while the PDF was laid out." in page
        wait_for(lambda: not server.state.pdfs_pending and said[-1].startswith("Built ") and "follow" not in said[-1],
                 said)
    finally:
        events.close()
    served = snapshot(server.project_dir / "site")
    build_folder(server.project_dir, clean=True)
    assert snapshot(server.project_dir / "site") == served


def test_the_project_stays_loaded_a_page_edit_reads_no_data(preview, monkeypatch: pytest.MonkeyPatch) -> None:
    server, said = preview
    monkeypatch.setattr(project, "load_data", lambda config: pytest.fail("the data read again"))
    events = EventStream(server.url)
    try:
        events.next_build()
        index = server.project_dir / "content" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
        events.next_build()
        assert "One more sentence." in get(server.url)[2]
        assert not server.state.failure and said[-1].startswith("Built ")
    finally:
        events.close()


def test_one_save_makes_one_build(preview) -> None:
    """An editor's save: the file emptied, then written a moment later (and its backup made and removed)."""
    server, said = preview
    index = server.project_dir / "content" / "index.md"
    text = index.read_text(encoding="utf-8") + "\nSaved once.\n"
    builds = server.state.builds
    backup = index.with_name("index.md.bak")
    backup.write_text(text, encoding="utf-8")
    with index.open("w", encoding="utf-8") as file:
        file.flush()
        time.sleep(0.03)
        file.write(text)
    backup.unlink()
    wait_for(lambda: server.state.builds > builds, said)
    time.sleep(3)  # long enough for a second build to have begun and ended
    assert server.state.builds == builds + 1
    assert "Saved once." in get(server.url)[2]


def test_edits_to_many_pages_under_serve_give_the_clean_build(copy_fixture) -> None:
    """A section of sixty pages already built (the server's first build has nothing to do,
    so it reads the project ahead): a body edited, then a title, each served as a clean
    build makes the site; the title moves its page in the previous/next sequence."""
    project = copy_fixture("minimal")
    section = project / "content" / "notes" / "topic"
    section.mkdir(parents=True)
    (project / "content" / "notes" / "index.md").write_text("---\ntitle: Notes\n---\n\nThe notes.\n")
    (section / "index.md").write_text("---\ntitle: Topic\n---\n\nThe topic.\n")
    for number in range(60):
        (section / f"note-{number:02d}.md").write_text(f"---\ntitle: Note {number:02d}\n---\n\nAbout note {number}.\n")
    build_folder(project)
    said: list[str] = []
    with Preview(project, port=0, report=lambda message, is_error: said.append(message)) as server:
        events = EventStream(server.url)
        try:
            events.next_build()
            edited = section / "note-30.md"
            edited.write_text(edited.read_text().replace("About note 30.", "About note 30, revised."))
            events.next_build()
            assert "About note 30, revised." in get(server.url + "notes/topic/note-30/")[2]
            edited.write_text(edited.read_text().replace("title: Note 30", "title: Note 99"))
            events.next_build()
            assert "Next</span> Note 99" in get(server.url + "notes/topic/note-59/")[2]
            assert not server.state.failure
        finally:
            events.close()
    served = snapshot(project / "site")
    build_folder(project, clean=True)
    assert snapshot(project / "site") == served
