"""What a team or a platform returns: monthly cash flows, NPV, IRR, payback, ROI, uncertainty."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from advisor.catalog import Catalog
from advisor.errors import Problem, ScenarioError
from advisor.money import (
    NonNeg,
    Range,
    Share,
    discount_factors,
    irr_annual,
    likely,
    monthly_rate,
    npv,
    payback_month,
)
from advisor.yamlio import Located, parse_yaml, validate

MAX_HORIZON = 240
CHUNK = 10_000  # simulation draws per block: the same seed gives the same answer everywhere


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Month = Field(default=0, ge=0, le=MAX_HORIZON)


class Role(Strict):
    role: str = Field(min_length=1)
    count: NonNeg
    annual_cost: NonNeg = Field(description="fully loaded cost of one person a year")
    start_month: int = Month
    end_month: int | None = Field(default=None, ge=1, description="first month no longer paid")

    @model_validator(mode="after")
    def _ordered(self) -> Role:
        if self.end_month is not None and self.end_month <= self.start_month:
            raise ValueError(
                f"end_month ({self.end_month}) must come after start_month ({self.start_month})"
            )
        return self


class OneOff(Strict):
    name: str = Field(min_length=1)
    amount: NonNeg
    month: int = Month


class Platform(Strict):
    """A metrics platform licence: seats x price per seat-month while active."""

    vendor: str | None = Field(default=None, description="catalog vendor id, for its price")
    seats: NonNeg
    price_per_seat_month: NonNeg | None = Field(
        default=None, description="a quote; when absent, the catalog's public price"
    )
    setup_cost: NonNeg = 0.0
    start_month: int = Month
    end_month: int | None = Field(default=None, ge=1)


class ProductivityDip(Strict):
    """Output lost while a change beds in: people x loaded cost x share lost, for some months."""

    people: NonNeg
    annual_cost: NonNeg
    share_lost: Share
    start_month: int = Month
    months: int = Field(default=3, ge=0, le=MAX_HORIZON)


class CapacityFreed(Strict):
    """DORA lever: staff x loaded annual cost x share of time saved."""

    staff: NonNeg
    annual_cost: NonNeg
    time_saved: Share


class DowntimeAvoided(Strict):
    """DORA lever: deploys x (fail rate x recovery hours, before minus after) x cost per hour."""

    deploys_per_year: NonNeg
    change_fail_rate_before: Share
    change_fail_rate_after: Share
    recovery_hours_before: NonNeg
    recovery_hours_after: NonNeg
    cost_per_hour: NonNeg


class ReworkAvoided(Strict):
    """Lever: staff x loaded annual cost x (rework share before minus after)."""

    staff: NonNeg
    annual_cost: NonNeg
    rework_share_before: Share
    rework_share_after: Share


LEVERS = ("capacity_freed", "downtime_avoided", "rework_avoided")
SOURCES = ("annual_value", "drivers", *LEVERS)


class Benefit(Strict):
    name: str = Field(min_length=1)
    annual_value: NonNeg | None = None
    drivers: dict[str, NonNeg] | None = Field(
        default=None, description="their product is the annual value"
    )
    capacity_freed: CapacityFreed | None = None
    downtime_avoided: DowntimeAvoided | None = None
    rework_avoided: ReworkAvoided | None = None
    start_month: int = Month
    ramp_months: int = Field(default=0, ge=0, le=MAX_HORIZON)

    @model_validator(mode="after")
    def _one_source(self) -> Benefit:
        given = [s for s in SOURCES if getattr(self, s) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(SOURCES)} (got {', '.join(given) or 'none'})"
            )
        if self.drivers is not None and not self.drivers:
            raise ValueError("drivers needs at least one factor")
        return self

    @property
    def source(self) -> str:
        return next(s for s in SOURCES if getattr(self, s) is not None)


class BuyOption(Strict):
    """Buying: a platform licence, its setup, and the people who run it."""

    vendor: str | None = None
    seats: NonNeg
    price_per_seat_month: NonNeg | None = None
    setup_cost: NonNeg = 0.0
    admin_fte: NonNeg = 0.0
    fte_annual_cost: NonNeg = 0.0


class BuildOption(Strict):
    """Building: a team for some months, then people and infrastructure to keep it running."""

    team: NonNeg
    annual_cost: NonNeg
    build_months: int = Field(ge=0, le=MAX_HORIZON)
    upkeep_fte: NonNeg = 0.0
    infrastructure_per_month: NonNeg = 0.0


class BuildVsBuy(Strict):
    buy: BuyOption
    build: BuildOption


class Scenario(Strict):
    version: Literal[1] = 1
    name: str = Field(min_length=1)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    horizon_months: int = Field(ge=1, le=MAX_HORIZON)
    discount_rate: float = Field(gt=-1, le=10, description="annual")
    team: list[Role] = []
    one_off_costs: list[OneOff] = []
    platform: Platform | None = None
    productivity_dip: ProductivityDip | None = None
    benefits: list[Benefit] = []
    build_vs_buy: BuildVsBuy | None = None
    notes: str = ""


# ---------------------------------------------------------------- loading


def check_prices(s: Scenario, catalog: Catalog | None, located: Located) -> None:
    """Every platform named must be in the catalog and have a price or a quote."""
    if catalog is None:
        return
    problems = []
    options = [("platform", s.platform)]
    if s.build_vs_buy is not None:
        options.append(("build_vs_buy.buy", s.build_vs_buy.buy))
    for path, option in options:
        if option is None:
            continue
        quote = option.price_per_seat_month
        platform = Platform(vendor=option.vendor, seats=option.seats, price_per_seat_month=quote)
        try:
            platform_price(platform, catalog, s.currency, located.file)
        except ScenarioError as exc:
            for p in exc.problems:
                field = p.field.replace("platform", path, 1)
                problems.append(
                    Problem(p.file, p.message, field, line=located.line_of(field.split(".")))
                )
    if problems:
        raise ScenarioError(problems)


def parse_scenario(
    text: str | bytes, file: str = "scenario.yaml", catalog: Catalog | None = None
) -> Scenario:
    """Validate a scenario file; with a catalog, also the vendors and prices it names."""
    located = parse_yaml(text, file, ScenarioError)
    scenario = validate(Scenario, located, ScenarioError)
    check_prices(scenario, catalog, located)
    return scenario


def load_scenario(path: str | Path, catalog: Catalog | None = None) -> Scenario:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    return parse_scenario(data, str(path), catalog)


def scenario_from_dict(
    data: dict, source: str = "the form", catalog: Catalog | None = None
) -> Scenario:
    located = Located(data, None, source)
    scenario = validate(Scenario, located, ScenarioError)
    check_prices(scenario, catalog, located)
    return scenario


def scenario_to_yaml(s: Scenario) -> str:
    return yaml.safe_dump(
        s.model_dump(exclude_defaults=False, exclude_none=True), sort_keys=False, allow_unicode=True
    )


# ---------------------------------------------------------------- cash-flow lines


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
    """A stream of money: a monthly amount computed from params, times a month profile."""

    kind: Literal["cost", "benefit"]
    label: str
    params: tuple[str, ...]
    amount: Callable[..., np.ndarray | float]
    profile: np.ndarray
    formula: str


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
    platform: Platform, catalog: Catalog | None, currency: str, file: str = "scenario"
) -> float | Range:
    """Price per seat-month: the quote given, else the vendor's public price, converted."""
    if platform.price_per_seat_month is not None:
        return platform.price_per_seat_month
    vendor = catalog.vendor(platform.vendor) if catalog and platform.vendor else None
    if platform.vendor and catalog and vendor is None:
        raise ScenarioError(
            [
                Problem(
                    file,
                    f"unknown vendor {platform.vendor!r}; see the catalog for ids",
                    "platform.vendor",
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
                    "platform.price_per_seat_month",
                )
            ]
        )
    p = vendor.pricing
    if p.model == "open_source":
        return 0.0
    rates = catalog.exchange_rates
    low, high = (
        rates.convert(p.low, p.currency, currency),
        rates.convert(p.high, p.currency, currency),
    )
    if low is None:
        raise ScenarioError(
            [Problem(file, f"no exchange rate from {p.currency} to {currency}", "platform.vendor")]
        )
    return low if low == high else Range(low=low, likely=low, high=high)


def _lever(b: Benefit, prefix: str) -> tuple[list[Param], Callable, str]:
    lever = getattr(b, b.source)
    names = list(type(lever).model_fields)
    params = [
        Param(f"{prefix}.{b.source}.{n}", f"{b.name}: {n.replace('_', ' ')}", getattr(lever, n))
        for n in names
    ]
    if b.source == "capacity_freed":
        return params, lambda s, c, t: s * c * t / 12, "staff x annual cost x time saved / 12"
    if b.source == "rework_avoided":
        return (
            params,
            lambda s, c, before, after: s * c * (before - after) / 12,
            "staff x annual cost x (rework before - after) / 12",
        )
    return (
        params,
        lambda d, fb, fa, hb, ha, cost: d * (fb * hb - fa * ha) * cost / 12,
        "deploys x (fail rate x recovery hours, before - after) x cost per hour / 12",
    )


def build_lines(
    s: Scenario, catalog: Catalog | None = None, file: str = "scenario"
) -> tuple[list[Line], list[Param]]:
    """Every cost and benefit stream of the scenario, and every number they depend on."""
    T = s.horizon_months
    lines: list[Line] = []
    params: list[Param] = []

    def add(kind, label, new_params, amount, profile, formula):
        params.extend(new_params)
        lines.append(Line(kind, label, tuple(p.path for p in new_params), amount, profile, formula))

    for i, r in enumerate(s.team):
        add(
            "cost",
            f"Team: {r.role}",
            [
                Param(f"team[{i}].count", f"{r.role}: head count", r.count),
                Param(f"team[{i}].annual_cost", f"{r.role}: annual cost", r.annual_cost),
            ],
            lambda n, c: n * c / 12,
            _active(r.start_month, r.end_month, T),
            "count x annual cost / 12, each active month",
        )
    for i, o in enumerate(s.one_off_costs):
        add(
            "cost",
            f"One-off: {o.name}",
            [Param(f"one_off_costs[{i}].amount", o.name, o.amount)],
            lambda a: a,
            _once(o.month, T),
            f"paid once in month {o.month}",
        )
    if s.platform is not None:
        p = s.platform
        price = platform_price(p, catalog, s.currency, file)
        name = p.vendor or "platform"
        add(
            "cost",
            f"Licence: {name}",
            [
                Param("platform.seats", f"{name}: seats", p.seats),
                Param("platform.price_per_seat_month", f"{name}: price per seat-month", price),
            ],
            lambda n, c: n * c,
            _active(p.start_month, p.end_month, T),
            "seats x price per seat-month, each active month",
        )
        if likely(p.setup_cost) > 0 or isinstance(p.setup_cost, Range):
            add(
                "cost",
                f"Setup: {name}",
                [Param("platform.setup_cost", f"{name}: setup", p.setup_cost)],
                lambda a: a,
                _once(p.start_month, T),
                f"paid once in month {p.start_month}",
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
            lambda n, c, share: n * c * share / 12,
            _active(d.start_month, d.start_month + d.months, T),
            f"people x annual cost x share lost / 12, for {d.months} months",
        )
    for i, b in enumerate(s.benefits):
        profile = _ramp(b.start_month, b.ramp_months, T)
        prefix = f"benefits[{i}]"
        if b.source == "annual_value":
            add(
                "benefit",
                b.name,
                [Param(f"{prefix}.annual_value", b.name, b.annual_value)],
                lambda v: v / 12,
                profile,
                "annual value / 12, ramped",
            )
        elif b.source == "drivers":
            drivers = [
                Param(f"{prefix}.drivers.{k}", f"{b.name}: {k.replace('_', ' ')}", v)
                for k, v in b.drivers.items()
            ]
            add(
                "benefit",
                b.name,
                drivers,
                lambda *xs: math.prod(xs) / 12,
                profile,
                f"{' x '.join(b.drivers)} / 12, ramped",
            )
        else:
            lever_params, amount, formula = _lever(b, prefix)
            add("benefit", b.name, lever_params, amount, profile, formula + ", ramped")
    return lines, params


def parameters(s: Scenario, catalog: Catalog | None = None) -> list[Param]:
    """Every number the result depends on, with its path, for ranges and the tornado."""
    return build_lines(s, catalog)[1]


# ---------------------------------------------------------------- deterministic result


@dataclass(frozen=True)
class MonthRow:
    month: int
    cost: float
    benefit: float
    net: float
    cumulative: float


@dataclass(frozen=True)
class LineTotal:
    kind: str
    label: str
    total: float
    present_value: float
    formula: str


@dataclass
class Simulation:
    runs: int
    seed: int
    npv_p10: float
    npv_p50: float
    npv_p90: float
    prob_loss: float
    payback_p10: int | None
    payback_p50: int | None
    payback_p90: int | None
    cumulative_p10: list[float]
    cumulative_p50: list[float]
    cumulative_p90: list[float]
    band_runs: int
    npv_samples: list[float] = field(repr=False, default_factory=list)


@dataclass(frozen=True)
class TornadoBar:
    path: str
    label: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_at_high - self.npv_at_low)


@dataclass
class RoiResult:
    name: str
    currency: str
    npv: float
    irr_annual: float | None
    irr_note: str
    payback_month: int | None
    roi: float | None
    total_cost: float
    total_benefit: float
    pv_cost: float
    pv_benefit: float
    break_even_share: float | None
    monthly_rate: float
    monthly: list[MonthRow]
    lines: list[LineTotal]
    simulation: Simulation | None = None
    tornado: list[TornadoBar] = field(default_factory=list)

    def to_json(self, samples: bool = False) -> dict:
        doc = asdict(self)
        doc["tornado"] = [{**asdict(t), "swing": t.swing} for t in self.tornado]
        if doc["simulation"] is not None and not samples:
            doc["simulation"].pop("npv_samples")
        return doc


def _values(params: list[Param], override: dict[str, float] | None = None) -> dict[str, float]:
    values = {p.path: likely(p.value) for p in params}
    values.update(override or {})
    return values


def _amounts(lines: list[Line], values: dict[str, np.ndarray | float], n: int) -> np.ndarray:
    """Monthly amount of each line for each of n draws: a (lines, n) matrix."""
    return np.vstack(
        [
            np.broadcast_to(np.asarray(ln.amount(*(values[p] for p in ln.params)), float), (n,))
            for ln in lines
        ]
    )


def _deterministic(lines: list[Line], params: list[Param], T: int, override=None):
    """Each line's monthly amount at likely values, and the cost and benefit flows they make."""
    if not lines:
        return np.zeros(0), np.zeros(T), np.zeros(T)
    amounts = _amounts(lines, _values(params, override), 1)[:, 0]
    profiles = np.vstack([ln.profile for ln in lines])
    is_cost = np.array([ln.kind == "cost" for ln in lines])
    return (amounts, amounts[is_cost] @ profiles[is_cost], amounts[~is_cost] @ profiles[~is_cost])


def _npv_of(lines, params, s: Scenario, override: dict[str, float]) -> float:
    _, cost, benefit = _deterministic(lines, params, s.horizon_months, override)
    return npv(s.discount_rate, benefit - cost)


def analyse(
    s: Scenario,
    catalog: Catalog | None = None,
    simulations: int = 0,
    seed: int = 0,
    file: str = "scenario",
    progress: Callable[[float], None] | None = None,
) -> RoiResult:
    """The whole ROI answer: deterministic flows from `likely`, tornado, optional Monte Carlo."""
    lines, params = build_lines(s, catalog, file)
    T = s.horizon_months
    amounts, cost, benefit = _deterministic(lines, params, T)
    net = benefit - cost
    disc = discount_factors(s.discount_rate, T)
    value = npv(s.discount_rate, net)
    total_cost, total_benefit = float(cost.sum()), float(benefit.sum())
    pv_cost, pv_benefit = float(cost @ disc), float(benefit @ disc)
    irr, irr_note = irr_annual(net)
    cumulative = np.cumsum(net)
    line_totals = []
    for ln, monthly in zip(lines, amounts.tolist(), strict=True):
        line_totals.append(
            LineTotal(
                ln.kind,
                ln.label,
                float(monthly * ln.profile.sum()),
                float(monthly * (ln.profile @ disc)),
                ln.formula,
            )
        )
    result = RoiResult(
        name=s.name,
        currency=s.currency,
        npv=value,
        irr_annual=irr,
        irr_note=irr_note,
        payback_month=payback_month(net),
        roi=(total_benefit - total_cost) / total_cost if total_cost > 0 else None,
        total_cost=total_cost,
        total_benefit=total_benefit,
        pv_cost=pv_cost,
        pv_benefit=pv_benefit,
        break_even_share=pv_cost / pv_benefit if pv_benefit > 0 else None,
        monthly_rate=monthly_rate(s.discount_rate),
        monthly=[
            MonthRow(m, float(cost[m]), float(benefit[m]), float(net[m]), float(cumulative[m]))
            for m in range(T)
        ],
        lines=line_totals,
        tornado=tornado(lines, params, s),
    )
    if simulations > 0:
        result.simulation = simulate(lines, params, s, simulations, seed, progress)
    return result


def tornado(lines, params, s: Scenario) -> list[TornadoBar]:
    """NPV with each uncertain number at its low and its high, the others at likely."""
    bars = []
    for p in params:
        if not p.uncertain:
            continue
        at_low = _npv_of(lines, params, s, {p.path: p.value.low})
        at_high = _npv_of(lines, params, s, {p.path: p.value.high})
        bars.append(TornadoBar(p.path, p.label, p.value.low, p.value.high, at_low, at_high))
    return sorted(bars, key=lambda b: -b.swing)


# ---------------------------------------------------------------- Monte Carlo


def sample(
    params: list[Param], runs: int, rng: np.random.Generator
) -> dict[str, np.ndarray | float]:
    """Triangular draws for every range (low, likely, high); fixed numbers stay scalars."""
    out: dict[str, np.ndarray | float] = {}
    for p in params:
        if p.uncertain:
            v = p.value
            out[p.path] = rng.triangular(v.low, v.likely, v.high, runs)
        else:
            out[p.path] = likely(p.value)
    return out


def _percentile_month(months: np.ndarray, q: float) -> int | None:
    value = np.percentile(months, q, method="inverted_cdf")
    return None if not np.isfinite(value) else int(value)


def simulate(
    lines,
    params,
    s: Scenario,
    runs: int,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> Simulation:
    """Monte Carlo over every range, in fixed blocks so a seed means the same draws anywhere.

    Work is laid out months x draws: one matrix product gives every month of every draw.
    The P10-P90 band of the cumulative curve comes from the first block of draws.
    """
    T = s.horizon_months
    disc = discount_factors(s.discount_rate, T)
    sign = np.array([-1.0 if ln.kind == "cost" else 1.0 for ln in lines])
    profiles = np.vstack([ln.profile for ln in lines]).T if lines else np.zeros((T, 0))
    rng = np.random.default_rng(seed)
    npvs, paybacks = [], []
    band = None
    done = 0
    while done < runs:
        n = min(CHUNK, runs - done)
        values = sample(params, n, rng)
        amounts = _amounts(lines, values, n) * sign[:, None] if lines else np.zeros((0, n))
        net = profiles @ amounts  # months x draws
        npvs.append(disc @ net)
        for month in range(1, T):  # cumulative in place: row adds beat np.cumsum here
            net[month] += net[month - 1]
        paid = net >= 0
        paybacks.append(np.where(paid.any(axis=0), paid.argmax(axis=0), np.inf))
        if band is None:
            band = np.percentile(net, [10, 50, 90], axis=1)
        done += n
        if progress:
            progress(done / runs)
    all_npv = np.concatenate(npvs)
    all_payback = np.concatenate(paybacks)
    p10, p50, p90 = np.percentile(all_npv, [10, 50, 90])
    return Simulation(
        runs=runs,
        seed=seed,
        npv_p10=float(p10),
        npv_p50=float(p50),
        npv_p90=float(p90),
        prob_loss=float(np.mean(all_npv < 0)),
        payback_p10=_percentile_month(all_payback, 10),
        payback_p50=_percentile_month(all_payback, 50),
        payback_p90=_percentile_month(all_payback, 90),
        cumulative_p10=band[0].tolist(),
        cumulative_p50=band[1].tolist(),
        cumulative_p90=band[2].tolist(),
        band_runs=min(runs, CHUNK),
        npv_samples=all_npv.tolist(),
    )


# ---------------------------------------------------------------- words


def short_money(amount: float, currency: str) -> str:
    """1.2M USD, 250.0k USD: money short enough for a sentence or a metric."""
    size = abs(amount)
    for bound, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= bound:
            return f"{amount / bound:,.1f}{suffix} {currency}"
    return f"{amount:,.0f} {currency}"


def summary(r: RoiResult, horizon_months: int) -> str:
    """The result in one paragraph a finance partner can check against the numbers."""
    years = horizon_months / 12
    span = f"{years:g} years" if horizon_months % 12 == 0 else f"{horizon_months} months"
    text = (
        f"Investing {short_money(r.total_cost, r.currency)} over {span} returns an NPV of "
        f"{short_money(r.npv, r.currency)}"
    )
    if r.simulation:
        sim = r.simulation
        low, high = short_money(sim.npv_p10, r.currency), short_money(sim.npv_p90, r.currency)
        text += f" (P10 {low}, P90 {high})"
    text += "; "
    text += (
        f"it pays back in month {r.payback_month}"
        if r.payback_month is not None
        else "it does not pay back within the horizon"
    )
    if r.simulation:
        text += (
            f"; there is a {r.simulation.prob_loss:.0%} chance it loses money "
            f"({r.simulation.runs:,} simulated futures)"
        )
    text += "."
    if r.break_even_share is not None and r.npv > 0:
        text += (
            f" Benefits could fall to {r.break_even_share:.0%} of the estimate before "
            "the NPV turns negative."
        )
    return text


# ---------------------------------------------------------------- numbers by path

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(i) if i else key for key, i in _STEP.findall(path)]


def get_path(data: dict, path: str):
    """The value at a parameter path such as `team[0].annual_cost`, from plain data."""
    node = data
    for step in _steps(path):
        node = node[step]
    return node


def with_range(data: dict, path: str, low: float, high: float) -> dict:
    """A copy of plain scenario data with the number at `path` turned into a range."""
    copy = json.loads(json.dumps(data))
    *parents, last = _steps(path)
    node = copy
    for step in parents:
        node = node[step]
    current = node[last]
    middle = current["likely"] if isinstance(current, dict) else current
    node[last] = {"low": low, "likely": middle, "high": high}
    return copy
