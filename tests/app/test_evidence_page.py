from tests.app.conftest import assert_clean, shown, upload
from tests.conftest import ROOT

PAGE = "advisor/ui/evidence_page.py"
DATA = ROOT / "tests" / "data" / "evidence"


def _open(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def _sample(at):
    at.button(key="evidence_sample").click().run()
    assert_clean(at)
    return at


def test_the_sample_shows_every_section_and_finds_the_review_bottleneck(app):
    at = _sample(_open(app))
    subheaders = [s.value for s in at.subheader]
    for title in ("Where work waits", "Flow and SEI", "DORA", "DX Core 4", "Forecast"):
        assert title in subheaders
    text = " ".join(shown(c) for c in at.caption)
    assert "development 89%" in text
    labels = {m.label for m in at.metric}
    assert {"Change lead time", "Flow time", "Effectiveness", "Deployment frequency"} <= labels
    assert any("never for ranking" in shown(c) for c in at.caption)


def test_send_to_the_advisor_then_it_says_the_weights_were_measured(app):
    at = _sample(_open(app))
    at.button(key="evidence_to_advisor").click().run()
    assert_clean(at)
    at.switch_page("advisor/ui/advisor_page.py").run()
    assert_clean(at)
    assert at.slider(key="q_bn_development").value == 89
    assert any("Measured from your data" in shown(i) for i in at.info)
    at.slider(key="q_bn_development").set_value(50).run()
    assert any("Changed by you since" in shown(c) for c in at.caption)


def test_send_to_the_roi_page_adds_a_downtime_lever(app):
    at = _sample(_open(app))
    at.button(key="evidence_to_roi").click().run()
    assert_clean(at)
    at.switch_page("advisor/ui/roi_page.py").run()
    assert_clean(at)
    lines = next(d.value for d in at.dataframe if "formula" in d.value.columns)
    assert any("measured from" in line for line in lines["line"])


def test_a_good_upload_then_a_bad_one_keeps_the_good(app):
    at = _open(app)
    upload(at, "evidence_up_items", ("items.csv", (DATA / "items.csv").read_bytes(), "text/csv"))
    assert any(m.label == "Flow time" for m in at.metric)
    bad = b"key,type,to_status\nA,Story,Done\n"
    upload(at, "evidence_up_items", ("broken.csv", bad, "text/csv"))
    error = shown(at.error[0])
    assert "broken.csv" in error and "from_status" in error and "changed_at" in error
    assert any(m.label == "Flow time" for m in at.metric), "the good file stays"
    unusable = b"key,type,from_status,to_status,changed_at\n,Story,,To Do,2026-01-05T09:00:00Z\n"
    upload(at, "evidence_up_items", ("keyless.csv", unusable, "text/csv"))
    assert "keyless.csv: no row has both a key" in shown(at.error[0])
    assert any(m.label == "Flow time" for m in at.metric), "the good file stays"


def test_editing_the_status_map_changes_the_bottleneck(app):
    at = _sample(_open(app))
    editor = at.session_state["evidence_map_key"]
    statuses = sorted(
        [
            "To Do",
            "Discovery",
            "Awaiting Approval",
            "Ready for Development",
            "In Progress",
            "Code Review",
            "Ready for Release",
            "Releasing",
            "Done",
        ]
    )
    row = statuses.index("Code Review")  # the table lists statuses in sorted order
    at.session_state[editor] = {
        "edited_rows": {row: {"active": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    text = " ".join(shown(c) for c in at.caption)
    assert "development 89%" not in text
    assert "deployment" in text.split("waiting days inside flow time")[1].split(".")[0]


def test_the_forecast_fills_a_backlog_items_duration(app):
    at = app.switch_page("advisor/ui/delay_page.py").run()  # the backlog exists
    at = _sample(_open(at))
    at.number_input(key="ev_fc_items").set_value(100).run()
    at.selectbox(key="ev_fc_target").set_value("metrics-platform").run()
    at.button(key="ev_fc_fill").click().run()
    assert_clean(at)
    backlog = at.session_state["delay_good"]
    weeks = next(it.duration_weeks for it in backlog.items if it.id == "metrics-platform")
    assert weeks > 6  # 100 items at about 8 a week: more than the 6 weeks it had
    assert any("now takes" in shown(s) for s in at.success)
