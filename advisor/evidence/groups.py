"""Group-wise sums, counts and medians over small integer codes (a status, a stage, a team):
what a pandas groupby gives, without building a frame of a million rows first."""

from __future__ import annotations

import numpy as np


def group_sum(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(codes, weights=values, minlength=groups)[:groups]


def group_count(codes: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(codes, minlength=groups)[:groups]


def group_median(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """The median of each group's finite values (NaN for a group with none), as pandas'
    groupby median gives it. One stable counting-order sort of the codes, then a partition
    per group."""
    finite = np.isfinite(values)
    if not finite.all():
        codes, values = codes[finite], values[finite]
    small = np.uint8 if groups <= 256 else np.uint16 if groups <= 65_536 else np.int64
    order = np.argsort(codes.astype(small, copy=False), kind="stable")  # radix sort when small
    ordered = values[order]
    ends = np.cumsum(group_count(codes, groups))
    out = np.full(groups, np.nan)
    start = 0
    for g, end in enumerate(ends):
        if end > start:
            out[g] = np.median(ordered[start:end])
        start = end
    return out
