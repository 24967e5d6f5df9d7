"""Very large inputs: does sitegen finish, or fail clearly, with memory bounded?

Three limits (issue 7), each a generated project built by `sitegen` in a fresh child
process whose peak RSS (its own and its children's `ru_maxrss`) and wall time are
reported:

- returns: one returns file of N MB (default 200) → `sitegen build`;
- pages: N Markdown pages (default 50,000) → `sitegen check`;
- pdf-table: one page with an N-row table (default 5,000) and `pdf: true` → `sitegen build`.

    .venv/bin/python bench/bench_limits.py                       # all three at full size
    .venv/bin/python bench/bench_limits.py --only returns --returns-mb 20 --keep /tmp/limits

tests/test_limits.py runs the same scenarios, smaller, and asserts their memory bounds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import generate_returns

BYTES_PER_LINE = 190  # about, for the generator's return lines
PARTNERS_PER_100MB = 200  # partners in a returns project, per 100 MB of returns
YEARS = 3

# Runs sitegen's command line in this process and leaves its peak RSS (KiB, this process
# or any child it waited for) in the file named by SITEGEN_PEAK_OUT.
_CHILD = """
import os, resource, sys
from sitegen.cli import main
try:
    main(sys.argv[1:], prog_name="sitegen")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
else:
    code = 0
finally:
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    open(os.environ["SITEGEN_PEAK_OUT"], "w").write(str(peak))
sys.exit(code)
"""


def run_sitegen(args: list[str], timeout: float | None = None) -> dict:
    """`sitegen ARGS` in a fresh process: exit status, output, wall seconds, peak RSS bytes."""
    with tempfile.TemporaryDirectory() as work:
        peak_file = Path(work) / "peak"
        env = dict(os.environ, SITEGEN_PEAK_OUT=str(peak_file), PYTHONPATH=str(REPO_ROOT))
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True,
                              timeout=timeout, env=env, check=False)
        wall = time.perf_counter() - start
        kib = int(peak_file.read_text()) if peak_file.exists() else 0
    peak = kib if sys.platform == "darwin" else kib * 1024
    return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "wall_s": wall,
            "peak_rss_bytes": peak}


# ---- the projects -------------------------------------------------------------------------


def _site_files(project: Path, pages: dict[str, str]) -> None:
    project.mkdir(parents=True, exist_ok=True)
    for relative, text in pages.items():
        path = project / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


HOME = """---
title: Limits
---
# Limits

{{ table("ni179_total") }}
"""


def write_returns_project(project: Path, megabytes: float, seed: int = 179) -> int:
    """A project whose returns are ONE file of about `megabytes` MB; returns its line count."""
    partners_count = max(2, round(PARTNERS_PER_100MB * megabytes / 100))
    per_return = max(1, round(megabytes * 1e6 / BYTES_PER_LINE / (partners_count * YEARS * 2)))
    (project / "data").mkdir(parents=True, exist_ok=True)
    generate_returns.write_config(project, YEARS)
    top = random.Random(seed)
    partners = generate_returns.make_partners(top, partners_count)
    generate_returns.write_partners(project / "data" / "partners.csv", partners, top)
    written = 0
    with (project / "data" / "returns.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(generate_returns.RETURN_COLUMNS)
        for partner in partners:
            rng = random.Random(seed * 1_000_003 + partner["index"])
            habits = generate_returns.partner_habits(rng)
            gains = generate_returns.make_gains(rng, partner, habits, per_return)
            for year_index in range(YEARS):
                for return_type in generate_returns.RETURN_TYPES:
                    rows = generate_returns.return_rows(rng, partner, habits, gains, year_index, return_type)
                    writer.writerows(rows)
                    written += len(rows)
    _site_files(project, {"index.md": HOME})
    return written


def _small_returns(project: Path, seed: int) -> None:
    generate_returns.generate(project, partners=3, years=1, lines=4, seed=seed, force=True)


def write_pages_project(project: Path, pages: int, seed: int = 179) -> None:
    """`pages` Markdown pages, a hundred to a folder, each linking home and to its neighbour."""
    project.mkdir(parents=True, exist_ok=True)
    _small_returns(project, seed)
    rng = random.Random(seed)
    words = ("shared", "service", "procurement", "saving", "partner", "council", "efficiency", "target",
             "review", "contract", "estate", "district", "county", "cash", "releasing", "gain")
    files = {"index.md": HOME}
    for number in range(1, pages):
        folder, item = divmod(number, 100)
        neighbour = f"../page-{(item + 1) % 100:02d}/" if number + 1 < pages and item < 99 else "../../"
        paragraphs = "\n\n".join(" ".join(rng.choice(words) for _ in range(60)).capitalize() + "."
                                 for _ in range(4))
        files[f"section-{folder:03d}/page-{item:02d}.md"] = (
            f"---\ntitle: Page {number}\nnav: false\n---\n# Page {number}\n\n{paragraphs}\n\n"
            f"| Saving | 2008-09 | 2009-10 |\n|---|---:|---:|\n| Shared service | £{rng.randrange(1000, 99999):,} "
            f"| £{rng.randrange(1000, 99999):,} |\n\n[Next]({neighbour}) · [Home](../../)\n"
        )
    _site_files(project, files)


def write_pdf_table_project(project: Path, rows: int, seed: int = 179) -> None:
    """One page with a `rows`-row table of a data file, made into a PDF."""
    project.mkdir(parents=True, exist_ok=True)
    _small_returns(project, seed)
    rng = random.Random(seed)
    with (project / "data" / "register.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ref", "description", "owner", "status", "amount"])
        for number in range(1, rows + 1):
            writer.writerow([f"R{number:05d}", f"Register entry {number} for the shared service review",
                             rng.choice(("Finance", "Property", "ICT", "Procurement")),
                             rng.choice(("open", "closed", "deferred")), f"{rng.randrange(100, 999999):,}"])
    _site_files(project, {
        "index.md": HOME,
        "register.md": "---\ntitle: Register\npdf: true\n---\n# Register\n\n"
                       '{{ table("register", caption="Every entry of the register") }}\n',
    })


# ---- the bench ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("returns", "pages", "pdf-table"), action="append")
    parser.add_argument("--returns-mb", type=float, default=200.0)
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--pdf-rows", type=int, default=5_000)
    parser.add_argument("--keep", type=Path, help="make the projects in this folder and leave them there")
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = parser.parse_args(argv)
    chosen = args.only or ["returns", "pages", "pdf-table"]
    root = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-limits-"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results = {}
    for scenario in chosen:
        project = root / scenario
        start = time.perf_counter()
        if scenario == "returns":
            size = f"{args.returns_mb:g} MB returns file"
            lines = write_returns_project(project, args.returns_mb)
            size += f" ({lines:,} lines, {(project / 'data' / 'returns.csv').stat().st_size / 1e6:.0f} MB)"
            command = ["build", "-C", str(project)]
        elif scenario == "pages":
            size = f"{args.pages:,} pages"
            write_pages_project(project, args.pages)
            command = ["check", "-C", str(project)]
        else:
            size = f"{args.pdf_rows:,}-row table in a PDF"
            write_pdf_table_project(project, args.pdf_rows)
            command = ["build", "-C", str(project)]
        print(f"{scenario}: generated {size} in {time.perf_counter() - start:.1f} s; sitegen {command[0]} ...",
              flush=True)
        result = run_sitegen(command)
        results[scenario] = {"size": size, "command": command[0], **{k: v for k, v in result.items()
                                                                      if k not in ("stdout", "stderr")}}
        status = "completed" if result["returncode"] == 0 else f"FAILED (exit {result['returncode']})"
        print(f"{scenario}: {size}: sitegen {command[0]} {status} in {result['wall_s']:.1f} s, "
              f"peak RSS {result['peak_rss_bytes'] / 1e6:,.0f} MB", flush=True)
        if result["returncode"] != 0:
            print((result["stdout"] + result["stderr"])[-3000:], file=sys.stderr)
    if load is not None and load > 0.7:
        print(f"load average before the runs: {load:.2f}: the machine was busy, wall times are inflated")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if all(r["returncode"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
