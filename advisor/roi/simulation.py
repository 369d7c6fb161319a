"""Monte Carlo over every range: triangular draws, NPV and payback percentiles.

Each ranged number is drawn from a triangular distribution (low, likely, high) in blocks of
`CHUNK` draws, so one seed gives the same futures in the app and the CLI. Work is laid out
months x draws: one matrix product gives every month of every draw, one more the present
values. Bounded: at most `MAX_RUNS` runs and `MAX_DRAWN` drawn numbers (runs x ranges).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from advisor.errors import Problem, ScenarioError
from advisor.money import discount_factors, likely, payback_from_cumulative
from advisor.roi.cashflows import Line, Param
from advisor.roi.schema import MAX_RUNS, MAX_SEED, Scenario

CHUNK = 10_000  # simulation draws per block: the same seed gives the same answer everywhere
MAX_DRAWN = 200_000_000  # runs x ranged numbers: about a minute of work at most


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
    irr_runs: int = 0
    irr_p10: float | None = None
    irr_p50: float | None = None
    irr_p90: float | None = None


def check_runs(runs: int, seed: int, ranged: int, file: str = "simulation") -> None:
    """Refuse a simulation beyond the caps, saying which cap and why."""
    problems = []
    if not 0 <= runs <= MAX_RUNS:
        problems.append(Problem(file, f"must be between 0 and {MAX_RUNS:,}", "simulations"))
    if not 0 <= seed <= MAX_SEED:
        problems.append(Problem(file, f"must be between 0 and {MAX_SEED}", "seed"))
    if not problems and runs * ranged > MAX_DRAWN:
        problems.append(
            Problem(
                file,
                f"{runs:,} runs x {ranged:,} ranged numbers is more than {MAX_DRAWN:,} draws; "
                f"use at most {MAX_DRAWN // max(ranged, 1):,} runs or fewer ranges",
                "simulations",
            )
        )
    if problems:
        raise ScenarioError(problems)


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
    lines: list[Line],
    params: list[Param],
    s: Scenario,
    runs: int,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    irr_runs: int = 0,
) -> Simulation:
    """Monte Carlo over every range; the P10-P90 band comes from the first block of draws,
    and IRR percentiles, when asked, from the first `irr_runs` draws (each IRR is a root
    search, so they are not taken over every draw)."""
    check_runs(runs, seed, sum(p.uncertain for p in params))
    T = s.horizon_months
    disc = discount_factors(s.discount_rate, T)
    sign = np.array([-1.0 if ln.kind == "cost" else 1.0 for ln in lines])
    profiles = np.vstack([ln.profile for ln in lines]).T if lines else np.zeros((T, 0))
    rng = np.random.default_rng(seed)
    npvs, paybacks = [], []
    band = None
    irrs: list[float] = []
    done = 0
    # OpenBLAS's own threads fight for the cores of a busy machine: one thread is faster here.
    with threadpool_limits(limits=1, user_api="blas"):
        while done < runs:
            n = min(CHUNK, runs - done)
            values = sample(params, n, rng)
            amounts = (
                np.vstack(
                    [np.broadcast_to(np.asarray(ln.amount(values), float), (n,)) for ln in lines]
                )
                if lines
                else np.zeros((0, n))
            )
            net = profiles @ (amounts * sign[:, None])  # months x draws
            npvs.append(disc @ net)
            if not irrs and irr_runs:
                from advisor.money import irr_annual

                found = (irr_annual(net[:, k])[0] for k in range(min(irr_runs, n)))
                irrs = [x for x in found if x is not None]
            for month in range(1, T):  # cumulative in place: row adds beat np.cumsum here
                net[month] += net[month - 1]
            paybacks.append(payback_from_cumulative(net))
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
        irr_runs=min(irr_runs, runs),
        **_irr_percentiles(irrs),
    )


def _irr_percentiles(irrs: list[float]) -> dict:
    if not irrs:
        return {}
    p10, p50, p90 = np.percentile(irrs, [10, 50, 90])
    return {"irr_p10": float(p10), "irr_p50": float(p50), "irr_p90": float(p90)}
