"""Incremental builds: a rebuild remakes exactly what a change touches, and its site is
byte for byte the site a clean build makes from the same inputs."""

from __future__ import annotations

import contextlib
import inspect
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_folder

from sitegen import project
from sitegen.build import links
from sitegen.build.pipeline import BuildOptions, BuildResult, build
from sitegen.build.state import CACHE_DIR, DATABASE, MEMO, BuildState
from sitegen.config import load_config
from sitegen.errors import ContentError
from sitegen.render import charts
from sitegen.render.pages import Renderer
from sitegen.tables.table import Column


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def rebuilt_matches_clean(project: Path) -> BuildResult:
    """Build incrementally, then clean, and require the very same files."""
    result = build_folder(project)
    incremental = snapshot(project / "site")
    build_folder(project, clean=True)
    clean = snapshot(project / "site")
    assert incremental.keys() == clean.keys()
    differing = [name for name in clean if clean[name] != incremental[name]]
    assert differing == []
    return result


@pytest.fixture
def built(copy_fixture: Callable[[str], Path]) -> Path:
    project = copy_fixture("minimal")
    first = build_folder(project)
    assert first.kept == 0 and first.made > 0
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_rebuild_with_no_change_makes_nothing(built: Path) -> None:
    before = snapshot(built / "site")
    result = build_folder(built)
    assert result.made == 0
    assert result.kept == len(before)
    assert snapshot(built / "site") == before


def test_editing_one_page_body_remakes_that_page_only(built: Path) -> None:
    edit(built / "content" / "index.md", "\n\n", "\n\nA sentence added by the officer.\n\n")
    result = rebuilt_matches_clean(built)
    assert result.made == 2  # the page, and the search index holding its words
    assert "A sentence added by the officer." in (built / "site" / "index.html").read_text()


def test_editing_a_paper_remakes_its_page_and_its_pdf(built: Path) -> None:
    edit(built / "content" / "paper.md", "This paper reports", "This paper now reports")
    result = rebuilt_matches_clean(built)
    assert result.made == 3  # paper/index.html, its PDF and the search index


def test_changing_a_page_title_remakes_every_page_the_navigation_is_on(built: Path) -> None:
    pages = len(list((built / "site").rglob("index.html")))
    edit(built / "content" / "paper.md", "title: Steering group paper", "title: Steering group report")
    result = rebuilt_matches_clean(built)
    assert result.made >= pages
    assert "Steering group report" in (built / "site" / "index.html").read_text()


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def _with_a_topic(project: Path) -> None:
    """A section (notes/, in the navigation) with a topic of four pages inside it (not in the navigation)."""
    (project / "content" / "notes" / "topic").mkdir(parents=True)
    (project / "content" / "notes" / "index.md").write_text("---\ntitle: Notes\n---\n\nThe notes.\n")
    (project / "content" / "notes" / "topic" / "index.md").write_text("---\ntitle: Topic\n---\n\nThe topic.\n")
    for name in ("alpha", "bravo", "charlie", "delta"):
        (project / "content" / "notes" / "topic" / f"{name}.md").write_text(
            f"---\ntitle: {name.capitalize()}\n---\n\nAbout {name}.\n")
    build_folder(project)


def test_changing_a_title_remakes_only_the_pages_that_show_it(built: Path) -> None:
    """Bravo's new title moves it last among its neighbours: the pages whose previous or
    next page it is (or was) and the site map show it; no other page does."""
    _with_a_topic(built)
    before = _inodes(built / "site")
    edit(built / "content" / "notes" / "topic" / "bravo.md", "title: Bravo", "title: Zulu")
    rebuilt_matches_clean_after = build_folder(built)
    after = _inodes(built / "site")
    remade = {name for name in after if before.get(name) != after[name]}
    topic = "notes/topic"
    assert {name for name in remade if name.endswith(".html")} == {
        f"{topic}/bravo/index.html",  # the page itself
        f"{topic}/alpha/index.html", f"{topic}/charlie/index.html",  # its neighbours before
        f"{topic}/delta/index.html",  # its neighbour now (delta did not show bravo before)
        "sitemap/index.html",  # the site map lists every page
    }
    assert {name for name in remade if not name.endswith(".html")} == {
        name for name in remade if name.startswith("search/index-")}  # and the search index shard holding it
    assert rebuilt_matches_clean_after.made == len(remade)
    delta = (built / "site" / topic / "delta" / "index.html").read_text()
    assert 'rel="next"><span class="pager__label">Next</span> Zulu' in delta
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)
    assert snapshot(built / "site") == incremental


def _body_edited_and_rebuilt(project: Path, rebuild: Callable[[], BuildResult]) -> None:
    """Bravo's body edited and the project rebuilt: that page and its search shard, nothing else."""
    _with_a_topic(project)
    before = _inodes(project / "site")
    edit(project / "content" / "notes" / "topic" / "bravo.md", "About bravo.", "About bravo, and more.")
    result = rebuild()
    after = _inodes(project / "site")
    remade = {name for name in after if before.get(name) != after[name]}
    assert len(remade) == result.made == 2
    assert "notes/topic/bravo/index.html" in remade and any(name.startswith("search/index-") for name in remade)


def test_changing_a_body_remakes_that_page_and_its_search_shard_only(built: Path) -> None:
    _body_edited_and_rebuilt(built, lambda: build_folder(built))
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)
    assert snapshot(built / "site") == incremental


def test_the_project_named_by_another_path_remakes_only_what_changed(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sitegen build` in the folder after `sitegen build -C /abs/path` (or the other way
    round) is the same project: an edit remakes what it touched, not every page and PDF."""
    monkeypatch.chdir(built.parent)
    _body_edited_and_rebuilt(built, lambda: build_folder(Path(built.name)))


def test_a_title_in_the_navigation_remakes_every_page(built: Path) -> None:
    _with_a_topic(built)
    edit(built / "content" / "notes" / "index.md", "title: Notes", "title: Working notes")
    result = rebuilt_matches_clean(built)
    assert result.made >= len(list((built / "site").rglob("index.html")))
    assert "Working notes" in (built / "site" / "notes" / "topic" / "alpha" / "index.html").read_text()


def test_changing_the_returns_remakes_the_tables_and_the_pages_that_show_them(built: Path) -> None:
    edit(built / "data" / "returns.csv", '"£4,000.25"', '"£4,100.25"')
    result = rebuilt_matches_clean(built)
    assert result.made > 0
    assert "4,100" in (built / "site" / "paper" / "index.html").read_text()
    assert "4100.25" in (built / "site" / "tables" / "return_lines.csv").read_text()


def test_overriding_a_template_remakes_the_pages_that_use_it(built: Path) -> None:
    theme_table = Path(__file__).parent.parent / "sitegen" / "theme" / "templates" / "_table.html"
    (built / "templates").mkdir()
    (built / "templates" / "_table.html").write_text(
        theme_table.read_text().replace("<table", '<table data-override="yes"', 1))
    result = rebuilt_matches_clean(built)
    assert 'data-override="yes"' in (built / "site" / "paper" / "index.html").read_text()
    assert result.made >= 2  # the paper's page and PDF at least
    assert result.kept > 0  # pages without a table are kept


def test_changing_the_settings_remakes_everything_made_from_them(built: Path) -> None:
    edit(built / "sitegen.toml", 'title = "Minimal Report"', 'title = "Minimal Report 2010-11"')
    result = rebuilt_matches_clean(built)
    assert "Minimal Report 2010-11" in (built / "site" / "index.html").read_text()
    pages = len(list((built / "site").rglob("index.html")))
    assert result.made >= pages


def test_a_removed_page_leaves_the_site(built: Path) -> None:
    (built / "content" / "extra.md").write_text("---\ntitle: Extra\n---\n\nFor a while.\n")
    build_folder(built)
    assert (built / "site" / "extra" / "index.html").is_file()
    (built / "content" / "extra.md").unlink()
    rebuilt_matches_clean(built)
    assert not (built / "site" / "extra").exists()


def test_changing_the_print_stylesheet_remakes_the_pdfs_only(built: Path) -> None:
    theme_print = Path(__file__).parent.parent / "sitegen" / "theme" / "static" / "css" / "print.css"
    (built / "static" / "css").mkdir(parents=True)
    (built / "static" / "css" / "print.css").write_text(theme_print.read_text() + "\nh1 { color: #222; }\n")
    result = rebuilt_matches_clean(built)
    pdfs = len(list((built / "site" / "papers").glob("*.pdf")))
    assert result.made == pdfs + 1  # every PDF, and the stylesheet copied into site/static/


def test_a_file_edited_inside_site_is_made_again(built: Path) -> None:
    index = built / "site" / "index.html"
    original = index.read_bytes()
    index.write_bytes(b"edited by hand")
    result = build_folder(built)
    assert result.made == 1
    assert index.read_bytes() == original


def test_clean_makes_everything(built: Path) -> None:
    files = len(snapshot(built / "site"))
    result = build_folder(built, clean=True)
    assert result.kept == 0 and result.made == files


def test_a_damaged_state_means_a_clean_build(built: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = built / CACHE_DIR / DATABASE
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(b"not a database" * 100)
    result = build_folder(built)
    assert result.kept == 0
    assert "ignoring the build state" in caplog.text
    assert build_folder(built).made == 0  # written afresh: the next build keeps everything


def test_a_state_from_another_sitegen_means_a_clean_build(built: Path) -> None:
    with sqlite3.connect(built / CACHE_DIR / DATABASE) as database:
        database.execute("UPDATE facts SET value = '0.0.1' WHERE name = 'version'")
    assert build_folder(built).kept == 0


def test_a_failed_rebuild_keeps_the_records_of_the_last_good_build(built: Path) -> None:
    before = _records(built)
    edit(built / "content" / "index.md", "\n\n", "\n\n{{ table('no_such_table') }}\n\n")
    with pytest.raises(Exception):
        build_folder(built)
    assert _records(built) == before


def _records(project: Path) -> list[tuple[str, bytes, str]]:
    with contextlib.closing(sqlite3.connect(project / CACHE_DIR / DATABASE)) as database:
        return database.execute("SELECT output, record, digest FROM outputs ORDER BY output").fetchall()


def test_the_same_build_in_one_process_and_in_several(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("minimal")
    for number in range(30):  # enough pages for the worker pool to be used
        (project / "content" / f"note-{number:02d}.md").write_text(f"---\ntitle: Note {number}\n---\n\nNote {number}.\n")
    build_folder(project, jobs=1, clean=True)
    alone = snapshot(project / "site")
    build_folder(project, jobs=2, clean=True)
    assert snapshot(project / "site") == alone


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_kept_files_are_hard_links_not_copies(built: Path) -> None:
    before = (built / "site" / "index.html").stat().st_ino
    build_folder(built)
    assert (built / "site" / "index.html").stat().st_ino == before


def test_touching_a_file_without_changing_it_makes_nothing(built: Path) -> None:
    index = built / "content" / "index.md"
    index.write_bytes(index.read_bytes())  # a new modification time, the same text
    result = build_folder(built)
    assert result.made == 0


def test_a_build_with_nothing_to_do_loads_nothing(built: Path) -> None:
    """The answer comes before pandas, Markdown or WeasyPrint are imported."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from sitegen.cli import main\n"
        "main(['build', '-C', sys.argv[1]], standalone_mode=False)\n"
        "print(sorted(m for m in ('pandas', 'markdown', 'weasyprint') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(built)], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
    assert "files unchanged" in done.stdout


def test_a_kept_page_is_checked_again_when_an_anchor_it_links_to_goes(built: Path) -> None:
    edit(built / "content" / "index.md", "## Budget", "See [the purpose](paper/#purpose).\n\n## Budget")
    build_folder(built)
    edit(built / "content" / "paper.md", "## Purpose", "## Aim")  # index.md itself is unchanged
    with pytest.raises(ContentError) as caught:
        build_folder(built)
    assert [(p.file, p.message) for p in caught.value.problems] == [
        ("content/index.md", "broken link 'paper/#purpose': paper/ has no anchor #purpose")]


def test_a_kept_page_is_not_checked_again_when_only_other_pages_anchors_change(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(built / "content" / "paper.md", "## Purpose", "## Aim")
    checked: list[str] = []
    original = links._broken
    monkeypatch.setattr(links, "_broken", lambda link, page_url, *rest: checked.append(page_url) or original(link, page_url, *rest))
    build_folder(built)
    assert set(checked) == {"paper/"}


def test_a_clean_build_trusts_nothing_in_the_folder_it_recycles(built: Path) -> None:
    edit(built / "content" / "index.md", "\n\n", "\n\nA new sentence.\n\n")
    build_folder(built)  # the site before last is now kept as previous-site
    kept = built / CACHE_DIR / "previous-site"
    assert (kept / "index.html").is_file()
    (kept / "stray.html").write_text("left behind", encoding="utf-8")
    (kept / "index.html").unlink()
    (kept / "index.html").write_text("tampered", encoding="utf-8")
    expected = snapshot(built / "site")
    result = build_folder(built, clean=True)
    assert result.kept == 0
    assert snapshot(built / "site") == expected


def test_replaced_files_are_set_aside_and_deleted_after_the_build(built: Path) -> None:
    edit(built / "content" / "index.md", "\n\n", "\n\nFirst.\n\n")
    build_folder(built)
    edit(built / "content" / "index.md", "First.", "Second.")
    build_folder(built)  # recycles the first site: its index.html is set aside, not deleted in the build
    cache = built / CACHE_DIR
    assert not (cache / "trash").exists()  # handed to the background process
    deadline = time.monotonic() + 30
    while list(cache.glob("trash*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(cache.glob("trash*")) == []
    assert "Second." in (built / "site" / "index.html").read_text()


def test_editing_a_paper_of_an_agenda_pack_lays_out_that_paper_alone_again(built: Path) -> None:
    (built / "content" / "second.md").write_text("---\ntitle: Second paper\n---\n\nThe second paper.\n")
    (built / "content" / "meeting.md").write_text(
        "---\ntitle: Meeting\nlayout: meeting\ndate: 2009-06-10\nmeeting: Steering group\n"
        "items:\n  - paper: paper\n  - paper: second\n---\n\nThe meeting.\n")
    build_folder(built)
    parts = BuildState.open(built).parts("papers/meeting.pdf", "")
    before = set(parts.stored())
    assert len(before) == 1  # the second page, which has no PDF of its own; the paper's own PDF is the pack's part
    edit(built / "content" / "second.md", "The second paper.", "The second paper, edited.")
    result = build_folder(built)
    assert result.made == 3  # second/index.html, the pack and the search index
    after = set(parts.stored())
    assert len(after) == 1 and before != after  # the paper's own PDF was kept, and is in the pack again
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)
    assert snapshot(built / "site") == incremental
    (built / "content" / "meeting.md").unlink()
    build_folder(built)
    assert parts.stored() == []  # a meeting gone takes its pack's parts with it


# ---- deciding from the records, the chart cache, the load memo, PDFs later ----------------


def test_whether_a_pdf_is_current_is_decided_without_making_its_print_html(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page without a PDF edited: the paper's PDF is kept from its records alone."""
    edit(built / "content" / "index.md", "\n\n", "\n\nA sentence added by the officer.\n\n")
    with monkeypatch.context() as patched:
        patched.setattr(Renderer, "print_html", lambda *args, **kwargs: pytest.fail("print HTML made"))
        result = build_folder(built)
    assert result.made == 2  # the page and the search index
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)
    assert snapshot(built / "site") == incremental


def test_a_pdf_is_laid_out_again_when_a_template_only_its_print_html_uses_changes(built: Path) -> None:
    theme = Path(__file__).parent.parent / "sitegen" / "theme" / "templates" / "print.html"
    (built / "templates").mkdir()
    (built / "templates" / "print.html").write_text(theme.read_text().replace("<body", "<body data-print='yes'", 1))
    result = rebuilt_matches_clean(built)
    assert result.made >= 1 and (built / "site" / "papers" / "paper.pdf").is_file()


def _count_charts(monkeypatch: pytest.MonkeyPatch, tally: Path) -> Callable[[], dict[str, int]]:
    """Count the drawings of the chart of ni179_gbp by partner, layout by layout, in this
    process and in the build's workers (a line each to TALLY); the partners' pages draw
    charts of their own."""
    drawn = charts.chart_svg
    signature = inspect.signature(drawn)

    def counting(x: Column, series: list[Column], *args: object, **kwargs: object) -> str:
        layout = signature.bind(x, series, *args, **kwargs)
        layout.apply_defaults()
        with tally.open("a") as file:
            file.write(f"{x.name} {' '.join(c.name for c in series)} {layout.arguments['layout']}\n")
        return drawn(x, series, *args, **kwargs)

    monkeypatch.setattr(charts, "chart_svg", counting)

    def drawings() -> dict[str, int]:
        lines = tally.read_text().splitlines() if tally.exists() else []
        return {layout: lines.count(f"partner_name ni179_gbp {layout}") for layout in charts.LAYOUTS}

    return drawings


def test_a_chart_is_drawn_once_for_its_rows_and_options(built: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Once in each of its layouts (wide, narrow)."""
    (built / "content" / "chart.md").write_text(
        '---\ntitle: Chart\n---\n\nThe returns.\n\n{{ chart("ni179", x="partner_name", y="ni179_gbp", year="2008-09") }}\n')
    drawings = _count_charts(monkeypatch, tmp_path / "tally")
    build_folder(built)
    assert drawings() == {"wide": 1, "narrow": 1}
    edit(built / "content" / "chart.md", "The returns.", "The returns, by partner.")
    build_folder(built)
    assert drawings() == {"wide": 1, "narrow": 1}  # the page made again, its chart not drawn again
    edit(built / "data" / "returns.csv", '"£4,000.25"', '"£4,100.25"')
    build_folder(built)
    assert drawings() == {"wide": 2, "narrow": 2}  # other rows: drawn anew
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)  # draws every chart anew, trusting no kept one
    assert drawings() == {"wide": 3, "narrow": 3}
    assert snapshot(built / "site") == incremental



def test_a_clean_build_keeps_only_the_charts_it_shows(built: Path) -> None:
    """The chart cache does not grow year after year with charts of rows no page shows."""
    (built / "content" / "chart.md").write_text(
        '---\ntitle: Chart\n---\n\nThe returns.\n\n{{ chart("ni179", x="partner_name", y="ni179_gbp", year="2008-09") }}\n')
    build_folder(built)
    cache = built / CACHE_DIR / "charts"
    shown = sorted(cache.glob("*.svg"))
    assert shown, "no chart was kept"
    long_ago = time.time() - 3600
    stale = cache / ("0" * 40 + ".svg")  # drawn from rows no page shows now
    stale.write_text("<svg/>", encoding="utf-8")
    for path in [stale, *shown]:
        os.utime(path, (long_ago, long_ago))
    build_folder(built)
    assert stale.is_file()  # an incremental build draws only some charts: it deletes none
    build_folder(built, clean=True)
    assert sorted(cache.glob("*.svg")) == shown


def test_a_rebuild_reads_no_data_file_unchanged_since_the_last(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(built / "content" / "index.md", "\n\n", "\n\nA sentence added by the officer.\n\n")
    with monkeypatch.context() as patched:
        patched.setattr(project, "load_data", lambda config: pytest.fail("the data read again"))
        build_folder(built)
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)
    assert snapshot(built / "site") == incremental


def test_a_damaged_load_memo_is_read_as_none(built: Path) -> None:
    (built / CACHE_DIR / MEMO).write_bytes((built / CACHE_DIR / MEMO).read_bytes()[:200])
    edit(built / "data" / "returns.csv", '"£4,000.25"', '"£4,100.25"')
    rebuilt_matches_clean(built)
    assert "4,100" in (built / "site" / "paper" / "index.html").read_text()


def test_pdfs_left_to_the_next_build_keep_their_last_file_until_it_runs(built: Path) -> None:
    """`sitegen serve` shows pages first: the paper's page is new at once, its PDF follows."""
    pdf = built / "site" / "papers" / "paper.pdf"
    before = pdf.read_bytes()
    edit(built / "content" / "paper.md", "This paper reports", "This paper now reports")
    first = build(load_config(built), BuildOptions(pdfs_later=True))
    assert first.pending == ("paper/",)
    assert "This paper now reports" in (built / "site" / "paper" / "index.html").read_text()
    assert pdf.read_bytes() == before
    second = build_folder(built)  # never taken for a build with nothing to do
    assert second.made == 1 and second.pending == ()
    assert pdf.read_bytes() != before
    incremental = snapshot(built / "site")
    build_folder(built, clean=True)
    assert snapshot(built / "site") == incremental
