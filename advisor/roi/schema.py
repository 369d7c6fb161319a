"""The ROI scenario file: its pydantic schema, loading with file:line errors, and saving."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from advisor.base import Currency, Strict
from advisor.errors import ScenarioError
from advisor.money import NonNeg, Share, number
from advisor.yamlio import Located, dump_yaml, parse_yaml, read_input, validate

MAX_HORIZON = 240
MAX_ROWS = 1_000  # roles, one-off costs and benefits, each
Count = number(0, 1e7)  # head counts, seats, staff: a large company, not an overflow

Month = Field(default=0, ge=0, le=MAX_HORIZON)


class Role(Strict):
    role: str = Field(min_length=1, max_length=200)
    count: Count
    annual_cost: NonNeg = Field(description="fully loaded cost of one person a year")
    start_month: int = Month
    end_month: int | None = Field(
        default=None, ge=1, le=MAX_HORIZON, description="first month no longer paid"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Role:
        if self.end_month is not None and self.end_month <= self.start_month:
            raise ValueError(
                f"end_month ({self.end_month}) must come after start_month ({self.start_month})"
            )
        return self


class OneOff(Strict):
    name: str = Field(min_length=1, max_length=200)
    amount: NonNeg
    month: int = Month


class Platform(Strict):
    """A metrics platform licence: seats x price per seat-month while active."""

    vendor: str | None = Field(default=None, description="catalog vendor id, for its price")
    tier: str | None = Field(
        default=None, description="the catalog plan to price (default: the entry plan)"
    )
    seats: Count
    price_per_seat_month: NonNeg | None = Field(
        default=None, description="a quote; when absent, the catalog's price for the plan"
    )
    setup_cost: NonNeg = 0.0
    start_month: int = Month
    end_month: int | None = Field(default=None, ge=1, le=MAX_HORIZON)


class ProductivityDip(Strict):
    """Output lost while a change beds in: people x loaded cost x share lost, for some months."""

    people: Count
    annual_cost: NonNeg
    share_lost: Share
    start_month: int = Month
    months: int = Field(default=3, ge=0, le=MAX_HORIZON)


class CapacityFreed(Strict):
    """DORA lever: staff x loaded annual cost x share of time saved."""

    staff: Count
    annual_cost: NonNeg
    time_saved: Share


class DowntimeAvoided(Strict):
    """DORA lever: per state, deploys x change fail rate x hours to restore x cost per hour;
    the value is before minus after."""

    deploys_per_year_before: Count | None = None
    deploys_per_year_after: Count | None = None
    deploys_per_year: Count | None = Field(
        default=None, description="shorthand: the same deployment frequency before and after"
    )
    change_fail_rate_before: Share
    change_fail_rate_after: Share
    recovery_hours_before: number(0, 8760)
    recovery_hours_after: number(0, 8760)
    cost_per_hour: NonNeg

    @model_validator(mode="after")
    def _deploys(self) -> DowntimeAvoided:
        both = self.deploys_per_year_before is not None and self.deploys_per_year_after is not None
        if self.deploys_per_year is not None:
            if self.deploys_per_year_before is not None or self.deploys_per_year_after is not None:
                raise ValueError(
                    "give deploys_per_year (both states) or deploys_per_year_before and "
                    "_after, not both"
                )
            object.__setattr__(self, "deploys_per_year_before", self.deploys_per_year)
            object.__setattr__(self, "deploys_per_year_after", self.deploys_per_year)
            object.__setattr__(self, "deploys_per_year", None)
        elif not both:
            raise ValueError("give deploys_per_year_before and deploys_per_year_after")
        return self


class ReworkAvoided(Strict):
    """Lever: staff x loaded annual cost x (rework share before minus after)."""

    staff: Count
    annual_cost: NonNeg
    rework_share_before: Share
    rework_share_after: Share


class Measure(Strict):
    """Which measured figure tells whether a benefit came true (value realised).

    `expected_change` is the relative change the plan counts on (-0.3: down 30%); the realised
    value is the planned value x measured change / expected change. A capacity-freed lever
    needs none: its time saved is the fall it expects."""

    metric: str = Field(description="a figure of the evidence registry, e.g. cycle_time")
    team: str | None = Field(default=None, max_length=200, description="one team's items only")
    expected_change: float | None = Field(default=None, ge=-1, le=100, allow_inf_nan=False)

    @model_validator(mode="after")
    def _known(self) -> Measure:
        from advisor.evidence.registry import BETTER, TEAM_FIGURES, label

        if self.metric not in BETTER:
            raise ValueError(
                f"{self.metric!r} is not measured before and after; use one of "
                + ", ".join(f"{m} ({label(m)})" for m in BETTER)
            )
        if self.team is not None and self.metric not in TEAM_FIGURES:
            raise ValueError(
                f"{label(self.metric)} is measured from deployments, which name no team; "
                "leave team out"
            )
        if self.expected_change == 0:
            raise ValueError("expected_change cannot be 0: the plan counts on some change")
        return self


LEVERS = ("capacity_freed", "downtime_avoided", "rework_avoided")
SOURCES = ("annual_value", "drivers", *LEVERS)


class Benefit(Strict):
    name: str = Field(min_length=1, max_length=200)
    annual_value: NonNeg | None = None
    drivers: dict[str, NonNeg] | None = Field(
        default=None, description="their product is the annual value", max_length=20
    )
    capacity_freed: CapacityFreed | None = None
    downtime_avoided: DowntimeAvoided | None = None
    rework_avoided: ReworkAvoided | None = None
    start_month: int = Month
    ramp_months: int = Field(default=0, ge=0, le=MAX_HORIZON)
    measure: Measure | None = Field(
        default=None, description="the measured figure that shows whether it came true"
    )

    @model_validator(mode="after")
    def _one_source(self) -> Benefit:
        given = [s for s in SOURCES if getattr(self, s) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(SOURCES)} (got {', '.join(given) or 'none'})"
            )
        if self.drivers is not None and not self.drivers:
            raise ValueError("drivers needs at least one factor")
        linked = self.measure is not None and self.source in ("annual_value", "drivers")
        if linked and self.measure.expected_change is None:
            raise ValueError(
                "measure needs expected_change (the relative change this benefit counts on, "
                "e.g. -0.3 for a 30% fall)"
            )
        return self

    @property
    def source(self) -> str:
        return next(s for s in SOURCES if getattr(self, s) is not None)


class BuyOption(Strict):
    """Buying: a platform licence, its setup, and the people who run it."""

    vendor: str | None = None
    tier: str | None = None
    seats: Count
    price_per_seat_month: NonNeg | None = None
    setup_cost: NonNeg = 0.0
    admin_fte: Count = 0.0
    fte_annual_cost: NonNeg = 0.0


class BuildOption(Strict):
    """Building: a team for some months, then people and infrastructure to keep it running."""

    team: Count
    annual_cost: NonNeg
    build_months: int = Field(ge=0, le=MAX_HORIZON)
    upkeep_fte: Count = 0.0
    infrastructure_per_month: NonNeg = 0.0


class BuildVsBuy(Strict):
    buy: BuyOption
    build: BuildOption


MAX_RUNS = 1_000_000  # simulated futures at most
MAX_SEED = 2**63 - 1
DEFAULT_RUNS = 10_000  # a scenario that does not say: the ROI page's default since it began


class SimulationSettings(Strict):
    """How the uncertainty is simulated. Part of the scenario, so the page, the report, Compare
    and the workbook draw the same futures and give the same P10 / P50 / P90."""

    runs: int = Field(
        default=DEFAULT_RUNS, ge=0, le=MAX_RUNS, description="simulated futures (0: none)"
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="the same seed, the same draws")


class Scenario(Strict):
    version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=200)
    currency: Currency = "USD"
    horizon_months: int = Field(ge=1, le=MAX_HORIZON)
    start_date: dt.date | None = Field(
        default=None, description="the calendar date of month 0 (default: the approval date)"
    )
    discount_rate: float = Field(gt=-1, le=10, allow_inf_nan=False, description="annual")
    team: list[Role] = Field(default=[], max_length=MAX_ROWS)
    one_off_costs: list[OneOff] = Field(default=[], max_length=MAX_ROWS)
    platform: Platform | None = None
    productivity_dip: ProductivityDip | None = None
    benefits: list[Benefit] = Field(default=[], max_length=MAX_ROWS)
    build_vs_buy: BuildVsBuy | None = None
    simulation: SimulationSettings = SimulationSettings()
    notes: str = Field(default="", max_length=20_000)


# ---------------------------------------------------------------- loading


def parse_scenario(text: str | bytes, file: str = "scenario.yaml", catalog=None) -> Scenario:
    """Validate a scenario file; with a catalog, also the vendors, plans and prices it names."""
    from advisor.roi.cashflows import check_prices

    located = parse_yaml(text, file, ScenarioError)
    scenario = validate(Scenario, located, ScenarioError)
    check_prices(scenario, catalog, located)
    return scenario


def load_scenario(path: str | Path, catalog=None) -> Scenario:
    return parse_scenario(read_input(path, ScenarioError), str(path), catalog)


def scenario_from_dict(data: dict, source: str = "the form", catalog=None) -> Scenario:
    from advisor.roi.cashflows import check_prices

    located = Located(data, None, source)
    scenario = validate(Scenario, located, ScenarioError)
    check_prices(scenario, catalog, located)
    return scenario


def scenario_to_yaml(s: Scenario) -> str:
    return dump_yaml(s.model_dump(exclude_defaults=False, exclude_none=True))
