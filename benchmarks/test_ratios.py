"""The speed targets of issue 7, each a ratio of two timings taken in the same run.

Interleaved rounds (a, b, a, b, ...) so both sides see the same machine load; the median
of each side is compared. Run with `make bench`; results print as `ratio ...` lines.
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from advisor.roi import simulate
from benchmarks.test_bench_roi import LINES, PARAMS, RUNS, SCENARIO, bare_numpy

ROOT = Path(__file__).resolve().parent.parent


def _paired(a, b, rounds: int) -> tuple[float, float, float]:
    ta, tb = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        a()
        ta.append(time.perf_counter() - start)
        start = time.perf_counter()
        b()
        tb.append(time.perf_counter() - start)
    ma, mb = statistics.median(ta), statistics.median(tb)
    return ma, mb, ma / mb


def _rerun(path: Path):
    at = AppTest.from_file(str(path), default_timeout=30).run()
    values = itertools.cycle(range(1, 100))

    def one():
        at.slider(key="q_bn_development").set_value(next(values)).run()
        assert not at.exception

    for _ in range(3):
        one()
    return one


def test_advisor_rerun_within_3x_of_the_bare_page():
    page, bare, ratio = _paired(
        _rerun(ROOT / "streamlit_app.py"), _rerun(ROOT / "benchmarks" / "minimal_page.py"), 30
    )
    print(
        f"\nratio advisor rerun {page * 1e3:.1f} ms / bare page {bare * 1e3:.1f} ms = {ratio:.1f}x"
    )
    assert ratio <= 3, "target: within 3x of a page with the same widgets only"


def _roi_edit(path: Path, switch: bool):
    at = AppTest.from_file(str(path), default_timeout=60).run()
    if switch:
        at.switch_page("advisor/ui/roi_page.py").run()
    assert not at.exception
    seats = itertools.cycle(range(40, 80))

    def one():
        at.number_input(key="roi_w_pf_seats").set_value(next(seats)).run()
        assert not at.exception

    for _ in range(3):
        one()
    return one


def test_roi_edit_within_1_5x_of_the_bare_page(tmp_path, monkeypatch):
    """One changed input on the ROI page (the licence's seats: every result moves, the
    10,000-run simulation included) against the same form with nothing computed or drawn."""
    monkeypatch.setenv("PLATFORM_ADVISOR_STORE", f"sqlite:///{tmp_path / 's.db'}")
    page, bare, ratio = _paired(
        _roi_edit(ROOT / "streamlit_app.py", switch=True),
        _roi_edit(ROOT / "benchmarks" / "minimal_roi_page.py", switch=False),
        30,
    )
    print(f"\nratio roi edit {page * 1e3:.1f} ms / bare form {bare * 1e3:.1f} ms = {ratio:.2f}x")
    assert ratio <= 1.5, "target: within 1.5x of the same form with nothing computed"


def test_roi_simulation_within_3x_of_bare_numpy():
    full, bare, ratio = _paired(
        lambda: simulate(LINES, PARAMS, SCENARIO, RUNS, seed=0), bare_numpy, 7
    )
    print(f"\nratio simulation {full * 1e3:.0f} ms / bare numpy {bare * 1e3:.0f} ms = {ratio:.1f}x")
    assert ratio <= 3, "target: within 3x of bare numpy"


def _process(*args: str):
    def run():
        subprocess.run([sys.executable, *args], check=True, capture_output=True, cwd=ROOT)

    return run


def test_cli_recommend_within_2x_of_importing_its_libraries():
    cli, imports, ratio = _paired(
        _process("-m", "advisor", "recommend", "examples/answers.yaml"),
        _process("-c", "import pydantic, yaml, numpy"),
        7,
    )
    print(f"\nratio recommend {cli * 1e3:.0f} ms / imports {imports * 1e3:.0f} ms = {ratio:.1f}x")
    assert ratio <= 2, "target: within 2x of importing its libraries"
