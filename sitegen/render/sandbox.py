"""Page bodies run sandboxed, within limits, and what they print is text to Markdown.

A page body is a Jinja template written by whoever edits `content/`: it may call
`table()`, `rows()` and the filters, but it must not reach Python (`lipsum.__globals__`,
`page.source.read_text()`), change the objects it is shown, or keep a build busy for
ever. So bodies are rendered by Jinja's `ImmutableSandboxedEnvironment` (the project's
and the theme's templates stay trusted and are rendered unsandboxed), with three
things on top of what Jinja's sandbox refuses:

- attributes of the objects a page sees that are paths, modules or methods of
  anything but plain values (text, numbers, dates, lists and dicts) are refused, so
  `page.source` and `page.locate` are out of reach as much as `__class__` is;
- a page's loops may run `MAX_ITERATIONS` times in all, its calls nest `MAX_DEPTH`
  deep and it may take `MAX_SECONDS` to render; `*` and `**` may not make a text,
  list or number larger than `MAX_SIZE`; a breach stops the page with `LimitExceeded`;
- every value a body prints with `{{ … }}` is set aside and put back only after
  Markdown has run, HTML-escaped unless sitegen made it as HTML (a table or a chart):
  a partner's description `[phish](http://evil.example/)` or `<a href=…>` is shown as
  those characters, never made a link, and `{{ r.description }}` in a table cell, a
  heading or a link's text is still just its text there.

Why set aside rather than backslash-escape Markdown's specials: Markdown has
constructs no backslash escapes (a `:` starting a definition, `|` splitting a table
cell, a line of `=` under text), and a backslash shows as itself inside code spans.
Set-aside values are Python-Markdown's own placeholders (its "HTML stash"), which
every part of Markdown already passes over as opaque, and which the table of
contents reads as their text.
"""

from __future__ import annotations

import datetime as dt
import html
import operator
import re
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import PurePath
from types import ModuleType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markupsafe import Markup

MAX_ITERATIONS = 1_000_000  # loop iterations in one page body, all loops together
MAX_DEPTH = 64  # calls (macros, loop(), functions) nested in one another
MAX_SECONDS = 30.0  # to render one page body
MAX_SIZE = 10_000_000  # characters or items `*` may make; bits `**` may make

BUDGET = "_sitegen_budget"  # the names under which a render's budget and printed values travel in its context
PRINTED = "_sitegen_printed"
COUNTED = "sitegen_counted"  # the filter every `{% for %}` of a body loops through

# Markdown's NormalizeWhitespace strips its own placeholder characters from the source,
# so printed values travel as private-use characters and become placeholders after it.
_OPEN, _CLOSE = "\ue000", "\ue001"
_TOKEN = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")

# Methods of these may be called from a page ("x".upper(), d.items(), day.strftime(…)).
_PLAIN = (str, int, float, Decimal, dt.date, dt.time, list, tuple, dict, set, frozenset)


class LimitExceeded(Exception):
    """A page body went past one of the limits above; the message says which."""


class Budget:
    """What one page body may still spend: loop iterations, call depth and time."""

    def __init__(self) -> None:
        self.iterations = 0
        self.depth = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def tick(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise LimitExceeded(f"stopped: its loops ran more than {MAX_ITERATIONS:,} times"
                                f" (a page's loops may run {MAX_ITERATIONS:,} times in all)")
        if self.iterations % 512 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"stopped: it took more than {MAX_SECONDS:g} seconds to render"
                                f" (a page body may take {MAX_SECONDS:g} s)")


class PageSandbox(ImmutableSandboxedEnvironment):
    """The environment page bodies are rendered in (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any):
        super().__init__(finalize=_set_aside, **options)
        self.filters[COUNTED] = _counted

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(value, PurePath | ModuleType | type):
            return False
        if callable(value) and not isinstance(value, Markup | str):
            return isinstance(getattr(value, "__self__", None), _PLAIN)
        return True

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = __context.get(BUDGET)
        if budget is None:
            return super().call(__context, __obj, *args, **kwargs)
        budget.check_time()
        budget.depth += 1
        try:
            if budget.depth > MAX_DEPTH:
                raise LimitExceeded(f"stopped: calls nested more than {MAX_DEPTH} deep (a macro calling itself?)")
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1

    def call_binop(self, context: jinja2.runtime.Context, op: str, left: Any, right: Any) -> Any:
        if op == "*":
            for sized, count in ((left, right), (right, left)):
                if isinstance(sized, str | list | tuple) and isinstance(count, int) and len(sized) * count > MAX_SIZE:
                    raise LimitExceeded(f"stopped: `*` would make {len(sized) * count:,} characters or items"
                                        f" (at most {MAX_SIZE:,})")
            return operator.mul(left, right)
        if isinstance(left, int) and isinstance(right, int) and right > 0 \
                and max(left.bit_length(), 1) * right > MAX_SIZE:
            raise LimitExceeded(f"stopped: `**` would make a number of more than {MAX_SIZE:,} bits")
        return operator.pow(left, right)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The body's syntax tree, each `{% for %}` looping through the budget's counter."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, COUNTED, [], [], None, None, lineno=loop.iter.lineno)
        return tree


@jinja2.pass_context
def _counted(context: jinja2.runtime.Context, items: Iterable[Any]) -> Iterator[Any]:
    budget = context.get(BUDGET)
    for item in items:
        if budget is not None:
            budget.tick()
        yield item


@jinja2.pass_context
def _set_aside(context: jinja2.runtime.Context, value: Any) -> Any:
    """What `{{ value }}` writes into the body: a token standing for it until Markdown is done."""
    printed = context.get(PRINTED)
    if printed is None:
        return value
    if isinstance(value, Markup):  # HTML sitegen made (a table, a chart) or an author's `| safe`
        text = str(value)
        core = _TOKEN.sub(lambda match: _value(printed, match), text.strip())  # a {% set %} block's own
        lead, trail = _space(text[: len(text) - len(text.lstrip())]), _space(text[len(text.rstrip()):])
        printed.append(core)
        return Markup(f"{lead}{_OPEN}{len(printed) - 1}{_CLOSE}{trail}")
    printed.append(html.escape(_CONTROL.sub("", str(value)), quote=True))
    return Markup(f"{_OPEN}{len(printed) - 1}{_CLOSE}")


def _space(white: str) -> str:
    """The whitespace around a block of HTML as Markdown needs it: its line breaks, not the
    spaces that would keep a paragraph from being that block alone."""
    return "\n" * min(white.count("\n"), 2) or (" " if white else "")


def _value(printed: list[str], match: re.Match[str]) -> str:
    index = int(match.group(1))
    return printed[index] if index < len(printed) else ""


def body_context(context: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A page body's context with a fresh budget, and the list its printed values go to."""
    printed: list[str] = []
    return context | {BUDGET: Budget(), PRINTED: printed}, printed


class PrintedValues(Extension):
    """Puts each printed value into Markdown's stash before any block or inline parsing,
    so that Markdown passes over it and puts it back, as it is, in the HTML it makes.

    `values` is set before each conversion (one instance per converter)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's name
        md.preprocessors.register(_Restore(md, self), "sitegen_printed_values", 29)  # after normalize_whitespace


class _Restore(Preprocessor):
    def __init__(self, md: Markdown, extension: PrintedValues):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        values = self.extension.values
        if not values:
            return lines

        def stash(match: re.Match[str]) -> str:
            return self.md.htmlStash.store(_value(values, match))

        return [_TOKEN.sub(stash, line) if _OPEN in line else line for line in lines]
