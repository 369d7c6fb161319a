"""The Evidence page with pull requests: their figures with units, DX Core 4's speed saying
it is measured from them, and a bad pull-request file refused with its place named while
the good files and figures stay."""

from tests.app.conftest import assert_clean, figures, shown, tables, upload
from tests.conftest import ROOT

PAGE = "advisor/ui/evidence_page.py"
DATA = ROOT / "tests" / "data" / "pulls"


def _with_pulls(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    upload(
        app,
        "evidence_up_items",
        [("transitions.csv", (DATA / "transitions.csv").read_bytes(), "text/csv")],
    )
    upload(
        app,
        "evidence_up_statuses",
        ("statuses.yaml", (DATA / "statuses.yaml").read_bytes(), "application/x-yaml"),
    )
    pulls = (DATA / "github.json").read_bytes()
    upload(app, "evidence_up_pulls", [("github.json", pulls, "application/json")])
    assert not app.error, [shown(e) for e in app.error]
    return app


def _captions(at) -> str:
    return " ".join(shown(c) for c in at.caption)


def test_pull_requests_show_their_figures_and_the_speed_says_its_source(app):
    at = _with_pulls(app)
    assert "Pull requests" in [s.value for s in at.subheader]
    shown_figures = figures(at)
    # worked in tests/unit/test_pulls.py: pickup median 1 day, coding 2 hours, 25% unreviewed
    assert shown_figures["Pickup time"] == "1.0 days"
    assert shown_figures["Coding time"] == "2.0 hours"
    assert shown_figures["Merged without review"] == "25.0%"
    assert shown_figures["PR size"] == "120 lines"
    assert "Speed is measured from merged pull requests" in _captions(at)
    assert "added to development" in _captions(at)
    for login in ("alice", "bob", "carol", "dave"):
        assert login not in _captions(at)


def test_reviewer_groups_of_two_people_are_not_shown(app):
    at = _with_pulls(app)
    # Payments' reviewers are bob and alice, Search's carol and alice (tests/unit/test_pulls.py)
    load = next(t for t in tables(at) if t.index.name == "reviewer group")
    assert list(load["Reviews given"]) == ["not shown (fewer than 3 reviewers)"] * 2
    captions = _captions(at)
    assert "Teams with fewer than 3 authors, not shown: 2" in captions
    assert "Reviewer groups with fewer than 3 reviewers, not shown: 2" in captions


def test_a_bad_pull_request_file_is_named_and_nothing_else_is_lost(app):
    at = _with_pulls(app)
    bad = b'[{"number": 1, "user": {"login": "a"}, "created_at": "soon"}]'
    upload(at, "evidence_up_pulls", [("bad.json", bad, "application/json")])
    error = " ".join(shown(e) for e in at.error)
    assert "bad.json" in error and "pulls[0].created_at" in error
    assert figures(at)["Pickup time"] == "1.0 days", "the good pull requests stay in use"
    assert "Flow time" in figures(at)


def test_without_pull_requests_the_speed_is_a_stated_stand_in(app):
    app.switch_page(PAGE).run()
    upload(
        app,
        "evidence_up_items",
        [("transitions.csv", (DATA / "transitions.csv").read_bytes(), "text/csv")],
    )
    assert_clean(app)
    assert "Speed is a stand-in" in _captions(app)
    assert any("Upload pull requests" in shown(i) for i in app.info)


def test_the_sample_comes_with_its_pull_requests(app):
    app.switch_page(PAGE).run()
    app.button(key="evidence_sample").click().run()
    assert_clean(app)
    assert "Speed is measured from merged pull requests" in _captions(app)
    # the planted review wait: pickup 6.4 days (the command line on the same files)
    assert figures(app)["Pickup time"] == "6.4 days"
    load = next(t for t in tables(app) if t.index.name == "reviewer group")
    assert list(load.index) == ["Team A", "Team B", "Team C"]


def test_editing_the_status_table_keeps_the_maps_repositories(app):
    at = _with_pulls(app)
    load = next(t for t in tables(at) if t.index.name == "reviewer group")
    assert list(load.index) == ["Payments", "Search"]  # named by the map's repositories
    at.session_state[at.session_state["evidence_map_key"]] = {
        "edited_rows": {0: {"active": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    edits = at.session_state["evidence_map_edits"]
    assert "acme/shop: Payments" in edits and "acme/search: Search" in edits
    load = next(t for t in tables(at) if t.index.name == "reviewer group")
    # without the repositories the groups would be GitHub's requested teams
    assert list(load.index) == ["Payments", "Search"]
