"""Charts read back as a proof-reader would: every chart of the demo, both its drawings (wide for
screens and print, narrow for phones), its words measured in the page's font from the SVG itself.

No two words of a chart overlap; every word is in the page's fonts and readable at 375 px; both
axes have titles; a quadrant chart names each point beside it (nearer its own place than any
other partner's) and its text alternative says which quadrant each partner is in; the chart's
data is one link away.
"""

from __future__ import annotations

import base64
import functools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from sitegen.render.charts import LAYOUTS, chart_svg, quadrant_summary
from sitegen.tables.table import Column

SVG = "{http://www.w3.org/2000/svg}"
# Where each drawing is shown at its narrowest: the narrow one on a 375 px phone, the wide one
# just above the 40rem (640 px) breakpoint; site.css's .wrap pads the page 1.25rem (20 px) a side.
SHOWN_WIDTH_PX = {"narrow": 375 - 40, "wide": 641 - 40}
SMALLEST_TEXT_PX = 11
QUADRANT_NAMES = ("Right-servicing", "Under-servicing", "Over-servicing", "Irritants")


@dataclass(frozen=True)
class Word:
    """One <text> of a chart: what it says and the box it covers, in viewBox units."""

    text: str
    size: float
    family: str
    x0: float
    y0: float
    x1: float
    y1: float
    tick_of: str | None  # "x" or "y" for a tick's figure on that axis
    axis_title_of: str | None  # "x" or "y" for an axis's title

    def overlaps(self, other: Word, tolerance: float = 0.5) -> bool:
        return (self.x0 < other.x1 - tolerance and other.x0 < self.x1 - tolerance
                and self.y0 < other.y1 - tolerance and other.y0 < self.y1 - tolerance)

    def distance_to(self, x: float, y: float) -> float:
        dx = max(self.x0 - x, 0, x - self.x1)
        dy = max(self.y0 - y, 0, y - self.y1)
        return math.hypot(dx, dy)


@dataclass(frozen=True)
class Drawing:
    page: str
    title: str
    layout: str
    svg: str


@functools.cache
def _font(bold: bool) -> object:
    from matplotlib import font_manager
    from PIL import ImageFont

    found = font_manager.findfont(font_manager.FontProperties(family="Liberation Sans",
                                                              weight="bold" if bold else "normal"),
                                  fallback_to_default=False)
    return ImageFont.truetype(found, 1000)


def _matrix(transform: str) -> tuple[float, float, float, float, float, float]:
    """An SVG transform list (translate, rotate) as the affine matrix (a, b, c, d, e, f)."""
    a, b, c, d, e, f = 1.0, 0.0, 0.0, 1.0, 0.0, 0.0
    for name, args in re.findall(r"(\w+)\(([^)]*)\)", transform):
        numbers = [float(n) for n in re.split(r"[ ,]+", args.strip())]
        if name == "translate":
            tx, ty = numbers[0], numbers[1] if len(numbers) > 1 else 0.0
            step = (1.0, 0.0, 0.0, 1.0, tx, ty)
        elif name == "rotate":
            angle = math.radians(numbers[0])
            cx, cy = (numbers[1], numbers[2]) if len(numbers) == 3 else (0.0, 0.0)
            cos, sin = math.cos(angle), math.sin(angle)
            step = (cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy)
        else:
            raise AssertionError(f"a transform this test cannot read: {name}")
        sa, sb, sc, sd, se, sf = step
        a, b, c, d, e, f = (a * sa + c * sb, b * sa + d * sb, a * sc + c * sd, b * sc + d * sd,
                            a * se + c * sf + e, b * se + d * sf + f)
    return a, b, c, d, e, f


def words_of(svg: str) -> list[Word]:
    """Every <text> of the SVG with the box its glyphs cover, measured in Liberation Sans."""
    root = ET.fromstring(svg)
    parents = {child: parent for parent in root.iter() for child in parent}
    found = []
    for element in root.iter(f"{SVG}text"):
        style = dict(part.split(":", 1) for part in (element.get("style") or "").split(";") if ":" in part)
        style = {k.strip(): v.strip() for k, v in style.items()}
        size = float(style["font-size"].removesuffix("px"))
        bold = style.get("font-weight") in ("700", "bold")
        text = "".join(element.itertext())
        font = _font(bold)
        width = font.getlength(text) / 1000 * size  # type: ignore[attr-defined]
        ascent, descent = (m / 1000 * size for m in font.getmetrics())  # type: ignore[attr-defined]
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        start = {"middle": -width / 2, "end": -width}.get(style.get("text-anchor", "start"), 0.0)
        corners = [(x + start + dx, y + dy) for dx in (0, width) for dy in (-ascent, descent)]
        a, b, c, d, e, f = _matrix(element.get("transform", ""))
        placed = [(a * px + c * py + e, b * px + d * py + f) for px, py in corners]
        groups = []
        node = element
        while node in parents:
            node = parents[node]
            groups.append(node.get("id") or "")
        axis = next((g for g in groups if g.startswith("matplotlib.axis_")), None)
        which = None if axis is None else {"matplotlib.axis_1": "x", "matplotlib.axis_2": "y"}[axis]
        in_tick = any(re.fullmatch(r"[xy]tick_\d+", g) for g in groups)
        found.append(Word(text, size, style.get("font-family", ""), min(p[0] for p in placed),
                          min(p[1] for p in placed), max(p[0] for p in placed), max(p[1] for p in placed),
                          which if in_tick else None, None if in_tick else which))
    return found


def view_box_width(svg: str) -> float:
    return float(ET.fromstring(svg).get("viewBox", "").split()[2])


def drawings_of(html: str, page: str) -> list[tuple[Drawing, Drawing, LexborHTMLParser]]:
    """Each chart of a page: its wide and narrow drawings, and the figure itself."""
    tree = LexborHTMLParser(html)
    charts = []
    for figure in tree.css("figure.chart"):
        # The title without its number (a report numbers its figures: "Figure 2.1: …")
        title = re.sub(r"^Figure [A-Z0-9.]+:\s*", "", figure.css_first(".chart__title").text(deep=True).strip())
        wide = figure.css_first("img.chart__image").attributes["src"] or ""
        source = figure.css_first("picture source")
        assert source is not None, f"{page}: {title}: no narrow drawing for phones"
        assert source.attributes["media"] == "(max-width: 40rem)"
        narrow = source.attributes["srcset"] or ""
        decoded = [base64.b64decode(s.split(",", 1)[1]).decode("utf-8") for s in (wide, narrow)]
        charts.append((Drawing(page, title, "wide", decoded[0]), Drawing(page, title, "narrow", decoded[1]),
                       figure))
    return charts


@pytest.fixture(scope="module")
def demo_charts(built_demo) -> list[tuple[Drawing, Drawing, LexborHTMLParser, str]]:
    project, _ = built_demo
    site = project / "site"
    found = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if "chart__image" in html:
            name = str(page.relative_to(site))
            found += [(wide, narrow, figure, html) for wide, narrow, figure in drawings_of(html, name)]
    return found


def page_font_stack(site_css: str) -> str:
    root = re.search(r":root\s*\{(.*?)\}", site_css, re.DOTALL).group(1)  # type: ignore[union-attr]
    return _families(re.search(r"font-family:\s*([^;]+);", root).group(1))  # type: ignore[union-attr]


def _families(text: str) -> str:
    return ", ".join(name.strip().strip("'\"") for name in text.split(","))


def test_the_demo_has_its_charts(demo_charts) -> None:
    pages = {wide.page for wide, _, _, _ in demo_charts}
    assert "report/index.html" in pages and "services/waste-collection/index.html" in pages
    assert sum(1 for wide, _, _, _ in demo_charts if wide.title.startswith("Servicing quadrants")) == 5
    assert len(demo_charts) >= 20


def test_no_two_words_of_any_chart_overlap(demo_charts) -> None:
    clashes = []
    for drawing in (d for wide, narrow, _, _ in demo_charts for d in (wide, narrow)):
        words = words_of(drawing.svg)
        clashes += [f"{drawing.page} {drawing.title} ({drawing.layout}): {a.text!r} over {b.text!r}"
                    for i, a in enumerate(words) for b in words[i + 1:] if a.overlaps(b)]
    assert clashes == []


def test_every_word_is_in_the_pages_font_and_readable_on_a_phone(demo_charts) -> None:
    stack = page_font_stack((Path(__file__).parent.parent / "sitegen/theme/static/css/site.css").read_text())
    assert stack.startswith("Liberation Sans, Arial")
    for drawing in (d for wide, narrow, _, _ in demo_charts for d in (wide, narrow)):
        words = words_of(drawing.svg)
        assert {_families(w.family) for w in words} == {stack}, drawing.title
        scale = SHOWN_WIDTH_PX[drawing.layout] / view_box_width(drawing.svg)
        smallest = min(w.size for w in words) * scale
        assert smallest >= SMALLEST_TEXT_PX, f"{drawing.title} ({drawing.layout}): {smallest:.1f} px"


def test_every_chart_has_both_axis_titles(demo_charts) -> None:
    for drawing in (d for wide, narrow, _, _ in demo_charts for d in (wide, narrow)):
        titles = {w.axis_title_of: w.text for w in words_of(drawing.svg) if w.axis_title_of}
        assert set(titles) == {"x", "y"}, f"{drawing.page} {drawing.title} ({drawing.layout}): {titles}"
    report = [wide for wide, _, _, _ in demo_charts if wide.page == "report/index.html"]
    scores = next(d for d in report if d.title.startswith("Value for money scores"))
    assert {w.axis_title_of: w.text for w in words_of(scores.svg) if w.axis_title_of} == {
        "x": "Score", "y": "Organisations"}
    gains = next(d for d in report if d.title.startswith("Actual gains"))
    assert "(£ million)" in " ".join(w.text for w in words_of(gains.svg) if w.axis_title_of == "y")


def test_few_bars_carry_their_values(demo_charts) -> None:
    report = [wide for wide, _, _, _ in demo_charts if wide.page == "report/index.html"]
    gains = next(d for d in report if d.title.startswith("Actual gains against the cumulative target"))
    words = [w.text for w in words_of(gains.svg)]
    # £190,932,883.66 of NI 179 in 2010-11 and its £225.7 million target, on their bars in £ million
    assert "190.9" in words and "225.7" in words
    scores = next(d for d in report if d.title.startswith("Value for money scores, 2009-10 assessment"))
    words = [w.text for w in words_of(scores.svg) if not w.tick_of]
    assert words.count("0") == 2 and "8" in words and "4" in words  # scores no organisation had


def test_every_chart_links_its_data(demo_charts, built_demo) -> None:
    project, _ = built_demo
    for wide, _, figure, _ in demo_charts:
        links = figure.css(".chart__downloads a")
        assert links and not any(node.tag == "details" for node in _ancestors(links[0])), wide.title
        csv = next(a.attributes["href"] for a in links if (a.attributes["href"] or "").endswith(".csv"))
        assert (project / "site" / Path(wide.page).parent / csv).resolve().is_file()


def _ancestors(node: LexborHTMLParser) -> list[LexborHTMLParser]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def test_quadrant_charts_name_each_partner_by_its_own_point_and_quadrant(demo_charts) -> None:
    for wide, narrow, figure, html in demo_charts:
        if not wide.title.startswith("Servicing quadrants"):
            continue
        placed = _partners_in_quadrant_table(html)
        alt = figure.css_first("img").attributes["alt"] or ""
        said = {name: [p.strip() for p in found.split(",") if p.strip() and p.strip() != "none"]
                for name, found in re.findall(r"(" + "|".join(QUADRANT_NAMES) + r"): ([^;.]*)", alt)}
        assert set(said) == set(QUADRANT_NAMES), alt
        for partner, (_, _, quadrant) in placed.items():
            assert partner in said[quadrant.capitalize()], f"{wide.page}: {partner} not said to be {quadrant}"
        for drawing in (wide, narrow):
            _each_label_nearest_its_own_point(drawing, placed)
            assert _quadrant_lines_drawn(drawing.svg), f"{drawing.page} ({drawing.layout})"


def _partners_in_quadrant_table(html: str) -> dict[str, tuple[float, float, str]]:
    """Partner -> (performance against the average, residents who value it, quadrant), as the
    page's table of quadrants shows them."""
    tree = LexborHTMLParser(html)
    for table in tree.css("table"):
        headings = [th.text(deep=True).strip() for th in table.css("thead th")]
        if headings and headings[-1] == "Quadrant":
            rows = [[td.text(deep=True).strip() for td in tr.css("td")] for tr in table.css("tbody tr")]
            return {r[0]: (_figure(r[2]), _figure(r[3]), r[-1].lower()) for r in rows}
    raise AssertionError("no table of quadrants on the page")


def _figure(text: str) -> float:
    return float(text.replace("\u2212", "-").replace("%", "").replace(",", ""))


def _each_label_nearest_its_own_point(drawing: Drawing, placed: dict[str, tuple[float, float, str]]) -> None:
    """Every name or number in the plot is nearer its own partner's point (placed from the table's
    figures by the axes' own ticks) than any other partner's; a number's partner is in the key."""
    root = ET.fromstring(drawing.svg)
    across, up = _tick_scale(root, "xtick", "x"), _tick_scale(root, "ytick", "y")
    where = {name: (across(a), up(u)) for name, (a, u, _) in placed.items()}
    words = [w for w in words_of(drawing.svg) if not w.tick_of]
    x_title = next(w for w in words if w.axis_title_of == "x")
    in_plot = [w for w in words if w.y1 < x_title.y0 and not w.axis_title_of and w.text not in QUADRANT_NAMES]
    in_key = [w for w in words if w.y0 > x_title.y1]
    keyed = {}
    for number in (w for w in in_key if w.text.isdigit()):
        name = min((w for w in in_key if not w.text.isdigit() and abs(w.y0 - number.y0) < 1 and w.x0 > number.x1),
                   key=lambda w: w.x0)
        keyed[number.text] = name.text
    named = sorted(keyed.get(w.text, w.text) for w in in_plot)
    assert named == sorted(placed), f"{drawing.title} ({drawing.layout}): points named {named}"
    for label in in_plot:
        partner = keyed.get(label.text, label.text)
        own = label.distance_to(*where[partner])
        nearest = min(label.distance_to(*spot) for spot in where.values() if spot != where[partner])
        assert own < nearest, f"{drawing.title} ({drawing.layout}): {label.text!r} is nearer another point"


def _quadrant_lines_drawn(svg: str) -> bool:
    """Whether the plot has a straight line across at 50% (valued) and one up at 0 (the average)."""
    root = ET.fromstring(svg)
    across, up = _tick_scale(root, "xtick", "x"), _tick_scale(root, "ytick", "y")
    lines = []
    for path in root.iter(f"{SVG}path"):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d", ""))]
        if len(numbers) == 4 and re.fullmatch(r"\s*M[^L]*L[^L]*", path.get("d", "")):
            lines.append(numbers)
    level = any(abs(y0 - up(50)) < 0.5 and abs(y1 - y0) < 0.01 and abs(x1 - x0) > 100 for x0, y0, x1, y1 in lines)
    upright = any(abs(x0 - across(0)) < 0.5 and abs(x1 - x0) < 0.01 and abs(y1 - y0) > 100
                  for x0, y0, x1, y1 in lines)
    return level and upright


def _tick_scale(root: ET.Element, prefix: str, axis: str):  # type: ignore[no-untyped-def]
    """viewBox position of a value on an axis, from two of its ticks (their mark and figure)."""
    pairs = []
    for group in root.iter(f"{SVG}g"):
        if re.fullmatch(prefix + r"_\d+", group.get("id") or ""):
            mark = next(group.iter(f"{SVG}use"))
            text = "".join(next(group.iter(f"{SVG}text")).itertext())
            pairs.append((_figure(text), float(mark.get(axis, 0))))
    (v0, p0), (v1, p1) = pairs[0], pairs[-1]
    return lambda value: p0 + (value - v0) * (p1 - p0) / (v1 - v0)


def test_a_crowded_quadrant_chart_numbers_its_points_and_keeps_them_apart() -> None:
    """Nine partners in a thin strip, two at one place: every point still has its own label."""
    names = [f"{place} District Council" for place in ("Ashby", "Brill", "Crowle", "Dunham", "Elsham",
                                                        "Fulstow", "Goxhill", "Habrough", "Irby")]
    values = [(-14, 90), (-11, 88), (-8, 89), (-4, 89), (1, 87), (11.7, 93), (11.8, 89), (12.6, 91), (12.6, 91)]
    records = [{"partner_name": n, "across": Decimal(str(a)), "up": Decimal(str(u))}
               for n, (a, u) in zip(names, values, strict=True)]
    across, up = Column("across", "pct", "Performance against the average"), Column("up", "pct", "Valued")
    placed = {n: (float(a), float(u), "") for n, (a, u) in zip(names, values, strict=True)}
    for layout in LAYOUTS:
        svg = chart_svg(Column("partner_name"), [across, up], records, "quadrant", layout=layout)
        assert svg == chart_svg(Column("partner_name"), [across, up], records, "quadrant", layout=layout)
        words = words_of(svg)
        assert not [(a.text, b.text) for i, a in enumerate(words) for b in words[i + 1:] if a.overlaps(b)]
        _each_label_nearest_its_own_point(Drawing("", "crowded", layout, svg), placed)
        up_ticks = [_figure(w.text) for w in words if w.tick_of == "y"]
        assert min(up_ticks) >= 30 and _quadrant_lines_drawn(svg)  # zoomed to the points, the lines in view
    assert quadrant_summary(Column("partner_name"), [across, up], records[:6]).startswith(
        "Right-servicing: Elsham District Council, Fulstow District Council; Under-servicing: Ashby")


def _contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_series_colours_stand_out_from_white_and_from_each_other(demo_charts) -> None:
    """Each series' colour (its legend's swatch) has 3:1 contrast against white and against the
    series drawn next to it (WCAG 1.4.11): the RAG chart's green, amber, red and grey too."""
    seen = 0
    for drawing in (d for wide, narrow, _, _ in demo_charts for d in (wide, narrow)):
        root = ET.fromstring(drawing.svg)
        legend = next((g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("legend")), None)
        if legend is None:
            continue
        colours = [found.group(1) for path in legend.iter(f"{SVG}path")
                   if (found := re.search(r"(?:fill|stroke): (#[0-9a-f]{6})", path.get("style", "")))]
        colours = [c for i, c in enumerate(colours) if c not in colours[:i]]
        assert len(colours) >= 2, drawing.title
        for colour in colours:
            assert _contrast(colour, "#ffffff") >= 3, f"{drawing.title}: {colour} on white"
        for one, other in zip(colours, colours[1:], strict=False):
            assert _contrast(one, other) >= 3, f"{drawing.title}: {one} beside {other}"
        seen += 1
    assert seen >= 6  # the report's two charts with a legend, partners' lines, in both layouts


def test_an_axis_of_percentages_says_so_once() -> None:
    records = [{"name": "A", "rate_pct": Decimal("9.4")}, {"name": "B", "rate_pct": Decimal("12.5")}]
    svg = chart_svg(Column("name"), [Column("rate_pct", "pct")], records)
    titles = {w.axis_title_of: w.text for w in words_of(svg) if w.axis_title_of}
    assert titles == {"x": "Name", "y": "Rate (%)"}
    assert {w.text for w in words_of(svg) if not w.tick_of and not w.axis_title_of} == {"9.4", "12.5"}
