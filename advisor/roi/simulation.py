"""Monte Carlo over every range: triangular draws, NPV and payback percentiles.

Each ranged number is drawn from a triangular distribution (low, likely, high) in blocks of
`CHUNK` draws, so one seed gives the same futures in the app and the CLI. Work is laid out
months x draws: one matrix product gives every month of every draw, one more the present
values. Bounded: at most `MAX_RUNS` runs and `MAX_DRAWN` drawn numbers (runs x ranges).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController

from advisor.errors import Problem, ScenarioError
from advisor.money import discount_factors, likely, payback_from_cumulative
from advisor.roi.cashflows import Line, Param
from advisor.roi.schema import MAX_RUNS, MAX_SEED, Scenario

CHUNK = 10_000  # simulation draws per block: the same seed gives the same answer everywhere
BAND_RUNS = 2_000  # draws behind the chart's P10-P90 band (its edges move < 1 percentile)
MAX_DRAWN = 200_000_000  # runs x ranged numbers: about a minute of work at most


@functools.cache
def _threadpools() -> ThreadpoolController:
    """The process's thread pools, found once (each search reads /proc/self/maps: 1 ms)."""
    return ThreadpoolController()


def _one_blas_thread():
    """OpenBLAS's own threads fight for the cores of a busy machine: one thread is faster."""
    return _threadpools().limit(limits=1, user_api="blas")


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
    # every run's NPV, in run order (read only; an array: a list of 100,000 floats cost
    # 2 ms to build and 5 ms more to copy for JSON, where it is left out)
    npv_samples: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
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


def _payback_percentiles(months: np.ndarray) -> dict[str, int | None]:
    """P10 / P50 / P90 payback months, each one of the simulated months (never a blend);
    None where that share of futures never pays back."""
    values = np.percentile(months, [10, 50, 90], method="inverted_cdf")
    return {
        f"payback_p{q}": int(v) if np.isfinite(v) else None
        for q, v in zip((10, 50, 90), values, strict=True)
    }


def simulate(
    lines: list[Line],
    params: list[Param],
    s: Scenario,
    runs: int,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    irr_runs: int = 0,
) -> Simulation:
    """Monte Carlo over every range; the P10-P90 band of the cumulative flow comes from the
    first `BAND_RUNS` draws (a chart's band: the percentiles of every draw cost 8 ms a rerun),
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
    with _one_blas_thread():
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
                band = np.percentile(net[:, :BAND_RUNS], [10, 50, 90], axis=1)
            done += n
            if progress:
                progress(done / runs)
    all_npv = np.concatenate(npvs)
    all_npv.flags.writeable = False
    all_payback = np.concatenate(paybacks)
    p10, p50, p90 = np.percentile(all_npv, [10, 50, 90])
    return Simulation(
        runs=runs,
        seed=seed,
        npv_p10=float(p10),
        npv_p50=float(p50),
        npv_p90=float(p90),
        prob_loss=float(np.mean(all_npv < 0)),
        **_payback_percentiles(all_payback),
        cumulative_p10=band[0].tolist(),
        cumulative_p50=band[1].tolist(),
        cumulative_p90=band[2].tolist(),
        band_runs=min(runs, BAND_RUNS),
        npv_samples=all_npv,
        irr_runs=min(irr_runs, runs),
        **_irr_percentiles(irrs),
    )


def _irr_percentiles(irrs: list[float]) -> dict:
    if not irrs:
        return {}
    p10, p50, p90 = np.percentile(irrs, [10, 50, 90])
    return {"irr_p10": float(p10), "irr_p50": float(p50), "irr_p90": float(p90)}
