"""Generate a large synthetic publication for benchmarking sitegen's build against its peers.

One folder holds the same Markdown pages four times, each as its tool expects them:

    sitegen/   sitegen.toml, content/, data/      (the sitegen project)
    mkdocs/    mkdocs.yml, docs/
    pelican/   pelicanconf.py, content/
    hugo/      hugo.toml, content/, layouts/, static/   (a minimal theme of our own)
    bench-site-manifest.json                       (how it was made; what to edit)

Every page has the shape of the issue's corpus: front matter (title, summary, order),
about 600 words in paragraphs, `##`/`###` headings (one with an attribute list
`{ #id .class }`, spaced because `{#` opens a comment in sitegen's Jinja page bodies),
a bulleted list, an 8 × 5 money table, a footnote and a paragraph with a block
attribute list (`{.note}`). The pages are spread like a real
partnership site: case studies by theme (`case-studies/<theme>/…`) and a folder per
council (`councils/<council>/…`), each folder with its index page. Only the front
matter differs between the tools; the Markdown bodies are byte for byte the same.

The sitegen project also gets M partners' returns (written by generate_returns.py),
K committee papers (layout `paper`, `pdf: true`, numbered paragraphs, table-heavy:
about 20 A4 pages each) and, when asked, a meeting whose agenda holds every paper
(its agenda pack is about 20 × K pages). Papers and the meeting exist only in the
sitegen project: the peers make no PDFs.

The output is a pure function of the arguments (seeded `random.Random`s).

    python bench/generate_site.py DIR [--pages 1000] [--partners 12] [--papers 0] [--meeting] [--seed 179]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import generate_returns

GENERATOR_VERSION = 3  # bump when the output changes, so kept projects are regenerated
MANIFEST = "bench-site-manifest.json"
TOOLS = ("sitegen", "mkdocs", "pelican", "hugo")
MAX_PAGES = 50_000
SPREAD_PAGES = 12  # from here on: the home page, two sections, six themes and pages in each kind of folder
PAGES_PER_COUNCIL = 10  # a council's index page and nine topic pages
CASE_STUDY_SHARE = 0.4  # of the leaf pages; the rest are council pages
MEETING_URL = "meetings/board-2011-10"
RETURN_YEARS = 3
RETURN_LINES = 25

THEMES = {  # sitegen's workstreams, as the case studies are filed
    "bpi": "Business process improvement",
    "collaboration": "Collaboration",
    "procurement": "Procurement",
    "asset-management": "Asset management",
    "technology": "Technology",
    "other": "Other efficiencies",
}
COUNCIL_KINDS = (
    ("dc", "District Council"), ("bc", "Borough Council"), ("city", "City Council"),
    ("cc", "County Council"), ("fire", "Fire and Rescue Authority"), ("police", "Police Authority"),
    ("pct", "Primary Care Trust"),
)
COUNCIL_TOPICS = (
    ("efficiency-plan", "efficiency plan"), ("shared-services", "shared services"),
    ("procurement", "procurement"), ("assets", "asset management"), ("workforce", "workforce"),
    ("customer-access", "customer access"), ("ict", "ICT"), ("outturn", "budget and outturn"),
    ("partnership", "partnership working"),
)
SERVICES = (
    "revenues and benefits", "waste collection", "street lighting", "fleet maintenance", "legal services",
    "payroll", "internal audit", "building control", "home care scheduling", "customer contact",
    "highways maintenance", "office accommodation", "ICT service desk", "print and post",
    "procurement support", "environmental health", "planning support", "school transport",
)
PEOPLE = (
    "the chief finance officer", "the head of procurement", "the partnership support manager",
    "the cabinet member for resources", "the service manager", "the project board",
    "the audit committee", "the steering group", "front-line staff", "the trade unions",
)
SENTENCES = (
    "{Place} reviewed its {service} service in {year} and found that {number} separate teams did much the same work.",
    "The review was led by {person}, who reported to the steering group every quarter.",
    "Staff were consulted early, and {number} of them moved into the new team without a break in service.",
    "The partners agreed a single specification for {service}, which let them buy together for the first time.",
    "A business case set out the costs, the savings and the risks before any money was committed.",
    "The new arrangement started on {date}, a month later than planned because of a delay in the contract.",
    "Savings are counted only once the old budgets have been reduced, so the figures below are cash that was released.",
    "{Place} now hosts the service for {number} partners and charges each of them at cost.",
    "Performance has held up: complaints about {service} fell in the first year and response times improved.",
    "The largest single saving came from ending {number} separate contracts and letting one in their place.",
    "Some of the saving was reinvested in {service}, and that part is not counted towards the target.",
    "The project cost {money} to set up, most of it for new systems and a short period of double running.",
    "Partners signed a memorandum of understanding that sets out how costs and savings are shared.",
    "{person_cap} noted that the savings depend on every partner keeping to the agreed specification.",
    "The audit committee asked for a post-implementation review, which was completed in {year}.",
    "Lessons from {service} have since been applied to {other_service} with similar results.",
    "Managers now compare unit costs every quarter against the other partners and against national figures.",
    "The team uses one case management system, which replaced {number} older systems that could not share data.",
    "A small number of posts were deleted after a voluntary scheme, and no compulsory redundancies were needed.",
    "Residents noticed little change, which was the intention: the service looks the same from outside.",
    "The annual saving is {money}, against a target of {money2} set in the original business case.",
    "Income from selling the surplus building was used to repay the costs of the move.",
    "Other councils in the region have visited {place} to see how the arrangement works in practice.",
    "The partnership has agreed to extend the arrangement for a further {number} years from {year}.",
)
LIST_ITEMS = (
    "agree a shared specification before going to market",
    "count only cash that has left the budget",
    "keep one named officer responsible for the savings",
    "report progress to the steering group every quarter",
    "involve staff and trade unions from the start",
    "set the charging basis in writing before the service starts",
    "measure performance before and after the change",
    "plan for a period of double running",
    "publish the business case with the savings",
    "review the arrangement after the first full year",
)
TABLE_ROWS = (
    "Staff costs", "Supplies and services", "Premises", "Transport", "Third-party payments",
    "Contracts let jointly", "ICT licences", "Printing and postage", "Agency staff", "Energy",
)
YEARS = ("2008-09", "2009-10", "2010-11")


@dataclass(frozen=True)
class Page:
    """One page: where it lives (relative to the content root), its front matter, its body."""

    path: str  # e.g. "councils/fenholt-dc/procurement.md" or "councils/fenholt-dc/index.md"
    title: str
    summary: str
    order: int
    body: str

    @property
    def is_section(self) -> bool:
        return self.path == "index.md" or self.path.endswith("/index.md")


# ---- prose -------------------------------------------------------------------------------


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"£{rng.randrange(low, high) // 100 * 100:,}"


def _sentence(rng: random.Random, place: str, template: str) -> str:
    service, other = rng.sample(SERVICES, 2)
    person = rng.choice(PEOPLE)
    return template.format(
        Place=place, place=place, service=service, other_service=other, person=person,
        person_cap=person[0].upper() + person[1:], number=rng.randrange(2, 12),
        year=rng.choice(YEARS), date=f"{rng.randrange(1, 29)} {rng.choice(('April', 'July', 'October'))} 2009",
        money=_money(rng, 20_000, 900_000), money2=_money(rng, 20_000, 900_000),
    )


def _paragraph(rng: random.Random, place: str, sentences: int) -> str:
    return " ".join(_sentence(rng, place, template) for template in rng.sample(SENTENCES, sentences))


def money_table(rng: random.Random, rows: int, first_column: str = "Saving") -> str:
    """A money table: rows-1 lines and a total, four money columns (three years and the total)."""
    lines = [f"| {first_column} | {' | '.join(YEARS)} | Total |", "|---|---:|---:|---:|---:|"]
    totals = [0, 0, 0]
    for label in rng.sample(TABLE_ROWS, rows - 1):
        amounts = [rng.randrange(1_000, 250_000) for _ in YEARS]
        totals = [t + a for t, a in zip(totals, amounts)]
        lines.append(f"| {label} | " + " | ".join(f"£{a:,}" for a in amounts) + f" | £{sum(amounts):,} |")
    lines.append("| **Total** | " + " | ".join(f"**£{t:,}**" for t in totals) + f" | **£{sum(totals):,}** |")
    return "\n".join(lines)


def page_body(rng: random.Random, place: str, anchor: str) -> str:
    """About 600 words: the issue's page shape, the same Markdown for every tool."""
    items = "\n".join(f"- {item[0].upper()}{item[1:]}." for item in rng.sample(LIST_ITEMS, 5))
    return "\n\n".join([
        _paragraph(rng, place, 4) + "[^1]",
        "## What the partners did",
        _paragraph(rng, place, 5),
        _paragraph(rng, place, 5),
        "### Who was involved",
        items,
        "## What it saved",
        _paragraph(rng, place, 3),
        money_table(rng, 8),
        _paragraph(rng, place, 3) + "\n{.note}",
        f"## Lessons for other partners {{ #{anchor} .lessons }}",
        _paragraph(rng, place, 5),
        _paragraph(rng, place, 4),
        f"[^1]: {place} partnership records, {rng.choice(YEARS)}: business case and budget monitoring reports.",
    ]) + "\n"


def words(text: str) -> int:
    """Words a reader sees: Markdown punctuation and table rules left out."""
    return len(re.findall(r"[A-Za-z£0-9][A-Za-z0-9,.'£-]*", text))


# ---- the site ----------------------------------------------------------------------------


def council_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(id, name) of `count` councils, from the returns generator's place names."""
    combos = [(h + t, kind) for h in generate_returns.PLACE_HEADS for t in generate_returns.PLACE_TAILS
              for kind in COUNCIL_KINDS]
    rng.shuffle(combos)
    names = []
    for n in range(count):
        place, (suffix, kind) = combos[n % len(combos)]
        round_ = n // len(combos)
        pid = f"{place}-{suffix}" + (f"-{round_ + 1}" if round_ else "")
        names.append((pid, f"{place.capitalize()} {kind}" + (f" ({round_ + 1})" if round_ else "")))
    return names


def make_pages(total: int, seed: int) -> list[Page]:
    """`total` pages: home, two sections, the themes, then case studies and council folders.

    Fewer than SPREAD_PAGES pages (a project for papers) are the first of those folder pages."""
    if not 1 <= total <= MAX_PAGES:
        raise ValueError(f"--pages must be between 1 and {MAX_PAGES:,}")
    rng = random.Random(seed)
    pages: list[Page] = []

    def add(path: str, title: str, summary: str, order: int, place: str) -> None:
        anchor = "lessons-" + re.sub(r"[^a-z0-9]+", "-", path.removesuffix(".md").lower()).strip("-")
        pages.append(Page(path, title, summary, order, page_body(rng, place, anchor)))

    add("index.md", "Benchmark Partnership", "Efficiency and value for money across the county's public "
        "services.", 0, "Valeford")
    add("case-studies/index.md", "Case studies", "Joint work between partners that has produced savings.",
        1, "Valeford")
    add("councils/index.md", "Councils", "Each partner's efficiency work, council by council.", 2, "Valeford")
    for order, (slug, title) in enumerate(THEMES.items(), start=1):
        add(f"case-studies/{slug}/index.md", title, f"Case studies of {title.lower()}.", order, "Valeford")
    if total < SPREAD_PAGES:
        return pages[:total]
    leaves = total - len(pages)
    studies = max(1, round(leaves * CASE_STUDY_SHARE))
    council_pages = leaves - studies
    councils = council_names(rng, math.ceil(council_pages / PAGES_PER_COUNCIL))
    theme_slugs = list(THEMES)
    for n in range(studies):
        theme = theme_slugs[n % len(theme_slugs)]
        action = rng.choice(generate_returns.ACTIONS)
        place = (rng.choice(generate_returns.PLACE_HEADS) + rng.choice(generate_returns.PLACE_TAILS)).capitalize()
        slug = re.sub(r"[^a-z0-9]+", "-", f"{action} {place}".lower()).strip("-") + f"-{n + 1:05d}"
        add(f"case-studies/{theme}/{slug}.md", f"{action} in {place}",
            f"{place}: {action[0].lower()}{action[1:]}, with the savings it made.", n // len(theme_slugs), place)
    left = council_pages
    for number, (cid, name) in enumerate(councils):
        in_folder = min(PAGES_PER_COUNCIL, left)
        place = name.split()[0]
        add(f"councils/{cid}/index.md", name, f"{name}: efficiency plans and results.", number, place)
        for order, (topic, label) in enumerate(COUNCIL_TOPICS[: in_folder - 1], start=1):
            add(f"councils/{cid}/{topic}.md", f"{name}: {label}", f"How {name} approaches {label}.", order, place)
        left -= in_folder
    assert len(pages) == total, (len(pages), total)
    return pages


def edit_target(pages: list[Page]) -> tuple[str, str]:
    """The page and paragraph the one-page-change scenario edits: a council page in the middle."""
    leaves = [p for p in pages if p.path.startswith("councils/") and not p.is_section]
    page = leaves[len(leaves) // 2] if leaves else pages[len(pages) // 2]
    paragraph = page.body.split("\n\n")[2]  # the first one under "What the partners did"
    assert page.body.count(paragraph) == 1
    return page.path, paragraph


def edit_page(path: Path, paragraph: str, version: int) -> None:
    """Edit one paragraph: it gets a revision note; version k differs from every other."""
    text = path.read_text(encoding="utf-8")
    pattern = re.escape(paragraph) + r"( Revised \(\d+\)\.)?"
    new, count = re.subn(pattern, lambda _: f"{paragraph} Revised ({version}).", text, count=1)
    if count != 1:
        raise ValueError(f"{path}: the paragraph to edit is not there")
    path.write_text(new, encoding="utf-8")


# ---- per tool: front matter and configuration --------------------------------------------


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def write_sitegen_pages(root: Path, pages: list[Page]) -> None:
    for page in pages:
        front = f"---\ntitle: {_yaml_text(page.title)}\nsummary: {_yaml_text(page.summary)}\norder: {page.order}\n---\n\n"
        _write(root / "content" / page.path, front + page.body)


def write_mkdocs(root: Path, pages: list[Page], search: bool = True) -> None:
    """MkDocs' own theme. Search: sitegen builds a lunr index of every page, and MkDocs' search
    plugin does the same (lunr too), so it stays on unless `search` is false. Nav: the home page
    and the two sections, as sitegen's navigation bar shows them (MkDocs' default nav of every
    page would put 10,000 links on each page)."""
    for page in pages:
        front = f"---\ntitle: {_yaml_text(page.title)}\nsummary: {_yaml_text(page.summary)}\n---\n\n"
        _write(root / "docs" / page.path, front + page.body)
    _write(root / "mkdocs.yml", (
        "site_name: Benchmark Partnership\n"
        "theme:\n  name: mkdocs\n"
        + ("plugins:\n  - search\n" if search else "plugins: []\n") +
        "markdown_extensions:\n  - tables\n  - footnotes\n  - attr_list\n"
        "  - toc:\n      permalink: '#'\n      toc_depth: 2-3\n"
        "nav:\n  - Home: index.md\n  - Case studies: case-studies/index.md\n  - Councils: councils/index.md\n"
    ))


def write_pelican(root: Path, pages: list[Page]) -> None:
    """Pelican's pages (no articles, so no index, category, tag, archive or feed pages), its
    default theme, menu of the two sections, the same Markdown extensions, the content cache on."""
    for page in pages:
        meta = f"Title: {page.title}\nSummary: {page.summary}\nOrder: {page.order}\n"
        if page.path == "index.md":
            meta += "Save_as: index.html\nURL: ./\n"
        _write(root / "content" / page.path, meta + "\n" + page.body)
    _write(root / "pelicanconf.py", '''"""Pelican settings for sitegen's benchmark (bench/generate_site.py)."""
SITENAME = "Benchmark Partnership"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
PATH = "content"
PAGE_PATHS = [""]
ARTICLE_PATHS = []
STATIC_PATHS = []
# A page's URL is its path, as in sitegen: councils/x/index.md -> councils/x/
PATH_METADATA = r"(?P<slug>.+?)(?:/index)?\\.md$"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = []
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False
MENUITEMS = [("Case studies", "case-studies/"), ("Councils", "councils/")]
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.tables": {},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.toc": {"permalink": "#", "toc_depth": "2-3"},
    },
    "output_format": "html5",
}
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
''')


HUGO_BASEOF = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ site.Title }}</title>
{{ with .Params.summary }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="stylesheet" href="{{ "css/site.css" | relURL }}">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="masthead"><div class="wrap"><a class="masthead__brand" href="{{ "" | relURL }}">{{ site.Title }}</a></div></header>
<nav class="site-nav" aria-label="Site"><ul class="wrap">
<li><a href="{{ site.Home.RelPermalink }}">Home</a></li>
{{ range site.Menus.main }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>{{ end }}
</ul></nav>
<div class="wrap">
{{ with .Ancestors.Reverse }}<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
<li aria-current="page">{{ $.Title }}</li></ol></nav>{{ end }}
<main id="main" tabindex="-1">{{ block "main" . }}{{ end }}</main>
</div>
<footer class="site-footer"><div class="wrap"><p>{{ site.Title }}</p></div></footer>
</body>
</html>
"""
HUGO_PAGE = """{{ define "main" }}
<article class="page">
<header class="page__header"><h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="lede">{{ . }}</p>{{ end }}</header>
<nav class="contents" aria-label="Contents of this page"><h2 class="contents__title">Contents</h2>
{{ .TableOfContents }}</nav>
<div class="prose">{{ .Content }}</div>
</article>
{{ end }}
"""


def write_hugo(root: Path, pages: list[Page]) -> None:
    """Hugo has no default theme: a minimal one of ours, laid out as sitegen's (masthead, the
    sections in a nav bar, breadcrumbs, title, summary, contents, body). No taxonomies, RSS,
    sitemap or robots.txt, which sitegen does not make either.

    The nav bar is Hugo's section menu (`sectionPagesMenu`: an entry per top-level section,
    made once per build, in weight order), as MkDocs' `nav` and Pelican's `MENUITEMS` are
    configured once. `site.Sections` gives the same links but walks the whole content tree
    on every call (Hugo 0.168, uncached, each key checked against every nested section
    skipped): once per page, 84 % of the CPU time at 10,000 pages."""
    for page in pages:
        front = (f"---\ntitle: {_yaml_text(page.title)}\nsummary: {_yaml_text(page.summary)}\n"
                 f"weight: {page.order}\n---\n\n")
        path = re.sub(r"(^|/)index\.md$", r"\1_index.md", page.path)  # a folder's page in Hugo
        _write(root / "content" / path, front + page.body)
    _write(root / "hugo.toml", (
        'baseURL = "/"\n'
        'title = "Benchmark Partnership"\n'
        'languageCode = "en-GB"\n'
        'sectionPagesMenu = "main"\n'
        'disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]\n'
        "[markup.goldmark.parser]\n  autoHeadingID = true\n"
        "[markup.goldmark.parser.attribute]\n  block = true\n  title = true\n"
        "[markup.goldmark.extensions]\n  table = true\n  footnote = true\n"
        "[markup.tableOfContents]\n  startLevel = 2\n  endLevel = 3\n"
    ))
    _write(root / "layouts" / "baseof.html", HUGO_BASEOF)
    _write(root / "layouts" / "single.html", HUGO_PAGE)
    _write(root / "layouts" / "list.html", HUGO_PAGE)
    theme_css = BENCH_DIR.parent / "sitegen" / "theme" / "static" / "css" / "site.css"
    _write(root / "static" / "css" / "site.css", theme_css.read_text(encoding="utf-8"))


# ---- sitegen-only: returns, papers, a meeting --------------------------------------------


PAPER_SECTIONS = (
    "Background", "Position at the end of the year", "Returns by partner", "Procurement",
    "Collaboration between partners", "Asset management", "Technology", "Business process improvement",
    "Non-cash gains", "Efficiency by sector", "Returns outstanding", "Forecasts for next year", "Risks",
    "Options for a successor target",
)


def paper_text(rng: random.Random, number: int, partners: list[dict], years: int,
               sections: int = len(PAPER_SECTIONS)) -> str:
    """A committee paper of about 20 A4 pages: numbered sections, each with prose, a money
    table typed in the paper and a table of live figures from the returns."""
    last_year = generate_returns.FIRST_YEAR + years - 1
    year = f"{last_year}-{(last_year + 1) % 100:02d}"
    officer = "Helen Armitage"
    front = {
        "title": f"Efficiency review {number}: position at the end of {year}",
        "layout": "paper", "date": "2011-10-13", "pdf": True, "order": number,
        "meeting": "Benchmark Partnership Board", "agenda_item": number + 2,  # after apologies and minutes
        "reference": f"BPB/2011/10/{number:02d}", "report_of": "Partnership Support Manager",
        "classification": "public", "decision": "for consideration and approval",
        "purpose": [f"reports partners' efficiency gains for {year}, workstream by workstream",
                    "asks the Board to agree how outstanding returns will be pursued"],
        "recommendations": [f"note the position against the target at the end of {year}",
                            "ask partners with outstanding returns to submit them within a month",
                            "agree the options for a successor target set out in the last section"],
        "implications": {"financial": "None beyond the support team's existing budget.",
                         "legal": "None. The target is voluntary.",
                         "equalities": "None directly.", "risk": "Missing returns understate the total."},
        "background_papers": ["Partners' efficiency returns (held by the support team)"],
        "contacts": [{"name": officer, "role": "Partnership Support Manager",
                      "email": "support@partnership.example", "phone": "01632 960 418"}],
    }
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()), "---", ""]
    place = partners[0]["name"].split()[0] if partners else "Valeford"
    for title in PAPER_SECTIONS[:sections]:
        lines += [f"## {title}", "", _paragraph(rng, place, 5), "", _paragraph(rng, place, 4), "",
                  money_table(rng, 10, first_column="Budget line"), "", _paragraph(rng, place, 3), "",
                  (f'{{{{ table("ni179", year="{year}", return_type="actual", '
                   'columns=["partner_name", "ni179_gbp", "target_gbp", "achievement_pct"], '
                   f'caption="{title}: actual returns by partner, {year}") }}}}'), "",
                  _paragraph(rng, place, 4), ""]
    lines += ['{{ table("ni179_total", caption="The partnership, year by year") }}', ""]
    return "\n".join(lines)


def meeting_text(papers: int) -> str:
    items = ["  - title: Apologies for absence and declarations of interest",
             "  - title: Minutes of the last meeting"]
    items += [f"  - paper: papers/efficiency-review-{n:02d}\n    presenter: Helen Armitage" for n in range(1, papers + 1)]
    items += ["  - title: Any other business"]
    return "\n".join([
        "---", "title: Partnership Board, 13 October 2011", "layout: meeting", "date: 2011-10-13",
        "order: 9", "meeting: Benchmark Partnership Board", 'time: "10:00"',
        "venue: Committee Room 2, County Hall, Valeford", "chair: Councillor Margaret Oyelaran", "items:",
        *items, "---", "", "The Board meets quarterly. Papers are published a week before each meeting.", "",
    ])


def write_sitegen_extras(root: Path, partners: int, papers: int, paper_sections: int, meeting: bool,
                         seed: int) -> dict:
    """Returns (via generate_returns), papers and a meeting: what only sitegen builds."""
    returns = generate_returns.generate(root, partners, RETURN_YEARS, RETURN_LINES, seed, force=True)
    (root / generate_returns.MANIFEST).unlink()  # this folder's manifest is the site generator's
    rng = random.Random(seed + 1)
    partner_list = generate_returns.make_partners(random.Random(seed), partners)
    for number in range(1, papers + 1):
        _write(root / "content" / "papers" / f"efficiency-review-{number:02d}.md",
               paper_text(rng, number, partner_list, RETURN_YEARS, paper_sections))
    if papers:
        _write(root / "content" / "papers" / "index.md",
               "---\ntitle: Papers\nsummary: Papers for the Partnership Board.\norder: 8\n---\n\n"
               "Papers for the Partnership Board, each also as a PDF.\n")
    if meeting:
        if not papers:
            raise ValueError("a meeting needs papers (--papers 1 or more)")
        _write(root / "content" / f"{MEETING_URL}.md", meeting_text(papers))
        _write(root / "content" / "meetings" / "index.md",
               "---\ntitle: Meetings\nsummary: The Board's meetings and agenda packs.\norder: 9\n---\n\n"
               "The Board's meetings, each with its agenda pack as one PDF.\n")
    return returns


# ---- the whole folder ----------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def manifest_for(pages: int, partners: int = 12, papers: int = 0, paper_sections: int = len(PAPER_SECTIONS),
                 meeting: bool = False, peers: bool = True, mkdocs_search: bool = True, seed: int = 179) -> dict:
    """The settings a folder was generated with: a kept folder is reused only when they match."""
    return {"generator_version": GENERATOR_VERSION, "pages": pages, "partners": partners, "papers": papers,
            "paper_sections": paper_sections, "meeting": meeting, "peers": peers,
            "mkdocs_search": mkdocs_search, "seed": seed}


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def generate(folder: Path, settings: dict, force: bool = False) -> dict:
    """Write the projects described by `settings` (manifest_for's) into `folder`, replacing
    the tools' folders; return the manifest: the settings and what was made."""
    if settings["partners"] < 1 or settings["papers"] < 0:
        raise ValueError("--partners must be at least 1 and --papers at least 0")
    if not 1 <= settings["paper_sections"] <= len(PAPER_SECTIONS):
        raise ValueError(f"--paper-sections must be between 1 and {len(PAPER_SECTIONS)}")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()) and read_manifest(folder) is None and not force:
        raise FileExistsError(f"{folder} is not empty and was not made by this generator (use --force)")
    (folder / MANIFEST).unlink(missing_ok=True)  # incomplete until written again at the end
    for tool in TOOLS:
        shutil.rmtree(folder / tool, ignore_errors=True)
    seed = settings["seed"]
    page_list = make_pages(settings["pages"], seed)
    write_sitegen_pages(folder / "sitegen", page_list)
    returns = write_sitegen_extras(folder / "sitegen", settings["partners"], settings["papers"],
                                   settings["paper_sections"], settings["meeting"], seed)
    if settings["peers"]:
        write_mkdocs(folder / "mkdocs", page_list, settings["mkdocs_search"])
        write_pelican(folder / "pelican", page_list)
        write_hugo(folder / "hugo", page_list)
    edit_path, edit_paragraph = edit_target(page_list)
    counts = [words(p.body) for p in page_list]
    manifest = settings | {
        "section_pages": sum(p.is_section for p in page_list),
        "words_per_page": {"min": min(counts), "mean": round(sum(counts) / len(counts)), "max": max(counts)},
        "return_lines": returns["return_lines"],
        "return_files": returns["return_files"],
        "meeting_url": MEETING_URL if settings["meeting"] else None,
        "edit": {"path": edit_path, "paragraph": edit_paragraph},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def content_path(folder: Path, tool: str, page_path: str) -> Path:
    """Where a page (by its path under sitegen's content/) is in a tool's project."""
    if tool == "hugo":
        page_path = re.sub(r"(^|/)index\.md$", r"\1_index.md", page_path)
    return folder / tool / ("docs" if tool == "mkdocs" else "content") / page_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder to write the projects into")
    parser.add_argument("--pages", type=int, default=1000, help=f"Markdown pages, 1 to {MAX_PAGES:,} "
                        "(default 1000)")
    parser.add_argument("--partners", type=int, default=12,
                        help=f"partners sending returns ({RETURN_YEARS} years × 2 × {RETURN_LINES} lines each; "
                             "default 12)")
    parser.add_argument("--papers", type=int, default=0, help="committee papers of about 20 pages (default 0)")
    parser.add_argument("--paper-sections", type=int, default=len(PAPER_SECTIONS),
                        help=f"numbered sections per paper, each about 1.4 A4 pages (default {len(PAPER_SECTIONS)})")
    parser.add_argument("--meeting", action="store_true", help="a meeting with every paper on its agenda")
    parser.add_argument("--no-peers", dest="peers", action="store_false",
                        help="write the sitegen project only (no MkDocs, Pelican, Hugo copies)")
    parser.add_argument("--no-mkdocs-search", dest="mkdocs_search", action="store_false",
                        help="MkDocs without its search plugin (on by default: sitegen builds a search index)")
    parser.add_argument("--seed", type=int, default=179, help="random seed (default 179)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder anyway")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        settings = manifest_for(args.pages, args.partners, args.papers, args.paper_sections, args.meeting,
                                args.peers, args.mkdocs_search, args.seed)
        manifest = generate(args.folder, settings, args.force)
    except (ValueError, FileExistsError) as exc:
        print(f"generate_site: {exc}", file=sys.stderr)
        return 2
    wpp = manifest["words_per_page"]
    print(f"wrote {args.pages:,} pages (words per page {wpp['min']}–{wpp['max']}, mean {wpp['mean']}), "
          f"{manifest['return_lines']:,} return lines, {args.papers} papers"
          f"{' and a meeting' if args.meeting else ''} to {args.folder}"
          f"{' (sitegen, MkDocs, Pelican, Hugo)' if args.peers else ' (sitegen only)'} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
