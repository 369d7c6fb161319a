"""Where work waits: each stage's share of the waiting time inside items' flow time.

    weight(stage) = waiting days in the stage's waiting statuses, inside [start, done] of
                    finished items / all such waiting days
Time in backlog statuses before work starts is demand, not a bottleneck, and done is not a
stage of work, so neither counts. The weights have the answers file's `bottlenecks` shape.
"""

from __future__ import annotations

from advisor.evidence.flow import WORK_STAGES, Prepared


def bottleneck(p: Prepared) -> dict:
    stays = p.stays
    waiting = stays[
        ~stays["active"] & stays["stage"].isin(WORK_STAGES) & (stays["in_flow_days"] > 0)
    ]
    by_stage = waiting.groupby("stage")["in_flow_days"].sum()
    total = float(by_stage.sum())
    by_status = waiting.groupby(["stage", "status"])["in_flow_days"].agg(["sum", "count"])
    weights = {s: (float(by_stage.get(s, 0.0)) / total if total > 0 else 0.0) for s in WORK_STAGES}
    behind = {
        s: [
            {"status": status, "waiting_days": float(r["sum"]), "stays": int(r["count"])}
            for (stage, status), r in by_status.iterrows()
            if stage == s
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


def team_flow(p: Prepared) -> dict[str, dict]:
    """Flow and SEI headlines per team, where the data names teams (never per person)."""
    items = p.items
    if "team" not in items or not (items["team"].astype(str) != "").any():
        return {}
    done = items[items["done"].notna()]
    grouped = done.groupby(done["team"].astype(str), observed=True)
    weeks = max(1.0, (p.as_of - items["start"].min()).total_seconds() / 86400 / 7)
    out = {}
    for team, g in grouped:
        if not team:
            continue
        out[team] = {
            "finished": len(g),
            "flow_time_median_days": float(g["flow_days"].median()),
            "cycle_time_median_days": float(g["cycle_days"].median()),
            "flow_efficiency_median": float(g["efficiency"].median()),
            "throughput_per_week": len(g) / weeks,
        }
    return dict(sorted(out.items()))


def by_team(p: Prepared) -> dict[str, dict]:
    """The same weights per team, where the data names teams (nothing per person, ever)."""
    stays = p.stays
    if "team" not in stays or not (stays["team"].astype(str) != "").any():
        return {}
    waiting = stays[
        ~stays["active"] & stays["stage"].isin(WORK_STAGES) & (stays["in_flow_days"] > 0)
    ]
    table = waiting.groupby([waiting["team"].astype(str), "stage"])["in_flow_days"].sum()
    out = {}
    for team, per_stage in table.groupby(level=0):
        total = float(per_stage.sum())
        if not team or total <= 0:
            continue
        out[team] = {
            stage: round(float(v) / total, 4) for (_, stage), v in per_stage.items() if v > 0
        }
    return dict(sorted(out.items()))
