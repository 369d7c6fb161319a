"""Flow (Flow Framework) and SEI figures from the prepared stays and items.

Per week: velocity (= throughput) = items done; flow load = items started and not yet done
at the week's end; flow distribution = share of each flow item among items done. Weeks start
on Monday, UTC. Velocity's figures, throughput's and the forecast use only the weeks wholly
inside the data (a week the data begins or ends in would read as a slow one); the series
shows every week. Percentiles use numpy's default (linear interpolation between the closest
ranks); P50 is the median. What start, done, flow time and efficiency mean: `prepare`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.evidence.groups import group_count, group_sum, nested_median
from advisor.evidence.prepare import DAY_NS, NAT, Prepared, to_ns
from advisor.evidence.statuses import FLOW_ITEMS, STAGES

PERCENTILE_METHOD = "linear interpolation between closest ranks (numpy default); P50 = median"


def _mondays(ns_values: np.ndarray) -> np.ndarray:
    """The day number (since 1970-01-01, a Thursday) of the Monday starting each time's week."""
    day = ns_values // DAY_NS
    return day - (day + 3) % 7


def _week_index(first: int, weeks: int) -> pd.DatetimeIndex:
    days = first + 7 * np.arange(weeks, dtype=np.int64)
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"), freq="W-MON")


def _stats(values: pd.Series | np.ndarray) -> dict:
    # to_numpy: np.asarray on a Series looks up array attributes by name in its index, which
    # hashes a hundred thousand item keys the first time.
    v = values.to_numpy(dtype=float) if isinstance(values, pd.Series) else np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"count": 0, "median": None, "p85": None, "mean": None}
    p50, p85 = np.percentile(v, [50, 85])
    return {"count": int(v.size), "median": float(p50), "p85": float(p85), "mean": float(v.mean())}


def weekly_done(items: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Items done per week (weeks start on Monday, UTC), zeros included, up to `as_of`."""
    done = to_ns(items["done"])
    done = done[done != NAT]
    if not done.size:
        return pd.Series(dtype=float)
    weeks = _mondays(done)
    first = int(weeks.min())
    last = int(_mondays(np.array([as_of.value]))[0])
    counts = np.bincount((weeks - first) // 7, minlength=(last - first) // 7 + 1)
    return pd.Series(counts.astype(float), index=_week_index(first, len(counts)))


def full_weeks(p: Prepared, weekly: pd.Series | None = None) -> pd.Series:
    """Items done in each week wholly inside the data, from its first record to as_of; every
    week when no week is whole (a few days of data). `weekly`: weekly_done, if at hand."""
    weekly = weekly_done(p.items, p.as_of) if weekly is None else weekly
    whole = (weekly.index >= p.since.tz_localize(None)) & (
        weekly.index + pd.Timedelta(days=7) <= p.as_of.tz_localize(None)
    )
    return weekly[whole] if whole.any() else weekly


def _weeks(p: Prepared, weekly: pd.Series) -> dict:
    used = full_weeks(p, weekly)
    return {
        **_stats(used.to_numpy()),
        "weeks": len(used),
        "weeks_left_out": [d.date().isoformat() for d in weekly.index.difference(used.index)],
    }


def flow_metrics(p: Prepared) -> dict:
    """Flow Framework figures: velocity, time, efficiency, load, distribution."""
    items = p.items
    finished = items["done"].notna() & items["flow_days"].notna()
    done = items.loc[finished, ["done", "flow_item", "flow_days", "active_days", "efficiency"]]
    velocity = weekly_done(items, p.as_of)
    dist = done["flow_item"].value_counts(normalize=True)
    load = _load_by_week(items, p.as_of)
    by_week = _distribution_by_week(done)
    return {
        "velocity_per_week": {
            **_weeks(p, velocity),
            "series": {d.date().isoformat(): v for d, v in velocity.items()},
        },
        "flow_time_days": _stats(done["flow_days"]),
        "flow_efficiency": {
            **_stats(done["efficiency"]),
            "overall": float(done["active_days"].sum() / done["flow_days"].sum())
            if done["flow_days"].sum() > 0
            else None,
        },
        "flow_load": {
            "now": int(((items["start"].notna()) & items["done"].isna()).sum()),
            "series": load,
        },
        "flow_distribution": {k: float(dist.get(k, 0.0)) for k in FLOW_ITEMS},
        "distribution_by_week": by_week,
        "percentiles": PERCENTILE_METHOD,
    }


def _load_by_week(items: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, int]:
    started = items["start"].dropna()
    if started.empty:
        return {}
    ends = pd.date_range(
        started.min().normalize() + pd.Timedelta(days=7), as_of + pd.Timedelta(days=7), freq="7D"
    )
    start = to_ns(items["start"])
    done = to_ns(items["done"])[start != NAT]
    start = np.sort(start[start != NAT])
    done = np.sort(done[done != NAT])
    edges = ends.asi8
    in_progress = np.searchsorted(start, edges, "right") - np.searchsorted(done, edges, "right")
    return {e.date().isoformat(): int(n) for e, n in zip(ends, in_progress, strict=True)}


def _distribution_by_week(done: pd.DataFrame) -> dict[str, dict[str, int]]:
    if done.empty:
        return {}
    weeks = _mondays(to_ns(done["done"]))
    first = int(weeks.min())
    row = (weeks - first) // 7
    kinds = len(FLOW_ITEMS)
    item = pd.Categorical(done["flow_item"], categories=FLOW_ITEMS).codes
    table = np.bincount(row * kinds + item, minlength=(int(row.max()) + 1) * kinds)
    table = table.reshape(-1, kinds)
    index = _week_index(first, len(table))
    return {
        d.date().isoformat(): dict(zip(FLOW_ITEMS, map(int, counts), strict=True))
        for d, counts in zip(index, table, strict=True)
        if counts.any()
    }


def sei_metrics(p: Prepared) -> dict:
    """SEI figures: cycle time, throughput, WIP and its age, time in each status and stage."""
    items, stays = p.items, p.stays
    wip = items[items["start"].notna() & items["done"].isna()]
    age = (p.as_of - wip["start"]).dt.total_seconds() / 86400
    n = len(stays.statuses)
    visits = group_count(stays.status, n)
    total = group_sum(stays.status, stays.days, n)
    k = len(STAGES)
    median, stage_median = nested_median(stays.status, stays.days, stays.stage_of, k)
    in_stage = group_count(stays.stage, k)
    stage_total = group_sum(stays.stage, stays.days, k)
    return {
        "cycle_time_days": _stats(items["cycle_days"]),
        "throughput_per_week": _weeks(p, weekly_done(items, p.as_of)),
        "wip": len(wip),
        "wip_age_days": _stats(age),
        "time_in_status_days": {
            str(stays.statuses[c]): {
                "total": float(total[c]),
                "median": float(median[c]),
                "visits": int(visits[c]),
            }
            for c in np.flatnonzero(visits)
        },
        "time_in_stage_days": {
            STAGES[c]: {"total": float(stage_total[c]), "median": float(stage_median[c])}
            for c in np.flatnonzero(in_stage)
        },
    }


def cumulative_flow(p: Prepared, freq: str = "W-MON") -> pd.DataFrame:
    """Items in each stage at each period's start: the cumulative flow diagram's data."""
    stays = p.stays
    if not len(stays.at):
        return pd.DataFrame()
    begin = pd.Timestamp(int(stays.at.min()), tz="UTC").normalize()
    points = pd.date_range(begin, p.as_of + pd.Timedelta(days=7), freq=freq)
    grid = points.asi8
    out = {}
    for code in np.unique(stays.stage):
        here = stays.stage == code
        entered = np.sort(stays.at[here])
        left = np.sort(stays.until[here & ~stays.last])
        out[STAGES[code]] = np.searchsorted(entered, grid, "right") - np.searchsorted(
            left, grid, "right"
        )
    return pd.DataFrame(out, index=points)
