import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.cli import main
from advisor.delay import (
    EXACT_LIMIT,
    URGENCIES,
    Backlog,
    Item,
    _Columns,
    all_orders_cost,
    analyse,
    best_order,
    cd3_order,
    delay_cost,
    delay_sentence,
    delays_of,
    local_search,
    order_cost,
    order_delay,
    schedule,
    wsjf_order,
)
from advisor.delay_io import backlog_frame, parse_backlog_csv, parse_backlog_yaml
from advisor.errors import BacklogError
from advisor.report import safe_csv
from tests.conftest import ROOT


def _item(name: str, cod: float, weeks: float, **profile) -> Item:
    """An item whose id and name are the same, as these tests need no other."""
    return Item(id=name, name=name, cost_of_delay_per_week=cod, duration_weeks=weeks, **profile)


A = _item("A", 10, 2)
B = _item("B", 30, 4)


def test_black_swan_farming_example():
    assert A.cd3 == 5 and B.cd3 == 7.5
    assert cd3_order([A, B]) == [1, 0]
    assert order_cost([A, B], [0, 1]) == 20 + 180 == 200
    assert order_cost([A, B], [1, 0]) == 120 + 60 == 180


def test_urgency_profiles():
    short = _item("s", 100, 1, urgency="short_life", life_weeks=6)
    assert delay_cost(short, 4) == 400 and delay_cost(short, 10) == 600
    fixed = _item("f", 100, 1, urgency="fixed_date", deadline_week=5)
    assert delay_cost(fixed, 5) == 0 and delay_cost(fixed, 6) == 600
    rising = _item("i", 100, 1, urgency="intangible", rise_weeks=10)
    assert delay_cost(rising, 4) == pytest.approx(100 * 16 / 20)
    assert delay_cost(rising, 14) == pytest.approx(100 * (5 + 4))
    assert delay_cost(rising, 1) < delay_cost(
        A.model_copy(update={"cost_of_delay_per_week": 100}), 1
    )


def test_what_a_delay_costs_in_money_and_words():
    onboarding = Item(
        id="o", name="self-serve onboarding", cost_of_delay_per_week=20000, duration_weeks=4
    )
    assert delay_sentence(onboarding, 6, "USD") == (
        "Delaying self-serve onboarding by 6 weeks costs about 120,000 USD."
    )
    assert order_delay([A, B], [1, 0], 3) == 3 * (10 + 30)


def test_wsjf_is_kept_apart_from_money():
    scored = _item(
        "w",
        1,
        1,
        wsjf={"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 2},
    )
    assert scored.wsjf.score == 8
    assert wsjf_order([A, scored, B]) == [1, 0, 2]
    result = analyse(Backlog(items=[A, scored, B]))
    assert result.wsjf_missing == ["A", "B"]
    assert set(result.delay_cost) == {"given", "cd3", "wsjf", "best"}
    assert all(isinstance(v, float) for v in result.delay_cost.values())


def test_example_file_and_outcome_warnings():
    text = (ROOT / "examples" / "backlog.yaml").read_text()
    result = analyse(parse_backlog_yaml(text))
    assert result.delay_cost["best"] <= result.delay_cost["cd3"] <= result.delay_cost["given"]
    assert result.saving == result.delay_cost["given"] - result.delay_cost["cd3"]
    assert "exact search" in result.method
    assert any("holiday-campaign" in w and "owner" in w for w in result.outcome_warnings)
    assert not any("onboarding)" in w for w in result.outcome_warnings)


def test_a_fixed_date_item_is_pulled_ahead_of_cd3_when_that_saves_money():
    big = _item("big", 100, 5)
    due = _item("due", 35, 2, urgency="fixed_date", deadline_week=3)
    # CD3 (big 20 > due 17.5): 500 + late due 35 x 7 = 745; due first: 0 + 700 = 700
    best = best_order([big, due])
    assert cd3_order([big, due]) == [0, 1]
    assert best.order == [1, 0] and best.cost == 700 < order_cost([big, due], [0, 1]) == 745


def _items(draw_urgency):
    item = st.builds(
        lambda i, cod, d, urgency, deadline, life: Item(
            id=f"i{i}",
            name=f"i{i}",
            cost_of_delay_per_week=cod,
            duration_weeks=d,
            urgency=urgency,
            deadline_week=deadline if urgency == "fixed_date" else None,
            life_weeks=life if urgency == "short_life" else None,
        ),
        st.integers(0, 10_000),
        st.integers(0, 100),
        st.integers(1, 8),
        draw_urgency,
        st.integers(0, 30),
        st.integers(1, 20),
    )
    return st.lists(item, min_size=1, max_size=6, unique_by=lambda it: it.id)


@settings(max_examples=150, deadline=None)
@given(_items(st.just("standard")))
def test_cd3_is_optimal_for_standard_items(items):
    assert order_cost(items, cd3_order(items)) == pytest.approx(all_orders_cost(items))


@settings(max_examples=150, deadline=None)
@given(_items(st.sampled_from(["standard", "short_life", "fixed_date", "intangible"])))
def test_the_search_is_exact_for_small_backlogs_and_never_worse_than_cd3(items):
    best = best_order(items)
    assert best.cost <= order_cost(items, cd3_order(items)) + 1e-9
    assert best.cost == pytest.approx(all_orders_cost(items))
    assert sorted(best.order) == list(range(len(items)))


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 100), st.integers(1, 6), st.integers(0, 60)),
        min_size=EXACT_LIMIT + 1,
        max_size=40,
    )
)
def test_the_local_search_never_does_worse_than_cd3(specs):
    items = [
        Item(
            id=str(i),
            name=str(i),
            cost_of_delay_per_week=c,
            duration_weeks=d,
            urgency="fixed_date" if i % 2 else "standard",
            deadline_week=due if i % 2 else None,
        )
        for i, (c, d, due) in enumerate(specs)
    ]
    best = best_order(items, seconds=0.2)
    assert "local search" in best.method and "lower bound" in best.method
    assert best.cost <= order_cost(items, cd3_order(items)) + 1e-9
    assert best.lower_bound <= best.cost + 1e-9
    assert sorted(best.order) == list(range(len(items)))


def _mixed(n: int, seed: int) -> list[Item]:
    rnd = random.Random(seed)
    items = []
    for i in range(n):
        urgency = rnd.choice(URGENCIES)
        items.append(
            Item(
                id=f"i{i}",
                name=f"i{i}",
                cost_of_delay_per_week=rnd.uniform(1, 100),
                duration_weeks=rnd.uniform(0.5, 8),
                urgency=urgency,
                deadline_week=rnd.uniform(0, 3 * n) if urgency == "fixed_date" else None,
                life_weeks=rnd.uniform(1, 3 * n) if urgency == "short_life" else None,
                rise_weeks=rnd.uniform(1, 30) if urgency == "intangible" else None,
            )
        )
    return items


@pytest.mark.parametrize("seed", range(8))
def test_the_local_search_is_within_one_percent_of_the_exact_order(seed):
    items = _mixed(15 + seed % 6, seed)
    exact = best_order(items)
    assert "exact search" in exact.method
    found = local_search(items, seconds=1.0)
    assert found.cost <= exact.cost * 1.01
    assert found.cost <= order_cost(items, cd3_order(items)) + 1e-9
    assert exact.cost == pytest.approx(order_cost(items, exact.order))


def test_the_exact_search_matches_brute_force_on_mixed_backlogs():
    for seed in range(5):
        items = _mixed(7, seed)
        assert best_order(items).cost == pytest.approx(all_orders_cost(items))


def test_the_vector_cost_formula_equals_the_scalar_one():
    items = _mixed(40, 3)
    weeks = np.linspace(0, 120, 61)
    for it in items:
        scalar = [delay_cost(it, w) for w in weeks]
        vector = _Columns.of([it]).cost(np.zeros(len(weeks), dtype=int), weeks)
        assert vector == pytest.approx(scalar)
        by_hand = {
            "standard": it.cost_of_delay_per_week * weeks,
            "short_life": it.cost_of_delay_per_week * np.minimum(weeks, it.life_weeks or 0),
            "fixed_date": np.where(
                weeks <= (it.deadline_week or 0), 0, it.cost_of_delay_per_week * weeks
            ),
        }
        if it.urgency in by_hand:
            assert vector == pytest.approx(by_hand[it.urgency])


def test_a_large_mixed_backlog_is_never_worse_than_cd3_and_says_how_it_stopped():
    items = _mixed(2_000, 11)
    best = best_order(items, seconds=0.5)
    assert best.cost <= order_cost(items, cd3_order(items)) + 1e-6
    assert "time limit" in best.method or "local optimum" in best.method
    assert "no proof of optimality" in best.method or "optimal" in best.method


def test_a_delay_counts_from_the_items_finish_in_the_order():
    # Fixed date: done at week 9 in the plan, deadline 9. A 6-week slip misses it: 15 x 1,000.
    due = _item("due", 1000, 3, urgency="fixed_date", deadline_week=9)
    first = _item("first", 10, 6)
    backlog = Backlog(items=[first, due])
    delays = delays_of(backlog, ["first", "due"], 6)
    assert delays["items"]["due"] == 15 * 1000
    assert delays["items"]["first"] == 6 * 10
    assert "from week 9 in the best order" in delays["sentences"][1]
    assert delays["whole_order"] == 6 * 10 + 15 * 1000


def test_each_order_shows_start_finish_and_deadlines():
    due = _item("due", 1000, 3, urgency="fixed_date", deadline_week=4)
    short = _item("short", 50, 2, urgency="short_life", life_weeks=5)
    first = _item("first", 10, 6)
    plan = schedule([first, due, short], [0, 1, 2])
    assert list(zip(plan.start, plan.finish, strict=True)) == [(0, 6), (6, 9), (9, 11)]
    assert plan.notes[1] == "deadline week 4 missed" and plan.cost[1] == 9000
    assert "worth nothing by then" in plan.notes[2]
    assert schedule([due], [0]).notes[0] == "deadline week 4 met"


CSV = ROOT / "tests" / "data"


def test_csv_round_trip_is_formula_safe():
    evil = Item(
        id="x",
        name='=HYPERLINK("http://example.com","click")',
        cost_of_delay_per_week=5,
        duration_weeks=1,
        outcome={"owner": "@boss", "metric": "+1 NPS"},
    )
    text = safe_csv(backlog_frame(Backlog(items=[A, evil])))
    assert "'=HYPERLINK" in text and "'@boss" in text and "'+1 NPS" in text
    back = parse_backlog_csv(text)
    assert back.items[1].name == evil.name and back.items[1].outcome.owner == "@boss"


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        (
            "id,name,duration_weeks\na,A,2\n",
            "b.csv: cost_of_delay_per_week: required column is missing",
        ),
        (
            "id,name,cost_of_delay_per_week,duration_weeks\na,A,lots,2\n",
            "b.csv: row 2: cost_of_delay_per_week: Input should be a valid number",
        ),
        (
            "id,name,cost_of_delay_per_week,duration_weeks\na,A,10,0\n",
            "b.csv: row 2: duration_weeks: Input should be greater than 0",
        ),
        (
            "id,name,cost_of_delay_per_week,duration_weeks\na,A,-5,2\n",
            "b.csv: row 2: cost_of_delay_per_week: Input should be greater than or equal to 0",
        ),
        (
            "id,name,cost_of_delay_per_week,duration_weeks,urgency\na,A,5,2,soon\n",
            "b.csv: row 2: urgency: 'soon' is not one of standard",
        ),
        (
            "id,name,cost_of_delay_per_week,duration_weeks,urgency\na,A,5,2,fixed_date\n",
            "b.csv: row 2: deadline_week: a fixed_date item needs deadline_week",
        ),
        (
            "id,name,cost_of_delay_per_week,duration_weeks,wsjf_business_value,"
            "wsjf_time_criticality,wsjf_risk_reduction,wsjf_job_size\na,A,5,2,4,1,1,1\n",
            "b.csv: row 2: wsjf_business_value: 4 is not one of 1, 2, 3, 5, 8, 13, 20",
        ),
    ],
)
def test_bad_csv_names_row_and_column(csv, expected):
    with pytest.raises(BacklogError) as err:
        parse_backlog_csv(csv, "b.csv")
    assert expected in str(err.value)


def test_cli_json_contract_and_bad_input(tmp_path, capsys):
    path = tmp_path / "b.yaml"
    path.write_text(
        "currency: EUR\nitems:\n"
        "  - {id: A, name: A, cost_of_delay_per_week: 10, duration_weeks: 2}\n"
        "  - {id: B, name: B, cost_of_delay_per_week: 30, duration_weeks: 4}\n"
    )
    assert main(["delay", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["currency"] == "EUR"
    assert doc["cd3_order"] == ["B", "A"]
    assert doc["delay_cost"]["given"] == 200 and doc["delay_cost"]["cd3"] == 180
    assert doc["saving"] == 20
    assert {"id", "cd3", "wsjf"} <= set(doc["items"][0])
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "items:\n  - {id: A, name: A, cost_of_delay_per_week: 1, duration_weeks: 2,"
        " urgency: fixed_date}\n"
    )
    assert main(["delay", str(bad)]) == 2
    assert f"{bad}:2: deadline_week: a fixed_date item needs deadline_week" in (
        capsys.readouterr().err
    )


def test_cli_weeks_of_delay(tmp_path, capsys):
    path = tmp_path / "b.yaml"
    path.write_text(
        "items:\n  - {id: o, name: self-serve onboarding, "
        "cost_of_delay_per_week: 20000, duration_weeks: 4}\n"
        "  - {id: p, name: platform, cost_of_delay_per_week: 5000, "
        "duration_weeks: 2}\n"
    )
    assert main(["delay", str(path), "--weeks", "6"]) == 0
    out = capsys.readouterr().out
    assert (
        "Delaying self-serve onboarding by 6 weeks (from week 4 in the best order) costs "
        "about 120,000 USD." in out
    )
    assert "every item of the best order 6 weeks later costs about 150,000 USD" in out
    assert main(["delay", str(path), "--weeks", "6", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["delay_of_weeks"]["items"] == {"o": 120000, "p": 30000}
    assert main(["delay", str(path), "--weeks", "-1"]) == 2
