"""Shares of a whole, rounded so they still add up: by largest remainder (Hamilton's method).

Rounded one by one, three equal shares read 33%, 33%, 33% and 0.5 / 0.3 / 0.2 of 7 can add
up to 101%. Here the whole units go first, then one more to each share with the largest
remainder until the total is met.

>>> whole_percentages({"ideation": 1, "development": 1, "deployment": 1})
{'ideation': 34, 'development': 33, 'deployment': 33}
"""

from __future__ import annotations

import math

UNIT = 2**14  # parts of one: exact binary fractions


def _largest_remainder(amounts: dict[str, float], units: int) -> dict[str, int]:
    """Whole units of the positive amounts' shares, handed out by largest remainder so that
    they add up to `units` (ties go to the first key)."""
    positive = {k: v for k, v in amounts.items() if v > 0}
    total = sum(positive.values())
    if total <= 0:
        return {}
    raw = {k: v / total * units for k, v in positive.items()}
    whole = {k: math.floor(x) for k, x in raw.items()}
    order = sorted(raw, key=lambda k: whole[k] - raw[k])  # stable: ties keep the key order
    for k in order[: units - sum(whole.values())]:
        whole[k] += 1
    return whole


def exact_shares(amounts: dict[str, float]) -> dict[str, float]:
    """Shares of the positive amounts in whole parts of 1/16,384, handed out by largest
    remainder. Each is a binary fraction a float holds exactly, so they add up to exactly
    1.0 in any order and by any method (Python's sum, math.fsum, a spreadsheet); a share in
    decimals (0.8571) is not exact in binary, and four of them can add up to 0.9999999999999999.
    The resolution, 0.000061, is finer than four decimals."""
    return {k: u / UNIT for k, u in _largest_remainder(amounts, UNIT).items() if u > 0}


def whole_percentages(weights: dict[str, float]) -> dict[str, int]:
    """Weights as whole percentages that add up to 100 (for words and the Advisor's
    sliders), by largest remainder."""
    return {k: v for k, v in _largest_remainder(weights, 100).items() if v > 0}
