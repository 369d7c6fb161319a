"""The app with a shared store: the session's user and their roles decide what the sidebar
saves and opens; the store's refusals are shown as messages, never as tracebacks."""

import pytest
from streamlit.testing.v1 import AppTest

from advisor.access import AccessFile, principal
from advisor.errors import ScenarioError
from tests.app.conftest import APP, assert_clean, shown

ACCESS = AccessFile.model_validate(
    {
        "organisations": {
            "Northwind": {
                "teams": {
                    "Payments": {
                        "editors": ["ed@northwind.example"],
                        "viewers": ["val@northwind.example"],
                    },
                    "Search": {"editors": ["sam@northwind.example"]},
                }
            }
        }
    }
)


@pytest.fixture
def as_user(monkeypatch):
    """Run the app as `user` (what sign-in gives the session's identity)."""

    def run(user: str, query: dict | None = None) -> AppTest:
        from advisor.ui import identity

        monkeypatch.setattr(identity, "current", lambda: principal(ACCESS, user))
        at = AppTest.from_file(APP, default_timeout=30)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        assert_clean(at)
        return at

    return run


def _open_and_save(at, file: str) -> AppTest:
    at.selectbox(key="scn_example").set_value(file).run()
    at.button(key="scn_open_example").click().run()
    at.button(key="scn_save").click().run()
    assert_clean(at)
    return at


def _text(at) -> str:
    parts = [*at.caption, *at.error, *at.markdown, *at.sidebar.caption, *at.sidebar.error]
    return " | ".join(shown(x) for x in parts).replace("\u2060", "")


def test_a_viewer_is_told_they_may_not_save_and_nothing_is_saved(as_user):
    at = as_user("val@northwind.example")
    at.selectbox(key="scn_example").set_value("team-payments.yaml").run()
    at.button(key="scn_open_example").click().run()
    assert_clean(at)
    assert "your role does not let you save" in _text(at)
    assert at.button(key="scn_save").disabled, "a button that can only fail is not offered"
    from advisor.scenario import load_scenario_file
    from advisor.store import Store
    from advisor.ui import identity
    from tests.conftest import ROOT

    payments = load_scenario_file(ROOT / "examples" / "scenarios" / "team-payments.yaml")
    with pytest.raises(ScenarioError, match="needs editor"):  # the store refuses it anyway
        Store().as_user(identity.current()).save(payments)
    assert Store().list() == []


def test_an_editor_saves_as_themselves_and_another_team_sees_nothing_of_it(as_user):
    at = _open_and_save(as_user("ed@northwind.example"), "team-payments.yaml")
    assert "Saved by ed@northwind.example" in _text(at)
    from advisor.store import Store

    [row] = Store().list()
    assert (row.organisation, row.team, row.author) == (
        "Northwind",
        "Payments",
        "ed@northwind.example",
    )
    crafted = as_user("sam@northwind.example", {"scenario": row.name, "version": "1"})
    assert "Northwind - Payments, version 1" not in _text(crafted)
    assert crafted.number_input(key="q_engineers").value != 40, "Payments' answers not opened"
    stored = [s for s in crafted.selectbox if s.key == "scn_stored"]
    assert not stored or row.name not in stored[0].options
