"""Is the change real? One measured figure before against after a date.

    difference     after - before, of the figure's statistic (the median of times, the mean
                   of 0/1 outcomes for a share, the mean weekly count for a rate)
    interval       the 95% percentile bootstrap interval of that difference: both sides
                   resampled with replacement, `resamples` times (scipy.stats.bootstrap)
    p_value        a two-sided permutation test of the same difference: the share of random
                   reshuffles of the pooled values between the two sides whose difference is
                   at least as large (scipy.stats.permutation_test)
    real           p_value < ALPHA, and at least MIN_EACH values on each side; None when a
                   side holds fewer (the data cannot tell)

The bootstrap of the median difference follows Efron & Tibshirani, "An Introduction to the
Bootstrap" (1993); the permutation test, Good, "Permutation Tests" (2000).

>>> c = compare([5, 6, 7, 6, 5, 7, 6], [3, 4, 3, 4, 3, 4, 3], seed=1, resamples=999)
>>> c.before, c.after, c.difference, c.real
(6.0, 3.0, -3.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Statistic = Literal["median", "mean"]
RESAMPLES = 9_999
MIN_EACH = 5  # values on each side before the data can tell anything
ALPHA = 0.05
MAX_CELLS = 20_000_000  # resamples x values held at once; more values, fewer resamples
MIN_RESAMPLES = 999


@dataclass(frozen=True)
class Change:
    """Before against after for one figure; None where a side holds no value."""

    statistic: Statistic
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    difference: float | None
    interval: tuple[float, float] | None
    p_value: float | None
    resamples: int

    @property
    def real(self) -> bool | None:
        if self.p_value is None:
            return None
        return self.p_value < ALPHA

    @property
    def relative(self) -> float | None:
        """(after - before) / before; None when before is zero or missing."""
        if self.before is None or self.after is None or self.before == 0:
            return None
        return (self.after - self.before) / self.before


def _stat(statistic: Statistic):
    fn = np.median if statistic == "median" else np.mean

    def difference(before, after, axis=-1):
        return fn(after, axis=axis) - fn(before, axis=axis)

    return difference


def resamples_for(n: int, wanted: int = RESAMPLES) -> int:
    """Fewer resamples for many values, so the work stays under MAX_CELLS at a time (never
    fewer than MIN_RESAMPLES)."""
    return int(max(MIN_RESAMPLES, min(wanted, MAX_CELLS // max(n, 1))))


def compare(
    before,
    after,
    statistic: Statistic = "median",
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> Change:
    """Before against after (1-D arrays of values; NaN dropped). Seeded: the same values and
    seed give the same interval and p-value."""
    from scipy import stats

    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    b, a = b[np.isfinite(b)], a[np.isfinite(a)]
    fn = np.median if statistic == "median" else np.mean
    vb = float(fn(b)) if b.size else None
    va = float(fn(a)) if a.size else None
    diff = va - vb if vb is not None and va is not None else None
    runs = resamples_for(b.size + a.size, resamples)
    if min(b.size, a.size) < MIN_EACH:
        return Change(statistic, vb, va, int(b.size), int(a.size), diff, None, None, 0)
    difference = _stat(statistic)
    rng = np.random.default_rng(seed)
    if np.ptp(np.concatenate([b, a])) == 0:  # every value the same: no change, nothing to test
        return Change(statistic, vb, va, int(b.size), int(a.size), 0.0, (0.0, 0.0), 1.0, runs)
    boot = stats.bootstrap(
        (b, a),
        difference,
        vectorized=True,
        n_resamples=runs,
        method="percentile",
        rng=rng,
    )
    perm = stats.permutation_test(
        (b, a),
        difference,
        permutation_type="independent",
        vectorized=True,
        n_resamples=runs,
        alternative="two-sided",
        rng=rng,
    )
    low, high = boot.confidence_interval
    return Change(
        statistic,
        vb,
        va,
        int(b.size),
        int(a.size),
        diff,
        (float(low), float(high)),
        float(perm.pvalue),
        runs,
    )


def chance_words(p_value: float | None, reshuffles: bool = False) -> str:
    """How often chance alone gives a change this large, in words; with `reshuffles`, as
    a share of random reshuffles: `under 1% of random reshuffles`.

    >>> chance_words(0.0004, True), chance_words(0.34)
    ('fewer than 1 in 1,000 random reshuffles', '34%')
    """
    if p_value is None:
        return ""
    if p_value < 0.001:
        share = "fewer than 1 in 1,000"
        return f"{share} random reshuffles" if reshuffles else share
    # one decimal below 10%: 5.3% must not read as the 5% a change is judged against
    share = (
        "under 1%" if p_value < 0.01 else f"{p_value:.1%}" if p_value < 0.1 else f"{p_value:.0%}"
    )
    return f"{share} of random reshuffles" if reshuffles else share
