"""The deterministic ROI answer, the tornado, and build versus buy.

Per month m: cost_m = sum of cost lines, benefit_m = sum of benefit lines, net_m =
benefit_m - cost_m. NPV, IRR, MIRR and payback follow `advisor.money`; then
    ROI                 = (total benefit - total cost) / total cost   (undiscounted)
    break-even share    = PV(costs) / PV(benefits): how far benefits may fall before NPV < 0
    tornado bar         = NPV with one range at its low and at its high, the rest at likely;
                          each is NPV + (line amount at that end - at likely) x PV of its
                          profile, one evaluation per ranged number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from advisor.catalog import Catalog
from advisor.money import (
    discount_factors,
    discounted_payback_month,
    irr_annual,
    likely,
    mirr_annual,
    monthly_rate,
    npv,
    payback_month,
    sign_changes,
)
from advisor.roi.build_buy import BuildBuyResult, compare
from advisor.roi.cashflows import Line, Param, build_lines
from advisor.roi.schema import Scenario
from advisor.roi.simulation import Simulation, simulate
from advisor.wording import money, short_money


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
    monthly: float
    months: float
    total: float
    present_value: float
    formula: str
    working: str


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
    mirr_annual: float | None
    mirr_note: str
    sign_changes: int
    payback_month: int | None
    discounted_payback_month: int | None
    roi: float | None
    total_cost: float
    total_benefit: float
    pv_cost: float
    pv_benefit: float
    break_even_share: float | None
    monthly_rate: float
    monthly: list[MonthRow]
    lines: list[LineTotal]
    warnings: list[str] = field(default_factory=list)
    price_basis: str | None = None
    simulation: Simulation | None = None
    tornado: list[TornadoBar] = field(default_factory=list)
    build_vs_buy: BuildBuyResult | None = None

    @property
    def lead_rate(self) -> str:
        """Which rate of return to lead with: MIRR where the flows change sign more than once."""
        return "mirr" if self.sign_changes > 1 else "irr"

    def to_json(self, samples: bool = False) -> dict:
        doc = asdict(self)
        doc["tornado"] = [{**asdict(t), "swing": t.swing} for t in self.tornado]
        if doc["simulation"] is not None:
            drawn = doc["simulation"].pop("npv_samples")
            if samples:
                doc["simulation"]["npv_samples"] = drawn.tolist()
        return doc


def values_at(params: list[Param], override: dict[str, float] | None = None) -> dict[str, float]:
    values = {p.path: likely(p.value) for p in params}
    values.update(override or {})
    return values


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or x == int(x) else f"{x:,.4g}"


def _working(line: Line, values: dict[str, float], amount: float, currency: str) -> str:
    """The formula with this scenario's numbers in it."""
    numbers = ", ".join(
        f"{n.replace('_', ' ')} {_number(values[p])}"
        for n, p in zip(line.names, line.params, strict=True)
    )
    months = float(line.profile.sum())
    if months == 1 and line.profile.max() == 1:
        return f"{numbers} -> {money(amount, currency)} once"
    span = f"{months:g} month{'s' if months != 1 else ''}"
    if line.profile.max() == 1 and np.all((line.profile == 0) | (line.profile == 1)):
        how = f"x {span}"
    else:
        how = f"x {span} of full value (ramp included)"
    return (
        f"{numbers} -> {money(amount, currency)} a month {how} = {money(amount * months, currency)}"
    )


def _flows(lines: list[Line], amounts: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray]:
    if not lines:
        return np.zeros(T), np.zeros(T)
    profiles = np.vstack([ln.profile for ln in lines])
    is_cost = np.array([ln.kind == "cost" for ln in lines])
    return amounts[is_cost] @ profiles[is_cost], amounts[~is_cost] @ profiles[~is_cost]


def scenario_warnings(s: Scenario) -> list[str]:
    """Inputs that are valid but unusual enough to be a typo."""
    out = []
    if s.discount_rate < 0:
        out.append(
            f"The discount rate is negative ({s.discount_rate:.1%} a year): later money is "
            "worth more than money now. Check it is meant."
        )
    elif s.discount_rate > 1:
        out.append(
            f"The discount rate is above 100% a year ({s.discount_rate:.0%}). Check it is "
            "a share (0.10 = 10%), not a percentage."
        )
    T = s.horizon_months
    dip = s.productivity_dip
    if dip is not None and dip.start_month + dip.months > T:
        out.append(
            f"The productivity dip runs to month {dip.start_month + dip.months}, past the "
            f"horizon of {T} months; only the months inside the horizon are counted."
        )
    for b in s.benefits:
        if b.start_month >= T:
            out.append(f"The benefit {b.name!r} starts after the horizon: it adds nothing.")
    for r in s.team:
        if r.start_month >= T:
            out.append(f"The role {r.role!r} starts after the horizon: it costs nothing.")
    return out


def analyse(
    s: Scenario,
    catalog: Catalog | None = None,
    simulations: int | None = None,
    seed: int | None = None,
    file: str = "scenario",
    progress: Callable[[float], None] | None = None,
    irr_runs: int = 0,
) -> RoiResult:
    """The whole ROI answer: deterministic flows from `likely`, tornado, optional Monte Carlo.

    The simulation draws `s.simulation.runs` futures from `s.simulation.seed` (the scenario's
    settings, so every place that shows its P10 / P50 / P90 shows the same), unless
    `simulations` or `seed` is given (the CLI's `--simulations`, `--seed`); 0 runs: none.
    """
    if simulations is None:
        simulations = s.simulation.runs
    if seed is None:
        seed = s.simulation.seed
    lines, params, price_basis = build_lines(s, catalog, file)
    T = s.horizon_months
    values = values_at(params)
    amounts = np.array([float(ln.amount(values)) for ln in lines])
    cost, benefit = _flows(lines, amounts, T)
    net = benefit - cost
    disc = discount_factors(s.discount_rate, T)
    total_cost, total_benefit = float(cost.sum()), float(benefit.sum())
    pv_cost, pv_benefit = float(cost @ disc), float(benefit @ disc)
    irr, irr_note = irr_annual(net)
    mirr, mirr_note = mirr_annual(net, s.discount_rate)
    cumulative = np.cumsum(net)
    line_totals = [
        LineTotal(
            ln.kind,
            ln.label,
            float(a),
            float(ln.profile.sum()),
            float(a * ln.profile.sum()),
            float(a * (ln.profile @ disc)),
            ln.formula,
            _working(ln, values, float(a), s.currency),
        )
        for ln, a in zip(lines, amounts, strict=True)
    ]
    result = RoiResult(
        name=s.name,
        currency=s.currency,
        npv=npv(s.discount_rate, net),
        irr_annual=irr,
        irr_note=irr_note,
        mirr_annual=mirr,
        mirr_note=mirr_note,
        sign_changes=sign_changes(net),
        payback_month=payback_month(net),
        discounted_payback_month=discounted_payback_month(net, s.discount_rate),
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
        warnings=scenario_warnings(s),
        price_basis=price_basis,
        tornado=tornado(lines, params, amounts, disc, values),
    )
    if s.build_vs_buy is not None:
        result.build_vs_buy = compare(s, s.build_vs_buy, catalog, file)
    if simulations > 0:
        result.simulation = simulate(lines, params, s, simulations, seed, progress, irr_runs)
    return result


def tornado(
    lines: list[Line],
    params: list[Param],
    amounts: np.ndarray,
    disc: np.ndarray,
    values: dict[str, float],
) -> list[TornadoBar]:
    """NPV with each uncertain number at its low and its high, the others at likely."""
    base = sum(
        (1 if ln.kind == "benefit" else -1) * a * float(ln.profile @ disc)
        for ln, a in zip(lines, amounts, strict=True)
    )
    owner = {path: i for i, ln in enumerate(lines) for path in ln.params}
    bars = []
    for p in params:
        if not p.uncertain:
            continue
        i = owner[p.path]
        line = lines[i]
        weight = (1 if line.kind == "benefit" else -1) * float(line.profile @ disc)
        ends = []
        for end in (p.value.low, p.value.high):
            moved = float(line.amount({**values, p.path: end}))
            ends.append(float(base + (moved - amounts[i]) * weight))
        bars.append(TornadoBar(p.path, p.label, p.value.low, p.value.high, ends[0], ends[1]))
    return sorted(bars, key=lambda b: -b.swing)


def _months(m: int | None) -> str:
    return "does not pay back within the horizon" if m is None else f"pays back in month {m}"


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
    text += f"; it {_months(r.payback_month)}"
    if r.payback_month is not None and r.discounted_payback_month != r.payback_month:
        text += (
            f" (discounted: month {r.discounted_payback_month})"
            if r.discounted_payback_month is not None
            else " (not within the horizon once discounted)"
        )
    if r.simulation:
        text += (
            f"; in {r.simulation.prob_loss:.1%} of {r.simulation.runs:,} simulated futures "
            "it loses money"
        )
    text += "."
    if r.break_even_share is not None and r.npv > 0:
        text += (
            f" Benefits could fall to {r.break_even_share:.0%} of the estimate before "
            "the NPV turns negative."
        )
    if r.price_basis:
        text += f" Licence priced at {r.price_basis}."
    return text
