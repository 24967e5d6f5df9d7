"""Projects that are not the whole of a partnership's publication: papers or a newsletter
with no returns, and a folder of the partnership's data with no pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.errors import SitegenError
from conftest import build_folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_papers_alone_build_with_no_data_folder(copy_fixture) -> None:
    project = copy_fixture("papers_only")
    assert not (project / "data").exists()
    result = build_folder(project, strict=True)
    site = project / "site"
    paper = (site / "steering-group" / "shared-services" / "index.html").read_text(encoding="utf-8")
    assert "The review looked at revenues and benefits" in paper
    assert not (site / "partners").exists()  # no partners, no partner pages
    assert not (site / "tables").exists()  # and no empty tables of returns nobody sent
    assert result.tables == 0 and result.warnings == ()


def test_a_paper_asking_for_figures_the_project_has_not_got_names_the_file_to_add(copy_fixture) -> None:
    project = copy_fixture("papers_only")
    page = project / "content" / "steering-group" / "shared-services.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n## Figures\n\n{{ table(\"ni179_total\") }}\n",
                    encoding="utf-8")
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert ("content/steering-group/shared-services.md:23: the table 'ni179_total' is computed from "
            "data/partners.csv and data/returns.csv (or a data/returns/ folder), which this project does not "
            "have: add them") in err
    assert "internal error" not in err


def test_data_alone_with_only_a_target_checks_lists_and_builds(copy_fixture) -> None:
    """A finance officer's folder: data/ and a sitegen.toml with [target] only."""
    project = copy_fixture("data_only")
    assert not (project / "content").exists()
    code, out, err = run("check", "-C", str(project))
    assert code == 0, err
    assert out.startswith("OK: ")
    code, out, _ = run("table", "ni179_total", "--format", "csv", "-C", str(project))
    assert code == 0
    assert out.splitlines()[0].startswith("year,return_type,returns_received")
    result = build_folder(project, strict=True)
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Data only</h1>" in home  # the folder's name, as no [site] title is given
    assert "tables/ni179_total.csv" in home  # the partnership's position, with its data
    assert (project / "site" / "partners" / "index.html").is_file()
    assert result.pages >= 3


def test_the_returns_need_their_partners_and_the_partners_their_returns(copy_fixture) -> None:
    project = copy_fixture("data_only")
    (project / "data" / "returns.csv").unlink()
    with pytest.raises(SitegenError) as caught:
        build_folder(project)
    assert [str(p) for p in caught.value.problems] == [
        "data/returns.csv: required file is missing (or a data/returns/ folder of files): with the partners, "
        "their returns are needed too; a file with only the header row will do until the first ones come in"
    ]


def test_default_title_reads_like_a_title(tmp_path: Path) -> None:
    from sitegen.config import default_title

    assert default_title(tmp_path / "vfm-returns_2010-11") == "Vfm returns 2010-11"
    assert default_title(tmp_path / "valeshire") == "Valeshire"
