"""Flow (Flow Framework) and SEI figures from the prepared stays and items, over the
observation window.

    finished        an item whose done (the start of its final run of done statuses) falls
                    inside the window; every figure about finished items uses this one set
    velocity        items finished inside the window per week of it (a rate, as deployment
                    frequency); its weekly series covers the whole Monday-Sunday weeks (UTC)
                    inside the window, zero weeks counted, and gives the spread (a week the
                    window only partly covers is left out of it: `weeks_left_out`)
    throughput      SEI's name for the same weekly count
    flow load/WIP   items started (or known to be under way) and not done at the window's end
    distribution    share of each flow item among the finished items; the feature share is
                    DX Core 4's impact stand-in too
Percentiles use numpy's default (linear interpolation between the closest ranks); P50 is the
median. What start, done, flow time and efficiency mean: `prepare`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.evidence.groups import (
    Runs,
    add_in_order,
    run_medians,
)
from advisor.evidence.prepare import NAT, Prepared, Stays, to_ns
from advisor.evidence.statuses import FLOW_ITEMS, STAGES
from advisor.evidence.window import DAY_NS, Window, monday_of, span

PERCENTILE_METHOD = "linear interpolation between closest ranks (numpy default); P50 = median"
NOT_ENOUGH = "not enough data"
NO_WHOLE_WEEK = (
    "not enough data: no whole week (Monday to Sunday, UTC) lies inside the observation window"
)


def _stats(values) -> dict:
    # to_numpy: np.asarray on a Series looks up array attributes by name in its index, which
    # hashes a hundred thousand item keys the first time.
    v = values.to_numpy(dtype=float) if isinstance(values, pd.Series) else np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"count": 0, "median": None, "p85": None, "mean": None}
    p50, p85 = np.percentile(v, [50, 85])
    return {"count": int(v.size), "median": float(p50), "p85": float(p85), "mean": float(v.mean())}


def distribution(metric: str, values, unit: str, window: Window, what: str) -> dict:
    """A figure over items: median (the value), P85 and mean, and how many are behind it."""
    stats = _stats(values)
    return {
        "metric": metric,
        "value": stats["median"],
        "unit": unit,
        "statistic": "median",
        "n": stats["count"],
        "window": span(window.start, window.end),
        "note": None if stats["count"] else f"{NOT_ENOUGH}: {what}",
        **stats,
    }


def _week_index(days: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"))


def weekly_done(p: Prepared, mask: np.ndarray | None = None) -> pd.Series:
    """Items finished in each week the window touches (Monday starts, UTC), zeros included.
    `mask`: only these items (a team)."""
    days = p.window.week_days()
    done = to_ns(p.items["done"])
    keep = p.items["finished"].to_numpy(dtype=bool)
    if mask is not None:
        keep = keep & mask
    weeks = (monday_of(done[keep]) - days[0]) // 7
    counts = np.bincount(weeks, minlength=len(days))[: len(days)] if len(days) else []
    return pd.Series(np.asarray(counts, dtype=float), index=_week_index(days))


def whole_weeks(p: Prepared, weekly: pd.Series | None = None) -> pd.Series:
    """The weekly counts of the whole weeks inside the window only."""
    weekly = weekly_done(p) if weekly is None else weekly
    whole = _week_index(p.window.whole_week_days())
    return weekly[weekly.index.isin(whole)]


def weekly_rate(metric: str, unit: str, p: Prepared, weekly: pd.Series) -> dict:
    """A rate like deployment frequency's: the items finished inside the window / (window
    days / 7), so two items in 30 days are 0.47 a week wherever in the window they finish.
    `mean`, `median` and `p85` describe the whole weeks' counts (zero weeks included), the
    spread the forecast samples; a week the window covers in part is left out of them."""
    used = whole_weeks(p, weekly)
    stats = _stats(used.to_numpy())
    finished = int(weekly.sum())
    value = p.window.rate(finished)
    return {
        "metric": metric,
        "value": value,
        "unit": unit,
        "statistic": "rate",
        "n": finished,
        "window": span(p.window.start, p.window.end),
        "note": None if value is not None else f"{NOT_ENOUGH}: the window is shorter than a day",
        **stats,
        "weeks": len(used),
        "weeks_left_out": [d.date().isoformat() for d in weekly.index.difference(used.index)],
    }


def feature_share(p: Prepared) -> dict:
    """The share of finished items that are features: the flow distribution's and DX Core 4's
    impact stand-in, one definition."""
    finished = p.items["finished"].to_numpy(dtype=bool)
    n = int(finished.sum())
    kinds = p.items["flow_item"].array.codes[finished]  # by code: no text per item
    features = int((kinds == FLOW_ITEMS.index("feature")).sum())
    return {
        "metric": "feature_share",
        "value": features / n if n else None,
        "unit": "share of finished items",
        "statistic": "share",
        "n": n,
        "window": span(p.window.start, p.window.end),
        "note": None if n else f"{NOT_ENOUGH}: no item finished in the window",
    }


def flow_metrics(p: Prepared, weekly: pd.Series | None = None) -> dict:
    """Flow Framework figures: velocity, time, efficiency, load, distribution."""
    items = p.items
    finished = items["finished"].to_numpy(dtype=bool)
    # The finished items' columns one at a time, not a frame of them (copied twice).
    flow_days = pd.Series(items["flow_days"].to_numpy()[finished])
    weekly = weekly_done(p) if weekly is None else weekly
    kinds = items["flow_item"].array.codes[finished]  # its categories are FLOW_ITEMS
    counts = np.bincount(kinds[kinds >= 0], minlength=len(FLOW_ITEMS))
    total_flow = float(flow_days.sum())
    active_days = float(pd.Series(items["active_days"].to_numpy()[finished]).sum())
    efficiency = distribution(
        "flow_efficiency",
        items["efficiency"].to_numpy()[finished],
        "share",
        p.window,
        "no finished item has a flow time",
    )
    load = _load_by_week(p)
    return {
        "velocity_per_week": {
            **weekly_rate("flow_velocity", "items per week", p, weekly),
            "series": {d.date().isoformat(): v for d, v in weekly.items()},
        },
        "flow_time_days": distribution(
            "flow_time", flow_days, p.day_unit, p.window, "no finished item has a start"
        ),
        "flow_efficiency": {
            **efficiency,
            "overall": float(active_days / total_flow) if total_flow > 0 else None,
        },
        "flow_load": {
            "metric": "flow_load",
            "value": int(items["in_progress"].sum()),
            "unit": "items",
            "statistic": "count",
            "n": int(items["in_progress"].sum()),
            "window": span(p.window.start, p.window.end),
            "note": None,
            "now": int(items["in_progress"].sum()),
            "series": load,
        },
        "flow_distribution": {
            k: (float(counts[i] / counts.sum()) if counts.sum() else 0.0)
            for i, k in enumerate(FLOW_ITEMS)
        },
        "feature_share": feature_share(p),
        "distribution_by_week": _distribution_by_week(to_ns(items["done"])[finished], kinds),
        "percentiles": PERCENTILE_METHOD,
    }


def _load_by_week(p: Prepared) -> dict[str, int]:
    """Items under way at each Monday inside the window, and at its end."""
    items = p.items
    start = to_ns(items["start"])
    done = to_ns(items["done"])[start != NAT]
    start = np.sort(start[start != NAT])
    if not start.size:
        return {}
    done = np.sort(done[done != NAT])
    mondays = p.window.week_days()[1:] * DAY_NS
    edges = np.append(mondays[mondays < p.window.end], p.window.end)
    in_progress = np.searchsorted(start, edges, "right") - np.searchsorted(done, edges, "right")
    stamps = pd.DatetimeIndex(edges.view("datetime64[ns]"))
    return {e.date().isoformat(): int(n) for e, n in zip(stamps, in_progress, strict=True)}


def _distribution_by_week(done: np.ndarray, item: np.ndarray) -> dict[str, dict[str, int]]:
    """Finished items by week of their done (ns) and flow item (codes into FLOW_ITEMS)."""
    if not len(done):
        return {}
    weeks = monday_of(done)
    first = int(weeks.min())
    row = (weeks - first) // 7
    kinds = len(FLOW_ITEMS)
    table = np.bincount(row * kinds + item, minlength=(int(row.max()) + 1) * kinds)
    table = table.reshape(-1, kinds)
    index = _week_index(first + 7 * np.arange(len(table), dtype=np.int64))
    return {
        d.date().isoformat(): dict(zip(FLOW_ITEMS, map(int, counts), strict=True))
        for d, counts in zip(index, table, strict=True)
        if counts.any()
    }


def _time_in(names, visits, total, median, unit_metric: str, unit: str) -> dict:
    return {
        str(names[c]): {
            "metric": unit_metric,
            "total": float(total[c]),
            "median": float(median[c]),
            "value": float(median[c]),
            "visits": int(visits[c]),
            "n": int(visits[c]),
            "unit": unit,
            "statistic": "median",
        }
        for c in np.flatnonzero(visits)
    }


def _status_days(stays: Stays):
    """Per status and per stage: stays, their total days and the median stay (NaN: none).
    The days are worked out for some rows at a time (Stays.days_at), totalled in row order
    as they come (as one bincount over every row would) and laid out by status for the
    medians (groups.Runs). Where each status has one stage, a stage at a time: what is laid
    out at once is one stage's stays, never a per-row array of every stay's days, nor a
    sort index."""
    n, k = len(stays.statuses), len(STAGES)
    visits, in_stage = np.zeros(n, dtype=np.int64), np.zeros(k, dtype=np.int64)
    for part in stays.parts():
        visits += np.bincount(stays.status[part], minlength=n)[:n]
        in_stage += np.bincount(stays.stage[part], minlength=k)[:k]
    total, stage_total = np.zeros(n), np.zeros(k)
    median, stage_median = np.full(n, np.nan), np.full(k, np.nan)
    if stays.stage_of is None:  # a status in different stages by project: all at once
        by_status, by_stage = Runs(np.arange(n), visits), Runs(np.arange(k), in_stage)
        for part in stays.parts():
            days, status, stage = stays.days(part), stays.status[part], stays.stage[part]
            add_in_order(total, status, days)
            add_in_order(stage_total, stage, days)
            by_status.add(status, days)
            by_stage.add(stage, days)
        return (
            visits,
            total,
            run_medians(*by_status.finish()),
            in_stage,
            stage_total,
            (run_medians(*by_stage.finish())),
        )
    for stage in np.flatnonzero(in_stage):
        here = stays.stage_of == stage
        runs = Runs(np.arange(n), np.where(here, visits, 0))
        for part in stays.parts():
            rows = np.flatnonzero(stays.stage[part] == stage) + part.start
            days, status = stays.days_at(rows), stays.status[rows]
            add_in_order(total, status, days)
            add_in_order(stage_total, np.full(len(rows), stage), days)
            runs.add(status, days)
        ordered, ends = runs.finish()
        median[here] = run_medians(ordered, ends)[here]
        stage_median[stage] = run_medians(ordered, np.array([len(ordered)]))[0]
    return visits, total, median, in_stage, stage_total, stage_median


def sei_metrics(p: Prepared, weekly: pd.Series | None = None) -> dict:
    """SEI figures: cycle time, throughput, WIP and its age, time in each status and stage."""
    items, stays = p.items, p.stays
    weekly = weekly_done(p) if weekly is None else weekly
    wip = items[items["in_progress"].to_numpy(dtype=bool)]
    age = (p.as_of - wip["start"]).dt.total_seconds() / 86400
    visits, total, median, in_stage, stage_total, stage_median = _status_days(stays)
    return {
        "cycle_time_days": distribution(
            "cycle_time",
            items["cycle_days"],
            p.day_unit,
            p.window,
            "no finished item passed through an active development status",
        ),
        "throughput_per_week": weekly_rate("throughput", "items per week", p, weekly),
        "wip": len(wip),
        "wip_items": {
            "metric": "wip",
            "value": len(wip),
            "unit": "items",
            "statistic": "count",
            "n": len(wip),
            "window": span(p.window.start, p.window.end),
            "note": None,
        },
        "wip_age_days": distribution(
            "wip_age", age, "days", p.window, "no item is in progress with a known start"
        ),
        "time_in_status_days": _time_in(
            stays.statuses, visits, total, median, "time_in_status", p.day_unit
        ),
        "time_in_stage_days": _time_in(
            np.array(STAGES, dtype=object),
            in_stage,
            stage_total,
            stage_median,
            "time_in_stage",
            p.day_unit,
        ),
    }


MAX_FLOW_POINTS = 400  # points in time the cumulative flow diagram draws, at most


def cumulative_flow(p: Prepared) -> pd.DataFrame:
    """Items in each stage at points across the observation window (its start, each Monday,
    or each month's or each year's start when weeks would be more than MAX_FLOW_POINTS, and
    its end): the cumulative flow diagram's data. A decade of history stays a few hundred
    points; a window chosen by the user is what is drawn."""
    stays = p.stays
    if not len(stays.at):
        return pd.DataFrame()
    start = pd.Timestamp(p.window.start, tz="UTC")
    end = pd.Timestamp(p.window.end, tz="UTC")
    for freq in ("W-MON", "MS", "YS"):
        points = pd.date_range(start.normalize(), end, freq=freq)
        if len(points) <= MAX_FLOW_POINTS:
            break
    points = points[(points > start) & (points < end)]
    points = points.append(pd.DatetimeIndex([start, end])).sort_values().unique()
    grid = points.asi8
    out = {}
    for code in np.unique(stays.stage):
        here = stays.stage == code
        entered = np.sort(stays.at[here])
        left = np.sort(stays.until()[here & ~stays.last])
        out[STAGES[code]] = np.searchsorted(entered, grid, "right") - np.searchsorted(
            left, grid, "right"
        )
    return pd.DataFrame(out, index=points)
