"""The Value realised page in AppTest: the example closes the loop in one click, nothing
raises on an empty session, the scenario keeps what was measured, and a stored version is
approved from the page."""

import pytest

from advisor.wording import MISSING
from tests.app.conftest import assert_clean, shown, tables

PAGE = "advisor/ui/realise_page.py"


@pytest.fixture
def realised(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def test_an_empty_session_says_what_is_needed(realised):
    text = " ".join(shown(i) for i in realised.info)
    assert "no ROI model" in text and "Evidence page" in text


def test_the_example_closes_the_loop_in_one_click(realised):
    realised.button(key="realise_example").click().run()
    assert_clean(realised)
    lines = " ".join(shown(m) for m in realised.markdown).replace("\u2060", "")
    assert "approved by finance@northwind.example" in lines
    levers = next(t for t in tables(realised) if t.index.name == "Lever")
    assert levers.loc["Hiring avoided", "Status"] == "not measured"
    assert levers.loc["Downtime avoided", "Status"] == "measured"
    assert levers.loc["Hiring avoided", "Realised to date (USD)"] == MISSING  # never a number
    figures = next(t for t in tables(realised) if t.index.name == "Figure")
    assert "Cycle time" in figures.index
    outcomes = next(t for t in tables(realised) if t.index.name == "Item")
    assert set(outcomes["Status"]) <= {"met", "missed", "too early to tell", "typed by hand"}
    assert "typed" in set(outcomes["Measured or typed"])
    assert len(realised.get("vega_lite_chart")) >= 2  # plan against realised, the trend
    # the scenario keeps what was measured: the sidebar would save it
    # what the page measured is what the example carries: nothing unsaved
    assert any("No unsaved changes" in shown(c) for c in realised.sidebar.caption)
    summary = realised.session_state["realised_summary"]
    assert summary["plan"]["approved_by"] == "finance@northwind.example"
    assert {lv["name"] for lv in summary["levers"]} >= {"Downtime avoided", "Hiring avoided"}


def test_the_bottlenecks_price_becomes_an_roi_lever(realised):
    realised.button(key="realise_example").click().run()
    realised.button(key="realise_to_roi").click().run()
    assert_clean(realised)
    assert any("Added to the ROI page" in shown(s) for s in realised.success)
    realised.switch_page("advisor/ui/roi_page.py").run()
    assert_clean(realised)
    names = [b["name"] for b in realised.session_state["roi_last"]["benefits"]]
    assert "Wait removed at Code Review" in names


def test_a_stored_version_is_approved_from_the_page(realised, monkeypatch):
    from advisor.scenario import load_scenario_file
    from advisor.store import Store
    from advisor.ui.examples import example_path
    from advisor.ui.scenarios import store_url

    plan = load_scenario_file(example_path("scenarios") / "northwind-platform.yaml")
    plan = plan.model_copy(update={"approval": None})
    db = Store(store_url())
    db.save(plan)
    realised.run()  # the sidebar lists what the store now holds
    realised.sidebar.selectbox(key="scn_stored").select(plan.name).run()
    realised.sidebar.button(key="scn_open").click().run()
    realised.switch_page("advisor/ui/evidence_page.py").run()
    realised.button(key="evidence_sample").click().run()  # exports from March to July 2026
    realised.switch_page(PAGE).run()
    assert_clean(realised)
    realised.text_input(key="realise_by").input("fin@northwind.example").run()
    realised.button(key="realise_approve").click().run()
    assert_clean(realised)
    approval = db.approval(plan.name)
    assert approval.version == 1 and approval.by == "fin@northwind.example"
    assert any("Version 1 is now the approved plan" in shown(m) for m in realised.success)
    # approved today, after the exports end: said in the page's words, no flag named
    said = " ".join(shown(i) for i in realised.info)
    assert "nothing lies on both sides of it yet" in said and "--since" not in said
    # a later version can be approved in its place
    db.save(plan)
    realised.run()
    realised.sidebar.selectbox(key="scn_stored").select(plan.name).run()
    realised.sidebar.selectbox(key="scn_version").select(2).run()
    realised.sidebar.button(key="scn_open").click().run()
    realised.sidebar.button(key="scn_open_anyway").click().run()  # the measured evidence
    assert_clean(realised)
    labels = [e.label for e in realised.expander]
    assert "Approve version 2 in place of version 1" in labels
    # a reload of the stored version keeps its approval and the exports in use
    from tests.app.conftest import reloaded

    fresh = reloaded(realised, monkeypatch)
    fresh.switch_page(PAGE).run()
    assert_clean(fresh)
    said = " ".join(shown(i) for i in fresh.info)
    assert "not an approved plan" not in said and "Measuring needs" not in said
    assert "Approve version 2 in place of version 1" in [e.label for e in fresh.expander]


def test_the_roi_page_keeps_the_plans_start_date_and_measured_links(realised):
    realised.button(key="realise_example").click().run()
    realised.switch_page("advisor/ui/roi_page.py").run()
    assert_clean(realised)
    roi = realised.session_state["roi_last"]
    assert str(roi["start_date"]) == "2026-06-01"
    linked = {b["name"]: b.get("measure") for b in roi["benefits"]}
    assert linked["Revenue from earlier releases"]["metric"] == "change_lead_time"
    assert linked["Capacity freed by shorter reviews"]["metric"] == "cycle_time"
    text = " ".join(shown(m) for m in realised.markdown)
    assert "measured by change lead time, expected to change -40%" in text
    realised.switch_page(PAGE).run()
    assert_clean(realised)
    levers = next(t for t in tables(realised) if t.index.name == "Lever")
    assert levers.loc["Revenue from earlier releases", "Status"] == "measured"
    # viewing the ROI page changed nothing of the plan: no note that it did
    assert not any("as it was opened" in shown(c) for c in realised.caption)


def test_the_evidence_page_prices_its_bottleneck_and_the_lever_keeps_the_money(app):
    app.switch_page("advisor/ui/evidence_page.py").run()
    app.button(key="evidence_sample").click().run()
    app.number_input(key="ev_price_cost").set_value(500.0).run()
    assert_clean(app)
    price = app.session_state["evidence_price"]
    assert price["cost_of_delay_per_item_week"] == 500.0 and price["status"] == "Code Review"
    likely = price["value_per_year"]["likely"]
    assert likely == pytest.approx(
        price["items_per_year"] * price["waiting_days"]["likely"] / 7 * 500
    )
    app.button(key="evidence_price_to_roi").click().run()
    app.switch_page("advisor/ui/roi_page.py").run()
    assert_clean(app)
    lever = next(
        b for b in app.session_state["roi_last"]["benefits"] if b["name"].startswith("Wait")
    )
    assert lever["annual_value"]["likely"] == pytest.approx(likely)


def test_a_reloaded_tab_with_nothing_changed_opens_the_example_without_asking(app, monkeypatch):
    from tests.app.conftest import reloaded

    fresh = reloaded(app, monkeypatch)
    fresh.switch_page(PAGE).run()
    fresh.button(key="realise_example").click().run()
    assert_clean(fresh)
    assert not any("unsaved changes" in shown(w) for w in fresh.warning)
    assert any(t.index.name == "Lever" for t in tables(fresh))


def test_a_reloaded_tab_with_work_in_it_asks_before_the_example_replaces_it(app, monkeypatch):
    from tests.app.conftest import reloaded

    app.switch_page("advisor/ui/advisor_page.py").run()
    app.number_input(key="q_engineers").set_value(77).run()
    fresh = reloaded(app, monkeypatch)
    fresh.switch_page(PAGE).run()
    fresh.button(key="realise_example").click().run()
    assert_clean(fresh)
    assert any("unsaved changes" in shown(w) for w in fresh.warning)


def test_the_cost_of_delay_page_takes_the_examples_measured_outcome_cards(realised):
    realised.button(key="realise_example").click().run()
    realised.switch_page("advisor/ui/delay_page.py").run()
    assert_clean(realised)
    said = " ".join(shown(e) for e in [*realised.error, *realised.warning])
    assert "outcome_measure" not in said and "Not used" not in said
    kept = realised.session_state["delay_good"]
    assert kept.items[0].outcome.measure.metric == "cycle_time"


def test_a_link_to_the_example_brings_its_exports(app):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    linked = AppTest.from_file(APP, default_timeout=30)
    linked.query_params["example"] = "northwind-platform.yaml"
    linked.run()
    linked.switch_page(PAGE).run()
    assert_clean(linked)
    assert any(t.index.name == "Lever" for t in tables(linked))


def test_the_examples_exports_give_the_cost_of_delay_page_its_throughput(realised):
    realised.button(key="realise_example").click().run()
    realised.switch_page("advisor/ui/delay_page.py").run()
    realised.toggle(key="delay_probable").set_value(True).run()
    assert_clean(realised)
    said = " ".join(shown(i) for i in realised.info)
    assert "Measure the team's throughput on the Evidence page" not in said
    assert any("expected cost" in shown(m) for m in [*realised.markdown, *realised.caption])


def test_an_edit_on_the_roi_page_is_not_the_approved_plan(realised):
    realised.button(key="realise_example").click().run()
    before = realised.session_state["realised_summary"]["total"]
    realised.switch_page("advisor/ui/roi_page.py").run()
    horizon = next(n for n in realised.number_input if n.key.startswith("roi_w_horizon"))
    horizon.set_value(6).run()
    realised.switch_page(PAGE).run()
    assert_clean(realised)
    assert any("as it was opened" in shown(c) for c in realised.caption)
    assert realised.session_state["realised_summary"]["total"] == before


def test_a_benefit_linked_to_a_measured_figure_is_added_on_the_roi_page(app):
    app.switch_page("advisor/ui/roi_page.py").run()
    app.selectbox(key="roi_add_kind").set_value("annual_value").run()
    assert app.button(key="roi_add_button").disabled  # an annual value needs its figure
    app.selectbox(key="roi_add_measure_annual_value").set_value("change_lead_time").run()
    app.number_input(key="roi_add_change_annual_value").set_value(-40.0).run()
    app.button(key="roi_add_button").click().run()
    assert_clean(app)
    added = app.session_state["roi_last"]["benefits"][-1]
    assert added["measure"] == {"metric": "change_lead_time", "expected_change": -0.4}
    assert added["annual_value"] == 100000.0
