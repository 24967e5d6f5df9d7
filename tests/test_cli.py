"""The command line as a user meets it: messages, exit codes, files written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sitegen import __version__
from sitegen.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_return_types_offered_are_the_contract_s() -> None:
    """`sitegen returns … --type` offers exactly the return types the data contract accepts."""
    from sitegen.cli import RETURN_TYPES
    from sitegen.data.contract import RETURN_TYPES as CONTRACT_RETURN_TYPES

    assert RETURN_TYPES == CONTRACT_RETURN_TYPES


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"sitegen, version {__version__}"


def test_build_writes_site_pages_tables_and_pdfs(copy_fixture) -> None:
    project = copy_fixture("minimal")
    code, out, _ = run("build", "-C", str(project))
    assert code == 0
    # 2 Markdown pages, 3 made from the data (partners/ and a page per partner), and
    # search/, sitemap/ and accessibility/
    assert re.match(r"Built 8 pages, \d+ tables, 1 PDF, 0 warnings in \d+\.\d s into ", out)
    site = project / "site"
    assert (site / "index.html").is_file()
    assert (site / "paper" / "index.html").is_file()
    assert (site / "papers" / "paper.pdf").read_bytes().startswith(b"%PDF-")
    assert (site / "tables" / "ni179.csv").is_file()
    assert (site / "tables" / "budget.json").is_file()
    assert (site / "static" / "css" / "site.css").is_file()


def test_check_writes_nothing(copy_fixture) -> None:
    project = copy_fixture("minimal")
    code, out, _ = run("check", "--project", str(project))
    assert code == 0
    assert re.match(r"OK: 8 pages, \d+ tables, 0 warnings", out)
    assert not (project / "site").exists()


def test_table_formats(copy_fixture) -> None:
    project = copy_fixture("minimal")
    code, out, _ = run("table", "ni179_total", "--format", "csv", "-C", str(project))
    assert code == 0
    assert out == (
        "year,return_type,returns_received,returns_expected,ni179_gbp,target_gbp,achievement_pct\n"
        "2008-09,actual,2,2,33500.75,36000.00,93.1\n"
    )
    code, out, _ = run("table", "ni179_total", "--format", "json", "-C", str(project))
    document = json.loads(out)
    assert document["rows"][0]["ni179_gbp"] == 33500.75
    assert '"ni179_gbp": 33500.75' in out
    code, out, _ = run("table", "ni179", "-C", str(project))
    assert code == 0
    assert "Alpha County Council" in out and "29500.50" in out


def test_table_list_and_unknown_table(copy_fixture) -> None:
    project = copy_fixture("minimal")
    code, out, _ = run("table", "--list", "-C", str(project))
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert {"ni179", "ni179_total", "returns_missing", "workstreams", "spend_split", "rag_summary",
            "uor_distribution", "return_lines", "budget"} <= set(names)
    code, _, err = run("table", "ni197", "-C", str(project))
    assert code == 1
    assert err == "Error: unknown table 'ni197'; did you mean ni179? (sitegen table --list shows them all)\n"


def test_usage_errors_exit_2(copy_fixture) -> None:
    assert run("build", "--no-such-option")[0] == 2
    assert run("table", "ni179", "--format", "xml")[0] == 2
    assert run("table", "-C", str(copy_fixture("minimal")))[0] == 2


def test_bad_config_exits_1_naming_key_and_file(copy_fixture) -> None:
    code, out, err = run("build", "-C", str(copy_fixture("bad_config")))
    assert code == 1
    assert out == ""
    assert "Error: sitegen.toml has 4 bad settings" in err
    assert "sitegen.toml: target.method: Input should be 'additive' or 'compound' (found 'geometric')" in err
    assert "Traceback" not in err


def test_template_problems_are_all_listed_with_lines(copy_fixture) -> None:
    project = copy_fixture("bad_template")
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert err.splitlines() == [
        "Error: 3 files could not be rendered",
        "  content/broken.md:3: layout: no template 'fancy.html' (layouts: accessibility, case-studies, case-study, "
        "case-study-index, figures, meeting, newsletter, not-found, outcome-plan, page, paper, papers, partner, partners, project, "
        "projects, report, search, service, services, sitemap)",
        "  content/index.md:7: unknown table 'ni197'; did you mean 'ni179'?",
        "  content/syntax.md:9: template syntax: Expected an expression, got 'end of statement block'",
    ]
    assert not (project / "site").exists()


def test_failed_build_leaves_existing_site_untouched(copy_fixture) -> None:
    project = copy_fixture("minimal")
    assert run("build", "-C", str(project))[0] == 0
    before = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    with (project / "data" / "returns.csv").open("a", encoding="utf-8") as handle:
        handle.write("gamma,2008-09,actual,G1,x,bpi,revenue,gain,1.2m,0,yes,yes,2008-05-01\n")
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert "data/returns.csv:7: gross_gbp: not an amount of money ('1.2m'" in err
    assert "data/returns.csv:7: partner_id: unknown partner 'gamma'" in err
    after = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in project.iterdir() if p.name.startswith((".site-new-", ".site-old-"))] == []


def test_template_override_file_by_file(copy_fixture) -> None:
    project = copy_fixture("template_override")
    assert run("build", "-C", str(project))[0] == 0
    page = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "Laid out by the project's own page.html" in page
    assert 'class="skip-link"' in page  # base.html still comes from the theme
    css = (project / "site" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert "the project overrides the theme stylesheet" in css
    assert (project / "site" / "static" / "css" / "print.css").is_file()


def test_strict_makes_warnings_fatal(copy_fixture) -> None:
    project = copy_fixture("minimal")
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8") + "[pdf]\nmargins = 3\n", encoding="utf-8")
    code, _, err = run("check", "-C", str(project))
    assert code == 0
    assert "sitegen.toml: warning: pdf.margins: unknown key, ignored" in err
    code, _, err = run("check", "--strict", "-C", str(project))
    assert code == 1
    assert "--strict makes warnings fatal" in err


def test_debug_shows_traceback(copy_fixture) -> None:
    result = CliRunner().invoke(main, ["--debug", "build", "-C", str(copy_fixture("bad_config"))])
    assert result.exit_code == 1
    assert result.exc_info is not None and result.exc_info[0].__name__ == "ConfigError"


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x")
    code, _, err = run("new", str(tmp_path))
    assert code == 1
    assert "the folder is not empty" in err


def test_new_then_build_with_the_installed_command(tmp_path: Path) -> None:
    """As a user would: the console script, run from outside the repository."""
    sitegen = shutil.which("sitegen", path=str(Path(sys.executable).parent)) or "sitegen"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sitegen, "new", "vfm", "--title", "Our Report"], cwd=tmp_path, check=True, env=env,
                   capture_output=True, text=True)
    built = subprocess.run([sitegen, "build", "-C", "vfm"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    # 5 Markdown pages; partners/ and 3 partners; 3 case-study indexes; search/, sitemap/, accessibility/
    assert built.stdout.startswith("Built 15 pages, ")
    site = tmp_path / "vfm" / "site"
    assert "<title>Our Report</title>" in (site / "index.html").read_text(encoding="utf-8")
    assert {p.name for p in (site / "papers").iterdir()} == {
        "paper.pdf", "paper.docx", "paper.xlsx", "report.pdf", "report.xlsx", "shared-legal-service.pdf"}


def _help(*command: str) -> str:
    code, out, _ = run(*command, "--help")
    assert code == 0
    return out


def _commands() -> list[tuple[str, ...]]:
    return [("new",), ("returns", "template"), ("check",), ("build",), ("serve",), ("issue",), ("pack",),
            ("publish",), ("returns", "receipt"), ("table",)]


def test_help_lists_the_commands_in_the_order_of_the_year_s_work() -> None:
    listed = re.findall(r"^  (\w+)  ", _help().split("Commands:")[1], flags=re.M)
    assert listed == ["new", "returns", "check", "build", "serve", "issue", "pack", "publish", "table"]
    assert re.findall(r"^  (\w+)  ", _help("returns").split("Commands:")[1], flags=re.M) == ["template", "receipt"]


def test_help_speaks_to_a_finance_officer_not_a_programmer() -> None:
    """Every summary whole (click cuts long first sentences with '...'), an example in
    every command's help, and none of click's or a programmer's words."""
    texts = {command: _help(*command) for command in _commands()}
    texts[()] = _help()
    for command, text in texts.items():
        assert "..." not in text.split("\n", 1)[1], command  # past the usage line's "[ARGS]..."
        for jargon in ("INTEGER", "RANGE", "x>=", "<=x<=", "manifest", "PROJECT/", "localhost", "XLSX"):
            assert jargon not in text, (command, jargon)
        if command:
            assert "Example" in text, command


def test_number_options_are_checked_in_words() -> None:
    code, _, err = run("build", "--jobs", "0")
    assert code == 2
    assert "0 is not allowed: give a whole number 1 or more" in err
    code, _, err = run("serve", "--port", "70000")
    assert code == 2
    assert "70000 is not allowed: give a whole number from 0 to 65535" in err


def test_a_reader_that_stops_early_is_no_error(copy_fixture) -> None:
    """`sitegen table --list | head`: the pipe closes before sitegen has written; it
    stops quietly instead of reporting an internal error."""
    project = copy_fixture("minimal")
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([str(Path(sys.executable).parent / "sitegen"), "table", "--list", "-C", str(project)],
                              stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert done.stderr == ""
    assert done.returncode == 1


def test_counts_are_singular_when_one() -> None:
    from sitegen.build.result import counted

    assert counted(1, "warning") == "1 warning"
    assert counted(0, "warning") == "0 warnings"
    assert counted(22, "PDF") == "22 PDFs"
