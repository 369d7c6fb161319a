"""Build versus buy: the total cost of owning the same insight, bought or built in-house."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from advisor.catalog import Catalog
from advisor.money import discount_factors, likely
from advisor.roi import BuildVsBuy, Platform, Scenario, platform_price


@dataclass(frozen=True)
class Option:
    name: str
    total: float
    present_value: float
    monthly: list[float]
    cumulative: list[float]
    first_insight_month: int
    formula: str


@dataclass(frozen=True)
class BuildBuyResult:
    currency: str
    buy: Option
    build: Option
    cheaper: str
    difference: float
    crossover_month: int | None
    text: str


def _option(name: str, monthly: np.ndarray, disc: np.ndarray, first: int, formula: str) -> Option:
    return Option(
        name,
        float(monthly.sum()),
        float(monthly @ disc),
        monthly.tolist(),
        np.cumsum(monthly).tolist(),
        first,
        formula,
    )


def compare(
    s: Scenario, choice: BuildVsBuy, catalog: Catalog | None = None, file: str = "scenario"
) -> BuildBuyResult:
    """Monthly and total cost of both options over the scenario's horizon (likely values)."""
    T = s.horizon_months
    months = np.arange(T)
    disc = discount_factors(s.discount_rate, T)
    buy, build = choice.buy, choice.build

    price = likely(
        platform_price(
            Platform(
                vendor=buy.vendor, seats=buy.seats, price_per_seat_month=buy.price_per_seat_month
            ),
            catalog,
            s.currency,
            file,
        )
    )
    buy_monthly = np.full(
        T, likely(buy.seats) * price + likely(buy.admin_fte) * likely(buy.fte_annual_cost) / 12
    )
    buy_monthly[0] += likely(buy.setup_cost)

    building = months < build.build_months
    team_cost = likely(build.team) * likely(build.annual_cost) / 12
    upkeep = likely(build.upkeep_fte) * likely(build.annual_cost) / 12
    build_monthly = np.where(building, team_cost, upkeep + likely(build.infrastructure_per_month))

    bought = _option(
        "Buy",
        buy_monthly,
        disc,
        0,
        "seats x price per seat-month + admin FTE x cost / 12; setup in month 0",
    )
    built = _option(
        "Build",
        build_monthly,
        disc,
        min(build.build_months, T),
        f"team x cost / 12 for {build.build_months} months, then upkeep FTE x "
        "cost / 12 + infrastructure",
    )
    cheaper = "buy" if bought.present_value <= built.present_value else "build"
    difference = abs(bought.present_value - built.present_value)
    gap = np.asarray(built.cumulative) - np.asarray(bought.cumulative)
    later = np.flatnonzero(np.sign(gap[1:]) != np.sign(gap[:-1]))
    crossover = int(later[0] + 1) if later.size else None
    text = (
        f"Over {T} months, buying costs {bought.total:,.0f} {s.currency} and building "
        f"{built.total:,.0f} {s.currency} (present values {bought.present_value:,.0f} and "
        f"{built.present_value:,.0f}). {cheaper.capitalize()}ing is cheaper by "
        f"{difference:,.0f} {s.currency} in present value."
    )
    if build.build_months > 0:
        text += (
            f" Building also means no insight for the first {build.build_months} months, "
            "while a bought platform reports from the start."
        )
    return BuildBuyResult(s.currency, bought, built, cheaper, difference, crossover, text)
