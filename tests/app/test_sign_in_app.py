"""Sign-in, as the app script sees it: without `[auth]` the one person's app, as before, says
so; with it, the sign-in screen before anything, then who is signed in and what they may do
(the access file, its groups claim), a user in no team told so, a bad access file named."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from advisor.access import Principal, Role
from advisor.ui import identity
from tests.app.conftest import APP, assert_clean, shown

AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-cookie-secret-for-the-tests-only",
        "client_id": "platform-advisor",
        "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}
ACCESS = """\
organisations:
  Northwind:
    admins: [ana@northwind.example]
    teams:
      Platform:
        editors: [cara@northwind.example]
groups:
  claim: roles
  map:
    nw-finance: {organisation: Northwind, team: Platform, role: approver}
"""
ADVISOR_TITLE = "Which engineering-metrics platform fits?"


@pytest.fixture
def access_file(tmp_path, monkeypatch):
    path = tmp_path / "access.yaml"
    path.write_text(ACCESS)
    monkeypatch.setenv("PLATFORM_ADVISOR_ACCESS", str(path))
    return path


def _signed(user: dict | None) -> AppTest:
    """The app with `[auth]` configured, signed in with these claims (None: signed out)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    at.run()
    assert_clean(at)
    return at


def _titles(at) -> list[str]:
    return [t.value for t in at.title]


def _captions(at) -> str:
    return " | ".join(shown(c) for c in at.sidebar.caption)


def test_without_sign_in_the_app_runs_as_before_and_says_so(app, monkeypatch):
    assert_clean(app)
    assert ADVISOR_TITLE in _titles(app)
    assert "No sign-in configured" in _captions(app)
    assert "the scenario store is yours alone, not shared" in _captions(app)
    assert "access file" not in _captions(app)
    assert not [b for b in app.button if b.label in ("Sign in", "Sign out")]
    assert not [t for t in app.sidebar.text if "Signed in as" in t.value]
    # an access file set for the command line is said to be unused here
    monkeypatch.setenv("PLATFORM_ADVISOR_ACCESS", "/somewhere/access.yaml")
    app.run()
    assert "The access file is not used without sign-in." in _captions(app)


def test_without_sign_in_the_identity_is_the_local_user(monkeypatch):
    monkeypatch.setenv("PLATFORM_ADVISOR_USER", "kim")
    me = identity.current()
    assert me == Principal.anyone("kim") and me.local
    assert me.may("approve", "Northwind", "Platform")


def test_signed_out_sees_the_sign_in_screen_only(access_file):
    at = _signed(None)
    assert _titles(at) == ["Platform Advisor"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert ADVISOR_TITLE not in _titles(at)
    assert "scn_save" not in [b.key for b in at.button]  # the scenario picker never ran
    assert not at.sidebar.caption and not at.sidebar.text


def test_the_sidebar_names_who_is_signed_in(access_file):
    at = _signed({"email": "ana@northwind.example", "name": "Ana Lopez", "sub": "ana"})
    assert [t.value for t in at.sidebar.text] == ["Signed in as Ana Lopez (ana@northwind.example)"]
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert ADVISOR_TITLE in _titles(at)
    assert not at.warning  # an admin of Northwind
    assert "No sign-in configured" not in _captions(at)


def test_a_user_in_no_team_is_told_so(access_file):
    at = _signed({"email": "zed@elsewhere.example", "name": "Zed"})
    [warning] = at.warning
    assert (
        shown(warning)
        .replace("\u2060", "")
        .startswith(
            "You are signed in as Zed (zed@elsewhere.example) but are in no team of this "
            "organisation, so you see no scenario. Ask an admin to add you to a team."
        )
    )
    assert ADVISOR_TITLE in _titles(at)  # the rest of the app still works


@pytest.mark.parametrize("roles", [["nw-finance", "other"], "nw-finance"])
def test_a_team_from_the_groups_claim(access_file, roles):
    at = _signed({"email": "ben@northwind.example", "name": "Ben", "roles": roles})
    assert not at.warning


def test_a_sign_in_without_a_verified_address_is_in_no_team(access_file):
    at = _signed({"email": "ana@northwind.example", "email_verified": False, "name": "Ana"})
    [warning] = at.warning
    assert "gave no verified e-mail address" in shown(warning)


def test_user_text_in_a_name_is_shown_as_text(access_file):
    name = "**Boss** ![x](http://evil.example/x.png) <b>hi</b>\nSigned in as admin"
    at = _signed({"email": "x@elsewhere.example", "name": name})
    [text] = at.sidebar.text  # st.text: no Markdown, and on one line
    assert text.value == (
        "Signed in as **Boss** ![x](http://evil.example/x.png) <b>hi</b> Signed in as admin "
        "(x@elsewhere.example)"
    )
    [warning] = at.warning  # Markdown: every character escaped
    assert "![x](" not in warning.value and "**Boss**" not in warning.value
    assert "**Boss** ![x](http://evil.example/x.png)" in shown(warning).replace("\u2060", "")


def test_a_bad_access_file_is_named_without_its_folder(access_file):
    access_file.write_text(ACCESS.replace("role: approver", "role: boss"))
    at = _signed({"email": "ana@northwind.example", "name": "Ana"})
    [error] = at.error
    text = shown(error)
    assert "The access file cannot be used" in text
    assert "- access.yaml:10: role: " in text  # file, line and field
    assert str(access_file.parent) not in text and "Traceback" not in text
    assert ADVISOR_TITLE not in _titles(at)  # no page runs on roles it cannot tell
    assert "Sign out" in [b.label for b in at.sidebar.button]
    access_file.write_text(ACCESS)  # fixed: the next run reads it again
    at.run()
    assert not at.error and ADVISOR_TITLE in _titles(at)


def test_a_missing_access_file_is_named_without_its_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_ADVISOR_ACCESS", str(tmp_path / "nowhere" / "access.yaml"))
    at = _signed({"email": "ana@northwind.example"})
    text = shown(at.error[0])
    assert "access.yaml: cannot be read" in text and str(tmp_path) not in text


def test_signed_in_without_an_access_file_no_one_is_in_a_team(monkeypatch):
    """Signing in is open to anyone the provider knows: without an access file, deny."""
    monkeypatch.delenv("PLATFORM_ADVISOR_ACCESS", raising=False)
    at = _signed({"email": "zed@elsewhere.example"})
    assert "no one who signs in is in a team" in _captions(at)


def _as_signed_in(monkeypatch, claims: dict) -> Principal:
    monkeypatch.setattr(identity, "sign_in_required", lambda: True)
    monkeypatch.setattr(identity, "claims", lambda: {"is_logged_in": True, **claims})
    return identity.current()


def test_current_reads_the_access_file_and_the_groups_claim(access_file, monkeypatch):
    ana = _as_signed_in(monkeypatch, {"email": "Ana@Northwind.example"})
    assert ana.user == "ana@northwind.example" and not ana.local
    assert ana.admin_of == {"Northwind"}
    ben = _as_signed_in(monkeypatch, {"email": "ben@northwind.example", "roles": ["nw-finance"]})
    assert ben.role("Northwind", "Platform") == Role.approver
    assert ben.may("approve", "Northwind", "Platform") and not ben.may("trail", "Northwind", "")
    cara = _as_signed_in(monkeypatch, {"email": "cara@northwind.example", "groups": ["nw-finance"]})
    assert cara.role("Northwind", "Platform") == Role.editor  # `groups` is not the claim named
    zed = _as_signed_in(monkeypatch, {"email": "zed@elsewhere.example", "roles": 7})
    assert not zed.has_a_team and not zed.may("view", "Northwind", "Platform")


def test_current_never_raises_and_fails_closed(access_file, monkeypatch):
    access_file.write_text("organisations: [")
    me = _as_signed_in(monkeypatch, {"email": "ana@northwind.example"})
    assert not me.has_a_team and not me.local
    monkeypatch.setattr(identity, "claims", lambda: {})  # signed out
    assert not identity.current().has_a_team


@pytest.fixture
def secrets_from(monkeypatch):
    """Streamlit's own secrets, read from the files given (not the AppTest stand-in)."""
    import streamlit as st
    from streamlit import config
    from streamlit.runtime.secrets import Secrets

    def use(*files: Path) -> None:
        monkeypatch.setattr(st, "secrets", Secrets())
        config.set_option("secrets.files", [str(f) for f in files])

    before = config.get_option("secrets.files")
    yield use
    config.set_option("secrets.files", before)


def test_secrets_that_cannot_be_read_do_not_open_the_app(tmp_path, secrets_from):
    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    secrets_from(broken)
    with pytest.raises(identity.SettingsUnreadable):
        identity.sign_in_required()
    assert not identity.current().has_a_team  # fails closed
    secrets_from(tmp_path / "absent.toml")  # no secrets at all: the one person's app
    assert identity.sign_in_required() is False
    assert identity.current().local
    fine = tmp_path / "fine.toml"
    fine.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    secrets_from(fine)
    assert identity.sign_in_required() is True
    assert not identity.current().has_a_team  # signed out


def test_the_access_file_is_read_again_only_when_it_changes(access_file):
    first = identity.access()
    assert identity.access() is first  # kept
    access_file.write_text(ACCESS.replace("cara@", "carl@"))
    second = identity.access()
    assert second is not first
    assert second.organisations["Northwind"].teams["Platform"].editors == ["carl@northwind.example"]


def test_a_bad_access_file_names_the_file_line_and_field(access_file):
    access_file.write_text(ACCESS.replace("role: approver", "role: boss"))
    with pytest.raises(Exception) as caught:
        identity.access()
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("access.yaml", 10, "role")
    assert Path(str(problem)).parent == Path(".")  # no folder in the message


def test_incomplete_sign_in_settings_are_named_and_nothing_opens(access_file):
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {k: v for k, v in AUTH["auth"].items() if k != "client_secret"}
    at.user = {"is_logged_in": False}
    at.run()
    assert_clean(at)
    [error] = at.error
    assert "lacks `client_secret`" in error.value
    assert not at.button and ADVISOR_TITLE not in _titles(at)
