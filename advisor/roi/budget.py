"""A platform's licence against the Advisor's platform budget.

    licence per year = seats x price per seat-month x 12      (the likely values)

The budget is the Advisor's `budget_per_year`, converted to the scenario's currency at the
catalog's stated rate when the two differ. The licence only: setup, rollout and the people who
run the platform are costs of the scenario, not of the budget the Advisor compared vendors with.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog import Catalog
from advisor.errors import InputError
from advisor.money import likely
from advisor.roi.cashflows import platform_price
from advisor.roi.schema import Scenario
from advisor.wording import money


@dataclass(frozen=True)
class LicenceCheck:
    """The licence's yearly cost beside the budget, both in `currency`."""

    licence_per_year: float
    budget_per_year: float
    currency: str
    fits: bool
    text: str


def licence_against_budget(
    scenario: Scenario, catalog: Catalog, budget_per_year: float, budget_currency: str
) -> LicenceCheck | None:
    """None when the scenario has no platform, its price is unknown, or the budget's currency
    cannot be converted.

    >>> from advisor.catalog import bundled_catalog
    >>> s = Scenario.model_validate({"name": "x", "horizon_months": 36, "discount_rate": 0.1,
    ...     "platform": {"seats": 120, "price_per_seat_month": 19}})
    >>> check = licence_against_budget(s, bundled_catalog(), 60_000, "USD")  # 120 x 19 x 12
    >>> check.licence_per_year, check.budget_per_year, check.fits
    (27360.0, 60000.0, True)
    >>> check = licence_against_budget(s, bundled_catalog(), 20_000, "EUR")  # 20,000 x 1.08
    >>> check.budget_per_year, check.fits, check.text[-41:]
    (21600.0, False, 'budget of 21,600 USD a year by 5,760 USD.')
    """
    p = scenario.platform
    if p is None:
        return None
    try:
        price = likely(platform_price(p, catalog, scenario.currency).value)
    except InputError:
        return None
    budget = catalog.exchange_rates.convert(
        float(budget_per_year), budget_currency, scenario.currency
    )
    if budget is None:
        return None
    seats = likely(p.seats)
    yearly = seats * price * 12
    c = scenario.currency
    how = f"{seats:,.0f} seats x {price:,.4g} {c} a seat-month x 12"
    fits = yearly <= budget
    verdict = (
        f"within the Advisor's platform budget of {money(budget, c)} a year"
        if fits
        else f"over the Advisor's platform budget of {money(budget, c)} a year by "
        f"{money(yearly - budget, c)}"
    )
    return LicenceCheck(
        yearly, budget, c, fits, f"Licence: {money(yearly, c)} a year ({how}), {verdict}."
    )
