"""Reproducible builds: the same inputs give the same bytes, wherever they are built.

So that a published paper can be checked against its sources: HTML, CSV, JSON and PDF
are compared byte for byte between builds in two different folders. PDF dates come
from SOURCE_DATE_EPOCH, else from the page's `date`, never from the clock; the PDF
/ID from the site and the paper's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_folder, copy_demo
from pypdf import PdfReader

from sitegen.config import load_config
from sitegen.errors import ConfigError

JULY_2011 = "1311897600"  # 2011-07-29T00:00:00Z


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = (b"\x00" + b"\xcc\x33\x00" * 4) * 4
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


def with_images(project: Path) -> Path:
    """A paper with a raster and a vector image: WeasyPrint names images after their URL."""
    (project / "content" / "dot.png").write_bytes(tiny_png())
    (project / "content" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
        encoding="utf-8")
    with (project / "content" / "paper.md").open("a", encoding="utf-8") as handle:
        handle.write("\n![A dot](../dot.png)\n\n![The logo](../logo.svg)\n")  # the page is at paper/
    return project


def test_the_demo_builds_to_the_same_bytes_in_another_folder(built_demo, tmp_path: Path) -> None:
    first_project, _ = built_demo
    second_project = copy_demo(tmp_path / "elsewhere" / "copy")
    build_folder(second_project)
    first, second = snapshot(first_project / "site"), snapshot(second_project / "site")
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".json") for name in first)
    assert differences(first, second) == []


def test_papers_with_images_are_the_same_bytes_in_two_folders(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JULY_2011)
    first = with_images(copy_fixture("minimal"))
    second = with_images(_copy_minimal(tmp_path / "another" / "path"))
    build_folder(first)
    build_folder(second)
    assert differences(snapshot(first / "site"), snapshot(second / "site")) == []
    reader = PdfReader(first / "site" / "papers" / "paper.pdf")
    assert len(reader.pages[0]["/Resources"]["/XObject"]) >= 1  # the images are in it


def _copy_minimal(target: Path) -> Path:
    import shutil

    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", target)
    return target


def test_pdf_dates_and_identifier_come_from_source_date_epoch(
    copy_fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JULY_2011)
    project = copy_fixture("minimal")
    build_folder(project)
    pdf = project / "site" / "papers" / "paper.pdf"
    reader = PdfReader(pdf)
    assert reader.metadata["/CreationDate"] == "D:20110729000000+00'00"
    assert reader.metadata["/ModDate"] == "D:20110729000000+00'00"
    permanent = hashlib.sha256(b"Minimal Report\npapers/paper.pdf").hexdigest()[:32]
    assert reader.trailer["/ID"][0] == permanent
    assert b"2011-07-29T00:00:00+00:00" in zlib_streams(pdf.read_bytes())  # XMP, too
    first = pdf.read_bytes()
    build_folder(project)
    assert pdf.read_bytes() == first


def test_without_source_date_epoch_the_date_is_the_pages_own(
    copy_fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = copy_fixture("minimal")
    (project / "content" / "undated.md").write_text("---\ntitle: Undated\npdf: true\n---\n\nText.\n",
                                                  encoding="utf-8")
    build_folder(project)
    dated = PdfReader(project / "site" / "papers" / "paper.pdf").metadata
    assert dated["/CreationDate"] == dated["/ModDate"] == "D:20090601"  # date: 2009-06-01
    undated = PdfReader(project / "site" / "papers" / "undated.pdf").metadata
    assert "/CreationDate" not in undated and "/ModDate" not in undated  # never the clock


@pytest.mark.parametrize("epoch", ["yesterday", "-5", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_an_error_when_the_config_is_read(
        epoch: str, copy_fixture: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH is read once, with the settings: a bad one is said before anything is built."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH must be a whole number of seconds since "
                                          rf"1 January 1970 \(found '{epoch}'\)"):
        load_config(copy_fixture("minimal"))


def test_the_source_date_dates_the_pdf(copy_fixture: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert load_config(copy_fixture("minimal")).source_date == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)


def zlib_streams(data: bytes) -> bytes:
    """Every deflated stream of a PDF, inflated and joined (to search the XMP packet)."""
    found = []
    for start in range(len(data)):
        if data.startswith(b"stream\n", start):
            try:
                found.append(zlib.decompressobj().decompress(data[start + 7:]))
            except zlib.error:
                continue
    return b"\n".join(found)
