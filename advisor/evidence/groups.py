"""Group-wise sums, counts and medians over small integer codes (a status, a stage, a team):
what a pandas groupby gives, without building a frame of a million rows first."""

from __future__ import annotations

import numpy as np


def group_sum(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(codes, weights=values, minlength=groups)[:groups]


def group_count(codes: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(codes, minlength=groups)[:groups]


def _medians(ordered: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The median of each run ordered[previous end:end] (NaN for an empty run)."""
    out = np.full(len(ends), np.nan)
    start = 0
    for g, end in enumerate(ends):
        if end > start:
            out[g] = np.median(ordered[start:end])
        start = end
    return out


def _runs(codes: np.ndarray, values: np.ndarray, rank: np.ndarray):
    """Finite values laid out group by group, each group at its rank, and where each run
    ends. One stable counting-order sort (a radix sort: the codes are small)."""
    finite = np.isfinite(values)
    if not finite.all():
        codes, values = codes[finite], values[finite]
    small = np.uint8 if len(rank) <= 256 else np.uint16 if len(rank) <= 65_536 else np.int64
    ranked = rank.astype(small)[codes]
    ordered = values[np.argsort(ranked, kind="stable")]
    return ordered, np.cumsum(np.bincount(ranked, minlength=len(rank)))


def group_median(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """The median of each group's finite values (NaN for a group with none), as pandas'
    groupby median gives it."""
    ordered, ends = _runs(codes, values, np.arange(groups))
    return _medians(ordered, ends)


def nested_median(
    codes: np.ndarray, values: np.ndarray, parent: np.ndarray, parents: int
) -> tuple[np.ndarray, np.ndarray]:
    """Medians by group and by parent group, where `parent[g]` is group g's parent (a
    status's stage), from one sort: groups laid out parent by parent make each parent a run."""
    groups = len(parent)
    rank = np.empty(groups, dtype=np.int64)
    rank[np.lexsort((np.arange(groups), parent))] = np.arange(groups)
    ordered, ends = _runs(codes, values, rank)
    sizes = np.diff(ends, prepend=0)[rank]
    parent_ends = np.cumsum(np.bincount(parent, weights=sizes, minlength=parents)).astype(int)
    return _medians(ordered, ends)[rank], _medians(ordered, parent_ends)
