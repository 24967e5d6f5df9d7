"""Generate a synthetic, valid partnership project for benchmarking sitegen's data layer.

The project is written to a folder as a partnership support officer would receive it:

    sitegen.toml
    data/partners.csv
    data/returns/<partner>-<year>-<type>.csv    (one file per return)

partners × years × 2 return types × lines-per-return return lines in all (the default,
400 × 5 × 2 × 250, is 1,000,000 lines). Every value follows the returns contract
(/work/shared/returns-format.md), so the build is clean, but the spellings vary the
way real partners' files do: each partner has its own habits (money as `12345.67`,
`£12,345` or `12,345.67`; dates ISO or UK `dd/mm/yyyy`; yes/no as yes/Yes/Y/TRUE/1;
years as 2008-09, 2008/09 or 2008-2009; UTF-8, UTF-8 with a BOM or Windows-1252 with
CRLF as Excel saves "CSV"; optional columns sometimes left out or blank), and the
lines mix all six workstreams, revenue and capital, disposals, negative corrections
in accountants' brackets `(1,234)`, non-cash, lapsed and out-of-period gains.
Descriptions and evidence often hold commas, so quoted CSV fields occur.

The output is a pure function of the arguments (a seeded `random.Random` per partner).

    python bench/generate_returns.py DIR [--partners 400] [--years 5] [--lines 250] [--seed 179]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import sys
import time
from pathlib import Path

GENERATOR_VERSION = 1  # bump when the output changes, so kept projects are regenerated
MANIFEST = "bench-manifest.json"

FIRST_YEAR = 2008  # 2008-09
PROFILE_PATTERN = [3.0, 3.0, 3.4, 3.0, 3.0]
RETURN_TYPES = ("forecast", "actual")
WORKSTREAMS = ("bpi", "collaboration", "procurement", "asset_management", "technology", "other")
WORKSTREAM_WEIGHTS = (22, 16, 30, 10, 15, 7)

# sector, weight, id suffixes, name suffix, baseline range in pounds
SECTORS = (
    ("county", 6, ("cc",), "County Council", (300_000_000, 900_000_000)),
    ("district", 40, ("dc", "bc"), "District Council", (9_000_000, 30_000_000)),
    ("unitary", 14, ("ua", "council"), "Council", (150_000_000, 450_000_000)),
    ("city", 6, ("city",), "City Council", (200_000_000, 600_000_000)),
    ("police", 8, ("police",), "Police Authority", (90_000_000, 300_000_000)),
    ("fire", 8, ("fire", "fra"), "Fire and Rescue Authority", (25_000_000, 70_000_000)),
    ("health", 10, ("nhs", "pct"), "Primary Care Trust", (250_000_000, 700_000_000)),
    ("other", 8, ("homes", "trust"), "Housing Trust", (5_000_000, 40_000_000)),
)

PLACE_HEADS = (
    "brack", "castle", "east", "fen", "kestle", "marrow", "thrim", "vale", "raven", "ash",
    "bram", "cold", "dun", "elm", "frith", "glen", "holl", "iver", "kings", "lang",
    "mill", "north", "oak", "pen", "quar", "rother", "south", "thorn", "under", "west",
)
PLACE_TAILS = (
    "vale", "bridge", "mere", "holt", "wick", "by", "shire", "ford", "ham", "ton",
    "stead", "field", "worth", "combe", "dale", "ley", "minster", "port", "well", "wood",
)

ACTIONS = (
    "Procurement card roll-out", "Agency staff managed service contract", "Shared print and post room",
    "Mobile working for environmental health officers", "Telephony replaced with internet telephony",
    "Joint legal service", "Revenues and benefits restructure", "Document imaging in benefits",
    "Energy contract let through the regional buying consortium", "Fleet maintenance contract re-tendered",
    "Office accommodation rationalised", "Customer contact centre merged", "Payroll service shared",
    "Waste collection rounds redesigned", "Home care scheduling system", "Insurance cover re-tendered",
    "Street lighting switched to LED units", "Internal audit shared", "Building control partnership",
    "Stationery bought through the national framework", "ICT service desk merged",
    "Depot closed and sold", "Paperless committee papers", "Self-service for council tax",
)
QUALIFIERS = (
    "", " (phase 2)", " across all sites", " with the neighbouring district", " for adult social care",
    ", saving two vehicles", ", fewer posts after a voluntary scheme", ", lower unit prices",
    ", with Kestlewick Borough Council", ", hosted by the county, shared with three districts",
    ": more inspections per day", ": fewer days per new claim",
)
EVIDENCE = (
    "", "Budget monitoring report, period 5", "Revenue outturn working papers", "Ledger cost centre R{c}",
    "Cabinet report, item {n}", "Procurement savings log, line {n}", "Business case v{n} and benefits tracker",
    "Productivity measures: activity data", "Medium term financial strategy, appendix B",
    "Payroll establishment report, month {n}", "SR04 annual efficiency statement (backward look) 2007-08",
)
EXTRA_COLUMN = "contact"  # an unknown column a few partners add: kept, ignored

# Spelling habits, (value, weight)
MONEY_STYLES = (("plain", 65), ("whole", 10), ("pound_commas", 20), ("commas", 5))
DATE_STYLES = (("iso", 60), ("uk", 40))
YES_NO_STYLES = ((("yes", "no"), 40), (("Yes", "No"), 25), (("Y", "N"), 15), (("TRUE", "FALSE"), 15),
                 (("1", "0"), 5))
YEAR_STYLES = (("{a}-{b:02d}", 60), ("{a}/{b:02d}", 25), ("{a}-{a1}", 10), ("{a}/{a1}", 5))
ENCODINGS = (("utf-8", 70), ("utf-8-sig", 15), ("cp1252", 15))

RETURN_COLUMNS = (
    "partner_id", "year", "return_type", "gain_ref", "description", "workstream", "spend", "kind",
    "gross_gbp", "costs_gbp", "cash_releasing", "ongoing", "first_impact", "evidence",
)

COUNT_FROM = dt.date(2008, 4, 1)


def pick(rng: random.Random, weighted: tuple) -> object:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


# ---- money spellings ------------------------------------------------------------------


def _commas(pence: int, decimals: bool) -> str:
    pounds, rest = divmod(pence, 100)
    text = f"{pounds:,}"
    return f"{text}.{rest:02d}" if decimals else text


def money(pence: int, style: str, rng: random.Random) -> str:
    """One amount in a partner's habitual spelling; negatives often in brackets."""
    negative = pence < 0
    pence = abs(pence)
    if style == "plain":
        text = f"{pence // 100}.{pence % 100:02d}"
    elif style == "whole":
        text = str(pence // 100)  # caller keeps whole pounds for this style
    elif style == "pound_commas":
        text = "£" + _commas(pence, decimals=pence % 100 != 0)
    else:  # commas
        text = _commas(pence, decimals=True)
    if not negative:
        return text
    if style in ("pound_commas", "commas") or rng.random() < 0.5:
        if style in ("plain", "whole"):
            text = _commas(pence, decimals=style == "plain")
        return f"({text})"
    return "-" + text


def zero(style: str) -> str:
    return {"plain": "0.00", "whole": "0", "pound_commas": "£0", "commas": "0.00"}[style]


# ---- the project ----------------------------------------------------------------------


def make_partners(rng: random.Random, count: int) -> list[dict]:
    partners = []
    used: set[str] = set()
    for index in range(count):
        sector, _, suffixes, name_suffix, (low, high) = pick(rng, tuple((s, s[1]) for s in SECTORS))
        place = rng.choice(PLACE_HEADS) + rng.choice(PLACE_TAILS)
        suffix = rng.choice(suffixes)
        pid = f"nhs-{place}" if suffix == "nhs" else f"{place}-{suffix}"
        base = pid
        n = 2
        while pid in used:
            pid = f"{base}-{n}"
            n += 1
        used.add(pid)
        name = f"{place.capitalize()} {name_suffix}"
        if pid != base:
            name += f" ({n - 1})"
        if sector == "fire" and rng.random() < 0.5:
            name = f"{place.capitalize()}, {rng.choice(PLACE_HEADS).capitalize()}shire and District {name_suffix}"
        baseline = rng.randrange(low, high) // 10_000 * 10_000
        in_target = rng.random() >= 0.03  # a few partners send returns without signing up
        sr04 = rng.random() < 0.6
        sr04_baseline = int(baseline * rng.uniform(0.85, 0.97)) // 100 * 100 if sr04 else None
        sr04_ongoing = int(sr04_baseline * rng.uniform(0.05, 0.10)) // 100 * 100 if sr04 else None
        partners.append(
            {
                "index": index,
                "partner_id": pid,
                "name": name,
                "sector": sector,
                "baseline": baseline,
                "in_target": in_target,
                "sr04_baseline": sr04_baseline,
                "sr04_ongoing": sr04_ongoing,
            }
        )
    return partners


def write_partners(path: Path, partners: list[dict], rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["partner_id", "name", "sector", "baseline_gbp", "in_target",
                         "sr04_baseline_gbp", "sr04_ongoing_gbp"])
        for p in partners:
            style = rng.choice(("plain", "pound_commas"))
            baseline = money(p["baseline"] * 100, style, rng)
            if not p["in_target"] and rng.random() < 0.5:
                baseline = ""  # not in the target: no baseline needed
            writer.writerow([
                p["partner_id"],
                p["name"],
                p["sector"] if rng.random() < 0.9 else p["sector"].capitalize(),
                baseline,
                ("yes" if p["in_target"] else "no") if rng.random() < 0.7 else ("" if p["in_target"] else "No"),
                "" if p["sr04_baseline"] is None else money(p["sr04_baseline"] * 100, style, rng),
                "" if p["sr04_ongoing"] is None else money(p["sr04_ongoing"] * 100, style, rng),
            ])


def partner_habits(rng: random.Random) -> dict:
    return {
        "money": pick(rng, MONEY_STYLES),
        "date": pick(rng, DATE_STYLES),
        "yes_no": pick(rng, YES_NO_STYLES),
        "year": pick(rng, YEAR_STYLES),
        "encoding": pick(rng, ENCODINGS),
        "ref": rng.choice(("{P}-EFF-{n:04d}", "{P}{n:03d}", "{P}/{y}/{n:03d}", "E{n}")),
        "capitalised": rng.random() < 0.15,  # "Procurement", "Actual", "Revenue"
        "kind_blank": rng.random() < 0.2,  # leaves kind blank for gains (default gain)
        "costs_blank": rng.random() < 0.2,  # leaves costs blank where there are none
        "omit": rng.choice(((),) * 16 + (("evidence",), ("kind",), ("costs_gbp", "evidence"))),
        "extra": rng.random() < 0.05,
        "header_case": rng.random() < 0.05,  # "Partner_ID", "Gross_GBP"
    }


def make_gains(rng: random.Random, partner: dict, habits: dict, lines: int) -> list[dict]:
    """A partner's gains, stable across its returns (each return is a snapshot)."""
    prefix = "".join(part[0] for part in partner["partner_id"].split("-")).upper()
    # Gains sized so that a year's return is near the cumulative target.
    per_line = max(partner["baseline"] * 0.03 / lines, 200.0)
    gains = []
    for n in range(1, lines + 1):
        workstream = rng.choices(WORKSTREAMS, WORKSTREAM_WEIGHTS)[0]
        disposal = workstream == "asset_management" and rng.random() < 0.25
        roll = rng.random()
        if roll < 0.06:  # out of period: first impact before count_from (SR04 gains)
            first = dt.date(2006, 4, 1) + dt.timedelta(days=rng.randrange(0, (COUNT_FROM - dt.date(2006, 4, 1)).days))
        else:
            first = COUNT_FROM + dt.timedelta(days=rng.randrange(0, 365))
        description = rng.choice(ACTIONS) + rng.choice(QUALIFIERS)
        if rng.random() < 0.1:
            description = f'{description} ("{rng.choice(PLACE_HEADS).capitalize()} project")'
        gains.append(
            {
                "ref": habits["ref"].format(P=prefix, n=n, y=str(FIRST_YEAR + 1)[2:]),
                "description": description,
                "workstream": workstream,
                "spend": "capital" if disposal or (workstream == "asset_management" and rng.random() < 0.5)
                or rng.random() < 0.05 else "revenue",
                "kind": "disposal" if disposal else "gain",
                "scale": per_line * rng.lognormvariate(0, 0.6) * (20 if disposal else 1),
                "cash": rng.random() >= 0.2,  # 20% productivity (non-cash) gains
                "first_impact": first,
                "evidence": rng.choice(EVIDENCE).format(n=rng.randrange(1, 13), c=rng.randrange(1000, 9999)),
                "lapse_year": rng.randrange(1, 12) if rng.random() < 0.35 else None,
            }
        )
    return gains


def format_date(day: dt.date, style: str) -> str:
    return day.isoformat() if style == "iso" else day.strftime("%d/%m/%Y")


def return_rows(rng: random.Random, partner: dict, habits: dict, gains: list[dict],
                year_index: int, return_type: str) -> list[list[str]]:
    year = FIRST_YEAR + year_index
    year_text = habits["year"].format(a=year, b=(year + 1) % 100, a1=year + 1)
    yes, no = habits["yes_no"]
    style = habits["money"]
    cap = str.capitalize if habits["capitalised"] else str
    growth = 1 + year_index + (0.05 if return_type == "forecast" else 0)
    rows = []
    for gain in gains:
        pence = int(gain["scale"] * growth * rng.uniform(0.9, 1.1) * 100)
        if style == "whole" or rng.random() < 0.3:
            pence = pence // 100 * 100
        if rng.random() < 0.005:
            pence = -max(pence // 10, 100)  # a correction: the gain reversed
        if rng.random() < 0.6:
            costs = "" if habits["costs_blank"] else zero(style)
        else:
            cost_pence = int(abs(pence) * rng.uniform(0.01, 0.3))
            if style == "whole":
                cost_pence = cost_pence // 100 * 100
            costs = money(cost_pence, style, rng)
        ongoing = gain["lapse_year"] is None or year_index < gain["lapse_year"]
        if rng.random() < 0.02:
            ongoing = False  # lapsed this year only (a forecast that did not hold)
        kind = gain["kind"]
        if kind == "gain" and habits["kind_blank"]:
            kind = ""
        rows.append([
            partner["partner_id"],
            year_text,
            cap(return_type),
            gain["ref"],
            gain["description"],
            cap(gain["workstream"]) if gain["workstream"] != "asset_management" else gain["workstream"],
            cap(gain["spend"]),
            kind,
            money(pence, style, rng),
            costs,
            yes if gain["cash"] else no,
            yes if ongoing else no,
            format_date(gain["first_impact"], habits["date"]),
            gain["evidence"],
        ])
    return rows


def write_return(path: Path, habits: dict, rows: list[list[str]], rng: random.Random) -> None:
    omit = set(habits["omit"])
    keep = [i for i, c in enumerate(RETURN_COLUMNS) if c not in omit]
    header = [RETURN_COLUMNS[i] for i in keep]
    if habits["header_case"]:
        header = ["_".join(w.capitalize() if w != "gbp" else "GBP" for w in h.split("_")) for h in header]
    if habits["extra"]:
        header.append(EXTRA_COLUMN)
    encoding = habits["encoding"]
    terminator = "\n" if encoding == "utf-8" else "\r\n"  # Excel writes CRLF
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator=terminator)  # quotes only where needed, as Excel
        writer.writerow(header)
        for row in rows:
            out = [row[i] for i in keep]
            if habits["extra"]:
                out.append(rng.choice(("", "finance team", "J. Smith, Head of Finance")))
            writer.writerow(out)


def write_config(project: Path, years: int) -> None:
    profile = [PROFILE_PATTERN[i % len(PROFILE_PATTERN)] for i in range(max(years, len(PROFILE_PATTERN)))]
    (project / "sitegen.toml").write_text(
        "# Synthetic partnership for sitegen's data-layer benchmark (bench/generate_returns.py).\n"
        "[site]\n"
        'title = "Benchmark Partnership efficiency returns"\n'
        'partnership = "Benchmark Partnership"\n'
        "\n"
        "[target]\n"
        'base_year = "2007-08"\n'
        f'first_year = "{FIRST_YEAR}-{(FIRST_YEAR + 1) % 100:02d}"\n'
        f"profile = [{', '.join(f'{p:.1f}' for p in profile)}]\n"
        'method = "additive"\n'
        'count_from = "2008-04-01"\n'
        "disposal_rate = 5.0\n"
        "sr04_threshold = 7.5\n",
        encoding="utf-8",
    )


def manifest_for(partners: int, years: int, lines: int, seed: int) -> dict:
    return {
        "generator_version": GENERATOR_VERSION,
        "partners": partners,
        "years": years,
        "lines_per_return": lines,
        "seed": seed,
        "return_files": partners * years * len(RETURN_TYPES),
        "return_lines": partners * years * len(RETURN_TYPES) * lines,
    }


def read_manifest(project: Path) -> dict | None:
    try:
        return json.loads((project / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def generate(project: Path, partners: int = 400, years: int = 5, lines: int = 250, seed: int = 179,
             force: bool = False) -> dict:
    """Write the project into `project`; return its manifest."""
    if partners < 1 or years < 1 or lines < 1:
        raise ValueError("partners, years and lines must be at least 1")
    project.mkdir(parents=True, exist_ok=True)
    if any(project.iterdir()) and read_manifest(project) is None and not force:
        raise FileExistsError(f"{project} is not empty and was not made by this generator (use --force)")
    (project / MANIFEST).unlink(missing_ok=True)  # incomplete until written again at the end
    data = project / "data"
    if data.exists():
        shutil.rmtree(data)
    returns_dir = data / "returns"
    returns_dir.mkdir(parents=True)
    write_config(project, years)
    top = random.Random(seed)
    plist = make_partners(top, partners)
    write_partners(data / "partners.csv", plist, top)
    for partner in plist:
        rng = random.Random(seed * 1_000_003 + partner["index"])
        habits = partner_habits(rng)
        gains = make_gains(rng, partner, habits, lines)
        for k in range(years):
            year = FIRST_YEAR + k
            for return_type in RETURN_TYPES:
                rows = return_rows(rng, partner, habits, gains, k, return_type)
                name = f"{partner['partner_id']}-{year}-{(year + 1) % 100:02d}-{return_type}.csv"
                write_return(returns_dir / name, habits, rows, rng)
    manifest = manifest_for(partners, years, lines, seed)
    (project / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="folder to write the project into")
    parser.add_argument("--partners", type=int, default=400, help="partners (default 400)")
    parser.add_argument("--years", type=int, default=5, help="financial years from 2008-09 (default 5)")
    parser.add_argument("--lines", type=int, default=250, help="lines per return (default 250)")
    parser.add_argument("--seed", type=int, default=179, help="random seed (default 179)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder anyway")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        manifest = generate(args.project, args.partners, args.years, args.lines, args.seed, args.force)
    except (ValueError, FileExistsError) as exc:
        print(f"generate_returns: {exc}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in (args.project / "data").rglob("*") if p.is_file())
    print(
        f"wrote {manifest['return_lines']:,} return lines in {manifest['return_files']:,} files "
        f"({size / 1e6:.1f} MB) to {args.project} in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
