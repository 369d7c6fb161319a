"""DORA rule sets as data: how each tool turns deployments and incidents into its figures.

Tools disagree on DORA by rule: per deployment or per change, which median (lower,
interpolated) or a mean, deployments or days with a deployment, how an incident finds its
deployment and within what time. `catalog/dora-rules.yaml` states each tool's rules with
the public source and the date it was checked; a metric whose rule is not public, or
needs data these files do not hold, says so instead of being guessed. This product's own
rules are `PRODUCT` below (the file repeats them, and a test keeps the two equal).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import annotated_types as at

from advisor.errors import EvidenceError

RULES_FILE = Path(__file__).resolve().parents[2] / "catalog" / "dora-rules.yaml"
Statistic = Literal["median", "lower_median", "mean", "median_of_daily_medians"]
DEFAULT_INCIDENT_WINDOW_HOURS = 168.0
# Plain frozen dataclasses, validated by pydantic only when the file is read: measuring
# under this product's rules needs no pydantic at all. Unknown fields are errors.
STRICT = {"extra": "forbid"}


@dataclass(frozen=True)
class Frequency:
    """What a week's deployments are: a count over the window, or a summary over weeks."""

    __pydantic_config__ = STRICT
    count: Literal["deployments", "deployment_days"] = "deployments"
    summary: Literal["rate", "median", "lower_median", "floored_mean"] = "rate"
    week_start: Literal["monday", "sunday"] = "monday"
    source: str = ""


@dataclass(frozen=True)
class LeadTime:
    """First commit to deployment, per deployment (its earliest first commit) or per change
    (each row of the export), summarised by `statistic`."""

    __pydantic_config__ = STRICT
    per: Literal["deployment", "change"] = "deployment"
    statistic: Statistic = "median"
    source: str = ""


@dataclass(frozen=True)
class FailRate:
    """Which deployments failed, how incidents find their deployment, and what is divided by
    what."""

    __pydantic_config__ = STRICT
    failed_when: Literal["status_or_incident", "incident"] = "status_or_incident"
    numerator: Literal["failed_deployments", "incidents", "linked_incidents"] = "failed_deployments"
    denominator: Literal["all", "successful"] = "all"
    link: Literal["id_then_time", "time", "id"] = "id_then_time"
    link_to: Literal["successful", "any"] = "successful"
    window_hours: Annotated[float, at.Gt(0)] | None = DEFAULT_INCIDENT_WINDOW_HOURS
    source: str = ""


@dataclass(frozen=True)
class Recovery:
    """From what to what recovery is timed: a failed deployment to its recovery (or its
    linked incidents' resolution), a linked incident's deployment to the incident's
    resolution, or an incident's creation to its resolution."""

    __pydantic_config__ = STRICT
    start: Literal["failed_deployment", "linked_deployment", "incident"] = "failed_deployment"
    statistic: Statistic = "median"
    source: str = ""


@dataclass(frozen=True)
class Unavailable:
    """A metric this rule set cannot give here: its rule is not public, or it needs data the
    files do not hold."""

    __pydantic_config__ = STRICT
    status: Literal["not_public", "needs_data"]
    note: Annotated[str, at.MinLen(1)]
    source: str = ""


@dataclass(frozen=True)
class RuleSet:
    __pydantic_config__ = STRICT
    id: Annotated[str, at.MinLen(1)]
    name: Annotated[str, at.MinLen(1)]
    checked: dt.date
    deployment_frequency: Frequency | Unavailable
    change_lead_time: LeadTime | Unavailable
    change_fail_rate: FailRate | Unavailable
    failed_deployment_recovery_time: Recovery | Unavailable
    vendor: str | None = None  # the catalog's vendor id
    summary: str = ""
    lookback_days: Annotated[int, at.Ge(1)] | None = None  # only the window's last days


@dataclass(frozen=True)
class RuleFile:
    __pydantic_config__ = STRICT
    rule_sets: Annotated[list[RuleSet], at.MinLen(1), at.MaxLen(50)]
    version: int = 1


PRODUCT = RuleSet(
    id="platform-advisor",
    name="Platform Advisor",
    checked=dt.date(2026, 11, 30),
    summary="per deployment, interpolated medians, deployments over the observation window",
    deployment_frequency=Frequency(source="README, Evidence"),
    change_lead_time=LeadTime(source="README, Evidence"),
    change_fail_rate=FailRate(source="README, Evidence"),
    failed_deployment_recovery_time=Recovery(source="README, Evidence"),
)


def with_incident_window(rules: RuleSet, hours: float | None) -> RuleSet:
    """The same rules, time-linking incidents within `hours` (None: no bound)."""
    fail = rules.change_fail_rate
    if not isinstance(fail, FailRate):
        return rules
    return dataclasses.replace(
        rules, change_fail_rate=dataclasses.replace(fail, window_hours=hours)
    )


class _Checked:
    """A pydantic TypeAdapter with the one method the YAML validator calls."""

    def __init__(self, kind):
        from pydantic import TypeAdapter

        self._adapter = TypeAdapter(kind)

    def model_validate(self, data):
        return self._adapter.validate_python(data)


def load_rules(path: str | Path | None = None) -> RuleFile:
    """The rule sets file, validated (file:line: field: message on a problem); ids must be
    unique."""
    from advisor.errors import Problem
    from advisor.yamlio import parse_yaml, read_input, validate

    path = Path(path) if path is not None else RULES_FILE
    text = read_input(path, EvidenceError)
    rules = validate(_Checked(RuleFile), parse_yaml(text, str(path), EvidenceError), EvidenceError)
    ids = [rs.id for rs in rules.rule_sets]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise EvidenceError([Problem(str(path), f"rule set ids repeat: {', '.join(twice)}", "id")])
    return rules


@functools.cache
def bundled_rules() -> RuleFile:
    return load_rules()


STATISTIC_WORDS = {
    "median": "the interpolated median",
    "lower_median": "the lower median (no interpolation)",
    "mean": "the mean",
    "median_of_daily_medians": "the median of daily medians",
}


def differences(metric: str, rule, base) -> list[str]:
    """Why `rule` can give another figure than `base` for `metric`, in words."""
    if isinstance(rule, Unavailable):
        return [rule.note]
    out: list[str] = []
    if metric == "deployment_frequency":
        if rule.count != base.count:
            out.append(
                "counts days with a deployment, not deployments"
                if rule.count == "deployment_days"
                else "counts deployments, not days with one"
            )
        if rule.summary != base.summary:
            out.append(
                {
                    "rate": "divides the count by the window's weeks",
                    "median": "takes the interpolated median over weeks, partial weeks included",
                    "lower_median": "takes the lower median over weeks, partial weeks included",
                    "floored_mean": "rounds the weekly mean down to a whole number",
                }[rule.summary]
            )
        if rule.summary != "rate" and rule.week_start != base.week_start:
            out.append(f"weeks start on {rule.week_start.capitalize()}")
    elif metric == "change_lead_time":
        if rule.per != base.per:
            out.append(
                "one lead time per change (each row), not per deployment"
                if rule.per == "change"
                else "one lead time per deployment"
            )
        if rule.statistic != base.statistic:
            out.append(f"takes {STATISTIC_WORDS[rule.statistic]}")
    elif metric == "change_fail_rate":
        if rule.numerator == "incidents":
            out.append(
                "counts every incident in the window, not failed deployments (it can pass 100%)"
            )
        else:
            if rule.failed_when != base.failed_when:
                out.append("a failed status alone is not a failure; only a linked incident is")
            if rule.numerator != base.numerator:
                out.append("counts incidents linked to a deployment, not failed deployments")
            if rule.link != base.link:
                out.append(
                    {
                        "time": "ignores incident ids and links each by time",
                        "id": "links incidents only by the deployment they name",
                        "id_then_time": "links by id, else by time",
                    }[rule.link]
                )
            if rule.link != "id" and rule.link_to != base.link_to:
                out.append("links to the last deployment of any status")
            if rule.link != "id" and rule.window_hours != base.window_hours:
                out.append(
                    "links an incident however long after its deployment"
                    if rule.window_hours is None
                    else f"links only within {rule.window_hours:g} hours"
                )
        if rule.denominator != base.denominator:
            out.append("divides by successful deployments only")
    elif metric == "failed_deployment_recovery_time":
        if rule.start != base.start:
            out.append(
                {
                    "incident": "times incidents from creation to resolution",
                    "linked_deployment": "times each linked incident from its deployment to "
                    "its resolution",
                    "failed_deployment": "times failed deployments to their recovery",
                }[rule.start]
            )
        if rule.statistic != base.statistic:
            out.append(f"takes {STATISTIC_WORDS[rule.statistic]}")
    return out
