"""The README documents every command, option, config key and table (Datasette's docs test)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from sitegen.cli import main
from sitegen.config import ContentSettings, PdfSettings, SiteSettings, TargetSettings
from sitegen.data.contract import CONTRACT

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
CONTRACT_DOC = (Path(__file__).parent.parent / "docs" / "data-contract.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command a user can type, subcommands of groups included: ("build",), ("returns", "template") …"""
    found: list[tuple[str, ...]] = []
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += command_paths(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    """The click command that `sitegen PATH…` runs."""
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group), path
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    return command


def readme_rows(path: tuple[str, ...]) -> list[str]:
    """The usage cells of the README's command table that document `sitegen PATH…`."""
    usage = f"`sitegen {' '.join(path)}"
    return [row.split(" | ")[0] for row in README.splitlines() if row.startswith((f"| {usage} ", f"| {usage}`"))]


def names_option(text: str, option: str) -> bool:
    """Whether TEXT spells OPTION as a whole word: `-o` is not inside `--out` or `--open`."""
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


COMMANDS = command_paths(main)
COMMON = {"--project"}  # "Every command takes --project DIR (short -C …)", said once under the table


def test_the_commands_walked_include_the_subcommands_of_groups() -> None:
    """The returns group's two commands are documented like any other, not skipped."""
    assert ("returns", "template") in COMMANDS and ("returns", "receipt") in COMMANDS
    assert ("build",) in COMMANDS and ("returns",) not in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_and_option_is_in_the_readme(path: tuple[str, ...]) -> None:
    """Each command has a row in the README's command table, and its row names each of its options."""
    rows = readme_rows(path)
    assert rows, f"README.md has no row for `sitegen {' '.join(path)}`"
    usage = " ".join(rows)
    for param in command_at(path).params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        spellings = [*param.opts, *param.secondary_opts]
        if COMMON & set(spellings):
            assert "Every command takes `--project DIR` (short `-C`" in README
            continue
        assert any(names_option(usage, spelling) for spelling in spellings), (
            f"README.md's row for `sitegen {' '.join(path)}` does not name {'/'.join(spellings)}")


def test_the_top_level_options_are_in_the_readme() -> None:
    """sitegen's own options (--version, --debug) have their row."""
    [row] = [r for r in README.splitlines() if r.startswith("| `sitegen --version`")]
    for param in main.params:
        if isinstance(param, click.Option):
            assert any(names_option(row, spelling) for spelling in param.opts), param.opts


def test_every_command_in_the_readme_exists() -> None:
    """No row of the command table documents a command sitegen no longer has."""
    documented = []
    for row in README.splitlines():
        if row.startswith("| `sitegen "):
            words = re.match(r"[a-z]+(?: [a-z]+)*", row.removeprefix("| `sitegen "))
            if words:  # the row of `sitegen --version` names no command
                documented.append(words.group(0))
    assert documented, "no command rows found in README.md"
    for words in documented:
        command: click.Command = main
        for word in words.split():
            if not isinstance(command, click.Group):
                break
            found = command.get_command(click.Context(command), word)
            assert found is not None, f"README.md documents `sitegen {words}`, which is no command"
            command = found
        assert not isinstance(command, click.Group), f"README.md's row `sitegen {words}` names a group, no command"


@pytest.mark.parametrize(
    ("section", "model"),
    [("site", SiteSettings), ("target", TargetSettings), ("pdf", PdfSettings), ("content", ContentSettings)],
)
def test_every_config_key_is_in_the_readme(section: str, model: type) -> None:
    assert f"[{section}]" in README
    for key in model.model_fields:
        assert f"\n{key} = " in README, f"[{section}] {key}"


def test_every_contract_column_is_documented() -> None:
    for spec in CONTRACT:
        assert f"`{spec.name}`" in CONTRACT_DOC
        for column in spec.columns:
            assert f"`{column.name}`" in CONTRACT_DOC, f"{spec.name}.{column.name}"


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```")[1]
    assert "make site" in block and "make test" in block
    assert "make test" in (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")


def test_every_guarantee_names_tests_that_exist() -> None:
    """Each row of "What sitegen guarantees" names the tests that hold it, and they are there."""
    section = README.split("## What sitegen guarantees", 1)[1].split("\nNot promised:", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| **")]
    assert len(rows) >= 10
    tests = Path(__file__).parent
    for row in rows:
        held_by = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", row.rsplit(" | ", 1)[1])
        assert held_by, f"a guarantee names no test: {row[:60]}"
        for module, name in held_by:
            source = (tests / module).read_text(encoding="utf-8")
            assert not name or re.search(rf"^def {name}\(", source, re.MULTILINE), f"{module}::{name} is not there"
