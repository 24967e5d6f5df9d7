"""Page numbers in the page margins: which margin boxes show them, and how a PDF keeps
them apart so that an agenda pack can number a paper's pages again (pdf/packs.py).

WeasyPrint draws every margin box into its page's one content stream. Once a PDF is
laid out, `isolate_page_numbers` (a WeasyPrint finisher, see layout.py) moves the
drawing of each box that shows `counter(page)` or `counter(pages)` into a content
stream of its own, marked `/SitegenPageNumber`: the page looks and reads as before (a
page's streams are drawn one after the other), and a pack drops those streams to draw
its own numbers, without laying the paper out again.
"""

from __future__ import annotations

from typing import Any

MARGIN_BOXES = (
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
    "right-top", "right-middle", "right-bottom",
    "bottom-right-corner", "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
    "left-bottom", "left-middle", "left-top",
)
NUMBER_STREAM = "SitegenPageNumber"  # the key that marks a page's number stream
# What a PDF laid out by this sitegen is like, for the build's record of what each PDF is
# made from: a PDF kept from a build before the numbers had streams of their own would
# put its own numbers into a pack beside the pack's.
PDF_FORMAT = "page numbers in streams of their own"
NEAR = 0.5  # CSS px: the stream rounds positions to six decimals, a box's edges are not rounded


def numbered_margin_boxes(css: str, named_pages: bool = True) -> frozenset[str]:
    """The page-margin boxes (`@bottom-center` …) whose content shows `counter(page)` or `counter(pages)`.

    Without `named_pages`, only those of `@page` rules for every page (`@page`, `@page :first`),
    not a named page's (`@page newsletter`): what a page of another name, such as an
    agenda pack's frame, shows.
    """
    import tinycss2  # WeasyPrint's CSS parser, loaded with it

    found: set[str] = set()

    def visit(rules: list[Any]) -> None:
        for rule in rules:
            if rule.type != "at-rule" or rule.content is None:
                continue
            keyword = rule.lower_at_keyword
            if keyword == "page" and (named_pages or not _names_a_page(rule.prelude)):
                visit(tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True))
            elif keyword == "media":
                visit(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
            elif keyword in MARGIN_BOXES and _shows_page_number(rule.content):
                found.add(keyword)

    visit(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return frozenset(found)


def _names_a_page(prelude: list[Any]) -> bool:
    """Whether an `@page` rule's selectors all name a page (`newsletter`, `wide:first`)."""
    selectors: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        elif token.type not in ("whitespace", "comment"):
            selectors[-1].append(token)
    return all(selector and selector[0].type == "ident" for selector in selectors)


def _shows_page_number(tokens: list[Any]) -> bool:
    for token in tokens:
        if token.type == "function" and token.lower_name in ("counter", "counters"):
            names = [t.lower_value for t in token.arguments if t.type == "ident"]
            if names[:1] in (["page"], ["pages"]):
                return True
        nested = token.arguments if token.type == "function" else getattr(token, "content", None)
        if isinstance(nested, list) and _shows_page_number(nested):
            return True
    return False


def isolate_page_numbers(numbered: frozenset[str], document: Any, pdf: Any) -> None:
    """A WeasyPrint finisher: each page's drawing of the `numbered` margin boxes, in a
    content stream of its own marked `/SitegenPageNumber` (the page's /Contents becomes
    the array of its streams, cut where the numbers begin and end).

    A box's drawing is found as WeasyPrint writes it: each piece of text a marked-content
    sequence, placed by a text matrix in CSS pixels from the page's top left corner
    (the page's stream begins by turning PDF's coordinates into those), inside the box."""
    import pydyf

    if not numbered:
        return
    keywords = {f"@{box}" for box in numbered}
    pages = [thing for thing in pdf.objects if isinstance(thing, pydyf.Dictionary) and thing.get("Type") == "/Page"]
    for page, laid_out in zip(pages, document.pages, strict=True):
        boxes = [(box.position_x, box.position_y, box.position_x + box.margin_width(),
                  box.position_y + box.margin_height())
                 for box in laid_out._page_box.children if getattr(box, "at_keyword", None) in keywords]
        if not boxes:
            continue
        stream = pdf.objects[int(page["Contents"].split(b" ", 1)[0])]
        spans = [(first, last) for first, last, (x, y) in _placed_sequences(stream.stream)
                 if any(left - NEAR <= x <= right + NEAR and top - NEAR <= y <= bottom + NEAR
                        for left, top, right, bottom in boxes)]
        if not spans:
            continue
        operations, pieces, start = stream.stream, [], 0
        for first, last in spans:
            pieces += [operations[start:first], operations[first:last + 1]]
            start = last + 1
        pieces.append(operations[start:])
        stream.stream = pieces[0]
        references = [stream.reference]
        for index, piece in enumerate(pieces[1:], start=1):
            part = pydyf.Stream(piece, {NUMBER_STREAM: "true"} if index % 2 else None, compress=stream.compress)
            pdf.add_object(part)
            references.append(part.reference)
        page["Contents"] = pydyf.Array(references)


def _placed_sequences(operations: list[Any]) -> list[tuple[int, int, tuple[float, float]]]:
    """(first, last, where) of each outermost marked-content sequence (BDC … EMC) that
    places text: from its tag (the operation before its property list) to its EMC, and
    the position its first text matrix (`1 0 0 -1 x y Tm`) gives."""
    found: list[tuple[int, int, tuple[float, float]]] = []
    depth, first, where = 0, -1, None
    for index, operation in enumerate(operations):
        if operation == b"BDC" or operation == b"BMC":
            depth += 1
            if depth == 1:
                first, where = (index - 2 if operation == b"BDC" else index - 1), None
        elif operation == b"EMC":
            depth -= 1
            if depth == 0 and where is not None:
                found.append((first, index, where))
        elif depth and where is None and isinstance(operation, bytes) and operation.endswith(b" Tm"):
            matrix = operation.split()
            where = (float(matrix[4]), float(matrix[5]))
    return found
