"""The probable cost of delay, worked by hand: durations from the team's throughput."""

import itertools
import json

import pytest

from advisor import probable_delay as pd_module
from advisor.cli import main
from advisor.delay import Backlog, Item, all_orders_cost, analyse, order_cost
from advisor.delay_io import load_backlog, parse_backlog_csv, parse_backlog_yaml
from advisor.errors import BacklogError
from advisor.evidence import SetAside, analyse_evidence, load_status_map, read_items
from advisor.probable_delay import candidate_orders, probable_delay, throughput_of
from tests.conftest import ROOT

TWO = [2.0] * 12  # the team finishes exactly 2 items every week


def _item(id_, cod, size=None, weeks=1.0, **kw) -> Item:
    return Item(
        id=id_, name=id_.upper(), cost_of_delay_per_week=cod, duration_weeks=weeks,
        size_items=size, **kw,
    )  # fmt: skip


def _mixed() -> Backlog:
    """Four items whose point durations are exactly size / 2 (the constant throughput)."""
    return Backlog(
        items=[
            _item("a", 10, size=4, weeks=2),
            _item("b", 30, size=3, weeks=1.5),
            _item("c", 100, size=2, weeks=1, urgency="fixed_date", deadline_week=3),
            _item("d", 20, size=1, weeks=0.5, urgency="short_life", life_weeks=2),
        ]
    )


def test_constant_throughput_gives_the_point_schedule_in_every_trial():
    b = _mixed()
    p = probable_delay(b, TWO)
    given = p.orders["given"]
    # a, b, c, d finish at weeks 2, 3.5, 4.5 and 5:
    # a 10 x 2 = 20; b 30 x 3.5 = 105; c misses its deadline of week 3: 100 x 4.5 = 450;
    # d's life is 2 weeks: 20 x min(5, 2) = 40. Total 615 USD, in every trial.
    assert given.mean == pytest.approx(615)
    assert given.p50 == pytest.approx(615) and given.p85 == pytest.approx(615)
    assert order_cost(b.items, [0, 1, 2, 3]) == pytest.approx(615)
    # every order compared costs what the point schedule says, the best one included
    cheapest = all_orders_cost(b.items)
    assert p.orders[p.best].mean == pytest.approx(cheapest)
    assert p.orders["best"].mean == pytest.approx(analyse(b).delay_cost["best"])
    # and each item of the chosen order finishes when the point schedule says, P50 = P85
    index = {it.id: i for i, it in enumerate(b.items)}
    finish = 0.0
    for item_id in p.best_order:
        finish += b.items[index[item_id]].duration_weeks
        assert p.items[item_id].finish_p50 == pytest.approx(finish)
        assert p.items[item_id].finish_p85 == pytest.approx(finish)
    assert p.sized_from_duration == [] and p.warnings == []
    assert p.trials == 10_000 and p.sample_weeks == 12 and p.mean_throughput == 2


def test_weeks_without_a_finished_item_delay_the_finish():
    # A third of the weeks finish 4 items, the rest none: the first week with 4 is week G,
    # G geometric with p = 1/3 (P(G <= g) = 1 - (2/3)^g). A (2 items) needs half of that
    # week: it finishes at G - 0.5. B (4 items) ends halfway through the second week with 4.
    series = [0.0, 0.0, 4.0] * 4
    b = Backlog(items=[_item("a", 10, size=2), _item("b", 1, size=4)])
    p = probable_delay(b, series, orders={"given": ["a", "b"]})
    finish = p.items["a"]
    # P(G <= 1) = 0.33, P(G <= 2) = 0.56: the median is G = 2, finishing at week 1.5
    assert finish.finish_p50 == pytest.approx(1.5)
    # P(G <= 4) = 0.80, P(G <= 5) = 0.87: P85 is G = 5, finishing at 4.5
    assert finish.finish_p85 == pytest.approx(4.5)
    # E[G] = 3, so A's expected finish is 2.5 (cost 25); B's second week with 4 comes at
    # 6 on average, so it finishes at 5.5 (cost 5.5). Expected total 30.5 USD.
    assert p.orders["given"].mean == pytest.approx(30.5, abs=0.6)
    assert p.best == "given" and p.best_order == ["a", "b"]


def test_sizes_can_make_the_expected_best_differ_from_cd3_on_point_durations():
    # Point estimates: A 1 week, B 6 weeks, so CD3 (A 10, B 5) puts A first:
    # A, B costs 10 x 1 + 30 x 7 = 220; B, A costs 30 x 6 + 10 x 7 = 250.
    # Sizes at 2 items a week: A takes 2 weeks, B 1.5: A, B costs 10 x 2 + 30 x 3.5 = 125;
    # B, A costs 30 x 1.5 + 10 x 3.5 = 80. CD3 on size (A 2.5, B 10) puts B first.
    b = Backlog(items=[_item("a", 10, size=4, weeks=1), _item("b", 30, size=3, weeks=6)])
    r = analyse(b)
    assert r.cd3_order == ["a", "b"] and r.delay_cost["cd3"] == pytest.approx(220)
    p = probable_delay(b, TWO, candidate_orders(r))
    assert p.orders["cd3"].mean == pytest.approx(125)
    assert p.orders["cd3_size"].order == ["b", "a"]
    assert p.orders["cd3_size"].mean == pytest.approx(80)
    assert p.best == "cd3_size" and p.best_order == ["b", "a"]
    assert "Chosen on the expected cost over 10,000 trials of the team's throughput" in p.method
    assert "CD3 on size" in p.method and "45 USD below the next order's" in p.method


def _deadline_backlog() -> Backlog:
    # No sizes: each item is its weeks x the mean throughput. A fixed date due exactly when
    # CD3 finishes it: on point durations it is met, with a spread of throughput it is
    # missed about half the time, so doing it earlier pays.
    return Backlog(
        items=[
            _item("quick", 12, weeks=2, urgency="short_life", life_weeks=8),
            _item("big", 20, weeks=4),
            _item("due", 15, weeks=3, urgency="fixed_date", deadline_week=9),
            _item("slow", 8, weeks=6),
        ]
    )


SPREAD = [7.0, 9.0, 7.0, 10.0, 7.0, 3.0, 7.0, 8.0, 8.0, 8.0, 14.0, 11.0]


def test_the_exact_search_finds_the_cheapest_expected_order_none_of_the_others_is():
    b = _deadline_backlog()
    p = probable_delay(b, SPREAD)
    # on point durations CD3 puts `due` at 2 + 4 + 3 = week 9, its deadline, and is best
    r = analyse(b)
    assert r.best_order == ["quick", "big", "due", "slow"]
    # with the spread the deadline is missed half the time; the short-life item costs at
    # most 12 x 8 = 96 however late, so it goes last and `due` is done by week 7
    assert p.best == "searched" and p.best_order == ["big", "due", "slow", "quick"]
    chosen = p.orders[p.best]
    assert all(chosen.mean < o.mean for k, o in p.orders.items() if k != "searched")
    assert "exact search over every order" in p.method and "16 sets of items" in p.method
    # costed again on the same trials (same seed), it is the cheapest of all 24 orders
    ids = [it.id for it in b.items]
    every = {"-".join(o): list(o) for o in itertools.permutations(ids)}
    again = probable_delay(b, SPREAD, orders=every)
    assert again.orders["big-due-slow-quick"].mean == pytest.approx(chosen.mean)
    assert min(o.mean for o in again.orders.values()) == pytest.approx(chosen.mean)


def test_beyond_the_exact_search_items_move_one_at_a_time_within_a_bound(monkeypatch):
    b = _deadline_backlog()
    monkeypatch.setattr(pd_module, "EXACT_ITEMS", 0)
    p = probable_delay(b, SPREAD)
    # from CD3 (the best on point durations), moving `due` ahead of `big` lowers the mean;
    # no other single move lowers it further (a local optimum, not the exact one above)
    assert p.best == "searched" and p.best_order == ["quick", "due", "big", "slow"]
    assert "moving one item at a time lowered it further (1 move)" in p.method
    order = p.best_order
    moves = {}
    for i, j in itertools.permutations(range(len(order)), 2):
        moved = order[:i] + order[i + 1 :]
        moved.insert(j, order[i])
        moves[f"{i}-{j}"] = moved
    again = probable_delay(b, SPREAD, orders={"chosen": order, **moves})
    assert again.orders["chosen"].mean == pytest.approx(p.orders[p.best].mean)
    assert all(again.orders[k].mean >= p.orders[p.best].mean - 1e-6 for k in moves)
    # a bound of 4 finishes per trial-week cell: the first move is found, then it stops
    weeks = p.horizon_weeks
    monkeypatch.setattr(pd_module, "MAX_WORK", 10_000 * 4 * weeks)
    bounded = probable_delay(b, SPREAD)
    assert bounded.trials == 10_000
    assert f"stopped at its bound of {10_000 * 4 * weeks:,} cells compared" in bounded.method


def test_same_seed_same_figures_another_seed_other_figures():
    b = _deadline_backlog()
    one = probable_delay(b, SPREAD, seed=7).to_json()
    assert probable_delay(b, SPREAD, seed=7).to_json() == one
    other = probable_delay(b, SPREAD, seed=8).to_json()
    assert other["orders"]["given"]["mean"] != one["orders"]["given"]["mean"]


def test_the_work_cap_reduces_trials_and_says_so(monkeypatch):
    # 10 items of work at 2 a week: done in week 5, and week 6 is drawn as a margin. Three
    # items x 6 weeks = 18 cells a trial; a cap of 45,000 leaves 2,500 trials.
    b = Backlog(items=[_item("a", 1, size=4), _item("b", 2, size=4), _item("c", 3, size=2)])
    monkeypatch.setattr(pd_module, "MAX_WORK", 45_000)
    p = probable_delay(b, TWO)
    assert p.horizon_weeks == 6 and p.trials == 2_500 and p.trials_asked == 10_000
    assert any("2,500 trials instead of 10,000" in w for w in p.warnings)
    # a, b, c finish at weeks 2, 4 and 5: 1 x 2 + 2 x 4 + 3 x 5 = 25 in the given order
    assert p.orders["given"].mean == pytest.approx(25)
    monkeypatch.setattr(pd_module, "MAX_WORK", 1_000)
    refused = probable_delay(b, TWO)
    assert refused.orders == {} and refused.best_order == [] and refused.trials == 0
    assert "even at 1,000 trials" in refused.note


def test_a_backlog_beyond_the_horizon_is_refused_with_its_size():
    b = Backlog(items=[_item("huge", 1, size=600)])
    p = probable_delay(b, [1.0] * 12)
    assert p.orders == {} and "about 600 weeks" in p.note and "520-week horizon" in p.note


def test_an_item_without_size_items_is_sized_from_its_weeks_and_named():
    b = Backlog(items=[_item("sized", 1, size=5), _item("guess", 1, weeks=2)])
    p = probable_delay(b, [2.0, 4.0] * 6)  # mean 3 items a week
    assert p.sizes == {"sized": 5, "guess": 6}
    assert p.sized_from_duration == ["guess"]
    (warning,) = p.warnings
    assert "guess" in warning and "sized" not in warning.replace("guess", "")
    assert "3.00 items a week" in warning


@pytest.mark.parametrize(
    ("series", "why"),
    [
        ([], "no whole week (Monday to Sunday, UTC) lies inside the observation window"),
        ([0.0] * 20, "no item was finished in the last 12 whole weeks"),
        ([3.0] + [0.0] * 12, "no item was finished in the last 12 whole weeks"),
        ([0.0], "no item was finished in the last whole week"),
    ],
)
def test_a_series_with_nothing_finished_gives_a_note_instead_of_figures(series, why):
    p = probable_delay(_mixed(), series)
    assert p.note == f"No probable cost of delay: {why}."
    assert p.orders == {} and p.items == {} and p.to_json()["note"] == p.note


def test_a_short_history_is_said_to_be_short():
    p = probable_delay(_mixed(), [2.0, 2.0, 2.0])
    assert any("Only 3 whole weeks" in w for w in p.warnings)
    assert p.orders["given"].mean == pytest.approx(615)


def test_bad_calls_are_refused():
    b = _mixed()
    with pytest.raises(ValueError, match="finite and 0 or more"):
        probable_delay(b, [2.0, -1.0])
    with pytest.raises(ValueError, match="not an order of the backlog"):
        probable_delay(b, TWO, orders={"given": ["a", "b"]})
    with pytest.raises(ValueError, match="trials"):
        probable_delay(b, TWO, trials=10)


def test_the_orders_compared_include_wsjf_only_when_every_item_has_scores():
    wsjf = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}
    scored = Backlog(items=[_item("a", 10, size=2, wsjf=wsjf), _item("b", 5, size=2, wsjf=wsjf)])
    assert set(candidate_orders(analyse(scored))) == {"given", "cd3", "wsjf", "best"}
    half = Backlog(items=[_item("a", 10, size=2, wsjf=wsjf), _item("b", 5, size=2)])
    assert set(candidate_orders(analyse(half))) == {"given", "cd3", "best"}


def test_size_items_reads_from_csv_and_yaml_and_is_checked():
    csv = "id,name,cost_of_delay_per_week,duration_weeks,size_items\nA,Alpha,10,2,6\nB,Beta,5,1,\n"
    b = parse_backlog_csv(csv)
    assert [it.size_items for it in b.items] == [6, None]
    y = parse_backlog_yaml(
        "items:\n  - {id: a, name: A, cost_of_delay_per_week: 1, duration_weeks: 1, "
        "size_items: 2.5}\n"
    )
    assert y.items[0].size_items == 2.5
    bad = "id,name,cost_of_delay_per_week,duration_weeks,size_items\nA,Alpha,10,2,0\n"
    with pytest.raises(BacklogError) as caught:
        parse_backlog_csv(bad, "b.csv")
    assert str(caught.value.problems[0]).startswith("b.csv: row 2: size_items:")


# ---------------------------------------------------------------- the command line

EXAMPLES = ROOT / "examples"
ITEMS = str(EXAMPLES / "evidence" / "transitions.csv")
STATUSES = str(EXAMPLES / "evidence" / "statuses.yaml")


def test_delay_with_throughput_adds_probable_to_the_json(capsys):
    backlog = str(EXAMPLES / "backlog.yaml")
    args = ["delay", backlog, "--throughput", ITEMS, "--statuses", STATUSES, "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(["delay", backlog, "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in doc.items() if k != "probable"} == plain  # nothing else moves
    probable = doc["probable"]
    for key in ("trials", "sample_weeks", "orders", "best_order", "method", "items", "warnings"):
        assert key in probable
    # the example's design-system item has no WSJF scores: no WSJF order is compared
    assert set(probable["orders"]) == {"given", "cd3", "best", "searched"}
    for odds in probable["orders"].values():
        assert {"order", "mean", "p50", "p85"} <= set(odds) and odds["p50"] <= odds["p85"]
    chosen = probable["orders"][probable["best"]]
    assert chosen["order"] == probable["best_order"]
    assert all(chosen["mean"] <= o["mean"] for o in probable["orders"].values())
    assert set(probable["items"]) == {it["id"] for it in doc["items"]}
    # the same weeks the `evidence` command's forecast draws from
    assert main(["evidence", ITEMS, "--statuses", STATUSES, "--json"]) == 0
    evidence = json.loads(capsys.readouterr().out)
    assert probable["sample_weeks"] == evidence["forecast"]["sample_weeks"] == 12
    # and the figures the domain gives for those weeks
    aside = SetAside()
    ev = analyse_evidence(read_items(ITEMS, aside), aside, load_status_map(STATUSES))
    weekly = throughput_of(ev).weekly
    again = probable_delay(load_backlog(backlog), weekly).to_json()
    assert json.loads(json.dumps(again)) == probable


def test_delay_with_throughput_prints_a_table(capsys):
    backlog = str(EXAMPLES / "backlog.yaml")
    assert main(["delay", backlog, "--throughput", ITEMS, "--seed", "3", "--trials", "2000"]) == 0
    out = capsys.readouterr().out
    assert "Probable cost of delay (durations from the team's throughput forecast):" in out
    assert "2,000 trials, each week drawn from the last 12 whole weeks" in out
    assert "Best order on the expected cost: " in out
    assert "Chosen on the expected cost over 2,000 trials of the team's throughput" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("Your order"))
    assert row.count("USD") == 3
    assert "Finish in that order, weeks from now (P50 / P85):" in out


def test_delay_with_bad_throughput_input_exits_2_naming_it(tmp_path, capsys):
    backlog = tmp_path / "b.csv"
    backlog.write_text("id,name,cost_of_delay_per_week,duration_weeks,size_items\nA,Alpha,1,2,-1\n")
    assert main(["delay", str(backlog), "--throughput", ITEMS]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{backlog}: row 2: size_items: Input should be greater than 0"
    ]
    good = str(EXAMPLES / "backlog.yaml")
    missing = tmp_path / "nope.csv"
    assert main(["delay", good, "--throughput", str(missing)]) == 2
    assert capsys.readouterr().err.startswith(f"{missing}: cannot be read")
    assert main(["delay", good, "--statuses", STATUSES]) == 2
    assert capsys.readouterr().err.strip() == "arguments: --statuses: needs --throughput"
    assert main(["delay", good, "--throughput", ITEMS, "--trials", "5"]) == 2
    assert capsys.readouterr().err.strip() == "arguments: --trials: must be 1,000 to 100,000"
    broken = tmp_path / "items.csv"
    broken.write_text("key,type\nA-1,Story\n")
    assert main(["delay", good, "--throughput", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(str(broken)) and "from_status" in err
