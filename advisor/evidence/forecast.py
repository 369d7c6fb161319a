"""Monte Carlo forecasts from weekly throughput (zeros included), as ActionableAgile and
jira-agile-metrics do: draw a past week's throughput for each future week, 10,000 times.

    weeks for N items     P50 / P85 / P95 of the weeks the trials needed (85%: 85 in 100
                          trials finished within that many weeks)
    items by a date       P50 / P85 / P95 as "at least this many": the 50th, 15th and 5th
                          percentiles of the items the trials finished
"""

from __future__ import annotations

import numpy as np

TRIALS = 10_000
WINDOW_WEEKS = 12  # the recent weeks sampled
MAX_WEEKS = 520
BLOCK_WEEKS = 52  # weeks drawn at a time, until every trial has its answer


def no_sample(recent: np.ndarray) -> str | None:
    """Why the weeks sampled (the last WINDOW_WEEKS) cannot give a forecast, or None."""
    if recent.size and recent.sum():
        return None
    if recent.size == 0:
        return "no whole week (Monday to Sunday, UTC) lies inside the observation window"
    if recent.size == 1:
        return "no item was finished in the last whole week"
    return f"no item was finished in the last {recent.size} whole weeks"


def forecast(
    weekly: np.ndarray, items: int = 20, weeks: int = 8, seed: int = 0, trials: int = TRIALS
) -> dict:
    """Both forecasts from `weekly` (items finished in each whole week, oldest first; the
    last WINDOW_WEEKS are sampled). A series with no week or no finished item gives a note
    instead."""
    recent = np.asarray(weekly, dtype=float)[-WINDOW_WEEKS:]
    why = no_sample(recent)
    if why is not None:
        return {
            "metric": "forecast_weeks",
            "sample_weeks": int(recent.size),
            "unit": "weeks",
            "note": f"not enough data to forecast: {why}",
        }
    rng = np.random.default_rng(seed)
    needed = np.full(trials, np.inf)
    by_date = np.zeros(trials)
    done = np.zeros(trials)
    week = 0
    while week < MAX_WEEKS and (week < weeks or np.isinf(needed).any()):
        block = min(BLOCK_WEEKS, MAX_WEEKS - week)
        totals = done + np.cumsum(rng.choice(recent, size=(block, trials)), axis=0)  # week-major
        reached = totals >= items
        new = np.isinf(needed) & reached[-1]
        needed[new] = week + reached[:, new].argmax(axis=0) + 1
        if week < weeks <= week + block:
            by_date = totals[weeks - week - 1]
        done = totals[-1]
        week += block
    finite = needed[np.isfinite(needed)]
    return {
        "metric": "forecast_weeks",
        "unit": "weeks",
        "sample_weeks": int(recent.size),
        "trials": trials,
        "items": items,
        "weeks_for_items": {
            **{
                f"p{q}": float(np.percentile(finite, q)) if finite.size else None
                for q in (50, 85, 95)
            },
            "metric": "forecast_weeks",
            "unit": "weeks",
        },
        "weeks": weeks,
        "items_by_weeks": {
            **{f"p{q}": float(np.percentile(by_date, 100 - q)) for q in (50, 85, 95)},
            "metric": "forecast_items",
            "unit": "items",
        },
        "note": None
        if finite.size == trials
        else f"{trials - finite.size:,} of {trials:,} trials did not finish within "
        f"{MAX_WEEKS} weeks; the percentiles are of those that did",
    }
