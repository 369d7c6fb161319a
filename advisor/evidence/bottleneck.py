"""Where work waits: each stage's share of the waiting time inside items' flow time.

    weight(stage) = waiting days in the stage's waiting statuses, inside [start, done] of
                    items finished in the window / all such waiting days
Time in backlog statuses before work starts is demand, not a bottleneck, and done is not a
stage of work, so neither counts. The weights have the answers file's `bottlenecks` shape,
in whole parts of 1/16,384 (exact in binary) so that they sum to exactly 1.

>>> exact_shares({"development": 6.0, "deployment": 1.0})
{'development': 0.85711669921875, 'deployment': 0.14288330078125}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.evidence.flow import weekly_done, weekly_rate
from advisor.evidence.groups import add_in_order, group_count, group_median
from advisor.evidence.prepare import CHUNK_ROWS, WORK_STAGES, Prepared, to_ns
from advisor.evidence.statuses import STAGES
from advisor.evidence.window import monday_of, span
from advisor.shares import exact_shares

_WORK = [STAGES.index(s) for s in WORK_STAGES]


def bottleneck(p: Prepared) -> dict:
    stays = p.stays
    waiting = stays.waiting()
    n, k = len(stays.statuses), len(STAGES)
    by_stage, per_pair = np.zeros(k), np.zeros(k * n)
    visits = np.zeros(k * n, dtype=np.int64)
    for s in range(0, len(waiting), CHUNK_ROWS):  # the waiting stays a part at a time
        rows, days = waiting[s : s + CHUNK_ROWS], stays.waiting_days[s : s + CHUNK_ROWS]
        stage = stays.stage[rows].astype(np.intp)
        pair = stage * n + stays.status[rows]
        add_in_order(by_stage, stage, days)  # in row order: one bincount's sums exactly
        add_in_order(per_pair, pair, days)
        visits += np.bincount(pair, minlength=k * n)
    total = float(by_stage[_WORK].sum())
    weights = exact_shares({s: float(by_stage[STAGES.index(s)]) for s in WORK_STAGES})
    behind = {
        s: [
            {
                "status": str(stays.statuses[c % n]),
                "waiting_days": float(per_pair[c]),
                "stays": int(visits[c]),
                "unit": p.day_unit,
            }
            for c in np.flatnonzero(visits)
            if c // n == STAGES.index(s)
        ]
        for s in WORK_STAGES
    }
    top = max(weights, key=weights.get) if weights else None
    return {
        "weights": weights,
        "top": top,
        "waiting_days": total,
        "unit": "share of waiting time inside flow time",
        "metric": "waiting_share",
        "n": int(p.items["finished"].sum()),
        "window": span(p.window.start, p.window.end),
        "statuses": {
            s: sorted(v, key=lambda r: -r["waiting_days"]) for s, v in behind.items() if v
        },
    }


def _named_teams(p: Prepared) -> list[int]:
    """Team codes with a name, in name order (an empty team is no team)."""
    names = p.stays.teams
    return sorted((c for c in range(len(names)) if names[c]), key=lambda c: str(names[c]))


def _team_figure(metric: str, value, unit: str, statistic: str, n: int, p: Prepared) -> dict:
    finite = value is not None and np.isfinite(value)
    return {
        "metric": metric,
        "value": float(value) if finite else None,
        "unit": unit,
        "statistic": statistic,
        "n": int(n),
        "window": span(p.window.start, p.window.end),
        "note": None if finite else "not enough data: no item of the team finished in the window",
    }


def team_flow(p: Prepared) -> dict[str, dict]:
    """Flow and SEI headlines per team, where the data names teams (never per person). A
    team with no finished item has no medians ("not enough data") and a throughput of 0."""
    items, names = p.items, p.stays.teams
    finished_mask = items["finished"].to_numpy(dtype=bool)
    team = items["team"].array.codes[finished_mask].astype(np.intp)  # no copy of the items
    n = len(names)
    finished = group_count(team, n)
    medians = {
        column: group_median(team, items[column].to_numpy(dtype=float)[finished_mask], n)
        for column in ("flow_days", "cycle_days", "efficiency")
    }
    weekly = _weekly_by_team(p, n)
    out = {}
    for c in _named_teams(p):
        rate = weekly_rate("throughput", "items per week", p, weekly[c])
        k = int(finished[c])
        figures = {
            "flow_time": _team_figure(
                "flow_time", medians["flow_days"][c], p.day_unit, "median", k, p
            ),
            "cycle_time": _team_figure(
                "cycle_time", medians["cycle_days"][c], p.day_unit, "median", k, p
            ),
            "flow_efficiency": _team_figure(
                "flow_efficiency", medians["efficiency"][c], "share", "median", k, p
            ),
            "throughput": {
                key: rate[key]
                for key in ("metric", "value", "unit", "statistic", "n", "window", "note")
            },
        }
        out[str(names[c])] = {
            "finished": k,
            "flow_time_median_days": figures["flow_time"]["value"],
            "cycle_time_median_days": figures["cycle_time"]["value"],
            "flow_efficiency_median": figures["flow_efficiency"]["value"],
            "throughput_per_week": rate["value"],
            "figures": figures,
        }
    return out


def _weekly_by_team(p: Prepared, teams: int) -> list:
    """Each team's finished items per week of the window, from one count over both."""
    template = weekly_done(p, np.zeros(len(p.items), dtype=bool))
    days = p.window.week_days()
    finished = p.items["finished"].to_numpy(dtype=bool)
    done = to_ns(p.items["done"])[finished]
    team = p.items["team"].cat.codes.to_numpy().astype(np.intp)[finished]
    weeks = len(days)
    row = team * weeks + (monday_of(done) - (days[0] if weeks else 0)) // 7
    table = np.bincount(row, minlength=teams * weeks)[: teams * weeks].reshape(teams, weeks)
    return [pd.Series(table[c].astype(float), index=template.index) for c in range(teams)]


def by_team(p: Prepared) -> dict[str, dict]:
    """The same weights per team, where the data names teams (nothing per person, ever)."""
    stays = p.stays
    waiting = stays.waiting()
    k = len(STAGES)
    table = np.zeros(len(stays.teams) * k)
    for s in range(0, len(waiting), CHUNK_ROWS):  # the waiting stays a part at a time
        rows = waiting[s : s + CHUNK_ROWS]
        cell = stays.team[rows].astype(np.intp) * k + stays.stage[rows]
        add_in_order(table, cell, stays.waiting_days[s : s + CHUNK_ROWS])  # one bincount's sums
    table = table.reshape(-1, k)
    return {
        str(stays.teams[c]): exact_shares({STAGES[s]: float(table[c, s]) for s in range(k)})
        for c in _named_teams(p)
    }


def has_development_queue(mapping) -> bool:
    """Whether a status the items pass through waits in development (a review queue, say),
    by the rules for every project or for one. A rule for a status no item enters holds no
    time, so it does not count."""
    rules = list(mapping.statuses.values()) + list(mapping.by_project.values())
    return any(stage == "development" and not active for stage, active, _ in rules)


def with_review_wait(found: dict, pulls: dict, mapping) -> dict:
    """The bottleneck with pull requests' review wait (pickup: opening to first review by
    another person) beside development, as `review_wait` {median, p85, count, unit,
    waiting_days, added, note}.

    When the statuses show no waiting status in development (no review status in the
    tracker), that wait is nowhere in the items' waiting time: the pickup days of the pull
    requests merged in the window are added to development's waiting days, and the weights
    are shared out again (exact_shares: they still sum to exactly 1). With a review status
    the wait is already counted there, and is shown beside it only."""
    pickup = pulls["cycle_time"]["pickup"]
    days = float(pickup["days_total"])
    add = not has_development_queue(mapping) and days > 0
    note = (
        "No status of development waits (no review status), so the pull requests' pickup "
        f"time, {days:,.1f} days over {pickup['count']:,} merged pull requests, is added to "
        "development's waiting time."
        if add
        else "Development has a waiting status, which holds the review wait already; the "
        "pull requests' pickup time is shown beside it, not added."
        if days > 0
        else "No merged pull request was reviewed by another person: no review wait to add."
    )
    out = dict(found)
    out["review_wait"] = {
        "metric": "pr_pickup_time",
        "median": pickup["median"],
        "p85": pickup["p85"],
        "count": pickup["count"],
        "unit": pickup["unit"],
        "waiting_days": days,
        "added": add,
        "note": note,
    }
    if add:
        by_stage = {
            s: sum(r["waiting_days"] for r in found["statuses"].get(s, [])) for s in WORK_STAGES
        }
        by_stage["development"] += days
        out["weights"] = exact_shares(by_stage)
        out["top"] = max(out["weights"], key=out["weights"].get)
        out["waiting_days"] = float(found["waiting_days"]) + days
    return out
