"""A committee paper as a Word document, from the paper as rendered (python-docx).

Democratic services build agenda packs in their committee system from Word documents.
The document is made from the paper's rendered HTML — the same article its PDF is laid
out from — so its paragraph numbers (1., 1.1, A1), headings, recommendations, tables
and symbols are the ones the page and the PDF show, read back rather than worked out
again. Tables keep their header row repeating on each page; charts are pictures with
their text alternative; the document carries its title and language. A project's
`templates/paper.docx` (the council's own Word template) gives the styles, headers and
footers; the paper's content replaces its body.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitegen.errors import SitegenError

FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
NUMBER_INDENT = Cm(1.27)
BLOCKS = {"p", "h1", "h2", "h3", "h4", "ul", "ol", "table", "figure", "dl", "div", "section", "header",
          "blockquote", "details", "aside", "hr", "pre"}


def paper_docx(print_html: str, *, title: str, language: str, author: str, date: dt.date | None,
               draft: bool, template: Path | None) -> bytes:
    """The Word document of a paper rendered as `print_html` (its layout in the print shell)."""
    tree = LexborHTMLParser(print_html)
    article = tree.css_first("article.paper-doc") or tree.css_first("main") or tree.body
    if article is None:
        raise SitegenError(f"paper {title!r}: no article to put into Word")
    document = _base_document(template)
    writer = _Writer(document)
    if draft:
        _mark_draft(document)
    writer.blocks(article)
    props = document.core_properties
    props.title = title
    props.language = language
    props.author = author
    props.last_modified_by = author
    when = dt.datetime.combine(date, dt.time(), dt.timezone.utc) if date else FIXED_DATE
    props.created = props.modified = props.last_printed = when
    props.revision = 1
    _set_language(document, language)
    out = io.BytesIO()
    document.save(out)
    return _same_bytes(out.getvalue())


class _Writer:
    """Walks the rendered article, adding to the document what each element shows."""

    def __init__(self, document: DocumentObject):
        self.document = document

    def blocks(self, node: LexborNode) -> None:
        for child in _children(node):
            self.block(child)

    def block(self, node: LexborNode) -> None:
        tag = node.tag
        classes = set((node.attributes.get("class") or "").split())
        if classes & {"headerlink", "data-table__downloads", "pdf-link", "draft-banner", "page__meta",
                      "chart__data", "visually-hidden", "skip-link", "data-table__cue"}:
            return
        if tag == "h1":
            self.paragraph(node, "Title")
        elif tag in ("h2", "h3", "h4"):
            self.paragraph(node, f"Heading {int(tag[1]) - 1}")
        elif tag == "p" and "numbered" in classes:
            paragraph = self.paragraph(node, None)
            # The number hangs in the margin as in the PDF: 1.27 cm, the first tab stop.
            paragraph.paragraph_format.left_indent = NUMBER_INDENT
            paragraph.paragraph_format.first_line_indent = -NUMBER_INDENT
            paragraph.paragraph_format.tab_stops.add_tab_stop(NUMBER_INDENT)
        elif tag == "p":
            self.paragraph(node, "Caption" if "data-table__legend" in classes else None)
        elif tag in ("ul", "ol"):
            self.list(node)
        elif tag == "dl":
            self.definitions(node)
        elif tag == "table":
            self.table(node, None)
        elif tag == "figure" and "chart" in classes:
            self.chart(node)
        elif tag == "figure":
            table = node.css_first("table")
            if table is not None:
                self.table(table, node)
            else:
                self.blocks(node)
        elif tag in ("div", "section", "header", "blockquote", "aside", "details", "main", "article", "figcaption"):
            if _has_blocks(node):
                self.blocks(node)
            elif _text(node):
                self.paragraph(node, None)
        elif tag in ("pre",) and _text(node):
            self.document.add_paragraph(node.text(deep=True))
        elif tag not in ("hr", "script", "style", "img", "svg", "-text") and _text(node):
            self.paragraph(node, None)
        elif tag == "-text" and (node.text_content or "").strip():
            self.document.add_paragraph((node.text_content or "").strip())

    def paragraph(self, node: LexborNode, style: str | None) -> Paragraph:
        paragraph = self.document.add_paragraph(style=_style(self.document, style))
        self.runs(paragraph, node)
        return paragraph

    def runs(self, paragraph: Paragraph, node: LexborNode, bold: bool = False, italic: bool = False) -> None:
        """The text of an element with its bold and italic, links with their address."""
        for child in _children(node, text=True):
            tag = child.tag
            if tag == "-text":
                text = child.text_content or ""
                if text:
                    run = paragraph.add_run(" ".join(text.split("\n")))
                    run.bold = bold or None
                    run.italic = italic or None
            elif tag == "br":
                paragraph.add_run().add_break()
            elif "headerlink" in (child.attributes.get("class") or ""):
                continue
            elif {"para-number", "section-number"} & set((child.attributes.get("class") or "").split()):
                # The paragraph's number as the page shows it (render/numbering.py put it there).
                paragraph.add_run(child.text(deep=True).strip()).bold = True
                paragraph.add_run("\t")
            elif tag in ("strong", "b"):
                self.runs(paragraph, child, True, italic)
            elif tag in ("em", "i"):
                self.runs(paragraph, child, bold, True)
            elif tag == "a":
                self.runs(paragraph, child, bold, italic)
                href = child.attributes.get("href") or ""
                shown = child.text(deep=True).strip()
                if href.startswith(("http:", "https:", "mailto:")) and href.removeprefix("mailto:") != shown:
                    paragraph.add_run(f" ({href.removeprefix('mailto:')})")
            elif tag == "sup" and child.css_first("a.footnote-ref"):
                paragraph.add_run(f"[{child.text(deep=True).strip()}]")
            else:
                self.runs(paragraph, child, bold, italic)

    def list(self, node: LexborNode) -> None:
        lettered = node.tag == "ol" and (node.attributes.get("type") == "a")
        numbered = node.tag == "ol"
        for number, item in enumerate((c for c in _children(node) if c.tag == "li"), start=1):
            # Numbers and letters as text, as the PDF shows them: a committee system
            # must not renumber them.
            marker = f"{chr(ord('a') + number - 1)}. " if lettered else (f"{number}. " if numbered else "")
            paragraph = self.document.add_paragraph(style=_style(self.document, None if numbered else "List Bullet"))
            if marker:
                paragraph.add_run(marker)
            if _has_blocks(item):
                for part in _children(item):
                    if part.tag in ("ul", "ol"):
                        self.list(part)
                    else:
                        self.runs(paragraph, part)
            else:
                self.runs(paragraph, item)

    def definitions(self, node: LexborNode) -> None:
        """Facts and implications: each term in bold, then what it says."""
        for child in node.css("dt, dd"):
            if child.tag == "dt":
                paragraph = self.document.add_paragraph()
                self.runs(paragraph, child, bold=True)
                paragraph.add_run(": ").bold = True
                current = paragraph
            else:
                self.runs(current, child)

    def table(self, node: LexborNode, figure: LexborNode | None) -> None:
        caption = node.css_first("caption")
        if caption is not None:
            self.paragraph(caption, "Caption")
        rows = [row for row in node.css("tr")]
        header_rows = len(node.css("thead tr"))
        width = max((len([c for c in _children(row) if c.tag in ("th", "td")]) for row in rows), default=0)
        if not rows or not width:
            return
        table: DocxTable = self.document.add_table(rows=0, cols=width)
        table.style = _style(self.document, "Table Grid", kind="table")
        for index, row in enumerate(rows):
            cells = [c for c in _children(row) if c.tag in ("th", "td")]
            out = table.add_row()
            if index < header_rows:
                _repeat_header(out)
            for position, cell in enumerate(cells[:width]):
                target = out.cells[position].paragraphs[0]
                self.runs(target, cell, bold=cell.tag == "th")
                if "num" in (cell.attributes.get("class") or "").split():
                    target.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if figure is not None:
            legend = figure.css_first(".data-table__legend")
            if legend is not None:
                self.paragraph(legend, "Caption")

    def chart(self, node: LexborNode) -> None:
        title = node.css_first(".chart__title")
        if title is not None:
            self.paragraph(title, "Caption")
        image = node.css_first("img")
        if image is None:
            return
        source = image.attributes.get("src") or ""
        alt = image.attributes.get("alt") or ""
        picture = _picture(source)
        if picture is None:
            self.document.add_paragraph(alt)  # no picture Word can show: its words instead
            return
        self.document.add_picture(io.BytesIO(picture), width=Cm(16))
        inline = self.document.inline_shapes[-1]._inline
        inline.docPr.set("descr", alt)
        inline.docPr.set("title", title.text(deep=True).strip() if title is not None else "Chart")


def _picture(source: str) -> bytes | None:
    """A chart's picture as PNG: charts are SVG, which older Word cannot show."""
    prefix = "data:image/svg+xml;base64,"
    if source.startswith(prefix):
        import cairosvg

        return cairosvg.svg2png(bytestring=base64.b64decode(source[len(prefix):]), output_width=1600)
    if source.startswith("data:image/png;base64,"):
        return base64.b64decode(source.split(",", 1)[1])
    return None


def _base_document(template: Path | None) -> DocumentObject:
    """The council's template with its body emptied (its styles, headers and footers kept), or Word's default."""
    if template is None:
        document = Document()
        normal = document.styles["Normal"].font
        normal.name, normal.size = "Arial", Pt(11)  # what councils' report templates commonly use
        return document
    try:
        document = Document(str(template))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise SitegenError(f"{template.name}: not a Word document python-docx can read ({exc})") from exc
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def _style(document: DocumentObject, name: str | None, kind: str = "paragraph") -> str | None:
    """A style the document has, else none: a council's template may lack one."""
    if name is None:
        return None
    try:
        document.styles[name]
    except KeyError:
        return None
    return name


def _repeat_header(row: object) -> None:
    """Mark a table row as a header row that Word repeats at the top of each page."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _mark_draft(document: DocumentObject) -> None:
    for section in document.sections:
        paragraph = section.header.add_paragraph()
        run = paragraph.add_run("DRAFT: not yet agreed, not for circulation")
        run.bold = True


def _set_language(document: DocumentObject, language: str) -> None:
    """The language of the whole text (w:lang in the document defaults), for spelling and screen readers."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    properties.append(lang)


def _same_bytes(data: bytes) -> bytes:
    """The .docx with every zip entry dated alike: the same paper gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _children(node: LexborNode, text: bool = False) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        if child.tag != "-comment" and (text or child.tag != "-text" or (child.text_content or "").strip()):
            yield child
        child = child.next


def _has_blocks(node: LexborNode) -> bool:
    return any(child.tag in BLOCKS for child in _children(node))


def _text(node: LexborNode) -> str:
    return node.text(deep=True).strip()
