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


NAT = np.iinfo(np.int64).min
DAY_NS = 86_400_000_000_000


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the names they stand for (categories are used as they are)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = np.asarray(values.cat.categories.astype(str), dtype=object)
        codes = values.cat.codes.to_numpy().astype(np.int64)
        if (codes < 0).any():
            names = np.append(names, "")
            codes = np.where(codes < 0, len(names) - 1, codes)
        return codes, names
    codes, names = pd.factorize(values.fillna("").astype(str))
    return codes.astype(np.int64), np.asarray(names, dtype=object)


def _status_codes(frm: pd.Series, to: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One set of codes for both status columns, so a code means the same status in each."""
    cats = isinstance(frm.dtype, pd.CategoricalDtype) and isinstance(to.dtype, pd.CategoricalDtype)
    if cats and frm.cat.categories.equals(to.cat.categories):
        codes_f, names = _codes(frm)
        codes_t, names_t = _codes(to)
        if len(names_t) > len(names):  # "" was added for missing values in `to` only
            names = names_t
        return codes_f, codes_t, names
    both = pd.concat([frm.astype(object), to.astype(object)], ignore_index=True)
    codes, names = _codes(both)
    return codes[: len(frm)], codes[len(frm) :], names


def _times(values: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch, UTC; NaT as the smallest int64 (no per-value work)."""
    return np.asarray(values.dt.tz_convert("UTC").dt.as_unit("ns").array.asi8)


def _utc(ns_values: np.ndarray):
    """Nanoseconds back to UTC times, as an array a DataFrame column takes without copying."""
    return pd.DatetimeIndex(ns_values.view("datetime64[ns]")).tz_localize("UTC").array


def _span_days(a: np.ndarray, b: np.ndarray, business: bool) -> np.ndarray:
    """Days from a to b (ns); NaN where either is unknown; weekdays only when `business`."""
    known = (a != NAT) & (b != NAT)
    out = np.full(len(a), np.nan)
    if business:
        out[known] = np.busday_count(
            a[known].astype("datetime64[ns]").astype("datetime64[D]"),
            b[known].astype("datetime64[ns]").astype("datetime64[D]"),
        )
    else:
        out[known] = (b[known] - a[known]) / DAY_NS
    return out


def prepare(
    transitions: pd.DataFrame, mapping: Mapping, aside: SetAside, business_days: bool = False
) -> Prepared:
    """Clean the rows (each set-aside row counted with its reason) and build stays and items.

    Done on integer codes and nanosecond arrays: one sort (skipped when the file is already
    in item and time order), then group-wise firsts, lasts and sums over contiguous runs."""
    rows = len(transitions)
    key, key_names = _codes(transitions["key"])
    frm, to, status_names = _status_codes(transitions["from_status"], transitions["to_status"])
    kind, kind_names = _codes(transitions["type"])
    team_col = transitions["team"] if "team" in transitions else pd.Series([""] * rows)
    team, team_names = _codes(team_col)
    at = _times(transitions["at"])
    created = _times(transitions["created"])

    keep = (at != NAT) & (key_names[key] != "")
    aside.add("transitions without a key or a readable time", int(rows - keep.sum()))
    backwards = keep & (created != NAT) & (at < created - 1_000_000_000)
    aside.add("status changes dated before the item was created", int(backwards.sum()))
    keep &= ~backwards
    index = np.flatnonzero(keep)
    k, t_at = key[index], at[index]
    in_order = len(index) < 2 or bool(
        np.all((k[1:] > k[:-1]) | ((k[1:] == k[:-1]) & (t_at[1:] >= t_at[:-1])))
    )
    if not in_order:
        index = index[np.lexsort((t_at, k))]
    # Duplicates share item, time and statuses: within a run of equal (item, time) only.
    k, t_at = key[index], at[index]
    tie = np.zeros(len(index), dtype=bool)
    tie[1:] = (k[1:] == k[:-1]) & (t_at[1:] == t_at[:-1])
    dupes = np.zeros(len(index), dtype=bool)
    if tie.any():
        runs = tie.copy()
        runs[:-1] |= tie[1:]
        sub = np.flatnonzero(runs)
        frame = pd.DataFrame(
            {"k": k[sub], "a": t_at[sub], "f": frm[index][sub], "t": to[index][sub]}
        )
        dupes[sub] = frame.duplicated().to_numpy()
    aside.add("duplicate rows", int(dupes.sum()))
    index = index[~dupes]

    key, frm, to, kind, team, at = (
        key[index],
        frm[index],
        to[index],
        kind[index],
        team[index],
        at[index],
    )
    n = len(index)
    first = np.ones(n, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = key[1:] != key[:-1]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    empty = np.flatnonzero(status_names == "")
    prev_to = np.roll(to, 1)
    jumped = ~first & ~np.isin(frm, empty) & (frm != prev_to)
    as_of = int(at.max())

    stage_names = np.array(
        ["backlog", "ideation", "development", "deployment", "operations", "support", "done"],
        dtype=object,
    )
    stage_code = {s: i for i, s in enumerate(stage_names)}
    rule = [mapping.statuses.get(s, ("development", False, "")) for s in status_names]
    stage_lut = np.array([stage_code.get(r[0], 2) for r in rule])
    active_lut = np.array([bool(r[1]) for r in rule])
    item_names = np.array(["feature", "defect", "risk", "debt"], dtype=object)
    item_lut = np.array(
        [
            list(item_names).index(mapping.types.get(t, ("feature", ""))[0])
            if mapping.types.get(t, ("feature", ""))[0] in item_names
            else 0
            for t in kind_names
        ]
    )
    stage = stage_lut[to]
    active = active_lut[to]
    done_code = stage_code["done"]
    until = np.roll(at, -1)
    until[last] = as_of
    prev_stage = np.roll(stage, 1)
    reopen = ~first & (prev_stage == done_code) & (stage != done_code)
    work = active & np.isin(stage, [stage_code[s] for s in WORK_STAGES])
    dev = work & (stage == stage_code["development"])
    big = np.iinfo(np.int64).max

    def first_time(mask):
        values = np.minimum.reduceat(np.where(mask, at, big), starts)
        return np.where(values == big, NAT, values)

    start = first_time(work)
    dev_start = first_time(dev)
    last_rows = np.flatnonzero(last)
    done = np.where(stage[last_rows] == done_code, at[last_rows], NAT)
    reopened = np.add.reduceat(reopen.astype(np.int64), starts)

    ws, we = start[group], done[group]
    known = (ws != NAT) & (we != NAT)
    lo = np.maximum(at, ws)
    hi = np.minimum(until, we)
    inside = known & (hi > lo)
    in_flow = np.zeros(n)
    if inside.any():
        in_flow[inside] = _span_days(lo[inside], hi[inside], business_days)
    days = _span_days(at, until, business_days)
    active_days = np.bincount(group, weights=np.where(active, in_flow, 0.0), minlength=len(starts))

    key_cat = pd.Categorical.from_codes(key, key_names) if len(key_names) else key
    stays = pd.DataFrame(
        {
            "key": key_cat,
            "team": pd.Categorical.from_codes(team, team_names),
            "flow_item": pd.Categorical.from_codes(item_lut[kind], item_names),
            "status": pd.Categorical.from_codes(to, status_names),
            "stage": pd.Categorical.from_codes(stage, stage_names),
            "active": active,
            "at": _utc(at),
            "until": _utc(until),
            "last": last,
            "reopen": reopen,
            "in_flow_days": in_flow,
            "days": days,
        }
    )
    item_keys = pd.Index(key_names[key[starts]], name="key", dtype=object)
    flow_days = _span_days(start, done, business_days)
    items = pd.DataFrame(
        {
            "team": team_names[team[starts]],
            "flow_item": item_names[item_lut[kind[last_rows]]],
            "start": _utc(start),
            "dev_start": _utc(dev_start),
            "done": _utc(done),
            "reopened": reopened,
            "status": status_names[to[last_rows]],
            "flow_days": flow_days,
            "cycle_days": _span_days(dev_start, done, business_days),
            "active_days": active_days,
        },
        index=item_keys,
    )
    items["efficiency"] = np.where(
        flow_days > 0, active_days / np.where(flow_days > 0, flow_days, 1), np.nan
    )
    finished = done != NAT
    counts = {
        "items": len(starts),
        "transitions": n,
        "out_of_sequence": int(jumped.sum()),
        "finished": int(finished.sum()),
        "unfinished": int((~finished).sum()),
        "reopened_items": int((reopened > 0).sum()),
        "finished_without_active_status": int((finished & (start == NAT)).sum()),
    }
    return Prepared(stays, items, pd.Timestamp(as_of, tz="UTC"), counts)


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
