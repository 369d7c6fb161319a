"""Numbers that may be ranges, and the finance formulas every money model here shares.

For net flows f_0 .. f_{T-1} by month and an annual rate r:
    monthly rate        i = (1 + r)^(1/12) - 1
    NPV                 = sum f_m / (1 + i)^m            (numpy_financial.npv: f_0 at t = 0)
    IRR (annual)        = (1 + i*)^12 - 1, where NPV at i* is 0   (numpy_financial.irr where
                          the flows change sign once; else every root in IRR_BRACKET, irr_roots)
    MIRR (annual)       = (1 + numpy_financial.mirr(f, i, i))^12 - 1
    payback month       = the first m from which sum_{k<=m} f_k stays >= 0 to the end, after
                          having been below zero; 0 if it never is below zero; None if it
                          ends below zero. Discounted payback: the same on f_m / (1 + i)^m.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import numpy_financial as npf
from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

from advisor.base import MAX_AMOUNT

CENT = 0.005  # a cumulative within half a cent of zero is zero


class Range(BaseModel):
    """A leader's estimate as a range; deterministic results use `likely`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float
    likely: float
    high: float


RANGE_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {
            "type": "object",
            "properties": {k: {"type": "number"} for k in ("low", "likely", "high")},
            "required": ["low", "likely", "high"],
            "additionalProperties": False,
        },
    ]
}


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false")
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            if len(value) > 40:
                raise ValueError(f"expected a number, got text of {len(value)} characters")
            number = float(value.replace(",", "").strip())
        else:
            raise ValueError(
                f"expected a number or {{low, likely, high}}, got {type(value).__name__}"
            )
    except OverflowError:
        raise ValueError(f"must be at most {MAX_AMOUNT:g}") from None
    except ValueError as exc:
        if str(exc).startswith("expected"):
            raise
        raise ValueError(f"expected a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


def _bounded(minimum: float | None, maximum: float | None):
    def check(value: Any) -> float | Range:
        if isinstance(value, Range):
            value = value.model_dump()
        if isinstance(value, dict):
            unknown = set(value) - {"low", "likely", "high"}
            missing = {"low", "likely", "high"} - set(value)
            if unknown or missing:
                raise ValueError("a range needs exactly low, likely and high")
            parts = {k: _to_number(value[k]) for k in ("low", "likely", "high")}
            if parts["low"] > parts["likely"]:
                raise ValueError(f"low ({parts['low']:g}) is above likely ({parts['likely']:g})")
            if parts["likely"] > parts["high"]:
                raise ValueError(f"likely ({parts['likely']:g}) is above high ({parts['high']:g})")
            for name, number in parts.items():
                _check_bounds(number, minimum, maximum, f"{name} ")
            return Range(**parts)
        number = _to_number(value)
        _check_bounds(number, minimum, maximum, "")
        return number

    return check


def _check_bounds(number: float, minimum: float | None, maximum: float | None, what: str) -> None:
    if minimum is not None and number < minimum:
        raise ValueError(f"{what}must be at least {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{what}must be at most {maximum:g}, got {number:g}")


def _serialize(value: float | Range) -> float | dict:
    return value.model_dump() if isinstance(value, Range) else value


def number(minimum: float | None = -MAX_AMOUNT, maximum: float | None = MAX_AMOUNT):
    """A field that holds a number or a {low, likely, high} range, each bound checked."""
    return Annotated[
        float | Range,
        PlainValidator(_bounded(minimum, maximum)),
        PlainSerializer(_serialize),
        WithJsonSchema(RANGE_SCHEMA),
    ]


Num = number()
NonNeg = number(0)
Share = number(0, 1)


def likely(value: float | Range) -> float:
    return value.likely if isinstance(value, Range) else float(value)


def monthly_rate(annual: float) -> float:
    """Monthly rate equivalent to an annual rate: (1 + annual)^(1/12) - 1."""
    return (1 + annual) ** (1 / 12) - 1


def discount_factors(annual: float, months: int) -> np.ndarray:
    """Factors that turn month 0..months-1 flows into present value (month 0 undiscounted)."""
    return (1 + monthly_rate(annual)) ** -np.arange(months, dtype=float)


def npv(annual_rate: float, flows: np.ndarray) -> float:
    """NPV with the first flow at t = 0 (numpy-financial's convention, not a spreadsheet's)."""
    return float(npf.npv(monthly_rate(annual_rate), np.asarray(flows, dtype=float)))


def payback_from_cumulative(cumulative: np.ndarray) -> np.ndarray:
    """Payback month of each column of cumulative flows (months x scenarios); inf: none.

    The month after the last one below zero (to the cent); 0 when none is below zero.
    """
    below = np.asarray(cumulative) < -CENT
    T = below.shape[0]
    last = T - 1 - np.argmax(below[::-1], axis=0)
    months = np.where(below.any(axis=0), last + 1, 0).astype(float)
    return np.where(months >= T, np.inf, months)


def payback_month(flows: np.ndarray) -> int | None:
    """First month from which the cumulative flow stays >= 0 (to the cent) to the end.

    0 when the cumulative is never below zero; None when it ends below zero.
    """
    cumulative = np.cumsum(np.asarray(flows, dtype=float))[:, None]
    month = float(payback_from_cumulative(cumulative)[0])
    return None if month == np.inf else int(month)


def discounted_payback_month(flows: np.ndarray, annual_rate: float) -> int | None:
    """The payback rule applied to present values of the flows."""
    flows = np.asarray(flows, dtype=float)
    return payback_month(flows * discount_factors(annual_rate, len(flows)))


def sign_changes(flows: np.ndarray) -> int:
    signs = np.sign(np.asarray(flows, dtype=float))
    signs = signs[signs != 0]
    return int(np.count_nonzero(np.diff(signs)))


IRR_BRACKET = (-0.99, 10.0)  # monthly rates searched for IRRs: -99% to +1,000% a month
IRR_GRID = 1_000  # points of that bracket (even in log(1 + rate)) where NPV's sign is read


def irr_roots(flows: np.ndarray) -> list[float]:
    """Every monthly rate r in IRR_BRACKET at which NPV(r) = sum f_t / (1 + r)^t is zero,
    ascending: NPV's sign is read on IRR_GRID points, and each change of sign is refined by
    scipy.optimize.brentq. numpy-financial's irr gives one candidate of the polynomial's
    roots, not always a real one (it may not bring NPV to zero); this finds each real one.
    NPV is scaled by (1 + r)^T where r < 0, which keeps its sign and its roots, so no term
    overflows for any horizon. Two roots closer than a grid step would be missed.

    >>> [round(r, 4) for r in irr_roots([-50, -100, 600, 300, -100])]
    [-0.7689, 1.8544]
    """
    from scipy.optimize import brentq

    f = np.asarray(flows, dtype=float)
    t = np.arange(len(f), dtype=float)
    last = t[-1] if len(t) else 0.0

    def scaled(log_rate: np.ndarray | float) -> np.ndarray:
        g = np.atleast_1d(np.asarray(log_rate, dtype=float))[:, None]
        exponent = np.where(g < 0, (last - t) * g, -t * g)  # every term at most |f_t|
        return (f * np.exp(exponent)).sum(axis=1)

    low, high = np.log1p(IRR_BRACKET[0]), np.log1p(IRR_BRACKET[1])
    grid = np.linspace(low, high, IRR_GRID)
    values = scaled(grid)
    scale = max(1.0, float(np.abs(f).sum()))
    roots = [float(g) for g, v in zip(grid, values, strict=True) if abs(v) <= 1e-12 * scale]
    for k in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        roots.append(brentq(lambda g: float(scaled(g)[0]), grid[k], grid[k + 1], xtol=1e-14))
    # Roots closer than a grid step, or where NPV only touches zero, show no change of sign:
    # the polynomial's own roots (numpy.roots on x = 1 / (1 + r)) are checked as well.
    if len(f) > 1 and np.any(f):
        with np.errstate(all="ignore"):
            candidates = np.roots(f[::-1])  # highest power first: f_T x^T + ... + f_0
        for x in candidates:
            if abs(x.imag) > 1e-6 * max(1.0, abs(x)) or x.real <= 0:
                continue
            g = -np.log(x.real)
            if low <= g <= high and abs(float(scaled(g)[0])) <= 1e-9 * scale:
                roots.append(float(g))
    found = sorted(float(np.expm1(g)) for g in roots)
    distinct = [r for i, r in enumerate(found) if i == 0 or r - found[i - 1] > 1e-7]
    return [round(r, 12) + 0.0 for r in distinct]  # + 0.0: no "-0.0"


def _annual(monthly: float) -> float:
    return (1 + monthly) ** 12 - 1


def _percent(rate: float) -> str:
    """`-100%`, `12.5%`, `29,255,603%`."""
    return (f"{rate:,.1%}" if abs(rate) < 100 else f"{rate:,.0%}").replace(".0%", "%")


def irr_annual(flows: np.ndarray) -> tuple[float | None, str]:
    """Annualised IRR and a note; None (never NaN) where no one meaningful rate makes NPV
    zero. Where the flows change sign once there is exactly one rate above -100% (Descartes'
    rule of signs): numpy-financial's, checked, else the one irr_roots finds. Where they
    change sign more than once, every rate in IRR_BRACKET is looked for: one is given with
    a note that MIRR comes first; several, or none, give None and the same pointer."""
    flows = np.asarray(flows, dtype=float)
    changes = sign_changes(flows)
    if changes == 0:
        return None, "undefined: the cash flows never change sign, so no rate makes NPV zero"
    monthly = None
    if changes == 1:
        try:
            candidate = float(npf.irr(flows))
        except (np.linalg.LinAlgError, ValueError):
            candidate = math.nan
        scale = max(1.0, float(np.abs(flows).sum()))
        real = math.isfinite(candidate) and candidate > -1
        if real and abs(npf.npv(candidate, flows)) <= 1e-6 * scale:
            monthly = candidate
    roots = [monthly] if monthly is not None else irr_roots(flows)
    lo, hi = (_percent(x) for x in IRR_BRACKET)
    if not roots:
        return None, (
            f"undefined: no rate from {lo} to {hi} a month makes NPV zero"
            + (
                f" (the cash flows change sign {changes} times); read MIRR instead"
                if changes > 1
                else ""
            )
        )
    if len(roots) > 1:
        monthly = " and ".join(_percent(r) for r in roots)
        annual = " and ".join(_percent(_annual(r)) for r in roots)
        return None, (
            f"undefined: the cash flows change sign {changes} times and {len(roots)} rates make "
            f"NPV zero ({monthly} a month: {annual} a year), so no one rate is the IRR; read "
            "MIRR instead"
        )
    annual = _annual(roots[0])
    if changes == 1:
        return annual, ""
    if annual <= -0.99:
        return None, (
            f"undefined: the cash flows change sign {changes} times and the only rate that makes "
            f"NPV zero ({_percent(annual)} a year) has no financial meaning; read MIRR instead"
        )
    return annual, (
        f"the cash flows change sign {changes} times; this is the only rate from {lo} to {hi} a "
        "month that makes NPV zero, but MIRR is the figure to read"
    )


def mirr_annual(flows: np.ndarray, annual_rate: float) -> tuple[float | None, str]:
    """Annualised MIRR with finance and reinvestment rate = the discount rate."""
    flows = np.asarray(flows, dtype=float)
    if not (flows > 0).any() or not (flows < 0).any():
        return None, "undefined: MIRR needs both money out and money in"
    i = monthly_rate(annual_rate)
    with np.errstate(all="ignore"):
        monthly = float(npf.mirr(flows, i, i))
    if not math.isfinite(monthly):
        return None, "undefined: MIRR could not be computed for these flows"
    return (1 + monthly) ** 12 - 1, (
        "modified IRR: money out financed and money in reinvested at the discount rate"
    )
