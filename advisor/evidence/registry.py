"""The metric registry: one label, unit, format and definition per evidence figure.

The command line, the Evidence page, the scenario summary and both reports read labels and
units from here, so a figure reads the same everywhere: `Deployment frequency 1.2 a week`,
`Change fail rate 26.8%`, never an id or fourteen decimals.

>>> show("change_fail_rate", 0.268)
'26.8%'
>>> show("deployment_frequency", 1.18)
'1.2 a week'
>>> show("failed_deployment_recovery_time", 0.125)
'3.0 hours'
>>> text("flow_time", 14.66)
'Flow time 14.7 days'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["days", "share", "rate", "count", "score", "weeks", "ratio"]

DORA_GUIDE = "dora.dev/guides/dora-metrics"
FLOW_FRAMEWORK = "flowframework.org"
DX_CORE_4 = "getdx.com/research/measuring-developer-productivity-with-the-dx-core-4"
SEI_PULLS = "SEI convention (LinearB's cycle time split: coding, pickup, review, deploy)"


@dataclass(frozen=True)
class Metric:
    """One figure's definition. `unit` is short (days, share); `phrase` follows a number in a
    sentence (`2.1 days`, `1.2 deployments a week`)."""

    id: str
    label: str
    unit: str
    kind: Kind
    statistic: str
    definition: str
    source: str
    phrase: str = ""
    short: str = ""  # where space is tight (a metric tile); the label otherwise


def _m(id, label, unit, kind, statistic, definition, source, phrase="", short=""):
    return Metric(
        id, label, unit, kind, statistic, definition, source, phrase or unit, short or label
    )


METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        # ---------------------------------------------------------------- flow
        _m(
            "flow_velocity",
            "Flow velocity",
            "items per week",
            "rate",
            "rate",
            "items finished in the window / (window days / 7)",
            FLOW_FRAMEWORK,
            "items a week",
        ),
        _m(
            "flow_time",
            "Flow time",
            "days",
            "days",
            "median",
            "first active status to the start of the final run of done statuses, per item "
            "finished in the window",
            FLOW_FRAMEWORK,
        ),
        _m(
            "flow_efficiency",
            "Flow efficiency",
            "share",
            "share",
            "median",
            "time in active statuses / flow time, per finished item",
            FLOW_FRAMEWORK,
            "of flow time active",
        ),
        _m(
            "flow_load",
            "Flow load",
            "items",
            "count",
            "count",
            "items started and not yet done at the end of the window",
            FLOW_FRAMEWORK,
        ),
        _m(
            "feature_share",
            "Feature share",
            "share",
            "share",
            "share",
            "share of the items finished in the window whose type maps to feature (flow "
            "distribution; DX Core 4's impact stand-in)",
            FLOW_FRAMEWORK,
            "of finished items are features",
        ),
        # ---------------------------------------------------------------- SEI
        _m(
            "cycle_time",
            "Cycle time",
            "days",
            "days",
            "median",
            "first active development status to done, per item finished in the window",
            "SEI convention (backlog to done inside development)",
        ),
        _m(
            "throughput",
            "Throughput",
            "items per week",
            "rate",
            "rate",
            "items finished in the window / (window days / 7)",
            "SEI convention",
            "items a week",
        ),
        _m(
            "wip",
            "Work in progress",
            "items",
            "count",
            "count",
            "items started and not done at the end of the window",
            "SEI convention",
        ),
        _m(
            "wip_age",
            "Age of work in progress",
            "days",
            "days",
            "median",
            "end of the window - first active status, per item in progress",
            "SEI convention",
        ),
        _m(
            "time_in_status",
            "Time in status",
            "days",
            "days",
            "median",
            "length of each stay in a status (entry to the next change)",
            "SEI convention",
        ),
        _m(
            "time_in_stage",
            "Time in stage",
            "days",
            "days",
            "median",
            "length of each stay in a status of the stage",
            "SEI convention",
        ),
        _m(
            "waiting_share",
            "Share of waiting",
            "share",
            "share",
            "share",
            "waiting days in a stage inside finished items' flow time / all such waiting days",
            "this product (DOMAIN section 8)",
            "of waiting time",
        ),
        # ---------------------------------------------------------------- DORA
        _m(
            "change_lead_time",
            "Change lead time",
            "days",
            "days",
            "median",
            "deployed - first commit, per successful deployment in the window",
            DORA_GUIDE,
        ),
        _m(
            "deployment_frequency",
            "Deployment frequency",
            "deployments per week",
            "rate",
            "rate",
            "successful deployments in the window / (window days / 7)",
            DORA_GUIDE,
            "deployments a week",
        ),
        _m(
            "deployment_days",
            "Deployment days",
            "days with a deployment per week",
            "rate",
            "rate",
            "UTC days with a successful deployment in the window / (window days / 7), at most 7",
            DORA_GUIDE,
            "days with a deployment a week",
        ),
        _m(
            "change_fail_rate",
            "Change fail rate",
            "share of deployments",
            "share",
            "share",
            "deployments that failed or have an incident linked / deployments in the window",
            DORA_GUIDE,
            "of deployments",
        ),
        _m(
            "failed_deployment_recovery_time",
            "Failed deployment recovery time",
            "days",
            "days",
            "median",
            "recovered (or the linked incident resolved) - deployed, per failed deployment",
            DORA_GUIDE,
            short="Recovery time",
        ),
        _m(
            "deployment_rework_rate",
            "Deployment rework rate",
            "share of deployments",
            "share",
            "share",
            "unplanned deployments / deployments in the window",
            DORA_GUIDE,
            "of deployments",
            short="Rework rate",
        ),
        _m(
            "deploys_per_year",
            "Deployments a year",
            "deployments per year",
            "rate",
            "rate",
            "deployments in the window, failed ones too / (window days / 365): the count the "
            "change fail rate divides, as the ROI page's downtime lever multiplies them",
            DORA_GUIDE,
            "deployments a year",
        ),
        _m(
            "dora_score",
            "Quick Check score",
            "points of 10",
            "score",
            "mean",
            "mean of the five metrics' Quick Check scores (0-10)",
            "dora.dev/quickcheck",
            "of 10",
        ),
        # ---------------------------------------------------------------- DX Core 4
        _m(
            "dx_speed",
            "Speed",
            "items per engineer per week",
            "ratio",
            "rate",
            "flow velocity / engineers (a stated stand-in for diffs per engineer)",
            DX_CORE_4,
            "items per engineer a week",
        ),
        _m(
            "dx_effectiveness",
            "Effectiveness",
            "share of favourable answers",
            "share",
            "share",
            "answers of 4 or 5 / all answers, teams of 5 or more respondents only (a stated "
            "stand-in for the Developer Experience Index)",
            DX_CORE_4,
            "favourable",
        ),
        _m(
            "dx_quality",
            "Quality",
            "share of deployments",
            "share",
            "share",
            "change fail rate",
            DX_CORE_4,
            "of deployments failed",
        ),
        _m(
            "dx_impact",
            "Impact",
            "share of finished items",
            "share",
            "share",
            "feature share of finished items (a stated stand-in for time on new capabilities)",
            DX_CORE_4,
            "of finished items are features",
        ),
        _m(
            "dx_speed_pulls",
            "Speed",
            "merged pull requests per engineer per week",
            "ratio",
            "rate",
            "pull requests merged in the window / (window days / 7) / engineers (DX Core 4's "
            "diffs per engineer)",
            DX_CORE_4,
            "merged pull requests per engineer a week",
        ),
        # ---------------------------------------------------------------- pull requests
        _m(
            "pr_total_time",
            "PR cycle time",
            "days",
            "days",
            "median",
            "first commit (else the opening) to merge, per pull request merged in the window",
            SEI_PULLS,
        ),
        _m(
            "pr_coding_time",
            "Coding time",
            "days",
            "days",
            "median",
            "first commit to opening, per merged pull request whose first commit came first",
            SEI_PULLS,
        ),
        _m(
            "pr_pickup_time",
            "Pickup time",
            "days",
            "days",
            "median",
            "opening to the first review by someone other than the author, per merged pull "
            "request reviewed before its merge",
            SEI_PULLS,
        ),
        _m(
            "pr_review_time",
            "Review time",
            "days",
            "days",
            "median",
            "first review to merge, per merged pull request reviewed before its merge",
            SEI_PULLS,
        ),
        _m(
            "pr_deploy_time",
            "Deploy time",
            "days",
            "days",
            "median",
            "merge to the successful deployment naming its merge commit, else the first "
            "successful deployment at or after the merge",
            SEI_PULLS,
        ),
        _m(
            "pr_size",
            "PR size",
            "lines changed",
            "count",
            "median",
            "additions + deletions, per merged pull request that gives them",
            SEI_PULLS,
            "lines",
        ),
        _m(
            "pr_merged_per_engineer",
            "Merged PRs per engineer",
            "merged pull requests per engineer per week",
            "ratio",
            "rate",
            "pull requests merged in the window, reverts too / (window days / 7) / engineers",
            DX_CORE_4,
            "per engineer a week",
        ),
        _m(
            "pr_merged_without_review",
            "Merged without review",
            "share of merged pull requests",
            "share",
            "share",
            "merged pull requests with no review by another person before the merge / merged "
            "pull requests",
            SEI_PULLS,
            "of merged pull requests",
        ),
        _m(
            "pr_review_load",
            "Reviews given",
            "reviews per week",
            "rate",
            "rate",
            "reviews given in the window (one per person and pull request) / (window days / "
            "7), per reviewer group, never per person",
            SEI_PULLS,
            "reviews a week",
        ),
        _m(
            "pr_waiting_for_review",
            "Waiting for review",
            "pull requests",
            "count",
            "count",
            "open pull requests, not drafts, with no review by another person at the window's end",
            SEI_PULLS,
        ),
        # ---------------------------------------------------------------- forecast
        _m(
            "forecast_weeks",
            "Weeks for the items",
            "weeks",
            "weeks",
            "percentile",
            "weeks the Monte Carlo trials needed for the items, drawing weekly throughput",
            "jira-agile-metrics, ActionableAgile",
        ),
        _m(
            "forecast_items",
            "Items by the date",
            "items",
            "count",
            "percentile",
            "items the Monte Carlo trials finished in the weeks, 'at least' percentiles",
            "jira-agile-metrics, ActionableAgile",
        ),
    )
}

# The figures measured before and after a date (value realised, outcome cards), and which
# way is better. Deployments carry no team: the DORA ones are the whole organisation's.
BETTER: dict[str, Literal["lower", "higher"]] = {
    "cycle_time": "lower",
    "flow_time": "lower",
    "flow_efficiency": "higher",
    "throughput": "higher",
    "change_lead_time": "lower",
    "deployment_frequency": "higher",
    "deploys_per_year": "higher",
    "change_fail_rate": "lower",
    "failed_deployment_recovery_time": "lower",
    "deployment_rework_rate": "lower",
}
TEAM_FIGURES = ("cycle_time", "flow_time", "flow_efficiency", "throughput")

# Keys of scenario summaries written before the registry (they keep their meaning).
ALIASES = {
    "flow_time_median_days": "flow_time",
    "flow_efficiency_median": "flow_efficiency",
    "velocity_per_week_median": "flow_velocity",
    "cycle_time_median_days": "cycle_time",
    "score": "dora_score",
}


def metric(key: str) -> Metric:
    """The registry entry for an id (or an older summary key). KeyError when unknown."""
    return METRICS[ALIASES.get(key, key)]


def label(key: str) -> str:
    """The figure's label; an unknown key is shown as words, never as an id."""
    try:
        return metric(key).label
    except KeyError:
        return str(key).replace("_", " ").capitalize()


def number(value: float) -> str:
    """A plain number: 1,234 / 12.3 / 1.2 / 0.47 / 0.047."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1 or value == 0:
        return f"{value:.1f}"
    return np.format_float_positional(value, precision=2, unique=True, fractional=False, trim="-")


def _period(m: Metric) -> str:
    """What follows a rate's number: `a week`, `per engineer a week`, `a year`."""
    if m.id in ("dx_speed", "dx_speed_pulls", "pr_merged_per_engineer"):
        return "per engineer a week"
    for period in ("week", "year"):
        if m.unit.endswith(f"per {period}"):
            return f"a {period}"
    return ""


COUNTED_IN = {"pr_size": "lines", "pr_waiting_for_review": "pull requests"}
BUSINESS_DAYS = "business days"  # the unit of a time counted in weekdays (--business-days)
WEEKDAY_TIMES = (  # so counted under --business-days
    "flow_time",
    "cycle_time",
    "time_in_status",
    "time_in_stage",
    *(f"pr_{part}_time" for part in ("total", "coding", "pickup", "review", "deploy")),
)


def days_unit(key: str, business: bool) -> str | None:
    """BUSINESS_DAYS for a time --business-days counts in weekdays (not DORA's), else None."""
    return BUSINESS_DAYS if business and metric(key).id in WEEKDAY_TIMES else None


def show(
    key: str, value: float | None, missing: str = "not enough data", unit: str | None = None
) -> str:
    """The figure as every page, report and command line shows it beside its label:
    `26.8%`, `14.7 days`, `9.0 hours`, `5.6 a week`, `7.7 of 10`, `12`; a time counted in
    weekdays (`unit` BUSINESS_DAYS) reads `11.0 business days`."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return missing
    if not isinstance(value, int | float):
        return str(value)
    try:
        m = metric(key)
    except KeyError:
        return number(value)
    if m.kind == "share":
        return f"{value:.1%}"
    if m.kind == "days" and unit == BUSINESS_DAYS:
        return f"{number(value)} business days"
    if m.kind == "days":
        return f"{value * 24:.1f} hours" if abs(value) < 1 else f"{number(value)} days"
    if m.kind == "weeks":
        return f"{number(value)} weeks"
    if m.kind == "score":
        return f"{value:.1f} of 10"
    if m.id in COUNTED_IN:  # a count whose unit is not obvious from its label
        words = COUNTED_IN[m.id].removesuffix("s") if value == 1 else COUNTED_IN[m.id]
        return f"{value:,.0f} {words}" if float(value).is_integer() else f"{number(value)} {words}"
    if m.kind == "count" and float(value).is_integer():
        return f"{value:,.0f}"
    period = _period(m)
    return f"{number(value)} {period}" if period else number(value)


def short(key: str) -> str:
    try:
        return metric(key).short
    except KeyError:
        return label(key)


def text(key: str, value: float | None, missing: str = "not enough data") -> str:
    """The label and the figure, for a sentence: `Deployment frequency 5.6 a week`."""
    return f"{label(key)} {show(key, value, missing)}"


def unit(key: str) -> str:
    return metric(key).unit
