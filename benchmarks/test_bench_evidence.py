"""Evidence at scale (`make bench`): 1,000,000+ transition rows (125,000 items) and 50,000
deployments, every metric, as a whole process, against pandas only reading the same two
files (pyarrow engine, dates parsed) as a whole process; interleaved rounds, one run.
Peak memory is the evidence process's maximum resident size. The files are written by a
process of their own, so this one stays small (a child's peak counts its parent's memory at
the fork)."""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("evidence")
    subprocess.run([sys.executable, __file__, str(folder)], check=True, cwd=ROOT)
    # pip compiles what it installs; an editable install leaves the package's bytecode to
    # its first run (and to every run where PYTHONDONTWRITEBYTECODE is set).
    compileall.compile_dir(ROOT / "advisor", quiet=1)
    return folder


def write_files(folder: Path) -> None:
    """A million transition rows of 25 teams (the sample's generator) and 50,000 deployments."""
    from advisor.evidence.sample import generate, write

    sample = generate("release", seed=1, teams=25, items_per_team=5000)
    rng = np.random.default_rng(2)
    n = 50_000
    deployed = pd.Timestamp("2026-03-02T00:00:00Z") + pd.to_timedelta(
        np.sort(rng.uniform(0, 150, n)), unit="D"
    )
    failed = rng.random(n) < 0.1
    sample.deployments = pd.DataFrame(
        {
            "id": [f"d{i}" for i in range(n)],
            "deployed_at": deployed,
            "commit_at": deployed - pd.to_timedelta(rng.uniform(0.1, 3, n), unit="D"),
            "status": np.where(failed, "failed", "success"),
            "recovered_at": pd.Series(
                deployed + pd.to_timedelta(rng.uniform(1, 20, n), unit="h")
            ).where(failed, pd.NaT),
            "unplanned": rng.random(n) < 0.05,
        }
    )
    write(sample, folder)


def _run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one whole process (its own, from wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, child.stderr.read().decode()
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def test_every_metric_against_reading_the_files(big):
    items, deploys = big / "transitions.csv", big / "deployments.csv"
    evidence = ["-m", "advisor", "evidence", str(items), "--deployments", str(deploys), "--json"]
    read = [
        "-c",
        "import pandas as pd; "
        f"pd.read_csv({str(items)!r}, engine='pyarrow', parse_dates=['changed_at', 'created_at']); "
        f"pd.read_csv({str(deploys)!r}, engine='pyarrow', "
        "parse_dates=['deployed_at', 'commit_at', 'recovered_at'])",
    ]
    rows = sum(1 for _ in items.open()) - 1
    full, only_read = [], []
    for _ in range(5):
        full.append(_run(evidence))
        only_read.append(_run(read))
    a, b = (statistics.median(t for t, _ in runs) for runs in (full, only_read))
    peak, read_peak = (max(m for _, m in runs) for runs in (full, only_read))
    print(
        f"\nratio evidence {rows:,} rows + 50,000 deployments: {a:.2f} s / reading them "
        f"{b:.2f} s = {a / b:.1f}x; peak resident {peak:,.0f} MiB (reading: {read_peak:,.0f})"
    )
    assert a / b <= 2, "target: every metric within 2x of pandas only reading the files"
    assert peak < 1_536, "target: under 1.5 GB"


if __name__ == "__main__":
    write_files(Path(sys.argv[1]))
