"""The newsletter as an edition: the demo's PDF read back as a reader sees it (its masthead,
no report running header, its pictures, its pull quotes after each article's first
paragraph, balanced columns and no near-empty last page, page references that never wrap
alone), its events each once with every day they are held, and what the author writes
for them: /// pull-quote, /// caption, repeat/until/more_dates."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import markdown
import pdfplumber
import pytest
from conftest import build_folder, load_folder

from sitegen.errors import DataError
from sitegen.render.pages import MARKDOWN_CONFIG, MARKDOWN_EXTENSIONS
from sitegen.rules.events import event_dates
from sitegen.tables.formatting import long_dates

FIXTURE = Path(__file__).parent / "fixtures" / "benchmarking"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def edition(built_demo) -> pdfplumber.PDF:
    project, _ = built_demo
    with pdfplumber.open(project / "site" / "papers" / "2011-autumn.pdf") as pdf:
        yield pdf


def lines_of(page) -> list[dict]:
    return page.extract_text_lines()


def column_lines(page) -> list[tuple[int, dict]]:
    """(column, line) of every line of text, the page read as two columns (0 left, 1 right)."""
    middle = page.width / 2
    return [(side, line) for side, box in enumerate(((0, 0, middle, page.height), (middle, 0, page.width, page.height)))
            for line in page.crop(box).extract_text_lines()]


def where(pdf: pdfplumber.PDF, start: str, *, min_size: float = 0, max_size: float = 99) -> tuple[int, int, float]:
    """(page, column, top) of the first line starting with START in type of that size: the
    order a reader meets it in, column by column."""
    for number, page in enumerate(pdf.pages, start=1):
        for side, line in column_lines(page):
            # spaces compared loosely: an SVG's words are placed one by one, with no space between
            if (re.sub(r"\s", "", line["text"]).startswith(re.sub(r"\s", "", start))
                    and min_size <= line["chars"][0]["size"] <= max_size):
                return number, side, line["top"]
    raise AssertionError(f"{start!r} is not in the PDF")


def test_the_first_page_carries_the_masthead_and_no_page_has_the_reports_running_header(edition) -> None:
    first = edition.pages[0]
    top_quarter = [line for line in lines_of(first) if line["bottom"] < first.height / 4]
    texts = [line["text"] for line in top_quarter]
    assert "VALESHIRE PARTNERSHIP" in texts[0]
    title = next(line for line in top_quarter if line["text"] == "Partnership News")
    assert title["chars"][0]["size"] >= 30 and title is top_quarter[1]  # the partnership, then the title
    assert any("Issue 6 · Autumn 2011" in text and "3 October 2011" in text for text in texts)
    for number, page in enumerate(edition.pages, start=1):
        words = page.extract_text()
        assert not re.search(r"Page \d+ of \d+", words), f"page {number} has the report's footer"
        assert "Value for Money" not in words, f"page {number} has the report's running header"
        if number > 1:  # a folio at the foot: the title, the issue and the page number
            foot = [line["text"] for line in lines_of(page) if line["top"] > page.height - 16 * MM]
            assert [re.sub(r"\s+", "", text) for text in foot] == [f"PartnershipNews·Issue6·Autumn2011{number}"]
            assert re.match(r"Partnership News · Issue 6", foot[0]), foot  # a space each side of the dot


def test_pictures_are_embedded_with_their_captions(edition, built_demo) -> None:
    project, _ = built_demo
    images = [(number, image) for number, page in enumerate(edition.pages, start=1) for image in page.images]
    assert len(images) == 1  # the map, a PNG; the diagram is SVG, drawn as vector text and lines
    number, image = images[0]
    assert image["srcsize"] == (1200, 760) and abs(image["width"] / image["height"] - 1200 / 760) < 0.01
    assert where(edition, "The partnership’s area")[:2] == where(edition, "Doing more together")[:2]  # its caption
    diagram = where(edition, "One revenues and benefits")
    assert diagram[:2] == where(edition, "Three councils, one service")[:2]
    html = (project / "site" / "newsletter" / "2011-autumn" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<figure>\s*<p><img alt="Sketch map of Valeshire[^"]+" src="valeshire-map.png"', html)
    assert (project / "site" / "newsletter" / "2011-autumn" / "valeshire-map.png").is_file()  # copied
    assert (project / "site" / "newsletter" / "2011-autumn" / "three-councils-one-service.svg").is_file()


@pytest.mark.parametrize(("first_paragraph", "quotes"), [
    ("A year after South Valeshire", ["“We were worried that sharing"]),
    ("The partners’ combined spending", ["“Our combined buying power", "“The main obstacle is not"]),
])
def test_every_pull_quote_follows_its_articles_first_paragraph(edition, first_paragraph: str, quotes: list[str]) -> None:
    start = where(edition, first_paragraph, max_size=10)
    for quote in quotes:
        assert where(edition, quote, min_size=12) > start, quote


def test_the_columns_are_balanced_and_the_last_page_is_not_near_empty(edition) -> None:
    last = edition.pages[-1]
    body = [(side, line) for side, line in column_lines(last) if line["top"] < last.height - 16 * MM]
    content_height = last.height - 30 * MM  # between the top and bottom margins
    used = (max(line["bottom"] for _, line in body) - 14 * MM) / content_height
    assert used > 0.4, f"the last page is {100 * (1 - used):.0f}% blank"
    # both columns hold text, and end within a few lines of each other (a footer spans both)
    ends = [max(line["bottom"] for side, line in body if side == column and line["chars"][0]["size"] > 8)
            for column in (0, 1)]
    assert abs(ends[0] - ends[1]) < 60, ends


def test_a_page_reference_in_this_edition_never_stands_alone_on_its_line(edition) -> None:
    references = [line["text"] for _, line in column_lines(edition.pages[0]) if re.search(r"page \d+$", line["text"])]
    assert len(references) == 5
    for text in references:  # the title's last word, then "· page 2", on one line
        assert re.fullmatch(r".*\w+\s*·\s*page \d+", text) and not re.fullmatch(r"\W*page \d+", text), text


def test_events_are_each_listed_once_with_every_day_they_are_held(built_demo) -> None:
    project, _ = built_demo
    html = (project / "site" / "newsletter" / "2011-autumn" / "index.html").read_text(encoding="utf-8")
    events = re.search(r'<section class="newsletter-events".*?</section>', html, re.DOTALL).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", events))
    assert text.count("Shared services surgery") == 1
    assert ("Every other Thursday: 13 and 27 October, 10 and 24 November and 8 December 2011, "
            "12.30pm to 2pm") in text
    assert "10 and 24 November 2011, 9.30am to 4pm Lean review training" in text
    assert "Leaders' away day" not in text and "Leaders&#39; away day" not in text  # before the edition
    steering = text[text.index("Steering Group"):text.index("Partnership conference")]
    assert "To book" not in steering  # no booking for a meeting: none printed
    assert text.count("To book:") == 4


def test_event_dates_and_their_words() -> None:
    day = dt.date
    assert event_dates(day(2011, 10, 13), "fortnightly", day(2011, 11, 24)) == [
        day(2011, 10, 13), day(2011, 10, 27), day(2011, 11, 10), day(2011, 11, 24)]
    assert event_dates(day(2011, 10, 13), "weekly", day(2011, 10, 26)) == [day(2011, 10, 13), day(2011, 10, 20)]
    assert event_dates(day(2011, 11, 10), "", None, [day(2011, 11, 24), day(2011, 11, 10)]) == [
        day(2011, 11, 10), day(2011, 11, 24)]
    assert long_dates(["2011-12-16", "2012-01-06", "2012-01-20"]) == "16 December 2011 and 6 and 20 January 2012"
    assert long_dates([day(2011, 11, 3), day(2011, 11, 17), day(2011, 11, 24)]) == "3, 17 and 24 November 2011"


def test_a_repeat_needs_its_last_date_and_dates_must_be_dates(tmp_path: Path) -> None:
    project = tmp_path / "events"
    shutil.copytree(FIXTURE, project)
    events = project / "data" / "events.csv"
    header = "title,date,venue,repeat,until,more_dates\n"
    events.write_text(header + "Surgery,13/10/2011,Hall,fortnightly,,\n"
                               "Clinic,13/10/2011,Hall,,01/12/2011,\n"
                               "Course,10/11/2011,Hall,weekly,01/11/2011,\n"
                               "Talks,10/11/2011,Hall,,,24/11/2011; 31/13/2011\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_folder(project)
    assert sorted(str(p) for p in caught.value.problems) == [
        "data/events.csv:2: until: required value is missing (a fortnightly event needs its last date)",
        "data/events.csv:3: repeat: required value is missing (an event with `until` repeats weekly or fortnightly)",
        "data/events.csv:4: until: the last date (01/11/2011) is before the first (10/11/2011)",
        "data/events.csv:5: more_dates: not a list of dates ('24/11/2011; 31/13/2011'; expected dates such as "
        "10/11/2011; 24/11/2011, each a date as YYYY-MM-DD or DD/MM/YYYY)",
    ]


def convert(text: str) -> str:
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG).convert(text)


def test_a_pull_quote_written_before_the_first_paragraph_is_moved_after_it() -> None:
    html = convert("/// pull-quote\nEarly words.\n///\n\nFirst paragraph.\n\nSecond.\n\n"
                   "/// pull-quote\nLater words.\n///\n\nThird.\n")
    blocks = re.findall(r'<p>([^<]+)</p>|<blockquote class="pull-quote">', html)
    assert [text or "QUOTE" for text in blocks] == [
        "First paragraph.", "QUOTE", "Early words.", "Second.", "QUOTE", "Later words.", "Third."]


def test_an_image_with_a_caption_is_a_figure() -> None:
    html = convert("Text.\n\n![A map of the area](map.png)\n\n/// caption\nThe area.\n///\n")
    assert re.search(r'<figure>\s*<p><img alt="A map of the area" src="map.png" /></p>\s*'
                     r"<figcaption>\s*<p>The area.</p>\s*</figcaption>\s*</figure>", html)


def test_a_front_matter_pull_quote_follows_the_first_paragraph(tmp_path: Path) -> None:
    project = tmp_path / "quote"
    shutil.copytree(FIXTURE, project)
    build_folder(project)
    html = (project / "site" / "news" / "2011-autumn" / "index.html").read_text(encoding="utf-8")
    article = re.search(r'<article class="newsletter-article[^"]*" id="first".*?</article>', html, re.DOTALL).group(0)
    assert article.index("<p>") < article.index('<blockquote class="pull-quote">')
