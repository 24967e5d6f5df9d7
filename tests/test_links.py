"""`sitegen check` (and build) find broken internal links, anchors and missing images.

Each is reported at the line of the Markdown source where it is written; nothing is
written when one is found.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sitegen.cli import main

GOOD = """---
title: Links
---

## Where to look

[Home](../), [the home page file](../index.html), [the paper](../paper/), [paper, no slash](../paper),
[a section](#where-to-look), [the paper's purpose](../paper/#purpose), [a footnote](#fn:1)[^1],
[the CSV](../tables/ni179.csv), [the JSON](../tables/budget.json), [the PDF](../papers/paper.pdf),
[the stylesheet](../static/css/site.css), [a file](../files/notes.txt), [outside](https://example.org/x),
[mail](mailto:vfm@example.org), [top](/paper/#purpose).

![A figure](../files/figure.svg)

[^1]: A note.
"""

BROKEN = """---
title: Links
---

## Where to look

A [missing page](../nowhere/) and [a missing anchor](#nowhere).

Another page's [missing anchor](../paper/#no-such-part).

[Unknown table](../tables/ni197.csv), and [out of the site](../../../etc/passwd).

![A missing figure](../files/missing.png)

![A local file](file:///etc/passwd)
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _files(project: Path) -> None:
    (project / "content" / "files").mkdir()
    (project / "content" / "files" / "notes.txt").write_text("notes", encoding="utf-8")
    (project / "content" / "files" / "figure.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', encoding="utf-8")


def test_good_internal_links_pass(copy_fixture) -> None:
    project = copy_fixture("minimal")
    _files(project)
    (project / "content" / "links.md").write_text(GOOD, encoding="utf-8")
    code, _, err = run("check", "-C", str(project))
    assert code == 0, err
    assert run("build", "-C", str(project))[0] == 0


def test_broken_links_anchors_and_images_are_listed_with_their_lines(copy_fixture) -> None:
    project = copy_fixture("minimal")
    _files(project)
    (project / "content" / "links.md").write_text(BROKEN, encoding="utf-8")
    code, out, err = run("check", "-C", str(project))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "Error: 7 links or images lead nowhere",
        "  content/links.md:7: broken link '#nowhere': links/ has no anchor #nowhere",
        "  content/links.md:7: broken link '../nowhere/': the site has no nowhere",
        "  content/links.md:9: broken link '../paper/#no-such-part': paper/ has no anchor #no-such-part",
        "  content/links.md:11: broken link '../../../etc/passwd': it leads outside the site",
        ("  content/links.md:11: broken link '../tables/ni197.csv': the site has no tables/ni197.csv"
         " (no such table)"),
        "  content/links.md:13: missing image '../files/missing.png': the site has no files/missing.png",
        ("  content/links.md:15: missing image 'file:///etc/passwd': a file on this computer, which readers"
         " of the site cannot open"),
    ]


def test_a_build_with_a_broken_link_writes_nothing(copy_fixture) -> None:
    project = copy_fixture("minimal")
    (project / "content" / "links.md").write_text(BROKEN, encoding="utf-8")
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert "links or images lead nowhere" in err
    assert not (project / "site").exists()


def test_a_link_made_by_a_table_call_or_url_helper_is_found_in_the_source(copy_fixture) -> None:
    project = copy_fixture("minimal")
    (project / "content" / "links.md").write_text(
        "---\ntitle: Links\n---\n\nSee [the data]({{ url('tables/nothing.csv') }}).\n\n"
        "{{ table('ni179', id='by-partner') }}\n\n[Fine]({{ url('paper/') }}#purpose), "
        "[the table](#by-partner).\n", encoding="utf-8")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    assert err.splitlines()[1:] == [
        ("  content/links.md:5: broken link '../tables/nothing.csv': the site has no tables/nothing.csv"
         " (no such table)"),
    ]


def test_a_broken_link_in_a_layout_names_the_layout(copy_fixture) -> None:
    project = copy_fixture("minimal")
    templates = project / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}<a href="{{ root }}missing/">x</a>{{ content }}'
        "{% endblock %}", encoding="utf-8")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    assert "  content/index.md: broken link './missing/': the site has no missing (in the layout page.html)" in err
