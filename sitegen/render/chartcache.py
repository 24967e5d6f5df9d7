"""Charts drawn once per (rows, options), kept in `.sitegen-cache/charts/`.

matplotlib takes most of a second to draw a servicing-quadrant chart (and to load),
and a page's charts are drawn again whenever the page is: for its screen HTML, for
the print HTML of its PDF, for an agenda pack. A chart is a function of what it is
drawn from (the table's rows it shows, its columns and options), of the code drawing
it and of matplotlib's version, so its SVG is kept under a digest of all of them and
drawn again only when one changes. This wraps `charts.chart_svg` from outside:
drawing charts is that module's business, keeping them this one's.

Charts of rows no longer shown would pile up year after year: a clean build, which
draws every chart it shows, keeps only those (`prune`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.render import charts


class ChartCache:
    """SVGs by a digest of everything they were drawn from; `folder=None` keeps nothing,
    `reuse=False` (a clean build, which trusts nothing kept) draws every chart and keeps it."""

    def __init__(self, folder: Path | None, reuse: bool = True):
        self.folder = folder
        self.reuse = reuse
        self._drawing: str | None = None  # digest of the code and library that draw charts

    def chart_svg(self, *args: Any, **kwargs: Any) -> str:
        """`charts.chart_svg(*args, **kwargs)`, drawn only when not drawn before."""
        key = self._key(args, kwargs)
        if key is None:
            return charts.chart_svg(*args, **kwargs)
        path = self.folder / f"{key}.svg"  # type: ignore[operator]
        if self.reuse:
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
        svg = charts.chart_svg(*args, **kwargs)
        self._store(path, svg)
        return svg

    def _key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        if self.folder is None:
            return None
        try:
            drawn_from = pickle.dumps((args, sorted(kwargs.items())), protocol=4)
        except Exception:  # noqa: BLE001 - something pickle cannot hold: drawn every time
            return None
        hasher = hashlib.blake2b(self.drawing().encode("ascii"), digest_size=20)
        hasher.update(drawn_from)
        return hasher.hexdigest()

    def drawing(self) -> str:
        """What draws a chart: sitegen's version, charts.py's source, matplotlib's version."""
        if self._drawing is None:
            source = Path(charts.__file__).read_bytes()
            try:
                library = importlib.metadata.version("matplotlib")
            except importlib.metadata.PackageNotFoundError:
                library = ""
            self._drawing = hashlib.blake2b(
                b"\0".join([__version__.encode(), source, library.encode()]), digest_size=20).hexdigest()
        return self._drawing

    @staticmethod
    def _store(path: Path, svg: str) -> None:
        """Written whole or not at all: builds and their workers may store the same chart at once."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".chart-")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(svg)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written costs time, never a chart

    def prune(self, drawn_since: float) -> None:
        """Delete the charts not drawn since `drawn_since` (the start of a clean build, which
        draws every chart it shows); a cache that cannot be read or written stays as it is."""
        if self.folder is None:
            return
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".svg") and entry.stat().st_mtime < drawn_since:
                        os.unlink(entry.path)
        except OSError:
            pass
