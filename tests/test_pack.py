"""Agenda packs put together from their papers laid out one by one (sitegen/pdf/packs.py).

The pack is checked against the same pack laid out as one WeasyPrint document (what it
was before, and what it must still look like): page for page the same text, the same
bookmarks, the agenda's links leading to the same pages; and its structure tree is
read back with pikepdf as a screen reader would walk it.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from conftest import copy_demo, load_folder
from pypdf import PdfReader
from test_publications import outline

from sitegen.build.state import CACHE_DIR, DATABASE, BuildState
from sitegen.content.agenda import agenda
from sitegen.errors import PdfError
from sitegen.pdf import layout as pdf
from sitegen.pdf import packs as pack_module
from sitegen.pdf.packs import (
    PackAssemblyError,
    assemble_pack,
    numbered_margin_boxes,
    pack_html,
    render_pack,
)
from sitegen.render.pages import THEME_DIR, RenderedPage, Renderer

MEETING = "meetings/2011-07-14/"


@dataclass
class Demo:
    project: Path
    renderer: Renderer
    meeting: RenderedPage
    rendered: dict[str, RenderedPage]


def load_demo(project: Path) -> Demo:
    loaded = load_folder(project)
    renderer = Renderer(loaded.config, loaded.tables, loaded.content, loaded.records.page_tables)
    meeting = loaded.content.page_at(MEETING)
    assert meeting is not None
    issued = loaded.records.packs.get(MEETING)
    if issued is not None:  # the demo's pack is issued: the meeting and its papers as they went out
        meeting = issued.meeting
        packed = [meeting, *issued.papers.values()]
    else:
        packed = [meeting, *(item.paper for item in agenda(meeting, loaded.content) if item.paper is not None)]
    rendered = {page.url: renderer.render_page(page) for page in packed}
    return Demo(project, renderer, rendered[meeting.url], rendered)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return load_demo(copy_demo(tmp_path_factory.mktemp("pack") / "project"))


@pytest.fixture(scope="module")
def one_document(demo: Demo) -> bytes:
    """The pack laid out as one document, the way packs were made before."""
    return pdf.write_pdf(demo.renderer.config, pack_html(demo.renderer, demo.meeting, demo.rendered), demo.meeting.page)


@pytest.fixture(scope="module")
def assembled(demo: Demo) -> bytes:
    return render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=2)  # the papers on two processes


def words_by_page(data: bytes) -> list[Counter[str]]:
    """Each page's words (in any order: a page's number is drawn before the paper's page now)."""
    return [Counter(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def images_by_page(data: bytes, folder: Path) -> list[bytes]:
    """Each page as pixels (poppler's pdftoppm), to see that everything is where it was."""
    source = folder / "pack.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", source, folder / "page"], check=True)
    return [path.read_bytes() for path in sorted(folder.glob("page-*.pgm"))]


def bookmarks(data: bytes) -> list[tuple[int, str, int]]:
    return outline(PdfReader(io.BytesIO(data)))


def links(data: bytes) -> list[tuple[int, str, int]]:
    """(page, named destination, page it leads to) of every internal link."""
    document = pikepdf.open(io.BytesIO(data))
    numbers = {page.obj.objgen: index for index, page in enumerate(document.pages, start=1)}
    names = document.Root.Names.Dests.Names
    destinations = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    assert list(destinations) == sorted(destinations)  # a name tree is sorted
    found = []
    for index, page in enumerate(document.pages, start=1):
        for annotation in page.get("/Annots", []):
            if "/Dest" in annotation:
                target = destinations[bytes(annotation.Dest)]
                found.append((index, bytes(annotation.Dest).decode(), numbers[target[0].objgen]))
    return found


def test_the_assembled_pack_reads_page_for_page_as_the_one_document(one_document: bytes, assembled: bytes) -> None:
    before, after = words_by_page(one_document), words_by_page(assembled)
    assert len(after) == len(before) >= 4
    for page in after:  # the draft paper's mark, which only its part carries (see below)
        del page["DRAFT"]
    assert after == before
    total = len(after)
    for number, page in enumerate(PdfReader(io.BytesIO(assembled)).pages, start=1):
        assert f"Page {number} of {total}" in page.extract_text()  # continuous, from the front sheet on


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_assembled_pack_looks_the_same_as_the_one_document(one_document: bytes, assembled: bytes,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "assembled").mkdir()
    before = images_by_page(one_document, tmp_path / "one")
    after = images_by_page(assembled, tmp_path / "assembled")
    # The draft paper's pages differ by its DRAFT mark alone, which only a part can carry
    # on its own pages (a fixed box repeats on every page of its document).
    # (The demo's meeting takes no draft since its papers were issued; a draft meeting's
    # pack is below.)
    draft = [index for index, words in enumerate(words_by_page(assembled)) if words["DRAFT"]] or [len(after)]
    assert draft == list(range(draft[0], max(draft[-1] + 1, len(after))))
    assert len(after) == len(before) and after[:draft[0]] == before[:draft[0]]  # page numbers too, pixel for pixel


def test_bookmarks_and_agenda_links_lead_to_the_same_pages(one_document: bytes, assembled: bytes) -> None:
    assert bookmarks(assembled) == bookmarks(one_document)
    top = [title for depth, title, _ in bookmarks(assembled) if depth == 0]
    assert top[:2] == ["Front sheet", "Agenda"] and len(top) == 4  # a bookmark per paper
    assert links(assembled) == links(one_document)
    agenda_links = {name: page for on, name, page in links(assembled) if on == 2}
    assert set(agenda_links) == {"item-3", "item-4"}
    agenda_text = PdfReader(io.BytesIO(assembled)).pages[1].extract_text()
    for page in agenda_links.values():
        assert f"page {page}" in agenda_text


def structure(data: bytes) -> tuple[pikepdf.Pdf, Counter[str], list[str]]:
    """Walk the structure tree from its root and check every link of it along the way."""
    document = pikepdf.open(io.BytesIO(data))
    root = document.Root.StructTreeRoot
    pages = {page.obj.objgen for page in document.pages}
    assert isinstance(root.K, pikepdf.Dictionary) or len(root.K) == 1
    top = root.K if isinstance(root.K, pikepdf.Dictionary) else root.K[0]
    assert top.S == "/Document" and top.P.is_same_object_as(root)
    kinds: Counter[str] = Counter()
    ids: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        element = stack.pop()
        assert element.objgen not in seen  # a tree: no element in two places
        seen.add(element.objgen)
        kinds[str(element.S)] += 1
        if "/ID" in element:
            ids.append(bytes(element.ID).decode())
        if "/Pg" in element:
            assert element.Pg.objgen in pages
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR":
                assert kid.P.is_same_object_as(element)
                stack.append(kid)
    nums = root.ParentTree.Nums
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert int(root.get("/ParentTreeNextKey", max(parent_tree) + 1)) > max(parent_tree)
    for page in document.pages:
        marked = {int(operands[1].MCID) for operands, operator in pikepdf.parse_content_stream(page)
                  if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]}
        if marked:
            elements = parent_tree[int(page.obj.StructParents)]
            assert all(isinstance(elements[mcid], pikepdf.Dictionary) for mcid in marked)
        for annotation in page.get("/Annots", []):
            link = parent_tree[int(annotation.StructParent)]
            assert link.objgen in seen and link.S == "/Link"
            assert any(kid.get("/Obj") is not None and kid.Obj.is_same_object_as(annotation)
                       for kid in link.K if isinstance(kid, pikepdf.Dictionary))
    return document, kinds, ids


def test_the_pack_is_one_structure_tree_with_the_papers_tags(one_document: bytes, assembled: bytes) -> None:
    document, kinds, ids = structure(assembled)
    _, kinds_before, _ = structure(one_document)
    marked = sum(1 for words in words_by_page(assembled) if words["DRAFT"])  # the draft's mark: a Div and a Span a page
    assert kinds == kinds_before + Counter({"/Div": marked, "/Span": marked})  # every heading, paragraph, list and table cell, once
    assert kinds["/H1"] >= 3 and kinds["/TH"] > 0
    assert len(ids) == len(set(ids)) > 0  # table headers' IDs unique across the papers
    headers = set(ids)
    for element in document.objects:
        if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/TD" and "/A" in element:
            assert {bytes(h).decode() for h in element.A.get("/Headers", [])} <= headers
    # The page numbers drawn over the papers' pages are artifacts, outside the tree.
    for page in document.pages[2:]:
        numbers = [xobject for name, xobject in page.Resources.XObject.items()
                   if str(name).startswith("/SitegenPageNumber")]
        assert numbers
        for number in numbers:
            assert all(str(operator) != "BDC" for _, operator in pikepdf.parse_content_stream(number))
    root = document.Root
    assert str(root.Lang) == "en-GB" and bool(root.MarkInfo.Marked)
    assert document.docinfo.Title == "Steering Group, 14 July 2011"


def test_every_font_subset_of_the_pack_has_a_tag_of_its_own(assembled: bytes) -> None:
    """Each paper embeds its own subsets of the fonts: the standard wants their tags to differ."""
    document = pikepdf.open(io.BytesIO(assembled))
    programs: dict[str, set[bytes]] = {}
    for page in document.pages:
        resources = [page.Resources, *(form.Resources for form in page.Resources.get("/XObject", {}).values()
                                       if "/Resources" in form)]
        for fonts in (resource.get("/Font", {}) for resource in resources):
            for font in fonts.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert descendant.FontDescriptor.FontName == descendant.BaseFont == font.BaseFont
                program = descendant.FontDescriptor.get("/FontFile2") or descendant.FontDescriptor.get("/FontFile3")
                programs.setdefault(str(font.BaseFont), set()).add(program.read_bytes())
    assert len(programs) > 2  # the frame's and each paper's
    assert all(len(found) == 1 for found in programs.values())


def test_the_pack_is_tagged_archival_and_titled_as_every_pdf(assembled: bytes, tmp_path: Path) -> None:
    from test_pdf import assert_accessible

    path = tmp_path / "pack.pdf"
    path.write_bytes(assembled)
    kinds, outline = assert_accessible(path, "Steering Group, 14 July 2011")  # PDF/A-3a and PDF/UA-1 claims too
    assert outline[:2] == ["Front sheet", "Agenda"] and kinds["Document"] == 1


def test_the_pack_is_the_same_bytes_every_time(demo: Demo, assembled: bytes) -> None:
    again = render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1)
    assert again == assembled
    identity = pikepdf.open(io.BytesIO(assembled)).trailer.ID[0]  # the pack's permanent /ID, as before
    assert bytes(identity) == pdf._identifier(demo.meeting.page.pdf_path, demo.renderer.config)


def test_a_draft_meetings_watermark_is_on_every_page_of_its_pack(tmp_path: Path) -> None:
    """Drawn by the frame under the papers' pages, as the one document drew it under them."""
    project = copy_demo(tmp_path / "project")
    meeting = project / "content" / "meetings" / "2011-07-14.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("status: issued\nissued: 2011-07-07\n", "status: draft\n"),
                       encoding="utf-8")
    demo = load_demo(project)
    data = render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1)
    single = pdf.write_pdf(demo.renderer.config, pack_html(demo.renderer, demo.meeting, demo.rendered),
                           demo.meeting.page)
    pages = words_by_page(data)
    assert pages == words_by_page(single) and all(page["DRAFT"] >= 1 for page in pages)
    if shutil.which("pdftoppm"):
        (tmp_path / "one").mkdir()
        (tmp_path / "assembled").mkdir()
        assert images_by_page(data, tmp_path / "assembled") == images_by_page(single, tmp_path / "one")
    structure(data)  # still one well-formed tree


def test_unchanged_papers_are_not_laid_out_again(demo: Demo, assembled: bytes, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    laid_out: list[str] = []
    real = pdf.lay_out_pdf

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs["name"] != demo.meeting.page.source_name:  # the frame is laid out every time
            laid_out.append(kwargs["name"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "lay_out_pdf", counting)
    cache = BuildState.open(tmp_path).parts("meeting.pdf", "inputs")
    first = render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1, parts_cache=cache)
    assert first == assembled and len(laid_out) == 2 and len(cache.stored()) == 2
    laid_out.clear()
    assert render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1, parts_cache=cache) == assembled
    assert laid_out == []  # both papers from the cache
    # A paper whose HTML changes is laid out again, alone; its old part is forgotten.
    url = next(url for url in demo.rendered if url != demo.meeting.page.url)
    changed: Mapping[str, RenderedPage] = demo.rendered | {
        url: RenderedPage(demo.rendered[url].page, "", demo.rendered[url].body_html + "<p>Added since.</p>",
                          demo.rendered[url].toc, frozenset(), frozenset())}
    updated = render_pack(demo.renderer, demo.meeting, changed, jobs=1, parts_cache=cache)
    assert laid_out == [demo.renderer.content.page_at(url).source_name]  # named by its file in content/
    assert "Added since." in "".join(page.extract_text() for page in PdfReader(io.BytesIO(updated)).pages)
    assert len(cache.stored()) == 2
    # A damaged part is laid out again, not used.
    laid_out.clear()
    with sqlite3.connect(tmp_path / CACHE_DIR / DATABASE) as database:
        database.execute("UPDATE parts SET pdf = substr(pdf, 1, length(pdf) - 100) WHERE key = ?", (cache.stored()[0],))
    assert render_pack(demo.renderer, demo.meeting, changed, jobs=1, parts_cache=cache) == updated
    assert len(laid_out) == 1 and len(cache.stored()) == 2
    # --clean: nothing taken from the cache.
    laid_out.clear()
    render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1,
                parts_cache=BuildState.open(tmp_path, use_previous=False).parts("meeting.pdf", "inputs"))
    assert len(laid_out) == 2


def test_page_numbers_are_wherever_the_print_stylesheet_puts_them(tmp_path: Path) -> None:
    """A project's print.css numbering its pages top right: the pack follows it."""
    project = copy_demo(tmp_path / "project")
    theme_css = (THEME_DIR / "static" / "css" / "print.css").read_text(encoding="utf-8")
    css = theme_css.replace('@top-right { content: string(doc-title);', '@top-right { content: "p. " counter(page);')
    css = css.replace('@bottom-center { content: "Page " counter(page) " of " counter(pages);',
                      '@bottom-center { content: string(section);')
    css = css.replace("@page :first { @top-right { content: none; } }", "")
    css = css.replace("@page pack-front { @top-left { content: none; } @top-right { content: none; } }",
                      "@page pack-front { @top-left { content: none; } }")  # the front sheet: no header, its number
    # top right, and the newsletter's folio on its own named page (bottom right), which no pack uses
    assert css != theme_css and numbered_margin_boxes(css) == {"top-right", "bottom-right"}
    (project / "static" / "css").mkdir(parents=True, exist_ok=True)
    (project / "static" / "css" / "print.css").write_text(css, encoding="utf-8")
    demo = load_demo(project)
    data = render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1)
    single = pdf.write_pdf(demo.renderer.config, pack_html(demo.renderer, demo.meeting, demo.rendered),
                           demo.meeting.page)
    pages = words_by_page(data)
    draft = min((index for index, words in enumerate(pages) if words["DRAFT"]), default=len(pages))
    for page in pages:  # the draft paper's mark, which only its part carries
        del page["DRAFT"]
    assert pages == words_by_page(single)
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        assert f"p. {number}" in page.extract_text()
    if shutil.which("pdftoppm"):
        (tmp_path / "one").mkdir()
        (tmp_path / "assembled").mkdir()
        assert images_by_page(data, tmp_path / "assembled")[:draft] == images_by_page(single, tmp_path / "one")[:draft]


def test_numbered_margin_boxes() -> None:
    css = """
    @page { @top-left { content: string(header); } @bottom-right { content: "Page " counter(page); } }
    @page :first { @bottom-left { content: "of " counter(pages); } }
    @media print { @page wide { @right-middle { content: counters(page, "."); } } }
    @page { @top-center { content: "page"; } @bottom-center { content: counter(chapter); } }
    """
    assert numbered_margin_boxes(css) == {"bottom-right", "bottom-left", "right-middle"}
    assert numbered_margin_boxes("p { content: counter(page); }") == set()


def test_a_paper_that_cannot_be_laid_out_is_named(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    paper = project / "content" / "steering-group" / "ni179-review-2009.md"
    meeting = project / "content" / "meetings" / "2011-07-14.md"
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    # Papers the demo has issued are records: this one and its meeting are made final again, to be edited.
    paper.write_text(paper.read_text(encoding="utf-8").replace("status: issued\nissued: 2009-05-22\n", "")
                     + f"\n\n![Secret]({secret.as_uri()})\n", encoding="utf-8")
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("status: issued\nissued: 2011-07-07\n", ""),
                       encoding="utf-8")
    demo = load_demo(project)
    with pytest.raises(PdfError) as caught:
        render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=2)
    assert [problem.file for problem in caught.value.problems] == ["content/steering-group/ni179-review-2009.md"]
    assert "refused to load" in str(caught.value)


def test_parts_that_do_not_fit_the_frame_are_refused(demo: Demo, one_document: bytes,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    part = pikepdf.open(io.BytesIO(one_document))  # a paper whose first page is not after a lead page
    with pytest.raises(PackAssemblyError, match="the frame has 9 pages for 16 pages of papers"):
        assemble_pack(one_document, [part, part], ["item-3", "item-4"])
    with pytest.raises(PackAssemblyError, match="#item-3 does not begin on the page after the lead page"):
        assemble_pack(one_document, [part], ["item-3"])
    # A frame holding one page too many for the first paper: found, not a pack with a page astray.
    real = pack_module.frame_html

    def one_more(renderer, meeting, items, held_pages, confidential=False):  # type: ignore[no-untyped-def]
        first = min(held_pages)
        return real(renderer, meeting, items, {**held_pages, first: held_pages[first] + 1}, confidential)

    monkeypatch.setattr(pack_module, "frame_html", one_more)
    with pytest.raises(PdfError, match=r"could not be put together: the frame holds #item-3 from page 2, not 3"):
        render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1)


def test_the_pack_command_puts_the_pack_together(demo: Demo, assembled: bytes, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sitegen.cli import main

    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(main, ["pack", "2011-07-14", "-o", str(out), "-C", str(demo.project)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == assembled


CONFIDENTIAL_MEETING = """---
title: Board, 14 July 2011
layout: meeting
date: 2011-07-14
meeting: Partnership Board
items:
  - paper: open-paper
  - paper: closed-paper
---
"""
PAPER_FRONT = """---
title: {title}
layout: paper
date: 2011-07-14
meeting: Partnership Board
report_of: Treasurer
{extra}---

## Background

{text}
"""


def test_papers_not_for_publication_go_into_a_confidential_pack_of_their_own(copy_fixture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The public pack and the meeting's page show only the title and the exemption."""
    from click.testing import CliRunner
    from conftest import build_folder

    from sitegen.cli import main

    project = copy_fixture("minimal")
    content = project / "content"
    (content / "meetings").mkdir()
    (content / "meetings" / "board.md").write_text(CONFIDENTIAL_MEETING, encoding="utf-8")
    (content / "open-paper.md").write_text(
        PAPER_FRONT.format(title="Budget monitoring", extra="", text="The open paper's text."), encoding="utf-8")
    exempt = "Paragraph 3 of Schedule 12A: the financial affairs of a particular person"
    (content / "closed-paper.md").write_text(
        PAPER_FRONT.format(title="Contract award", text="The contract's confidential terms.",
                           extra=f"classification: not for publication\nexempt_reason: \"{exempt}\"\n"),
        encoding="utf-8")
    build_folder(project)
    public = "\n".join(page.extract_text() for page in PdfReader(project / "site/papers/board.pdf").pages)
    assert "The open paper" in public and "Contract award" in public and exempt in " ".join(public.split())
    assert "confidential terms" not in public
    meeting_page = (project / "site/meetings/board/index.html").read_text(encoding="utf-8")
    agenda_list = meeting_page[meeting_page.index('id="agenda"'):]
    assert f"Not for publication: {exempt}" in agenda_list
    assert "closed-paper/" not in agenda_list and "open-paper/" in agenda_list  # the agenda links the open one only
    target = tmp_path / "confidential.pdf"
    result = CliRunner().invoke(main, ["pack", "meetings/board", "--confidential", "-o", str(target), "-C", str(project)])
    assert result.exit_code == 0, result.output
    confidential = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "confidential terms" in confidential and "The open paper" not in confidential
    assert "Confidential papers: not for publication" in confidential
