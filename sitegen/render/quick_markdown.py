"""Python-Markdown, passing over text its inline patterns cannot match.

Python-Markdown tries every inline pattern (links, emphasis, code… 16 of them) and then
smarty's (18 regular expressions, for curly quotes and dashes) on every text node of a
page, and that is most of the time Markdown takes: a money table alone has dozens of
cells, and nearly all hold plain words and figures. Each pattern needs some character
to match at all — a backtick, `[`, `<`, `&`, `*`, `_`, `~`, a backslash or two spaces
before a line break; for smarty a quote, `--` or `...` — so a text node with none of
them comes out of the pattern loop unchanged, and is left alone here.

Both processors override InlineProcessor's per-text step (name-mangled, as Python does
for `__handleInline`). The inline patterns are checked against the exact regular
expressions vetted below each time a page is converted; any other pattern (another
extension, another Markdown version) turns the shortcut off, as does a rename of the
step, which would leave this override uncalled: slower then, never different. The
output is Python-Markdown's byte for byte (tests/test_render.py compares them).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.extensions.smarty import SmartyExtension
from markdown.treeprocessors import InlineProcessor

# Python-Markdown 3.11's inline patterns, with pymdownx.tilde's and footnotes': each
# regular expression, and what a text must hold for it to match there.
NEEDS = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),
    r"\\(.)": ("\\",),
    r"\[\^([^\]]*)\]": ("[",),
    r"(?<!\!)\[": ("[",),
    r"\!\[": ("[",),
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),
    r"<([^<> !]+@[^@<> ]+)>": ("<",),
    r"  \n": ("  \n",),
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
    r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),
    r"\*|_": ("*", "_"),
    r"\~": ("~",),
}
SMARTY_NEEDS = re.compile(r"""['"]|--|\.\.\.""")  # with angled quotes off


def needs_of(processor: InlineProcessor) -> re.Pattern[str] | None:
    """What a text must hold for one of the processor's patterns to match; None when a
    pattern is not one vetted in NEEDS."""
    needed: set[str] = set()
    for pattern in processor.inlinePatterns:
        compiled = getattr(pattern, "compiled_re", None)
        if compiled is None or compiled.pattern not in NEEDS:
            return None
        needed.update(NEEDS[compiled.pattern])
    return re.compile("|".join(re.escape(text) for text in sorted(needed)))


class _QuickProcessor(InlineProcessor):
    can_match: re.Pattern[str] | None = None  # None: run every pattern on every text

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if self.can_match is not None and (isinstance(data, util.AtomicString) or not self.can_match.search(data)):
            return data
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)  # type: ignore[attr-defined]


class _QuickInlineProcessor(_QuickProcessor):
    def run(self, tree: Element, ancestors: list[str] | None = None) -> Element:
        self.can_match = needs_of(self)  # patterns may be registered after this extension
        return super().run(tree, ancestors)


class QuickInline(Extension):
    """Markdown's inline patterns, run only on text that has what one of them needs."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_QuickInlineProcessor(md), "inline", 20)  # where Markdown puts its own


class QuickSmarty(SmartyExtension):
    """`smarty` (sitegen's settings: angled quotes off), run only on text with a quote, `--` or `...`."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        if self.getConfig("smart_angled_quotes"):
            raise ValueError("QuickSmarty does not do angled quotes")

    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        quick = _QuickProcessor(md)
        quick.inlinePatterns = md.treeprocessors["smarty"].inlinePatterns
        quick.can_match = SMARTY_NEEDS
        md.treeprocessors.register(quick, "smarty", 6)
