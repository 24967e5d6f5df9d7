"""No internal error from any input: whole hostile projects through the command line.

Hypothesis makes projects from the `minimal` fixture with hostile pieces put into them
(bytes into the data files, keys into front matter, calls and text into a page body,
symbolic links out of the project, workbooks that are damaged, old or UTF-16, slugs
that collide) and runs `sitegen check`, `build` or `table` on each through click's
CliRunner. Every run ends in success or in exit 1 with a message that names where the
problem is; never a traceback, never an "internal error". The examples are fixed
(`derandomize`) and few, so the test takes a few tens of seconds.

Page bodies that fail while rendering (`{{ 1/0 }}`, an include of nothing or of a file
outside the templates, a reach for Python's internals, a loop too long) are stopped by
the sandbox (render/sandbox.py) as located errors. Two tests share the plan: one puts
hostile pieces into the data and the files, the other into a page, so that each
reaches what it attacks.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"

TEXT_PIECES = [
    '=HYPERLINK("http://evil.example/x","click")', "=cmd|' /C calc'!A0", "+1", "-", "@SUM(A1)", "\x1b[31m",
    "\x00", "\x07", "\x85", "\ufeff", "\u202e", "<script>alert(1)</script>", "[x](javascript:alert(1))",
    "![t](http://127.0.0.1:9/t.png)", "{{", "}}", "{%", "%}", "'", '"', ",", ";", "\n", "\r", "\r\n", "\t", "é",
    "£1,000", "(1,500)", "1e309", "9" * 30, "x" * 300, "*a", "&a", "---", "...", "nobody", "2011-13-45",
]
DATA_FILES = ["data/partners.csv", "data/returns.csv", "data/budget.csv"]
FRONT_MATTER = [
    "slug: index.html", "slug: static/css/site.css", "slug: tables/ni179.csv", "slug: ../../etc",
    "date: 2011-13-45", "date: 2011-02-30", "title: *a", "tags: &a [x]\nother: *a",
    "a: &a [1,1]\nb: [*a,*a]", "layout: nonexistent", "layout: paper", "pdf: maybe", "order: 1e400",
    "title: [1, 2", "title: ''", "nav: {a: 1}", "summary: \x07", "title: \"\\x1b[31m\"",
]
BODY_PIECES = [
    '{{ table("ni179", limit=-1) }}', '{{ table("ni179", limit=2.5) }}', '{{ table("nope") }}',
    '{{ table("ni179", columns="zz") }}', '{{ table("ni179", sort="zz") }}', '{{ table("budget") }}',
    '{{ value("ni179", "ni179_gbp") }}', '{{ value("ni179", "zz", partner="alpha") }}',
    '{{ chart("ni179_total", x="year", y="zz") }}', '{{ chart("budget", x="item", y="amount") }}',
    '{% for r in rows("return_lines") %}{{ r.description }}{% endfor %}', '{{ partner_name("nobody") }}',
    "{{ unknown_name }}", "{{ 1 +", "{% if %}", "<iframe src=x>",
    "# Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |", "[^1]\n\n[^1]: note", '!!! example "x"\n    y',
    "{{ 1/0 }}", '{% include "nope.html" %}', '{% include "/etc/passwd" %}', "{{ lipsum.__globals__ }}",
    "{{ page.source.read_text() }}", "{% for i in range(10**7) %}{% endfor %}", "{{ 'x' * 10**9 }}",
]
FILES = ["static link", "data link", "content link", "templates link", "xls", "corrupt xlsx", "hidden sheet",
         "utf-16 csv", "content file over static", "big cell", "returns twice"]
COMMANDS = [["check"], ["check"], ["check"], ["build", "-j", "1"], ["table", "return_lines", "--format", "csv"],
            ["table", "budget"], ["table", "partners", "--format", "json"]]


@st.composite
def hostile_data(draw: st.DrawFn) -> dict:
    """Bytes put into the data files, and hostile files added to the project."""
    return {
        "data": draw(st.lists(st.tuples(st.sampled_from(DATA_FILES), st.floats(0, 1),
                                        st.lists(st.sampled_from(TEXT_PIECES), min_size=1, max_size=3)),
                              max_size=2)),
        "front_matter": [],
        "body": [],
        "files": draw(st.lists(st.sampled_from(FILES), max_size=2, unique=True)),
        "command": draw(st.sampled_from(COMMANDS)),
    }


@st.composite
def hostile_pages(draw: st.DrawFn) -> dict:
    """Keys put into a page's front matter and calls and text into its body."""
    return {
        "data": [],
        "front_matter": draw(st.lists(st.sampled_from(FRONT_MATTER), max_size=1)),
        "body": draw(st.lists(st.sampled_from(BODY_PIECES + TEXT_PIECES), min_size=1, max_size=4)),
        "files": [],
        "command": draw(st.sampled_from(COMMANDS[:4])),
    }


def make_project(root: Path, outside: Path, plan: dict) -> Path:
    project = root / "project"
    shutil.copytree(FIXTURE, project)
    for name, where, pieces in plan["data"]:
        path = project / name
        data = path.read_bytes()
        at = int(where * len(data))
        path.write_bytes(data[:at] + "".join(pieces).encode("utf-8") + data[at:])
    paper = project / "content" / "paper.md"
    text = paper.read_text(encoding="utf-8")
    head, body = text.split("---\n", 2)[1:]
    front = head + "".join(line + "\n" for line in plan["front_matter"])
    paper.write_text(f"---\n{front}---\n{body}\n" + "\n\n".join(plan["body"]) + "\n", encoding="utf-8")
    secret = outside / "secret.csv"
    secret.write_text("partner_id,name\nx,TOP-SECRET\n", encoding="utf-8")
    for kind in plan["files"]:
        _add_file(project, secret, kind)
    return project


def _add_file(project: Path, secret: Path, kind: str) -> None:
    returns = project / "data" / "returns"
    returns.mkdir(exist_ok=True)
    if kind == "static link":
        (project / "static").mkdir(exist_ok=True)
        (project / "static" / "passwd").symlink_to(secret)
    elif kind == "data link":
        (project / "data" / "secret.csv").symlink_to(secret)
    elif kind == "content link":
        (project / "content" / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    elif kind == "templates link":
        (project / "templates").mkdir(exist_ok=True)
        (project / "templates" / "page.html").symlink_to(secret)
    elif kind == "xls":
        (returns / "alpha-2009-10-actual.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    elif kind == "corrupt xlsx":
        (returns / "beta-2009-10-actual.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    elif kind == "hidden sheet":
        book = openpyxl.Workbook()
        book.active.append(["partner_id", "year"])
        book.active.sheet_state = "hidden"
        book.create_sheet("other").append(["=1+1"])
        book.save(returns / "alpha-2010-11-actual.xlsx")
    elif kind == "utf-16 csv":
        (project / "data" / "unicode.csv").write_bytes("item,amount\nStaff,1\n".encode("utf-16"))
    elif kind == "content file over static":
        (project / "content" / "static" / "css").mkdir(parents=True)
        (project / "content" / "static" / "css" / "site.css").write_text("body{}", encoding="utf-8")
    elif kind == "big cell":
        with (project / "data" / "budget.csv").open("a", encoding="utf-8") as handle:
            handle.write("Big," + "1" * 40_000 + "\n")
    elif kind == "returns twice":
        shutil.copyfile(project / "data" / "returns.csv", returns / "copy.csv")


LOCATED = re.compile(r"^  (\S[^:]*?)(:\d+)?: \S")  # "  data/returns.csv:4: gross_gbp: …"


HYPOTHESIS = settings(max_examples=20, derandomize=True, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@HYPOTHESIS
@given(hostile_data())
def test_any_hostile_data_fails_with_located_problems_or_succeeds(plan: dict) -> None:
    check_run(plan)


@HYPOTHESIS
@given(hostile_pages())
def test_any_hostile_page_fails_with_located_problems_or_succeeds(plan: dict) -> None:
    check_run(plan)


def check_run(plan: dict) -> None:
    """Run the plan's command on its project: success, or exit 1 naming where each problem is."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as outside:
        project = make_project(Path(folder), Path(outside), plan)
        result = CliRunner().invoke(main, [*plan["command"], "-C", str(project)])
        output = result.stdout + result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), (plan, repr(result.exception))
        assert result.exit_code in (0, 1), (plan, output)
        assert "Traceback" not in output and "internal error" not in output, (plan, output)
        assert "TOP-SECRET" not in output, plan
        if result.exit_code == 1:
            lines = result.stderr.splitlines()
            assert lines and lines[0].startswith("Error: "), (plan, output)
            problems = [line for line in lines[1:] if line.startswith("  ")]
            # Either the message names the file itself, or each problem is "  FILE[:LINE]: …"
            assert problems or re.match(r"Error: [\w./-]+(:\d+)?: ", lines[0]) or plan["command"][0] == "table", \
                (plan, output)
            for line in problems:
                assert LOCATED.match(line), (plan, line)
        if plan["command"][0] == "build" and result.exit_code == 0:
            site = project / "site"
            assert not [p for p in site.rglob("*") if p.is_symlink()]
            assert "TOP-SECRET" not in "".join(p.read_text(errors="replace") for p in site.rglob("*.csv"))
