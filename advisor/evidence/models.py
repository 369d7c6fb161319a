"""The evidence report as typed models: what `evidence --json` prints, and its JSON Schema.

Every figure carries its registry id (`metric`), value, unit, statistic (median, mean,
share, rate, count), the number of items or deployments behind it (`n`), the window it was
measured over and, when it has no value, a note saying why ("not enough data: ...").
Numbers are given to 12 significant digits, so the same history read two ways (CSV and
Jira JSON) prints the same figures; the bottleneck weights are exact and sum to 1.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

SCHEMA_FILE = Path(__file__).resolve().parent / "evidence.schema.json"
SIGNIFICANT = 12
_EXACT = ("bottlenecks", "weights")  # shares that must sum to exactly 1


class Model(BaseModel):
    # Built on first use (warm), so that the command line can build them on its second
    # thread while the first lays out the rows.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Span(Model):
    start: str = Field(alias="from", description="UTC, ISO 8601")
    end: str = Field(alias="to", description="UTC, ISO 8601")


class Figure(Model):
    """One measured figure."""

    metric: str = Field(description="the registry id of its definition")
    value: float | None
    unit: str
    statistic: str | None
    n: int = Field(description="items, deployments, weeks' items or answers behind it")
    window: Span | None
    note: str | None = Field(description="why there is no value, or what to know about it")


class Distribution(Figure):
    count: int
    median: float | None
    p85: float | None
    mean: float | None


class Weekly(Distribution):
    weeks: int = Field(description="whole weeks used")
    weeks_left_out: list[str] = Field(description="weeks the window covers only in part")


class Velocity(Weekly):
    series: dict[str, float] = Field(description="Monday (UTC) -> items finished that week")


class Efficiency(Distribution):
    overall: float | None = Field(description="all active time / all flow time")


class Load(Figure):
    now: int
    series: dict[str, int]


class TimeIn(Model):
    metric: str
    total: float
    median: float
    value: float
    visits: int
    n: int
    unit: str
    statistic: str


class Flow(Model):
    velocity_per_week: Velocity
    flow_time_days: Distribution
    flow_efficiency: Efficiency
    flow_load: Load
    flow_distribution: dict[str, float] = Field(
        description="flow item -> share of the items finished in the window"
    )
    feature_share: Figure
    distribution_by_week: dict[str, dict[str, int]]
    percentiles: str


class Sei(Model):
    cycle_time_days: Distribution
    throughput_per_week: Weekly
    wip: int = Field(description="items in progress at the window's end (see wip_items)")
    wip_items: Figure
    wip_age_days: Distribution
    time_in_status_days: dict[str, TimeIn]
    time_in_stage_days: dict[str, TimeIn]


class Scored(Figure):
    cluster: str | None = Field(description="2024 DORA performance cluster")
    score: float | None = Field(description="Quick Check score, 0-10")


class LeadTime(Scored):
    p85: float | None


class Frequency(Scored):
    deployment_days_per_week: float | None


class FailRate(Scored):
    failed: int


class Score(Model):
    overall: float | None
    throughput: float | None
    instability: float | None
    unit: str


class Links(Model):
    given: int
    linked_by_id: int
    linked_by_time: int
    dangling: int = Field(description="incidents whose deployment_id names no deployment")
    dangling_ids: list[str]
    unlinked: int


class Dora(Model):
    change_lead_time: LeadTime
    deployment_frequency: Frequency
    change_fail_rate: FailRate
    failed_deployment_recovery_time: Scored
    deployment_rework_rate: Scored
    deployment_days: Figure
    score: Score
    deployments: int = Field(description="deployments inside the window")
    weeks: float
    deploys_per_year: Figure
    incidents: Links
    incident_window_hours: float | None
    clusters: str
    incident_rule: str
    source: str = Field(default="", description="the deployments file")
    rows: int
    read: int = Field(description="deployments read, inside the window or not")
    merged_rows: int
    merged_ids: list[str]
    rows_with_id: int
    successful: int
    with_first_commit: int = Field(description="deployments in the window with a first commit")


class Speed(Figure):
    source: Literal["items", "pull_requests"] = Field(
        description="pull_requests: merged pull requests per engineer (DX Core 4's own "
        "figure); items: items finished per engineer, a stated stand-in"
    )
    stand_in: str | None
    engineers: int | None
    engineers_source: Literal["given", "authors"] | None = Field(
        default=None, description="--engineers, or the distinct authors of merged pull requests"
    )


class Effectiveness(Figure):
    teams: dict[str, float | None] = Field(description="null: fewer respondents than min_group")
    respondents: dict[str, int | None]
    respondents_shown: int = Field(description="respondents of the teams shown (n: answers)")
    hidden_teams: int
    min_group: int
    stand_in: str


class StandIn(Figure):
    stand_in: str | None


class DxCore4(Model):
    speed: Speed
    effectiveness: Effectiveness
    quality: StandIn
    impact: StandIn


class StatusWait(Model):
    status: str
    waiting_days: float
    stays: int
    unit: str


class ReviewWait(Model):
    """Pull requests' pickup time (opening to first review) beside the development stage."""

    metric: str
    median: float | None
    p85: float | None
    count: int
    unit: str
    waiting_days: float = Field(description="pickup days of the merged pull requests, summed")
    added: bool = Field(description="added to development's waiting time (no waiting status)")
    note: str


class BottleneckDetail(Model):
    weights: dict[str, float]
    top: str | None
    waiting_days: float
    unit: str
    metric: str
    n: int
    window: Span
    statuses: dict[str, list[StatusWait]]
    review_wait: ReviewWait | None = None


class TeamFigures(Model):
    flow_time: Figure
    cycle_time: Figure
    flow_efficiency: Figure
    throughput: Figure


class Team(Model):
    bottlenecks: dict[str, float]
    finished: int
    flow_time_median_days: float | None
    cycle_time_median_days: float | None
    flow_efficiency_median: float | None
    throughput_per_week: float | None
    figures: TeamFigures


class Percentiles(Model):
    p50: float | None
    p85: float | None
    p95: float | None
    metric: str
    unit: str


class Forecast(Model):
    metric: str
    unit: str
    sample_weeks: int
    note: str | None
    trials: int | None = None
    items: int | None = None
    weeks: int | None = None
    weeks_for_items: Percentiles | None = None
    items_by_weeks: Percentiles | None = None


class Window(Model):
    business_days: bool = Field(
        description="flow, cycle and status times counted in weekdays (--business-days)"
    )
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    days: float
    weeks: float
    whole_weeks: int
    first_whole_week: str | None
    last_whole_week: str | None
    source: Literal["files", "given"]


class Truncated(Model):
    held: int
    total: int


class Counts(Model):
    items: int
    transitions: int
    out_of_sequence: int
    finished: int
    unfinished: int
    finished_before_window: int
    reopened_items: int
    finished_without_active_status: int
    partial_items: int
    truncated_items: int
    complete_history_items: int
    transitions_after_window: int
    rows: int
    set_aside: dict[str, int]
    as_of: str
    finished_with_cycle_time: int
    partial_keys: list[str]
    truncated: dict[str, Truncated]


class StatusRuleOut(Model):
    stage: str
    active: bool
    source: Literal["mapped", "category", "default", "unmapped"]


class TypeRuleOut(Model):
    item: str
    source: str


class ProjectRuleOut(StatusRuleOut):
    project: str
    status: str


class Statuses(Model):
    rules: dict[str, StatusRuleOut]
    types: dict[str, TypeRuleOut]
    unmapped: list[str]
    by_project: list[ProjectRuleOut]


class Check(Model):
    id: str
    label: str
    status: Literal["met", "partly met", "missing"]
    figure: str
    value: float | None
    unit: str | None


class Readiness(Model):
    label: str
    status: Literal["ready", "partly ready", "not ready"]
    met: int
    of: int
    checks: list[Check]


class RuleFigure(Figure):
    status: Literal["computed", "not_enough_data", "not_public", "needs_data"]
    why: list[str] = Field(description="how this rule set differs from this product's rules")
    p85: float | None = None
    failed: int | None = None


class Spread(Model):
    low: float | None
    high: float | None
    unit: str
    computed: int


class RuleSetInfo(Model):
    name: str
    vendor: str | None
    checked: str
    summary: str


class PullPart(Distribution):
    rule: str
    days_total: float = Field(description="the measured pull requests' days, summed")


class CycleSplit(Model):
    total: PullPart
    coding: PullPart
    pickup: PullPart
    review: PullPart
    deploy: PullPart


class DeployPart(PullPart):
    by_commit: int = Field(description="pull requests matched to a deployment by merge commit")


class CycleSplitDeploy(CycleSplit):
    deploy: DeployPart


class PullSize(Distribution):
    not_measured: int = Field(description="merged pull requests that give no line counts")


class MergedRate(Figure):
    engineers: int | None
    engineers_source: Literal["given", "authors"]


class Unreviewed(Figure):
    count: int


class GroupLoad(Model):
    reviews: int
    reviews_per_week: float | None
    waiting_for_review: int


class ReviewLoad(Model):
    metric: str
    unit: str
    window: Span
    rule: str
    reviews: int
    reviews_per_week: float | None
    waiting_for_review: int = Field(description="open, not drafts, unreviewed at the end")
    groups: dict[str, GroupLoad | None] = Field(
        description="reviewer group (a team), never a person; null: fewer reviewers than "
        "min_reviewers"
    )
    hidden_groups: int
    left_out_of_overall: bool = Field(
        description="the hidden groups' reviews left out of the overall (fewer than "
        "min_reviewers people in them)"
    )
    min_reviewers: int
    privacy_note: str | None


class PullCounts(Model):
    pull_requests: int = Field(description="read, bots and unusable rows left out")
    merged_in_window: int
    reverts_merged_in_window: int
    measured: int = Field(description="merged in the window, reverts left out")
    open_at_end: int
    reviews: int = Field(description="one per person and pull request")


class PullTeam(Model):
    cycle_time: CycleSplit
    size: PullSize
    merged_per_engineer_week: MergedRate
    merged_without_review: Unreviewed


class PullPrivacy(Model):
    """Small groups: which pull-request figures are hidden, and why."""

    min_authors: int
    min_reviewers: int
    hidden_teams: int
    left_out_of_overall: bool = Field(
        description="the hidden teams and the pull requests of no team left out of the overall "
        "figures and counts (fewer than min_authors people in them)"
    )
    note: str | None


class Pulls(Model):
    """`pulls`: pull-request figures (evidence --pulls)."""

    source: str
    counts: PullCounts
    cycle_time: CycleSplitDeploy
    size: PullSize
    merged_per_engineer_week: MergedRate
    merged_without_review: Unreviewed
    review_load: ReviewLoad
    set_aside: dict[str, int]
    bots: str = Field(description="the pattern of bot logins whose pull requests are left out")
    teams: dict[str, PullTeam | None] = Field(
        description="null: fewer distinct authors than privacy.min_authors"
    )
    privacy: PullPrivacy


class EvidenceReport(Model):
    """`evidence --json`."""

    source: str
    window: Window
    counts: Counts
    statuses: Statuses
    flow: Flow
    sei: Sei
    dora: Dora | None
    dx_core_4: DxCore4
    bottlenecks: dict[str, float] = Field(
        description="stage -> share of waiting time, summing to exactly 1 (the answers file's "
        "bottlenecks)"
    )
    bottleneck_detail: BottleneckDetail
    teams: dict[str, Team]
    forecast: Forecast
    readiness: dict[str, Readiness]
    warnings: list[str]
    rules: dict[str, dict[str, RuleFigure]] | None = None
    rules_spread: dict[str, Spread] | None = None
    rule_sets: dict[str, RuleSetInfo] | None = None
    pulls: Pulls | None = None


def _rounded(value, exact: bool = False):
    if isinstance(value, dict):
        return {str(k): _rounded(v, exact or k in _EXACT) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v, exact) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return value if exact or value == 0 else float(f"{value:.{SIGNIFICANT}g}")
    return value


def warm() -> None:
    """Build the report's validator and serializer now (they are deferred)."""
    EvidenceReport.model_rebuild(force=True)


def validated(document: dict) -> dict:
    """The document checked against EvidenceReport and returned as JSON-ready data."""
    report = EvidenceReport.model_validate(_rounded(document))
    return report.model_dump(mode="json", by_alias=True, exclude_unset=True)


def json_schema() -> str:
    """The JSON Schema of `evidence --json`, as the file that ships with the package."""
    schema = EvidenceReport.model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Platform Advisor evidence report"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
