"""Plan against realised value, lever by lever, the way earned value management reports a
project (DOMAIN section 9).

    months to date      (as of - plan start) in days / (365.25 / 12), within the horizon;
                        the plan starts on the ROI's `start_date`, else the approval date
    planned to date     the plan's monthly benefit of the lever (its ramp included) summed
                        over the months to date, the last one in part
    realised a year     the plan's own formula with measured numbers in place of planned ones:
        downtime avoided    (deploys a year x change fail rate x recovery hours), before
                            minus after, x cost per hour; all six measured
        rework avoided      staff x annual cost x (rework share before - after), the share
                            measured as the deployment rework rate
        capacity freed      staff x annual cost x time saved, where time saved = planned time
                            saved x attainment
        linked benefit      planned annual value x attainment (a benefit with `measure`)
        attainment          measured relative change / expected relative change of the linked
                            figure (a capacity-freed lever expects its time saved as a fall,
                            -time_saved, unless its `measure` says otherwise)
    realised to date    the lever's monthly profile (its start month and ramp, as planned) at
                        the realised value a year, summed over the months to date: a lever
                        60% attained has realised 60% of its plan to date
    variance            realised to date - planned to date
    forecast at         realised to date + the plan for the months left; its NPV takes the
    completion          plan's costs as planned, the realised monthly value for the months to
                        date and the plan after. A lever with no measured figure is "not
                        measured": it adds nothing to date (never assumed met) and its plan for
                        the months left.
    can be chance       a measured lever any of whose figures the data cannot tell from chance
                        (change.py): its money is shown, and the total of the levers whose
                        every change is clear is given beside the total.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from advisor.evidence.registry import label
from advisor.money import npv
from advisor.realise.measure import Measured
from advisor.roi import levers
from advisor.roi.analysis import values_at
from advisor.roi.cashflows import build_lines
from advisor.roi.schema import Benefit, Scenario

MONTH_DAYS = 365.25 / 12
Measurer = Callable[[str, str | None], Measured | None]


@dataclass
class LeverRealised:
    """One benefit of the plan against what the data shows; money in the plan's currency."""

    name: str
    kind: str  # the benefit's source: downtime_avoided, annual_value, ...
    planned_annual: float
    planned_to_date: float
    realised_annual: float | None
    realised_to_date: float | None
    status: str  # measured | not_measured
    figures: dict[str, Measured] = field(default_factory=dict)
    how: str = ""  # the formula with the measured numbers, or why it is not measured
    planned_monthly: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    realised_monthly: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def unclear(self) -> list[str]:
        """The figures behind a measured lever whose change the data cannot tell from chance."""
        return [label(k) for k, m in self.figures.items() if not m.change.real]

    @property
    def clear(self) -> bool | None:
        """Every change behind the lever is clear of chance; None when not measured."""
        if self.status != "measured":
            return None
        return not self.unclear

    @property
    def variance(self) -> float | None:
        if self.realised_to_date is None:
            return None
        return self.realised_to_date - self.planned_to_date

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "planned_annual": self.planned_annual,
            "planned_to_date": self.planned_to_date,
            "realised_annual": self.realised_annual,
            "realised_to_date": self.realised_to_date,
            "variance": self.variance,
            "status": self.status,
            "clear_of_chance": self.clear,
            "could_be_chance": self.unclear,
            "how": self.how,
            "figures": {k: m.to_json() for k, m in self.figures.items()},
        }


def months_between(start: dt.date, as_of: dt.datetime) -> float:
    """Months (of 365.25 / 12 days) from `start` (00:00 UTC) to `as_of`; never below 0."""
    begin = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    return max(0.0, (as_of - begin).total_seconds() / 86_400 / MONTH_DAYS)


def to_date(monthly: np.ndarray, months: float) -> float:
    """The sum of `monthly` over the first `months` months, the last one in part.

    >>> to_date(np.array([10.0, 20.0, 30.0]), 1.5)
    20.0
    """
    months = min(max(months, 0.0), len(monthly))
    whole = math.floor(months)
    part = months - whole
    total = float(monthly[:whole].sum())
    if part and whole < len(monthly):
        total += part * float(monthly[whole])
    return total


def month_weights(months: float, horizon: int) -> np.ndarray:
    """Per month of the horizon, the part of it that lies within `months` to date."""
    m = np.arange(horizon)
    return np.clip(months - m, 0.0, 1.0)


def _pair(measured: Measured | None) -> tuple[float, float] | None:
    if measured is None or measured.before is None or measured.after is None:
        return None
    return measured.before, measured.after


def _money(x: float, currency: str) -> str:
    return f"{x:,.0f} {currency}"


def _downtime(values: dict, prefix: str, measure: Measurer, currency: str):
    keys = ("deploys_per_year", "change_fail_rate", "failed_deployment_recovery_time")
    figures = {k: measure(k, None) for k in keys}
    missing = [label(k) for k, m in figures.items() if _pair(m) is None]
    figures = {k: m for k, m in figures.items() if m is not None}
    if missing:
        return None, figures, f"not measured: {', '.join(missing)} not measured on both sides"
    (db, da), (fb, fa), (rb, ra) = (_pair(figures[k]) for k in keys)
    hours_b, hours_a = rb * 24, ra * 24
    cost = values[f"{prefix}.downtime_avoided.cost_per_hour"]
    annual = 12 * levers.downtime_avoided(db, da, fb, fa, hours_b, hours_a, cost)
    how = (
        f"({db:,.1f} deploys x {fb:.1%} failed x {hours_b:,.1f} h before - {da:,.1f} x "
        f"{fa:.1%} x {hours_a:,.1f} h after) x {_money(cost, currency)} an hour"
    )
    return annual, figures, how


def _rework(b: Benefit, values: dict, prefix: str, measure: Measurer, currency: str):
    m = measure("deployment_rework_rate", None)
    figures = {"deployment_rework_rate": m} if m is not None else {}
    pair = _pair(m)
    if pair is None:
        return None, figures, "not measured: the deployment rework rate is not measured"
    staff = values[f"{prefix}.rework_avoided.staff"]
    cost = values[f"{prefix}.rework_avoided.annual_cost"]
    annual = 12 * levers.rework_avoided(staff, cost, pair[0], pair[1])
    how = (
        f"{staff:,.0f} staff x {_money(cost, currency)} x (rework {pair[0]:.1%} before - "
        f"{pair[1]:.1%} after; the deployment rework rate)"
    )
    return annual, figures, how


def _attainment(metric: str, team: str | None, expected: float, measure: Measurer):
    m = measure(metric, team)
    figures = {metric: m} if m is not None else {}
    if m is None or m.relative is None:
        return None, figures, f"not measured: {label(metric)} is not measured on both sides"
    return m.relative / expected, figures, ""


def _linked(b: Benefit, planned: float, values: dict, prefix: str, measure, currency: str):
    if b.source == "capacity_freed":
        metric = b.measure.metric if b.measure else "cycle_time"
        team = b.measure.team if b.measure else None
        saved = values[f"{prefix}.capacity_freed.time_saved"]
        expected = (b.measure.expected_change if b.measure else None) or -saved
        if expected == 0:
            return None, {}, "not measured: the plan saves no time"
        share, figures, why = _attainment(metric, team, expected, measure)
        if share is None:
            return None, figures, why
        staff = values[f"{prefix}.capacity_freed.staff"]
        cost = values[f"{prefix}.capacity_freed.annual_cost"]
        annual = 12 * levers.capacity_freed(staff, cost, saved * share)
        m = figures[metric]
        how = (
            f"{staff:,.0f} staff x {_money(cost, currency)} x time saved {saved:.1%} x "
            f"{share:.0%} attained ({label(metric)} changed {m.relative:+.1%}; the plan "
            f"counted on {expected:+.1%})"
        )
        return annual, figures, how
    if b.measure is None:
        return None, {}, "not measured: no measured figure is linked (add measure: metric, ...)"
    share, figures, why = _attainment(
        b.measure.metric, b.measure.team, b.measure.expected_change, measure
    )
    if share is None:
        return None, figures, why
    m = figures[b.measure.metric]
    how = (
        f"{_money(planned, currency)} a year planned x {share:.0%} attained "
        f"({label(b.measure.metric)} changed {m.relative:+.1%}; the plan counted on "
        f"{b.measure.expected_change:+.1%})"
    )
    return planned * share, figures, how


def realise_levers(roi: Scenario, months: float, measure: Measurer, catalog=None):
    """Each benefit of `roi` planned against realised over `months` to date, and the plan's
    monthly costs (for the forecast at completion)."""
    lines, params, _ = build_lines(roi, catalog)
    values = values_at(params)
    costs = np.zeros(roi.horizon_months)
    out: list[LeverRealised] = []
    benefits = iter(enumerate(roi.benefits))
    for line in lines:
        amount = float(line.amount(values))
        if line.kind == "cost":
            costs += amount * line.profile
            continue
        i, b = next(benefits)
        prefix = f"benefits[{i}]"
        planned_monthly = amount * line.profile
        planned_annual = amount * 12
        if b.source == "downtime_avoided":
            annual, figures, how = _downtime(values, prefix, measure, roi.currency)
        elif b.source == "rework_avoided":
            annual, figures, how = _rework(b, values, prefix, measure, roi.currency)
        else:
            annual, figures, how = _linked(b, planned_annual, values, prefix, measure, roi.currency)
        out.append(
            LeverRealised(
                name=b.name,
                kind=b.source,
                planned_annual=planned_annual,
                planned_to_date=to_date(planned_monthly, months),
                realised_annual=annual,
                realised_to_date=to_date(annual / 12 * line.profile, months)
                if annual is not None
                else None,
                status="measured" if annual is not None else "not_measured",
                figures=figures,
                how=how,
                planned_monthly=planned_monthly,
                realised_monthly=(annual or 0.0) / 12 * line.profile,
            )
        )
    return out, costs


@dataclass(frozen=True)
class Totals:
    planned_to_date: float  # the measured levers' plan to date
    realised_to_date: float
    realised_to_date_clear: float  # of the levers whose every change is clear of chance
    planned_to_date_not_measured: float
    forecast_at_completion: float  # benefits: realised to date + plan for the months left
    planned_benefit: float  # the plan's benefits over the horizon
    forecast_at_completion_npv: float
    planned_npv: float
    monthly: list[dict]

    @property
    def variance(self) -> float:
        return self.realised_to_date - self.planned_to_date

    def to_json(self) -> dict:
        return {
            "planned_to_date": self.planned_to_date,
            "realised_to_date": self.realised_to_date,
            "variance": self.variance,
            "realised_to_date_clear_of_chance": self.realised_to_date_clear,
            "planned_to_date_not_measured": self.planned_to_date_not_measured,
            "forecast_at_completion": self.forecast_at_completion,
            "planned_benefit": self.planned_benefit,
            "forecast_at_completion_npv": self.forecast_at_completion_npv,
            "planned_npv": self.planned_npv,
        }


def totals(
    levers_: list[LeverRealised], costs: np.ndarray, months: float, discount_rate: float
) -> Totals:
    """The sums over levers, the forecast at completion and its NPV, and per month the plan's
    cumulative benefit against the realised one (to date) and the forecast (after)."""
    horizon = len(costs)
    done = month_weights(months, horizon)
    planned = np.zeros(horizon)
    forecast = np.zeros(horizon)
    for lv in levers_:
        planned += lv.planned_monthly
        realised = lv.realised_monthly if lv.status == "measured" else 0.0
        forecast += done * realised + (1 - done) * lv.planned_monthly
    measured = [lv for lv in levers_ if lv.status == "measured"]
    rows, cum_plan, cum_fc = [], 0.0, 0.0
    for m in range(horizon):
        cum_plan += planned[m]
        cum_fc += forecast[m]
        rows.append(
            {
                "month": m,
                "planned": cum_plan,
                "realised": cum_fc if m < months else None,
                "forecast": cum_fc,
            }
        )
    return Totals(
        planned_to_date=sum(lv.planned_to_date for lv in measured),
        realised_to_date=sum(lv.realised_to_date for lv in measured),
        realised_to_date_clear=sum(lv.realised_to_date for lv in measured if lv.clear),
        planned_to_date_not_measured=sum(
            lv.planned_to_date for lv in levers_ if lv.status != "measured"
        ),
        forecast_at_completion=float(forecast.sum()),
        planned_benefit=float(planned.sum()),
        forecast_at_completion_npv=npv(discount_rate, forecast - costs),
        planned_npv=npv(discount_rate, planned - costs),
        monthly=rows,
    )
