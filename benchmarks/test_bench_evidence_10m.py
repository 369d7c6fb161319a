"""Evidence for a large organisation (`make bench`): the sample generator at ten times the
million-row benchmark (25 teams of 50,000 items: 11.4 million transition rows, 1.0 GB of
CSV, written once to a cached folder under the system's temp folder), through `python -m
advisor evidence FILE --json` as a whole process, against DuckDB computing the same core
figures in SQL from the same file (benchmarks/duckdb_evidence.py) as a whole process.

Checks that the figures agree (items, transitions, items finished, the median flow time,
time in each status, the bottleneck's weights and its top stage, weekly throughput), then
the targets: the product within 1.2x DuckDB's time, and under 1 GB peak resident memory
(each process's own maximum resident size, from wait4). Two interleaved rounds; the median
time and the largest peak of each side are compared.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "platform-advisor-bench-10m"
ROUNDS = 2
TIME_RATIO = 1.2
PEAK_MB = 1024


@pytest.fixture(scope="module")
def big() -> Path:
    path = CACHE / "transitions.csv"
    if not path.is_file():  # a process of its own: generating takes about 4.5 GB for a while
        subprocess.run([sys.executable, __file__, str(CACHE)], check=True, cwd=ROOT)
    return path


def write_files(folder: Path) -> None:
    from advisor.evidence.sample import generate, write

    write(generate("release", seed=1, teams=25, items_per_team=50_000), folder)


def _run(args: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one whole process, its stdout to `out`."""
    start = time.perf_counter()
    with out.open("wb") as sink:
        child = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, stdout=sink, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, child.stderr.read().decode()
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def _agree(doc: dict, sql: dict) -> None:
    """The product's figures and DuckDB's, equal to rounding (the JSON keeps 12 digits)."""
    counts = doc["counts"]
    assert (counts["items"], counts["transitions"], counts["finished"]) == (
        sql["items"],
        sql["transitions"],
        sql["finished"],
    )
    assert doc["flow"]["flow_time_days"]["median"] == pytest.approx(
        sql["flow_time_median_days"], abs=1e-9
    )
    in_status = doc["sei"]["time_in_status_days"]
    for status, visits, median, total in sql["time_in_status"]:
        assert in_status[status]["visits"] == visits
        assert in_status[status]["median"] == pytest.approx(median, abs=1e-9)
        assert in_status[status]["total"] == pytest.approx(total, rel=1e-9)
    assert doc["bottleneck_detail"]["top"] == sql["bottleneck_top"]
    for stage, weight in sql["bottleneck_weights"].items():  # shares in 1/16,384ths
        assert doc["bottlenecks"][stage] == pytest.approx(weight, abs=1 / 16_384)
    series = doc["flow"]["velocity_per_week"]["series"]
    assert {w: int(n) for w, n in series.items() if n} == dict(sql["weekly_finished"])


def test_ten_million_rows_within_1_2x_duckdb_and_under_1_gb(big, tmp_path):
    product_out, sql_out = tmp_path / "evidence.json", tmp_path / "duckdb.json"
    evidence = ["-m", "advisor", "evidence", str(big), "--json"]
    product, duck = [], []
    for round_ in range(ROUNDS):
        product.append(_run(evidence, product_out))
        if round_ == 0:
            rules = tmp_path / "rules.json"
            doc = json.loads(product_out.read_text())
            rules.write_text(json.dumps(doc["statuses"]["rules"]))
        sql = [str(ROOT / "benchmarks" / "duckdb_evidence.py"), str(big), str(rules)]
        duck.append(_run(sql, sql_out))
    _agree(doc, json.loads(sql_out.read_text()))
    a, b = (statistics.median(t for t, _ in runs) for runs in (product, duck))
    peak, duck_peak = (max(m for _, m in runs) for runs in (product, duck))
    rows = doc["counts"]["transitions"]
    print(
        f"\nratio evidence {rows:,} rows: {a:.1f} s / DuckDB {b:.1f} s = {a / b:.2f}x; "
        f"peak resident {peak:,.0f} MiB (DuckDB {duck_peak:,.0f} MiB); "
        f"rounds {[round(t, 1) for t, _ in product]} / {[round(t, 1) for t, _ in duck]}"
    )
    assert a / b <= TIME_RATIO, f"target: within {TIME_RATIO}x of DuckDB's time"
    assert peak < PEAK_MB, f"target: under {PEAK_MB} MiB peak resident memory"


if __name__ == "__main__":
    write_files(Path(sys.argv[1]))
