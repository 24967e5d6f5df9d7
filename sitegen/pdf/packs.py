"""Agenda packs: a meeting's front sheet, agenda and papers as one PDF.

A pack is put together from PDFs laid out apart, and each paper is laid out once: the
pack takes the paper's own PDF, the one the site publishes (a build hands over the PDF
it has just made or kept, `sitegen pack` site/'s while the last build's records show it
current: build/pipeline.py); the papers it is not given are laid out here, side by side
on every core, each made a part as it comes back:

1. each paper's PDF, its page numbers taken out (layout.py lays every PDF out with
   them in streams of their own: margins.py), its names (anchors, structure IDs, font
   subset tags) prefixed with the item's anchor, and the item's anchor on its first page:
   a *part*;
2. the front sheet and agenda, then one blank page held for every page of every part:
   the *frame*. Holding all the pages, the frame numbers them itself ("Page x of y",
   wherever the print stylesheet puts the number), its agenda finds each item's first
   page with CSS `target-counter()`, and its held pages show only the page number, the
   item's label ("Item 3") in a free margin box of the item's first page, and the
   meeting's DRAFT mark while the meeting is a draft;
3. with pikepdf, each part's pages put in place of the held pages, each held page drawn
   over its part's page (an artifact), and the documents made one: one structure tree (a
   Document element holding every part's elements, the parent tree and `/StructParents`
   keys renumbered, role and class maps merged), one outline (the front sheet, the
   agenda and each paper's own bookmarks), one set of named destinations (the agenda's
   links lead to the papers). The frame gives the pack its metadata, language, output
   intent and /ID.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

from sitegen.content.agenda import PackItem, agenda
from sitegen.content.pages import Page
from sitegen.errors import PdfError, Problem, SitegenError
from sitegen.pdf.margins import MARGIN_BOXES, NUMBER_STREAM, numbered_margin_boxes
from sitegen.render.pages import PageDependencies, RenderedPage, Renderer
from sitegen.tables.formatting import long_date
from sitegen.workers import in_parallel

if TYPE_CHECKING:
    import pikepdf


PaperPdfs = Callable[[Page], "bytes | None"]  # a paper's own PDF, when the caller has it at hand


# ---- the frame, and the pack as one document, as HTML -------------------------------------


def frame_html(renderer: Renderer, meeting: RenderedPage, items: list[PackItem], held_pages: Mapping[int, int],
               confidential: bool = False) -> str:
    """The front sheet and the agenda, then `held_pages[item number]` blank pages per paper."""
    final = meeting.page.meta.model_copy(update={"status": "final"})  # pack.html marks its own pages
    return _pack_template(renderer, meeting, items, confidential, held_pages=held_pages, meta=final)


def pack_html(renderer: Renderer, meeting: RenderedPage, rendered: Mapping[str, RenderedPage],
              confidential: bool = False) -> str:
    """The whole pack as one print document: front sheet, agenda, then every paper.

    Packs are not laid out from it (see render_pack): it is all a pack shows, in one text."""
    items = agenda(meeting.page, renderer.content)
    fragments = {item.number: _fragment(renderer, rendered[item.paper.url], item.anchor)
                 for item in items if item.paper is not None and item.in_pack(confidential)}
    return _pack_template(renderer, meeting, items, confidential, fragments=fragments)


def pack_header(meeting: RenderedPage) -> str:
    """The running header of a pack's own pages: the meeting, as its front sheet names it."""
    date = meeting.page.meta.date
    return f"{meeting.page.details.meeting}, {long_date(date)}" if date else meeting.page.details.meeting


def _pack_template(renderer: Renderer, meeting: RenderedPage, items: list[PackItem], confidential: bool,
                   **variables: Any) -> str:
    template = renderer.env.get_template("pack.html")
    context = renderer.page_context(meeting.page, meeting.body_html, meeting.toc, PageDependencies())
    return template.render(
        context | {"for_print": True, "in_pack": True, "items": items, "meeting": meeting.page.details,
                   "meeting_status": meeting.page.meta.status, "confidential": confidential,
                   "pdf_header": pack_header(meeting), "held_pages": None, "fragments": {}}
        | variables
    )


def _fragment(renderer: Renderer, paper: RenderedPage, prefix: str) -> Markup:
    """A paper's article alone (its layout's main block), its ids made unique in the pack."""
    template = renderer.env.get_template(f"{paper.page.meta.layout}.html")
    context = renderer.page_context(paper.page, paper.body_html, paper.toc, PageDependencies())
    context |= {"for_print": True, "in_pack": True}
    html = "".join(template.blocks["main"](template.new_context(context)))
    html = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', html)
    html = re.sub(r'\bhref="#([^"]+)"', rf'href="#{prefix}-\1"', html)
    return Markup(html)


# ---- the frame's margin boxes ----------------------------------------------------------------

HELD_PAGE = "sitegen-pack-held"  # the frame's pages held for the papers: a named page
FIRST_HELD_PAGE = "sitegen-pack-held-first"  # the first held page of an item, which shows its label
LABEL_STRING = "sitegen-pack-item"
LABEL_BOXES = ("top-right", "bottom-right", "bottom-left", "top-left")  # where the label goes, the first free


def label_box(numbered: frozenset[str]) -> str:
    """The margin box that shows an item's label on its first page: the theme's paper
    leaves its first page's top right free (its title runs there from page 2); where a
    project's stylesheet numbers the pages there, the bottom corners, which the theme leaves empty."""
    return next((box for box in LABEL_BOXES if box not in numbered), "top-center")


def frame_css(numbered: frozenset[str]) -> str:
    """The frame: a page held per paper page, showing the page-number margin boxes only,
    and on an item's first page its label too."""
    label = label_box(numbered)

    def hidden(shown: frozenset[str]) -> str:
        return " ".join(f"@{box} {{ content: none !important; }}" for box in MARGIN_BOXES if box not in shown)

    align = "right" if label.endswith("right") else "left"
    return (f".pack-held {{ page: {HELD_PAGE}; break-before: page; position: relative; }}\n"
            f".pack-held--first {{ page: {FIRST_HELD_PAGE}; }}\n"
            f".pack-held__label {{ string-set: {LABEL_STRING} content(); display: block; height: 0; margin: 0;"
            " overflow: hidden; font-size: 0; }\n"
            f"@page {HELD_PAGE} {{ {hidden(numbered)} }}\n"
            f"@page {FIRST_HELD_PAGE} {{ {hidden(numbered | {label})} @{label} {{ content: string({LABEL_STRING}) !important;"
            f" font-size: 9pt; font-weight: 700; text-transform: uppercase; color: #505a5f; text-align: {align};"
            " max-width: 95mm; } }\n")


# ---- laying out ----------------------------------------------------------------------------


class PartStore(Protocol):
    """Where the PDFs of papers laid out for earlier packs are kept (build/state.py): the
    papers a build has no PDF of its own for (a page on the agenda without `pdf: true`)."""

    def key(self, html: str) -> str: ...

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...

    def keep_only(self, keys: set[str]) -> None: ...


def render_pack(renderer: Renderer, meeting: RenderedPage, papers: Mapping[str, RenderedPage | Page] | None = None,
                jobs: int | None = None, paper_pdfs: PaperPdfs | None = None, parts_cache: PartStore | None = None,
                confidential: bool = False) -> bytes:
    """The agenda pack of one meeting as PDF bytes.

    Each paper is `papers[its URL]`, as rendered or as the page to render (by default the
    agenda's page, rendered where it is laid out). Its PDF is `paper_pdfs(page)` (a
    build's own, just made or kept; for `sitegen pack`, site/'s while current); one it
    does not give is laid out, on `jobs` processes, or taken from `parts_cache` when an
    earlier pack laid it out as it is now. The public pack holds the papers for
    publication; `confidential`, those not for publication."""
    from sitegen.pdf import layout  # WeasyPrint loads only now

    config = renderer.config
    papers = papers or {}
    items = agenda(meeting.page, renderer.content)
    packed = [item for item in items if item.in_pack(confidential)]
    if confidential and not packed:
        raise PdfError(f"{meeting.page.source_name}: no paper on the agenda is not for publication",
                       [Problem(meeting.page.source_name, None, None, "has no confidential papers to make a pack of")])

    def paper_of(item: PackItem) -> RenderedPage | Page:
        assert item.paper is not None
        return papers.get(item.paper.url, item.paper)

    def page_of(item: PackItem) -> Page:
        paper = paper_of(item)
        return paper.page if isinstance(paper, RenderedPage) else paper

    def lay_out(item: PackItem) -> tuple[str, bytes] | list[Problem]:
        """(cache key, PDF) of a paper laid out as it stands alone, in a worker process."""
        paper = paper_of(item)
        try:
            with layout.no_cycle_collection():  # a worker's objects die with it, or by reference counting
                rendered = paper if isinstance(paper, RenderedPage) else renderer.render_page(paper)
                html = renderer.print_html(rendered)
                key = parts_cache.key(html) if parts_cache else ""
                data = parts_cache.load(key) if parts_cache else None
                if data is None:
                    data = layout.write_pdf(config, html, rendered.page)
                    if parts_cache:
                        parts_cache.save(key, data)
            return key, data
        except SitegenError as exc:
            return exc.problems or [Problem(page_of(item).source_name, None, None, str(exc))]

    import pikepdf

    given = {item.number: paper_pdfs(page_of(item)) if paper_pdfs else None for item in packed}
    missing = [item for item in packed if given[item.number] is None]
    parts: dict[int, pikepdf.Pdf] = {}
    keys, problems = set(), []
    # Each paper laid out is made a part as it comes back, while the workers lay out the next.
    for item, made in zip(missing, in_parallel(lay_out, missing, jobs, smallest=2)):
        if isinstance(made, list):
            problems += made
        else:
            keys.add(made[0])
            parts[item.number] = paper_part(pikepdf.open(io.BytesIO(made[1])), item.anchor)
    if problems:
        raise PdfError(f"the agenda pack of {meeting.page.source_name} could not be made", problems)
    if parts_cache:
        parts_cache.keep_only(keys)
    for item in packed:
        data = given[item.number]
        if data is not None:
            parts[item.number] = paper_part(pikepdf.open(io.BytesIO(data)), item.anchor)
    documents = [parts[item.number] for item in packed]
    # The frame's pages are named pages of their own: only `@page` rules for every page number them.
    numbered = numbered_margin_boxes(layout.find_static(config, "css/print.css").read_text(encoding="utf-8"),
                                     named_pages=False)
    held = {item.number: len(document.pages) for item, document in zip(packed, documents)}
    frame = layout.write_pdf(config, frame_html(renderer, meeting, items, held, confidential), meeting.page,
                             extra_css=frame_css(numbered))
    try:
        return assemble_pack(frame, documents, [item.anchor for item in packed])
    except PackAssemblyError as exc:
        raise PdfError("PDF", [Problem(meeting.page.source_name, None, None,
                                       f"the agenda pack could not be put together: {exc}")]) from exc


def paper_part(document: pikepdf.Pdf, anchor: str) -> pikepdf.Pdf:
    """A paper's own PDF made a part of a pack: its page numbers taken out (the frame
    draws the pack's), the names that must differ between the documents of a pack
    prefixed with `anchor` (the item's id), and `anchor` itself a destination on its
    first page, where the agenda's link leads.

    The names: every named destination and the links to it; structure element IDs
    (table headers, named again by the cells' /Headers), which WeasyPrint makes from
    object numbers that each PDF starts again; and the tag of each font subset
    (`ABCDEF+`), which WeasyPrint makes from the font alone, whatever glyphs the
    paper's subset holds: the PDF standard wants both unique."""
    import pikepdf

    prefix = f"{anchor}-"
    for page in document.pages:
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            page.obj.Contents = pikepdf.Array([stream for stream in contents if f"/{NUMBER_STREAM}" not in stream])
        for annotation in page.get("/Annots", ()):
            if isinstance(annotation.get("/Dest"), pikepdf.String):
                annotation.Dest = pikepdf.String(prefix.encode() + bytes(annotation.Dest))
            action = annotation.get("/A")
            if isinstance(action, pikepdf.Dictionary) and isinstance(action.get("/D"), pikepdf.String):
                action.D = pikepdf.String(prefix.encode() + bytes(action.D))
    destinations = [(pikepdf.String(prefix.encode() + bytes(name)), target)
                    for name, target in _destinations(document)]
    first = document.pages[0]
    top = float(first.mediabox[3])
    destinations.append((pikepdf.String(anchor), pikepdf.Array([first.obj, pikepdf.Name.XYZ, 0, top, 0])))
    _set_destinations(document, destinations)
    for thing in document.objects:
        if not isinstance(thing, pikepdf.Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            if isinstance(thing.get(key), pikepdf.Name):
                thing[key] = _retagged(prefix, thing[key])
        if thing.get("/Type") != "/StructElem":
            continue
        if "/ID" in thing:
            thing.ID = pikepdf.String(prefix.encode() + bytes(thing.ID))
        attributes = thing.get("/A")
        for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                attribute.Headers = pikepdf.Array(pikepdf.String(prefix.encode() + bytes(header))
                                                  for header in attribute.Headers)
    return document


def _retagged(prefix: str, name: Any) -> Any:
    """A font subset's name (`/ABCDEF+Font`) with a tag of its own for this part."""
    import pikepdf

    tag, plus, rest = str(name).removeprefix("/").partition("+")
    if not plus or len(tag) != 6:
        return name
    letters = hashlib.blake2b(f"{prefix}{tag}".encode(), digest_size=6).digest()
    return pikepdf.Name(f"/{''.join(chr(65 + letter % 26) for letter in letters)}+{rest}")


# ---- putting the pack together --------------------------------------------------------------


class PackAssemblyError(Exception):
    """The frame and the parts do not fit together (a bug, or a stylesheet sitegen cannot follow)."""


def assemble_pack(frame_pdf: bytes, parts: Sequence[pikepdf.Pdf], anchors: Sequence[str]) -> bytes:
    """The frame with each part's pages in place of its held pages.

    `anchors` are the parts' ids (`item-3` …), on the first page of each in the part
    and on its first held page in the frame: checked, so that no page goes astray."""
    import pikepdf

    pack = pikepdf.open(io.BytesIO(frame_pdf))
    own = len(pack.pages) - sum(len(part.pages) for part in parts)  # the front sheet and agenda
    if own < 1 or any(len(part.pages) < 1 for part in parts):
        raise PackAssemblyError(f"the frame has {len(pack.pages)} pages for {len(pack.pages) - own} pages of papers")
    if any("/StructTreeRoot" not in document.Root for document in (pack, *parts)):
        raise PackAssemblyError("a PDF without a structure tree")
    first_held, held_from = own, _anchor_pages(pack)
    for part, anchor in zip(parts, anchors, strict=True):
        if _anchor_pages(part).get(anchor) != 0:
            raise PackAssemblyError(f"#{anchor} does not lead to the first page of its part")
        if held_from.get(anchor) != first_held:
            raise PackAssemblyError(f"the frame holds #{anchor} from page {held_from.get(anchor)}, not {first_held}")
        first_held += len(part.pages)
    root = pack.Root.StructTreeRoot
    document = _document_element(root)
    held = {pack.pages[index].obj.objgen for index in range(own, len(pack.pages))}

    # The structure each page's marked content and each link belong to, in the keys of the
    # document the page comes from: read before the pages are renumbered below.
    frame_keys = _number_tree(root.ParentTree)
    keys_of_page: list[Mapping[int, Any]] = [frame_keys] * own
    kids = [kid for kid in _as_list(document.K) if _page_of(kid) not in held]
    outline = _outline_items(pack.Root.get("/Outlines"))
    destinations = [(name, target) for name, target in _destinations(pack) if _page_of_destination(target) not in held]
    role_map: dict[str, Any] = dict(root.get("/RoleMap", {}).items())
    class_map: dict[str, Any] = dict(root.get("/ClassMap", {}).items())

    index = own
    for part in parts:
        # The part's pages first, so that everything copied after refers to them.
        for page in part.pages:
            _put_under_held_page(pack, index, page)
            index += 1
        part_root = part.Root.StructTreeRoot
        for kid in _as_list(_document_element(part_root).K):
            kid = kid if kid.is_indirect else part.make_indirect(kid)
            del kid.P  # copy the element and what it holds, not the tree around it
            kids.append(pack.copy_foreign(kid))
        keys = _number_tree(pack.copy_foreign(part.make_indirect(part_root.ParentTree)))
        keys_of_page += [keys] * len(part.pages)
        if "/Outlines" in part.Root:
            outline += _outline_items(pack.copy_foreign(part.make_indirect(part.Root.Outlines)))
        dests = part.Root.Names.get("/Dests") if "/Names" in part.Root else None
        if dests is not None:
            destinations += [(name, target) for name, target in
                             _name_tree_entries(pack.copy_foreign(part.make_indirect(dests)))
                             if _page_of_destination(target) is not None]
        for name, role in part_root.get("/RoleMap", {}).items():
            role_map.setdefault(name, role)  # names: nothing to copy
        for name, attributes in part_root.get("/ClassMap", {}).items():
            class_map.setdefault(name, pack.copy_foreign(part.make_indirect(attributes)))

    for kid in kids:
        kid.P = document
    document.K = pikepdf.Array(kids)
    _renumber_parent_tree(pack, root, keys_of_page)
    for key, mapping in (("/RoleMap", role_map), ("/ClassMap", class_map)):
        if mapping:
            root[key] = pikepdf.Dictionary(mapping)
    _set_outline(pack, outline)
    _set_destinations(pack, destinations)
    out = io.BytesIO()
    # The frame's /ID stays the pack's permanent one; the second, per revision, comes from the bytes.
    pack.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
              fix_metadata_version=False)  # the frame's XMP as WeasyPrint wrote it
    return out.getvalue()


def _put_under_held_page(pack: Any, index: int, page: Any) -> None:
    """A part's page in place of the frame's held page `index`, the held page's content
    (the page number, the item's label, the meeting's DRAFT mark) drawn over it as an artifact."""
    import pikepdf

    held = pack.pages[index].as_form_xobject()
    instructions = pikepdf.parse_content_stream(held)
    artifact = pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact], pikepdf.Operator("BMC"))
    held.write(pikepdf.unparse_content_stream(
        [artifact if str(instruction.operator) == "BDC" else instruction for instruction in instructions]))
    pack.pages[index] = page
    placed = pack.pages[index]
    # A part's pages share their resources: each page's overlay under a name of its own.
    name = placed.add_resource(pack.make_indirect(held), pikepdf.Name.XObject,
                               pikepdf.Name(f"/SitegenPageNumber{index}"))
    placed.contents_add(pack.make_stream(b"q\n"), prepend=True)
    placed.contents_add(pack.make_stream(b"\nQ q /Artifact <</Type /Pagination>> BDC " + bytes(name) + b" Do EMC Q\n"))


def _renumber_parent_tree(pack: Any, root: Any, keys_of_page: Sequence[Mapping[int, Any]]) -> None:
    """One parent tree: page N's marked content under key N, then every link's, in page order."""
    import pikepdf

    nums: list[Any] = []
    links: list[tuple[Any, Any]] = []
    for index, keys in enumerate(keys_of_page):
        page = pack.pages[index].obj
        elements = keys.get(int(page.get("/StructParents", -1)))
        for annotation in page.get("/Annots", ()):
            if "/StructParent" in annotation:
                links.append((annotation, keys.get(int(annotation.StructParent))))
        if elements is None:
            if "/StructParents" in page:
                del page.StructParents
            continue
        page.StructParents = index
        nums += [index, elements]
    key = len(keys_of_page)
    for annotation, element in links:
        if element is None:
            del annotation.StructParent
            continue
        annotation.StructParent = key
        nums += [key, element]
        key += 1
    root.ParentTree = pack.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = key


def _set_outline(pack: Any, items: list[Any]) -> None:
    """One outline of the top-level bookmarks, in order (each keeps what it holds, open or closed)."""
    import pikepdf

    if not items:
        return
    outlines = pack.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    visible = 0
    for position, item in enumerate(items):
        item.Parent = outlines
        for link in ("/Prev", "/Next"):
            if link in item:
                del item[link]
        if position:
            item.Prev = items[position - 1]
            items[position - 1].Next = item
        visible += 1 + max(0, int(item.get("/Count", 0)))
    outlines.First, outlines.Last, outlines.Count = items[0], items[-1], visible
    pack.Root.Outlines = outlines


def _set_destinations(pack: Any, destinations: list[tuple[Any, Any]]) -> None:
    """The named destinations (anchors) as one name tree, sorted; a name twice keeps the first."""
    import pikepdf

    if not destinations:
        return
    unique: dict[bytes, Any] = {}
    for name, target in destinations:
        unique.setdefault(bytes(name), target)
    names: list[Any] = []
    for name in sorted(unique):
        names += [pikepdf.String(name), unique[name]]
    if "/Names" not in pack.Root:
        pack.Root.Names = pikepdf.Dictionary()
    pack.Root.Names.Dests = pack.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(names)))


def _anchor_pages(document: Any) -> dict[str, int | None]:
    """The index of the page each anchor (a named destination) is on."""
    pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    found: dict[str, int | None] = {}
    for name, target in _destinations(document):
        found.setdefault(bytes(name).decode("latin-1"), pages.get(_page_of_destination(target)))
    return found


def _document_element(root: Any) -> Any:
    kids = _as_list(root.K)
    if len(kids) != 1 or kids[0].get("/S") != "/Document":
        raise PackAssemblyError("a structure tree without one Document element")
    return kids[0]


def _as_list(value: Any) -> list[Any]:
    import pikepdf

    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _page_of(element: Any) -> Any:
    """The page an element is on (WeasyPrint gives every element one), as its object number."""
    import pikepdf

    page = element.get("/Pg") if isinstance(element, pikepdf.Dictionary) else None
    return page.objgen if isinstance(page, pikepdf.Dictionary) else None


def _page_of_destination(target: Any) -> Any:
    import pikepdf

    if isinstance(target, pikepdf.Dictionary):
        target = target.get("/D")
    if isinstance(target, pikepdf.Array) and len(target) and isinstance(target[0], pikepdf.Dictionary):
        return target[0].objgen
    return None


def _number_tree(node: Any) -> dict[int, Any]:
    """A number tree's keys and values (a parent tree)."""
    found: dict[int, Any] = {}
    nums = node.get("/Nums")
    if nums is not None:
        for position in range(0, len(nums) - 1, 2):
            found[int(nums[position])] = nums[position + 1]
    for kid in node.get("/Kids", ()):
        found |= _number_tree(kid)
    return found


def _destinations(document: Any) -> list[tuple[Any, Any]]:
    """A document's named destinations (its anchors), (name, target) in the name tree's order."""
    names = document.Root.get("/Names")
    return [] if names is None or "/Dests" not in names else _name_tree_entries(names.Dests)


def _name_tree_entries(node: Any) -> list[tuple[Any, Any]]:
    entries = node.get("/Names")
    found = [] if entries is None else [(entries[i], entries[i + 1]) for i in range(0, len(entries) - 1, 2)]
    for kid in node.get("/Kids", ()):
        found += _name_tree_entries(kid)
    return found


def _outline_items(outlines: Any) -> list[Any]:
    """The top-level bookmarks of an outline."""
    items = []
    item = outlines.get("/First") if outlines is not None else None
    while item is not None:
        items.append(item)
        item = item.get("/Next")
    return items
