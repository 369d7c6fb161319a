"""The Evidence page's Connect panel: it draws without raising, names the credentials it reads
without showing them, and a pull from a local Jira runs in its thread to the end and puts the
pulled files in use on the page."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from advisor.connectors.fakes import USER, FakeGitHub, FakeJira, issue
from advisor.ui import connect_panel
from tests.app.conftest import assert_clean, figures, shown, upload
from tests.conftest import ROOT
from tests.unit.connectors_support import TOKEN

PAGE = "advisor/ui/evidence_page.py"
ITEMS = ROOT / "tests" / "data" / "pulls" / "transitions.csv"
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def jira_env(monkeypatch, tmp_path):
    monkeypatch.setenv("JIRA_USER", USER)
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    monkeypatch.setenv("PLATFORM_ADVISOR_PULLS", str(tmp_path / "pulls"))
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    return tmp_path / "pulls"


def _open(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def _wait_for_the_pull(at) -> None:
    job = connect_panel.job_of(at.session_state["connect_job"])
    job.thread.join(timeout=20)
    assert job.finished


def _buttons(at) -> list[str]:
    return [b.key for b in at.button]


def test_the_panel_draws_and_says_which_credentials_are_set(app, jira_env):
    at = _open(app)
    text = " ".join(shown(c) for c in at.caption)
    assert "JIRA_USER" in text and "JIRA_TOKEN" in text and "set (environment)" in text
    assert TOKEN not in text and USER not in text
    assert str(jira_env / "jira-pull") in text  # where the files go, named after the pull
    at.radio(key="connect_provider").set_value("GitHub").run()
    assert_clean(at)
    assert any("GITHUB_TOKEN" in shown(c) for c in at.caption)
    at.button(key="connect_start").click().run()
    assert_clean(at)
    assert any("OWNER/NAME" in shown(w) for w in at.warning)


def test_a_jira_pull_from_the_panel_completes_and_its_files_are_in_use(app, jira_env, httpserver):
    changes = [(T0 + DAY, "To Do", "In Progress"), (T0 + 3 * DAY, "In Progress", "Done")]
    fake = FakeJira(
        [
            issue(f"PAY-{i}", T0 + i * DAY, [(t + i * DAY, a, b) for t, a, b in changes])
            for i in range(1, 131)
        ]
    )
    site = fake.install(httpserver)
    at = _open(app)
    at.text_input(key="connect_jira_site").input(site)
    at.text_input(key="connect_jira_project").input("PAY").run()
    assert_clean(at)
    at.button(key="connect_start").click().run()
    assert_clean(at)
    _wait_for_the_pull(at)
    at.run()
    assert_clean(at)
    done = " ".join(shown(s) for s in at.success)
    # 130 issues: pages of 100 and 30, two files, and the status list beside them.
    assert "130 issues" in done and "jira-issues-00002.json" in done
    items = at.session_state["evidence_files"]["items"]
    assert [u.name for u in items] == [
        "jira-issues-00001.json",
        "jira-issues-00002.json",
        "jira-statuses.json",
    ]
    assert (jira_env / "jira-PAY" / "pull-state.json").is_file()
    # the page measures the pulled issues: 130 items, 3 transitions each
    assert any("130 items, 390 transitions" in shown(c) for c in at.caption)
    assert TOKEN not in done


def test_cancel_stops_the_pull_after_its_page_and_says_a_rerun_continues(app, jira_env, httpserver):
    gate, asked = threading.Event(), threading.Event()

    class Slow(FakeJira):
        def __call__(self, request):
            if "/search" in request.path:
                asked.set()
                gate.wait(timeout=20)  # the search waits until the test lets it answer
            return super().__call__(request)

    fake = Slow([issue(f"PAY-{i}", T0, []) for i in range(1, 251)])
    site = fake.install(httpserver)
    at = _open(app)
    at.text_input(key="connect_jira_site").input(site)
    at.text_input(key="connect_jira_project").input("PAY").run()
    at.button(key="connect_start").click().run()
    assert_clean(at)
    try:
        assert asked.wait(timeout=10)  # the pull waits on its first search page
        at.run()
        assert at.get("progress") and at.button(key="connect_cancel")  # drawn while it runs
        at.button(key="connect_cancel").click().run()
        assert_clean(at)
    finally:
        gate.set()
    _wait_for_the_pull(at)
    at.run()
    assert_clean(at)
    assert any("Cancelled" in shown(i) for i in at.info)
    # the page in hand when Cancel was clicked is written: 100 of 250 issues
    written = sorted((jira_env / "jira-PAY").glob("jira-issues-*.json"))
    assert [p.name for p in written] == ["jira-issues-00001.json"]


def test_a_github_pull_puts_its_pull_requests_and_deployments_in_use(
    app, monkeypatch, tmp_path, httpserver
):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("PLATFORM_ADVISOR_PULLS", str(tmp_path / "pulls"))
    monkeypatch.chdir(tmp_path)
    # 6 pulls by dev1..dev6: pull n opened at minute 10n, reviewed 3 minutes later, merged 6
    # minutes after opening, 10n lines added and n removed (advisor.connectors.fakes.github)
    github = FakeGitHub("acme/app", pulls=6, per_page_max=4)
    github.add_deployment(1, n=6, states=["success"], minute=120)
    github.install(httpserver)
    at = _open(app)
    upload(at, "evidence_up_items", [("transitions.csv", ITEMS.read_bytes(), "text/csv")])
    at.radio(key="connect_provider").set_value("GitHub").run()
    at.text_input(key="connect_github_repo").input("acme/app")
    at.text_input(key="connect_github_api").input(httpserver.url_for("").rstrip("/")).run()
    at.button(key="connect_start").click().run()
    assert_clean(at)
    _wait_for_the_pull(at)
    at.run()
    assert_clean(at)
    done = " ".join(shown(s) for s in at.success)
    assert "6 pull requests" in done and "as the pull requests: pulls-00001.json" in done
    files = at.session_state["evidence_files"]
    # 6 pulls, 4 a page: two files; the pull's state is not among them
    assert [u.name for u in files["pulls"]] == ["pulls-00001.json", "pulls-00002.json"]
    assert [u.name for u in files["deployments"]] == ["deployments.csv"]
    # the Pull requests section measures them: sizes 11n lines for n = 1..6, median
    # (33 + 44) / 2 = 38.5; pickup 3 minutes each; every pull reviewed
    assert "Pull requests" in [s.value for s in at.subheader]
    shown_figures = figures(at)
    assert shown_figures["PR size"] == "38.5 lines"
    assert shown_figures["Merged without review"] == "0.0%"
    assert TOKEN not in done


def test_a_session_naming_a_folder_being_pulled_shows_that_pull_and_its_end(
    app, jira_env, httpserver
):
    """A reload starts a new session, and another tab is one: naming the folder a pull is
    writing shows that pull (not a Start button that could only be refused), and each
    session watching it gets its end (the first to see it no longer takes it away)."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    gate, asked = threading.Event(), threading.Event()

    class Slow(FakeJira):
        def __call__(self, request):
            if "/search" in request.path:
                asked.set()
                gate.wait(timeout=20)
            return super().__call__(request)

    site = Slow([issue(f"PAY-{i}", T0, []) for i in range(1, 31)]).install(httpserver)
    first = _open(app)
    second = AppTest.from_file(APP, default_timeout=30)
    second.run()
    _open(second)
    try:
        for at in (first, second):
            at.text_input(key="connect_jira_site").input(site)
            at.text_input(key="connect_jira_project").input("PAY").run()
        first.button(key="connect_start").click().run()
        assert asked.wait(timeout=10)
        second.run()
        assert_clean(second)
        assert second.get("progress") and "connect_start" not in _buttons(second)
        assert second.session_state["connect_job"] == first.session_state["connect_job"]
    finally:
        gate.set()
    _wait_for_the_pull(first)
    for at in (first, second):  # both, in either order, say how it ended
        at.run()
        assert_clean(at)
        assert any("30 issues" in shown(s) for s in at.success)
        assert [u.name for u in at.session_state["evidence_files"]["items"]] == [
            "jira-issues-00001.json",
            "jira-statuses.json",
        ]
    # 30 issues in one page: one pull asked for them
    assert sum("/search" in r.path for r, _ in httpserver.log) == 1


def test_cancel_is_said_until_the_pull_stops_and_is_not_offered_twice(app, jira_env, httpserver):
    gate, asked = threading.Event(), threading.Event()

    class Slow(FakeJira):
        def __call__(self, request):
            if "/search" in request.path:
                asked.set()
                gate.wait(timeout=20)
            return super().__call__(request)

    site = Slow([issue(f"PAY-{i}", T0, []) for i in range(1, 31)]).install(httpserver)
    at = _open(app)
    at.text_input(key="connect_jira_site").input(site)
    at.text_input(key="connect_jira_project").input("PAY").run()
    at.button(key="connect_start").click().run()
    try:
        assert asked.wait(timeout=10)
        at.run()
        at.button(key="connect_cancel").click().run()
        at.run()  # a later redraw while the page in hand is still awaited
        assert_clean(at)
        assert any("Cancelling" in shown(c) for c in at.caption)
        assert "connect_cancel" not in _buttons(at)
    finally:
        gate.set()
