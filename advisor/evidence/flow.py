"""Flow (Flow Framework) and SEI figures from status transitions, vectorised with pandas.

Each transition starts a stay in its `to_status` that lasts until the item's next transition
(or the end of the data, for the last one). For an item:
    start           first entry into an active status (backlog and done excluded)
    done            the entry into done that ends its history (reopened items: the last one)
    flow time       done - start: active and waiting time together
    flow efficiency active time inside [start, done] / flow time
    cycle time      done - first entry into an active development status (SEI)
    waiting         time inside [start, done] in waiting statuses, by their stage
Per week: velocity (= throughput) = items done; flow load = items started and not yet done
at the week's end; flow distribution = share of each flow item among items done.
Percentiles use numpy's default (linear interpolation between the closest ranks); P50 is the
median. Business days, when asked for, count weekdays between the two dates (numpy busday).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.evidence.reading import SetAside
from advisor.evidence.statuses import FLOW_ITEMS, Mapping

WORK_STAGES = ("ideation", "development", "deployment", "operations", "support")
PERCENTILE_METHOD = "linear interpolation between closest ranks (numpy default); P50 = median"


@dataclass
class Prepared:
    """Transitions cleaned and laid out as stays, and one row per item."""

    stays: pd.DataFrame  # key, team, type, flow_item, status, stage, active, at, until, days
    items: pd.DataFrame  # key, team, flow_item, start, done, dev_start, reopened, ...
    as_of: pd.Timestamp
    counts: dict = field(default_factory=dict)


def ns(series: pd.Series) -> np.ndarray:
    """Times as datetime64[ns] in UTC: fast to sort and search (tz-aware values are objects)."""
    return series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _days(a: pd.Series, b: pd.Series, business: bool) -> np.ndarray:
    if business:
        ok = a.notna() & b.notna()
        out = np.full(len(a), np.nan)
        out[ok.to_numpy()] = np.busday_count(
            a[ok].dt.tz_localize(None).to_numpy().astype("datetime64[D]"),
            b[ok].dt.tz_localize(None).to_numpy().astype("datetime64[D]"),
        )
        return out
    return (b - a).dt.total_seconds().to_numpy() / 86400


def _lookup(values: pd.Series, table: dict, default) -> pd.Series:
    """A dict lookup done once per category, not once per row; text comes back as categories."""
    codes = values.cat.codes.to_numpy()
    codes = np.where(codes < 0, len(values.cat.categories), codes)
    mapped = [table.get(c, default) for c in values.cat.categories] + [default]
    if isinstance(default, bool):
        return pd.Series(np.array(mapped, dtype=bool)[codes], index=values.index)
    names = sorted(set(mapped))
    position = np.array([names.index(m) for m in mapped])
    return pd.Series(pd.Categorical.from_codes(position[codes], names), index=values.index)


def prepare(
    transitions: pd.DataFrame, mapping: Mapping, aside: SetAside, business_days: bool = False
) -> Prepared:
    """Clean the rows (each set-aside row counted with its reason) and build stays and items."""
    rows = len(transitions)
    t = transitions[transitions["at"].notna() & (transitions["key"] != "")]
    aside.add("transitions without a key or a readable time", rows - len(t))
    dupes = t.duplicated(["key", "from_status", "to_status", "at"])
    aside.add("duplicate rows", int(dupes.sum()))
    t = t[~dupes]
    backwards = t["created"].notna() & (t["at"] < t["created"] - pd.Timedelta(seconds=1))
    aside.add("status changes dated before the item was created", int(backwards.sum()))
    t = t[~backwards]
    key_codes = pd.factorize(t["key"])[0]
    order = np.lexsort((ns(t["at"]), key_codes))  # by item, then time; stable
    t = t.iloc[order].reset_index(drop=True)
    previous = t.groupby("key", sort=False)["to_status"].shift(1)
    jumped = previous.notna() & (t["from_status"] != "") & (t["from_status"] != previous)
    for column in ("key", "type", "team", "from_status", "to_status"):
        if column in t:  # categories: one value per distinct text, fast to group and map
            t[column] = t[column].astype("category")
    counts = {
        "items": int(t["key"].nunique()),
        "transitions": len(t),
        "out_of_sequence": int(jumped.sum()),
    }
    as_of = t["at"].max()
    stage_of = {s: rule[0] for s, rule in mapping.statuses.items()}
    active_of = {s: rule[1] for s, rule in mapping.statuses.items()}
    item_of = {k: rule[0] for k, rule in mapping.types.items()}
    stays = pd.DataFrame(
        {
            "key": t["key"],
            "team": t.get("team", ""),
            "flow_item": _lookup(t["type"], item_of, "feature"),
            "status": t["to_status"],
            "stage": _lookup(t["to_status"], stage_of, "development"),
            "active": _lookup(t["to_status"], active_of, False).astype(bool),
            "at": t["at"],
        }
    )
    stays["until"] = stays.groupby("key", sort=False)["at"].shift(-1).fillna(as_of)
    stays["last"] = stays.groupby("key", sort=False).cumcount(ascending=False) == 0
    was_done = stays.groupby("key", sort=False)["stage"].shift(1).eq("done")
    stays["reopen"] = was_done & stays["stage"].ne("done")

    work = stays["active"] & stays["stage"].isin(WORK_STAGES)
    dev = work & stays["stage"].eq("development")
    first = stays.groupby("key", sort=False)
    items = pd.DataFrame(
        {
            "team": first["team"].first(),
            "flow_item": first["flow_item"].last(),
            "start": stays["at"].where(work).groupby(stays["key"], sort=False).min(),
            "dev_start": stays["at"].where(dev).groupby(stays["key"], sort=False).min(),
            "done": stays["at"]
            .where(stays["last"] & stays["stage"].eq("done"))
            .groupby(stays["key"], sort=False)
            .max(),
            "reopened": stays["reopen"].groupby(stays["key"], sort=False).sum(),
            "status": first["status"].last(),
        }
    )
    items.index.name = "key"
    finished = items["done"].notna()
    no_start = finished & items["start"].isna()
    counts["finished"] = int(finished.sum())
    counts["unfinished"] = int((~finished).sum())
    counts["reopened_items"] = int((items["reopened"] > 0).sum())
    counts["finished_without_active_status"] = int(no_start.sum())
    items["flow_days"] = _days(items["start"], items["done"], business_days)
    items["cycle_days"] = _days(items["dev_start"], items["done"], business_days)
    # Stays clipped to each item's flow window [start, done].
    window_start = stays["key"].map(items["start"])
    window_end = stays["key"].map(items["done"])
    lo = stays["at"].where(stays["at"] > window_start, window_start)
    hi = stays["until"].where(stays["until"] < window_end, window_end)
    inside = window_end.notna() & window_start.notna() & (hi > lo)
    stays["in_flow_days"] = np.where(inside, _days(lo, hi, business_days), 0.0)
    stays["days"] = _days(stays["at"], stays["until"], business_days)
    active_days = stays["in_flow_days"].where(stays["active"], 0.0).groupby(stays["key"]).sum()
    items["active_days"] = active_days.reindex(items.index).fillna(0.0)
    items["efficiency"] = np.where(
        items["flow_days"] > 0, items["active_days"] / items["flow_days"], np.nan
    )
    return Prepared(stays, items, as_of, counts)


def _stats(values: pd.Series | np.ndarray) -> dict:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"count": 0, "median": None, "p85": None, "mean": None}
    p50, p85 = np.percentile(v, [50, 85])
    return {"count": int(v.size), "median": float(p50), "p85": float(p85), "mean": float(v.mean())}


def weekly_done(items: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Items done per week (weeks start on Monday, UTC), zeros included, up to `as_of`."""
    done = items["done"].dropna()
    if done.empty:
        return pd.Series(dtype=float)
    weeks = done.dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    counts = weeks.value_counts().sort_index()
    last = as_of.tz_localize(None).to_period("W-SUN").start_time
    full = pd.date_range(counts.index.min(), last, freq="W-MON")
    return counts.reindex(full, fill_value=0).astype(float)


def flow_metrics(p: Prepared) -> dict:
    """Flow Framework figures: velocity, time, efficiency, load, distribution."""
    items = p.items
    done = items[items["done"].notna() & items["flow_days"].notna()]
    velocity = weekly_done(items, p.as_of)
    dist = done["flow_item"].value_counts(normalize=True)
    load = _load_by_week(items, p.as_of)
    by_week = _distribution_by_week(done)
    return {
        "velocity_per_week": {
            **_stats(velocity.to_numpy()),
            "weeks": len(velocity),
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
    start = np.sort(ns(items["start"].dropna()))
    done_all = items["done"].where(items["start"].notna())
    done = np.sort(ns(done_all.dropna()))
    edges = ns(pd.Series(ends))
    in_progress = np.searchsorted(start, edges, "right") - np.searchsorted(done, edges, "right")
    return {e.date().isoformat(): int(n) for e, n in zip(ends, in_progress, strict=True)}


def _distribution_by_week(done: pd.DataFrame) -> dict[str, dict[str, int]]:
    if done.empty:
        return {}
    week = done["done"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    table = pd.crosstab(week, done["flow_item"]).reindex(columns=list(FLOW_ITEMS), fill_value=0)
    return {
        d.date().isoformat(): {k: int(v) for k, v in row.items()} for d, row in table.iterrows()
    }


def sei_metrics(p: Prepared) -> dict:
    """SEI figures: cycle time, throughput, WIP and its age, time in each status and stage."""
    items, stays = p.items, p.stays
    wip = items[items["start"].notna() & items["done"].isna()]
    age = (p.as_of - wip["start"]).dt.total_seconds() / 86400
    per_status = stays.groupby("status")["days"].agg(["sum", "median", "count"])
    per_stage = stays.groupby("stage")["days"].agg(["sum", "median"])
    throughput = weekly_done(items, p.as_of)
    return {
        "cycle_time_days": _stats(items["cycle_days"]),
        "throughput_per_week": _stats(throughput.to_numpy()),
        "wip": len(wip),
        "wip_age_days": _stats(age),
        "time_in_status_days": {
            s: {"total": float(r["sum"]), "median": float(r["median"]), "visits": int(r["count"])}
            for s, r in per_status.iterrows()
        },
        "time_in_stage_days": {
            s: {"total": float(r["sum"]), "median": float(r["median"])}
            for s, r in per_stage.iterrows()
        },
    }


def cumulative_flow(p: Prepared, freq: str = "W-MON") -> pd.DataFrame:
    """Items in each stage at each period's start: the cumulative flow diagram's data."""
    stays = p.stays
    if stays.empty:
        return pd.DataFrame()
    points = pd.date_range(stays["at"].min().normalize(), p.as_of + pd.Timedelta(days=7), freq=freq)
    grid = ns(pd.Series(points))
    out = {}
    for stage, group in stays.groupby("stage"):
        entered = np.sort(ns(group["at"]))
        left = np.sort(ns(group.loc[~group["last"], "until"]))
        out[stage] = np.searchsorted(entered, grid, "right") - np.searchsorted(left, grid, "right")
    return pd.DataFrame(out, index=points)
