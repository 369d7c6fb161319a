"""The price of the bottleneck: what the waiting the Evidence page found costs a year.

    items a year        items finished in the window x 365 / window days (as deployments a
                        year are counted)
    wait                each finished item's days in the bottleneck stage's waiting statuses,
                        inside its flow time (zero for one that never waited there)
    cost of delay       per work item and week: the backlog's cost of delay per week summed
                        over its items / the work items they hold (`size_items`; an item
                        without it counts as one), or a figure the user gives
    value a year        items a year x wait in weeks x cost of delay per item-week;
                        low / likely / high at the 25th / 50th / 75th percentile of the wait
    per week removed    items a year x cost of delay per item-week: each week of waiting
                        taken out of every item's flow, a year

Every week an item waits, the value it will bring arrives a week later (DOMAIN section 9:
each week of waiting removed is worth the cost of delay of every item delivered earlier).

>>> value_a_year(items_per_year=52.0, wait_days=7.0, cost_per_item_week=1000.0)
52000.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.evidence.statuses import STAGES

QUANTILES = {"low": 25, "likely": 50, "high": 75}
YEAR_DAYS = 365  # a year of a rate, as the registry's deployments a year


def value_a_year(items_per_year: float, wait_days: float, cost_per_item_week: float) -> float:
    """items a year x (wait days / 7) x cost of delay per item-week"""
    return items_per_year * wait_days / 7 * cost_per_item_week


def backlog_cost_per_item_week(backlog) -> tuple[float | None, list[str]]:
    """The backlog's cost of delay per work item and week, and what was assumed."""
    if backlog is None or not backlog.items:
        return None, []
    sizes = [getattr(it, "size_items", None) for it in backlog.items]
    unsized = [it.id for it, s in zip(backlog.items, sizes, strict=True) if not s]
    total = sum(it.cost_of_delay_per_week for it in backlog.items)
    held = sum(s or 1 for s in sizes)
    notes = []
    if unsized:
        shown = ", ".join(unsized[:5]) + (
            f" and {len(unsized) - 5} more" if len(unsized) > 5 else ""
        )
        notes.append(
            f"Backlog items without size_items count as one work item each ({shown}); give "
            "the work items each holds for a truer price of the bottleneck."
        )
    return total / held, notes


def bottleneck_price(
    waits_days: pd.Series,
    window_days: float,
    stage: str,
    status: str | None,
    cost_per_item_week: float,
    currency: str,
    source: str,
) -> dict | None:
    """The price of waiting at `stage` (`waits_days`: per finished item, days waited there);
    None when no item finished or the window is shorter than a day."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    n = len(waits_days)
    if n == 0 or window_days < 1:
        return None
    per_year = n * YEAR_DAYS / window_days
    values = np.asarray(waits_days, dtype=float)
    waits = {k: float(np.percentile(values, q)) for k, q in QUANTILES.items()}
    return {
        "stage": stage,
        "status": status,
        "waiting_days_median": waits["likely"],
        "waiting_days": waits,
        "items": n,
        "items_per_year": per_year,
        "cost_of_delay_per_item_week": cost_per_item_week,
        "cost_of_delay_source": source,
        "per_week_removed": per_year * cost_per_item_week,
        "value_per_year": {
            k: value_a_year(per_year, w, cost_per_item_week) for k, w in waits.items()
        },
        "currency": currency,
    }


def wait_lever(price: dict) -> dict:
    """An ROI benefit (the ROI file's shape) worth the price's value a year, as its range:
    the investment that removes the wait can be modelled from the data that found it."""
    v = price["value_per_year"]
    where = price["status"] or price["stage"]
    value: float | dict = (
        v["likely"] if v["low"] == v["high"] else {k: v[k] for k in ("low", "likely", "high")}
    )
    return {
        "name": f"Wait removed at {where}"[:200],
        "annual_value": value,
        "start_month": 0,
        "ramp_months": 0,
    }


def price_of_waiting(
    evidence, cost_per_item_week: float, currency: str, source: str, since_ns: int | None = None
) -> dict | None:
    """The price of the bottleneck the evidence found (its top stage and, within it, the
    status holding most waiting): over the whole window, or from `since_ns` on (the items
    finished since, over the days since). None when nothing waits."""
    from advisor.realise.measure import stage_waits

    detail = evidence.bottleneck_detail
    stage = detail.get("top")
    if stage is None or not detail.get("waiting_days"):
        return None
    prepared = evidence.prepared
    waits = stage_waits(prepared, stage)
    start = prepared.window.start
    if since_ns is not None:
        done = prepared.items.loc[waits.index, "done"]
        waits = waits[(done >= pd.Timestamp(since_ns, tz="UTC")).to_numpy()]
        start = since_ns
    statuses = detail.get("statuses", {}).get(stage) or []
    return bottleneck_price(
        waits,
        (prepared.window.end - start) / 86_400e9,
        stage,
        statuses[0]["status"] if statuses else None,
        cost_per_item_week,
        currency,
        source,
    )
