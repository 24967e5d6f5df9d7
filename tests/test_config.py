from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sitegen.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_are_the_contracts(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[site]\ntitle = "T"\n'))
    target = config.target
    assert target.base_year == 2007
    assert target.first_year == 2008
    assert target.profile == (Decimal("3.0"), Decimal("3.0"), Decimal("3.4"))
    assert target.method == "additive"
    assert target.count_from == dt.date(2008, 4, 1)
    assert target.disposal_rate == Decimal("5.0")
    assert target.sr04_threshold == Decimal("7.5")
    assert config.warnings == ()


def test_every_bad_key_is_named_with_file_and_value(copy_fixture) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(copy_fixture("bad_config"))
    assert [str(p) for p in caught.value.problems] == [
        "sitegen.toml: site.title: required key is missing",
        'sitegen.toml: target.first_year: the two halves are not consecutive years; '
        'expected a financial year such as "2008-09" (found \'2008-10\')',
        "sitegen.toml: target.method: Input should be 'additive' or 'compound' (found 'geometric')",
        "sitegen.toml: target.profile: a list of yearly percentages, such as [3.0, 3.0, 3.4] "
        "(found [3.0, 'three'])",
    ]


def test_unknown_keys_warn(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[site]\ntitle = "T"\ncolour = "blue"\n[extra]\nx = 1\n'))
    assert sorted(str(w) for w in config.warnings) == [
        "sitegen.toml: warning: extra: unknown key, ignored",
        "sitegen.toml: warning: site.colour: unknown key, ignored",
    ]


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, '[site]\ntitle = "T"\nbroken = \n'))
    assert str(caught.value.problems[0]).startswith("sitegen.toml:3: not valid TOML")


def test_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a sitegen project"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('disposal_rate = 5.125', "target.disposal_rate: a percentage of 0 or more with at most two decimals"),
        ('count_from = "31/02/2008"', 'target.count_from: expected a date such as "2008-04-01"'),
        ("first_year = 2008", 'target.first_year: write the financial year as text, such as "2008-09"'),
        ('method = "compound"\nprofile = []', "target.profile: a list of yearly percentages"),
    ],
)
def test_target_settings_are_checked(tmp_path: Path, setting: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, f'[site]\ntitle = "T"\n[target]\n{setting}\n'))
    assert message in str(caught.value)


def test_a_bad_source_date_epoch_is_named_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH must be a whole number of seconds .* \(found 'yesterday'\)"):
        load_config(write(tmp_path, '[site]\ntitle = "T"\n'))
