"""Cash-flow lines: every cost and benefit stream of a scenario, and the numbers it uses.

A line's value in month m is `amount x profile[m]`: the amount comes from one function of
`levers` applied to the line's numbers (by name), the profile says in which months it runs:
    active months      1 from start_month up to, not including, end_month
    once               1 in its month
    ramp (benefits)    min(1, (m - start + 1) / ramp) from start (ramp 0: 1 at once)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from advisor.base import MAX_AMOUNT
from advisor.catalog import Catalog
from advisor.errors import Problem, ScenarioError, under
from advisor.money import Range, likely
from advisor.roi import levers
from advisor.roi.schema import Benefit, BuyOption, Platform, Scenario
from advisor.yamlio import Located


@dataclass(frozen=True)
class Param:
    """One number of the scenario: where it is, its label, and its value or range."""

    path: str
    label: str
    value: float | Range

    @property
    def uncertain(self) -> bool:
        return isinstance(self.value, Range) and self.value.low < self.value.high


@dataclass(frozen=True)
class Line:
    """A stream of money: fn(**numbers) a month, times a month profile."""

    kind: Literal["cost", "benefit"]
    label: str
    names: tuple[str, ...]  # the function's argument names
    params: tuple[str, ...]  # the parameter path of each argument
    fn: Callable[..., float | np.ndarray]
    profile: np.ndarray
    timing: str  # when it is paid, in words

    @property
    def formula(self) -> str:
        return f"{self.fn.__doc__}, {self.timing}"

    def amount(self, values: dict[str, float | np.ndarray]) -> float | np.ndarray:
        return self.fn(**{n: values[p] for n, p in zip(self.names, self.params, strict=True)})


@dataclass(frozen=True)
class Price:
    """The licence price used, and where it comes from, in words."""

    value: float | Range
    basis: str


def _active(start: int, end: int | None, horizon: int) -> np.ndarray:
    months = np.arange(horizon)
    return ((months >= start) & (months < (end if end is not None else horizon))).astype(float)


def _once(month: int, horizon: int) -> np.ndarray:
    profile = np.zeros(horizon)
    if month < horizon:
        profile[month] = 1.0
    return profile


def _ramp(start: int, ramp: int, horizon: int) -> np.ndarray:
    months = np.arange(horizon)
    share = np.ones(horizon) if ramp == 0 else np.minimum(1.0, (months - start + 1) / ramp)
    return np.where(months >= start, share, 0.0)


def platform_price(
    platform: Platform | BuyOption, catalog: Catalog | None, currency: str, file: str = "scenario"
) -> Price:
    """Price per seat-month: the quote given, else the catalog's price for the chosen plan."""
    if platform.price_per_seat_month is not None:
        return Price(platform.price_per_seat_month, "your quote")
    vendor = catalog.vendor(platform.vendor) if catalog and platform.vendor else None
    if platform.vendor and catalog and vendor is None:
        raise ScenarioError(
            [
                Problem(
                    file, f"unknown vendor {platform.vendor!r}; see the catalog for ids", "vendor"
                )
            ]
        )
    if vendor is None or vendor.pricing.model == "not_public":
        who = vendor.name if vendor else "this platform"
        raise ScenarioError(
            [
                Problem(
                    file,
                    f"{who} publishes no price: give price_per_seat_month from a quote",
                    "price_per_seat_month",
                )
            ]
        )
    p = vendor.pricing
    if p.model == "open_source":
        return Price(0.0, f"{vendor.name}: open source, no licence")
    rates = catalog.exchange_rates

    def convert(amount: float) -> float:
        value = rates.convert(amount, p.currency, currency)
        if value is None:
            raise ScenarioError(
                [Problem(file, f"no exchange rate from {p.currency} to {currency}", "vendor")]
            )
        return value

    low, high = convert(p.low), convert(p.high)
    converted = "" if p.currency == currency else f", converted from {p.currency}"
    mark = "indicative " if p.indicative else ""
    if p.tiers:
        tier = p.tier(platform.tier)
        if tier is None:
            names = ", ".join(t.name for t in p.tiers)
            raise ScenarioError(
                [Problem(file, f"{vendor.name} has no plan {platform.tier!r}; use {names}", "tier")]
            )
        chosen = convert(tier.price)
        basis = (
            f"{vendor.name} {tier.name}, {tier.price:g} {p.currency} per seat-month "
            f"({mark}list price{converted})"
        )
    else:
        chosen = low
        basis = f"{vendor.name} entry price, {p.low:g} {p.currency} ({mark}list price{converted})"
    value = chosen if low == high else Range(low=low, likely=chosen, high=high)
    return Price(value, basis)


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def steps(path: str) -> list[str | int]:
    """`team[0].count` as ["team", 0, "count"]."""
    return [int(i) if i else key for key, i in _STEP.findall(path)]


def check_prices(s: Scenario, catalog: Catalog | None, located: Located) -> None:
    """Every platform named must be in the catalog and have a price, a plan or a quote."""
    if catalog is None:
        return
    problems = []
    options = [("platform", s.platform)]
    if s.build_vs_buy is not None:
        options.append(("build_vs_buy.buy", s.build_vs_buy.buy))
    for path, option in options:
        if option is None:
            continue
        try:
            platform_price(option, catalog, s.currency, located.file)
        except ScenarioError as exc:
            for p in exc.problems:
                field = f"{path}.{p.field}"
                problems.append(
                    Problem(p.file, p.message, field, line=located.line_of(steps(field)))
                )
    if problems:
        raise ScenarioError(problems)


def _benefit_numbers(b: Benefit, prefix: str) -> tuple[list[Param], list[str], Callable]:
    if b.source == "annual_value":
        return (
            [Param(f"{prefix}.annual_value", b.name, b.annual_value)],
            ["annual_value"],
            (levers.annual_value),
        )
    if b.source == "drivers":
        params = [
            Param(f"{prefix}.drivers.{k}", f"{b.name}: {k.replace('_', ' ')}", v)
            for k, v in b.drivers.items()
        ]
        return params, list(b.drivers), levers.drivers
    lever = getattr(b, b.source)
    names = [n for n, v in lever.model_dump().items() if v is not None]
    params = [
        Param(f"{prefix}.{b.source}.{n}", f"{b.name}: {n.replace('_', ' ')}", getattr(lever, n))
        for n in names
    ]
    return params, names, levers.LEVER_FUNCTIONS[b.source]


def build_lines(
    s: Scenario, catalog: Catalog | None = None, file: str = "scenario"
) -> tuple[list[Line], list[Param], str | None]:
    """Every cost and benefit stream, every number they depend on, and the licence basis."""
    T = s.horizon_months
    lines: list[Line] = []
    params: list[Param] = []
    price_basis = None

    def add(kind, label, new_params, names, fn, profile, timing):
        params.extend(new_params)
        lines.append(
            Line(kind, label, tuple(names), tuple(p.path for p in new_params), fn, profile, timing)
        )

    for i, r in enumerate(s.team):
        add(
            "cost",
            f"Team: {r.role}",
            [
                Param(f"team[{i}].count", f"{r.role}: head count", r.count),
                Param(f"team[{i}].annual_cost", f"{r.role}: annual cost", r.annual_cost),
            ],
            ["count", "annual_cost"],
            levers.team,
            _active(r.start_month, r.end_month, T),
            "each active month",
        )
    for i, o in enumerate(s.one_off_costs):
        add(
            "cost",
            f"One-off: {o.name}",
            [Param(f"one_off_costs[{i}].amount", o.name, o.amount)],
            ["amount"],
            levers.one_off,
            _once(o.month, T),
            f"in month {o.month}",
        )
    if s.platform is not None:
        p = s.platform
        try:
            price = platform_price(p, catalog, s.currency, file)
        except ScenarioError as exc:
            raise ScenarioError(under("platform", exc.problems)) from None
        price_basis = price.basis
        known = catalog.vendor(p.vendor) if catalog is not None and p.vendor else None
        name = known.name if known else (p.vendor or "platform")  # a person reads its name
        add(
            "cost",
            f"Licence: {name}",
            [
                Param("platform.seats", f"{name}: seats", p.seats),
                Param(
                    "platform.price_per_seat_month", f"{name}: price per seat-month", price.value
                ),
            ],
            ["seats", "price_per_seat_month"],
            levers.licence,
            _active(p.start_month, p.end_month, T),
            "each active month",
        )
        if likely(p.setup_cost) > 0 or isinstance(p.setup_cost, Range):
            add(
                "cost",
                f"Setup: {name}",
                [Param("platform.setup_cost", f"{name}: setup", p.setup_cost)],
                ["setup_cost"],
                levers.setup,
                _once(p.start_month, T),
                f"in month {p.start_month}",
            )
    if s.productivity_dip is not None:
        d = s.productivity_dip
        add(
            "cost",
            "Productivity dip",
            [
                Param("productivity_dip.people", "Dip: people", d.people),
                Param("productivity_dip.annual_cost", "Dip: annual cost", d.annual_cost),
                Param("productivity_dip.share_lost", "Dip: share of output lost", d.share_lost),
            ],
            ["people", "annual_cost", "share_lost"],
            levers.productivity_dip,
            _active(d.start_month, d.start_month + d.months, T),
            f"for {d.months} months from month {d.start_month}",
        )
    for i, b in enumerate(s.benefits):
        numbers, names, fn = _benefit_numbers(b, f"benefits[{i}]")
        ramp = f", ramped over {b.ramp_months} months" if b.ramp_months else ""
        add(
            "benefit",
            b.name,
            numbers,
            names,
            fn,
            _ramp(b.start_month, b.ramp_months, T),
            f"from month {b.start_month}{ramp}",
        )
    _check_finite(lines, params, file)
    return lines, params, price_basis


def _check_finite(lines: list[Line], params: list[Param], file: str) -> None:
    """Refuse a line whose monthly amount, at any end of its ranges, overflows."""
    for end in ("low", "likely", "high"):
        values = {
            p.path: getattr(p.value, end) if isinstance(p.value, Range) else p.value for p in params
        }
        for line in lines:
            with np.errstate(all="ignore"):
                amount = float(line.amount(values))
            if not np.isfinite(amount) or abs(amount) > MAX_AMOUNT:
                raise ScenarioError(
                    [
                        Problem(
                            file,
                            f"its monthly amount ({line.fn.__doc__}) comes to more than "
                            f"{MAX_AMOUNT:g}; check the numbers",
                            line.params[0].rsplit(".", 1)[0],
                        )
                    ]
                )
