"""Value realised, worked by hand: a plan's downtime lever against deployments before and
after the approval, a lever with nothing measured, the forecast at completion, outcome cards
that measure themselves, and the price of the bottleneck."""

import datetime as dt

import numpy as np
import pytest

from advisor.evidence import SetAside, analyse_evidence, read_deployments, read_items
from advisor.evidence.status_map import parse_status_map
from advisor.realise import realise, sentence, wait_lever
from advisor.realise.change import compare
from advisor.roi import analyse
from advisor.roi.schema import scenario_from_dict
from advisor.scenario import Approval, scenario_from_data

SINCE = dt.date(2026, 3, 15)  # the approval: 73 days after 2026-01-01, 73 days before 05-27
STATUSES = """
statuses:
  To Do: {stage: backlog, active: false}
  In Progress: {stage: development, active: true}
  Code Review: {stage: development, active: false}
  Done: {stage: done, active: false}
types: {Story: feature}
"""
# Deployments: before, 4 (2 failed, recovered in 6 h and 10 h); after, 10 a week apart (1
# failed, recovered in 2 h). Every successful one has its first commit 3 days (before) or
# 1 day (after) earlier.
BEFORE = [("2026-01-10", None), ("2026-01-30", 6), ("2026-02-20", 10), ("2026-03-05", None)]
AFTER = [
    (str(dt.date(2026, 3, 20) + dt.timedelta(weeks=i)), 2 if i == 3 else None) for i in range(10)
]
# Items finished after the approval wait 0, 7, 14 and 21 days in Code Review.
WAITS = [7, 14, 0, 21]


def _deployments_csv() -> str:
    rows = ["id,deployed_at,commit_at,status,recovered_at,unplanned"]
    for i, (day, hours) in enumerate(BEFORE + AFTER):
        at = dt.datetime.fromisoformat(day + "T12:00:00+00:00")
        lead = 3 if i < len(BEFORE) else 1
        commit = (at - dt.timedelta(days=lead)).isoformat()
        if hours is None:
            rows.append(f"d{i},{at.isoformat()},{commit},success,,false")
        else:
            back = (at + dt.timedelta(hours=hours)).isoformat()
            rows.append(f"d{i},{at.isoformat()},{commit},failed,{back},false")
    return "\n".join(rows) + "\n"


def _items_csv() -> str:
    rows = ["key,type,from_status,to_status,changed_at,created_at,team"]

    def item(key, start: dt.datetime, wait: float, team="Core"):
        t0 = start.isoformat()
        t1 = (start + dt.timedelta(days=1)).isoformat()
        rows.append(f"{key},Story,,To Do,{t0},{t0},{team}")
        rows.append(f"{key},Story,To Do,In Progress,{t0},{t0},{team}")
        if wait:
            t2 = (start + dt.timedelta(days=1 + wait)).isoformat()
            rows.append(f"{key},Story,In Progress,Code Review,{t1},{t0},{team}")
            rows.append(f"{key},Story,Code Review,Done,{t2},{t0},{team}")
        else:
            rows.append(f"{key},Story,In Progress,Done,{t1},{t0},{team}")

    utc = dt.UTC
    item("B1", dt.datetime(2026, 1, 1, tzinfo=utc), 2)  # the window starts here
    item("B2", dt.datetime(2026, 1, 20, tzinfo=utc), 3)
    for i, wait in enumerate(WAITS):
        item(f"A{i}", dt.datetime(2026, 4, 1, tzinfo=utc), wait)
    # the window ends 2026-05-27 00:00 UTC: an item still in progress
    rows.append("Z,Story,,To Do,2026-05-27T00:00:00+00:00,2026-05-27T00:00:00+00:00,Core")
    return "\n".join(rows) + "\n"


PLAN = {
    "name": "Payments platform",
    "currency": "USD",
    "horizon_months": 12,
    "discount_rate": 0.0,
    "one_off_costs": [{"name": "Platform setup", "amount": 20000, "month": 0}],
    "benefits": [
        {
            "name": "Downtime avoided",
            "downtime_avoided": {
                "deploys_per_year_before": 12,
                "deploys_per_year_after": 52,
                "change_fail_rate_before": 0.5,
                "change_fail_rate_after": 0.1,
                "recovery_hours_before": 8,
                "recovery_hours_after": 2,
                "cost_per_hour": 1000,
            },
        },
        {"name": "Revenue from faster releases", "annual_value": 10000},
    ],
}
ANSWERS = {
    "engineers": 40,
    "budget_per_year": 40000,
    "currency": "USD",
    "bottlenecks": {"development": 1},
    "maturity": "medium",
    "leadership_readiness": "medium",
    "sentiment_priority": "low",
}


def _scenario(**parts):
    return scenario_from_data(
        {"name": "Payments", "created": "2026-01-01", "answers": ANSWERS, "roi": PLAN, **parts}
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("realise")
    (folder / "items.csv").write_text(_items_csv())
    (folder / "deployments.csv").write_text(_deployments_csv())
    aside = SetAside()
    items = read_items(str(folder / "items.csv"), aside)
    deploys = read_deployments(folder / "deployments.csv", "deployments.csv", aside)
    ev = analyse_evidence(items, aside, parse_status_map(STATUSES), deploys)
    return ev, deploys


APPROVAL = Approval(
    version=3, by="finance@example.org", at=dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC)
)


def test_the_downtime_lever_realised_by_hand(files):
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL)
    downtime = r.levers[0]
    f = downtime.figures
    # 73 days a side: a year is 5 sides, so deploys a year = 5 x the count on each side.
    assert f["deploys_per_year"].before == pytest.approx(20)
    assert f["deploys_per_year"].after == pytest.approx(50)
    assert (f["change_fail_rate"].before, f["change_fail_rate"].after) == (0.5, 0.1)
    assert f["failed_deployment_recovery_time"].before == pytest.approx(8 / 24)  # 6 h, 10 h
    assert f["failed_deployment_recovery_time"].after == pytest.approx(2 / 24)
    assert f["change_fail_rate"].n_before == 4 and f["change_fail_rate"].n_after == 10
    # (20 x 0.5 x 8 h - 50 x 0.1 x 2 h) x 1,000 an hour = 70,000 a year.
    assert downtime.realised_annual == pytest.approx(70_000)
    # Planned: (12 x 0.5 x 8 - 52 x 0.1 x 2) x 1,000 = 37,600 a year, 3,133.33 a month.
    assert downtime.planned_annual == pytest.approx(37_600)
    months = 73 / (365.25 / 12)  # 2.3984 months from the approval to the data's end
    assert r.months == pytest.approx(months)
    assert downtime.planned_to_date == pytest.approx(37_600 / 12 * months)  # 7,514.85
    assert downtime.realised_to_date == pytest.approx(70_000 / 12 * months)  # 13,990.42
    assert downtime.variance == pytest.approx(32_400 / 12 * months)  # 6,475.57
    assert downtime.status == "measured"


def test_a_lever_with_no_measured_figure_is_not_measured_never_met(files):
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL)
    revenue = r.levers[1]
    assert revenue.status == "not_measured"
    assert revenue.realised_to_date is None and revenue.variance is None
    assert "not measured" in revenue.how
    # the totals hold the measured lever only; the other's plan is said apart
    months = r.months
    assert r.totals.planned_to_date == pytest.approx(37_600 / 12 * months)
    assert r.totals.realised_to_date == pytest.approx(70_000 / 12 * months)
    assert r.totals.planned_to_date_not_measured == pytest.approx(10_000 / 12 * months)
    assert any("never assumed met" in w for w in r.warnings)


def test_the_forecast_at_completion_and_its_npv_by_hand(files):
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL)
    months = r.months
    # realised to date (downtime) + the plan for the months left (both levers); nothing to
    # date for the lever not measured
    fac = 70_000 / 12 * months + (37_600 + 10_000) / 12 * (12 - months)
    assert r.totals.forecast_at_completion == pytest.approx(fac)
    # at a 0% rate the NPV is the sum: forecast benefits - the 20,000 setup
    assert r.totals.forecast_at_completion_npv == pytest.approx(fac - 20_000)
    assert r.totals.planned_npv == pytest.approx(47_600 - 20_000)
    doc = r.to_json()
    assert doc["plan"] == {
        "version": 3,
        "approved_by": "finance@example.org",
        "approved_at": "2026-03-15T09:00:00+00:00",
        "start": "2026-03-15",
    }
    assert doc["levers"][0]["figures"]["change_fail_rate"]["n_after"] == 10


def test_the_plan_npv_equals_the_roi_models(files):
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL)
    plan = scenario_from_dict({**PLAN, "discount_rate": 0.1})
    r10 = realise(_scenario(roi={**PLAN, "discount_rate": 0.1}), ev, deploys, approval=APPROVAL)
    assert r10.totals.planned_npv == pytest.approx(analyse(plan, simulations=0).npv)
    assert r.totals.planned_benefit == pytest.approx(47_600)


def _outcome(metric, target, **more):
    return {
        "currency": "USD",
        "items": [
            {
                "id": "faster",
                "name": "Faster releases",
                "cost_of_delay_per_week": 1000,
                "duration_weeks": 2,
                "outcome": {
                    "owner": "Ana",
                    "measure": {"metric": metric, "target": target, **more},
                },
            },
            {
                "id": "typed",
                "name": "Typed by hand",
                "cost_of_delay_per_week": 500,
                "duration_weeks": 1,
                "outcome": {"metric": "NPS", "actual": "up 4 points"},
            },
        ],
    }


def test_an_outcome_linked_to_change_lead_time_reads_met_or_missed_from_the_data(files):
    ev, deploys = files
    # after the approval, 9 successful deployments, each 1 day from first commit
    met = realise(
        _scenario(backlog=_outcome("change_lead_time", 2.0)), ev, deploys, approval=APPROVAL
    )
    card = met.outcomes[0]
    assert card["actual"] == pytest.approx(1.0) and card["before"] == pytest.approx(3.0)
    assert card["status"] == "met" and card["source"] == "measured" and card["n_after"] == 9
    assert met.outcomes[1]["status"] == "typed" and met.outcomes[1]["actual"] == "up 4 points"
    missed = realise(
        _scenario(backlog=_outcome("change_lead_time", 0.5)), ev, deploys, approval=APPROVAL
    )
    assert missed.outcomes[0]["status"] == "missed"
    # from 2026-05-10 only 2 deployments follow: too early to tell
    early = realise(
        _scenario(backlog=_outcome("change_lead_time", 2.0, since="2026-05-10")),
        ev,
        deploys,
        approval=APPROVAL,
    )
    assert early.outcomes[0]["status"] == "too_early"


def test_the_price_of_the_bottleneck_by_hand_and_its_lever_in_the_roi_model(files):
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL, cost_of_delay_per_item_week=1000)
    p = r.bottleneck_price
    assert p["stage"] == "development" and p["status"] == "Code Review"
    # after the approval: 4 items finished in 73 days = 20 a year; waits 0, 7, 14, 21
    # days: 25th / 50th / 75th percentiles 5.25, 10.5, 15.75 days
    per_year = 4 * 365 / 73
    assert p["items_per_year"] == pytest.approx(per_year)
    assert p["waiting_days"] == pytest.approx({"low": 5.25, "likely": 10.5, "high": 15.75})
    assert p["value_per_year"]["likely"] == pytest.approx(per_year * 10.5 / 7 * 1000)
    assert p["value_per_year"]["low"] == pytest.approx(per_year * 5.25 / 7 * 1000)
    assert p["per_week_removed"] == pytest.approx(per_year * 1000)
    # one click: the lever, valued by the ROI model at the same money
    lever = wait_lever(p)
    assert lever["name"] == "Wait removed at Code Review"
    roi = scenario_from_dict(
        {"name": "Remove the wait", "horizon_months": 12, "discount_rate": 0, "benefits": [lever]}
    )
    assert analyse(roi, simulations=0).total_benefit == pytest.approx(p["value_per_year"]["likely"])


def test_the_price_from_the_backlogs_cost_of_delay(files):
    ev, deploys = files
    r = realise(
        _scenario(backlog=_outcome("change_lead_time", 2.0)), ev, deploys, approval=APPROVAL
    )
    p = r.bottleneck_price
    # (1,000 + 500) a week over 2 backlog items of one work item each = 750 per item-week
    assert p["cost_of_delay_per_item_week"] == pytest.approx(750)
    assert p["cost_of_delay_source"] == "backlog"
    assert any("size_items" in w for w in r.warnings)


def test_a_plan_with_no_approval_needs_a_date_and_the_date_needs_data_on_both_sides(files):
    from advisor.errors import EvidenceError

    ev, deploys = files
    with pytest.raises(EvidenceError, match="not approved"):
        realise(_scenario(), ev, deploys)
    with pytest.raises(EvidenceError, match="leaves nothing on one side"):
        realise(_scenario(), ev, deploys, since=dt.date(2027, 1, 1))
    r = realise(_scenario(), ev, deploys, since=SINCE)
    assert any("no approval" in w for w in r.warnings)


# ---------------------------------------------------------------- is the change real


def test_a_planted_change_is_found_and_no_change_is_not():
    rng = np.random.default_rng(11)
    before = rng.lognormal(np.log(6), 0.5, 60)
    after = rng.lognormal(np.log(4), 0.5, 60)
    found = compare(before, after, seed=1)
    assert found.real and found.interval[1] < 0 and found.p_value < 0.01
    same = compare(before, rng.lognormal(np.log(6), 0.5, 60), seed=1)
    assert not same.real and same.interval[0] < 0 < same.interval[1]


def test_the_rate_of_false_alarms_over_many_seeds_is_about_five_percent():
    # 300 pairs drawn from one distribution: a test at 5% raises about 15 false alarms;
    # these seeds raise 12 (4.0%).
    alarms = 0
    for seed in range(300):
        rng = np.random.default_rng(seed)
        c = compare(rng.exponential(5, 30), rng.exponential(5, 30), seed=seed, resamples=999)
        alarms += bool(c.real)
    rate = alarms / 300
    assert rate == pytest.approx(0.04)


def test_too_few_values_cannot_tell_and_say_so(files):
    c = compare([1, 2, 3], [4, 5, 6, 7, 8])
    assert c.real is None and c.p_value is None and c.interval is None
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL)
    text = sentence(r.figures["failed_deployment_recovery_time"])
    assert "fell from 8.0 hours to 2.0 hours" in text and "cannot tell" in text


def test_a_linked_benefit_follows_its_plans_ramp_at_the_realised_value(files):
    ev, deploys = files
    ramped = {
        "name": "Revenue from faster releases",
        "annual_value": 12_000,
        "start_month": 1,
        "ramp_months": 2,
        "measure": {"metric": "change_lead_time", "expected_change": -0.5},
    }
    r = realise(_scenario(roi={**PLAN, "benefits": [ramped]}), ev, deploys, approval=APPROVAL)
    lever = r.levers[0]
    # lead time 3 days before, 1 after: -66.7% against -50% expected, 133.3% attained
    assert lever.realised_annual == pytest.approx(12_000 * (2 / 3) / 0.5)
    # the plan's profile: month 0 nothing, month 1 half, month 2 on in full; 2.398 months
    profile = 0 + 0.5 + (r.months - 2) * 1
    assert lever.planned_to_date == pytest.approx(1_000 * profile)
    assert lever.realised_to_date == pytest.approx(16_000 / 12 * profile)
    assert lever.variance > 0  # more attained than planned reads as ahead of plan


def test_a_lever_whose_change_could_be_chance_is_said_so_and_totalled_apart(files):
    ev, deploys = files
    r = realise(_scenario(), ev, deploys, approval=APPROVAL)
    downtime = r.levers[0]
    # 4 deployments before the approval: too few to test the change fail rate
    assert downtime.clear is False and "Change fail rate" in downtime.unclear
    assert r.totals.realised_to_date_clear == 0.0
    assert r.to_json()["levers"][0]["could_be_chance"] == downtime.unclear


def test_a_team_the_exports_do_not_hold_is_named_not_read_as_too_early(files):
    from advisor.errors import EvidenceError

    ev, deploys = files
    backlog = _outcome("cycle_time", 8.0, team="Nosuch")
    with pytest.raises(EvidenceError, match=r"'Nosuch', which the exports do not hold.*Core"):
        realise(_scenario(backlog=backlog), ev, deploys, approval=APPROVAL)


@pytest.mark.parametrize(
    "metric, target, words",
    [("change_fail_rate", 15, "share from 0 to 1"), ("change_lead_time", -3, "negative")],
)
def test_an_impossible_outcome_target_is_refused(metric, target, words):
    from advisor.errors import ScenarioError

    with pytest.raises(ScenarioError, match=words):
        _scenario(backlog=_outcome(metric, target))
