import json

import pytest

from tests.app.conftest import assert_clean, chart_frames, shown, upload


def _top(at) -> str:
    return shown(at.success[0])


def test_default_answers_rank_sei_and_explain_it(app):
    assert "Start with Software Engineering Intelligence (SEI)" in _top(app)
    assert len(app.expander) >= 5
    assert any("What would change the answer" in shown(i) for i in app.info)
    assert_clean(app)


def test_changing_answers_changes_the_ranking(app):
    app.slider(key="q_bn_development").set_value(0)
    app.slider(key="q_bn_deployment").set_value(100)
    app.number_input(key="q_budget").set_value(10000.0)
    app.number_input(key="q_engineers").set_value(80)
    app.radio(key="q_maturity").set_value("low").run()
    assert_clean(app)
    assert "Start with DORA metrics" in _top(app)


def test_contributions_chart_holds_the_same_numbers_as_the_cli(app, catalog):
    from advisor.answers import Answers
    from advisor.scoring import recommend

    rec = recommend(
        Answers(
            engineers=120,
            budget_per_year=60000,
            currency="USD",
            bottlenecks={"development": 70, "deployment": 30},
        ),
        catalog,
    )
    [frame] = chart_frames(app, 0)
    for s in rec.ranking:
        rows = frame[frame["category"] == s.short_name]
        assert list(rows["points"]) == [c.points for c in s.contributions]
        assert rows["points"].sum() == pytest.approx(s.score)
    metrics = {m.label: m.value for m in app.metric}
    for s in rec.ranking:
        assert metrics[s.short_name] == f"{s.score:.1f}"


def test_all_zero_bottlenecks_show_a_clear_message_and_keep_the_page(app):
    for loc in ("ideation", "development", "deployment", "operations", "support"):
        app.slider(key=f"q_bn_{loc}").set_value(0)
    app.run()
    assert_clean(app)
    assert "bottlenecks" in shown(app.error[0]) and "above 0" in shown(app.error[0])
    assert app.slider(key="q_bn_development").value == 0  # the form is still there


def test_answers_survive_a_page_switch(app):
    app.radio(key="q_leadership_readiness").set_value("high").run()
    app.number_input(key="q_engineers").set_value(333).run()
    app.switch_page("advisor/ui/catalog_page.py").run()
    assert_clean(app)
    app.switch_page("advisor/ui/advisor_page.py").run()
    assert app.number_input(key="q_engineers").value == 333
    assert app.radio(key="q_leadership_readiness").value == "high"


def test_uploading_answers_good_then_bad(app):
    good = (
        b"engineers: 600\nbudget_per_year: 900000\nbottlenecks: {ideation: 0.4, "
        b"operations: 0.3, support: 0.3}\nmaturity: high\nleadership_readiness: high\n"
    )
    upload(app, "answers_upload", ("good.yaml", good, "application/x-yaml"))
    assert "Value Stream Management" in _top(app)
    assert app.number_input(key="q_engineers").value == 600

    bad = b"engineers: -3\nbudget_per_year: lots\nbottlenecks: {deploy: 1}\n"
    upload(app, "answers_upload", ("bad.yaml", bad, "application/x-yaml"))
    message = shown(app.error[0])
    assert "bad.yaml:1: engineers" in message and "bad.yaml:3: bottlenecks" in message
    assert "Value Stream Management" in _top(app), "a bad upload keeps the previous answers"


def test_vendor_filters_and_downloads(app):
    app.multiselect(key="vendor_budget").set_value(["fits", "fits at one plan only"]).run()
    assert_clean(app)
    frame = app.dataframe[-1].value
    assert set(frame["budget"]) <= {"fits", "fits at Essentials only", "fits at Lite only"}
    # 120 engineers x 19-59 USD x 12 = 27,360-84,960 USD against a budget of 60,000 USD
    linearb = frame[frame["vendor"] == "LinearB"].iloc[0]
    assert linearb["budget"] == "fits at Essentials only"
    labels = [b.label for b in app.get("download_button")]
    assert "Download vendor table (CSV)" in labels
    assert "Download these answers (YAML)" in labels


def test_every_bar_stacks_its_contributions_in_the_same_order(app):
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    field = spec["encoding"]["order"]["field"]
    [frame] = chart_frames(app, 0)
    assert field in frame.columns, "the stacking order must be a field of the data"
    for _, rows in frame.groupby("category"):
        assert list(rows.sort_values(field)["factor"]) == [
            "Bottleneck fit",
            "Budget fit",
            "Maturity and readiness",
            "Sentiment fit",
            "Bottleneck first",
        ]


def test_an_unsupported_currency_is_refused_as_in_the_cli(app):
    text = b"engineers: 50\nbudget_per_year: 1000\ncurrency: JPY\nbottlenecks: {deployment: 1}\n"
    upload(app, "answers_upload", ("yen.yaml", text, "application/x-yaml"))
    message = shown(app.error[0])
    assert "yen.yaml:3: currency: 'JPY' is not supported; use one of USD, EUR, GBP" in message
    assert app.selectbox(key="q_currency").value == "USD", "the answers are unchanged"
    assert app.number_input(key="q_engineers").value == 120
