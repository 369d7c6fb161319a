"""Numbers that may be ranges, and the finance helpers every money model here shares."""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import numpy_financial as npf
from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema


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
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number or {{low, likely, high}}, got {type(value).__name__}")
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


def number(minimum: float | None = None, maximum: float | None = None):
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


def payback_month(flows: np.ndarray) -> int | None:
    """First month whose cumulative net flow is >= 0; None when it never is."""
    cumulative = np.cumsum(flows)
    hits = np.flatnonzero(cumulative >= 0)
    return int(hits[0]) if hits.size else None


def irr_annual(flows: np.ndarray) -> tuple[float | None, str]:
    """Annualised IRR and a note; None (never NaN) where no rate makes NPV zero."""
    flows = np.asarray(flows, dtype=float)
    signs = np.sign(flows[flows != 0])
    changes = int(np.count_nonzero(np.diff(signs)))
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
    note = (
        ""
        if changes == 1
        else (
            f"the cash flows change sign {changes} times, so other rates may also make NPV zero; "
            "this is the one nearest zero"
        )
    )
    return (1 + monthly) ** 12 - 1, note
