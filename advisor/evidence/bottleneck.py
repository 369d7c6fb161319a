"""Where work waits: each stage's share of the waiting time inside items' flow time.

    weight(stage) = waiting days in the stage's waiting statuses, inside [start, done] of
                    finished items / all such waiting days
Time in backlog statuses before work starts is demand, not a bottleneck, and done is not a
stage of work, so neither counts. The weights have the answers file's `bottlenecks` shape.
"""

from __future__ import annotations

import numpy as np

from advisor.evidence.groups import group_count, group_median, group_sum
from advisor.evidence.prepare import WORK_STAGES, Prepared
from advisor.evidence.statuses import STAGES

_WORK = [STAGES.index(s) for s in WORK_STAGES]


def bottleneck(p: Prepared) -> dict:
    stays = p.stays
    waiting = stays.waiting()
    status, days = stays.status[waiting], stays.in_flow_days[waiting]
    by_stage = group_sum(stays.stage[waiting], days, len(STAGES))
    total = float(by_stage[_WORK].sum())
    n = len(stays.statuses)
    per_status, visits = group_sum(status, days, n), group_count(status, n)
    weights = {
        s: (float(by_stage[STAGES.index(s)]) / total if total > 0 else 0.0) for s in WORK_STAGES
    }
    behind = {
        s: [
            {
                "status": str(stays.statuses[c]),
                "waiting_days": float(per_status[c]),
                "stays": int(visits[c]),
            }
            for c in np.flatnonzero(visits)
            if stays.stage_of[c] == STAGES.index(s)
        ]
        for s in WORK_STAGES
    }
    top = max(weights, key=weights.get) if total > 0 else None
    return {
        "weights": {s: round(w, 4) for s, w in weights.items() if w > 0},
        "top": top,
        "waiting_days": total,
        "statuses": {
            s: sorted(v, key=lambda r: -r["waiting_days"]) for s, v in behind.items() if v
        },
    }


def _named_teams(p: Prepared) -> list[int]:
    """Team codes with a name, in name order (an empty team is no team)."""
    names = p.stays.teams
    return sorted((c for c in range(len(names)) if names[c]), key=lambda c: str(names[c]))


def team_flow(p: Prepared) -> dict[str, dict]:
    """Flow and SEI headlines per team, where the data names teams (never per person)."""
    items, names = p.items, p.stays.teams
    done = items[items["done"].notna()]
    team = done["team"].cat.codes.to_numpy().astype(np.intp)
    n = len(names)
    finished = group_count(team, n)
    medians = {
        column: group_median(team, done[column].to_numpy(dtype=float), n)
        for column in ("flow_days", "cycle_days", "efficiency")
    }
    weeks = max(1.0, (p.as_of - items["start"].min()).total_seconds() / 86400 / 7)
    return {
        str(names[c]): {
            "finished": int(finished[c]),
            "flow_time_median_days": float(medians["flow_days"][c]),
            "cycle_time_median_days": float(medians["cycle_days"][c]),
            "flow_efficiency_median": float(medians["efficiency"][c]),
            "throughput_per_week": int(finished[c]) / weeks,
        }
        for c in _named_teams(p)
        if finished[c]
    }


def by_team(p: Prepared) -> dict[str, dict]:
    """The same weights per team, where the data names teams (nothing per person, ever)."""
    stays = p.stays
    waiting = stays.waiting()
    k = len(STAGES)
    table = group_sum(
        stays.team[waiting].astype(np.intp) * k + stays.stage[waiting],
        stays.in_flow_days[waiting],
        len(stays.teams) * k,
    ).reshape(-1, k)
    out = {}
    for c in _named_teams(p):
        total = float(table[c].sum())
        if total > 0:
            out[str(stays.teams[c])] = {
                STAGES[s]: round(float(table[c, s]) / total, 4) for s in range(k) if table[c, s] > 0
            }
    return out
