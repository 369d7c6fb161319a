"""One named function per monthly amount: the formulas behind every cost and benefit line.

Each takes the line's numbers by name (never by position) and works on floats or on numpy
arrays of simulated draws alike. Amounts are per month; annual figures are divided by 12.
"""

from __future__ import annotations

import math

import numpy as np

Number = float | np.ndarray


def team(count: Number, annual_cost: Number) -> Number:
    """count x annual cost / 12"""
    return count * annual_cost / 12


def one_off(amount: Number) -> Number:
    """amount, once"""
    return amount


def licence(seats: Number, price_per_seat_month: Number) -> Number:
    """seats x price per seat-month"""
    return seats * price_per_seat_month


def setup(setup_cost: Number) -> Number:
    """setup cost, once"""
    return setup_cost


def productivity_dip(people: Number, annual_cost: Number, share_lost: Number) -> Number:
    """people x annual cost x share lost / 12"""
    return people * annual_cost * share_lost / 12


def annual_value(annual_value: Number) -> Number:
    """annual value / 12"""
    return annual_value / 12


def drivers(**factors: Number) -> Number:
    """product of the drivers / 12"""
    return math.prod(factors.values()) / 12


def capacity_freed(staff: Number, annual_cost: Number, time_saved: Number) -> Number:
    """staff x annual cost x time saved / 12"""
    return staff * annual_cost * time_saved / 12


def downtime_avoided(
    deploys_per_year_before: Number,
    deploys_per_year_after: Number,
    change_fail_rate_before: Number,
    change_fail_rate_after: Number,
    recovery_hours_before: Number,
    recovery_hours_after: Number,
    cost_per_hour: Number,
) -> Number:
    """(deploys x change fail rate x hours to restore, before - after) x cost per hour / 12"""
    before = deploys_per_year_before * change_fail_rate_before * recovery_hours_before
    after = deploys_per_year_after * change_fail_rate_after * recovery_hours_after
    return (before - after) * cost_per_hour / 12


def rework_avoided(
    staff: Number, annual_cost: Number, rework_share_before: Number, rework_share_after: Number
) -> Number:
    """staff x annual cost x (rework share before - after) / 12"""
    return staff * annual_cost * (rework_share_before - rework_share_after) / 12


LEVER_FUNCTIONS = {
    "capacity_freed": capacity_freed,
    "downtime_avoided": downtime_avoided,
    "rework_avoided": rework_avoided,
}
