"""Hostile content: data that looks like HTML, pages with script, papers that reach out.

- Text from data files is always text: escaped in every HTML page, shown literally
  in the PDF.
- Authors' raw HTML is kept, but `<script>`, `on…` handlers and `javascript:` URLs are
  removed unless `[content] allow_scripts = true`; everything sitegen itself emits
  survives the sanitizer unchanged.
- WeasyPrint loads files inside the project and the theme only: not /etc/passwd, not
  http://127.0.0.1, not through a symbolic link; refusals fail the build naming the
  page, and nothing refused reaches the PDF (no embedded file, no text).
- A content file that is a symbolic link out of the project is an error; a slug can
  never lead outside site/.
- No formula leaves sitegen (CSV cells a spreadsheet would run get a leading quote;
  workbooks hold text as text) and no control character reaches any output.
- A symbolic link out of the project in content/, data/, static/ or templates/ is an
  error naming it; an output that would overwrite another is an error naming both.
- Work is bounded: no YAML aliases, pages and cells of a documented size, `limit` checked.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import posixpath
import re
import shutil
import socket
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import tinyhtml5
from click.testing import CliRunner
from conftest import build_folder, load_folder
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pypdf import PdfReader
from weasyprint import HTML

from sitegen.cells import spreadsheet_text
from sitegen.cli import main
from sitegen.config import ContentSettings, load_config
from sitegen.content.pages import PAGE_LIMIT, PageMeta
from sitegen.data.load import CELL_LIMIT
from sitegen.errors import ContentError, PdfError
from sitegen.pdf.layout import PROJECT_URL, ProjectFetcher, render_pdf
from sitegen.render.pages import PageDependencies, Renderer
from sitegen.render.sanitize import clean_html

SCRIPT_NAME = 'Alpha <script>alert("name")</script> <img src=x onerror=alert(1)> Council'
MARKDOWN_NAME = "Beta [click me](javascript:alert(2)) Council"
SCRIPT_DESCRIPTION = 'Procurement <img src="x" onerror="alert(3)"><script>alert(4)</script>'


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


# ---- text from data files -----------------------------------------------------------


@pytest.fixture
def hostile_data(copy_fixture) -> Path:
    project = copy_fixture("minimal")
    partners = project / "data" / "partners.csv"
    text = partners.read_text(encoding="utf-8")
    text = text.replace("Alpha County Council", f'"{SCRIPT_NAME.replace(chr(34), chr(34) * 2)}"')
    text = text.replace("Beta District Council", MARKDOWN_NAME)
    partners.write_text(text, encoding="utf-8")
    returns = project / "data" / "returns.csv"
    returns.write_text(returns.read_text(encoding="utf-8").replace(
        "Joint procurement", f'"{SCRIPT_DESCRIPTION.replace(chr(34), chr(34) * 2)}"'), encoding="utf-8")
    with (project / "content" / "paper.md").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n{{ table("return_lines", columns=["partner_name", "description"], caption="Lines") }}\n\n'
            '{% for row in rows("ni179") %}- Partner: {{ row.partner_name }}\n{% endfor %}\n'
            '\nFirst line: {{ value("return_lines", "description", gain_ref="A1") }}\n')
    build_folder(project)
    return project


THEME_SCRIPT = re.compile(r"(\./|(\.\./)+)static/(js|vendor/lunr)/[\w.-]+\.js")


def _elements(html: str) -> list[Any]:
    return list(tinyhtml5.parse(html).iter())


def test_data_text_is_escaped_in_every_html_page(hostile_data: Path) -> None:
    pages = {p: p.read_text(encoding="utf-8") for p in (hostile_data / "site").rglob("*.html")}
    assert len(pages) >= 3
    for path, html in pages.items():
        for element in _elements(html):
            tag = str(element.tag).rsplit("}", 1)[-1]
            if tag == "script":  # only the theme's own script files, never inline script
                assert THEME_SCRIPT.fullmatch(element.get("src", "")), (path, element.attrib)
                assert not (element.text or "").strip(), path
            assert not [a for a in element.attrib if a.lower().startswith("on")], (path, element.attrib)
            for attribute in ("href", "src"):
                assert not element.get(attribute, "").strip().lower().startswith("javascript:"), path
    paper = pages[hostile_data / "site" / "paper" / "index.html"]
    text = "".join(tinyhtml5.parse(paper).itertext())
    assert SCRIPT_NAME in text and SCRIPT_DESCRIPTION in text  # shown, as text
    assert f"Partner: {MARKDOWN_NAME}" in text  # printed by the page: its characters, never Markdown's link
    assert "<li>Partner: Beta [click me](javascript:alert(2)) Council</li>" in paper


def test_data_text_is_literal_text_in_the_pdf(hostile_data: Path) -> None:
    reader = PdfReader(hostile_data / "site" / "papers" / "paper.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert '<script>alert("name")</script>' in flat
    assert "<img src=x onerror=alert(1)>" in flat
    assert 'onerror="alert(3)"' in flat


# ---- the raw-HTML policy ------------------------------------------------------------

AUTHOR_HTML = """---
title: Raw HTML
pdf: true
---

Text with <abbr title="Value for money">VfM</abbr> and <span style="color: #b00">colour</span>.

<script>document.title = "owned"</script>

<div class="note" onclick="steal()" onmouseover="steal()">A note</div>

<a href="javascript:steal()">a bad link</a>, <a href="JaVaScRiPt&colon;steal()">another</a>,
<a href="../paper/">a good link</a> and <a href="mailto:vfm@example.org">mail</a>.

<img src="data:text/html;base64,PHNjcmlwdD4=" alt="html as an image">

<iframe src="https://example.org/"></iframe>

<details><summary>More</summary><p>Hidden text.</p></details>
"""


def _rendered(project: Path, page_name: str, allow_scripts: bool = False) -> str:
    loaded = load_folder(project)
    config = dataclasses.replace(loaded.config, content=ContentSettings(allow_scripts=allow_scripts))
    renderer = Renderer(config, loaded.tables, loaded.content)
    page = next(p for p in loaded.content.pages if p.source_name == page_name)
    return renderer.render_page(page).body_html


def test_script_handlers_and_javascript_urls_are_removed(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "raw.md", AUTHOR_HTML)
    build_folder(project)
    html = (project / "site" / "raw" / "index.html").read_text(encoding="utf-8")
    body = html.split('<div class="prose">', 1)[1]
    for removed in ("<script", "owned", "onclick", "onmouseover", "javascript", "steal", "<iframe",
                    "data:text/html"):
        assert removed not in body.lower(), removed
    for kept in ('<abbr title="Value for money">VfM</abbr>', '<span style="color: #b00">colour</span>',
                 '<div class="note">A note</div>', '<a href="../paper/">a good link</a>',
                 '<a href="mailto:vfm@example.org">mail</a>',
                 "<details><summary>More</summary><p>Hidden text.</p></details>"):
        assert kept in body, kept


def test_a_project_may_opt_in_to_script(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "raw.md", AUTHOR_HTML)
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[content]\nallow_scripts = true\n",
                      encoding="utf-8")
    assert load_config(project).content.allow_scripts is True
    assert run("build", "--strict", "-C", str(project))[0] == 0  # a known key: no warning
    body = (project / "site" / "raw" / "index.html").read_text(encoding="utf-8")
    assert '<script>document.title = "owned"</script>' in body
    assert 'onclick="steal()"' in body and 'href="javascript:steal()"' in body


def test_allow_scripts_must_be_a_boolean(copy_fixture) -> None:
    project = copy_fixture("minimal")
    config = project / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[content]\nallow_scripts = "maybe"\n',
                      encoding="utf-8")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    assert "sitegen.toml: content.allow_scripts: Input should be a valid boolean" in err


def _tree(html: str) -> list[Any]:
    """The document as a browser builds it, whatever the serialisation."""
    def walk(element: Any) -> list[Any]:
        tag = element.tag.rsplit("}", 1)[-1]
        children = [walk(child) for child in element]
        return [tag, sorted(element.attrib.items()), (element.text or ""), children, (element.tail or "")]

    return walk(tinyhtml5.parse(f"<!doctype html><body>{html}</body>"))


EVERYTHING_SITEGEN_MAKES = """---
title: Every feature
---

## A section {: #custom-id .lead }

Text with a footnote[^note] and *emphasis*, a [link](paper/) and ~~struck~~ text.

{{ table("ni179", caption="By partner", totals=true, sort="partner_name") }}

{{ chart("ni179_total", x="year", y=["ni179_gbp", "target_gbp"]) }}

Term
:   Its definition.

!!! example "A case study"
    Boxed text with **bold**.

<div class="wide" markdown="1">
Markdown *inside* HTML.
</div>

| Left | Right |
|:-----|------:|
| a    | 1     |

[^note]: The footnote.
"""


def test_everything_sitegen_emits_survives_the_sanitizer(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "features.md", EVERYTHING_SITEGEN_MAKES)
    raw = _rendered(project, "content/features.md", allow_scripts=True)
    cleaned = _rendered(project, "content/features.md")
    assert _tree(cleaned) == _tree(raw)
    for marker in ('class="headerlink"', 'class="footnote-ref"', 'class="admonition example"',
                   'scope="col"', 'tabindex="0"', 'role="region"', "aria-label=", "<tfoot>",
                   'src="data:image/svg+xml;base64,', "<details", "<dl>", 'id="custom-id"'):
        assert marker in cleaned, marker


def test_the_demo_pages_are_unchanged_by_the_sanitizer(built_demo) -> None:
    project, _ = built_demo
    loaded = load_folder(project)
    permissive = dataclasses.replace(loaded.config, content=ContentSettings(allow_scripts=True))
    renderer = Renderer(permissive, loaded.tables, loaded.content)
    for page in loaded.content.pages:
        raw, _ = renderer._body(page, PageDependencies())
        assert _tree(clean_html(raw)) == _tree(raw), page.source_name


# ---- what WeasyPrint may load -------------------------------------------------------


def _paper(project: Path, body: str) -> None:
    write(project / "content" / "paper.md", f"---\ntitle: Paper\npdf: true\n---\n\n{body}\n")


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    write(secret, "TOP-SECRET-MARKER root:x:0:0\n")
    return secret


@pytest.fixture
def listener() -> Any:
    """A port on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


OUTSIDE = ["/etc/passwd", "file:///etc/passwd", "../../../../../../../../etc/passwd", "http://127.0.0.1:9/x",
           "listener"]


def _link(kind: str, url: str) -> str:
    return f"![x]({url})" if kind == "image" else f'<a rel="attachment" href="{url}">the file</a>'


@pytest.mark.parametrize("kind", ["image", "attachment"])
@pytest.mark.parametrize("where", OUTSIDE)
def test_a_paper_pointing_outside_fails_the_build_naming_it(
    copy_fixture, listener: socket.socket, kind: str, where: str
) -> None:
    """`sitegen build` stops at the link check or at the PDF fetcher, whichever sees it first."""
    project = copy_fixture("minimal")
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x" if where == "listener" else where
    _paper(project, _link(kind, url))
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert "content/paper.md:" in err and (url in err or "file:///etc/passwd" in err), err
    assert not (project / "site").exists()
    assert not _connected(listener)


def _pdf_of(project: Path) -> bytes:
    """The paper made into a PDF directly: the fetcher's own defence, without the link check."""
    loaded = load_folder(project)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content)
    page = next(p for p in loaded.content.pages if p.source_name == "content/paper.md")
    return render_pdf(renderer, renderer.render_page(page))


@pytest.mark.parametrize("kind", ["image", "attachment"])
@pytest.mark.parametrize("where", OUTSIDE)
def test_the_pdf_fetcher_refuses_what_is_outside(
    copy_fixture, listener: socket.socket, kind: str, where: str
) -> None:
    project = copy_fixture("minimal")
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x" if where == "listener" else where
    _paper(project, _link(kind, url))
    with pytest.raises(PdfError) as caught:
        _pdf_of(project)
    assert str(caught.value).startswith("a PDF tried to load files from outside the project")
    shown = "file:///etc/passwd" if "etc/passwd" in url else url
    assert [str(p) for p in caught.value.problems] == [
        f"content/paper.md: refused to load {shown} (only files inside the project)"]
    assert not _connected(listener)


def test_a_symlink_out_of_the_project_cannot_be_followed(copy_fixture, tmp_path: Path) -> None:
    project = copy_fixture("minimal")
    secret = _secret(tmp_path)
    (project / "files").mkdir()
    (project / "files" / "notes.txt").symlink_to(secret)
    _paper(project, '![x](../../files/notes.txt)\n\n<a rel="attachment" href="../../files/notes.txt">notes</a>')
    with pytest.raises(PdfError) as caught:
        _pdf_of(project)
    assert [str(p) for p in caught.value.problems] == [
        (f"content/paper.md: refused to load files/notes.txt, a symbolic link to {secret.resolve()}"
         " (only files inside the project)")]
    code, _, err = run("build", "-C", str(project))  # the link check sees it first: outside the site
    assert code == 1
    assert err.splitlines()[-2:] == [
        "  content/paper.md:6: missing image '../../files/notes.txt': it leads outside the site",
        "  content/paper.md:8: broken link '../../files/notes.txt': it leads outside the site"]


def test_a_symlink_in_content_pointing_outside_is_an_error(copy_fixture, tmp_path: Path) -> None:
    project = copy_fixture("minimal")
    (project / "site").mkdir()
    (project / "site" / "keep.txt").write_text("published")
    (project / "content" / "images").mkdir()
    (project / "content" / "images" / "leak.png").symlink_to(_secret(tmp_path))
    (project / "content" / "passwd.md").symlink_to("/etc/passwd")
    (project / "content" / "images" / "fine.png").symlink_to(project / "data" / "budget.csv")  # inside
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert err.splitlines() == [
        "Error: the content has 2 problems",
        "  content/images/leak.png: is a symbolic link to a file outside the project; not published",
        "  content/passwd.md: is a symbolic link to a file outside the project; not published",
    ]
    assert snapshot(project / "site") == {"keep.txt": b"published"}


def test_nothing_refused_reaches_the_pdf(copy_fixture, tmp_path: Path) -> None:
    """Even were the refusals ignored, the PDF would hold none of what was refused."""
    project = copy_fixture("minimal")
    secret = _secret(tmp_path)
    (project / "files").mkdir()
    (project / "files" / "notes.txt").symlink_to(secret)
    targets = ["/etc/passwd", secret.as_uri(), "../files/notes.txt", "http://127.0.0.1:9/x"]
    html = "".join(f'<p><img src="{t}" alt="i"> <a rel="attachment" href="{t}">a</a></p>' for t in targets)
    html += '<link rel="attachment" href="/etc/passwd">'
    config = load_config(project)
    fetcher = ProjectFetcher(config)
    data = HTML(string=html, base_url=f"{PROJECT_URL}content/", url_fetcher=fetcher).write_pdf()
    assert len(fetcher.refused) == 9  # every image and attachment above
    reader = PdfReader(_write(tmp_path / "out.pdf", data))
    assert _attached(reader) == []
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "root:" not in text and "TOP-SECRET" not in text
    raw = data + b"".join(_inflated(data))
    assert b"TOP-SECRET" not in raw and b"root:x:0:0" not in raw and b"/EmbeddedFile" not in raw


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _inflated(data: bytes) -> list[bytes]:
    found = []
    start = data.find(b"stream\n")
    while start >= 0:
        try:
            found.append(zlib.decompressobj().decompress(data[start + 7:]))
        except zlib.error:
            pass
        start = data.find(b"stream\n", start + 1)
    return found


def test_files_inside_the_project_still_load(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "files" / "budget.csv", "item,amount\nStaff,12000\n")
    _paper(project, '<a rel="attachment" href="../files/budget.csv">the budget</a>')  # the page is paper/
    build_folder(project)
    reader = PdfReader(project / "site" / "papers" / "paper.pdf")
    assert _attached(reader) == ["budget.csv"]


def _attached(reader: PdfReader) -> list[str]:
    """Files embedded in the document or in file-attachment annotations."""
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"]["/F"]))
    return names


# ---- slugs --------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["../../etc", "..", "a/../../b", "..\\..\\etc", "reports\\2011",
                                  "C:/Windows", "~/x", "a//b/./c", "%2e%2e/etc", ""])
def test_a_slug_that_could_leave_the_site_is_refused(copy_fixture, slug: str) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "paper.md", f"---\ntitle: Paper\nslug: '{slug}'\n---\n\nText.\n")
    with pytest.raises(ContentError) as caught:
        build_folder(project)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("content/paper.md", 3, "slug")
    assert not (project / "site").exists()


def test_an_absolute_slug_stays_inside_the_site(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "paper.md", "---\ntitle: Paper\nslug: /etc/passwd\n---\n\nText.\n")
    build_folder(project)
    assert (project / "site" / "etc" / "passwd" / "index.html").is_file()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("a-_./\\:~%0Z. \x00"), max_size=12))
def test_any_accepted_slug_is_a_path_inside_the_site(slug: str) -> None:
    try:
        meta = PageMeta(title="t", slug=slug)
    except ValidationError:
        return
    assert meta.slug is not None
    inside = posixpath.normpath(posixpath.join("/site", meta.slug, "index.html"))
    assert inside.startswith("/site/")
    assert "\\" not in meta.slug and ":" not in meta.slug and "\x00" not in meta.slug
    assert os.path.normpath(os.path.join("/site", meta.slug)).startswith("/site")


# ---- no formula leaves sitegen; no control character either -----------------------

FORMULAS = ['=HYPERLINK("http://evil.example/x","click")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|x",
            "@SUM(A1)", "\tTAB=1"]


@pytest.mark.parametrize(("text", "cell"), [
    ("=1+2", "'=1+2"), ("+44 20 7946 0000", "'+44 20 7946 0000"), ("-", "'-"), ("@me", "'@me"),
    ("\t=1", "'\t=1"), ("-1234.50", "-1234.50"), ("+12", "+12"), ("-1,234", "-1,234"), ("-7.5%", "-7.5%"),
    ("Joint procurement", "Joint procurement"), ("a-b", "a-b"), ("Alpha\x1b[31m\x07 Council", "Alpha[31m Council"),
    ("\x00=1", "'=1"), ("a\r\nb", "a\nb"), ("C1\x85 control", "C1 control"),
])
def test_spreadsheet_text_neutralises_formulas_and_keeps_numbers(text: str, cell: str) -> None:
    assert spreadsheet_text(text) == cell


@pytest.fixture
def formula_data(copy_fixture) -> Path:
    """Partners' names and descriptions that a spreadsheet would run, with control characters."""
    project = copy_fixture("returns_partners")
    partners = project / "data" / "partners.csv"
    frame = pd.read_csv(partners, dtype=str, keep_default_na=False)
    frame.loc[0, "name"] = '=HYPERLINK("http://evil.example/x","click")'
    frame.loc[1, "name"] = "Beta\x1b[31m\x07\x0b District\x1b[0m Council"
    frame.to_csv(partners, index=False)
    returns = project / "data" / "returns" / "alpha-2009-10-actual.csv"
    frame = pd.read_csv(returns, dtype=str, keep_default_na=False)
    frame.loc[: len(FORMULAS) - 1, "description"] = FORMULAS[: len(frame)]
    frame.loc[0, "evidence"] = "@evidence"
    frame.to_csv(returns, index=False)
    return project


def test_published_csv_holds_no_formula_and_keeps_negative_numbers(formula_data: Path) -> None:
    build_folder(formula_data)
    text = (formula_data / "site" / "tables" / "return_lines.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or (
        c.startswith("-") and not re.fullmatch(r"-[\d.]+", c))]
    descriptions = {row["description"] for row in rows}
    assert "'" + FORMULAS[0] in descriptions and "'=cmd|' /C calc'!A0" in descriptions
    assert any(re.fullmatch(r"-\d+\.\d\d", row["counted_value_gbp"]) for row in rows)  # a negative stays a number
    names = (formula_data / "site" / "tables" / "partners.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in names and "Beta[31m District[0m Council" in names
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", names)
    # JSON keeps the value as it is: it is no spreadsheet's to run
    document = json.loads((formula_data / "site" / "tables" / "partners.json").read_text(encoding="utf-8"))
    assert document["rows"][0]["name"] == FORMULAS[0]


def test_return_templates_hold_text_never_formulas_and_read_back_the_same(formula_data: Path,
                                                                           tmp_path: Path) -> None:
    code, _, err = run("returns", "template", "--year", "2010-11", "--type", "forecast", "--all",
                       "--out", str(tmp_path / "out"), "-C", str(formula_data))
    assert code == 0, err
    for path in sorted((tmp_path / "out").glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], path.name
        assert not [c for c in cells if isinstance(c.value, str) and re.search("[\x00-\x08\x0b-\x1f]", c.value)]
    book = openpyxl.load_workbook(tmp_path / "out" / "alpha-2010-11-forecast.xlsx")
    partner = book["cover"]["B3"]
    assert (partner.value, partner.data_type, partner.quotePrefix) == (FORMULAS[0], "s", True)
    lines = book["lines"]
    carried = [row[4].value for row in lines.iter_rows(min_row=2) if row[4].value]
    assert FORMULAS[0] in carried and set(carried) <= set(FORMULAS)  # the ongoing lines, exactly as written
    assert all(row[4].data_type == "s" for row in lines.iter_rows(min_row=2) if row[4].value)
    # The template loads as it is: the description comes back exactly as it was.
    shutil.copyfile(tmp_path / "out" / "alpha-2010-11-forecast.xlsx",
                    formula_data / "data" / "returns" / "alpha-2010-11-forecast.xlsx")
    lines_read = load_folder(formula_data).dataset.lines
    assert FORMULAS[0] in set(lines_read.loc[lines_read["_file"].str.endswith(".xlsx"), "description"])
    beta = openpyxl.load_workbook(tmp_path / "out" / "beta-2010-11-forecast.xlsx")["cover"]["B3"].value
    assert beta == "Beta[31m District[0m Council"


def test_control_characters_reach_neither_terminal_nor_receipt(formula_data: Path, tmp_path: Path) -> None:
    code, out, err = run("table", "partners", "-C", str(formula_data))
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "Beta[31m District[0m Council" in out
    code, out, err = run("returns", "receipt", "--partner", "beta", "--out", str(tmp_path / "receipts"),
                         "-C", str(formula_data))
    assert code == 0, err
    pdf = next((tmp_path / "receipts").glob("beta-*.pdf"))
    assert "Beta[31m District[0m Council" in " ".join(PdfReader(pdf).pages[0].extract_text().split())


# ---- nothing outside the project ----------------------------------------------------


@pytest.mark.parametrize(("link", "target", "message"), [
    ("static/passwd", "file", "static/passwd: is a symbolic link to a file outside the project; not used"),
    ("static/css", "folder", "static/css: is a symbolic link to a folder outside the project; not used"),
    ("templates/_secret.html", "file",
     "templates/_secret.html: is a symbolic link to a file outside the project; not used"),
    ("templates/outside", "folder", "templates/outside: is a symbolic link to a folder outside the project; not used"),
    ("data/budget2.csv", "file", "data/budget2.csv: is a symbolic link to a file outside the project; not read"),
    ("data/returns", "folder", "data/returns: is a symbolic link to a folder outside the project; not read"),
    ("content/linked", "folder",
     "content/linked: is a symbolic link to a folder outside the project; not published"),
])
def test_a_symbolic_link_out_of_the_project_is_an_error_naming_it(copy_fixture, tmp_path: Path, link: str,
                                                                  target: str, message: str) -> None:
    project = copy_fixture("minimal")
    (project / "site").mkdir()
    (project / "site" / "keep.txt").write_text("published")
    secret = _secret(tmp_path)
    write(secret.parent / "page.md", "# Secret page\n\nTOP-SECRET-MARKER\n")
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(secret if target == "file" else secret.parent)
    for command in ("build", "check"):
        code, out, err = run(command, "-C", str(project))
        assert code == 1, out
        assert f"  {message}" in err.splitlines(), err
        assert "TOP-SECRET-MARKER" not in out + err
    assert snapshot(project / "site") == {"keep.txt": b"published"}


def test_a_symbolic_link_out_of_templates_stops_receipts_too(copy_fixture, tmp_path: Path) -> None:
    project = copy_fixture("returns_partners")
    (project / "templates").mkdir()
    (project / "templates" / "receipt.html").symlink_to(_secret(tmp_path))
    code, _, err = run("returns", "receipt", "--all", "-C", str(project))
    assert code == 1
    assert err.splitlines() == [
        "Error: 1 symbolic link leads out of the project",
        "  templates/receipt.html: is a symbolic link to a file outside the project; not used"]
    assert not (project / "receipts").exists()


def test_links_inside_the_project_are_kept_and_a_linked_content_folder_is_a_warning(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "notes" / "more.md", "# More\n")
    (project / "content" / "more").symlink_to(project / "notes")
    (project / "static").mkdir()
    (project / "static" / "budget.csv").symlink_to(project / "data" / "budget.csv")
    code, _, err = run("build", "-C", str(project))
    assert code == 0, err
    assert ("content/more: warning: is a symbolic link to a folder, which is not followed: its pages are not "
            "published (move them into content/)") in err.splitlines()
    assert (project / "site" / "static" / "budget.csv").read_bytes() == (project / "data" / "budget.csv").read_bytes()
    code, _, err = run("build", "--strict", "-C", str(project))
    assert code == 1


@pytest.mark.parametrize(("slug", "message"), [
    ("index.html", "content/clash.md makes site/index.html/index.html, inside site/index.html, which "
                   "content/index.md makes as a file"),
    ("static/css/site.css", "content/clash.md makes site/static/css/site.css/index.html, inside "
                            "site/static/css/site.css, which the theme's static/css/site.css makes as a file"),
    ("tables/ni179.csv", "content/clash.md makes site/tables/ni179.csv/index.html, inside site/tables/ni179.csv, "
                         "which the table ni179 makes as a file"),
    ("papers/paper.pdf", "content/clash.md makes site/papers/paper.pdf/index.html, inside site/papers/paper.pdf, "
                         "which the PDF of content/paper.md makes as a file"),
    ("search/index.js", "content/clash.md makes site/search/index.js/index.html, inside site/search/index.js, "
                        "which the search index makes as a file"),
    ("404.html", "content/clash.md makes site/404.html/index.html, inside site/404.html, which the 404 page "
                 "makes as a file"),
])
def test_a_slug_colliding_with_another_output_is_an_error_naming_both(copy_fixture, slug: str,
                                                                      message: str) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "clash.md", f"---\ntitle: Clash\nslug: {slug}\n---\n\nText.\n")
    for command in ("build", "check"):
        code, _, err = run(command, "-C", str(project))
        assert code == 1
        assert err.splitlines() == ["Error: 1 output would overwrite another",
                                    f"  content/clash.md:3: slug: {message}"]
    assert not (project / "site").exists()


def test_a_content_file_colliding_with_a_static_file_is_an_error_naming_both(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "static" / "css" / "site.css", "body { color: red }")
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert err.splitlines() == [
        "Error: 1 output would overwrite another",
        "  content/static/css/site.css: content/static/css/site.css and the theme's static/css/site.css "
        "both make site/static/css/site.css"]


# ---- bounded work -------------------------------------------------------------------

BILLION_LAUGHS = """---
title: Laughs
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
Ha.
"""


def test_front_matter_refuses_yaml_aliases_at_their_line(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "laughs.md", BILLION_LAUGHS)
    write(project / "content" / "anchor.md", "---\ntitle: &t Anchored\nsummary: plain\n---\nAn anchor alone is harmless.\n")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    assert err.splitlines() == ["Error: the content has 1 problem",
                                "  content/laughs.md:4: front matter: not valid YAML: aliases (*name) are not allowed"]


def test_a_page_over_the_size_limit_is_an_error_and_one_just_under_builds(copy_fixture) -> None:
    project = copy_fixture("minimal")
    head = "---\ntitle: One word\n---\n\n"
    write(project / "content" / "word.md", head + "a" * (PAGE_LIMIT - len(head) - 1) + "\n")
    write(project / "content" / "huge.md", head + "b" * (PAGE_LIMIT - len(head)) + "\n")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    assert err.splitlines() == [
        "Error: the content has 1 problem",
        f"  content/huge.md: is {PAGE_LIMIT + 1:,} bytes: a page may be at most {PAGE_LIMIT:,} (split it into pages)"]
    (project / "content" / "huge.md").unlink()
    code, _, err = run("build", "-C", str(project))
    assert code == 0, err
    assert (project / "site" / "word" / "index.html").stat().st_size > PAGE_LIMIT
    index = "".join(p.read_text(encoding="utf-8") for p in (project / "site" / "search").glob("index-*.js"))
    assert "aaaaaaaa" not in index and "One word" in index  # the "word" is too long to be a search term


def test_a_cell_over_the_size_limit_is_an_error_at_its_line(copy_fixture) -> None:
    project = copy_fixture("minimal")
    returns = project / "data" / "returns.csv"
    returns.write_text(returns.read_text(encoding="utf-8").replace("Joint procurement", "x" * (CELL_LIMIT + 1)),
                       encoding="utf-8")
    with (project / "data" / "budget.csv").open("a", encoding="utf-8") as handle:
        handle.write("Long," + "9" * (CELL_LIMIT + 1) + "\n")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    too_long = f"a cell may hold at most {CELL_LIMIT:,} characters, as in Excel"
    assert err.splitlines() == [
        "Error: the data has 2 problems",
        f"  data/budget.csv:4: amount: too long ('{'9' * 39}…'; {too_long})",
        f"  data/returns.csv:2: description: too long ('{'x' * 39}…'; {too_long})"]


@pytest.mark.parametrize("limit", ["-1", "0", "2.5", "'3'", "true", "none"])
def test_table_limit_must_be_a_positive_whole_number(copy_fixture, limit: str) -> None:
    project = copy_fixture("minimal")
    with (project / "content" / "paper.md").open("a", encoding="utf-8") as handle:
        handle.write(f'\n{{{{ table("ni179", limit={limit}) }}}}\n')
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    found = {"'3'": "'3'", "true": "True", "none": "None"}.get(limit, limit)
    assert err.splitlines() == ["Error: 1 file could not be rendered",
                                f"  content/paper.md:13: table 'ni179': limit must be a whole number of rows, "
                                f"1 or more (found {found})"]


def test_table_limit_keeps_that_many_rows(copy_fixture) -> None:
    project = copy_fixture("minimal")
    with (project / "content" / "paper.md").open("a", encoding="utf-8") as handle:
        handle.write('\n{{ table("return_lines", columns=["gain_ref"], limit=2, id="limited") }}\n')
    build_folder(project)
    page = tinyhtml5.parse((project / "site" / "paper" / "index.html").read_text(encoding="utf-8"))
    table = next(e for e in page.iter() if e.get("id") == "limited")
    rows = [e for e in table.iter() if str(e.tag).endswith("}tr") and any(str(c.tag).endswith("}td") for c in e)]
    assert len(rows) == 2


def test_control_characters_in_a_page_reach_neither_its_html_nor_its_pdf(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "ctl.md", "---\npdf: true\nsummary: \"Bell\x07\"\n---\n"
                                          "# Title\x07 \x1b[31mred\n\nText\x0b and \x85more.\n")
    code, _, err = run("build", "-C", str(project))
    assert code == 0, err
    html = (project / "site" / "ctl" / "index.html").read_text(encoding="utf-8")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", html) and "Title [31mred" in html
    reader = PdfReader(project / "site" / "papers" / "ctl.pdf")
    assert reader.metadata.title == "Title [31mred"


def test_a_symbolic_link_loop_is_an_error_naming_it(copy_fixture) -> None:
    project = copy_fixture("minimal")
    (project / "data" / "one.csv").symlink_to("two.csv")
    (project / "data" / "two.csv").symlink_to("one.csv")
    code, _, err = run("check", "-C", str(project))
    assert code == 1
    assert err.splitlines() == ["Error: the data has 2 problems",
                                "  data/one.csv: is a symbolic link that leads round in a loop; not read",
                                "  data/two.csv: is a symbolic link that leads round in a loop; not read"]


def test_a_content_file_named_with_a_control_character_is_an_error(copy_fixture) -> None:
    project = copy_fixture("minimal")
    write(project / "content" / "a\x1b[31mb.md", "# Red\n")
    code, _, err = run("build", "-C", str(project))
    assert code == 1
    assert err.splitlines() == ["Error: the content has 1 problem",
                                "  content/a\\x1b[31mb.md: the file name holds a control character: rename the file"]
    assert not (project / "site").exists()
