"""The array layout behind the evidence figures: group-wise figures against pandas' groupby,
and the figures independent of the order and the encoding the rows come in."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.evidence import SetAside, analyse_evidence, read_deployments, read_items
from advisor.evidence.arrow_csv import EarlyReads
from advisor.evidence.dora import dora_metrics
from advisor.evidence.forecast import MAX_WEEKS, forecast
from advisor.evidence.groups import group_count, group_median, group_sum, nested_median
from advisor.evidence.reading import transitions_from_csv
from advisor.evidence.sample import generate, write
from advisor.evidence.window import Window, iso_ns
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "evidence"

values = st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("nan"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), values), min_size=1, max_size=60))
def test_group_figures_match_a_pandas_groupby(rows):
    codes = np.array([c for c, _ in rows])
    data = np.array([v for _, v in rows])
    expected = pd.Series(data).groupby(codes).agg(["sum", "median", "count"])
    expected = expected.reindex(range(8))
    assert np.allclose(group_sum(codes, np.nan_to_num(data), 8), expected["sum"].fillna(0))
    assert np.allclose(group_median(codes, data, 8), expected["median"], equal_nan=True)
    got_visits = group_count(codes, 8)
    assert got_visits.tolist() == np.bincount(codes, minlength=8).tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), values), min_size=1, max_size=60),
    st.lists(st.integers(0, 3), min_size=7, max_size=7),
)
def test_nested_medians_match_a_pandas_groupby_at_both_levels(rows, parent):
    codes = np.array([c for c, _ in rows])
    data = np.array([v for _, v in rows])
    parent = np.array(parent)
    by_group, by_parent = nested_median(codes, data, parent, 5)
    expected = pd.Series(data).groupby(codes).median().reindex(range(7))
    assert np.allclose(by_group, expected, equal_nan=True)
    expected = pd.Series(data).groupby(parent[codes]).median().reindex(range(5))
    assert np.allclose(by_parent, expected, equal_nan=True)


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    write(generate("approval", seed=4, teams=3, items_per_team=60), folder)
    return folder


def test_shuffled_rows_give_the_same_figures_as_rows_in_item_order(sample_files, tmp_path):
    """The sorted file skips the sort; the shuffled one takes it: both must agree."""
    path = sample_files / "transitions.csv"
    text = path.read_text().splitlines()
    rng = np.random.default_rng(0)
    body = [text[1 + i] for i in rng.permutation(len(text) - 1)]
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([text[0], *body]) + "\n")
    ordered = analyse_evidence(transitions_from_csv(path, "t.csv", SetAside()), SetAside())
    mixed = analyse_evidence(transitions_from_csv(shuffled, "s.csv", SetAside()), SetAside())
    assert json_close(mixed.to_json(), ordered.to_json())


def test_text_columns_and_categories_give_the_same_figures(sample_files):
    """Arrow's dictionary columns (the fast path) and plain text (Jira, the careful path)."""
    fast = transitions_from_csv(sample_files / "transitions.csv", "t.csv", SetAside())
    assert isinstance(fast["key"].dtype, pd.CategoricalDtype)
    plain = fast.assign(**{c: fast[c].astype(object) for c in ("key", "type", "team")})
    plain["from_status"] = fast["from_status"].astype(object)
    plain["to_status"] = fast["to_status"].astype(object)
    a = analyse_evidence(fast, SetAside()).to_json()
    b = analyse_evidence(plain, SetAside()).to_json()
    assert json_close(a, b)


def json_close(a, b) -> bool:
    """Equal documents, numbers to 1e-9 (sums taken in another order round differently)."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(json_close(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(json_close, a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9, nan_ok=True)
    return a == b


WEEKS = {"metric": "forecast_weeks", "unit": "weeks"}
ITEMS = {"metric": "forecast_items", "unit": "items"}


def test_a_steady_team_is_forecast_exactly():
    f = forecast(np.full(12, 5.0), items=20, weeks=8, trials=1_000)
    assert f["weeks_for_items"] == {"p50": 4.0, "p85": 4.0, "p95": 4.0, **WEEKS}
    assert f["items_by_weeks"] == {"p50": 40.0, "p85": 40.0, "p95": 40.0, **ITEMS}


@pytest.mark.parametrize("items, weeks", [(20, 8), (400, 60), (5, 0)])
def test_the_forecast_drawn_in_blocks_equals_all_weeks_drawn_at_once(items, weeks):
    weekly = np.array([0, 3, 1, 0, 4, 2, 0, 0, 5, 1, 2, 0], dtype=float)
    got = forecast(weekly, items=items, weeks=weeks, seed=3, trials=2_000)
    draws = np.random.default_rng(3).choice(weekly, size=(MAX_WEEKS, 2_000))
    totals = np.cumsum(draws, axis=0)
    reached = totals >= items
    needed = np.where(reached.any(axis=0), reached.argmax(axis=0) + 1, np.inf)
    by_date = totals[weeks - 1] if weeks else np.zeros(2_000)
    finite = needed[np.isfinite(needed)]
    assert got["weeks_for_items"] == {
        **{f"p{q}": np.percentile(finite, q) for q in (50, 85, 95)},
        **WEEKS,
    }
    assert got["items_by_weeks"] == {
        **{f"p{q}": np.percentile(by_date, 100 - q) for q in (50, 85, 95)},
        **ITEMS,
    }


def test_names_that_differ_only_by_spaces_are_one_item_one_status_one_team():
    text = (
        "key,type,team,from_status,to_status,changed_at\n"
        "A,Story,Core,,In Progress,2026-01-05T09:00:00Z\n"
        " A ,Story, Core ,In Progress , Done,2026-01-07T09:00:00Z\n"
        "B,Bug,Core,,In Progress,2026-01-05T09:00:00Z\n"
    )
    frame = transitions_from_csv(text, "t.csv", SetAside())
    assert list(frame["key"].cat.categories) == ["A", "B"]
    doc = analyse_evidence(frame, SetAside()).to_json()
    assert doc["counts"]["items"] == 2 and doc["counts"]["out_of_sequence"] == 0
    assert set(doc["statuses"]["rules"]) == {"Done", "In Progress"}
    assert doc["flow"]["flow_time_days"]["median"] == 2.0
    assert doc["counts"]["finished"] == 1


def test_measuring_without_a_status_map_or_rules_does_not_load_yaml():
    """YAML costs time in every run; only a status map or the rule sets file needs it."""
    code = (
        "import sys, contextlib, io\n"
        "from advisor.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['evidence', 'examples/evidence/transitions.csv', '--json']) == 0\n"
        "print(sorted(m for m in ('yaml',) if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


def test_deployments_with_zones_without_zones_and_with_a_messy_header_agree():
    """Times with a zone are read typed by Arrow; without, the careful path takes them as
    UTC. A byte-order mark and a header in capitals change nothing."""
    text = (DATA / "deployments.csv").read_text()
    header, body = text.split("\n", 1)
    naive = body.replace("Z", "").replace("T", " ")
    messy = "\ufeff" + ",".join(f" {c.upper()} " for c in header.split(",")) + "\n" + body
    window = Window(iso_ns("2026-01-01"), iso_ns("2026-01-15"))
    docs = [
        dora_metrics(read_deployments(t, "d.csv", SetAside()).frame, None, window)
        for t in (text, header + "\n" + naive, messy)
    ]
    assert docs[0] == docs[1] == docs[2]
    assert docs[0]["deployments"] > 0


def test_early_reads_give_what_the_usual_reads_give(sample_files, tmp_path):
    """The command line has Arrow read the files on a thread while pandas loads."""
    items, deploys = sample_files / "transitions.csv", sample_files / "deployments.csv"
    early = EarlyReads(str(items), str(deploys))
    a, b = SetAside(), SetAside()
    assert read_items(items, a, early.items()).frame.equals(read_items(items, b).frame)
    with_early = read_deployments(deploys, "d.csv", a, early.deployments())
    assert with_early.frame.equals(read_deployments(deploys, "d.csv", b).frame)
    assert a.as_dict() == b.as_dict()


def test_an_early_read_that_cannot_be_done_leaves_the_file_to_the_usual_read(tmp_path):
    naive = tmp_path / "items.csv"
    naive.write_text("key,type,from_status,to_status,changed_at\nA,Story,,To Do,2026-01-05\n")
    missing = tmp_path / "missing.csv"
    early = EarlyReads(str(naive), str(missing))
    assert early.items() is None and early.deployments() is None
    assert EarlyReads(str(tmp_path), "d.json").items() is None  # a folder, not a CSV
    frame = read_items(naive, SetAside(), early.items()).frame
    assert frame["at"].iloc[0] == pd.Timestamp("2026-01-05", tz="UTC")


def test_runs_fed_in_parts_lay_out_each_group_in_row_order():
    """Codes [1, 0, 1, 0, 1] with values [5, 2, NaN, 4, 1], fed as rows 0-1 then 2-4:
    group 0 holds 2, 4 (median 3.0); group 1 holds 5, 1 (the NaN left out; median 3.0);
    laid out [2, 4, 5, 1] with runs ending at 2 and 4. Totals in row order: 2 + 4 = 6 and
    5 + NaN + 1 = NaN, as bincount gives them."""
    from advisor.evidence.groups import Runs, add_in_order, run_medians

    codes = np.array([1, 0, 1, 0, 1])
    days = np.array([5.0, 2.0, np.nan, 4.0, 1.0])
    runs, total = Runs(np.arange(2), np.array([2, 3])), np.zeros(2)
    for part in (slice(0, 2), slice(2, 5)):
        runs.add(codes[part], days[part])
        add_in_order(total, codes[part], days[part])
    ordered, ends = runs.finish()
    assert ordered.tolist() == [2.0, 4.0, 5.0, 1.0] and ends.tolist() == [2, 4]
    assert run_medians(ordered, ends).tolist() == [3.0, 3.0]
    assert total[0] == 6.0 and np.isnan(total[1])
    assert np.array_equal(total, np.bincount(codes, weights=days), equal_nan=True)


def test_a_nul_byte_past_the_first_window_is_found_on_its_line(tmp_path, monkeypatch):
    """Searched 4 KiB at a time (mmap's granularity): 1,000 lines of 9 bytes is 9,000 bytes,
    so a NUL on line 1,001 sits in the third window and is reported there."""
    from advisor.evidence import reading

    monkeypatch.setattr(reading, "SCAN_BYTES", 4096)
    path = tmp_path / "t.csv"
    path.write_bytes(b"abcdefgh\n" * 1000 + b"x\x00y\n")
    assert reading._first_nul_line(path) == 1001
    path.write_bytes(b"abcdefgh\n" * 1000)
    assert reading._first_nul_line(path) is None
