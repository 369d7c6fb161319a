"""Group-wise sums, counts and medians over small integer codes (a status, a stage, a team):
what a pandas groupby gives, without building a frame of a million rows first.

Medians need each group's values together: Runs lays them out group by group, fed a part of
the rows at a time, so no index of every row is built (an argsort of 11 million rows is
91 MB of positions beside the 91 MB of values)."""

from __future__ import annotations

import numpy as np


def group_sum(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(codes, weights=values, minlength=groups)[:groups]


def group_count(codes: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(codes, minlength=groups)[:groups]


def add_in_order(out: np.ndarray, codes: np.ndarray, values: np.ndarray) -> None:
    """Add each value to its group's total in `out`, in row order: fed the rows a part at a
    time, the totals are bit for bit those of one bincount over every row (each adds its
    values one by one from zero, in row order; summing each part's bincount would not)."""
    np.add.at(out, codes, values)


def run_medians(ordered: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The median of each run ordered[previous end:end] (NaN for an empty run)."""
    out = np.full(len(ends), np.nan)
    start = 0
    for g, end in enumerate(ends):
        if end > start:
            out[g] = np.median(ordered[start:end])
        start = end
    return out


class Runs:
    """Finite values laid out group by group, each group at its `rank`, each group's values
    in row order: `add` the rows a part at a time (in order), then `finish`. `sizes[g]`:
    how many rows group g has (its finite values are fewer or as many). The result is what
    one stable sort of every row by rank would give; only a part's positions exist at once
    (a counting sort: the codes are small)."""

    def __init__(self, rank: np.ndarray, sizes: np.ndarray):
        small = np.uint8 if len(rank) <= 256 else np.uint16 if len(rank) <= 65_536 else np.int64
        self._rank = rank.astype(small)
        self._sizes = np.zeros(len(rank), dtype=np.int64)
        self._sizes[rank] = sizes  # in rank order
        self._begin = np.cumsum(self._sizes) - self._sizes
        self._fill = self._begin.copy()
        self._ordered = np.empty(int(self._sizes.sum()))

    def add(self, codes: np.ndarray, values: np.ndarray) -> None:
        """The next rows' group codes and values."""
        ranked = self._rank[codes]
        finite = np.isfinite(values)
        if not finite.all():
            ranked, values = ranked[finite], values[finite]
        order = np.argsort(ranked, kind="stable")
        ranked, values = ranked[order], values[order]
        del order
        counts = np.bincount(ranked, minlength=len(self._rank))
        first = np.cumsum(counts) - counts  # where each group begins within these rows
        self._ordered[self._fill[ranked] + (np.arange(len(values)) - first[ranked])] = values
        self._fill += counts

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """The values laid out, and where each group's run ends (in rank order)."""
        filled = self._fill - self._begin
        ordered = self._ordered
        if (filled != self._sizes).any():  # values that were not finite left gaps
            ordered = np.concatenate(
                [ordered[b : b + f] for b, f in zip(self._begin, filled, strict=True)]
            )
        self._ordered = None
        return ordered, np.cumsum(filled)


def _runs(codes: np.ndarray, values: np.ndarray, rank: np.ndarray):
    """Finite values laid out group by group, each group at its rank, and where each run
    ends."""
    runs = Runs(rank, np.bincount(codes, minlength=len(rank))[: len(rank)])
    runs.add(codes, values)
    return runs.finish()


def group_median(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """The median of each group's finite values (NaN for a group with none), as pandas'
    groupby median gives it."""
    ordered, ends = _runs(codes, values, np.arange(groups))
    return run_medians(ordered, ends)


def nested_rank(parent: np.ndarray) -> np.ndarray:
    """Each group's rank when groups are laid out parent by parent (`parent[g]`: group g's
    parent, a status's stage), in code order within a parent: each parent is then a run."""
    groups = len(parent)
    rank = np.empty(groups, dtype=np.int64)
    rank[np.lexsort((np.arange(groups), parent))] = np.arange(groups)
    return rank


def nested_medians(
    ordered: np.ndarray, ends: np.ndarray, rank: np.ndarray, parent: np.ndarray, parents: int
) -> tuple[np.ndarray, np.ndarray]:
    """Medians by group and by parent group from values laid out at `nested_rank(parent)`
    (Runs): a parent's groups are next to each other."""
    sizes = np.diff(ends, prepend=0)[rank]
    parent_ends = np.cumsum(np.bincount(parent, weights=sizes, minlength=parents)).astype(int)
    return run_medians(ordered, ends)[rank], run_medians(ordered, parent_ends)


def nested_median(
    codes: np.ndarray, values: np.ndarray, parent: np.ndarray, parents: int
) -> tuple[np.ndarray, np.ndarray]:
    """Medians by group and by parent group, where `parent[g]` is group g's parent (a
    status's stage), from one sort: groups laid out parent by parent make each parent a run."""
    rank = nested_rank(parent)
    ordered, ends = _runs(codes, values, rank)
    return nested_medians(ordered, ends, rank, parent, parents)
