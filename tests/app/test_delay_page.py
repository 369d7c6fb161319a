from advisor.delay_io import parse_backlog_csv
from tests.app.conftest import assert_clean, chart_frames, shown, upload
from tests.conftest import ROOT

PAGE = "advisor/ui/delay_page.py"


def _open(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def _edit(at, edited=None, added=None, deleted=None):
    key = f"delay_items_v{at.session_state['delay_v']}"
    at.session_state[key] = {
        "edited_rows": edited or {},
        "added_rows": added or [],
        "deleted_rows": deleted or [],
    }
    return at.run()


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_default_backlog_ranks_and_charts(app):
    at = _open(app)
    assert _metric(at, "CD3 instead of your order saves") == "187,000 USD"
    lines = chart_frames(at, 0)[0]
    assert set(lines["order"]) == {"Your order", "CD3", "WSJF", "Best found"}
    final = lines.groupby("order")["cumulative delay cost"].max()
    assert final["Best found"] <= final["CD3"] <= final["Your order"]
    assert any("holiday-campaign" in shown(w) and "owner" in shown(w) for w in at.warning)
    assert shown(at.info[0]) == (
        "Delaying Self-serve onboarding by 6 weeks (from week 6 in the best order found) "
        "costs about 120,000 USD."
    )


def test_editing_the_backlog_updates_the_orders(app):
    at = _open(app)
    _edit(at, edited={1: {"cost_of_delay_per_week": 90000}})
    assert_clean(at)
    cd3 = chart_frames(at, 0)[0]
    first = cd3[(cd3["order"] == "CD3") & (cd3["item"] != "start")].iloc[0]["item"]
    assert first == "metrics-platform"


def test_a_bad_edit_names_row_and_column_and_keeps_the_last_good_backlog(app):
    at = _open(app)
    _edit(at, edited={0: {"duration_weeks": 0}})
    assert_clean(at)
    error = shown(at.error[0])
    assert "row 1" in error and "duration_weeks" in error and "greater than 0" in error
    assert _metric(at, "CD3 instead of your order saves") == "187,000 USD"


def test_import_good_csv_then_bad_csv(app):
    at = _open(app)
    good = b"id,name,cost_of_delay_per_week,duration_weeks\nA,Alpha,10,2\nB,Beta,30,4\n"
    upload(at, "delay_upload", ("b.csv", good, "text/csv"))
    assert _metric(at, "CD3 instead of your order saves") == "20 USD"
    bad = (
        b"id,name,cost_of_delay_per_week,duration_weeks,urgency\n"
        b"A,Alpha,ten,2,standard\nB,Beta,30,4,someday\n"
    )
    upload(at, "delay_upload", ("bad.csv", bad, "text/csv"))
    error = shown(at.error[0])
    assert "bad.csv: row 2: cost_of_delay_per_week" in error
    assert "bad.csv: row 3: urgency" in error
    assert _metric(at, "CD3 instead of your order saves") == "20 USD", "previous backlog kept"


def test_import_yaml_example_and_missing_column(app):
    at = _open(app)
    text = (ROOT / "examples" / "backlog.yaml").read_bytes()
    upload(at, "delay_upload", ("backlog.yaml", text, "application/x-yaml"))
    items = set(chart_frames(at, 0)[0]["item"])
    assert "design-system" in items and len(items - {"start"}) == 5
    missing = b"id,name,duration_weeks\nA,Alpha,2\n"
    upload(at, "delay_upload", ("m.csv", missing, "text/csv"))
    assert "m.csv: cost_of_delay_per_week: required column is missing" in shown(at.error[0])


def test_exports_are_offered_and_formula_safe(app):
    at = _open(app)
    _edit(at, edited={0: {"name": '=HYPERLINK("http://x","y")'}})
    assert_clean(at)
    labels = [b.label for b in at.get("download_button")]
    assert {"Export CSV", "Export YAML"} <= set(labels)
    from advisor.delay_io import backlog_frame
    from advisor.report import safe_csv

    backlog = at.session_state["delay_good"]
    text = safe_csv(backlog_frame(backlog))
    assert "'=HYPERLINK" in text
    assert parse_backlog_csv(text).items[0].name.startswith("=HYPERLINK")
    # a bare carriage return in a name reads back as the same text
    first = backlog.items[0].model_copy(update={"name": "Line one\rline two"})
    odd = backlog.model_copy(update={"items": [first, *backlog.items[1:]]})
    back = parse_backlog_csv(safe_csv(backlog_frame(odd)))
    assert back.items[0].name == "Line one\rline two" and len(back.items) == len(odd.items)


def test_a_fixed_date_item_on_its_deadline_costs_its_slip(app):
    at = _open(app)
    at.selectbox(key="delay_item").set_value("gdpr-export").run()
    at.selectbox(key="delay_from_order").set_value("given").run()
    assert_clean(at)
    # Your order: onboarding 4 + metrics platform 6 + export 3 = week 13, past its deadline
    # of 9, so it already costs 15,000 x 13; six more weeks add 15,000 x 6.
    assert shown(at.info[0]) == (
        "Delaying Data export for the regulator by 6 weeks (from week 13 in your order) "
        "costs about 90,000 USD."
    )
    at.selectbox(key="delay_from_order").set_value("best").run()
    text = shown(at.info[0])
    assert "costs about 0 USD" not in text


def test_the_users_order_can_be_changed_by_position(app):
    at = _open(app)
    before = _metric(at, "CD3 instead of your order saves")
    _edit(at, edited={0: {"position": 9}})
    assert_clean(at)
    assert _metric(at, "CD3 instead of your order saves") != before
    frames = [d.value for d in at.dataframe if "finish (week)" in d.value.columns]
    yours = frames[0]
    assert yours["item"].iloc[-1] == "Self-serve onboarding"
    assert yours["start (week)"].iloc[0] == 0


def test_markdown_in_names_is_shown_as_text(app):
    at = _open(app)
    evil = "![x](http://127.0.0.1:9/x.png) **bold** <b>tag</b>"
    _edit(at, edited={0: {"name": evil}})
    assert_clean(at)
    listed = [m.value for m in at.markdown if "x\\.png" in m.value]
    assert len(listed) >= 4, "the name appears in each of the four order lists"
    assert all("![x]" not in m and "**bold**" not in m and "<b>" not in m for m in listed)
    assert all("\\!\\[x\\]" in m and "\\*\\*bold\\*\\*" in m for m in listed)


def test_a_whole_scenario_file_imports_its_backlog_and_says_so(app):
    at = _open(app)
    whole = (ROOT / "examples" / "scenarios" / "scaleup.yaml").read_bytes()
    upload(at, "delay_upload", ("scaleup.yaml", whole, "application/x-yaml"))
    assert any("backlog of the whole scenario" in shown(t) for t in at.toast)
    names = {n for d in at.dataframe if "name" in d.value.columns for n in d.value["name"]}
    assert {"WIP limits per team", "New checkout"} <= names
