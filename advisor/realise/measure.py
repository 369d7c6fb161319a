"""Measured figures before and after a date, from the same exports and rules as the Evidence
page: the values value realised and outcome cards read.

    before         the window's start up to (not including) the date
    after          the date to the window's end
    times          cycle time, flow time, change lead time, recovery time: the median over
                   the items finished (or deployments made) on each side
    shares         change fail rate, deployment rework rate, flow efficiency: over the
                   deployments (items) of each side; efficiency is the median item's
    rates          throughput, deployment frequency, deployments a year: the count on each
                   side / its weeks (x 365 / 7 for a year), as the Evidence page's rates; the
                   interval and the test compare the weekly counts of its whole weeks

Every figure is tested with `change.compare` (a bootstrap interval, a permutation test).
Deployments name no team: their figures are the whole organisation's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.evidence.prepare import to_ns
from advisor.evidence.registry import BETTER, TEAM_FIGURES, label
from advisor.evidence.registry import unit as unit_of
from advisor.evidence.window import DAY_NS, NAT, WEEK_NS, Window
from advisor.realise.change import Change, compare

RATES = {"throughput": 1.0, "deployment_frequency": 1.0, "deploys_per_year": 365 / 7}
ITEM_COLUMN = {
    "cycle_time": "cycle_days",
    "flow_time": "flow_days",
    "flow_efficiency": "efficiency",
}
DEPLOY_COLUMN = {
    "change_lead_time": "lead_days",
    "failed_deployment_recovery_time": "recovery_days",
    "change_fail_rate": "failed",
    "deployment_rework_rate": "unplanned",
}


@dataclass(frozen=True)
class Measured:
    """One figure before and after: its values as the registry defines them, the test of the
    change, and the number of items, deployments or weeks behind each side."""

    metric: str
    team: str | None
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    counted: str  # what n counts: items, deployments, failed deployments, weeks
    change: Change
    note: str | None = None

    @property
    def unit(self) -> str:
        return unit_of(self.metric)

    @property
    def relative(self) -> float | None:
        if self.before is None or self.after is None or self.before == 0:
            return None
        return (self.after - self.before) / self.before

    @property
    def improved(self) -> bool | None:
        if self.before is None or self.after is None:
            return None
        better = BETTER[self.metric]
        return self.after < self.before if better == "lower" else self.after > self.before

    def to_json(self) -> dict:
        c = self.change
        return {
            "metric": self.metric,
            "label": label(self.metric),
            "team": self.team,
            "before": self.before,
            "after": self.after,
            "unit": self.unit,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "counted": self.counted,
            "interval": list(c.interval) if c.interval is not None else None,
            "p_value": c.p_value,
            "real": c.real,
            "resamples": c.resamples,
            "note": self.note,
            "sentence": sentence(self),
        }


@dataclass(frozen=True)
class Sides:
    """The two sides of the date: windows in ns UTC (before ends 1 ns before `since`)."""

    before: Window
    after: Window

    @classmethod
    def at(cls, window: Window, since: int) -> Sides:
        return cls(Window(window.start, since - 1), Window(since, window.end))


def _whole_week_counts(times: np.ndarray, window: Window) -> np.ndarray:
    """Events per whole Monday-Sunday week inside `window`, zero weeks included."""
    mondays = window.whole_week_days() * DAY_NS
    if not len(mondays):
        return np.array([])
    index = np.searchsorted(mondays, times, side="right") - 1
    keep = (index >= 0) & (times < mondays[-1] + WEEK_NS) & (times >= mondays[0])
    return np.bincount(index[keep], minlength=len(mondays)).astype(float)


def _rate(metric: str, times, sides: Sides, seed: int, what: str, team=None) -> Measured:
    scale = RATES[metric]
    values, weekly = [], []
    for w in (sides.before, sides.after):
        inside = times[w.contains(times)]
        rate = w.rate(len(inside))
        values.append(rate * scale if rate is not None else None)
        weekly.append(_whole_week_counts(inside, w) * scale)
    change = compare(weekly[0], weekly[1], "mean", seed)
    return Measured(
        metric, team, values[0], values[1], len(weekly[0]), len(weekly[1]), "whole weeks",
        change, f"{what} per week over each side; the test compares its whole weeks' counts",
    )  # fmt: skip


def _times(metric: str, values: np.ndarray, at: np.ndarray, sides: Sides, seed, counted, team):
    sides_values = [values[sides.before.contains(at)], values[sides.after.contains(at)]]
    sides_values = [v[np.isfinite(v)] for v in sides_values]
    statistic = "mean" if metric in ("change_fail_rate", "deployment_rework_rate") else "median"
    change = compare(sides_values[0], sides_values[1], statistic, seed)
    return Measured(
        metric, team, change.before, change.after, change.n_before, change.n_after, counted,
        change,
    )  # fmt: skip


def measure(
    metric: str,
    sides: Sides,
    items: pd.DataFrame | None = None,
    deployments: pd.DataFrame | None = None,
    team: str | None = None,
    seed: int = 0,
) -> Measured | None:
    """`metric` (a registry id of BETTER) on each side; None when the files cannot give it
    (no deployments for a DORA figure). `items` is Prepared.items; `deployments` is
    `dora.per_deployment`'s frame."""
    if metric in TEAM_FIGURES:
        if items is None:
            return None
        rows = items[items["finished"]]
        if team is not None:
            rows = rows[rows["team"].astype(object) == team]
        done = to_ns(rows["done"])
        if metric == "throughput":
            return _rate(metric, done, sides, seed, "items finished", team)
        column = rows[ITEM_COLUMN[metric]].to_numpy(dtype=float)
        return _times(metric, column, done, sides, seed, "items finished", team)
    if deployments is None:
        return None
    at = deployments["at"].to_numpy()
    if metric == "deployment_frequency":
        ok = deployments["successful"].to_numpy()
        return _rate(metric, at[ok], sides, seed, "successful deployments")
    if metric == "deploys_per_year":
        return _rate(metric, at, sides, seed, "deployments, failed ones too,")
    values = deployments[DEPLOY_COLUMN[metric]].to_numpy(dtype=float)
    counted = {
        "change_lead_time": "successful deployments with a first commit",
        "failed_deployment_recovery_time": "failed deployments with a recovery time",
    }.get(metric, "deployments")
    return _times(metric, values, at, sides, seed, counted, None)


def stage_waits(prepared, stage: str) -> pd.Series:
    """Days each finished item waited in `stage`'s waiting statuses inside its flow time
    (zero for an item that never waited there), by item key; the bottleneck's measure."""
    from advisor.evidence.statuses import STAGES

    stays = prepared.stays
    waiting = stays.waiting()
    here = stays.stage[waiting] == STAGES.index(stage)
    per_item = np.bincount(
        stays.item(waiting[here]), weights=stays.waiting_days[here], minlength=len(prepared.items)
    )
    finished = prepared.items["finished"].to_numpy()
    return pd.Series(per_item[finished], index=prepared.items.index[finished])


def monthly_trend(items: pd.DataFrame | None, deployments: pd.DataFrame | None) -> list[dict]:
    """Per calendar month (UTC) and team: items finished and their median cycle time; per
    month for the organisation: deployments and the change fail rate."""
    out: list[dict] = []
    if items is not None:
        rows = items[items["finished"]]
        if len(rows):
            month = rows["done"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
            grouped = rows.assign(month=month.astype(str), team=rows["team"].astype(object))
            for (m, team), g in grouped.groupby(["month", "team"], sort=True, dropna=False):
                cycle = g["cycle_days"].to_numpy(dtype=float)
                cycle = cycle[np.isfinite(cycle)]
                out.append(
                    {
                        "month": m,
                        "team": None if pd.isna(team) or team == "" else str(team),
                        "items_finished": len(g),
                        "cycle_time": float(np.median(cycle)) if cycle.size else None,
                    }
                )
    if deployments is not None and len(deployments):
        at = pd.to_datetime(deployments["at"].to_numpy(), utc=True)
        month = at.tz_localize(None).to_period("M").astype(str)
        frame = deployments.assign(month=month)
        for m, g in frame.groupby("month", sort=True):
            out.append(
                {
                    "month": m,
                    "team": None,
                    "deployments": len(g),
                    "change_fail_rate": float(g["failed"].mean()),
                }
            )
    return out


def ns_of(value) -> int:
    """A date (midnight UTC) or aware date-time as ns since the epoch."""
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return int(ts.value) if ts.value != NAT else NAT


def sentence(m: Measured) -> str:
    """The change in plain words, with the numbers behind it and what chance could do:
    `Cycle time fell from 6.3 days to 4.1 days (48 items finished before, 52 after); a change
    this large appears in under 1% of random reshuffles of the same values.`"""
    from advisor.evidence.registry import show
    from advisor.realise.change import MIN_EACH, chance_words

    name = label(m.metric)
    if m.before is None or m.after is None:
        side = "before" if m.before is None else "after"
        return f"{name}: nothing was measured {side} the date."
    before, after = show(m.metric, m.before), show(m.metric, m.after)
    if m.after == m.before:
        moved = f"{name} stayed at {after}"
    else:
        moved = f"{name} {'rose' if m.after > m.before else 'fell'} from {before} to {after}"
    counts = f"({m.n_before:,} {m.counted} before, {m.n_after:,} after)"
    p = m.change.p_value
    if p is None:
        return (
            f"{moved} {counts}; with fewer than {MIN_EACH} on a side the data cannot tell a "
            "change from chance."
        )
    if m.change.real:
        return (
            f"{moved} {counts}; a change this large appears in {chance_words(p, True)} of "
            "the same values, so chance alone is unlikely."
        )
    return (
        f"{moved} {counts}; a change this large appears in {chance_words(p, True)} of the "
        "same values: the data cannot tell it from chance."
    )


def change_text(metric: str, value: float) -> str:
    """A change of the figure with its unit: shares in percentage points (a fall from 30% to
    20% is -10.0 points, not -10%), times and rates as the registry shows them.

    >>> change_text("change_fail_rate", -0.1), change_text("deploys_per_year", 40.0)
    ('-10.0 points', '+40 a year')
    """
    from advisor.evidence.registry import metric as metric_of
    from advisor.evidence.registry import show

    m = metric_of(metric)
    if m.kind == "share":
        return f"{value * 100:+.1f} points"
    if metric == "deploys_per_year":
        return f"{value:+,.0f} a year"
    shown = show(metric, abs(value))
    return ("-" if value < 0 else "+") + shown
