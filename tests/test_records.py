"""Issued papers are records (sitegen/records/): a late return changes the live report and
none of the issued papers; a re-issue keeps version 1 and lists the change; a paper as at
a date leaves out a return received the day after; a pack gains a supplement, never a change.

The demo holds the records: the July 2011 paper (issued 7 July 2011, corrected on 4 August
as version 2), its meeting's pack, and the 2009 review issued as at 22 May 2009.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, build_folder, copy_demo, load_folder
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sitegen.build.result import BuildResult
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.errors import ContentError, SitegenError
from sitegen.project import load_project
from sitegen.records.as_at import dataset_as_at
from sitegen.render.pages import Renderer
from sitegen.tables.compute import compute_tables

JULY = "content/steering-group/steering-group-2011-07.md"
REVIEW = "content/steering-group/ni179-review-2009.md"
MEETING = "content/meetings/2011-07-14.md"
JULY_HTML = "steering-group/steering-group-2011-07/index.html"
REVIEW_HTML = "steering-group/ni179-review-2009/index.html"
RECORD_COPIES = ("papers/steering-group-2011-07-v1.pdf", "papers/steering-group-2011-07-v2.pdf",
                 "papers/ni179-review-2009-v1.pdf", "papers/2011-07-14.pdf")
LATE_RETURN = "data/returns/fenholt-dc-2010-11-actual.csv"


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def without_notice(html: str) -> str:
    """A page's HTML with the notice that today's figures differ taken out."""
    return re.sub(r'\s*<div class="record-notice" role="note">.*?</div>', "", html, flags=re.DOTALL)


def add_late_return(project: Path) -> None:
    """Fenholt's 2010-11 actual return, received on 2 August 2011 (after the July paper was issued)."""
    earlier = (project / "data/returns/fenholt-dc-2009-10-actual.csv").read_text(encoding="utf-8")
    (project / LATE_RETURN).write_text(earlier.replace("2009/10,actual", "2010-11,actual"), encoding="utf-8")
    with (project / "data/received.csv").open("a", encoding="utf-8") as log:
        log.write("fenholt-dc,2010-11,actual,2011-08-02\n")


@pytest.fixture(scope="module")
def late_return(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BuildResult]:
    """The demo built (before), then again in the same folder after a late return arrived (after)."""
    project = copy_demo(tmp_path_factory.mktemp("late") / "project")
    build_folder(project)
    before = project.parent / "before"
    shutil.copytree(project / "site", before)
    add_late_return(project)
    return before, project, build_folder(project)


# ---- a late return ---------------------------------------------------------------------


def test_a_late_return_changes_the_live_report_and_none_of_the_issued_papers(
        late_return: tuple[Path, Path, BuildResult]) -> None:
    before, project, _ = late_return
    after = project / "site"
    assert (before / "tables/ni179_total.csv").read_bytes() != (after / "tables/ni179_total.csv").read_bytes()
    assert (before / "report/index.html").read_bytes() != (after / "report/index.html").read_bytes()
    for copy in RECORD_COPIES:  # the record copies and the issued pack, byte for byte
        assert (before / copy).read_bytes() == (after / copy).read_bytes(), copy
    for page in (JULY_HTML, REVIEW_HTML):  # the pages, but for the notice
        assert without_notice((before / page).read_text(encoding="utf-8")) == \
            without_notice((after / page).read_text(encoding="utf-8")), page
    assert "£190.9 million [r]" in (after / JULY_HTML).read_text(encoding="utf-8")


def test_the_build_names_each_issued_paper_whose_figures_differ(late_return: tuple[Path, Path, BuildResult]) -> None:
    _, project, result = late_return
    said = [str(problem) for problem in result.warnings if "issued on" in problem.message]
    assert said and all(line.startswith(JULY) for line in said)  # the 2009 review is as at 22 May 2009
    assert any("ni179_total (2010-11, actual) NI 179: £190,932,883.66 as issued, £191,403,534.59 now "
               f"(changed since: {LATE_RETURN})" in line for line in said)
    assert any("returns_missing (fenholt-dc, Fenholt District Council, 2010-11, actual): row no longer shown"
               in line for line in said)
    with pytest.raises(SitegenError) as failed:
        load_folder(project, strict=True)
    assert any(problem.file == JULY and "NI 179" in problem.message for problem in failed.value.problems)


def test_an_issued_paper_whose_figures_differ_says_so_in_html_and_pdf(
        late_return: tuple[Path, Path, BuildResult]) -> None:
    before, project, _ = late_return
    notice = HTMLParser((project / "site" / JULY_HTML).read_text(encoding="utf-8")).css_first(".record-notice")
    assert notice is not None
    assert " ".join(notice.text().split()) == (
        "Figures as reported to the Valeshire Partnership Steering Group on 14 July 2011. Later returns have "
        "changed them: see the current position.")
    assert notice.css_first("a").attributes["href"] == "../../report/"
    assert HTMLParser((before / JULY_HTML).read_text(encoding="utf-8")).css_first(".record-notice") is None
    text = " ".join(pdf_text(project / "site/papers/steering-group-2011-07.pdf").split())
    assert "Figures as reported to the Valeshire Partnership Steering Group on 14 July 2011. Later returns " \
           "have changed them: see the current position." in text
    assert "Later returns" not in pdf_text(project / "site/papers/steering-group-2011-07-v2.pdf")


# ---- versions ----------------------------------------------------------------------------


def test_the_demo_correction_keeps_version_1_and_lists_the_change(built_demo: tuple[Path, BuildResult]) -> None:
    site = built_demo[0] / "site"
    first = " ".join(pdf_text(site / "papers/steering-group-2011-07-v1.pdf").split())
    assert "show £191.1 million against" in first and "Updates to this paper" not in first and "[r]" not in first
    current = " ".join(pdf_text(site / "papers/steering-group-2011-07.pdf").split())
    assert "Issued 7 July 2011 · version 2, updated 4 August 2011" in current
    assert "4 August 2011: Castlebridge City Council corrected its actual return for 2010-11" in current
    assert "show £190.9 million [r] against" in current
    assert "[r] revised: a figure changed since the version before" in current
    page = HTMLParser((site / JULY_HTML).read_text(encoding="utf-8"))
    cells = [cell.text(strip=True) for cell in page.css("td")]
    # Castlebridge City's figure, not Police's; pence in every cell, as some of the column's need them.
    assert "£27,491,430.00 [r]" in cells and "£16,340,310.00" in cells
    links = {a.text(strip=True): a.attributes["href"] for a in page.css(".record__updates a")}
    assert links == {"version 2, PDF": "../../papers/steering-group-2011-07-v2.pdf",
                     "version 1, PDF": "../../papers/steering-group-2011-07-v1.pdf"}
    for live, figures in (("report/index.html", 4), ("partners/castlebridge-city/index.html", 2)):
        told = HTMLParser((site / live).read_text(encoding="utf-8")).css_first(".revisions li")
        assert " ".join(told.text().split()).startswith(
            f"4 August 2011: {figures} figures in Value for money and efficiency: position at the end of 2010-11 "
            "revised (version 2). Castlebridge City Council corrected its actual return for 2010-11"), live
    assert HTMLParser((site / "partners/valeshire-police/index.html").read_text(encoding="utf-8")).css_first(
        ".revisions") is None
    pack = " ".join(pdf_text(site / "papers/2011-07-14.pdf").split())  # the meeting had version 1
    assert "show £191.1 million against" in pack and "£190.9 million" not in pack


def test_editing_an_issued_paper_is_an_error_unless_it_is_reissued(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    paper = project / JULY
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.replace("Gains that do not release cash", "Gains which do not release cash"),
                     encoding="utf-8")
    with pytest.raises(ContentError) as edited:
        load_folder(project)
    [problem] = edited.value.problems
    assert (problem.file, problem.line) == (JULY, text.split("\n").index(
        "Gains that do not release cash, or that have lapsed, are reported separately and do") + 1)
    assert problem.message.startswith("was issued on 4 August 2011 (version 2) and has been changed since")
    assert "add to `updates:` the date and what changed and why" in problem.message

    update = "  - date: 2011-09-01\n    change: Annex wording made plainer.\n"
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.replace('figures are restated."\n', 'figures are restated."\n' + update, 1), encoding="utf-8")
    with pytest.raises(ContentError) as not_yet:
        load_folder(project)
    assert "version 3 (an update) has not been issued: run `sitegen issue" in not_yet.value.problems[0].message

    result = CliRunner().invoke(main, ["issue", JULY, "-C", str(project)])
    assert result.exit_code == 0, result.output
    assert (project / "issued/steering-group/steering-group-2011-07/v3/page.md").read_text(encoding="utf-8") == \
        paper.read_text(encoding="utf-8")
    again = CliRunner().invoke(main, ["issue", JULY, "-C", str(project)])
    assert again.exit_code == 1 and "version 3 was issued on 1 September 2011" in again.output
    loaded = load_folder(project)
    [issued] = [p for p in loaded.records.papers if p.page.source_name == JULY]
    assert [v.pdf_name for v in issued.versions] == [f"steering-group-2011-07-v{n}.pdf" for n in (1, 2, 3)]
    assert [u["date"].isoformat() for u in issued.page.meta.record["updates"]] == ["2011-08-04", "2011-09-01"]
    assert issued.page.meta.record["revised"] == 0  # nothing in the data changed since version 2


# ---- as at a date --------------------------------------------------------------------------


def test_an_as_at_table_leaves_out_a_return_received_the_day_after(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    log = project / "data/received.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("kestlewick-bc,2010-11,actual,")]
    log.write_text("\n".join([*lines, "kestlewick-bc,2010-11,actual,2011-07-01"]) + "\n", encoding="utf-8")
    (project / "content/as-at.md").write_text(
        "---\ntitle: As at\nas_at: 2011-06-30\n---\n\n"
        '{{ table("ni179", year="2010-11", return_type="actual", columns=["partner_name", "ni179_gbp"]) }}\n\n'
        '{{ table("returns_missing", year="2010-11", return_type="actual", columns=["partner_name"]) }}\n',
        encoding="utf-8")
    loaded = load_folder(project)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content, loaded.records.page_tables)
    page = HTMLParser(renderer.render_page(loaded.content.page_at("as-at/")).body_html)
    shown, missing = [[cell.text(strip=True) for cell in table.css("tbody th, tbody td")]
                      for table in page.css("table")]
    assert "Kestlewick Borough Council" not in shown and "Kestlewick Borough Council" in missing
    assert "Kestlewick Borough Council" in [row["partner_name"] for row in
                                            compute_tables(loaded.dataset, loaded.config)["ni179"].rows]
    import datetime as dt

    on_the_day = compute_tables(dataset_as_at(loaded.dataset, dt.date(2011, 7, 1)), loaded.config)
    assert "Kestlewick Borough Council" in [row["partner_name"] for row in on_the_day["ni179"].rows]


def test_the_2009_review_shows_2009s_figures(built_demo: tuple[Path, BuildResult]) -> None:
    page = HTMLParser((built_demo[0] / "site" / REVIEW_HTML).read_text(encoding="utf-8"))
    captions = {table.css_first("caption").text(strip=True): table for table in page.css("table")}
    missing = captions["Returns not received when this paper was prepared"]
    assert [td.text(strip=True) for td in missing.css("tbody td, tbody th")][:1] == ["Marrowby District Council"]
    scores = captions["Use of resources: value for money scores"]
    assert {row.css("td, th")[0].text(strip=True) for row in scores.css("tbody tr")} == {"2008-09"}
    assert "figures as at 22 May 2009" in page.css_first(".record__status").text()


# ---- packs ------------------------------------------------------------------------------


def test_a_paper_added_after_the_pack_was_issued_goes_in_a_supplementary_pack(
        tmp_path: Path, built_demo: tuple[Path, BuildResult]) -> None:
    project = copy_demo(tmp_path / "project")
    (project / "content/steering-group/late-item.md").write_text(
        "---\ntitle: Shared audit service\nlayout: paper\npdf: true\nmeeting: Valeshire Partnership Steering Group\n"
        "report_of: Partnership Support Manager\n---\n\n## Proposal\n\nA shared internal audit service.\n",
        encoding="utf-8")
    meeting = project / MEETING
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "  - title: Any other business\n",
        "  - title: Any other business\n  - paper: steering-group/late-item\n    presenter: Helen Armitage\n"),
        encoding="utf-8")
    build_folder(project)
    site = project / "site"
    assert (site / "papers/2011-07-14.pdf").read_bytes() == (built_demo[0] / "site/papers/2011-07-14.pdf").read_bytes()
    supplement = " ".join(pdf_text(site / "papers/2011-07-14-supplement.pdf").split())
    assert "Valeshire Partnership Steering Group 14 July 2011 at 10:00" in supplement
    assert "Supplementary agenda and papers" in supplement and "Apologies for absence" not in supplement
    assert "A shared internal audit service." in supplement and "Position at the year end" not in supplement
    link = HTMLParser((site / "meetings/2011-07-14/index.html").read_text(encoding="utf-8")).css_first(
        ".record__status a")
    assert link.attributes["href"] == "../../papers/2011-07-14-supplement.pdf"

    meeting.write_text(meeting.read_text(encoding="utf-8").replace("Committee Room 2", "Committee Room 3"),
                       encoding="utf-8")
    with pytest.raises(ContentError) as changed:
        load_folder(project)
    assert changed.value.problems[0].file == MEETING
    assert "an issued pack can only gain items" in changed.value.problems[0].message


# ---- receipts log the date a return arrived ------------------------------------------------


def test_a_receipt_enters_a_return_not_yet_in_the_received_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_demo(tmp_path / "project")
    log = project / "data/received.csv"
    log.write_text("".join(line for line in log.read_text(encoding="utf-8").splitlines(keepends=True)
                           if not line.startswith("marrowby-dc,2010-11,forecast,")), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1312243200")  # 2 August 2011
    result = CliRunner().invoke(main, ["returns", "receipt", "--partner", "marrowby-dc", "--year", "2010-11",
                                       "--type", "forecast", "--out", str(tmp_path / "out"), "-C", str(project)])
    assert result.exit_code == 0, result.output
    assert log.read_text(encoding="utf-8").endswith("marrowby-dc,2010-11,forecast,2011-08-02\n")
    assert "Entered in data/received.csv: Marrowby District Council, 2010-11 forecast return" in result.output
    again = CliRunner().invoke(main, ["returns", "receipt", "--partner", "marrowby-dc", "--year", "2010-11",
                                      "--type", "forecast", "--out", str(tmp_path / "out"), "-C", str(project)])
    assert again.exit_code == 0 and "Entered" not in again.output
    assert log.read_text(encoding="utf-8").count("marrowby-dc,2010-11,forecast,") == 1


def test_the_demo_records_are_committed_with_the_project() -> None:
    """What `sitegen issue` wrote for the demo is in the repository, and loads."""
    loaded = load_project(load_config(REPO))
    assert {p.page.source_name for p in loaded.records.papers} == {JULY, REVIEW}
    assert set(loaded.records.packs) == {"meetings/2011-07-14/"}
