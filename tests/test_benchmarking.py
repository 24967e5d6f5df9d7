"""The VfM action plan, outcome delivery plan and newsletter: figures against hand checks,
the new data files' errors, and the three layouts in HTML and PDF.

The fixture `tests/fixtures/benchmarking` is small enough to check by hand. Bin
collection 2010-11 (cost per head, higher recycling is better):

    partner  net cost    population  unit cost  performance  customers' value
    a        2,000,000   100,000     £20        40           60
    b        2,500,000   100,000     £25        50           40
    c        3,000,000   100,000     £30        45           50
    d        1,750,000    50,000     £35        35           70
    e        4,000,000   100,000     £40        30           30

Average cost £30; quartiles of 20, 25, 30, 35, 40 by the inclusive method: 25, 30, 35.
Average performance 40; quartiles of 30 … 50: 35, 40, 45.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import build_folder, load_folder
from pypdf import PdfReader

from sitegen.errors import ContentError, DataError, TemplateError
from sitegen.rules.benchmarking import quartile_of, quartiles, traffic_light

FIXTURE = Path(__file__).parent / "fixtures" / "benchmarking"
D = Decimal


@pytest.fixture(scope="module")
def tables():
    return load_folder(FIXTURE).tables


def by_partner(table, **wanted) -> dict[str, dict]:
    return {r["partner_id"]: r for r in table.rows if all(r[k] == v for k, v in wanted.items())}


# ---- quartiles and traffic lights, by hand ---------------------------------------------


def test_quartiles_are_excels_inclusive_quartiles() -> None:
    # Microsoft's own example for QUARTILE.INC: 1, 2, 4, 7, 8, 9, 10, 12 -> 3.5, 7.5, 9.25
    assert quartiles(map(D, [12, 1, 9, 2, 10, 4, 8, 7])) == (D("3.5"), D("7.5"), D("9.25"))
    assert quartiles(map(D, [1, 2, 3, 4])) == (D("1.75"), D("2.5"), D("3.25"))
    assert quartiles([D("0.1"), D("0.2")]) == (D("0.125"), D("0.15"), D("0.175"))  # exact, no float
    assert quartiles([D(7)]) is None


def test_a_value_on_a_cut_point_goes_to_the_quartile_nearer_one() -> None:
    cuts = (D(25), D(30), D(35))
    assert [quartile_of(D(v), cuts, low_is_first=True) for v in (20, 25, 26, 30, 35, 36)] == [1, 1, 2, 2, 3, 4]
    assert [quartile_of(D(v), cuts, low_is_first=False) for v in (40, 35, 34, 30, 25, 24)] == [1, 1, 2, 2, 3, 4]
    assert quartile_of(D(1), None, low_is_first=True) is None


@pytest.mark.parametrize(
    ("achieved", "forecast", "light"),
    [
        ("20000", None, "green"),  # on profile, no forecast
        ("20000", "40000", "green"),
        ("19999.99", None, "amber"),  # a penny behind
        ("15000", None, "amber"),  # exactly 75% of the profile
        ("14999.99", None, "red"),  # under 75%
        ("20000", "30000", "amber"),  # on profile, forecast exactly 75% of the target
        ("20000", "29999.99", "red"),  # forecast under 75%
        ("25000", "39999", "amber"),  # ahead of profile, but the forecast falls short
    ],
)
def test_traffic_lights(achieved: str, forecast: str | None, light: str) -> None:
    # a £40,000 target at the end of quarter 2: £20,000 due
    assert traffic_light(D(20000), D(achieved), D(40000), D(forecast) if forecast else None) == light


# ---- computed tables of the fixture, against the hand checks above ---------------------


def test_unit_costs_ranks_and_quartiles(tables) -> None:
    rows = by_partner(tables["unit_costs"], service="bins", year=2010)
    assert {p: r["unit_cost_gbp"] for p, r in rows.items()} == {"a": 20, "b": 25, "c": 30, "d": 35, "e": 40}
    assert {p: r["cost_rank"] for p, r in rows.items()} == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    assert {p: r["cost_quartile"] for p, r in rows.items()} == {"a": 1, "b": 1, "c": 2, "d": 3, "e": 4}
    # higher is better: 50 and 45 are in the top quartile (>= 45), 30 in the bottom
    assert {p: r["performance_quartile"] for p, r in rows.items()} == {"a": 2, "b": 1, "c": 1, "d": 3, "e": 4}
    assert rows["a"]["group_average_gbp"] == 30 and rows["a"]["group_size"] == 5
    assert rows["e"]["cost_vs_average_pct"] == D(100) / 3
    assert rows["b"]["performance_vs_average_pct"] == 25 and rows["e"]["performance_vs_average_pct"] == -25


def test_lower_is_better_turns_performance_round(tables) -> None:
    rows = by_partner(tables["unit_costs"], service="claims", year=2010)
    assert {p: r["unit_cost_gbp"] for p, r in rows.items()} == {"a": 60, "b": 50, "c": 70}  # per claim
    assert {p: r["performance_quartile"] for p, r in rows.items()} == {"a": 2, "b": 4, "c": 1}  # 8 days best
    assert rows["c"]["performance_vs_average_pct"] == 20 and rows["b"]["performance_vs_average_pct"] == -20
    assert "-0.0" not in tables["unit_costs"].to_csv()  # a gap of nought is 0.0


def test_year_on_year_change(tables) -> None:
    rows = by_partner(tables["unit_costs"], service="bins", year=2010)
    assert rows["a"]["cost_change_pct"] == (D(20) - 19) / 19 * 100  # £19 to £20 a head
    assert round(rows["a"]["cost_change_pct"], 1) == D("5.3")
    assert rows["e"]["cost_change_pct"] == 0 and rows["a"]["performance_change"] == 2
    assert rows["b"]["cost_change_pct"] is None  # no 2009-10 figure for b


def test_comparator_groups(tables) -> None:
    groups = {(r["service"], r["year"]): r for r in tables["cost_comparators"].rows}
    bins = groups[("bins", 2010)]
    assert (bins["lowest_gbp"], bins["lower_quartile_gbp"], bins["median_gbp"], bins["upper_quartile_gbp"],
            bins["highest_gbp"], bins["average_gbp"]) == (20, 25, 30, 35, 40, 30)
    assert (bins["lowest_cost_partner"], bins["highest_cost_partner"]) == ("A District Council", "E District Council")
    assert (bins["best_performer"], bins["worst_performer"]) == ("B District Council", "E District Council")
    two = groups[("bins", 2009)]  # £19 and £40: cut points a quarter, half, three quarters of the way
    assert (two["lower_quartile_gbp"], two["median_gbp"], two["upper_quartile_gbp"]) == (
        D("24.25"), D("29.5"), D("34.75"))
    claims = groups[("claims", 2010)]
    assert (claims["best_performance"], claims["best_performer"]) == (8, "C District Council")


def test_servicing_quadrants(tables) -> None:
    rows = by_partner(tables["unit_costs"], service="bins", year=2010)
    assert {p: r["quadrant"] for p, r in rows.items()} == {
        "a": "right-servicing",  # valued (60), exactly average performance counts as performing
        "b": "over-servicing",  # less valued (40), well above average
        "c": "right-servicing",  # exactly 50% counts as valued
        "d": "under-servicing",  # valued (70), below average
        "e": "irritants",  # less valued (30), below average
    }
    claims = by_partner(tables["unit_costs"], service="claims", year=2010)
    assert all(r["quadrant"] is None for r in claims.values())  # no survey: no quadrant


def test_candidate_vfm_projects(tables) -> None:
    found = [(r["partner_id"], r["service"], r["vfm_criteria_met"])
             for r in tables["vfm_candidates"].rows if r["year"] == 2010]
    # most criteria first; then the dearest against its average (c +16.7% before b −16.7%)
    assert found == [("d", "bins", 3), ("e", "bins", 2), ("c", "claims", 1), ("b", "claims", 1)]
    criteria = {r["partner_id"]: r["vfm_criteria"] for r in tables["vfm_candidates"].rows
                if r["year"] == 2010 and r["service"] == "claims"}
    assert criteria == {"c": "above-average cost", "b": "below-average performance"}


def test_savings_traffic_lights_and_summary(tables) -> None:
    ratings = {(r["saving_ref"], r["quarter"]): r["rating"] for r in tables["savings_progress"].rows}
    assert ratings == {("S1", 1): "green", ("S1", 2): "green", ("S2", 2): "amber", ("S3", 2): "amber",
                       ("S4", 2): "red", ("S5", 2): "red", ("S7", 2): "amber"}
    q2 = next(r for r in tables["savings_summary"].rows if r["quarter"] == 2)
    assert (q2["savings"], q2["target_gbp"], q2["profile_gbp"], q2["achieved_gbp"]) == (6, 240000, 120000, 108999)
    assert (q2["green"], q2["amber"], q2["red"]) == (1, 3, 2)


def test_outcome_plan_tables(tables) -> None:
    profile = {r["year"]: r for r in tables["target_profile"].rows}
    # baselines £150m in all; 3%, 6%, 9.4% of it
    assert [profile[y]["target_gbp"] for y in (2008, 2009, 2010)] == [4500000, 9000000, 14100000]
    assert profile[2008]["actual_gbp"] == 900000 and profile[2008]["achievement_pct"] == 20
    assert profile[2009]["actual_gbp"] is None  # no returns for that year yet
    funding = {r["funding_source"]: r for r in tables["project_funding"].rows}
    assert funding["RIEP"]["funding_gbp"] == D("75000.50") and funding["RIEP"]["projects"] == 2


# ---- the new data files' errors --------------------------------------------------------


def test_bad_benchmarking_data_is_reported_by_file_line_and_column(tmp_path: Path) -> None:
    project = tmp_path / "bad"
    shutil.copytree(FIXTURE, project)
    data = project / "data"
    (data / "services.csv").write_text(
        "service_id,name,cost_basis,unit_name,indicator,indicator_unit,direction,summary\n"
        "bins,Bin collection,head,,Waste recycled,%,higher,\n"
        "claims,Benefit claims,per claim,claim processed,Days to process a claim,days,down,\n", encoding="utf-8")
    (data / "unit_costs.csv").write_text(
        "partner_id,service,year,net_cost_gbp,population,users,units,performance,customer_value_pct\n"
        "a,bins,2010-11,2000000,100000,,,40,60\n"
        "a,bins,2010/11,2100000,100000,,,41,61\n"
        "eastmeer,bins,2010-11,2000000,100000,,,40,60\n"
        "b,bin,2010-11,2000000,100000,,,40,60\n"
        "c,bins,2010-11,2000000,lots,,,40,60\n"
        "d,bins,2010-11,2000000,0,,,n/a,120\n"
        "e,bins,2010-11,2000000,,,,40,\n"
        "e,claims,2010-11,2000000,100000,,12.5,40,\n", encoding="utf-8")
    (data / "savings_progress.csv").write_text(
        "partner_id,saving_ref,description,service,year,quarter,target_gbp,achieved_gbp,forecast_gbp,comment\n"
        "a,S1,On profile,bins,2011-12,Q5,40000,10000,40000,\n"
        "a,S2,Nothing to save,,2011-12,1,0,0,,\n"
        "a,S3,Twice,,2011-12,2,100,0,,\n"
        "a,S3,Twice,,2011-12,Q2,100,0,,\n", encoding="utf-8")
    (data / "events.csv").write_text(
        "title,date,time,venue,description,organiser,booking\n"
        "Workshop,31/13/2011,,Room 2,,,\n"
        "Conference,02/12/2011,,Guildhall,,,\n"
        "Conference,2011-12-02,,Guildhall,,,\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_folder(project)
    assert sorted(str(p) for p in caught.value.problems) == [
        "data/events.csv:2: date: not a valid date ('31/13/2011'; expected a date as YYYY-MM-DD or DD/MM/YYYY)",
        "data/events.csv:4: date: duplicate row for Conference, 2011-12-02 (first at data/events.csv:3)",
        "data/savings_progress.csv:2: quarter: not a quarter ('Q5'; expected 1, 2, 3 or 4, or Q1 to Q4)",
        "data/savings_progress.csv:3: target_gbp: a savings target must be more than £0 (found 0)",
        ("data/savings_progress.csv:5: quarter: duplicate row for a, S3, 2011-12, Q2 "
         "(first at data/savings_progress.csv:4)"),
        "data/services.csv:3: cost_basis: unknown value ('per claim'; expected one of head, user, unit)",
        "data/services.csv:3: direction: unknown value ('down'; expected one of higher, lower)",
        "data/unit_costs.csv:3: year: duplicate row for a, bins, 2010-11 (first at data/unit_costs.csv:2)",
        "data/unit_costs.csv:4: partner_id: unknown partner 'eastmeer' (not in partners.csv)",
        "data/unit_costs.csv:5: service: unknown service 'bin' (not in services.csv); did you mean 'bins'?",
        ("data/unit_costs.csv:6: population: not a count ('lots'; expected a whole number of 1 or more, "
         "such as 112,400)"),
        ("data/unit_costs.csv:7: customer_value_pct: not a percentage ('120'; expected a number from 0 to 100, "
         "such as 72.5)"),
        "data/unit_costs.csv:7: performance: not a number ('n/a'; expected a number such as 1,234 or 97.5)",
        ("data/unit_costs.csv:7: population: not a count ('0'; expected a whole number of 1 or more, "
         "such as 112,400)"),
        "data/unit_costs.csv:8: population: required value is missing ('bins' is compared on cost per head)",
        "data/unit_costs.csv:9: units: not a count ('12.5'; expected a whole number of 1 or more, such as 112,400)",
    ]


def test_a_missing_required_column_of_a_new_file(tmp_path: Path) -> None:
    project = tmp_path / "bad"
    shutil.copytree(FIXTURE, project)
    (project / "data" / "unit_costs.csv").write_text(
        "partner_id,service,year,net_cost,population,performance\na,bins,2010-11,1,1,1\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_folder(project)
    assert [str(p) for p in caught.value.problems] == [
        "data/unit_costs.csv:1: net_cost_gbp: required column is missing; is the column 'net_cost' it, misspelt? Name it net_cost_gbp"]


def test_an_article_outside_an_edition_is_an_error(tmp_path: Path) -> None:
    project = tmp_path / "stray"
    shutil.copytree(FIXTURE, project)
    (project / "content" / "stray.md").write_text("---\ntitle: Stray\nlayout: article\n---\nText.\n", encoding="utf-8")
    (project / "content" / "news" / "2011-autumn" / "bad.md").write_text(
        "---\ntitle: Bad\nlayout: article\nsection: gossip\n---\nText.\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_folder(project)
    messages = sorted(str(p) for p in caught.value.problems)
    assert messages[0].startswith("content/news/2011-autumn/bad.md:4: section: Input should be 'feature', 'news' or")
    assert messages[1] == ("content/stray.md:3: layout: an article belongs in the folder of a newsletter edition "
                           "(beside an index.md with layout: newsletter)")


# ---- the layouts, built -----------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("benchmarking") / "project"
    shutil.copytree(FIXTURE, project)
    build_folder(project)
    return project / "site"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_service_pages(site: Path) -> None:
    bins = (site / "services" / "bins" / "index.html").read_text(encoding="utf-8")
    text = text_of(bins)
    assert "Hand-written action plan text for the bins service." in text  # the Markdown page wins
    assert ("the net cost per head of population averaged £30, from £20 (A District Council) "
            "to £40 (E District Council)") in text
    alt = re.search(r'<img class="chart__image" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', bins).group(1)
    assert "Servicing quadrants, 2010-11" in alt and "D District Council: Performance against the average " in alt
    assert '<span class="rag rag--green">Green</span>' in bins  # colour and word together
    claims = (site / "services" / "claims" / "index.html").read_text(encoding="utf-8")  # made from data
    assert "<h1>Benefit claims</h1>" in claims and "not placed in the servicing quadrants" in claims
    assert '<span class="rag rag--red">Red</span>' in claims  # S4, at the end of quarter 2
    index = (site / "services" / "index.html").read_text(encoding="utf-8")
    assert 'href="bins/">Bin collection</a>' in index and 'href="claims/">Benefit claims</a>' in index
    assert "1 green, 3 amber and 2 red" in text_of(index)
    pdf = PdfReader(site / "papers" / "bins.pdf")
    words = " ".join(page.extract_text() for page in pdf.pages)
    assert "Bin collection" in words and "Candidates for a VfM project" in words and "Green" in words
    assert (site / "papers" / "claims.pdf").is_file()


def test_outcome_plan(site: Path) -> None:
    html = (site / "plans" / "efficiency" / "index.html").read_text(encoding="utf-8")
    text = text_of(html)
    assert "Total £100,000" in text  # £30,000 + £30,000 + £40,000 from the front matter
    assert "Partners lose interest Medium High Report twice a year" in text
    # Targets from the partners' baselines, the partnership's totals in £m: £4,500,000 and £14,100,000.
    assert "Target (£m)" in text and "2008-09 3.0 3.0 4.5" in text and "2010-11 3.4 9.4 14.1" in text
    assert "Total £75,000.50" in text  # joint projects funded by the RIEP, from projects.csv
    pdf = " ".join(p.extract_text() for p in PdfReader(site / "papers" / "efficiency.pdf").pages)
    assert "Baseline and targets" in pdf and "Risks to delivery" in pdf and "Each partner acts on its own." in pdf


def test_newsletter_edition_page(site: Path) -> None:
    html = (site / "news" / "2011-autumn" / "index.html").read_text(encoding="utf-8")
    contents = re.search(r'<nav class="newsletter__contents".*?</nav>', html, re.DOTALL).group(0)
    assert re.findall(r'<a href="#([^"]+)">', contents) == ["first", "second", "people-news", "events"]
    text = text_of(html)
    assert text.index("FIRSTSTORY") < text.index("SECONDSTORY") < text.index("PEOPLEITEM")  # front-matter order
    assert "Partners reported 6 savings at quarter 2." in text  # figures work inside articles
    assert re.search(r'<blockquote class="pull-quote">\s*<p>A quote worth pulling out.</p>\s*</blockquote>', html)
    events = text_of(re.search(r'<section class="newsletter-events".*?</section>', html, re.DOTALL).group(0))
    assert "Returns workshop" in events and "20 October 2011" in events and "Conference" in events
    assert "Away day" not in events and "Next year" not in events  # before the edition; after events_until
    assert not (site / "news" / "2011-autumn" / "first").exists()  # articles have no page of their own


def test_newsletter_pdf_is_two_columns_with_page_references(site: Path) -> None:
    reader = PdfReader(site / "papers" / "2011-autumn.pdf")
    middle = float(reader.pages[0].mediabox.width) / 2
    placed: list[tuple[int, float, str]] = []  # (page, x, text) of every run of text
    for number, page in enumerate(reader.pages, start=1):
        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                placed.append((number, tm[4] * cm[0] + tm[5] * cm[2] + cm[4], text.strip()))
        page.extract_text(visitor_text=visit)

    def where(marker: str) -> tuple[int, float]:
        return next((n, x) for n, x, t in placed if t.startswith(marker))

    first, second = where("FIRSTSTORY"), where("SECONDSTORY")
    assert first[0] == second[0] and first[1] < middle < second[1]  # side by side on one page
    assert where("LEADSTART")[1] < middle
    # "In this edition" gives each article the page it is on (its text follows its heading)
    contents = reader.pages[0].extract_text()
    for title, marker in (("The first story", "FIRSTSTORY"), ("The second story", "SECONDSTORY")):
        listed = re.search(re.escape(title) + r"\s*·\s*page\s*(\d+)", contents)
        assert listed is not None, title
        assert int(listed.group(1)) == where(marker)[0]


def test_quadrant_chart_names_its_quadrants_and_every_point() -> None:
    from sitegen.render.charts import chart_svg
    from sitegen.tables.table import Column

    records = [{"partner_name": "A District Council", "across": D("12.5"), "up": D(60)},
               {"partner_name": "E District Council", "across": D(-25), "up": D(30)},
               {"partner_name": "No survey", "across": D(3), "up": None}]
    across, up = Column("across", "pct", "Performance against the average"), Column("up", "pct", "Valued")
    svg = chart_svg(Column("partner_name"), [across, up], records, "quadrant")
    for words in ("Under-servicing", "Right-servicing", "Irritants", "Over-servicing", "A District Council",
                  "E District Council", "Performance against the average"):
        assert words in svg
    assert "No survey" not in svg  # a point needs both figures
    assert svg == chart_svg(Column("partner_name"), [across, up], records, "quadrant")  # deterministic
    with pytest.raises(ValueError, match="two columns"):
        chart_svg(Column("partner_name"), [across], records, "quadrant")


def test_an_indicator_with_decimals_is_never_truncated_in_json() -> None:
    import pandas as pd

    from sitegen.tables.table import Column, Table

    table = Table("t", "T", (Column("performance", "count"),),
                  pd.DataFrame({"performance": [D("8.25"), D(12)]}), ())
    # one precision for the column, as the page shows it: 12.00 beside 8.25, never 8 or 8.3
    assert '"performance": 8.25' in table.to_json() and '"performance": 12.00' in table.to_json()
    assert table.to_csv() == "performance\n8.25\n12.00\n"


def test_a_problem_inside_an_article_is_reported_at_the_article_and_its_line(tmp_path: Path) -> None:
    """An edition is one body made of several files: errors and broken links name the file they are in."""
    project = tmp_path / "article-error"
    shutil.copytree(FIXTURE, project)
    second = project / "content" / "news" / "2011-autumn" / "second.md"
    second.write_text(second.read_text(encoding="utf-8") + "\nA second paragraph.\n\n{{ table('no_such_table') }}\n",
                      encoding="utf-8")
    lines = second.read_text(encoding="utf-8").splitlines()
    wanted = next(number for number, text in enumerate(lines, start=1) if "no_such_table" in text)
    with pytest.raises(TemplateError) as caught:
        build_folder(project)
    assert [(p.file, p.line) for p in caught.value.problems] == [("content/news/2011-autumn/second.md", wanted)]
    second.write_text(second.read_text(encoding="utf-8").replace("{{ table('no_such_table') }}", "[gone](../nowhere/)"),
                      encoding="utf-8")
    with pytest.raises(ContentError) as broken:
        build_folder(project)
    assert [(p.file, p.line) for p in broken.value.problems] == [("content/news/2011-autumn/second.md", wanted)]
