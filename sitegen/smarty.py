"""Smart quotes, dashes and ellipses: Python-Markdown's smarty, passing over text that
has nothing for it.

smarty runs its patterns (18 regular expressions) over every text node of a page, and
that is half the time Markdown takes; a money table alone has dozens of cells. Each of
its patterns needs a quote, `--` or `...` (sitegen leaves angled quotes off), so a node
with none of them comes out of smarty's pass unchanged, and is left alone here. The
output is smarty's, byte for byte (tests/test_render.py renders both and compares).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown, util
from markdown.extensions.smarty import SmartyExtension
from markdown.treeprocessors import InlineProcessor

CAN_MATCH = re.compile(r"""['"]|--|\.\.\.""")


class _QuickSmartyProcessor(InlineProcessor):
    # Overrides InlineProcessor's per-text step (name-mangled as Python does for
    # `__handleInline`). Were that name ever to change, this would no longer be called
    # and smarty would simply run in full: slower, never different.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString) or not CAN_MATCH.search(data):
            return data
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)  # type: ignore[attr-defined]


class QuickSmarty(SmartyExtension):
    """`smarty` with the defaults sitegen uses; refuses angled quotes, which need `<<`."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        if self.getConfig("smart_angled_quotes"):
            raise ValueError("QuickSmarty does not do angled quotes")

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        super().extendMarkdown(md)
        full = md.treeprocessors["smarty"]
        quick = _QuickSmartyProcessor(md)
        quick.inlinePatterns = full.inlinePatterns
        md.treeprocessors.register(quick, "smarty", 6)
