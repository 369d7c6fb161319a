"""Build versus buy: the total cost of owning the same insight, bought or built in-house.

    buy, each month     seats x price per seat-month + admin FTE x annual cost / 12
                        (+ setup in month 0)
    build, each month   team x annual cost / 12 while building, then
                        upkeep FTE x annual cost / 12 + infrastructure
Both are compared in present value at the scenario's discount rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from advisor.catalog import Catalog
from advisor.errors import ScenarioError, under
from advisor.money import discount_factors, likely
from advisor.roi.cashflows import platform_price
from advisor.roi.schema import BuildVsBuy, Scenario
from advisor.wording import money


@dataclass(frozen=True)
class Option:
    name: str
    total: float
    present_value: float
    monthly: list[float]
    cumulative: list[float]
    first_insight_month: int
    formula: str
    working: str


@dataclass(frozen=True)
class BuildBuyResult:
    currency: str
    buy: Option
    build: Option
    cheaper: str
    difference: float
    crossover_month: int | None
    text: str


def _option(
    name: str, monthly: np.ndarray, disc: np.ndarray, first: int, formula: str, working: str
) -> Option:
    return Option(
        name,
        float(monthly.sum()),
        float(monthly @ disc),
        monthly.tolist(),
        np.cumsum(monthly).tolist(),
        first,
        formula,
        working,
    )


def compare(
    s: Scenario, choice: BuildVsBuy, catalog: Catalog | None = None, file: str = "scenario"
) -> BuildBuyResult:
    """Monthly and total cost of both options over the scenario's horizon (likely values)."""
    T = s.horizon_months
    months = np.arange(T)
    disc = discount_factors(s.discount_rate, T)
    buy, build = choice.buy, choice.build

    c = s.currency
    try:
        price = likely(platform_price(buy, catalog, c, file).value)
    except ScenarioError as exc:
        raise ScenarioError(under("build_vs_buy.buy", exc.problems)) from None
    seats, admin, fte_cost = likely(buy.seats), likely(buy.admin_fte), likely(buy.fte_annual_cost)
    buy_each = seats * price + admin * fte_cost / 12
    buy_monthly = np.full(T, buy_each)
    buy_monthly[0] += likely(buy.setup_cost)

    building = months < build.build_months
    team_cost = likely(build.team) * likely(build.annual_cost) / 12
    upkeep = likely(build.upkeep_fte) * likely(build.annual_cost) / 12
    infra = likely(build.infrastructure_per_month)
    build_monthly = np.where(building, team_cost, upkeep + infra)
    built_for = min(build.build_months, T)

    bought = _option(
        "Buy",
        buy_monthly,
        disc,
        0,
        "seats x price per seat-month + admin FTE x cost / 12; setup in month 0",
        f"{seats:,.0f} x {money(price, c)} + {admin:g} x {money(fte_cost, c)} / 12 = "
        f"{money(buy_each, c)} a month x {T} months + setup {money(likely(buy.setup_cost), c)}",
    )
    built = _option(
        "Build",
        build_monthly,
        disc,
        min(build.build_months, T),
        f"team x cost / 12 for {build.build_months} months, then upkeep FTE x "
        "cost / 12 + infrastructure",
        f"{likely(build.team):g} x {money(likely(build.annual_cost), c)} / 12 = "
        f"{money(team_cost, c)} a month x {built_for} months, then "
        f"{likely(build.upkeep_fte):g} x {money(likely(build.annual_cost), c)} / 12 + "
        f"{money(infra, c)} = {money(upkeep + infra, c)} a month x {T - built_for} months",
    )
    cheaper = "buy" if bought.present_value <= built.present_value else "build"
    difference = abs(bought.present_value - built.present_value)
    gap = np.asarray(built.cumulative) - np.asarray(bought.cumulative)
    later = np.flatnonzero(np.sign(gap[1:]) != np.sign(gap[:-1]))
    crossover = int(later[0] + 1) if later.size else None
    text = (
        f"Over {T} months, buying costs {money(bought.total, c)} and building "
        f"{money(built.total, c)} (present values {money(bought.present_value, c)} and "
        f"{money(built.present_value, c)}). {cheaper.capitalize()}ing is cheaper by "
        f"{money(difference, c)} in present value."
    )
    if build.build_months > 0:
        text += (
            f" Building also means no insight for the first {build.build_months} months, "
            "while a bought platform reports from the start."
        )
    return BuildBuyResult(s.currency, bought, built, cheaper, difference, crossover, text)
