"""Cost of delay speed (`make bench`): 10,000 items ranked and costed (target < 100 ms),
the exact order search at its size limit (20 items), and the local search on a large
mixed backlog (it stops at its stated 2 s limit)."""

from __future__ import annotations

import random

from advisor.delay import EXACT_LIMIT, Backlog, Item, analyse, best_order


def backlog(n: int, mixed: bool, seed: int = 1) -> Backlog:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        urgency = (
            rng.choice(["standard", "short_life", "fixed_date", "intangible"])
            if mixed
            else "standard"
        )
        items.append(
            Item(
                id=f"item-{i}",
                name=f"Item {i}",
                cost_of_delay_per_week=rng.randint(100, 50000),
                duration_weeks=rng.randint(1, 12),
                urgency=urgency,
                deadline_week=rng.randint(1, 20 * max(1, n // 10))
                if urgency == "fixed_date"
                else None,
                life_weeks=rng.randint(2, 52) if urgency == "short_life" else None,
                wsjf={
                    "business_value": rng.choice([1, 2, 3, 5, 8, 13, 20]),
                    "time_criticality": rng.choice([1, 2, 3, 5, 8, 13, 20]),
                    "risk_reduction": rng.choice([1, 2, 3, 5, 8, 13, 20]),
                    "job_size": rng.choice([1, 2, 3, 5, 8, 13, 20]),
                },
            )
        )
    return Backlog(items=items)


def test_rank_and_cost_10000_standard_items(benchmark):
    b = backlog(10_000, mixed=False)
    result = benchmark(analyse, b)
    assert len(result.cd3_order) == 10_000
    assert benchmark.stats.stats.median < 0.1, "target: under 100 ms"


def test_exact_search_at_its_limit(benchmark):
    b = backlog(EXACT_LIMIT, mixed=True)
    result = benchmark.pedantic(best_order, (b.items,), rounds=3, warmup_rounds=1)
    assert "exact" in result.method
    assert benchmark.stats.stats.median < 1, "target: under 1 s"


def test_local_search_on_10000_mixed_items(benchmark):
    b = backlog(10_000, mixed=True)
    result = benchmark.pedantic(best_order, (b.items,), rounds=3, warmup_rounds=1)
    assert "local search" in result.method
