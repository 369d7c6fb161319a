"""Advisor speed: scoring a 1,000-vendor catalog, and the page's rerun after one answer.

Run with `make bench`. Targets (issue 2): scoring under 50 ms; the rerun within 3x of a
minimal page holding the same widgets.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from advisor.answers import Answers
from advisor.catalog import load_catalog
from advisor.scoring import recommend

ROOT = Path(__file__).resolve().parent.parent


def big_catalog(n: int = 1000):
    """The bundled catalog with its vendors repeated, renamed and shifted, up to n vendors."""
    base = load_catalog()
    vendors = []
    for i, v in zip(range(n), itertools.cycle(base.vendors), strict=False):
        stages = {
            loc: round((v.stages.get(loc) + (i % 7) / 10) % 1, 2)
            for loc in ("ideation", "development", "deployment", "operations", "support")
        }
        vendors.append(
            v.model_copy(
                update={
                    "id": f"{v.id}-{i}",
                    "name": f"{v.name} {i}",
                    "stages": v.stages.model_copy(update=stages),
                }
            )
        )
    return base.model_copy(update={"vendors": vendors})


ANSWERS = Answers(
    engineers=150, budget_per_year=150000, bottlenecks={"development": 0.7, "deployment": 0.3}
)


def test_scoring_1000_vendors(benchmark):
    catalog = big_catalog()
    result = benchmark(recommend, ANSWERS, catalog)
    assert len(result.vendors) == 1000
    assert benchmark.stats.stats.median < 0.05, "target: under 50 ms"


def _rerun(at: AppTest, key: str):
    # A new value every round, so no cache anywhere can answer from an earlier run.
    values = itertools.cycle(range(1, 100))

    def one():
        at.slider(key=key).set_value(next(values)).run()
        assert not at.exception

    return one


@pytest.fixture
def advisor_app():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    return at


def test_advisor_page_rerun(benchmark, advisor_app):
    benchmark.pedantic(_rerun(advisor_app, "q_bn_development"), rounds=30, warmup_rounds=3)


def test_minimal_page_rerun(benchmark):
    at = AppTest.from_file(str(ROOT / "benchmarks" / "minimal_page.py"), default_timeout=30).run()
    benchmark.pedantic(_rerun(at, "q_bn_development"), rounds=30, warmup_rounds=3)
