"""The README documents every command, option, config key and table (Datasette's docs test)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from sitegen.cli import main
from sitegen.config import ContentSettings, PdfSettings, SiteSettings, TargetSettings
from sitegen.data import CONTRACT

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
CONTRACT_DOC = (Path(__file__).parent.parent / "docs" / "data-contract.md").read_text(encoding="utf-8")


COMMANDS = main.list_commands(click.Context(main))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    assert f"sitegen {name}" in README
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(opt in README for opt in param.opts), f"sitegen {name} {param.opts}"


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
