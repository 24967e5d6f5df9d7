"""sitegen.toml: read once, checked once, typed from then on.

The file is TOML (never executed). Every problem is reported at once with the file,
the key, what was expected and what was found; unknown keys are warnings.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sitegen.environment import EnvironmentProblem, source_date_epoch
from sitegen.errors import ConfigError, Problem, counted
from sitegen.labels import VOCABULARIES, merged
from sitegen.values import date_from_text, financial_year_from_text

CONFIG_NAME = "sitegen.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class SiteSettings(_Section):
    """[site]: what the publication is called and who publishes it."""

    title: str = Field(min_length=1)
    partnership: str = ""
    description: str = ""
    language: str = "en-GB"
    publisher: str = ""
    # Where the site is published (https://intranet.example.gov.uk/finance/vfm/): gives
    # sitemap.xml and canonical links their absolute URLs and the 404 page links that
    # work at any depth. Links between pages stay relative either way.
    base_url: str = ""

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return normalise_base_url(value)


def normalise_base_url(value: str) -> str:
    """An absolute http(s) address ending in '/', or '' for none."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError('an absolute http(s) address such as "https://intranet.example.gov.uk/finance/vfm/"')
    return value if value.endswith("/") else value + "/"


class AccessibilitySettings(_Section):
    """[accessibility]: the facts of the accessibility statement (accessibility/)."""

    contact_email: str = ""  # where to report a problem or ask for another format
    contact_phone: str = ""
    response_days: int = Field(default=10, ge=1)  # working days to reply
    enforcement: Literal["EHRC", "ECNI"] = "EHRC"  # ECNI in Northern Ireland
    compliance: Literal["fully", "partially", "not"] = "partially"
    non_compliant: tuple[str, ...] = (
        (
            "Some PDF papers may not be fully accessible to screen reader software: they may lack "
            "tagged headings and table structure (WCAG 2.2 success criterion 1.3.1, info and "
            "relationships). Every paper is also published as a web page with the same content "
            "and figures."
        ),
    )
    prepared: dt.date | None = None  # when the statement was prepared
    last_reviewed: dt.date | None = None
    tested: str = (
        "Every type of page on this website is checked each time it is built with the axe-core "
        "accessibility engine in a web browser against WCAG 2.2 levels A and AA."
    )

    @model_validator(mode="after")
    def _consistent(self) -> AccessibilitySettings:
        if self.compliance == "fully" and self.non_compliant:
            raise ValueError('compliance "fully" cannot list non_compliant content; empty the list or say "partially"')
        if self.compliance != "fully" and not self.non_compliant:
            raise ValueError(f'compliance "{self.compliance}" needs non_compliant to say what is not accessible')
        return self


class TargetSettings(_Section):
    """[target]: the efficiency target; defaults are those of the data contract."""

    model_config = ConfigDict(extra="allow", frozen=True, validate_default=True)

    name: str = "Partnership target"  # how tables and pages name it beside other programmes
    base_year: int = "2007-08"  # type: ignore[assignment]
    first_year: int = "2008-09"  # type: ignore[assignment]
    profile: tuple[Decimal, ...] = [3.0, 3.0, 3.4]  # type: ignore[assignment]
    method: Literal["additive", "compound"] = "additive"
    count_from: dt.date = "2008-04-01"  # type: ignore[assignment]
    disposal_rate: Decimal = 5.0  # type: ignore[assignment]
    sr04_threshold: Decimal = 7.5  # type: ignore[assignment]

    @field_validator("base_year", "first_year", mode="before")
    @classmethod
    def _financial_year(cls, value: Any) -> int:
        if isinstance(value, int):
            raise ValueError('write the financial year as text, such as "2008-09"')
        try:
            return financial_year_from_text(str(value))
        except ValueError as exc:
            reason = str(exc).split(":")[0]
            raise ValueError(f'{reason}; expected a financial year such as "2008-09"') from None

    @field_validator("count_from", mode="before")
    @classmethod
    def _date(cls, value: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return date_from_text(str(value))
        except ValueError:
            raise ValueError('expected a date such as "2008-04-01"') from None

    @field_validator("profile", mode="before")
    @classmethod
    def _profile(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("a list of yearly percentages, such as [3.0, 3.0, 3.4]")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise ValueError("a list of yearly percentages, such as [3.0, 3.0, 3.4]")
        return [Decimal(str(v)) for v in value]

    @field_validator("disposal_rate", "sr04_threshold", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("a percentage such as 5.0")
        number = Decimal(str(value))
        # Two decimals keep disposal values exact in micropounds (see values.py).
        if number != number.quantize(Decimal("0.01")) or number < 0:
            raise ValueError("a percentage of 0 or more with at most two decimals")
        return number


class ProgrammeSettings(_Section):
    """[programmes.<id>]: another target programme run beside [target] (an LAA and an
    MAA, each 3/3/3.4 over its own three years). Unset keys are [target]'s."""

    name: str = Field(min_length=1)
    first_year: int  # its first year: every programme has its own
    profile: tuple[Decimal, ...] | None = None
    method: Literal["additive", "compound"] | None = None
    count_from: dt.date | None = None
    partners: tuple[str, ...] = ()  # partner ids in it; none: every partner in [target]

    _financial_year = field_validator("first_year", mode="before")(TargetSettings._financial_year.__func__)
    _date = field_validator("count_from", mode="before")(TargetSettings._date.__func__)
    _profile = field_validator("profile", mode="before")(TargetSettings._profile.__func__)

    def rules_over(self, target: TargetSettings) -> TargetSettings:
        """The programme's settings in full: its own where given, [target]'s otherwise,
        but for gains counting from the start of its own first year unless it says."""
        given = {key: getattr(self, key) for key in ("first_year", "profile", "method") if getattr(self, key) is not None}
        count_from = self.count_from or dt.date(self.first_year, 4, 1)
        return target.model_copy(update={"name": self.name, "count_from": count_from, **given})


class PdfSettings(_Section):
    """[pdf]: paper settings for the PDF papers."""

    header: str = ""  # running header; the site title when empty
    paper: Literal["A4", "A3", "letter"] = "A4"


class ContentSettings(_Section):
    """[content]: what pages may contain (see sitegen/sanitize.py for the policy)."""

    allow_scripts: bool = False  # keep <script>, on… handlers and javascript: URLs
    # The places case studies are filed under, each spelt once: a study's `places` must be
    # among them, so that one place is one place. Empty: any place, as the studies spell it.
    places: tuple[str, ...] = ()

    @field_validator("places")
    @classmethod
    def _places_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        stripped = [" ".join(place.split()) for place in value]
        if any(not place for place in stripped):
            raise ValueError("a place needs a name")
        seen: dict[str, str] = {}
        for place in stripped:
            if place.casefold() in seen:
                raise ValueError(f"{place!r} is listed twice (as {seen[place.casefold()]!r})")
            seen[place.casefold()] = place
        return tuple(stripped)


class NumberSettings(_Section):
    """[numbers]: how figures are shown across the publication, the same in every table."""

    # Minus signs (GOV.UK style, the default) or accountants' brackets, for every negative figure.
    negative: Literal["minus", "brackets"] = "minus"


def _checked_labels(value: Any) -> dict[str, dict[str, str]]:
    """[labels.<vocabulary>]: a project's own words for codes; every key must be a known code."""
    if not isinstance(value, dict):
        raise ValueError("a table per vocabulary, such as [labels.workstream]")
    problems = []
    for vocabulary, words in value.items():
        if vocabulary not in VOCABULARIES:
            problems.append(f"labels.{vocabulary}: no such vocabulary (vocabularies: {', '.join(VOCABULARIES)})")
            continue
        if not isinstance(words, dict):
            problems.append(f"labels.{vocabulary}: a table of code = \"label\"")
            continue
        known = VOCABULARIES[vocabulary]
        for code, label in words.items():
            if code not in known:
                problems.append(f"labels.{vocabulary}.{code}: no {vocabulary} {code!r} (codes: {', '.join(known)})")
            elif not isinstance(label, str) or not label.strip():
                problems.append(f"labels.{vocabulary}.{code}: a label is words in quotes (found {label!r})")
    if problems:
        raise ValueError("; ".join(problems))
    return {vocabulary: {code: label.strip() for code, label in words.items()} for vocabulary, words in value.items()}


class SitegenToml(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    site: SiteSettings | None = None  # a folder of the partnership's data alone needs no [site]
    target: TargetSettings = TargetSettings()
    programmes: dict[str, ProgrammeSettings] = {}
    pdf: PdfSettings = PdfSettings()
    content: ContentSettings = ContentSettings()
    accessibility: AccessibilitySettings = AccessibilitySettings()
    numbers: NumberSettings = NumberSettings()
    labels: dict[str, Any] = {}

    _labels = field_validator("labels", mode="before")(_checked_labels)


@dataclass(frozen=True)
class Config:
    """A project's settings and where its parts live."""

    project_dir: Path
    site: SiteSettings
    target: TargetSettings
    pdf: PdfSettings
    source: Path
    programmes: dict[str, ProgrammeSettings] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = field(default=())
    content: ContentSettings = field(default=ContentSettings())
    accessibility: AccessibilitySettings = field(default=AccessibilitySettings())
    source_date: dt.datetime | None = None  # SOURCE_DATE_EPOCH: what the build dates its PDFs by
    command_line_base_url: str | None = None  # --base-url as given, which replaced [site] base_url
    numbers: NumberSettings = field(default=NumberSettings())
    label_overrides: dict[str, dict[str, str]] = field(default_factory=dict)  # [labels.*] as given

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        """Every vocabulary's code -> label, the project's own words over sitegen's."""
        return merged(self.label_overrides)

    @property
    def content_dir(self) -> Path:
        return self.project_dir / "content"

    @property
    def data_dir(self) -> Path:
        return self.project_dir / "data"

    @property
    def templates_dir(self) -> Path:
        return self.project_dir / "templates"

    @property
    def static_dir(self) -> Path:
        return self.project_dir / "static"

    @property
    def output_dir(self) -> Path:
        return self.project_dir / "site"

    @property
    def pdf_header(self) -> str:
        return self.pdf.header or self.site.title


def default_title(project_dir: Path) -> str:
    """The title of a publication whose sitegen.toml gives none: its folder's name, as
    people write folder names ("vfm-returns_2010-11" -> "Vfm returns 2010-11")."""
    name = re.sub(r"(?<!\d)-|-(?!\d)", " ", project_dir.resolve().name.replace("_", " "))
    name = " ".join(name.split())
    return (name[:1].upper() + name[1:]) or "Value for money"


def load_config(project_dir: Path, base_url: str | None = None) -> Config:
    """Read and check `sitegen.toml`; raise ConfigError naming every bad key.

    `base_url` (the command line's `--base-url`) replaces `[site] base_url`.
    """
    path = project_dir / CONFIG_NAME
    name = CONFIG_NAME
    if not project_dir.is_dir():
        raise ConfigError(f"{project_dir}: no such project folder")
    if not path.is_file():
        raise ConfigError(
            f"{path}: not a sitegen project (no {CONFIG_NAME}); "
            "use --project DIR, or 'sitegen new DIR' to start one"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's tomllib gives the position only inside the message.
        position = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = int(position.group(1)) if position else None
        message = str(exc)[: position.start()].strip() if position else str(exc)
        raise ConfigError(
            "the configuration cannot be read",
            [Problem(name, line, None, f"not valid TOML: {message}")],
        ) from exc
    try:
        parsed = SitegenToml.model_validate(raw)
    except ValidationError as exc:
        problems = [problem for err in exc.errors() for problem in _problems_from_pydantic(name, raw, err, text)]
        raise ConfigError(f"{name} has {counted(len(problems), 'bad setting')}", problems) from exc
    warnings = tuple(_unknown_keys(name, parsed))
    try:  # it dates the PDFs: a bad one is said at once, not deep in a chart
        source_date = source_date_epoch()
    except EnvironmentProblem as exc:
        raise ConfigError(str(exc)) from None
    site = parsed.site or SiteSettings(title=default_title(project_dir))
    if base_url is not None:
        try:
            site = site.model_copy(update={"base_url": normalise_base_url(base_url)})
        except ValueError as exc:
            raise ConfigError(f"--base-url: {exc} (found {base_url!r})") from None
    return Config(
        project_dir=project_dir,
        site=site,
        target=parsed.target,
        programmes=parsed.programmes,
        pdf=parsed.pdf,
        source=path,
        warnings=warnings,
        content=parsed.content,
        accessibility=parsed.accessibility,
        source_date=source_date,
        command_line_base_url=base_url,
        numbers=parsed.numbers,
        label_overrides=parsed.labels,
    )


def _problems_from_pydantic(name: str, raw: dict, err: Any, text: str) -> list[Problem]:
    """One problem per bad setting; [labels] says each bad key at its line."""
    if err["loc"] and err["loc"][0] == "labels" and err["type"] == "value_error":
        message = err["msg"].removeprefix("Value error, ")
        return [_label_problem(name, part, text) for part in message.split("; ")]
    return [_problem_from_pydantic(name, raw, err)]


def _label_problem(name: str, message: str, text: str) -> Problem:
    """'labels.workstream.bpx: …' at the line of `bpx =` in [labels.workstream] (TOML's
    reader gives no positions: the file is searched for the key under its table)."""
    key, _, cause = message.partition(": ")
    parts = key.split(".")
    line = None
    section = None
    for number, raw_line in enumerate(text.splitlines(), 1):
        stripped = raw_line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[] ").replace('"', "").replace(" ", "")
            if section == ".".join(parts[:2]) and len(parts) == 2:
                line = number
                break
            continue
        if len(parts) == 3 and section == ".".join(parts[:2]) and re.match(rf'"?{re.escape(parts[2])}"?\s*=', stripped):
            line = number
            break
    return Problem(name, line, key, cause)


def _problem_from_pydantic(name: str, raw: dict, err: Any) -> Problem:
    loc = [str(part) for part in err["loc"]]
    key = ".".join(loc)
    found = raw
    for part in err["loc"]:
        found = found.get(part) if isinstance(found, dict) else None  # type: ignore[assignment]
    if err["type"] == "missing":
        return Problem(name, None, key, "required key is missing")
    message = err["msg"].removeprefix("Value error, ")
    return Problem(name, None, key, f"{message} (found {found!r})")


def _unknown_keys(name: str, parsed: SitegenToml) -> list[Problem]:
    unknown = [Problem(name, None, k, "unknown key, ignored", "warning") for k in parsed.model_extra or {}]
    for section in ("site", "target", "pdf", "content", "accessibility", "numbers"):
        settings = getattr(parsed, section)
        extra = (settings.model_extra or {}) if settings is not None else {}
        unknown += [
            Problem(name, None, f"{section}.{k}", "unknown key, ignored", "warning") for k in extra
        ]
    for key, programme in parsed.programmes.items():
        unknown += [Problem(name, None, f"programmes.{key}.{k}", "unknown key, ignored", "warning")
                    for k in programme.model_extra or {}]
    return unknown
