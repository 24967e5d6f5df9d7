"""Memory over many builds in one process: `sitegen serve` rebuilds on every edit for as
long as it runs, so a build must leave nothing of itself behind when it returns.

Measured on the minimal fixture (20 builds, each after an edit, jobs=1; tracemalloc
started after build 4, figures after gc):
- with `functools.cache` on `Renderer.template_closure` (the leak of issue 14): one more
  live Renderer per build (20 after build 20), and traced memory growing by about
  700 KB a build, 10.4 MB from build 5 to build 20;
- with the cache kept on the renderer: no Renderer alive between builds, and traced
  memory within ±20 KB from build 5 to build 20.

The test runs 10 builds (traced from build 5): the leak above would show as one more
Renderer per build and about 3.5 MB of growth, fourteen times the allowance.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from sitegen.build.pipeline import BuildOptions, build
from sitegen.config import load_config
from sitegen.render.pages import Renderer

BUILDS = 10
TRACE_FROM = 5  # builds before it run untraced (tracemalloc slows a build threefold), and warm the caches
# Well above the noise (±20 KB) and well below what one leaked build holds (~700 KB).
ALLOWED_GROWTH = 256 * 1024


def live_renderers() -> int:
    gc.collect()
    return sum(isinstance(o, Renderer) for o in gc.get_objects())


def test_rebuilding_ten_times_keeps_memory_flat(copy_fixture: Callable[[str], Path]) -> None:
    project = copy_fixture("minimal")
    paper = project / "content" / "paper.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("pdf: true", "pdf: false"), encoding="utf-8")
    index = project / "content" / "index.md"  # edited before every build, as in `sitegen serve`
    already_alive = live_renderers()

    renderers: list[int] = []
    traced: dict[int, int] = {}
    try:
        for number in range(1, BUILDS + 1):
            if number == TRACE_FROM:
                tracemalloc.start()
            index.write_text(index.read_text(encoding="utf-8") + "\nA sentence added by the officer.\n",
                             encoding="utf-8")
            result = build(load_config(project), BuildOptions(jobs=1))
            assert result.made >= 1  # the edited page was rendered anew: a real build
            renderers.append(live_renderers() - already_alive)
            if number >= TRACE_FROM:
                traced[number] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()

    assert renderers == [0] * BUILDS, f"Renderers still alive after each build: {renderers}"
    growth = traced[BUILDS] - traced[TRACE_FROM]
    assert growth < ALLOWED_GROWTH, f"memory grew by {growth:,} bytes from build {TRACE_FROM} to build {BUILDS}"
