"""Value realised, all of it together: the approved plan against the team's exports split at
a date (the approval date unless another is given). See value.py for the money, measure.py
for the figures and change.py for the test of each change; DESIGN.md, `realise`, for the
JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from advisor.errors import EvidenceError, Problem
from advisor.evidence.registry import BETTER
from advisor.realise.measure import Measured, Sides, measure, monthly_trend, ns_of
from advisor.realise.outcomes import outcome_cards
from advisor.realise.price import backlog_cost_per_item_week, price_of_waiting
from advisor.realise.value import LeverRealised, Totals, months_between, realise_levers, totals


@dataclass
class Realised:
    """Plan against actual for one approved scenario; money in the plan's currency."""

    name: str
    currency: str
    plan: dict  # version, approved_by, approved_at, start
    since: dt.datetime
    as_of: dt.datetime
    months: float  # months to date, from the plan's start to the data's end
    horizon_months: int
    levers: list[LeverRealised]
    totals: Totals | None
    figures: dict[str, Measured]
    outcomes: list[dict]
    bottleneck_price: dict | None
    trend: list[dict]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "currency": self.currency,
            "plan": self.plan,
            "since": self.since.isoformat(),
            "as_of": self.as_of.isoformat(),
            "months_to_date": self.months,
            "horizon_months": self.horizon_months,
            "levers": [lv.to_json() for lv in self.levers],
            "total": self.totals.to_json() if self.totals is not None else None,
            "monthly": self.totals.monthly if self.totals is not None else [],
            "figures": {k: m.to_json() for k, m in self.figures.items()},
            "outcomes": self.outcomes,
            "bottleneck_price": self.bottleneck_price,
            "trend": self.trend,
            "warnings": self.warnings,
        }

    def summary(self) -> dict:
        """The scenario's `realised` part (scenario.RealisedSummary): what reports, the
        workbook and Compare show."""
        from advisor.realise.measure import sentence

        keep = ("item", "name", "label", "target", "actual", "unit", "status", "source")
        return {
            "currency": self.currency,
            "plan": self.plan,
            "since": self.since.isoformat(),
            "as_of": self.as_of.isoformat(),
            "months_to_date": self.months,
            "levers": [
                {k: v for k, v in lv.to_json().items() if k != "figures"} for lv in self.levers
            ],
            "total": self.totals.to_json() if self.totals is not None else {},
            "outcomes": [{k: o[k] for k in keep} for o in self.outcomes],
            "bottleneck_price": self.bottleneck_price,
            "findings": [sentence(m) for m in self.figures.values()][:40],
            "warnings": self.warnings[:40],
        }


class Measurements:
    """Figures on both sides of a date, each computed once (keyed by figure, team, date)."""

    def __init__(self, evidence, deployments, incidents, seed: int = 0):
        from advisor.evidence.dora import per_deployment

        self.prepared = evidence.prepared
        self.window = self.prepared.window
        self.items = self.prepared.items
        self.deploys = (
            per_deployment(deployments.frame, deployments.changes, incidents, self.window)
            if deployments is not None
            else None
        )
        self.seed = seed
        self._done: dict = {}

    def at(self, metric: str, team: str | None, since: int) -> Measured | None:
        key = (metric, team, since)
        if key not in self._done:
            sides = Sides.at(self.window, since)
            self._done[key] = measure(metric, sides, self.items, self.deploys, team, self.seed)
        return self._done[key]


def _utc(ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC)


def _day_ns(day: dt.date) -> int:
    return ns_of(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC))


def realise(
    scenario,
    evidence,
    deployments=None,
    incidents=None,
    approval=None,
    since: dt.date | None = None,
    catalog=None,
    cost_of_delay_per_item_week: float | None = None,
    seed: int = 0,
) -> Realised:
    """Plan against actual. `scenario` is a ScenarioFile (its roi is the plan); `evidence` the
    Evidence of the exports over their whole window (this product's rules, calendar days);
    `approval` the sign-off (else the file's own). The split is `since`, else the approval's
    date. Raises EvidenceError when there is no date to split at or a side is empty."""
    approval = approval or scenario.approval
    split_day = since or (approval.at.date() if approval is not None else None)
    if split_day is None:
        raise EvidenceError(
            [
                Problem(
                    "the plan",
                    f"{scenario.name!r} is not approved, so there is no date to split the data "
                    "at: approve a version (scenario approve NAME --version N) or give --since",
                    "--since",
                )
            ]
        )
    window = evidence.prepared.window
    since_ns = _day_ns(split_day)
    if not window.start < since_ns < window.end:
        span = f"the data runs from {_utc(window.start).date()} to {_utc(window.end).date()}"
        if since is not None:
            problem = Problem(
                "arguments", f"{split_day} leaves nothing on one side: {span}", "--since"
            )
        else:
            problem = Problem(
                "the plan",
                f"was approved on {split_day} and {span}, so nothing is measured on both sides "
                "of the approval: give exports that run past it, or a --since date to split at",
            )
        raise EvidenceError([problem])
    if catalog is None:  # a platform's licence is priced from the catalog, as everywhere
        from advisor.catalog import bundled_catalog

        catalog = bundled_catalog()
    _check_teams(scenario, evidence)
    m = Measurements(evidence, deployments, incidents, seed)
    warnings: list[str] = []
    figures = {
        k: f for k in BETTER if (f := m.at(k, None, since_ns)) is not None and k != "throughput"
    }
    throughput = m.at("throughput", None, since_ns)
    if throughput is not None:
        figures["throughput"] = throughput
    as_of = _utc(window.end)
    roi = scenario.roi
    currency = roi.currency if roi is not None else scenario.answers.currency
    start = (roi.start_date if roi is not None else None) or (
        approval.at.date() if approval is not None else split_day
    )
    levers, total, months = [], None, 0.0
    if roi is None:
        warnings.append("The plan has no ROI model: there is no lever to measure.")
    else:
        months = min(months_between(start, as_of), roi.horizon_months)
        levers, costs = realise_levers(
            roi, months, lambda k, team: m.at(k, team, since_ns), catalog
        )
        total = totals(levers, costs, months, roi.discount_rate)
        missing = [lv.name for lv in levers if lv.status != "measured"]
        if missing:
            warnings.append(
                "Not measured, so counted as nothing to date (never assumed met): "
                + ", ".join(missing)
                + "."
            )
    outcomes, notes = outcome_cards(
        scenario.backlog, split_day, lambda k, team, day: m.at(k, team, _day_ns(day))
    )
    warnings += notes
    price = _price(scenario, evidence, since_ns, cost_of_delay_per_item_week, currency, warnings)
    if approval is None:
        warnings.append(
            f"{scenario.name!r} carries no approval: its content is taken as the plan, split "
            f"at {split_day}."
        )
    return Realised(
        name=scenario.name,
        currency=currency,
        plan={
            "version": approval.version if approval is not None else None,
            "approved_by": approval.by if approval is not None else None,
            "approved_at": approval.at.isoformat() if approval is not None else None,
            "start": start.isoformat(),
        },
        since=_utc(since_ns),
        as_of=as_of,
        months=months,
        horizon_months=roi.horizon_months if roi is not None else 0,
        levers=levers,
        totals=total,
        figures=figures,
        outcomes=outcomes,
        bottleneck_price=price,
        trend=monthly_trend(m.items, m.deploys),
        warnings=warnings,
    )


def _check_teams(scenario, evidence) -> None:
    """A team named by a measure must be in the exports: a typo read as "too early" or "not
    measured" for ever."""
    names = evidence.prepared.items["team"].astype(object)
    teams = sorted({str(t) for t in names.dropna() if str(t)})
    named = []
    if scenario.roi is not None:
        named += [
            (f"roi.benefits[{i}].measure.team", b.measure.team)
            for i, b in enumerate(scenario.roi.benefits)
            if b.measure is not None and b.measure.team
        ]
    if scenario.backlog is not None:
        named += [
            (f"backlog.items[{i}].outcome.measure.team", it.outcome.measure.team)
            for i, it in enumerate(scenario.backlog.items)
            if it.outcome is not None and it.outcome.measure is not None and it.outcome.measure.team
        ]
    shown = ", ".join(teams[:20]) or "none: the work items name no team"
    problems = [
        Problem(
            scenario.name,
            f"names the team {team!r}, which the exports do not hold (teams: {shown})",
            path,
        )
        for path, team in named
        if team not in teams
    ]
    if problems:
        raise EvidenceError(problems)


def _price(scenario, evidence, since_ns, given, currency, warnings):
    if given is not None:
        cost, source = given, "given"
    else:
        cost, notes = backlog_cost_per_item_week(scenario.backlog)
        source = "backlog"
        warnings += notes
    if cost is None:
        warnings.append(
            "The bottleneck has no price: the plan has no backlog with a cost of delay, and "
            "none was given (--cost-of-delay)."
        )
        return None
    return price_of_waiting(evidence, cost, currency, source, since_ns)
