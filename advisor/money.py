"""Numbers that may be ranges, and the finance formulas every money model here shares.

For net flows f_0 .. f_{T-1} by month and an annual rate r:
    monthly rate        i = (1 + r)^(1/12) - 1
    NPV                 = sum f_m / (1 + i)^m            (numpy_financial.npv: f_0 at t = 0)
    IRR (annual)        = (1 + i*)^12 - 1, where NPV at i* is 0   (numpy_financial.irr)
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


def irr_annual(flows: np.ndarray) -> tuple[float | None, str]:
    """Annualised IRR and a note; None (never NaN) where no meaningful rate makes NPV zero."""
    flows = np.asarray(flows, dtype=float)
    changes = sign_changes(flows)
    if changes == 0:
        return None, "undefined: the cash flows never change sign, so no rate makes NPV zero"
    try:
        monthly = float(npf.irr(flows))
    except (np.linalg.LinAlgError, ValueError):
        return None, "undefined: no rate could be found that makes NPV zero"
    if not math.isfinite(monthly) or monthly <= -1:
        return None, "undefined: no rate could be found that makes NPV zero"
    scale = max(1.0, float(np.abs(flows).sum()))
    if abs(npf.npv(monthly, flows)) > 1e-6 * scale:
        return None, "undefined: the rate found does not bring NPV to zero"
    annual = (1 + monthly) ** 12 - 1
    if changes == 1:
        return annual, ""
    if annual <= -0.99:
        return None, (
            f"undefined: the cash flows change sign {changes} times and the only rate found "
            f"({annual:.0%} a year) has no financial meaning; read MIRR instead"
        )
    return annual, (
        f"the cash flows change sign {changes} times, so several rates can make NPV zero; "
        "this is the one nearest zero. MIRR is the figure to read"
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
