"""How an outcome card measures itself: a figure of the evidence registry, a team and a
target. Its actual is then read from the team's exports after a start date instead of typed.

    met        the figure measured since `since` reaches the target (at most the target for a
               figure where lower is better, such as change lead time; at least, otherwise)
    missed     it does not
    too_early  fewer than the observations the figure needs since `since` (see
               advisor/realise/outcomes.py)
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from advisor.base import Strict


class OutcomeMeasure(Strict):
    metric: str = Field(description="a figure of the evidence registry, e.g. change_lead_time")
    target: float = Field(allow_inf_nan=False, description="in the figure's registry unit")
    team: str | None = Field(default=None, max_length=200)
    better: Literal["lower", "higher"] | None = Field(
        default=None, description="which way meets the target (default: the figure's own)"
    )
    since: dt.date | None = Field(
        default=None, description="measured from this date (default: the plan's approval)"
    )

    @model_validator(mode="after")
    def _known(self) -> OutcomeMeasure:
        from advisor.evidence.registry import BETTER, TEAM_FIGURES, label

        if self.metric not in BETTER:
            raise ValueError(
                f"{self.metric!r} cannot be measured for an outcome; use one of "
                + ", ".join(f"{m} ({label(m)})" for m in BETTER)
            )
        from advisor.evidence.registry import metric as metric_of

        kind = metric_of(self.metric).kind
        if kind == "share" and not 0 <= self.target <= 1:
            raise ValueError(
                f"the target of {label(self.metric)} is a share from 0 to 1 (0.15 for 15%), "
                f"got {self.target:g}"
            )
        if self.target < 0:
            raise ValueError(f"the target of {label(self.metric)} cannot be negative")
        if self.team is not None and self.metric not in TEAM_FIGURES:
            raise ValueError(
                f"{label(self.metric)} is measured from deployments, which name no team; "
                "leave team out"
            )
        return self

    @property
    def direction(self) -> str:
        from advisor.evidence.registry import BETTER

        return self.better or BETTER[self.metric]
