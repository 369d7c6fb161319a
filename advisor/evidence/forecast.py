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


def forecast(
    weekly: np.ndarray, items: int = 20, weeks: int = 8, seed: int = 0, trials: int = TRIALS
) -> dict:
    recent = np.asarray(weekly, dtype=float)[-WINDOW_WEEKS:]
    if recent.size == 0 or recent.sum() == 0:
        return {"sample_weeks": int(recent.size), "note": "no finished items to forecast from"}
    rng = np.random.default_rng(seed)
    draws = rng.choice(recent, size=(trials, MAX_WEEKS))
    done = np.cumsum(draws, axis=1)
    reached = done >= items
    needed = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, np.inf)
    by_date = done[:, weeks - 1] if weeks > 0 else np.zeros(trials)
    finite = needed[np.isfinite(needed)]
    return {
        "sample_weeks": int(recent.size),
        "trials": trials,
        "items": items,
        "weeks_for_items": {
            f"p{q}": float(np.percentile(finite, q)) if finite.size else None for q in (50, 85, 95)
        },
        "weeks": weeks,
        "items_by_weeks": {f"p{q}": float(np.percentile(by_date, 100 - q)) for q in (50, 85, 95)},
    }
