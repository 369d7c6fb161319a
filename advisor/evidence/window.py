"""The observation window every rate and weekly series is measured over.

    window          from the earliest to the latest timestamp in any file given (set-aside
                    rows excluded), or the dates the user states: `--from D` starts at D
                    00:00 UTC, `--to D` ends at the end of D (the next day, 00:00 UTC)
    rate per week   count inside the window / (window days / 7)
    whole weeks     the Monday-to-Sunday weeks (UTC) that lie wholly inside the window;
                    weekly series count every one of them, zero weeks included

Dividing by the span between the first and the last event instead inflates sparse data:
two deployments 13 days apart in 30 days of data are 2 / (30 / 7) = 0.47 a week, not
2 / (13 / 7) = 1.08.

>>> w = Window(iso_ns("2026-09-15T09:00"), iso_ns("2026-10-15T09:00"))
>>> round(w.days, 3), round(w.rate(2), 3)
(30.0, 0.467)
>>> [str(d) for d in w.whole_weeks()]
['2026-09-21', '2026-09-28', '2026-10-05']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAY_NS = 86_400_000_000_000
WEEK_NS = 7 * DAY_NS
NAT = np.iinfo(np.int64).min
MIN_RATE_DAYS = 1.0  # a rate over less than a day of data is not given


def iso_ns(text: str) -> int:
    """An ISO date or date-time (UTC when it has no zone) as nanoseconds since the epoch."""
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def _iso(ns: int) -> str:
    return np.datetime64(int(ns), "ns").astype("datetime64[s]").item().isoformat() + "Z"


def monday_of(ns_values: np.ndarray) -> np.ndarray:
    """The day number (since 1970-01-01, a Thursday) of the Monday starting each time's week."""
    day = np.floor_divide(ns_values, DAY_NS)
    return day - (day + 3) % 7


@dataclass(frozen=True)
class Window:
    """A span of time in nanoseconds since the epoch, UTC; `given` when the user stated it."""

    start: int
    end: int
    given: bool = False

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY_NS

    @property
    def weeks(self) -> float:
        return self.days / 7

    def rate(self, count: float) -> float | None:
        """`count` per week over the window; None when the window is shorter than a day."""
        return float(count) / self.weeks if self.days >= MIN_RATE_DAYS else None

    def contains(self, ns_values: np.ndarray) -> np.ndarray:
        return (ns_values != NAT) & (ns_values >= self.start) & (ns_values <= self.end)

    def week_days(self) -> np.ndarray:
        """Day numbers of the Mondays of every week the window touches."""
        first = int(monday_of(np.array([self.start]))[0])
        # A window ending exactly at a Monday 00:00 does not touch that week.
        last = int(monday_of(np.array([max(self.start, self.end - 1)]))[0])
        return np.arange(first, last + 1, 7, dtype=np.int64)

    def whole_week_days(self) -> np.ndarray:
        days = self.week_days()
        begins = days * DAY_NS
        return days[(begins >= self.start) & (begins + WEEK_NS <= self.end)]

    def whole_weeks(self) -> list[dt.date]:
        return [_date(d) for d in self.whole_week_days()]

    def whole_span(self) -> tuple[int, int] | None:
        """From the first whole week's Monday to the end of the last whole week."""
        days = self.whole_week_days()
        if not len(days):
            return None
        return int(days[0]) * DAY_NS, (int(days[-1]) + 7) * DAY_NS

    def to_json(self, business_days: bool = False) -> dict:
        whole = self.whole_week_days()
        return {
            "business_days": business_days,
            "from": _iso(self.start),
            "to": _iso(self.end),
            "days": self.days,
            "weeks": self.weeks,
            "whole_weeks": len(whole),
            "first_whole_week": _date(whole[0]).isoformat() if len(whole) else None,
            "last_whole_week": _date(whole[-1]).isoformat() if len(whole) else None,
            "source": "given" if self.given else "files",
        }


def span(start: int, end: int) -> dict:
    """A sub-window ({from, to}) a figure was measured over."""
    return {"from": _iso(start), "to": _iso(end)}


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def observation_window(
    times: list[np.ndarray], start: int | None = None, end: int | None = None
) -> Window:
    """The window over `times` (arrays of ns, NaT ignored), or as stated by `start` / `end`.

    Raises ValueError when nothing is dated and nothing is stated, or when the window ends
    before it starts."""
    lo, hi = None, None
    for values in times:
        known = values[values != NAT]
        if known.size:
            lo = int(known.min()) if lo is None else min(lo, int(known.min()))
            hi = int(known.max()) if hi is None else max(hi, int(known.max()))
    start_ns = start if start is not None else lo
    end_ns = end if end is not None else hi
    if start_ns is None or end_ns is None:
        raise ValueError("no timestamp to measure over")
    if end_ns < start_ns:
        raise ValueError("the window ends before it starts")
    return Window(start_ns, end_ns, given=start is not None or end is not None)
