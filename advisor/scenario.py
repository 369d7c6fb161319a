"""One file that holds a whole scenario: the answers, an evidence summary, the ROI model, the
backlog and notes, with a schema version. Every part is validated with its own messages, and
each problem names the part (`roi.team[0].count`), its line and its field.

Versions: 1 is current. A file without `schema_version` (version 0, the first drafts) is
migrated: `comment` became `notes`, and a missing `created` is today. A newer version is
refused: this release cannot know what it means.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError

from advisor.answers import Answers, check_currency
from advisor.base import Currency, Strict
from advisor.catalog import Catalog, bundled_catalog
from advisor.delay import Backlog
from advisor.errors import AnswersError, Problem, ScenarioError, under
from advisor.roi import Scenario as RoiScenario
from advisor.yamlio import Located, dump_yaml, parse_yaml, problems_from, read_input

SCHEMA_VERSION = 1
PARTS = {"answers": Answers, "roi": RoiScenario, "backlog": Backlog}


class RuleValue(Strict):
    """One DORA figure under one tool's rules, with its unit (it may differ by rule set)."""

    value: float | None = None
    unit: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=300)
    status: str = Field(default="", max_length=40)  # computed, not_public, needs_data, ...


class EvidenceSummary(Strict):
    """What the Evidence page measured, kept with the scenario (not the raw files). Figures
    are keyed by their id in the metric registry (advisor/evidence/registry.py), which gives
    each its label and unit."""

    source: str = Field(default="", max_length=500)
    window: dict[str, str] = Field(default={}, max_length=3)  # from, to, days (calendar|business)
    bottlenecks: dict[str, float] = Field(default={}, max_length=10)
    flow: dict[str, float | str | None] = Field(default={}, max_length=40)
    sei: dict[str, float | str | None] = Field(default={}, max_length=40)
    dora: dict[str, float | str | None] = Field(default={}, max_length=40)
    dx_core_4: dict[str, float | str | None] = Field(default={}, max_length=40)
    # pull requests' headline (figures.PULL_HEADLINE), only when pull requests were given
    pulls: dict[str, float | str | None] = Field(default={}, max_length=20)
    forecast: dict[str, float | None] = Field(default={}, max_length=10)
    teams: dict[str, dict[str, float | None]] = Field(default={}, max_length=50)
    teams_not_kept: int = Field(default=0, ge=0)  # measured, beyond the 50 a scenario keeps
    rules: dict[str, dict[str, RuleValue]] = Field(default={}, max_length=20)
    readiness: dict[str, str] = Field(default={}, max_length=10)
    # what the page says beside the figures: a stand-in or why a figure is missing (by
    # registry id), the checks not met per category, the spread between rule sets
    notes: dict[str, str] = Field(default={}, max_length=40)
    readiness_gaps: dict[str, list[str]] = Field(default={}, max_length=10)
    rules_spread: list[str] = Field(default=[], max_length=10)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RealisedLever(Strict):
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    status: str = Field(max_length=20)  # measured | not_measured
    planned_annual: float
    realised_annual: float | None = None
    planned_to_date: float
    realised_to_date: float | None = None
    variance: float | None = None
    clear_of_chance: bool | None = None  # every change behind it clear of chance
    could_be_chance: list[str] = Field(default=[], max_length=20)  # the figures that are not
    how: str = Field(default="", max_length=1000)


class RealisedOutcome(Strict):
    item: str = Field(max_length=80)
    name: str = Field(default="", max_length=300)
    label: str | None = Field(default=None, max_length=2000)
    target: float | str | None = None
    actual: float | str | None = None
    unit: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=20)  # met | missed | too_early | typed
    source: str = Field(max_length=20)  # measured | typed


class RealisedSummary(Strict):
    """What the Value realised page measured, kept with the scenario (not the raw files), so
    the reports, the workbook and Compare show plan against actual. Money in `currency`."""

    currency: Currency = "USD"
    plan: dict[str, str | int | None] = Field(default={}, max_length=10)
    since: str = Field(max_length=40)
    as_of: str = Field(max_length=40)
    months_to_date: float = Field(ge=0)
    levers: list[RealisedLever] = Field(default=[], max_length=1000)
    total: dict[str, float] = Field(default={}, max_length=20)
    outcomes: list[RealisedOutcome] = Field(default=[], max_length=1000)
    bottleneck_price: dict[str, str | int | float | dict[str, float] | None] | None = None
    findings: list[str] = Field(default=[], max_length=40)  # one sentence per figure
    warnings: list[str] = Field(default=[], max_length=40)


class Approval(Strict):
    """The version a finance partner signed off: the plan that value realised measures
    against. In the store it is an event (who, when); a file may carry it too."""

    version: int | None = Field(default=None, ge=1)
    by: str = Field(min_length=1, max_length=200)
    at: dt.datetime
    note: str = Field(default="", max_length=2000)


class ScenarioFile(Strict):
    schema_version: int = SCHEMA_VERSION
    # stripped: "Sim test " was a second scenario that read exactly like "Sim test"; a blank
    # name is refused
    name: Name
    organisation: str | None = Field(
        default=None,
        max_length=200,
        description="scenarios naming the same organisation are compared as its teams",
    )
    team: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    created: dt.date
    answers: Answers
    evidence: EvidenceSummary | None = None
    roi: RoiScenario | None = None
    backlog: Backlog | None = None
    notes: str = Field(default="", max_length=20_000)
    approval: Approval | None = Field(
        default=None, description="the sign-off this version carries (the plan)"
    )
    realised: RealisedSummary | None = Field(
        default=None, description="plan against actual, as last measured"
    )


def migrate(data: dict) -> dict:
    """An older file in today's shape; a newer one refused."""
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("schema_version must be a whole number")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"schema_version {version} is newer than this release understands "
            f"({SCHEMA_VERSION}); update Platform Advisor to open it"
        )
    data = dict(data)
    if version == 0:
        if "comment" in data and "notes" not in data:
            data["notes"] = data.pop("comment")
        data.setdefault("created", dt.date.today().isoformat())
        data["schema_version"] = SCHEMA_VERSION
    return data


def _validate(located: Located, catalog: Catalog | None, one_currency: bool = True) -> ScenarioFile:
    data = located.data
    if not isinstance(data, dict):
        raise ScenarioError([Problem(located.file, "expected a mapping of fields", line=1)])
    try:
        data = migrate(data)
    except ValueError as exc:
        line = located.line_of(["schema_version"])
        raise ScenarioError(
            [Problem(located.file, str(exc), "schema_version", line=line)]
        ) from None
    problems = []
    # Each part on its own first, so its problems read like that part's own file would.
    for part, model in PARTS.items():
        if isinstance(data.get(part), dict):
            try:
                model.model_validate(data[part])
            except ValidationError as exc:
                problems += under(part, problems_from(exc, located, prefix=[part]))
    if problems:
        raise ScenarioError(problems)
    try:
        scenario = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from(exc, located)) from None
    try:
        check_currency(scenario.answers, catalog or bundled_catalog(), located)
    except AnswersError as exc:  # name the part
        raise ScenarioError(under("answers", exc.problems)) from None
    mixed = currency_problems(scenario, located) if one_currency else []
    if mixed:
        raise ScenarioError(mixed)
    return scenario


def currency_problems(scenario: ScenarioFile, located: Located | None = None) -> list[Problem]:
    """One currency per scenario: the answers' currency is the scenario's, and every part that
    holds money (`roi`, `backlog`) must be in it. Nothing is converted silently: a report once
    printed a GBP delay cost as EUR. Each problem names the part, its line and both currencies."""
    file = located.file if located is not None else "the scenario"
    want = scenario.answers.currency
    problems = []
    for part in ("roi", "backlog"):
        value = getattr(scenario, part)
        if value is None or value.currency == want:
            continue
        stated = "currency" in value.model_fields_set
        problems.append(
            Problem(
                file,
                ("is " if stated else "is not given, so it is the default, ")
                + f"{value.currency}, but the scenario's currency (answers.currency) is "
                f"{want}: a scenario holds one currency. Enter this part's money in {want} and "
                f"set its currency to {want}, or set answers.currency to {value.currency}",
                f"{part}.currency",
                line=located.line_of([part, "currency"]) if located is not None else None,
            )
        )
    return problems


def parse_scenario_file(
    text: str | bytes, file: str = "scenario.yaml", catalog: Catalog | None = None
) -> ScenarioFile:
    """Validate a scenario file; its currency is checked against `catalog` (default: the
    bundled one)."""
    return _validate(parse_yaml(text, file, ScenarioError), catalog)


PART_NAMES = {"roi": "ROI model", "backlog": "backlog"}


def is_whole(data: object) -> bool:
    """Whether parsed YAML is a whole scenario file (it has answers; an ROI model does not)."""
    return isinstance(data, dict) and "answers" in data and "horizon_months" not in data


def part_of_whole(
    text: str | bytes, file: str, part: str, catalog: Catalog | None = None
) -> tuple[object | None, str] | None:
    """`part` ("roi" or "backlog") of `text` when it is a whole scenario file, with a sentence
    saying what was taken; None when it is not one (the caller's own error stands).

    A page that loads one part was given a whole scenario (answers, roi, backlog) and listed
    its parts as unknown fields. The part is None when the scenario has none (the sentence
    says so). Raises ScenarioError when the file is a whole scenario that does not validate.
    """
    try:
        located = parse_yaml(text, file, ScenarioError)
    except ScenarioError:
        return None
    if not is_whole(located.data):
        return None
    whole = _validate(located, catalog)
    found = getattr(whole, part)
    what = PART_NAMES[part]
    if found is None:
        return None, f"{file} is a whole scenario with no {what}; open it from the sidebar."
    return found, (
        f"Loaded the {what} of the whole scenario {whole.name!r} from {file}; the sidebar "
        "opens all of it."
    )


def parse_draft(text: str | bytes, file: str = "your draft") -> ScenarioFile:
    """A session's draft: a scenario file whose pages may still disagree on the currency (the
    work in progress the sidebar refuses to save, kept so a reload shows it and the refusal
    again; it was dropped, and the reload brought back an older currency without a word)."""
    return _validate(parse_yaml(text, file, ScenarioError), None, one_currency=False)


def draft_text(data: dict) -> str:
    """The draft's text for work that does not make one scenario yet (`parse_draft` reads it).
    `data` is the pages' work as plain values; dates and the like are written as text."""
    import json

    return dump_yaml(json.loads(json.dumps(data, default=str)))


def load_scenario_file(path: str | Path, catalog: Catalog | None = None) -> ScenarioFile:
    return parse_scenario_file(read_input(path, ScenarioError), str(path), catalog)


def scenario_from_data(
    data: dict,
    source: str = "the scenario",
    catalog: Catalog | None = None,
    one_currency: bool = True,
) -> ScenarioFile:
    """`data` as a scenario; with `one_currency=False`, parts in another currency than the
    answers' are let through (to say which page holds which currency)."""
    return _validate(Located(data, None, source), catalog, one_currency)


def scenario_to_yaml(s: ScenarioFile) -> str:
    """The file text; loading it gives back exactly `s`."""
    data = s.model_dump(mode="json", exclude_none=True)
    return dump_yaml(data)
