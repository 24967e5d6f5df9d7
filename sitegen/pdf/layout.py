"""PDF papers: the same article HTML, laid out for A4 by WeasyPrint.

WeasyPrint may only read files inside the project and the theme shipped with
sitegen: no network, no file elsewhere on the machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

from weasyprint import CSS, HTML
from weasyprint.pdf.metadata import NS as XMP_NAMESPACES
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.urls import URLFetcher

from sitegen.config import Config
from sitegen.content.pages import Page
from sitegen.errors import PdfError, Problem
from sitegen.pdf.margins import isolate_page_numbers, numbered_margin_boxes
from sitegen.render.pages import THEME_DIR, RenderedPage, Renderer, static_dirs


def find_static(config: Config, name: str) -> Path:
    """A static file from the project's static/ first, else the theme's."""
    for folder in static_dirs(config):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise PdfError(f"static file {name!r} not found in static/ or the theme")


# A page is laid out at a fixed address that ProjectFetcher maps back to the project:
# WeasyPrint names images after a hash of their URL, so the real path would make the
# PDF's bytes depend on where the project lies. The address is the page's URL in the
# site under content/, so that a relative link or image means the same file in the
# PDF as on the site (`../logo.png` from about.md, shown at about/, is content/logo.png).
PROJECT_URL = "file:///sitegen-project/"


def base_url(page: Page) -> str:
    """Where relative URLs of a page lead from, in the PDF as on the site."""
    return f"{PROJECT_URL}content/{quote(page.url)}"


class ProjectFetcher(URLFetcher):
    """Serves files under the project or the theme, and nothing else.

    Symlinks are resolved before the check, so a link cannot lead outside; every
    refusal is remembered so that the build can name it instead of hiding it.
    """

    def __init__(self, config: Config):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [config.project_dir.resolve(), THEME_DIR.resolve()]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        shown = url
        if url.startswith(PROJECT_URL):  # see base_url()
            shown = unquote(url.removeprefix(PROJECT_URL))  # as the user knows it
            url = (self.roots[0] / shown).as_uri()
        if url.startswith("file:"):
            written = os.path.normpath(unquote(urlsplit(url).path))
            path = Path(written).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                self.refused.append(shown if str(path) == written else f"{shown}, a symbolic link to {path}")
                raise ValueError(f"refused {url}: outside the project")
        elif not url.startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"refused {url}: PDFs load nothing from the network")
        return super().fetch(url, headers)


def render_pdf(renderer: Renderer, rendered: RenderedPage) -> bytes:
    """One page as a PDF paper."""
    return write_pdf(renderer.config, renderer.print_html(rendered), rendered.page)


def write_pdf(config: Config, html: str, page: Page, extra_css: str = "") -> bytes:
    """A page's print HTML as its PDF paper."""
    return lay_out_pdf(config, html, name=page.source_name, base=base_url(page), date=page.meta.date,
                       identity=page.pdf_path, extra_css=extra_css)


def lay_out_pdf(config: Config, html: str, *, name: str, base: str, date: dt.date | None, identity: str,
                extra_css: str = "", finisher: Callable[[Any, Any], None] | None = None) -> bytes:
    """Print HTML as a tagged PDF/A-3a and PDF/UA-1 with the print stylesheet, loading only project files.

    `name` is the source named in problems, `identity` what the permanent /ID is made
    from, `date` the fallback creation date (see _stamp). `extra_css` goes after the
    print stylesheet; `finisher` sees WeasyPrint's PDF objects before they are written
    (agenda packs use both to lay out their parts, see packs.py).
    """
    fetcher = ProjectFetcher(config)
    print_css = find_static(config, "css/print.css")
    stylesheets = [CSS(filename=str(print_css), url_fetcher=fetcher)]
    if extra_css:
        stylesheets.append(CSS(string=extra_css, url_fetcher=fetcher))
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    try:
        options: dict[str, Any] = {"stylesheets": stylesheets, "pdf_variant": PDF_VARIANT, "custom_metadata": True}
        with no_cycle_collection():
            laid_out = document.render(**options)
            laid_out.metadata = UniversalAccessMetadata(**vars(laid_out.metadata))
            _stamp(laid_out.metadata, date, config.source_date)
            data = laid_out.write_pdf(**options, pdf_identifier=_identifier(identity, config),
                                      finisher=_finishing(finisher, numbered_margin_boxes(
                                          print_css.read_text(encoding="utf-8"))))
    except Exception as exc:  # WeasyPrint raises many kinds; name the source either way
        raise PdfError("PDF", [Problem(name, None, None, f"could not be made into a PDF: {exc}")]) from exc
    if fetcher.refused:
        raise PdfError("a PDF tried to load files from outside the project", [
            Problem(name, None, None, f"refused to load {url} (only files inside the project)")
            for url in dict.fromkeys(fetcher.refused)  # an image and a link to it: once
        ])
    return data


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while WeasyPrint lays out and writes one PDF.

    Layout makes millions of short-lived objects, nearly all freed by reference counting,
    and each of the collector's passes walks them and everything else the build holds:
    15 to 25% of a PDF's time (a 20-page paper 2.9 → 2.5 s, 100 pages 14.9 → 11.2 s),
    for a few MB more at the peak. It runs again as soon as the PDF is made."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# PDF/A-3 level "a": archival (fonts embedded, sRGB output intent, XMP metadata) and
# tagged, which makes WeasyPrint write the same structure tree, /Lang, /MarkInfo and
# DisplayDocTitle as its "pdf/ua-1" variant. WeasyPrint takes one variant at a time,
# so UniversalAccessMetadata adds the PDF/UA-1 identification to the XMP.
PDF_VARIANT = "pdf/a-3a"


# PDF/A-2 and -3 accept in XMP only the properties of the schemas they name, or of an
# extension schema described in the packet itself: pdfuaid is not among the former.
_EXTENSION_NAMESPACES = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in _EXTENSION_NAMESPACES.items():  # written with the prefixes PDF/A names
    ElementTree.register_namespace(_prefix, _uri)
_PDFUA_IDENTIFICATION = f"""\
<rdf:Description xmlns:rdf="{XMP_NAMESPACES['rdf']}" xmlns:pdfuaid="{XMP_NAMESPACES['pdfuaid']}"
    {" ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _EXTENSION_NAMESPACES.items())}
    rdf:about="" pdfuaid:part="1">
  <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{XMP_NAMESPACES['pdfuaid']}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>part</pdfaProperty:name>
      <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
      <pdfaProperty:category>internal</pdfaProperty:category>
      <pdfaProperty:description>Part of ISO 14289 to which the file conforms</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


class UniversalAccessMetadata(DocumentMetadata):
    """The document's metadata, whose XMP also declares PDF/UA-1 (pdfuaid:part 1).

    A PDF that meets both standards says so in its one XMP packet (the PDF Association's
    guide to conforming to both); WeasyPrint writes only the variant it was asked for.
    """

    def generate_rdf_metadata(self, variant: str, version: int, conformance: str | None) -> bytes:
        rdf = ElementTree.fromstring(super().generate_rdf_metadata(variant, version, conformance))
        rdf.append(ElementTree.fromstring(_PDFUA_IDENTIFICATION))
        return ElementTree.tostring(rdf, encoding="utf-8")


def _finishing(finisher: Callable[[Any, Any], None] | None, numbered: frozenset[str]) -> Callable[[Any, Any], None]:
    """What is done to WeasyPrint's PDF objects before they are written: header scopes,
    the page numbers (the `numbered` margin boxes) in streams of their own so that an
    agenda pack can number the pages again (margins.py), then the caller's `finisher`."""

    def finish(document: Any, pdf: Any) -> None:
        add_header_scopes(pdf)
        isolate_page_numbers(numbered, document, pdf)
        if finisher is not None:
            finisher(document, pdf)

    return finish


def add_header_scopes(pdf: Any) -> None:
    """A `/Scope` on every table header cell (`/TH`) of the structure tree.

    PDF/UA-1 requires a header cell's scope where the structure tree does not otherwise
    make it determinable (Matterhorn 15-003), and checkers ask for it on every one.
    WeasyPrint reads HTML's `scope` only to give each data cell the `/Headers` of its
    headers, and writes no `/Scope`: so a header that data cells in its own row name is
    a row header (`scope="row"` in the HTML), and every other a column header.
    """
    objects = pdf.objects
    for row in objects:
        if not isinstance(row, dict) or row.get("S") != "/TR":
            continue
        cells = [objects[_number(kid)] for kid in row.get("K", ()) if isinstance(kid, bytes)]
        named_in_row = {_text(header) for cell in cells if cell.get("S") == "/TD"
                        for header in cell.get("A", {}).get("Headers", ())}
        for cell in cells:
            if cell.get("S") == "/TH":
                attributes = cell.setdefault("A", type(cell)({"O": "/Table"}))  # a pydyf.Dictionary
                attributes["Scope"] = "/Row" if _text(cell.get("ID")) in named_in_row else "/Column"


def _text(value: Any) -> Any:
    """A pydyf.String's text (any other value as it is)."""
    return getattr(value, "string", value)


def _number(reference: bytes) -> int:
    """The object number of a pydyf reference (b"12 0 R")."""
    return int(reference.split(b" ", 1)[0])


def _stamp(metadata: Any, date: dt.date | None, source_date: dt.datetime | None) -> None:
    """Creation and modification dates that make the same bytes on every build.

    `SOURCE_DATE_EPOCH` (reproducible-builds.org) when set, else the document's date;
    never the clock. Without either, the paper carries no dates.
    """
    if source_date is not None:
        stamp = source_date.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    elif date is not None:
        stamp = date.isoformat()
    else:
        return
    metadata.created = metadata.modified = stamp


def _identifier(identity: str, config: Config) -> bytes:
    """The PDF's permanent /ID: the same for a paper across builds and machines."""
    return hashlib.sha256(f"{config.site.title}\n{identity}".encode()).hexdigest()[:32].encode("ascii")
