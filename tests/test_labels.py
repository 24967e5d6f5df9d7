"""Words, not codes: read the demo as a proof-reader would, every table cell of every page
and the report's PDF, and check that a project's own words (sitegen.toml [labels.*]) are
used and a wrong key is named where it is."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import load_folder
from sitegen.config import load_config
from sitegen.data.contract import CONTRACT
from sitegen.errors import ConfigError
from sitegen.labels import COLUMN_VOCABULARIES, VOCABULARIES
from sitegen.render.pages import Renderer
from sitegen.rules import benchmarking, ni179

REPO = Path(__file__).parent.parent


def demo_codes(project: Path) -> set[str]:
    """Every code a reader must never see: the contract's enumerated values, the computed
    ones (quadrants), and the keys of partners and projects."""
    found = {value for spec in CONTRACT for column in spec.columns for value in column.values}
    found |= set(benchmarking.QUADRANTS.values())
    found |= set(pd.read_csv(project / "data" / "partners.csv")["partner_id"])
    found |= set(pd.read_csv(project / "data" / "projects.csv")["project_id"])
    return found


def table_cells(site: Path) -> list[tuple[str, str, str]]:
    """(page, caption, text) of every body and total cell of every table of every page."""
    cells = []
    for page in sorted(site.rglob("*.html")):
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for table in tree.css("table"):
            caption = table.css_first("caption")
            for cell in table.css("tbody td, tbody th, tfoot td, tfoot th"):
                cells.append((page.relative_to(site).as_posix(), caption.text(strip=True) if caption else "",
                              cell.text(strip=True)))
    return cells


def test_every_enumerated_value_of_the_contract_has_a_label() -> None:
    for spec in CONTRACT:
        for column in spec.columns:
            if column.values:
                vocabulary = VOCABULARIES[COLUMN_VOCABULARIES[column.name]]
                assert set(column.values) == set(vocabulary), (spec.name, column.name)
    assert set(benchmarking.QUADRANTS.values()) == set(VOCABULARIES["quadrant"])
    assert set(ni179.REASONS) == set(VOCABULARIES["reason"])
    for name, words in VOCABULARIES.items():
        for code, label in words.items():
            assert label != code and label[0].isupper(), (name, code, label)
    assert VOCABULARIES["workstream"]["bpi"] == "Business process improvement"  # 003_…, Table 3.1
    assert VOCABULARIES["workstream"]["procurement"] == "Smarter procurement"
    assert [VOCABULARIES["level"][c] for c in "lmh"] == ["Low", "Medium", "High"]


def test_no_code_in_any_table_cell_of_any_page(built_demo) -> None:
    project, _ = built_demo
    codes = demo_codes(project)
    cells = table_cells(project / "site")
    assert len(cells) > 1000  # the demo's tables were read, not none
    found = [(page, caption, text) for page, caption, text in cells
             if any(part in codes for part in re.split(r"[;,] ?", text))]
    assert found == []


def test_no_code_in_the_report_pdf(built_demo) -> None:
    project, _ = built_demo
    with pdfplumber.open(project / "site" / "papers" / "report.pdf") as pdf:
        words = {word["text"] for page in pdf.pages for word in page.extract_words()}
    # Codes that are no English word (most are: "green", "actual"; prose may use those).
    codes = {code for code in demo_codes(project) if "_" in code or "-" in code} - set(VOCABULARIES["quadrant"])
    assert "asset_management" in codes and "valeshire-cc" in codes
    assert words & codes == set()
    assert {"Asset", "procurement", "Medium", "Implemented"} <= words


def test_ratings_are_a_word_and_a_colour(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "partners" / "kestlewick-bc" / "index.html").read_text(encoding="utf-8")
    assert '<td><span class="rag rag--amber">Amber</span></td>' in html
    report = (project / "site" / "report" / "index.html").read_text(encoding="utf-8")
    assert '<span class="rag rag--green">Green</span></th>' in report  # rag_summary's heading
    css = (REPO / "sitegen" / "theme" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\.rag--amber \{[^}]*background: #fff7bf; color: #594d00", css)


def test_partners_and_projects_are_named(built_demo) -> None:
    project, _ = built_demo
    report = LexborHTMLParser((project / "site" / "report" / "index.html").read_text(encoding="utf-8"))
    projects = next(t for t in report.css("table") if "Joint efficiency projects" in t.css_first("caption").text())
    leads = [row.css("td")[1].text(strip=True) for row in projects.css("tbody tr")]
    assert "Valeshire County Council" in leads and "valeshire-cc" not in leads
    missing = next(t for t in report.css("table") if "not received" in t.css_first("caption").text())
    assert [th.text(strip=True) for th in missing.css("thead th")] == ["Partner", "Year", "Return"]


def test_csv_and_json_keep_the_codes(built_demo) -> None:
    project, _ = built_demo
    tables = project / "site" / "tables"
    with (tables / "workstreams.csv").open(encoding="utf-8") as handle:
        assert {row["workstream"] for row in csv.DictReader(handle)} >= {"bpi", "asset_management"}
    with (tables / "projects.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["status"] for row in rows} >= {"in_progress"} and "valeshire-cc" in {row["lead"] for row in rows}
    risks = json.loads((tables / "risks.json").read_text(encoding="utf-8"))
    assert {row["likelihood"] for row in risks["rows"]} == {"l", "m", "h"}


def test_a_projects_own_words_replace_the_labels_and_not_the_codes(copy_fixture) -> None:
    project = copy_fixture("minimal")
    with (project / "sitegen.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[labels.workstream]\nasset_management = "Property"\n\n[labels.return_type]\nactual = "Outturn"\n')
    (project / "content" / "index.md").write_text(
        '---\ntitle: T\n---\n\n{{ table("workstreams") }}\n\nThe {{ "actual" | label("return_type") }} return.\n',
        encoding="utf-8")
    loaded = load_folder(project)
    html = Renderer(loaded.config, loaded.tables, loaded.content).render_page(loaded.content.page_at("")).body_html
    cells = [td.text(strip=True) for td in LexborHTMLParser(html).css("tbody td")]
    assert "Property" in cells and "Outturn" in cells and "Asset management" not in cells
    assert "The Outturn return." in html
    assert "asset_management" in loaded.tables["workstreams"].to_csv()


@pytest.mark.parametrize(("section", "line", "key", "cause"), [
    ('[labels.workstream]\nbpi = "Process redesign"\nbpx = "Typo"\n', 9, "labels.workstream.bpx",
     "no workstream 'bpx' (codes: bpi, collaboration, procurement, asset_management, technology, other)"),
    ('[labels.colour]\nred = "Scarlet"\n', 7, "labels.colour", "no such vocabulary"),
    ('[labels.level]\nh = ""\n', 8, "labels.level.h", "a label is words in quotes (found '')"),
])
def test_a_bad_label_is_named_with_file_line_and_key(tmp_path: Path, section: str, line: int, key: str,
                                                      cause: str) -> None:
    (tmp_path / "sitegen.toml").write_text(f'[site]\ntitle = "T"\n\n[pdf]\npaper = "A4"\n\n{section}',
                                           encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("sitegen.toml", line, key)
    assert problem.message.startswith(cause)
