"""Scenarios side by side, and the teams of one organisation on one matrix.

For each scenario: its ranking (the same scores `recommend` gives), NPV, IRR and payback
with their P10-P90 (2,000 simulated futures, seed 0; IRR's from the first 300 of them), and
the delay cost of the best order. For teams: a team x category fit
matrix, and the single category or pair that serves them all best:
    coverage(team, choice) = the best score in the choice for that team / the team's top score
The choice with the highest lowest coverage wins (then the highest mean; a single category
before a pair). What it leaves uncovered: each team's stages holding at least 20% of its
wait that no category in the choice sees well (focus below 0.5).
"""

from __future__ import annotations

import itertools

from advisor.catalog import CATEGORY_IDS, Catalog
from advisor.delay import analyse as analyse_backlog
from advisor.roi import analyse as analyse_roi
from advisor.scenario import ScenarioFile
from advisor.scoring import recommend

MIN_SCENARIOS, MAX_SCENARIOS = 2, 6
RUNS = 2_000  # simulation runs per scenario for the P10-P90 range
IRR_RUNS = 300  # of them, the draws whose IRR is found (a root search each)
UNCOVERED_SHARE, SEEN_FOCUS = 0.2, 0.5


def _one(s: ScenarioFile, version: int | None, catalog: Catalog) -> dict:
    rec = recommend(s.answers, catalog)
    row = {
        "name": s.name,
        "team": s.team,
        "version": version,
        "top_category": rec.ranking[0].category,
        "combination": rec.combination,
        "scores": {r.category: r.score for r in rec.ranking},
        "npv": None,
        "npv_p10": None,
        "npv_p90": None,
        "irr_annual": None,
        "irr_p10": None,
        "irr_p90": None,
        "mirr_annual": None,
        "payback_month": None,
        "payback_p10": None,
        "payback_p90": None,
        "currency": s.answers.currency,
        "delay_cost_best": None,
    }
    if s.roi is not None:
        r = analyse_roi(s.roi, catalog, simulations=RUNS, seed=0, irr_runs=IRR_RUNS)
        sim = r.simulation
        row.update(
            npv=r.npv,
            npv_p10=sim.npv_p10,
            npv_p90=sim.npv_p90,
            irr_p10=sim.irr_p10,
            irr_p90=sim.irr_p90,
            payback_p10=sim.payback_p10,
            payback_p90=sim.payback_p90,
            irr_annual=r.irr_annual,
            mirr_annual=r.mirr_annual,
            payback_month=r.payback_month,
            currency=r.currency,
        )
    if s.backlog is not None:
        row["delay_cost_best"] = analyse_backlog(s.backlog).delay_cost["best"]
    return row


def shared_choice(rows: list[dict], scenarios: list[ScenarioFile], catalog: Catalog) -> dict:
    """The category or pair that serves every team best, and what it leaves uncovered."""
    choices = [(c,) for c in CATEGORY_IDS] + list(itertools.combinations(CATEGORY_IDS, 2))

    def coverage(choice) -> dict[str, float]:
        out = {}
        for row in rows:
            top = max(row["scores"].values())
            best = max(row["scores"][c] for c in choice)
            out[row["team"] or row["name"]] = best / top if top > 0 else 0.0
        return out

    def rank(choice):
        cov = coverage(choice).values()
        return (round(min(cov), 4), round(sum(cov) / len(cov), 4), -len(choice))

    best = max(choices, key=rank)
    uncovered = []
    for row, s in zip(rows, scenarios, strict=True):
        for loc, weight in s.answers.bottlenecks.items():
            seen = max(catalog.categories[c].focus.get(loc) for c in best)
            if weight >= UNCOVERED_SHARE and seen < SEEN_FOCUS:
                uncovered.append(
                    {
                        "team": row["team"] or row["name"],
                        "stage": loc,
                        "share_of_wait": round(weight, 4),
                        "best_focus": seen,
                    }
                )
    return {
        "categories": list(best),
        "covers": {k: round(v, 4) for k, v in coverage(best).items()},
        "uncovered": uncovered,
    }


def compare(scenarios: list[tuple[ScenarioFile, int | None]], catalog: Catalog) -> dict:
    """The `compare --json` document (DESIGN.md)."""
    rows = [_one(s, v, catalog) for s, v in scenarios]
    files = [s for s, _ in scenarios]
    tops = {r["top_category"] for r in rows}
    return {
        "scenarios": rows,
        "matrix": {(r["team"] or r["name"]): r["scores"] for r in rows},
        "shared": shared_choice(rows, files, catalog),
        "agree": len(tops) == 1,
        "top_categories": sorted(tops),
    }
