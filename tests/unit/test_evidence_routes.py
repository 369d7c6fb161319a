"""Two routes, one history; a forecast against its exact distribution.

- Random histories with random UTC offsets, written as a transitions CSV and as Jira's REST
  JSON (histories newest first, each time in its own offset), give identical figures.
- The Monte Carlo forecast lands on the exact distribution of a small weekly series (a
  negative binomial for the weeks, a binomial for the items), worked out with scipy.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from advisor.evidence import SetAside, analyse_evidence
from advisor.evidence.forecast import forecast
from advisor.evidence.jira import read_jira
from advisor.evidence.reading import ItemsRead, transitions_from_csv

STATUSES = ["To Do", "In Progress", "Code Review", "Ready for Release", "Done", "Closed"]
OFFSETS = [-8 * 60, -5 * 60, -3 * 60 - 30, 0, 60, 2 * 60, 5 * 60 + 30, 9 * 60 + 45, 13 * 60]
START = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)


def _stamp(at: dt.datetime, offset_minutes: int, jira: bool) -> str:
    local = at.astimezone(dt.timezone(dt.timedelta(minutes=offset_minutes)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    zone = local.strftime("%z")
    return text + (zone if jira else f"{zone[:3]}:{zone[3:]}")


histories = st.lists(
    st.tuples(
        st.sampled_from(["Story", "Bug", "Task"]),
        st.lists(st.sampled_from(STATUSES), min_size=1, max_size=7),
        st.lists(st.integers(1, 5 * 24 * 60), min_size=8, max_size=8),  # minutes between
        st.lists(st.sampled_from(OFFSETS), min_size=16, max_size=16),
        st.integers(0, 999),
    ),
    min_size=1,
    max_size=6,
)


def _files(items) -> tuple[str, bytes]:
    rows = ["key,type,team,from_status,to_status,changed_at,created_at"]
    issues = []
    for n, (kind, path, gaps, offsets, ms) in enumerate(items):
        key, team = f"R-{n + 1}", "Alpha" if n % 2 else "Beta"
        created = START + dt.timedelta(hours=7 * n, milliseconds=ms)
        times = [created]
        for gap in gaps[: len(path) - 1]:
            times.append(times[-1] + dt.timedelta(minutes=gap, milliseconds=ms % 7 + 1))
        created_csv = _stamp(created, offsets[0], jira=False)
        rows.append(f"{key},{kind},{team},,{path[0]},{created_csv},{created_csv}")
        histories = []
        for i in range(1, len(path)):
            rows.append(
                f"{key},{kind},{team},{path[i - 1]},{path[i]},"
                f"{_stamp(times[i], offsets[i], jira=False)},{created_csv}"
            )
            histories.append(
                {
                    "id": str(100 * n + i),
                    "created": _stamp(times[i], offsets[8 + i], jira=True),
                    "items": [{"field": "status", "fromString": path[i - 1], "toString": path[i]}],
                }
            )
        issues.append(
            {
                "key": key,
                "fields": {
                    "issuetype": {"name": kind},
                    "created": _stamp(created, offsets[15], jira=True),
                    "status": {"name": path[-1]},
                    "team": team,
                },
                "changelog": {"total": len(histories), "histories": histories[::-1]},
            }
        )
    return "\n".join(rows) + "\n", json.dumps({"issues": issues}).encode()


@settings(max_examples=60, deadline=None)
@given(histories)
def test_random_histories_in_random_offsets_read_the_same_as_csv_and_as_jira_json(items):
    csv, doc = _files(items)
    a = SetAside()
    from_csv = analyse_evidence(ItemsRead(transitions_from_csv(csv, "t.csv", a), "x"), a)
    b = SetAside()
    from_jira = analyse_evidence(read_jira([("j.json", doc)], b), b, source="x")
    assert from_jira.to_json() == from_csv.to_json()


def _exact_weeks(items: int, p: float, size: int, q: float) -> float:
    """Weeks until `items` are done when each week finishes `size` items with chance p (else
    none): the number of weeks is k + failures, failures ~ negative binomial(k, p)."""
    k = -(-items // size)
    return k + stats.nbinom.ppf(q, k, p)


def test_the_forecast_lands_on_its_exact_distribution():
    """Whole weeks 0, 0, 2, 2 (the zero-weeks-first case): each future week finishes 2 items
    with chance 1/2. 20 items need 10 such weeks: 19 / 25 / 28 at P50 / P85 / P95. In 8
    weeks, 2 x binomial(8, 1/2) items: at least 8 / 6 / 4."""
    f = forecast(np.array([0.0, 0.0, 2.0, 2.0]), items=20, weeks=8, seed=1)
    for q in (50, 85, 95):
        exact = _exact_weeks(20, 0.5, 2, q / 100)
        assert abs(f["weeks_for_items"][f"p{q}"] - exact) <= 1, (q, exact)
        at_least = 2 * stats.binom.ppf(1 - q / 100, 8, 0.5)
        assert abs(f["items_by_weeks"][f"p{q}"] - at_least) <= 2, (q, at_least)
    assert [_exact_weeks(20, 0.5, 2, q) for q in (0.5, 0.85, 0.95)] == [19, 25, 28]
    assert [2 * stats.binom.ppf(1 - q, 8, 0.5) for q in (0.5, 0.85, 0.95)] == [8, 6, 4]
