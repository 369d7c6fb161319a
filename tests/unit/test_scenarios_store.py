"""Scenario files, the store, compare, report and workbook."""

import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.cli import main
from advisor.errors import ScenarioError
from advisor.scenario import (
    load_scenario_file,
    parse_scenario_file,
    scenario_from_data,
    scenario_to_yaml,
)
from advisor.store import Store
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
PG = os.environ.get("PLATFORM_ADVISOR_TEST_PG")
EVIL = '<script>alert(1)</script> =HYPERLINK("http://example.com","x")'


def _stores(tmp_path):
    stores = [f"sqlite:///{tmp_path / 's.db'}"]
    if PG:
        stores.append(PG)
    return stores


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips_through_the_store(path, store):
    s = load_scenario_file(path)
    saved = store.save(s)
    assert store.load(s.name, saved.version) == s
    assert parse_scenario_file(store.body(s.name)) == s


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda t: t.strip() == t and t)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names,
    notes=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
    engineers=st.integers(1, 1_000_000),
    weights=st.lists(st.integers(0, 100), min_size=5, max_size=5).filter(lambda w: sum(w) > 0),
)
def test_save_then_load_gives_back_exactly_what_was_saved(name, notes, engineers, weights):
    data = {
        "name": name,
        "created": "2026-11-24",
        "notes": notes,
        "answers": {
            "engineers": engineers,
            "budget_per_year": 50000,
            "bottlenecks": dict(
                zip(
                    ["ideation", "development", "deployment", "operations", "support"],
                    weights,
                    strict=True,
                )
            ),
        },
    }
    s = scenario_from_data(data)
    assert parse_scenario_file(scenario_to_yaml(s)) == s


def test_an_older_file_is_migrated_and_a_newer_one_refused():
    old = (
        "name: Old\ncomment: from the first drafts\n"
        "answers: {engineers: 5, budget_per_year: 1, bottlenecks: {development: 1}}\n"
    )
    s = parse_scenario_file(old, "old.yaml")
    assert s.notes == "from the first drafts" and s.schema_version == 1
    with pytest.raises(
        ScenarioError, match=r"new\.yaml:1: schema_version: schema_version 9 is newer"
    ):
        parse_scenario_file("schema_version: 9\n" + old, "new.yaml")


def test_a_broken_part_names_part_line_and_field():
    text = (ROOT / "examples" / "scenarios" / "startup.yaml").read_text()
    broken = text.replace("count: 1, annual_cost: 150000", "count: -1, annual_cost: 150000")
    with pytest.raises(ScenarioError) as info:
        parse_scenario_file(broken, "s.yaml")
    [problem] = info.value.problems
    assert problem.field.startswith("roi.") and "count" in problem.field
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "count: -1" in t)
    assert problem.line == line


def test_a_refused_save_writes_nothing(store):
    s = load_scenario_file(EXAMPLES[0])
    store.save(s)
    before = store.list()
    with pytest.raises(Exception):  # noqa: B017  the scenario is invalid: nothing is stored
        store.save(s.model_copy(update={"name": ""}))
    assert store.list() == before


def test_eight_sessions_saving_at_once_keep_eight_versions(store):
    s = load_scenario_file(EXAMPLES[0])
    other = Store(store.url)  # sessions have their own engines
    errors = []

    def save(st_):
        try:
            st_.save(s)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(store if i % 2 else other,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [v["version"] for v in store.versions(s.name)] == list(range(1, 9))


def test_migrations_are_versioned(store):
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        applied = list(conn.scalars(sa.text("SELECT version FROM schema_migrations ORDER BY 1")))
    assert applied == [1, 2, 3, 4]
    Store(store.url)  # opening again applies nothing twice
    with store.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM schema_migrations")) == 4


def test_cli_scenario_save_list_show(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    path = str(EXAMPLES[0])
    assert main(["scenario", "save", path, "--store", url]) == 0
    assert main(["scenario", "save", path, "--store", url]) == 0
    capsys.readouterr()
    assert main(["scenario", "list", "--store", url, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert set(row) == {"name", "organisation", "team", "author", "versions", "saved_at"}
    assert row["versions"] == 2
    assert row["saved_at"].endswith("+00:00")  # a moment always carries its zone
    assert main(["scenario", "list", "--store", url]) == 0
    assert re.search(r"last \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", capsys.readouterr().out)
    assert main(["scenario", "show", row["name"], "--version", "1", "--store", url]) == 0
    assert parse_scenario_file(capsys.readouterr().out) == load_scenario_file(EXAMPLES[0])
    assert main(["scenario", "show", "nothing here", "--store", url]) == 2
    capsys.readouterr()
    for version, said in (
        ("9" * 30, "is too large (30 digits)"),  # it read "expected a whole number"
        ("0", "versions are numbered from 1 to 1,000,000,000, got 0"),
    ):
        with pytest.raises(SystemExit):
            main(["scenario", "show", row["name"], "--version", version, "--store", url])
        assert said in capsys.readouterr().err


def test_cli_compare_of_three_teams(capsys):
    teams = [str(p) for p in EXAMPLES if p.name.startswith("team-")]
    assert main(["compare", *teams, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"scenarios", "matrix", "shared"}
    assert set(doc["matrix"]) == {"Payments", "Search", "Onboarding"}
    assert set(doc["shared"]) == {"categories", "covers", "uncovered"}
    for row in doc["scenarios"]:
        assert set(row) >= {
            "name",
            "team",
            "version",
            "top_category",
            "scores",
            "npv",
            "irr_annual",
            "payback_month",
            "delay_cost_best",
        }
    from advisor.catalog import load_catalog
    from advisor.scoring import recommend

    search = load_scenario_file(ROOT / "examples" / "scenarios" / "team-search.yaml")
    scores = {r.category: r.score for r in recommend(search.answers, load_catalog()).ranking}
    assert doc["matrix"]["Search"] == scores
    assert main(["compare", teams[0]]) == 2


def _evil(tmp_path) -> Path:
    text = (ROOT / "examples" / "scenarios" / "scaleup.yaml").read_text()
    text = text.replace("name: Scale-up - development bottleneck", f"name: '{EVIL}'")
    text = text.replace("notes: Measure", f"notes: '{EVIL} Measure")
    text = text.replace("before broadening.", "before broadening.'")
    text = text.replace("name: Review and flow improvement", f"name: '{EVIL}'")
    path = tmp_path / "evil.yaml"
    path.write_text(text)
    return path


def test_the_html_report_is_inert_offline_and_holds_the_figures(tmp_path, capsys):
    path = _evil(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", str(path), "--out", str(out)]) == 0
    html = out.read_text()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.findall(r"(?:src|href)\s*=\s*[\"']?https?:", html), "nothing to fetch"
    assert "<svg" in html and "Start with <strong>Software Engineering Intelligence" in html
    from advisor.catalog import load_catalog
    from advisor.roi import analyse

    s = load_scenario_file(path)
    npv = analyse(s.roi, load_catalog()).npv
    assert f"{npv:,.0f} USD" in html


def test_the_markdown_report_escapes_user_text(tmp_path, capsys):
    out = tmp_path / "r.md"
    assert main(["report", str(_evil(tmp_path)), "--out", str(out)]) == 0
    md = out.read_text()
    assert "<script>" not in md and "\\<script\\>" in md


def test_the_workbook_formulas_equal_the_apps_figures(tmp_path, capsys):
    formulas = pytest.importorskip("formulas")
    path = _evil(tmp_path)
    out = tmp_path / "w.xlsx"
    assert main(["report", str(path), "--out", str(out)]) == 0
    solution = formulas.ExcelModel().loads(str(out)).finish().calculate()
    values = {k.split("!")[1]: v.value[0][0] for k, v in solution.items() if "RESULTS" in k}
    from advisor.catalog import load_catalog
    from advisor.roi import analyse

    r = analyse(load_scenario_file(path).roi, load_catalog())
    assert float(values["B4"]) == pytest.approx(r.npv, rel=1e-9)
    assert float(values["B5"]) == pytest.approx(r.irr_annual, rel=1e-6)
    assert float(values["B6"]) == pytest.approx(r.mirr_annual, rel=1e-9)
    assert int(values["B7"]) == r.payback_month
    assert int(values["B8"]) == r.discounted_payback_month
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(out)["Inputs"].iter_rows() for c in row]
    texts = [c for c in cells if isinstance(c, str) and "HYPERLINK" in c]
    assert texts and all(t.startswith("'") or not t.startswith("=") for t in texts)


def test_compare_gives_npv_irr_and_payback_with_their_ranges(capsys):
    files = [str(ROOT / "examples" / "scenarios" / f) for f in ("startup.yaml", "scaleup.yaml")]
    assert main(["compare", *files, "--json"]) == 0
    for row in json.loads(capsys.readouterr().out)["scenarios"]:
        assert row["npv_p10"] <= row["npv"] <= row["npv_p90"]
        assert row["irr_p10"] <= row["irr_annual"] <= row["irr_p90"]
        assert row["payback_p10"] <= row["payback_month"] <= row["payback_p90"]


def test_old_drafts_are_removed_when_another_is_kept(store):
    import datetime as dt

    import sqlalchemy as sa

    from advisor.store import DRAFT_DAYS, drafts

    store.keep_draft("old", "body")
    with store.engine.begin() as conn:
        conn.execute(
            drafts.update()
            .where(drafts.c.id == "old")
            .values(saved_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=DRAFT_DAYS + 1))
        )
    store.keep_draft("new", "body 2")
    assert store.draft("old") is None and store.draft("new") == "body 2"
    store.keep_draft("new", "body 3")
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(drafts)) == 1


def _at_once(work, n: int) -> None:
    """`work(i)` for i in 0..n-1, each on a thread of its own; raises the first error."""
    with ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(work, range(n)))


def test_fifty_saves_and_fifty_events_at_once_are_all_kept_in_order(store):
    s = load_scenario_file(EXAMPLES[0])
    engines = [store, Store(store.url), Store(store.url)]  # sessions with engines of their own
    _at_once(lambda i: engines[i % 3].save(s.model_copy(update={"author": f"user{i}"})), 50)
    assert [v["version"] for v in store.versions(s.name)] == list(range(1, 51))
    trail = store.history(s.name)
    assert [e["version"] for e in trail] == list(range(1, 51))  # in the order they were saved
    assert sorted(e["user"] for e in trail) == sorted(f"user{i}" for i in range(50))
    times = [e["at"] for e in trail]
    assert times == sorted(times)
    for v in (1, 25, 50):  # every version whole
        assert store.load(s.name, v).name == s.name

    _at_once(lambda i: engines[i % 3].comment(s.name, i + 1, f"reviewer{i}", f"note {i}"), 50)
    events = [e for e in store.history(s.name) if e["event"] == "comment"]
    assert len(events) == 50, "fifty events at once: fifty kept"
    assert sorted((e["version"], e["user"], e["note"]) for e in events) == sorted(
        (i + 1, f"reviewer{i}", f"note {i}") for i in range(50)
    )
    assert [e["at"] for e in events] == sorted(e["at"] for e in events), "in the order kept"
