"""Scenario store and report speed (`make bench`): a report for the largest example under 1 s;
saving and listing with 10,000 versions stored stays under 50 ms a call on SQLite."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from advisor.catalog import load_catalog
from advisor.report import build_html
from advisor.scenario import load_scenario_file, scenario_to_yaml
from advisor.store import Store, versions

ROOT = Path(__file__).resolve().parent.parent
LARGEST = max((ROOT / "examples" / "scenarios").glob("*.yaml"), key=lambda p: len(p.read_text()))


def test_report_for_the_largest_example(benchmark):
    s, catalog = load_scenario_file(LARGEST), load_catalog()
    html = benchmark.pedantic(build_html, (s, catalog), rounds=5, warmup_rounds=1)
    assert "Recommendation" in html
    assert benchmark.stats.stats.median < 1, "target: under 1 s"


def test_save_and_list_with_10000_versions(benchmark, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'big.db'}")
    s = load_scenario_file(LARGEST)
    body = scenario_to_yaml(s)
    now = time.time()
    import datetime as dt

    rows = [
        {
            "name": f"scenario {i % 100}",
            "version": i // 100 + 1,
            "team": "t",
            "author": "a",
            "saved_at": dt.datetime.fromtimestamp(now, dt.UTC),
            "body": body,
        }
        for i in range(10_000)
    ]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(versions), rows)

    def save_and_list():
        store.save(s)
        return store.list()

    listed = benchmark.pedantic(save_and_list, rounds=20, warmup_rounds=2)
    assert len(listed) == 101
    assert benchmark.stats.stats.median < 0.05, "target: under 50 ms a call"
