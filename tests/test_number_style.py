"""One number style, as the GOV.UK style guide and the seeds write figures: one precision
per column, partnership totals in £ million, one negative style per publication, years
that never break, and CSV and JSON no more precise than the page."""

from __future__ import annotations

import collections
import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from conftest import load_folder
from sitegen.errors import TemplateError
from sitegen.render.pages import Renderer
from sitegen.tables.crosstab import MEASURE
from sitegen.tables import formatting
from sitegen.tables.table import Column, column_places

REPO = Path(__file__).parent.parent
MONEY = re.compile(r"^[\u2212(]?£?[\d,]+(\.\d+)?\)?( \[\w\])?$")
NUMBER = re.compile(r"^[\u2212-]?[\d,]+(\.(\d+))?( \[\w\])?$")


def columns_of_every_table(site: Path):
    """(page, caption, heading, [cell texts]) of every column of every table of every page."""
    for page in sorted(site.rglob("*.html")):
        for table in LexborHTMLParser(page.read_text(encoding="utf-8")).css("table"):
            caption = table.css_first("caption")
            headings = [th.text(strip=True) for th in table.css("thead tr:last-child th")]
            # A cross-tab of several measures (tables/crosstab.py) has a row per measure:
            # there a column's figures of one measure are the column a reader compares.
            measure = headings.index(MEASURE.heading) if MEASURE.heading in headings else None
            cells = collections.defaultdict(list)
            for row in table.css("tbody tr, tfoot tr"):
                texts = [cell.text(strip=True) for cell in row.css("td, th")]
                for index, text in enumerate(texts):
                    of = texts[measure] if measure is not None and measure < len(texts) and index > measure else ""
                    cells[(index, of)].append(text)
            for (index, of), texts in cells.items():
                heading = (headings[index] if index < len(headings) else "") + (f" / {of}" if of else "")
                yield page.relative_to(site).as_posix(), caption.text(strip=True) if caption else "", heading, texts


def decimals(text: str) -> int:
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


def render_body(project: Path, body: str) -> str:
    (project / "content" / "index.md").write_text(f"---\ntitle: T\n---\n\n{body}\n", encoding="utf-8")
    loaded = load_folder(project)
    return Renderer(loaded.config, loaded.tables, loaded.content).render_page(loaded.content.page_at("")).body_html


def test_one_money_precision_per_column_on_every_page(built_demo) -> None:
    project, _ = built_demo
    mixed, money_columns = [], 0
    for page, caption, heading, texts in columns_of_every_table(project / "site"):
        amounts = [t for t in texts if "£" in t and MONEY.match(t)]
        if amounts:
            money_columns += 1
            if len({decimals(t) for t in amounts}) > 1:
                mixed.append((page, caption, heading, amounts[:4]))
    assert money_columns > 100
    assert mixed == []


def test_one_number_of_decimals_per_figure_column(built_demo) -> None:
    """Percentages, indicators and £m figures: 48.0 beside 48.2, never 48 beside 48.2."""
    project, _ = built_demo
    mixed = []
    for page, caption, heading, texts in columns_of_every_table(project / "site"):
        figures = [t for t in texts if "£" not in t and NUMBER.match(t)]
        if any("." in t for t in figures) and len({decimals(t) for t in figures}) > 1:
            mixed.append((page, caption, heading, figures[:4]))
    assert mixed == []


def test_figure_columns_carry_their_unit_in_the_heading(copy_fixture) -> None:
    """A percentage column says % or (%), a £m column (£m), though the page names the column."""
    project = copy_fixture("minimal")
    html = render_body(project, '{{ table("ni179", columns=["partner_name", "ni179_gbp", '
                       '"achievement_pct"], labels={"ni179_gbp": "Gains", "achievement_pct": "Achieved"}, money="k") }}')
    headings = [th.text() for th in LexborHTMLParser(html).css("thead th")]
    assert headings == ["Partner", "Gains (£k)", "Achieved (%)"]
    html = render_body(project, '{{ table("ni179", columns=["achievement_pct"], '
                       'labels={"achievement_pct": "Share of target %"}) }}')
    assert [th.text() for th in LexborHTMLParser(html).css("thead th")] == ["Share of target %"]


def test_partnership_totals_in_million_pounds_with_the_unit_in_the_heading(built_demo) -> None:
    project, _ = built_demo
    report = LexborHTMLParser((project / "site" / "report" / "index.html").read_text(encoding="utf-8"))
    table = next(t for t in report.css("table") if "NI 179 against target by year" in t.css_first("caption").text())
    headings = [th.text(strip=True) for th in table.css("thead th")]
    rows = {tuple(c.text(strip=True) for c in r.css("td, th")[:2]): [c.text(strip=True) for c in r.css("td, th")]
            for r in table.css("tbody tr")}
    assert ("Actual", "NI 179 (£m)") in rows and ("Actual", "Target (£m)") in rows  # the unit in the row's heading
    assert rows[("Actual", "NI 179 (£m)")][headings.index("2010-11")] == "190.9 [p]"  # £190,932,883.66


def test_a_small_partnerships_totals_stay_in_pounds(copy_fixture) -> None:
    """£33,500 in £m would be 0.0: a table that would lose its figures is shown in pounds."""
    html = render_body(copy_fixture("minimal"), '{{ table("ni179_total") }}')
    assert '<td class="num">£33,500.75</td>' in html and "(£m)" not in html


def test_column_places_follow_the_most_precise_figure() -> None:
    money, pct, count = Column("a", "money"), Column("b", "pct"), Column("c", "count")
    assert column_places(money, [Decimal("27491430"), Decimal("1053000.51"), None]) == 2
    assert column_places(money, [Decimal("27491430"), Decimal("1053000.004")]) == 0  # rounds to whole pounds
    assert column_places(money, [Decimal("27491430.5")], "m") is None  # £m has its one decimal
    assert column_places(pct, [Decimal("3.0"), Decimal("3.0"), Decimal("3.4")]) == 1
    assert column_places(pct, [Decimal("3.0"), Decimal("9")]) == 0
    assert column_places(count, [Decimal("48"), Decimal("48.2"), Decimal("37.683333")]) == 2
    assert column_places(count, [3, 5, 8]) == 0
    assert Column("a", "money").shown(Decimal("27491430"), places=2) == "£27,491,430.00"
    assert Column("c", "count").shown(Decimal("48"), places=1) == "48.0"
    assert formatting.number(Decimal("-0.25"), 1) == "\u22120.3"


def test_csv_and_json_hold_no_more_decimals_than_the_page(built_demo) -> None:
    project, _ = built_demo
    for path in sorted((project / "site" / "tables").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                long = [cell for cell in row if re.fullmatch(r"-?\d+\.\d{3,}", cell)]
                assert long == [], path.name
    for path in sorted((project / "site" / "tables").glob("*.json")):
        assert not re.search(r": -?\d+\.\d{3,}", path.read_text(encoding="utf-8")), path.name
    with (project / "site" / "tables" / "unit_costs.csv").open(encoding="utf-8") as handle:
        averages = {row["group_average_performance"] for row in csv.DictReader(handle)}
    assert "80.14" in averages  # 80.14285714285714285714285714, as the page shows it
    with (project / "site" / "tables" / "ni179_total.csv").open(encoding="utf-8") as handle:
        assert "190932883.66" in handle.read()  # money stays exact to the penny


def test_one_negative_style_per_publication(copy_fixture) -> None:
    project = copy_fixture("minimal")
    returns = project / "data" / "returns.csv"
    returns.write_text(returns.read_text(encoding="utf-8")
                       + "beta,2008-09,actual,B3,Correction,bpi,revenue,gain,(5000),0,yes,yes,2008-06-01\n",
                       encoding="utf-8")
    html = render_body(project, '{{ table("ni179", partner="beta", columns=["ni179_gbp"]) }}')
    assert '<td class="num">\u2212£999.75</td>' in html
    with pytest.raises(TemplateError) as caught:
        render_body(project, '{{ table("ni179", partner="beta", columns=["ni179_gbp"], negative="brackets") }}')
    assert '[numbers] negative = "brackets"' in str(caught.value.problems[0])
    with (project / "sitegen.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[numbers]\nnegative = "brackets"\n')
    html = render_body(project, '{{ table("ni179", partner="beta", columns=["ni179_gbp"]) }} and '
                                '{{ value("ni179", "ni179_gbp", partner="beta") | money }}')
    assert '<td class="num">(999.75)</td>' in html and '<th scope="col" class="num">NI 179 (£)</th>' in html
    assert "and (999.75)" in html  # prose in the same style as the tables


def test_years_never_break_across_lines(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "report" / "index.html").read_text(encoding="utf-8")
    assert '<td class="year">2010-11</td>' in html
    assert '<span class="year">2010-11</span></th>' in html  # years across a cross-tab's top
    for sheet in ("site.css", "print.css"):
        css = (REPO / "sitegen" / "theme" / "static" / "css" / sheet).read_text(encoding="utf-8")
        assert re.search(r"td\.year, th \.year \{ white-space: nowrap; \}", css), sheet
    csv_text = (project / "site" / "tables" / "ni179_total.csv").read_text(encoding="utf-8")
    assert "2010-11," in csv_text and "\u2011" not in csv_text
