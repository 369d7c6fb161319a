"""The whole evidence answer: every figure each category would show, from the team's files."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from advisor.evidence.bottleneck import bottleneck, by_team, team_flow
from advisor.evidence.dora import dora_metrics, dx_core_4
from advisor.evidence.flow import flow_metrics, full_weeks, sei_metrics
from advisor.evidence.forecast import forecast
from advisor.evidence.prepare import Prepared, prepare
from advisor.evidence.reading import SetAside
from advisor.evidence.statuses import Mapping, resolve

if TYPE_CHECKING:
    from advisor.evidence.status_map import StatusMap


@dataclass
class Evidence:
    """What `evidence --json` prints, plus the prepared frames the app draws from."""

    counts: dict
    statuses: dict
    flow: dict
    sei: dict
    dora: dict | None
    dx_core_4: dict
    bottlenecks: dict
    bottleneck_detail: dict
    teams: dict
    forecast: dict
    warnings: list[str]
    prepared: Prepared | None = field(default=None, repr=False)
    mapping: Mapping | None = field(default=None, repr=False)
    source: str = ""

    def to_json(self) -> dict:
        return {
            "counts": self.counts,
            "statuses": self.statuses,
            "flow": self.flow,
            "sei": self.sei,
            "dora": self.dora,
            "dx_core_4": self.dx_core_4,
            "bottlenecks": self.bottlenecks,
            "bottleneck_detail": self.bottleneck_detail,
            "teams": self.teams,
            "forecast": self.forecast,
            "warnings": self.warnings,
        }


def analyse_evidence(
    transitions: pd.DataFrame,
    aside: SetAside,
    status_map: StatusMap | None = None,
    deployments: pd.DataFrame | None = None,
    incidents: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    engineers: int | None = None,
    business_days: bool = False,
    forecast_items: int = 20,
    forecast_weeks: int = 8,
    source: str = "",
) -> Evidence:
    statuses = sorted(_names(transitions["to_status"]) | _names(transitions["from_status"]))
    mapping = resolve(statuses, sorted(_names(transitions["type"])), status_map)
    # A second thread takes DORA and the SEI figures: numpy lets go of the interpreter while
    # it sorts and partitions, so both cores work. Every part is a pure function.
    with ThreadPoolExecutor(max_workers=1) as helper:
        dora_job = (
            helper.submit(dora_metrics, deployments, incidents) if deployments is not None else None
        )
        prepared = prepare(transitions, mapping, aside, business_days, source or "work items")
        sei_job = helper.submit(sei_metrics, prepared)
        weekly = full_weeks(prepared)
        found = bottleneck(prepared)
        flow_by_team = team_flow(prepared)
        flow = flow_metrics(prepared)
        teams = {
            team: {"bottlenecks": weights, **flow_by_team.get(team, {})}
            for team, weights in by_team(prepared).items()
        }
        dora = dora_job.result() if dora_job else None
        sei = sei_job.result()
    warnings = []
    if mapping.unmapped:
        warnings.append(
            f"{len(mapping.unmapped)} status(es) nobody mapped were counted as development, "
            f"waiting: {', '.join(mapping.unmapped[:20])}. Map them for a true picture."
        )
    if mapping.unmapped_types:
        warnings.append(
            f"Issue types counted as features until mapped: {', '.join(mapping.unmapped_types)}."
        )
    if prepared.counts["finished"] == 0:
        warnings.append("No item is finished: flow time, efficiency and the bottleneck need some.")
    if prepared.counts["out_of_sequence"]:
        warnings.append(
            f"{prepared.counts['out_of_sequence']} transitions do not start from the status "
            "the item was in; each stay runs from its own change to the next."
        )
    return Evidence(
        counts={
            **prepared.counts,
            "rows": len(transitions),
            "set_aside": aside.as_dict(),
            "as_of": prepared.as_of.isoformat(),
        },
        statuses={
            "rules": {
                s: {"stage": stage, "active": active, "source": how}
                for s, (stage, active, how) in mapping.statuses.items()
            },
            "types": {t: {"item": item, "source": how} for t, (item, how) in mapping.types.items()},
            "unmapped": mapping.unmapped,
        },
        flow=flow,
        sei=sei,
        dora=dora,
        dx_core_4=dx_core_4(prepared.items, weekly, engineers, dora, survey),
        bottlenecks=found["weights"],
        bottleneck_detail=found,
        teams=teams,
        forecast=forecast(weekly.to_numpy(), forecast_items, forecast_weeks),
        warnings=warnings,
        prepared=prepared,
        mapping=mapping,
        source=source,
    )


def _names(column: pd.Series) -> set[str]:
    """The distinct non-empty texts of a column (for categories: those in use)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        used = np.bincount(
            column.cat.codes.to_numpy().astype(np.intp) + 1,
            minlength=len(column.cat.categories) + 1,
        )
        values = column.cat.categories[used[1:] > 0]
    else:
        values = column.unique()
    return {v for v in values if isinstance(v, str) and v}


def json_safe(value):
    """Numbers as plain floats, NaN as null: the document is always valid JSON."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
