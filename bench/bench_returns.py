"""Benchmark sitegen's data layer: load_config + load_data + compute_tables on a big project.

Generates (or reuses) a synthetic project with bench/generate_returns.py, then runs
the three stages in a FRESH Python process per run (no warm caches, no memory left
over from generation) and reports, per stage, wall time, CPU time (user + system),
RSS at the end of the stage and the stage's peak RSS (getrusage ru_maxrss in the
child, its high-water mark reset at the start of each stage on Linux).

The target: 1 million return lines in under 5 s (the three stages' wall time) and
under 1.5 GB peak RSS (the whole child process, imports included).

    .venv/bin/python bench/bench_returns.py                 # full size: 1,000,000 lines
    .venv/bin/python bench/bench_returns.py --smoke         # tiny, seconds: for CI
    .venv/bin/python bench/bench_returns.py --repeat 3 --keep /tmp/sitegen-bench
    .venv/bin/python bench/bench_returns.py --keep /tmp/sitegen-bench --profile cprofile
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import generate_returns  # noqa: E402

TARGET_LINES = 1_000_000
TARGET_WALL_S = 5.0
TARGET_PEAK_BYTES = 1.5e9  # 1.5 GB (10^9 bytes: stricter than GiB)
STAGES = ("load_config", "load_data", "compute_tables")
BUSY_LOAD = 0.7  # 1-minute load average above which other processes distort wall times
SMOKE = {"partners": 5, "years": 2, "lines": 20}


# ---- the child: one fresh process, one measured run -------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the process's RSS high-water mark (Linux), so ru_maxrss becomes per stage."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sys() -> float:
    """System CPU time: on the project's VM mostly the zeroing of freshly touched memory."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def _maxrss_bytes() -> int:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib if sys.platform == "darwin" else kib * 1024  # bytes on macOS, KiB on Linux


def child_main(args: argparse.Namespace) -> int:
    """Run the stages once and write the measurements as JSON to args.child_out."""
    project = Path(args.child)
    result: dict = {"stages": {}, "per_stage_peak": False}
    start_wall, start_cpu = time.perf_counter(), _cpu()

    def measure(name: str, run, reset: bool = True):
        if reset:
            result["per_stage_peak"] = _reset_peak() or result["per_stage_peak"]
        wall, cpu, system = time.perf_counter(), _cpu(), _sys()
        value = run()
        result["stages"][name] = {
            "wall_s": time.perf_counter() - wall,
            "cpu_s": _cpu() - cpu,
            "sys_s": _sys() - system,
            "rss_end_bytes": (_status_kib("VmRSS") or 0) * 1024,
            "peak_rss_bytes": _maxrss_bytes(),
        }
        return value

    def do_imports():
        sys.path.insert(0, str(REPO_ROOT))
        import sitegen.config
        import sitegen.data.load
        import sitegen.errors
        import sitegen.tables.compute

        return (sitegen.config.load_config, sitegen.data.load.load_data, sitegen.tables.compute.compute_tables,
                sitegen.errors)

    load_config, load_data, compute_tables, errors = measure("imports", do_imports, reset=False)

    profiler = None
    if args.profile == "cprofile":
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    elif args.profile == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.01)  # coarse: finer sampling costs time and memory
        profiler.start()
    try:
        config = measure("load_config", lambda: load_config(project))
        dataset = measure("load_data", lambda: load_data(config))
        tables = measure("compute_tables", lambda: compute_tables(dataset, config))
    except errors.SitegenError as exc:
        print(f"bench child: the build is not clean: {str(exc)[:4000]}", file=sys.stderr)
        return 3
    finally:
        if args.profile == "cprofile":
            profiler.disable()
        elif args.profile == "pyinstrument":
            profiler.stop()
    result["child_wall_s"] = time.perf_counter() - start_wall
    result["child_cpu_s"] = _cpu() - start_cpu
    result["peak_rss_bytes"] = max(s["peak_rss_bytes"] for s in result["stages"].values())

    if profiler is not None:
        _write_profile(args.profile, profiler, Path(args.profile_out))

    # Sanity checks and sizes, after the clock has stopped.
    result["lines_loaded"] = len(dataset.lines)
    result["returns"] = len(tables["ni179"].frame)
    result["warnings"] = len(dataset.warnings)
    result["tables"] = {name: len(table.frame) for name, table in tables.items()}
    if args.sizes:
        result["sizes_bytes"] = {
            "dataset.lines": int(dataset.lines.memory_usage(deep=True).sum()),
            "return_lines table": int(tables["return_lines"].frame.memory_usage(deep=True).sum()),
        }
    problems = []
    if args.expect_lines is not None and result["lines_loaded"] != args.expect_lines:
        problems.append(f"loaded {result['lines_loaded']} lines, expected {args.expect_lines}")
    if args.expect_returns is not None and result["returns"] != args.expect_returns:
        problems.append(f"ni179 has {result['returns']} returns, expected {args.expect_returns}")
    if "returns_missing" in tables and len(tables["returns_missing"].frame):
        problems.append(f"{len(tables['returns_missing'].frame)} returns reported missing, expected none")
    result["problems"] = problems
    Path(args.child_out).write_text(json.dumps(result), encoding="utf-8")
    return 0


def _write_profile(kind: str, profiler, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "cprofile":
        import io
        import pstats

        profiler.dump_stats(str(out.with_suffix(".prof")))
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        out.write_text(text.getvalue(), encoding="utf-8")
    else:
        out.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        out.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")


# ---- the parent: project, runs, report ---------------------------------------------------


def ensure_project(folder: Path, partners: int, years: int, lines: int, seed: int) -> tuple[dict, bool]:
    """Reuse the project in folder if it was generated with the same settings."""
    wanted = generate_returns.manifest_for(partners, years, lines, seed)
    if generate_returns.read_manifest(folder) == wanted:
        return wanted, False
    start = time.perf_counter()
    print(f"generating {wanted['return_lines']:,} return lines in {folder} ...", flush=True)
    generate_returns.generate(folder, partners, years, lines, seed)
    print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)
    return wanted, True


def run_child(project: Path, manifest: dict, args: argparse.Namespace, work: Path, run: int) -> dict:
    out = work / f"run-{run}.json"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", str(project), "--child-out", str(out),
        "--expect-lines", str(manifest["return_lines"]),
        "--expect-returns", str(manifest["return_files"]),
    ]
    if args.sizes:
        command.append("--sizes")
    if args.profile:
        command += ["--profile", args.profile, "--profile-out", str(args.profile_out)]
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: the measured process failed (exit {done.returncode})")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["process_wall_s"] = elapsed  # interpreter start-up and exit included
    result["load_before"] = load_before
    result["load_after"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return result


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f}"


def report(results: list[dict], manifest: dict, data_bytes: int, args: argparse.Namespace) -> dict:
    runs = len(results)

    def series(stage: str | None, key: str) -> list[float]:
        if stage is None:
            return [r[key] for r in results]
        return [r["stages"][stage][key] for r in results]

    for r in results:
        r["stages_wall_s"] = sum(r["stages"][s]["wall_s"] for s in STAGES)
        r["stages_cpu_s"] = sum(r["stages"][s]["cpu_s"] for s in STAGES)
    lines = manifest["return_lines"]
    print()
    print(
        f"sitegen data layer: {manifest['partners']} partners × {manifest['years']} years × 2 return types × "
        f"{manifest['lines_per_return']} lines = {lines:,} lines in {manifest['return_files']:,} files "
        f"({data_bytes / 1e6:.0f} MB)"
    )
    import pandas  # only for the versions line: the parent never loads data

    print(
        f"Python {platform.python_version()}, pandas {pandas.__version__}, {os.cpu_count()} CPUs; "
        f"{runs} run{'s' if runs > 1 else ''}, each in a fresh process"
        + (f"; PROFILED with {args.profile}: times inflated" if args.profile else "")
    )
    per_stage = results[0]["per_stage_peak"]
    peak_label = "peak MB" if per_stage else "peak so far MB"
    print()
    header = f"{'stage':<16}{'wall s':>9}{'(best)':>9}{'CPU s':>9}{'(sys)':>9}{'RSS end MB':>12}{peak_label:>16}"
    print(header)
    print("-" * len(header))
    for stage in ("imports", *STAGES):
        print(
            f"{stage:<16}{statistics.median(series(stage, 'wall_s')):>9.2f}{min(series(stage, 'wall_s')):>9.2f}"
            f"{statistics.median(series(stage, 'cpu_s')):>9.2f}{statistics.median(series(stage, 'sys_s')):>9.2f}"
            f"{_mb(statistics.median(series(stage, 'rss_end_bytes'))):>12}"
            f"{_mb(statistics.median(series(stage, 'peak_rss_bytes'))):>16}"
        )
    print("-" * len(header))
    wall = series(None, "stages_wall_s")
    cpu = series(None, "stages_cpu_s")
    peak = series(None, "peak_rss_bytes")
    print(f"{'3 stages':<16}{statistics.median(wall):>9.2f}{min(wall):>9.2f}{statistics.median(cpu):>9.2f}"
          f"{statistics.median(sum(r['stages'][s]['sys_s'] for s in STAGES) for r in results):>9.2f}"
          f"{'':>12}{_mb(statistics.median(peak)):>16}")
    print(f"{'whole process':<16}{statistics.median(series(None, 'process_wall_s')):>9.2f}"
          f"{min(series(None, 'process_wall_s')):>9.2f}{statistics.median(series(None, 'child_cpu_s')):>9.2f}")
    print("(wall and CPU: median of the runs, (best) the fastest, (sys) the system part of the CPU; peak RSS: median; "
          + ("peak per stage, high-water mark reset at each stage start)" if per_stage
             else "ru_maxrss so far: cumulative)"))
    first = results[0]
    print(f"loaded {first['lines_loaded']:,} lines, {first['returns']:,} returns, "
          f"{first['warnings']} warnings; tables: "
          + ", ".join(f"{k} {v}" for k, v in first["tables"].items() if k in ("ni179", "ni179_total", "workstreams",
                                                                            "return_lines")))
    loads = [r["load_before"] for r in results if r.get("load_before") is not None]
    if loads:
        busy = max(loads) > BUSY_LOAD
        print(f"load average (1 min) before the runs: {', '.join(f'{x:.2f}' for x in loads)}"
              + (f": WARNING the machine was busy with other work, wall times are inflated;"
                 f" the CPU times are the fairer figure" if busy else ""))
    if "sizes_bytes" in first:
        print("in memory after the run: " + ", ".join(f"{k} {_mb(v)} MB" for k, v in first["sizes_bytes"].items()))

    best_wall, median_wall = min(wall), statistics.median(wall)
    best_peak = min(peak)
    wall_ok = median_wall < TARGET_WALL_S
    peak_ok = max(peak) < TARGET_PEAK_BYTES
    full = lines >= TARGET_LINES
    verdict = (
        f"{'PASS' if wall_ok else 'MISS'} time, {'PASS' if peak_ok else 'MISS'} memory"
        if full else f"not judged: the targets apply at {TARGET_LINES:,} lines"
    )
    print()
    print(
        f"SUMMARY: {lines:,} lines: {median_wall:.2f} s wall (best {best_wall:.2f} s, CPU {statistics.median(cpu):.2f} s),"
        f" peak RSS {max(peak) / 1e9:.2f} GB (best {best_peak / 1e9:.2f} GB); target: 1 million lines in "
        f"under {TARGET_WALL_S:g} s and under {TARGET_PEAK_BYTES / 1e9:g} GB peak: {verdict}"
    )
    return {
        "manifest": manifest,
        "data_bytes": data_bytes,
        "runs": results,
        "stages_wall_s": {"best": best_wall, "median": median_wall},
        "peak_rss_bytes": {"best": best_peak, "max": max(peak)},
        "targets_apply": full,
        "wall_ok": wall_ok,
        "peak_ok": peak_ok,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=400, help="partners (default 400)")
    parser.add_argument("--years", type=int, default=5, help="financial years (default 5)")
    parser.add_argument("--lines", type=int, default=250, help="lines per return (default 250)")
    parser.add_argument("--seed", type=int, default=179, help="generator seed (default 179)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate the project in DIR and keep it; reused when its settings match")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="runs, each in a fresh process")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny project (5 partners × 2 years × 20 lines), seconds: checks the bench runs")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a target is missed (at full size)")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"),
                        help="profile the three stages in the child (times are inflated)")
    parser.add_argument("--profile-out", type=Path, default=None, metavar="FILE",
                        help="where the profile goes (default bench-profile-<kind>.txt in the current folder)")
    parser.add_argument("--sizes", action="store_true",
                        help="also report the deep memory size of the loaded lines and the return_lines table")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all measurements as JSON")
    # internal: the measured child process
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--expect-lines", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--expect-returns", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.partners, args.years, args.lines = SMOKE["partners"], SMOKE["years"], SMOKE["lines"]
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.profile and args.profile_out is None:
        args.profile_out = Path.cwd() / f"bench-profile-{args.profile}.txt"
    if args.profile_out is not None:
        args.profile_out = args.profile_out.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as tmp:
        work = Path(tmp)
        project = args.keep.resolve() if args.keep else work / "project"
        manifest, _ = ensure_project(project, args.partners, args.years, args.lines, args.seed)
        data_bytes = sum(p.stat().st_size for p in (project / "data").rglob("*") if p.is_file())
        results = []
        for run in range(args.repeat):
            result = run_child(project, manifest, args, work, run)
            if result["problems"]:
                print("bench: " + "; ".join(result["problems"]), file=sys.stderr)
                return 1
            print(f"run {run + 1}/{args.repeat}: {sum(result['stages'][s]['wall_s'] for s in STAGES):.2f} s, "
                  f"peak {result['peak_rss_bytes'] / 1e6:,.0f} MB", flush=True)
            results.append(result)
        summary = report(results, manifest, data_bytes, args)
        if args.profile:
            print(f"profile written to {args.profile_out}")
        if args.json:
            args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    if args.check and summary["targets_apply"] and not (summary["wall_ok"] and summary["peak_ok"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
