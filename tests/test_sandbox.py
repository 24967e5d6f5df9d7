"""Page bodies are sandboxed, bounded, and what they print is only text.

- A page body cannot reach Python, files or the objects it is shown, cannot include a
  file outside the project's and the theme's templates, and cannot run for ever, recurse
  without end or build huge values: each attempt, like `1/0`, is an error naming the
  page's file and line, never an internal error, and nothing of it is published.
- Whatever a page body prints from a data file is text for Markdown as for HTML: a
  partner's `[phish](…)`, `<a href=…>` or `![t](…)` is shown as those characters in a
  list, a table cell, a heading or a link's text, never as a link or an image.
- The authors' own Markdown around what is printed still works.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinyhtml5
from click.testing import CliRunner
from conftest import build_folder

from sitegen.cli import main
from sitegen.render import sandbox

ATTACKS = [  # (page body, the error at its line)
    ("{{ lipsum.__globals__['os'].popen('id').read() }}",
     "not allowed in a page: access to attribute '__globals__' of 'function' object is unsafe."),
    ("{{ page.source.read_text() }}",
     "not allowed in a page: access to attribute 'source' of 'Page' object is unsafe."),
    ("{{ page.locate(1) }}", "not allowed in a page: access to attribute 'locate' of 'Page' object is unsafe."),
    ("{{ cycler.__init__.__globals__.os.getcwd() }}",
     "not allowed in a page: access to attribute '__init__' of 'type' object is unsafe."),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}",
     "not allowed in a page: access to attribute '__class__' of 'str' object is unsafe."),
    ("{{ pages.append(1) }}", "undefined: 'tuple object' has no attribute 'append'"),
    ("{{ site.model_dump() }}", "not allowed in a page: access to attribute 'model_dump' of 'SiteSettings' object is"
                                " unsafe."),
    ('{% include "/etc/passwd" %}',
     "no template '/etc/passwd' to include (templates come from templates/ and the theme)"),
    ('{% include "../sitegen.toml" %}',
     "no template '../sitegen.toml' to include (templates come from templates/ and the theme)"),
    ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
    ("{% for i in range(10**12) %}x{% endfor %}",
     "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000)."),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "stopped: its loops ran more than 1,000,000 times (a page's loops may run 1,000,000 times in all)"),
    ("{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}",
     "stopped: calls nested more than 64 deep (a macro calling itself?)"),
    ("{{ 'x' * 10**9 }}", "stopped: `*` would make 1,000,000,000 characters or items (at most 10,000,000)"),
    ("{{ [1] * 10**8 }}", "stopped: `*` would make 100,000,000 characters or items (at most 10,000,000)"),
    ("{{ 2 ** 100000000 }}", "stopped: `**` would make a number of more than 10,000,000 bits"),
]


def attack_page(project: Path, body: str) -> Path:
    page = project / "content" / "attack.md"
    page.write_text(f"---\ntitle: Attack\n---\n\nA first paragraph.\n\n{body}\n", encoding="utf-8")
    return page


@pytest.mark.parametrize(("body", "message"), ATTACKS, ids=[f"attack-{n}" for n in range(len(ATTACKS))])
def test_a_page_body_that_breaks_out_or_runs_away_is_a_located_error(copy_fixture, body: str, message: str) -> None:
    project = copy_fixture("minimal")
    attack_page(project, body)
    result = CliRunner().invoke(main, ["build", "-C", str(project), "-j", "1"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: 1 file could not be rendered\n  content/attack.md:7: {message}\n"
    assert not (project / "site").exists()


def test_a_page_that_renders_too_long_is_stopped(copy_fixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """The time limit, at a tenth of a second, on a page well within the loop limit."""
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.1)
    project = copy_fixture("minimal")
    attack_page(project, '{% for i in range(100000) %}{{ rows("return_lines") | length }}{% endfor %}')
    result = CliRunner().invoke(main, ["build", "-C", str(project), "-j", "1"])
    assert result.exit_code == 1
    assert "content/attack.md:7: stopped: it took more than 0.1 seconds to render (a page body may take 0.1 s)" \
        in result.stderr


def test_what_a_page_may_do_still_works(copy_fixture) -> None:
    project = copy_fixture("minimal")
    attack_page(project, (
        '{% set lines = rows("return_lines", partner="alpha") %}'
        "{{ lines | length }} lines; {{ page.meta.title | upper }} at {{ page.url }};"
        " {{ 'a,b'.split(',') | join('+') }}; {{ lines[0].items() | list | length > 3 }};"
        " {{ lines | map(attribute='gain_ref') | sort | first }};"
        " {{ (lines | sum(attribute='gross_gbp')) | money }}\n\n"
        "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{{ twice('ab') }}"
    ))
    build_folder(project, jobs=1)
    html = (project / "site" / "attack" / "index.html").read_text(encoding="utf-8")
    assert "3 lines; ATTACK at attack/; a+b; True; A1; £132,000.50" in html
    assert "<p>abab</p>" in html


HOSTILE = ['[phish](http://evil.example/md)', '<a href="http://evil.example/phish">phish</a>',
           '![t](http://127.0.0.1:9/t.png)', '**bold** _it_ `code` | pipe {: #x } [^1] ~~gone~~']


@pytest.fixture
def hostile_descriptions(copy_fixture) -> Path:
    """Partners' descriptions that are Markdown and HTML, printed by a page in every way it can."""
    project = copy_fixture("minimal")
    returns = project / "data" / "returns.csv"
    lines = returns.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, text in enumerate(HOSTILE, start=1):
        fields = lines[number].split(",")
        fields[4] = '"' + text.replace('"', '""') + '"'
        lines[number] = ",".join(fields)
    returns.write_text("".join(lines), encoding="utf-8")
    attack_page(project, (
        '{% for r in rows("return_lines") %}- {{ r.description }}\n{% endfor %}\n'
        '## About {{ rows("return_lines")[0].description }}\n\n'
        '| Line | Description |\n|---|---|\n'
        '{% for r in rows("return_lines") %}| {{ r.gain_ref }} | {{ r.description }} |\n{% endfor %}\n'
        '[{{ rows("return_lines")[1].description }}]({{ url("paper/") }}) and *emphasis* of my own.\n\n'
        '{{ table("return_lines", columns=["gain_ref", "description"], caption="Lines") }}\n'
    ))
    build_folder(project, jobs=1)
    return project


def test_partners_text_is_never_markdown_or_html(hostile_descriptions: Path) -> None:
    html = (hostile_descriptions / "site" / "attack" / "index.html").read_text(encoding="utf-8")
    article = tinyhtml5.parse(html).find(".//{http://www.w3.org/1999/xhtml}article")
    links = [a.get("href") for a in article.iter("{http://www.w3.org/1999/xhtml}a")]
    assert not [link for link in links if link and link.startswith("http")]
    assert not list(article.iter("{http://www.w3.org/1999/xhtml}img"))
    assert not list(article.iter("{http://www.w3.org/1999/xhtml}strong"))
    text = "".join(article.itertext())
    for description in HOSTILE:
        assert text.count(description) == 3 + (description == HOSTILE[0]) + (description == HOSTILE[1])  # list,
        # table row, the data table, and the heading (the first) and the link's text (the second)
    heading = article.find(".//{http://www.w3.org/1999/xhtml}h2")
    assert heading.get("id") == "about-phishhttpevilexamplemd"  # the contents list reads it as text too
    assert '<em>emphasis</em> of my own' in html  # the author's Markdown still works
    assert f'<a href="../paper/">{HOSTILE[1].replace("<", "&lt;").replace(">", "&gt;")}</a>' in html


def test_partners_text_in_a_table_cell_stays_in_its_cell(hostile_descriptions: Path) -> None:
    """A `|` in a description no longer splits the Markdown table's row."""
    html = (hostile_descriptions / "site" / "attack" / "index.html").read_text(encoding="utf-8")
    tables = tinyhtml5.parse(html).findall(".//{http://www.w3.org/1999/xhtml}table")
    rows = tables[0].findall(".//{http://www.w3.org/1999/xhtml}tbody/{http://www.w3.org/1999/xhtml}tr")
    assert all(len(row) == 2 for row in rows)
    assert "".join(rows[3][1].itertext()) == HOSTILE[3]
