"""Agenda packs put together from their papers' own PDFs (sitegen/pdf/packs.py).

The pack is checked against what it is made of: the front sheet and agenda against the
same pack laid out as one WeasyPrint document (what packs were before), each paper's
pages against that paper's own PDF, the one the site publishes, word for word and pixel
for pixel but for the page number and the item's label; the same bookmarks, the
agenda's links leading to the same pages; and its structure tree is read back with
pikepdf as a screen reader would walk it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import copy_demo, load_folder
from pypdf import PdfReader
from test_publications import outline

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


def own_pdfs(demo: Demo) -> list[bytes]:
    """Each paper of the pack as its own PDF, as the site publishes it, in agenda order."""
    return [pdf.render_pdf(demo.renderer, demo.rendered[item.paper.url])
            for item in agenda(demo.meeting.page, demo.renderer.content) if item.paper is not None]


@pytest.fixture(scope="module")
def papers(demo: Demo) -> list[bytes]:
    return own_pdfs(demo)


def without_numbers(words: Counter[str]) -> Counter[str]:
    """A page's words but its number ("Page 3 of 9") and an item's label ("ITEM 3 …")."""
    kept = Counter(words)
    for word in ("Page", "of"):
        kept[word] -= 1
    for word in [w for w in kept if w.isdigit()]:
        kept[word] = 0
    return +kept


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


def test_the_pack_reads_as_its_front_sheet_agenda_and_papers_own_pdfs(one_document: bytes, assembled: bytes,
                                                                        papers: list[bytes]) -> None:
    pack = words_by_page(assembled)
    own = [page for paper in papers for page in words_by_page(paper)]
    front = len(pack) - len(own)
    assert front == 2 and len(pack) == len(words_by_page(one_document))  # the same number of pages as before
    assert pack[:front] == words_by_page(one_document)[:front]  # the front sheet and agenda, their numbers too
    firsts = {front, front + len(words_by_page(papers[0]))}  # the first page of each paper
    labels = iter(item_labels(one_document))
    for index, (page, paper_page) in enumerate(zip(pack[front:], own, strict=True), start=front):
        label = Counter(next(labels).upper().split()) if index in firsts else Counter()
        assert without_numbers(page) == without_numbers(paper_page + label)
    total = len(pack)
    for number, text in enumerate(pages_text(assembled), start=1):
        assert f"Page {number} of {total}" in text  # continuous, from the front sheet on
        assert text.count("Page ") == 1  # the paper's own number is gone


def item_labels(one_document: bytes) -> list[str]:
    """The items' labels as the pack laid out as one document shows them, above each paper."""
    text = " ".join(" ".join(pages_text(one_document)).split())
    return [match.rstrip() for match in re.findall(r"(ITEM \d+(?:: [^a-z]*? WAS WRITTEN)?) ", text)]


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_pack_looks_as_its_papers_own_pdfs(one_document: bytes, assembled: bytes, papers: list[bytes],
                                               tmp_path: Path) -> None:
    """Pixel for pixel, but for the margins above and below the page (22 mm, the page
    number and the item's label): the papers are their own PDFs, laid out once."""
    folders = {name: tmp_path / name for name in ("one", "assembled", *(f"paper{i}" for i in range(len(papers))))}
    for folder in folders.values():
        folder.mkdir()
    before = images_by_page(one_document, folders["one"])
    after = images_by_page(assembled, folders["assembled"])
    own = [image for index, paper in enumerate(papers) for image in images_by_page(paper, folders[f"paper{index}"])]
    assert after[:2] == before[:2]  # the front sheet and agenda
    assert len(after) == 2 + len(own)
    for pack_page, paper_page in zip(after[2:], own, strict=True):
        assert _body(pack_page) == _body(paper_page)
        assert pack_page != paper_page  # the page numbers differ


def _body(pgm: bytes) -> bytes:
    """The rows of a 40 dpi grey page image between the top and bottom margins (22 mm = 35 rows)."""
    header_end = pgm.index(b"\n", pgm.index(b"\n", pgm.index(b"\n") + 1) + 1) + 1  # P5, size, depth
    width, height = (int(n) for n in pgm.split(b"\n")[1].split())
    pixels = pgm[header_end:]
    return pixels[35 * width:(height - 35) * width]


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


def tree_elements(document: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every element of the structure tree, walked from its root."""
    found, stack = [], list(_kids(document.Root.StructTreeRoot))
    while stack:
        element = stack.pop()
        found.append(element)
        stack += _kids(element)
    return found


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    return [kid for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR"]


def test_the_pack_is_one_structure_tree_with_the_papers_tags(assembled: bytes, papers: list[bytes]) -> None:
    document, kinds, ids = structure(assembled)
    front = {page.obj.objgen for page in document.pages[:2]}
    front_kinds = Counter(str(element.S) for element in tree_elements(document)
                          if "/Pg" in element and element.Pg.objgen in front)
    papers_kinds = sum((structure(paper)[1] for paper in papers), Counter())
    # Every heading, paragraph, list and table cell of each paper's own PDF, once, in one Document.
    assert kinds == papers_kinds - Counter({"/Document": len(papers) - 1}) + front_kinds
    assert kinds["/H1"] >= 3 and kinds["/TH"] > 0
    assert len(ids) == len(set(ids)) > 0  # table headers' IDs unique across the papers
    headers = set(ids)
    for element in document.objects:
        if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/TD" and "/A" in element:
            assert {bytes(h).decode() for h in element.A.get("/Headers", [])} <= headers
    # The page numbers drawn over the papers' pages are artifacts, outside the tree; the
    # papers' own numbers are gone.
    for page in document.pages[2:]:
        assert not any("/SitegenPageNumber" in stream for stream in page.obj.Contents)
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
    """Drawn by the frame over the pages of a paper that is not a draft itself (one that
    is carries its own): one mark on every page."""
    project = copy_demo(tmp_path / "project")
    meeting = project / "content" / "meetings" / "2011-07-14.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("status: issued\nissued: 2011-07-07\n", "status: draft\n"),
                       encoding="utf-8")
    demo = load_demo(project)
    data = render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1)
    pages = words_by_page(data)
    assert len(pages) == 9 and all(page["DRAFT"] == 1 for page in pages)
    finals = [page for page in demo.rendered.values() if page.page.meta.layout == "paper"
              and page.page.meta.status != "draft"]
    assert finals  # a final paper, which takes the meeting's mark
    structure(data)  # still one well-formed tree


def test_a_paper_given_is_not_laid_out_again(demo: Demo, assembled: bytes, papers: list[bytes],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A build hands the pack the papers' PDFs it has just made or kept: the pack lays out
    its frame alone, and is the same pack."""
    laid_out = _counting_layouts(monkeypatch)
    items = [item for item in agenda(demo.meeting.page, demo.renderer.content) if item.paper is not None]
    given = {item.paper.url: data for item, data in zip(items, papers, strict=True)}
    made = render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1,
                       paper_pdfs=lambda paper: given[paper.url])
    assert made == assembled and laid_out == [demo.meeting.page.source_name]  # the frame
    laid_out.clear()
    render_pack(demo.renderer, demo.meeting, demo.rendered, jobs=1, paper_pdfs=lambda paper: None)
    assert sorted(laid_out) == sorted([demo.meeting.page.source_name,
                                       *(demo.rendered[item.paper.url].page.source_name for item in items)])


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
    texts = pages_text(data)
    for number, text in enumerate(texts, start=1):
        assert text.count("p. ") == 1 and f"p. {number}" in text  # the pack's number alone, not the paper's own
    # The item's label, where the top right shows the number: the next free margin box (bottom right).
    assert [index for index, text in enumerate(texts) if "ITEM " in text] == [2, 6]
    label = next(word for word in pdfplumber.open(io.BytesIO(data)).pages[2].extract_words() if word["text"] == "ITEM")
    assert label["top"] > 800 and label["x0"] > 400  # A4 is 595 × 842 pt
    if shutil.which("pdftoppm"):  # the front sheet and agenda as the pack laid out as one document shows them
        (tmp_path / "one").mkdir()
        (tmp_path / "pack").mkdir()
        single = pdf.write_pdf(demo.renderer.config, pack_html(demo.renderer, demo.meeting, demo.rendered),
                               demo.meeting.page)
        assert images_by_page(data, tmp_path / "pack")[:2] == images_by_page(single, tmp_path / "one")[:2]


def test_numbered_margin_boxes() -> None:
    css = """
    @page { @top-left { content: string(header); } @bottom-right { content: "Page " counter(page); } }
    @page :first { @bottom-left { content: "of " counter(pages); } }
    @media print { @page wide { @right-middle { content: counters(page, "."); } } }
    @page { @top-center { content: "page"; } @bottom-center { content: counter(chapter); } }
    """
    assert numbered_margin_boxes(css) == {"bottom-right", "bottom-left", "right-middle"}
    assert numbered_margin_boxes(css, named_pages=False) == {"bottom-right", "bottom-left"}  # not `wide`'s
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


def test_parts_that_do_not_fit_the_frame_are_refused(demo: Demo, one_document: bytes, papers: list[bytes],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    whole = pikepdf.open(io.BytesIO(one_document))  # nine pages: more than the frame holds for papers
    with pytest.raises(PackAssemblyError, match="the frame has 9 pages for 18 pages of papers"):
        assemble_pack(one_document, [whole, whole], ["item-3", "item-4"])
    with pytest.raises(PackAssemblyError, match="#item-3 does not lead to the first page of its part"):
        assemble_pack(one_document, [pikepdf.open(io.BytesIO(papers[0]))], ["item-3"])  # not made a part
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


def _drawn(page: pikepdf.Page) -> list[bytes]:
    """What a page draws, but page numbers: its content streams' bytes."""
    contents = page.obj.Contents
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    return [stream.read_bytes() for stream in streams if "/SitegenPageNumber" not in stream]


def test_a_build_makes_the_pack_of_the_very_pdfs_it_publishes(built_demo) -> None:  # type: ignore[no-untyped-def]
    """The demo's pack is issued: its papers are the records' copies, papers/<name>-v1.pdf,
    and each of their pages is in the pack as it was published, drawn by the same streams."""
    project, _ = built_demo
    papers = project / "site" / "papers"
    pack = pikepdf.open(papers / "2011-07-14.pdf")
    drawn = [_drawn(page) for page in pack.pages]
    start = 2  # after the front sheet and the agenda
    for name in ("steering-group-2011-07-v1.pdf", "ni179-review-2009-v1.pdf"):
        paper = pikepdf.open(papers / name)
        for index, page in enumerate(paper.pages):
            assert all(stream in drawn[start + index] for stream in _drawn(page)), (name, index)
        start += len(paper.pages)
    assert start == len(pack.pages)


def _counting_layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources laid out by WeasyPrint from now on, in this process (a pack with no
    paper to lay out starts no worker)."""
    laid_out: list[str] = []
    real = pdf.lay_out_pdf

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        laid_out.append(kwargs["name"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "lay_out_pdf", counting)
    return laid_out


def _pack_command(project: Path, meeting: str, out: Path) -> bytes:
    from click.testing import CliRunner

    from sitegen.cli import main

    result = CliRunner().invoke(main, ["pack", meeting, "-o", str(out), "-C", str(project)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_the_pack_command_takes_the_papers_pdfs_from_a_built_site(built_demo, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build, `sitegen pack` lays out its frame alone: the papers' PDFs (the demo's
    pack is issued: the records' copies, papers/<name>-v1.pdf) are site/'s, and the pack
    is the one the build published."""
    project, _ = built_demo
    laid_out = _counting_layouts(monkeypatch)
    data = _pack_command(project, "2011-07-14", tmp_path / "pack.pdf")
    assert laid_out == ["issued/meetings/2011-07-14/page.md"]  # the frame alone, from the meeting as issued
    assert data == (project / "site" / "papers" / "2011-07-14.pdf").read_bytes()


BOARD = """---
title: Board, 14 July 2011
layout: meeting
date: 2011-07-14
meeting: Partnership Board
items:
  - paper: budget-paper
  - paper: contract-paper
---
"""


def test_a_paper_changed_since_the_build_is_laid_out_again(copy_fixture, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`sitegen pack` never puts a stale paper into a pack: a paper edited since the build,
    or whose PDF in site/ is not the one the build wrote, is laid out again, and the pack
    is the one the next build makes."""
    from conftest import build_folder

    project = copy_fixture("minimal")
    content = project / "content"
    (content / "meetings").mkdir()
    (content / "meetings" / "board.md").write_text(BOARD, encoding="utf-8")
    for name, title in (("budget-paper", "Budget monitoring"), ("contract-paper", "Contract award")):
        (content / f"{name}.md").write_text(
            PAPER_FRONT.format(title=title, extra="pdf: true\n", text=f"The {title.lower()} paper's text."),
            encoding="utf-8")
    build_folder(project, jobs=1)
    site = project / "site"
    laid_out = _counting_layouts(monkeypatch)
    assert _pack_command(project, "meetings/board", tmp_path / "built.pdf") == (site / "papers" / "board.pdf").read_bytes()
    assert laid_out == ["content/meetings/board.md"]  # the frame alone

    budget = content / "budget-paper.md"
    budget.write_text(budget.read_text(encoding="utf-8") + "\nA sentence added since the build.\n", encoding="utf-8")
    laid_out.clear()
    edited = _pack_command(project, "meetings/board", tmp_path / "edited.pdf")
    assert sorted(laid_out) == ["content/budget-paper.md", "content/meetings/board.md"]
    assert "A sentence added since the build." in "\n".join(pages_text(edited))
    build_folder(project, jobs=1)
    assert edited == (site / "papers" / "board.pdf").read_bytes()  # the pack the build makes

    contract = next((site / "papers").glob("contract-paper*.pdf"))
    changed = bytearray(contract.read_bytes())  # the same size, one byte of it changed by hand
    changed[-2] ^= 1
    contract.write_bytes(bytes(changed))
    laid_out.clear()
    assert _pack_command(project, "meetings/board", tmp_path / "again.pdf") == edited
    assert sorted(laid_out) == ["content/contract-paper.md", "content/meetings/board.md"]
