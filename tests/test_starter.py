"""`sitegen new`: a starter that teaches, its figures agreeing with each other and its
pages about the year its title names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import load_folder
from sitegen.errors import SitegenError
from sitegen.starter import start_project, starter_year


@pytest.mark.parametrize(("title", "year"), [
    ("Value for Money Report 2010-11", 2010),
    ("VfM 2011/12", 2011),
    ("Efficiency 2009-2010", 2009),
    ("Value for Money Report", 2024),  # none named: the last year ended by 1 March 2026, 2024-25
])
def test_the_starter_is_about_the_year_its_title_names(title: str, year: int) -> None:
    assert starter_year(title, dt.date(2026, 3, 1)) == year


def test_the_starter_s_figures_agree_with_each_other(tmp_path: Path) -> None:
    """The partners' table adds up to the partnership's total, every partner expected
    sent a return, and the target is the sum of the partners' targets."""
    start_project(tmp_path / "vfm", "VfM 2011-12", dt.date(2026, 12, 3))
    tables = load_folder(tmp_path / "vfm", strict=True).tables
    (total,) = tables["ni179_total"].records()
    partners = tables["ni179"].records()
    assert total["year"] == 2011 and total["return_type"] == "actual"
    assert total["returns_received"] == total["returns_expected"] == len(partners) == 3
    assert total["ni179_gbp"] == sum((p["ni179_gbp"] for p in partners), Decimal(0)) == Decimal("10345000")
    assert total["target_gbp"] == sum((p["target_gbp"] for p in partners), Decimal(0)) == Decimal("10560000")
    assert all(p["achievement_pct"] is not None for p in partners)


def test_the_starter_has_a_paper_a_report_page_and_a_case_study(tmp_path: Path) -> None:
    start_project(tmp_path / "vfm", "VfM 2011-12", dt.date(2026, 12, 3))
    pages = {page.url: page for page in load_folder(tmp_path / "vfm").content.pages}
    assert pages["paper/"].meta.layout == "paper" and pages["paper/"].wants_pdf
    assert pages["report/"].meta.title == "Annual report 2011-12"
    assert pages["case-studies/shared-legal-service/"].meta.layout == "case-study"
    assert not list((tmp_path / "vfm").rglob("*@*@*")), "a mark left unfilled in a file name"
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "vfm").rglob("*") if p.is_file()]
    assert not [t for t in texts if "@YEAR@" in t or "@Y0@" in t or "@TITLE@" in t]


def test_new_refuses_a_file_or_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(SitegenError, match="the folder is not empty"):
        start_project(tmp_path / "taken", "VfM", dt.date(2026, 12, 3))
    assert (tmp_path / "taken" / "notes.txt").read_text(encoding="utf-8") == "mine\n"
