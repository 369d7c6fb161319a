import pytest

from tests.app.conftest import assert_clean, figures, reloaded, shown, tables, upload
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
    labels = set(figures(at))
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


def _says(at, text: str) -> bool:
    return any(text in shown(s) for s in at.success)


def test_a_sent_confirmation_stays_through_other_runs_while_it_is_true(app):
    """A confirmation shown once and forgotten vanished when any other run (another widget,
    a second request from the browser) came between the click and the screen."""
    at = _sample(_open(app))
    at.button(key="evidence_to_roi").click().run()
    at.run()  # a run nobody asked for: the lever is still the one sent
    assert _says(at, "Added to the ROI page's benefits")
    at.button(key="evidence_to_advisor").click().run()
    at.run()
    assert _says(at, "The Advisor now uses these weights")
    assert _says(at, "Added to the ROI page's benefits")
    cost = next(n for n in at.number_input if str(n.key).startswith("ev_roi_cost_"))
    cost.set_value(20_000.0).run()  # the lever on screen is no longer the one sent
    assert not _says(at, "Added to the ROI page's benefits")
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.slider(key="q_bn_development").set_value(50).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert not _says(at, "The Advisor now uses these weights")  # changed there since


def test_send_to_the_roi_page_adds_a_downtime_lever(app):
    at = _sample(_open(app))
    at.button(key="evidence_to_roi").click().run()
    assert_clean(at)
    lever = at.session_state["_inbox_levers"][-1]["downtime_avoided"]
    # entered in percent on the page (half the measured rate), a fraction in the scenario
    before = lever["change_fail_rate_before"]
    assert 0 < before < 1 and lever["change_fail_rate_after"] == pytest.approx(before / 2, 1e-3)
    at.switch_page("advisor/ui/roi_page.py").run()
    assert_clean(at)
    lines = next(d.value for d in at.dataframe if "formula" in d.value.columns)
    assert any("measured from" in line for line in lines["line"])
    import re

    lever = next(shown(m) for m in at.markdown if "Downtime avoided (measured from" in shown(m))
    assert re.search(r"change fail rate before \d+\.\d%", lever), lever  # not 0.1016
    assert re.search(r"cost per hour 10,000 [A-Z]{3}", lever), lever


def _reopened(at):
    """A new session opening, by its address, the version `at` just saved."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params["scenario"] = at.query_params["scenario"]
    fresh.query_params["version"] = at.query_params["version"]
    fresh.run()
    return fresh


def test_a_saved_scenario_with_a_measured_lever_reopens_on_the_roi_page(app):
    """A stored lever keeps its unused fields as null; the ROI page drew them as numbers."""
    at = _sample(_open(app))
    at.button(key="evidence_to_roi").click().run()
    at.switch_page("advisor/ui/roi_page.py").run()
    at.button(key="scn_save").click().run()
    assert_clean(at)
    fresh = _reopened(at)
    fresh.switch_page("advisor/ui/roi_page.py").run()
    assert_clean(fresh)
    assert any("Downtime avoided (measured from" in shown(m) for m in fresh.markdown)


def test_a_good_upload_then_a_bad_one_keeps_the_good(app):
    at = _open(app)
    upload(at, "evidence_up_items", ("items.csv", (DATA / "items.csv").read_bytes(), "text/csv"))
    assert "Flow time" in figures(at)
    bad = b"key,type,to_status\nA,Story,Done\n"
    upload(at, "evidence_up_items", ("broken.csv", bad, "text/csv"))
    error = shown(at.error[0])
    assert "broken.csv" in error and "from_status" in error and "changed_at" in error
    assert "Flow time" in figures(at), "the good file stays"
    unusable = b"key,type,from_status,to_status,changed_at\n,Story,,To Do,2026-01-05T09:00:00Z\n"
    upload(at, "evidence_up_items", ("keyless.csv", unusable, "text/csv"))
    assert "keyless.csv: no row has both a key" in shown(at.error[0])
    assert "Flow time" in figures(at), "the good file stays"
    at.run()  # any other action keeps the message while the file is in its uploader
    assert "keyless.csv" in shown(at.error[0])
    at.switch_page("advisor/ui/report_page.py").run()
    _open(at)  # leaving the page empties the uploaders: the message about one goes too
    assert not at.error and "Flow time" in figures(at)


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


IDS = ("dx_core_4", "change_fail_rate", "deployment_frequency", "flow_time", "cycle_time")


def _visible(at) -> str:
    """Every text the page shows: metrics, captions, markdown, tables' headers and cells."""
    parts = [f"{k} {v}" for k, v in figures(at).items()]
    parts += [shown(e) for e in (*at.caption, *at.markdown, *at.warning, *at.info)]
    for frame in (*(d.value for d in at.dataframe), *tables(at)):
        parts += [str(c) for c in (*frame.columns, frame.index.name)]
        parts += [str(v) for v in (*frame.index, *frame.to_numpy().ravel())]
    return " ".join(parts)


def test_every_figure_reads_with_its_unit_and_label_never_an_id(app):
    at = _sample(_open(app))
    text = _visible(at)
    for raw in IDS:
        assert raw not in text, raw
    values = figures(at)
    assert values["Change fail rate"].endswith("%")
    assert values["Flow time"].endswith("days")
    assert values["Deployment frequency"] == "5.6 a week"
    assert values["Failed deployment recovery time"] == "9.0 hours"
    import re

    # No figure printed with more than a few decimals (1.180011574074074 read raw before).
    assert not re.search(r"\d\.\d{5,}", " ".join(values.values()))
    assert values["Deployment days"] == "4.0 a week"


def test_the_rule_sets_table_and_the_readiness_checklist_are_shown(app):
    at = _sample(_open(app))
    assert "What your data can support" in [s.value for s in at.subheader]
    rules = next(t for t in tables(at) if t.index.name == "rule set")
    assert {"Platform Advisor", "Apache DevLake (2023 rules)", "Jellyfish"} <= set(rules.index)
    jellyfish = rules.loc["Jellyfish"]
    assert jellyfish["Change fail rate"] == "not public"
    checklist = " ".join(shown(m) for m in at.markdown)
    assert "Pull-request data" in checklist and "Items with a complete history" in checklist


def test_readiness_appears_beside_each_category_on_the_advisor(app):
    at = _sample(_open(app))
    at.button(key="evidence_to_advisor").click().run()
    at.switch_page("advisor/ui/advisor_page.py").run()
    assert_clean(at)
    lines = [shown(c) for c in at.caption if shown(c).startswith("Your data:")]
    assert len(lines) == 4 and all(" of " in line and "met" in line for line in lines)


def test_jira_issues_and_the_status_list_upload_together(app):
    at = _open(app)
    issues = {
        "issues": [
            {
                "key": "PAY-1",
                "fields": {
                    "issuetype": {"name": "Story"},
                    "created": "2026-01-05T09:00:00.000+0000",
                    "status": {"name": "Shipped", "statusCategory": {"key": "done"}},
                    "project": {"id": "100", "key": "PAY"},
                },
                "changelog": {
                    "total": 2,
                    "histories": [
                        {
                            "id": "2",
                            "created": "2026-01-08T09:00:00.000+0000",
                            "items": [
                                {"field": "status", "fromString": "Building", "toString": "Shipped"}
                            ],
                        },
                        {
                            "id": "1",
                            "created": "2026-01-06T09:00:00.000+0000",
                            "items": [
                                {"field": "status", "fromString": "Queued", "toString": "Building"}
                            ],
                        },
                    ],
                },
            }
        ]
    }
    statuses = [
        {"name": "Queued", "statusCategory": {"key": "new"}},
        {"name": "Building", "statusCategory": {"key": "indeterminate"}},
        {"name": "Shipped", "statusCategory": {"key": "done"}},
    ]
    import json

    upload(
        at,
        "evidence_up_items",
        [
            ("issues.json", json.dumps(issues).encode(), "application/json"),
            ("status.json", json.dumps(statuses).encode(), "application/json"),
        ],
    )
    assert not at.error
    table = next(d.value for d in at.dataframe if "source" in d.value.columns)
    rules = table.set_index("status")
    assert rules.loc["Shipped", "stage"] == "done" and rules.loc["Shipped", "source"] == "category"
    assert rules.loc["Queued", "stage"] == "backlog"
    assert figures(at)["Flow time"] == "2.0 days"
    # no deployments file: the rule sets' box is off, and nothing warns about a table not asked for
    assert at.checkbox(key="ev_rules").disabled
    assert not any("deployments file" in w.value for w in at.warning)


def test_a_window_set_on_the_page_changes_the_rates(app):
    import datetime as dt

    at = _sample(_open(app))
    before = figures(at)["Deployment frequency"]
    at.date_input(key="ev_from").set_value(dt.date(2026, 6, 1)).run()
    at.date_input(key="ev_to").set_value(dt.date(2026, 6, 30)).run()
    assert_clean(at)
    after = figures(at)["Deployment frequency"]
    assert after != before
    assert any("2026-06-01 00:00 to 2026-07-01 00:00 UTC" in shown(c) for c in at.caption)


def test_the_uploader_and_the_server_share_the_apps_upload_limit():
    """The upload limit is the app's alone: the command line reads files of any size within
    its memory budget, and the page's note says so."""
    import tomllib

    from advisor.evidence.limits import MEMORY_NOTE, UPLOAD_MB
    from advisor.ui.pages import evidence

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_MB
    assert evidence.UPLOAD_MB == UPLOAD_MB
    assert UPLOAD_MB >= 20, "sized for real exports: tens of MB"
    assert "command line" in MEMORY_NOTE and "--memory-mb" in MEMORY_NOTE


def test_measured_figures_beyond_any_input_bound_draw_the_page(app):
    """6,000 deployments in a day and a half (1.6 million a year), one failure recovered
    three years later: the downtime lever's inputs once refused these values and the page
    stopped before DX Core 4."""
    import datetime as dt

    at = _open(app)
    upload(at, "evidence_up_items", ("items.csv", (DATA / "items.csv").read_bytes(), "text/csv"))
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    rows = ["id,deployed_at,commit_at,status,recovered_at"]
    for i in range(6_000):
        at_ = start + dt.timedelta(seconds=20 * i)
        failed = i == 0
        recovered = (at_ + dt.timedelta(days=3 * 365)).isoformat() if failed else ""
        rows.append(
            f"d{i},{at_.isoformat()},{(at_ - dt.timedelta(hours=1)).isoformat()},"
            f"{'failed' if failed else 'success'},{recovered}"
        )
    upload(at, "evidence_up_deployments", ("burst.csv", "\n".join(rows).encode(), "text/csv"))
    assert not at.error
    assert "DX Core 4" in [s.value for s in at.subheader]
    assert "Forecast" in [s.value for s in at.subheader]


def test_a_history_of_twenty_years_draws_every_chart(app):
    """One item from 2006 beside the sample stretched the flow diagram to 5,370 rows, over
    the charting library's 5,000: the page stopped."""
    at = _open(app)
    sample = (ROOT / "examples" / "evidence" / "transitions.csv").read_text()
    old = (
        "Z-1,Story,Team A,,To Do,2006-01-05T09:00:00Z,2006-01-05T09:00:00Z\n"
        "Z-1,Story,Team A,To Do,In Progress,2006-01-06T09:00:00Z,2006-01-05T09:00:00Z\n"
        "Z-1,Story,Team A,In Progress,Done,2006-01-09T09:00:00Z,2006-01-05T09:00:00Z\n"
    )
    upload(at, "evidence_up_items", ("long.csv", (sample + old).encode(), "text/csv"))
    assert not at.error
    assert len(at.get("vega_lite_chart")) >= 3
    at.date_input(key="ev_from").set_value(__import__("datetime").date(2026, 1, 1)).run()
    assert_clean(at)
    assert "Forecast" in [s.value for s in at.subheader]


def test_a_reopened_scenario_says_where_its_weights_and_readiness_came_from(app):
    at = _sample(_open(app))
    at.button(key="evidence_to_advisor").click().run()
    at.button(key="scn_save").click().run()
    assert_clean(at)
    fresh = _reopened(at)
    assert_clean(fresh)
    assert any("Measured from your data" in shown(i) for i in fresh.info)
    assert len([c for c in fresh.caption if shown(c).startswith("Your data:")]) == 4


def test_a_refused_file_taken_out_of_its_uploader_keeps_the_file_in_use(app):
    at = _sample(_open(app))
    assert "Change fail rate" in figures(at)
    upload(at, "evidence_up_deployments", ("onecol.csv", b"id\nd1\n", "text/csv"))
    assert "onecol.csv" in shown(at.error[0]) and "Change fail rate" in figures(at)
    at.file_uploader(key="evidence_up_deployments").set_value(None)  # its chip removed
    at.run()
    assert_clean(at)
    assert not at.error and "Change fail rate" in figures(at), "the sample's stays in use"
    upload(
        at,
        "evidence_up_deployments",
        ("good.csv", (DATA / "deployments.csv").read_bytes(), "text/csv"),
    )
    at.file_uploader(key="evidence_up_deployments").set_value(None)  # a file in use, removed
    at.run()
    assert "Change fail rate" not in figures(at)


def test_table_cells_are_shown_as_text(app):
    """st.table renders Markdown in its cells: a missing figure's "-" became a bullet and a
    team named in Markdown would have rendered."""
    at = _open(app)
    header = "key,type,team,from_status,to_status,changed_at\n"
    rows = "".join(
        f"K-{i},Story,**{team}**,,In Progress,2026-01-0{day}T09:00:00Z\n"
        f"K-{i},Story,**{team}**,In Progress,Code Review,2026-01-1{day}T09:00:00Z\n"
        f"K-{i},Story,**{team}**,Code Review,Done,2026-01-2{day}T09:00:00Z\n"
        for i, (team, day) in enumerate((("Red", 5), ("Red", 6), ("Blue", 7)))
    )
    upload(at, "evidence_up_items", ("items.csv", (header + rows).encode(), "text/csv"))
    raw = [
        str(v)
        for t in at.table
        for v in (*t.value.columns, *t.value.index, *t.value.to_numpy().ravel())
    ]
    assert "\\*\\*Red\\*\\*" in raw  # escaped, so it reads **Red**, not bold Red
    assert "-" not in raw and "\\-" in raw  # a missing figure, not a list bullet
    assert any("**Red**" in t.columns for t in tables(at))  # as a person reads it


def test_a_reload_keeps_the_files_the_map_edits_and_the_measured_note(app, monkeypatch):
    """A reload in the same browser (its draft cookie): the Evidence page, its status-map
    edits and the Advisor's 'measured from your data' note are all still there."""
    from streamlit.testing.v1 import AppTest

    from advisor.ui import scenarios
    from tests.app.conftest import APP

    at = _sample(_open(app))
    at.session_state[at.session_state["evidence_map_key"]] = {
        "edited_rows": {1: {"active": True}},  # Code Review... whichever row 1 is: an edit
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    edits = at.session_state["evidence_map_edits"]
    assert edits
    at.button(key="evidence_to_advisor").click().run()
    at.switch_page("advisor/ui/advisor_page.py").run()
    fresh = reloaded(at, monkeypatch)
    assert any("Measured from your data" in shown(i) for i in fresh.info)
    fresh.switch_page(PAGE).run()
    assert_clean(fresh)
    assert fresh.session_state["evidence_map_edits"] == edits
    assert "items: sample transitions.csv" in " ".join(shown(c) for c in fresh.caption)
    assert "Where work waits" in [s.value for s in fresh.subheader]
    # another browser gets none of it
    monkeypatch.setattr(scenarios, "_browser_draft_id", lambda: None)
    other = AppTest.from_file(APP, default_timeout=30).run()
    other.switch_page(PAGE).run()
    assert "Where work waits" not in [s.value for s in other.subheader]


def test_files_beyond_what_a_draft_keeps_are_said_to_need_a_new_upload(app, monkeypatch):
    """Only the files that do not fit are left out (a large export took the small map and
    survey with it), and after the reload the page names them."""

    from advisor.ui import workspace
    from advisor.ui.pages.evidence import SAMPLE

    folder = ROOT / "examples" / "evidence"
    sizes = {kind: (folder / name).stat().st_size for kind, name in SAMPLE.items()}
    largest = max(sizes, key=sizes.get)
    monkeypatch.setattr(workspace, "KEPT_BYTES", sum(sizes.values()) - sizes[largest])
    at = _sample(_open(app))
    warning = " ".join(shown(w) for w in at.warning)
    assert f"after a reload, upload sample {SAMPLE[largest]} again" in warning
    fresh = reloaded(at, monkeypatch)
    fresh.switch_page(PAGE).run()
    assert_clean(fresh)
    assert set(fresh.session_state["evidence_files"]) == set(sizes) - {largest}
    warning = " ".join(shown(w) for w in fresh.warning)
    assert "Not kept across the reload" in warning and f"sample {SAMPLE[largest]}" in warning


def test_a_refused_replacement_brings_back_the_file_it_replaced(app):
    """Choosing another file in a one-file uploader empties it first (the file in use left),
    then sends the new one: when that one was refused, nothing was left in use."""
    at = _sample(_open(app))
    good = (DATA / "deployments.csv").read_bytes()
    upload(at, "evidence_up_deployments", ("good.csv", good, "text/csv"))
    assert "Change fail rate" in figures(at)
    at.file_uploader(key="evidence_up_deployments").set_value(None)  # the browser empties it
    at.run()
    assert "Change fail rate" not in figures(at)
    upload(at, "evidence_up_deployments", ("onecol.csv", b"id\nd1\n", "text/csv"))
    assert "onecol.csv" in shown(at.error[0])
    assert "Change fail rate" in figures(at), "good.csv is back in use"
    assert any("deployments: good.csv" in shown(c) for c in at.caption)
    at.file_uploader(key="evidence_up_deployments").set_value(None)  # the refused one removed
    at.run()
    assert "Change fail rate" in figures(at), "taking out a refused file keeps the one in use"
