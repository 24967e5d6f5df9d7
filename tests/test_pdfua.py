"""PDF/UA-1 as a machine checks it: every PDF the demo makes, through `pdfua` (PyPI).

`pdfua` checks the machine-checkable subset of PDF/UA-1 it implements (16 of the 106
rules of veraPDF's profile: structure tree, marked content, language, figures' text
alternatives, tables, headings, annotations, title, the PDF/UA identification) without
a JVM. The suite fails on any finding, error or warning, in any demo PDF (papers, case
studies, the report, the agenda pack and a partner's receipt); and every table header
cell carries its `/Scope` (Matterhorn 15-003), which WeasyPrint does not write and
`pdf/layout.py` adds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import build_folder
from pdfua import coverage, validate

from sitegen.cli import main


@pytest.fixture(scope="module")
def demo_pdfs(built_demo, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every PDF the demo's build makes, and a partner's receipt."""
    project, _ = built_demo
    receipts = tmp_path_factory.mktemp("receipts")
    result = CliRunner().invoke(main, ["returns", "receipt", "--partner", "fenholt-dc", "--out", str(receipts),
                                       "-C", str(project)])
    assert result.exit_code == 0, result.output
    pdfs = sorted((project / "site").rglob("*.pdf")) + sorted(receipts.glob("*.pdf"))
    assert len(pdfs) >= 24
    return pdfs


def test_the_checker_is_the_one_the_readme_describes() -> None:
    """The README's claim names how much of PDF/UA-1 this checker covers."""
    assert coverage().summary().startswith("16 of 106 PDF/UA-1 rules")


def test_every_demo_pdf_passes_the_pdfua_check(demo_pdfs: list[Path]) -> None:
    findings = {
        pdf.name: [f"{f.severity.name} {f.rule_id} {f.location.describe()}: {f.message}" for f in report.findings]
        for pdf in demo_pdfs for report in [validate(str(pdf))]
    }
    assert {name: found for name, found in findings.items() if found} == {}


def header_cells(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Dictionary, pikepdf.Dictionary]]:
    """(the row's part of its table: /THead, /TBody or /TFoot; row; header cell) for every /TH."""

    def walk(element: pikepdf.Object, part: str) -> Iterator[tuple[str, pikepdf.Dictionary, pikepdf.Dictionary]]:
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR" and "/S" in kid:
                if kid.S == "/TH":
                    yield part, element, kid
                yield from walk(kid, str(kid.S) if kid.S in ("/THead", "/TBody", "/TFoot") else part)

    yield from walk(pdf.Root.StructTreeRoot, "")


def scope_of(cell: pikepdf.Dictionary) -> str | None:
    attributes = cell.get("/A")
    for group in attributes if isinstance(attributes, pikepdf.Array) else [attributes] if attributes else []:
        if isinstance(group, pikepdf.Dictionary) and "/Scope" in group:
            return str(group.Scope)
    return None


def test_every_table_header_cell_carries_its_scope(demo_pdfs: list[Path]) -> None:
    without, scopes = [], {"/Column": 0, "/Row": 0}
    for path in demo_pdfs:
        with pikepdf.open(path) as pdf:
            for part, row, cell in header_cells(pdf):
                scope = scope_of(cell)
                if scope is None:
                    without.append(path.name)
                    continue
                scopes[scope] += 1
                data_cells = [kid for kid in row.K if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/TD"]
                # The table's head holds column headers; a header beside data cells in its body or foot heads its row.
                assert (scope == "/Row") == (part != "/THead" and bool(data_cells)), (path.name, part, scope)
    assert without == []
    assert scopes["/Column"] > 100 and scopes["/Row"] > 0  # column headings, and totals rows and row headings


def test_a_paper_table_has_column_and_row_headers(copy_fixture) -> None:
    """`<th scope="col">` becomes /Column, the totals row's `<th scope="row">` /Row; the PDF passes."""
    project = copy_fixture("minimal")
    with (project / "content" / "paper.md").open("a", encoding="utf-8") as handle:
        handle.write('\n{{ table("ni179", year="2008-09", columns=["partner_name", "ni179_gbp"], totals=true,'
                     ' caption="With totals", id="with-totals") }}\n')
    build_folder(project)
    paper = project / "site" / "papers" / "paper.pdf"
    with pikepdf.open(paper) as pdf:
        scopes = [scope_of(cell) for _, _, cell in header_cells(pdf)]
    assert scopes == ["/Column"] * 2 + ["/Column"] * 2 + ["/Row"]  # two tables' headings, then "Total"
    assert list(validate(str(paper)).findings) == []
