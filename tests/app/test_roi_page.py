import re

import pytest

from advisor.roi import parameters, parse_scenario
from tests.app.conftest import assert_clean, chart_frames, shown, upload
from tests.conftest import ROOT

PAGE = "advisor/ui/roi_page.py"
EXAMPLE = ROOT / "examples" / "roi.yaml"


def _open(app, kind="team"):
    """The page, started from a template: the team example's figures are worked in these
    tests; the page's own default is the platform purchase (test_the_platform_template...)."""
    app.switch_page(PAGE).run()
    assert_clean(app)
    if kind != "platform":
        app.radio(key="roi_template").set_value(kind)
        app.button(key="roi_reset").click().run()
        assert_clean(app)
    return app


def _table_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _editor_key(at, prefix):
    if prefix == "roi_ranges_":
        return at.session_state["roi"].ranges_key
    return f"{prefix}{at.session_state['roi'].version}"


def _edit(at, prefix, edited=None, added=None, deleted=None):
    key = _editor_key(at, prefix)
    at.session_state[key] = {
        "edited_rows": edited or {},
        "added_rows": added or [],
        "deleted_rows": deleted or [],
    }
    return at.run()


def test_default_scenario_shows_summary_metrics_and_charts(app):
    at = _open(app)
    text = shown(at.success[0])
    assert text.startswith("Investing 1.7M USD over 3 years returns an NPV of 200.7k USD")
    assert "pays back in month 22 (discounted: month 23)" in text
    assert "simulated futures it loses money" in text
    assert "Licence priced at LinearB Essentials, 19 USD per seat-month" in text
    assert _metric(at, "NPV") == "200.7k USD"
    assert _metric(at, "IRR (annual)") == "55.0%"
    cash = chart_frames(at, 0)[0]
    assert len(cash) == 36 and {"p10", "p90"} <= set(cash.columns)
    assert (cash["p10"] <= cash["p90"]).all()
    labels = [b.label for b in at.get("download_button")]
    assert "Download the scenario (YAML)" in labels
    assert "Download the monthly table (CSV)" in labels


def test_editing_the_team_changes_the_cost(app):
    at = _open(app)
    before = _metric(at, "Total cost")
    _edit(at, "roi_team_v", edited={0: {"count": 4}})
    assert_clean(at)
    assert _metric(at, "Total cost") != before
    # 2 more engineers at 180,000 a year for 36 months
    lines = _table_with(at, "formula")
    team = lines[lines["line"] == "cost: Team: Backend engineer"].iloc[0]
    assert team["total"] == 4 * 180000 * 3
    assert team["numbers"] == (
        "count 4, annual cost 180,000 -> 60,000 USD a month x 36 months = 2,160,000 USD"
    )


def test_adding_a_row_and_switching_pages_keeps_the_edit(app):
    at = _open(app)
    _edit(
        at,
        "roi_team_v",
        added=[{"role": "Designer", "count": 1, "annual_cost": 120000, "start_month": 0}],
    )
    assert_clean(at)
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    labels = set(_table_with(at, "formula")["line"])
    assert "cost: Team: Designer" in labels


def test_bad_values_show_a_message_and_keep_the_page(app):
    at = _open(app)
    _edit(at, "roi_team_v", edited={0: {"count": -2}})
    assert_clean(at)
    error = shown(at.error[0])
    assert "team[0].count" in error and "at least 0" in error
    assert not at.metric, "no results from a bad scenario"
    assert at.text_input(key="roi_w_name").value == "Onboarding squad"
    _edit(at, "roi_team_v", edited={0: {"count": 2}})
    assert not at.error and _metric(at, "NPV") == "200.7k USD"


def test_ranges_feed_the_simulation_and_tornado(app, catalog):
    at = _open(app)
    key = _editor_key(at, "roi_ranges_")
    paths = [p.path for p in parameters(parse_scenario(EXAMPLE.read_text()), catalog)]
    index = paths.index("team[0].annual_cost")  # the page lists parameters in the same order
    at.session_state[key] = {
        "edited_rows": {index: {"low": 150000, "high": 260000}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    tornado = chart_frames(at, 2)[0]
    assert "Backend engineer: annual cost" in set(tornado["input"])


def test_simulation_can_be_switched_off(app):
    at = _open(app)
    at.selectbox(key="roi_w_runs").set_value(0).run()
    assert_clean(at)
    assert "P10" not in shown(at.success[0])
    assert _metric(at, "NPV") == "200.7k USD"


def test_loading_scenarios_good_then_bad(app):
    at = _open(app)
    text = EXAMPLE.read_bytes().replace(b"Onboarding squad", b"Loaded squad")
    upload(at, "roi_upload", ("mine.yaml", text, "application/x-yaml"))
    assert at.text_input(key="roi_w_name").value == "Loaded squad"
    bad = b"name: x\nhorizon_months: 500\ndiscount_rate: -2\n"
    upload(at, "roi_upload", ("bad.yaml", bad, "application/x-yaml"))
    error = shown(at.error[0])
    assert "bad.yaml:2: horizon_months" in error and "bad.yaml:3: discount_rate" in error
    assert at.text_input(key="roi_w_name").value == "Loaded squad"
    assert at.metric, "the previous scenario still shows its results"


def test_a_vendor_without_price_asks_for_a_quote(app):
    at = _open(app)
    at.selectbox(key="roi_w_pf_vendor").set_value("jellyfish").run()
    assert_clean(at)
    assert "price_per_seat_month" in shown(at.error[0]) and "quote" in shown(at.error[0])
    at.number_input(key="roi_w_pf_quote").set_value(45.0).run()
    assert not at.error and at.metric


def test_platform_is_prefilled_from_the_advisor(app):
    app.number_input(key="q_engineers").set_value(250).run()
    at = _open(app)
    assert at.number_input(key="roi_w_pf_seats").value == 250
    assert at.selectbox(key="roi_w_pf_vendor").value == "linearb"


def test_build_versus_buy(app):
    at = _open(app)
    at.checkbox(key="roi_w_bb_on").check().run()
    assert_clean(at)
    text = next(shown(i) for i in at.info if shown(i).startswith("Over 36 months, buying"))
    assert "no insight for the first 12 months" in text


def _captions(at) -> str:
    return " | ".join(shown(c) for c in at.caption)


def test_seats_follow_the_advisor_until_the_user_edits_them(app):
    at = _open(app)
    at.checkbox(key="roi_w_bb_on").check().run()
    assert at.number_input(key="roi_w_pf_seats").value == 120
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.number_input(key="q_engineers").set_value(300).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    # One screen, one head count: the licence, build versus buy and the caption agree.
    assert at.number_input(key="roi_w_pf_seats").value == 300
    assert at.number_input(key="roi_w_bb_seats").value == 300
    assert "Follows the Advisor (engineers: 300)" in _captions(at)
    licence = _table_with(at, "formula")
    row = licence[licence["line"] == "cost: Licence: LinearB"].iloc[0]
    assert row["numbers"].startswith("seats 300, ")

    at.number_input(key="roi_w_pf_seats").set_value(50).run()
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.number_input(key="q_engineers").set_value(400).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert at.number_input(key="roi_w_pf_seats").value == 50, "an edit is never overwritten"
    assert "Edited by you; the Advisor says 400" in _captions(at)
    assert at.number_input(key="roi_w_bb_seats").value == 400, "the untouched field follows"
    at.button(key="roi_w_pf_seats_refollow").click().run()
    assert at.number_input(key="roi_w_pf_seats").value == 400


def test_several_sign_changes_lead_with_mirr(app):
    at = _open(app)
    _edit(
        at,
        "roi_oneoffs_v",
        added=[{"name": "Second rebuild", "amount": 3_000_000, "month": 30}],
    )
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert labels.index("MIRR (annual)") < labels.index("IRR (annual)")
    assert any("MIRR comes first" in shown(c) for c in at.caption)


def test_the_platform_template_is_the_default_and_checks_the_advisors_budget(app):
    at = _open(app, "platform")
    name = at.text_input(key="roi_w_name").value
    assert name.startswith("Buying ") and "Onboarding" not in name
    captions = " ".join(shown(c) for c in at.caption)
    # the default answers: 120 engineers, 60,000 USD a year; the Advisor's vendor's list price
    licence = re.search(r"Licence: ([\d,]+) USD a year \(120 seats x ([\d.]+) USD", captions)
    assert licence, captions
    assert float(licence[1].replace(",", "")) == pytest.approx(120 * float(licence[2]) * 12)
    assert "within the Advisor's platform budget of 60,000 USD a year" in captions
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.number_input(key="q_budget").set_value(1000.0).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    warning = " ".join(shown(w) for w in at.warning)
    assert "over the Advisor's platform budget of 1,000 USD a year by" in warning


def test_a_rerun_that_changes_nothing_it_reads_does_not_simulate_again(app, monkeypatch):
    """The sidebar's notes, a catalog left as it was: the last analysis is shown again (the
    10,000-run simulation ran on every rerun of the page). A changed input, or a catalog
    uploaded by this session, analyses afresh."""
    import advisor.ui.roi as page

    at = _open(app)
    runs = []
    real = page.analyse
    monkeypatch.setattr(page, "analyse", lambda *a, **k: runs.append(1) or real(*a, **k))
    npv = _metric(at, "NPV")
    at.text_area(key="scn_notes").set_value("a note for the finance partner").run()
    assert_clean(at)
    assert runs == [] and _metric(at, "NPV") == npv
    at.number_input(key="roi_w_rate").set_value(30.0).run()
    assert_clean(at)
    assert runs == [1] and _metric(at, "NPV") != npv
    at.session_state["roi"].analysed = (*at.session_state["roi"].analysed[:1], "other", None)
    at.run()  # what it read no longer matches: computed again, never the stale result
    assert runs == [1, 1]


def test_a_whole_scenario_file_loads_its_roi_part_and_says_so(app):
    """The page's loader listed a whole scenario's parts (answers, backlog...) as unknown
    fields; it now takes the ROI part, or says the scenario has none, and keeps the page."""
    at = _open(app)
    whole = (ROOT / "examples" / "scenarios" / "scaleup.yaml").read_bytes()
    upload(at, "roi_upload", ("scaleup.yaml", whole, "application/x-yaml"))
    assert at.text_input(key="roi_w_name").value == "Review and flow improvement"
    assert any("ROI model of the whole scenario" in shown(t) for t in at.toast)
    team = (ROOT / "examples" / "scenarios" / "team-search.yaml").read_bytes()
    upload(at, "roi_upload", ("team-search.yaml", team, "application/x-yaml"))
    assert any("whole scenario with no ROI model" in shown(w) for w in at.warning)
    assert at.text_input(key="roi_w_name").value == "Review and flow improvement"
    broken = whole.replace(b"horizon_months: 36", b"horizon_months: 900")
    upload(at, "roi_upload", ("broken.yaml", broken, "application/x-yaml"))
    assert "broken.yaml:18: roi.horizon_months" in shown(at.error[0])
