"""The memory budget of one measurement: files of any size are read as long as the work fits.

    estimate (MB) = BASE_MB                                   the libraries, before any row
                  + rows x BYTES_PER_ROW / MB                 the transitions, as compact arrays
                  + size of each CSV read whole x WHOLE_READ_FACTOR / MB   deployments...
                  + size of the largest Jira JSON file x JSON_PARSE_FACTOR / MB  parsed whole
                  + size of all Jira JSON files x JSON_ROWS_FACTOR / MB    the changes kept

BYTES_PER_ROW is measured, not derived: the peak resident memory of the 10M-row benchmark
less BASE_MB, over its rows, rounded up (limits.py). A transitions CSV is counted as it is
read: after its first batch, its rows are estimated from its size; the read stops as soon
as the estimate or the rows read so far would not fit, with the budget, the estimate and how
to raise it in the message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from advisor.errors import EvidenceError, Problem
from advisor.evidence.limits import (
    BASE_MB,
    BYTES_PER_ROW,
    JSON_PARSE_FACTOR,
    JSON_ROWS_FACTOR,
    MB,
    MEMORY_BUDGET_MB,
    MEMORY_ENV,
    MIN_MEMORY_MB,
    WHOLE_READ_FACTOR,
)

HOW_TO_RAISE = f"raise it with --memory-mb MB or the {MEMORY_ENV} environment variable"


def budget_mb(given: int | None = None) -> int:
    """The budget in MB: `given` (the --memory-mb flag), else the environment variable, else
    MEMORY_BUDGET_MB. Raises EvidenceError for a value that is not a whole number of at
    least MIN_MEMORY_MB."""
    where, value = ("--memory-mb", given) if given is not None else (MEMORY_ENV, None)
    if given is None:
        text = os.environ.get(MEMORY_ENV, "").strip()
        if not text:
            return MEMORY_BUDGET_MB
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise EvidenceError(
                [Problem(MEMORY_ENV, f"expected a whole number of MB, got {text[:40]!r}")]
            ) from None
    if value < MIN_MEMORY_MB:
        raise EvidenceError(
            [Problem(where, f"a memory budget is at least {MIN_MEMORY_MB} MB, not {value:,}")]
        )
    return int(value)


def rows_mb(rows: int) -> float:
    """What `rows` transition rows need at the peak, in MB (BYTES_PER_ROW each)."""
    return rows * BYTES_PER_ROW / MB


def whole_mb(size: int) -> float:
    """What a CSV read whole needs, in MB (WHOLE_READ_FACTOR times its size)."""
    return size * WHOLE_READ_FACTOR / MB


@dataclass
class Budget:
    """A budget in MB and what is already spoken for in it (`reserved`, MB, BASE_MB to
    begin with)."""

    limit_mb: int
    reserved_mb: float = BASE_MB

    @classmethod
    def of(cls, given: int | None = None) -> Budget:
        return cls(budget_mb(given))

    def reserve(self, mb: float, file: str, what: str) -> None:
        """Count `mb` more; refused when the estimate would pass the budget."""
        self._check(self.reserved_mb + mb, file, what)
        self.reserved_mb += mb

    def reserve_whole(self, size: int, file: str) -> None:
        """Count a CSV of `size` bytes read whole (deployments, incidents)."""
        self.reserve(whole_mb(size), file, f"read whole, its {size / MB:,.0f} MB")

    def check_whole(self, size: int, file: str) -> None:
        """Refuse a CSV of `size` bytes that would not fit when read whole."""
        self._check(self.reserved_mb + whole_mb(size), file, f"read whole, its {size / MB:,.0f} MB")

    def reserve_json(self, sizes: list[int], file: str) -> None:
        """Count Jira JSON files of these sizes: the largest parsed whole, the status
        changes of all kept."""
        parse = max(sizes, default=0) * JSON_PARSE_FACTOR / MB
        kept = sum(sizes) * JSON_ROWS_FACTOR / MB
        what = f"{len(sizes):,} Jira JSON file{'s' if len(sizes) != 1 else ''}"
        self.reserve(parse + kept, file, f"{what} of {sum(sizes) / MB:,.0f} MB")

    def check_rows(self, rows: int, file: str, estimated: bool = False) -> None:
        """Refuse a transitions file whose `rows` (read so far, or `estimated` from its
        size) would not fit beside what is reserved."""
        what = (
            f"about {rows:,} transition rows (estimated from its size)"
            if estimated
            else f"{rows:,} transition rows read so far"
        )
        self._check(self.reserved_mb + rows_mb(rows), file, what)

    def _check(self, estimate: float, file: str, what: str) -> None:
        if estimate > self.limit_mb:
            raise EvidenceError(
                [
                    Problem(
                        file,
                        f"{what}: measuring would need about {estimate:,.0f} MB of memory, "
                        f"more than the budget of {self.limit_mb:,} MB ({HOW_TO_RAISE})",
                    )
                ]
            )
