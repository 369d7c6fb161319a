"""The Trail page in AppTest: every save and event of the store, newest first, filtered by
scenario, user and event, shown as text; for admins only; a store without a trail says so."""

import pytest
from streamlit.testing.v1 import AppTest

from advisor.access import Principal, Role
from advisor.scenario import load_scenario_file
from advisor.store import Store
from advisor.ui.scenarios import store_url
from tests.app.conftest import assert_clean, shown
from tests.conftest import ROOT

PAGE = "advisor/ui/trail_page.py"
SCENARIOS = ROOT / "examples" / "scenarios"
EVIL = '=HYPERLINK("http://example.org") **bold** <script>'


@pytest.fixture
def stored():
    """Two scenarios of Northwind with a few events, in the order made."""
    db = Store(store_url())
    payments = load_scenario_file(SCENARIOS / "team-payments.yaml")
    search = load_scenario_file(SCENARIOS / "team-search.yaml")
    db.save(payments)
    db.save(search)
    db.save(payments)
    db.comment(payments.name, 1, "ana@example.org", EVIL)
    db.approve(payments.name, 2, "fin@example.org", "agreed")
    db.send_back(search.name, 1, "fin@example.org", "numbers missing")
    return db, payments.name, search.name


def _trail(app: AppTest) -> AppTest:
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def _frame(at: AppTest):
    return at.dataframe[0].value


def test_every_event_newest_first_with_who_and_when(app, stored):
    _, payments, search = stored
    at = _trail(app)
    frame = _frame(at)
    assert list(frame["Event"]) == ["returned", "approved", "commented", "saved", "saved", "saved"]
    assert list(frame["Scenario"])[:3] == [search, payments, payments]
    assert frame.iloc[0]["Who"] == "fin@example.org" and frame.iloc[0]["Note"] == "numbers missing"
    assert frame.iloc[2]["Note"] == EVIL  # a dataframe shows text as it is: nothing rendered
    assert all(w.endswith(" UTC") for w in frame["When"])
    assert set(frame["Organisation"]) == {"Northwind"}
    assert "6 of 6 events" in " ".join(shown(c) for c in at.caption)
    assert [b.label for b in at.main.get("download_button")] == ["Download as CSV"]


def test_the_trail_is_filtered_by_scenario_user_and_event(app, stored):
    _, payments, _ = stored
    at = _trail(app)
    at.multiselect(key="trail_scenario").select(payments).run()
    assert set(_frame(at)["Scenario"]) == {payments} and len(_frame(at)) == 4
    at.multiselect(key="trail_event").select("save").run()
    assert list(_frame(at)["Event"]) == ["saved", "saved"]
    assert list(_frame(at)["Version"]) == [2, 1]
    at.multiselect(key="trail_event").unselect("save").run()
    at.multiselect(key="trail_scenario").unselect(payments).run()
    at.multiselect(key="trail_user").select("fin@example.org").run()
    assert_clean(at)
    assert list(_frame(at)["Event"]) == ["returned", "approved"]
    assert "2 of 6 events" in " ".join(shown(c) for c in at.caption)


def test_a_user_who_runs_no_organisation_sees_only_that_the_trail_is_for_admins(
    app, stored, monkeypatch
):
    from advisor.ui import identity

    approver = Principal("fin@example.org", roles={("Northwind", "Payments"): Role.approver})
    monkeypatch.setattr(identity, "current", lambda: approver)
    at = _trail(app)
    assert [shown(i) for i in at.info] == ["The trail is for admins."]
    assert not at.dataframe and not at.main.get("download_button") and not at.multiselect


def test_an_admin_sees_the_trail_of_the_organisations_they_run(app, stored, monkeypatch):
    from advisor.ui import identity

    db, _, _ = stored
    other = load_scenario_file(SCENARIOS / "scaleup.yaml").model_copy(
        update={"organisation": "Elsewhere"}
    )
    db.save(other)
    admin = Principal("boss@example.org", admin_of=frozenset({"Northwind"}))
    monkeypatch.setattr(identity, "current", lambda: admin)
    at = _trail(app)
    assert set(_frame(at)["Organisation"]) == {"Northwind"}
    assert other.name not in set(_frame(at)["Scenario"])


def test_a_store_that_keeps_no_trail_says_so(app, monkeypatch):
    monkeypatch.delattr(Store, "trail")
    at = _trail(app)
    assert [shown(i) for i in at.info] == ["The trail needs a store that keeps one."]


def test_an_empty_store_says_where_the_trail_starts(app):
    at = _trail(app)
    assert "the trail starts with the first save" in " ".join(shown(i) for i in at.info)


def test_a_refusal_by_the_store_is_shown_not_raised(app, stored, monkeypatch):
    from advisor.errors import Problem, ScenarioError

    def refuse(self):
        raise ScenarioError([Problem("access", "x may not read the trail: that needs admin")])

    monkeypatch.setattr(Store, "trail", refuse)
    at = _trail(app)
    assert "that needs admin" in " ".join(shown(e) for e in at.error)
