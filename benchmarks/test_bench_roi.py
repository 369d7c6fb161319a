"""ROI Monte Carlo speed and memory: 100,000 scenarios over 60 months (`make bench`).

Targets (issue 3): under 0.3 s, within 3x of the bare numpy work of the same size (sampling
every range, then one matrix product to monthly flows and one to present value), and a peak
of under 500 MB.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from advisor.money import discount_factors
from advisor.roi import build_lines, scenario_from_dict, simulate

RUNS, MONTHS = 100_000, 60


def _range(low, likely, high):
    return {"low": low, "likely": likely, "high": high}


SCENARIO = scenario_from_dict(
    {
        "name": "Benchmark",
        "horizon_months": MONTHS,
        "discount_rate": 0.1,
        "team": [
            {
                "role": "Engineer",
                "count": _range(3, 4, 6),
                "annual_cost": _range(150e3, 170e3, 200e3),
            },
            {"role": "Analyst", "count": 1, "annual_cost": _range(110e3, 130e3, 150e3)},
        ],
        "one_off_costs": [{"name": "Hiring", "amount": _range(20e3, 40e3, 80e3), "month": 0}],
        "platform": {"seats": 150, "price_per_seat_month": _range(19, 39, 59)},
        "benefits": [
            {
                "name": "Retention",
                "start_month": 3,
                "ramp_months": 6,
                "drivers": {
                    "customers": 2000,
                    "revenue_per_customer": 12000,
                    "retention_gain": _range(0.01, 0.025, 0.04),
                },
            },
            {
                "name": "Capacity",
                "start_month": 6,
                "ramp_months": 6,
                "capacity_freed": {
                    "staff": 150,
                    "annual_cost": 150e3,
                    "time_saved": _range(0.005, 0.01, 0.02),
                },
            },
        ],
    }
)
LINES, PARAMS, _ = build_lines(SCENARIO)


def bare_numpy():
    """The floor: the same draws, monthly flows as one product, present value as another."""
    rng = np.random.default_rng(0)
    uncertain = [p for p in PARAMS if p.uncertain]
    amounts = np.vstack(
        [rng.triangular(p.value.low, p.value.likely, p.value.high, RUNS) for p in uncertain]
    )
    profiles = np.ones((MONTHS, len(uncertain)))
    flows = profiles @ amounts  # months x draws, the faster layout
    return discount_factors(0.1, MONTHS) @ flows


def full():
    return simulate(LINES, PARAMS, SCENARIO, RUNS, seed=0)


def test_simulation_100k_x_60(benchmark):
    result = benchmark.pedantic(full, rounds=7, warmup_rounds=1)
    assert result.runs == RUNS


def test_bare_numpy_same_size(benchmark):
    benchmark.pedantic(bare_numpy, rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="memory")
def test_peak_memory_under_500_mb():
    tracemalloc.start()
    full()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\npeak traced memory: {peak / 2**20:.0f} MiB")
    assert peak < 500 * 2**20
