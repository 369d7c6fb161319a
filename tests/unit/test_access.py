"""Teams and roles: the access file, what each role may do, and the store enforcing it (SQLite
and PostgreSQL), so that no page or command can get round it."""

import os

import pytest
import sqlalchemy as sa

from advisor.access import Principal, Role, load_access, principal
from advisor.errors import InputError, ScenarioError
from advisor.scenario import load_scenario_file
from advisor.store import Store
from tests.conftest import ROOT

PG = os.environ.get("PLATFORM_ADVISOR_TEST_PG")
PAYMENTS = ROOT / "examples" / "scenarios" / "team-payments.yaml"  # Northwind / Payments
SEARCH = ROOT / "examples" / "scenarios" / "team-search.yaml"  # Northwind / Search

ACCESS = """\
organisations:
  Northwind:
    admins: [Ada@Northwind.example]
    teams:
      Payments:
        approvers: [fin@northwind.example]
        editors: [ed@northwind.example]
        viewers: [val@northwind.example]
      Search:
        editors: [sam@northwind.example]
  Contoso:
    teams:
      Web:
        editors: [ed@northwind.example]
groups:
  claim: groups
  map:
    northwind-finance: {organisation: Northwind, role: approver}
    northwind-search-viewers: {organisation: Northwind, team: Search, role: viewer}
"""


@pytest.fixture
def access(tmp_path):
    path = tmp_path / "access.yaml"
    path.write_text(ACCESS)
    return load_access(path)


def _as(store, access, user, groups=()):
    return store.as_user(principal(access, user, groups))


def _saved(store, access):
    """Payments v1 (by its editor) and Search v1 (by its editor)."""
    _as(store, access, "ed@northwind.example").save(load_scenario_file(PAYMENTS))
    _as(store, access, "sam@northwind.example").save(load_scenario_file(SEARCH))
    return load_scenario_file(PAYMENTS).name, load_scenario_file(SEARCH).name


def test_roles_come_from_the_file_and_the_groups_claim(access):
    ed = principal(access, "ED@northwind.example ")
    assert ed.role("Northwind", "Payments") == Role.editor
    assert ed.role("Contoso", "Web") == Role.editor
    assert ed.role("Northwind", "Search") is None
    assert ed.teams("save") == [("Contoso", "Web"), ("Northwind", "Payments")]
    ada = principal(access, "ada@northwind.example")
    assert ada.role("Northwind", "Anything") == Role.admin and ada.admin_of == {"Northwind"}
    assert ada.role("Contoso", "Web") is None
    finance = principal(access, "fay@northwind.example", ["northwind-finance", "unknown"])
    assert finance.role("Northwind", "Search") == Role.approver  # every team of the org
    viewer = principal(access, "vic@northwind.example", ["northwind-search-viewers"])
    assert viewer.may("view", "Northwind", "Search")
    assert not viewer.may("save", "Northwind", "Search")
    nobody = principal(access, "who@elsewhere.example")
    assert not nobody.has_a_team and not nobody.may("view", "Northwind", "Payments")
    assert principal(None, "me").local and principal(None, "me").may("approve", None, None)


def test_a_bad_access_file_names_its_line_and_field(tmp_path):
    path = tmp_path / "access.yaml"
    path.write_text(
        "organisations:\n  Northwind:\n    teams:\n      Payments:\n        edtors: [x]\n"
    )
    with pytest.raises(InputError) as caught:
        load_access(path)
    said = [str(p) for p in caught.value.problems]
    assert any("access.yaml:5:" in s and "edtors" in s for s in said), said
    path.write_text("organisations: {}\n")
    with pytest.raises(InputError):
        load_access(path)
    path.write_text("organisations:\n  N:\n    teams:\n      T:\n        viewers: [' ']\n")
    with pytest.raises(InputError):
        load_access(path)


def test_a_viewer_cannot_save_and_an_editor_saves_as_themselves(store, access):
    payments = load_scenario_file(PAYMENTS)
    with pytest.raises(ScenarioError) as caught:
        _as(store, access, "val@northwind.example").save(payments)
    assert "needs editor" in str(caught.value.problems[0])
    assert store.list() == [], "a refused save writes nothing"
    forged = payments.model_copy(update={"author": "Somebody Else"})
    _as(store, access, "ed@northwind.example").save(forged)
    assert store.versions(payments.name)[0]["author"] == "ed@northwind.example"
    assert store.history(payments.name)[0]["user"] == "ed@northwind.example"


def test_a_shared_store_needs_an_organisation_and_a_team(store, access):
    loose = load_scenario_file(PAYMENTS).model_copy(update={"team": None})
    with pytest.raises(ScenarioError) as caught:
        _as(store, access, "ed@northwind.example").save(loose)
    assert "organisation and team" in str(caught.value.problems[0])


def test_a_team_never_sees_another_teams_scenarios(store, access):
    payments, search = _saved(store, access)
    ed = _as(store, access, "ed@northwind.example")
    assert [r.name for r in ed.list()] == [payments]
    for call in (
        lambda: ed.load(search),
        lambda: ed.load(search, 1),
        lambda: ed.body(search),
        lambda: ed.versions(search),
        lambda: ed.history(search),
        lambda: ed.approval(search),
        lambda: ed.comment(search, 1, "x", "let me in"),
    ):
        with pytest.raises(ScenarioError) as caught:
            call()
        assert str(caught.value.problems[0]).endswith(f"no scenario named {search!r}"), (
            "answered as if it did not exist"
        )
    assert ed.latest_version(search) is None
    assert {r.name for r in _as(store, access, "ada@northwind.example").list()} == {
        payments,
        search,
    }
    assert _as(store, access, "who@elsewhere.example").list() == []


def test_a_name_stays_in_its_team(store, access):
    payments, _ = _saved(store, access)
    moved = load_scenario_file(PAYMENTS).model_copy(update={"organisation": "Contoso"})
    moved = moved.model_copy(update={"team": "Web"})
    with pytest.raises(ScenarioError) as caught:
        _as(store, access, "ed@northwind.example").save(moved)  # editor of both teams
    assert "belongs to team 'Payments'" in str(caught.value.problems[0])
    squatter = load_scenario_file(SEARCH).model_copy(update={"name": payments})
    with pytest.raises(ScenarioError) as caught:
        _as(store, access, "sam@northwind.example").save(squatter)
    said = str(caught.value.problems[0])
    assert "is taken" in said and "belongs" not in said, "nothing of the other team is told"
    assert len(store.versions(payments)) == 1


def test_approve_and_return_need_an_approver_and_carry_their_name(store, access):
    payments, _ = _saved(store, access)
    for user in ("val@northwind.example", "ed@northwind.example"):
        with pytest.raises(ScenarioError) as caught:
            _as(store, access, user).approve(payments, 1, user)
        assert "needs approver" in str(caught.value.problems[0])
    fin = _as(store, access, "fin@northwind.example")
    approval = fin.approve(payments, 1, "typed name ignored", "within budget")
    assert approval.by == "fin@northwind.example"
    _as(store, access, "val@northwind.example").comment(payments, 1, "x", "why 12 engineers?")
    fin.send_back(payments, 1, "x", "the ramp is too fast")
    fin.restore(payments, 1, "x")
    trail = [(r["event"], r["user"]) for r in store.history(payments)]
    assert trail == [
        ("save", "ed@northwind.example"),
        ("approve", "fin@northwind.example"),
        ("comment", "val@northwind.example"),
        ("return", "fin@northwind.example"),
        ("restore", "fin@northwind.example"),
    ]
    assert all(r["at"].endswith("+00:00") for r in store.history(payments)), "time with its zone"


def test_only_admins_read_the_trail_of_their_organisations(store, access):
    payments, search = _saved(store, access)
    with pytest.raises(ScenarioError) as caught:
        _as(store, access, "fin@northwind.example").trail()
    assert "needs admin" in str(caught.value.problems[0])
    rows = _as(store, access, "ada@northwind.example").trail()
    assert [(r["name"], r["team"], r["event"]) for r in rows] == [
        (payments, "Payments", "save"),
        (search, "Search", "save"),
    ]
    assert store.trail() == rows, "one person's store: all of it"


def test_versions_saved_before_teams_existed_get_their_organisation(tmp_path, access):
    """A store made before migration 4: its versions gain their organisation from the body."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    body = PAYMENTS.read_text()
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE scenario_versions (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT "
                "NULL, version INTEGER NOT NULL, team VARCHAR(200), author VARCHAR(200), "
                "saved_at DATETIME NOT NULL, body TEXT NOT NULL)"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at DATETIME)"
            )
        )
        for n in (1, 2, 3):
            conn.execute(sa.text(f"INSERT INTO schema_migrations VALUES ({n}, '2026-01-01')"))
        conn.execute(
            sa.text(
                "INSERT INTO scenario_versions (name, version, team, author, saved_at, body) "
                "VALUES (:n, 1, 'Payments', 'old', '2026-01-01 00:00:00', :b)"
            ),
            {"n": load_scenario_file(PAYMENTS).name, "b": body},
        )
    engine.dispose()
    store = Store(url)
    ed = _as(store, access, "ed@northwind.example")
    assert [(r.name, r.organisation) for r in ed.list()] == [
        (load_scenario_file(PAYMENTS).name, "Northwind")
    ]


def test_one_persons_store_is_unchanged(store):
    """No access file: every check passes, as before teams existed."""
    me = store.as_user(Principal.anyone("me"))
    saved = me.save(load_scenario_file(PAYMENTS).model_copy(update={"author": None}))
    assert store.versions(saved.name)[0]["author"] == "me"
    me.approve(saved.name, 1, "me")
    assert store.approval(saved.name).by == "me"


def test_the_cli_acts_as_a_named_user_with_the_same_rules(tmp_path, access, capsys, monkeypatch):
    import json

    from advisor.cli import main

    path = tmp_path / "access.yaml"
    path.write_text(ACCESS)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PLATFORM_ADVISOR_ACCESS", str(path))
    as_ = ["--store", url, "--user"]
    assert main(["scenario", "save", str(PAYMENTS), *as_, "val@northwind.example"]) == 2
    assert "needs editor" in capsys.readouterr().err
    assert main(["scenario", "save", str(PAYMENTS), *as_, "ed@northwind.example"]) == 0
    assert main(["scenario", "save", str(SEARCH), *as_, "sam@northwind.example"]) == 0
    payments, search = (load_scenario_file(p).name for p in (PAYMENTS, SEARCH))
    capsys.readouterr()
    assert main(["scenario", "list", "--json", *as_, "ed@northwind.example"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == [payments]
    for command in (
        ["scenario", "show", search],
        ["scenario", "history", search],
        ["scenario", "diff", search, "1", "1"],
        ["compare", payments, search],
        ["report", search, "--out", str(tmp_path / "b.html")],
    ):
        assert main([*command, *as_, "ed@northwind.example"]) == 2, command
        said = capsys.readouterr().err  # the words of a scenario that does not exist
        assert f"no scenario named {search!r}" in said or "neither a scenario file" in said
    assert not (tmp_path / "b.html").exists()
    assert (
        main(["scenario", "approve", payments, "--version", "1", *as_, "fin@northwind.example"])
        == 0
    )
    capsys.readouterr()
    assert main(["scenario", "history", payments, "--json", *as_, "val@northwind.example"]) == 0
    events = [(r["event"], r["user"]) for r in json.loads(capsys.readouterr().out)]
    assert events == [("save", "ed@northwind.example"), ("approve", "fin@northwind.example")]
    monkeypatch.delenv("PLATFORM_ADVISOR_ACCESS")
    assert main(["scenario", "list", "--json", "--store", url]) == 0, "no access file: one person's"
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_wrong_role_names_the_roles(tmp_path):
    path = tmp_path / "access.yaml"
    path.write_text(
        "organisations:\n  N:\n    teams: {}\ngroups:\n  map:\n"
        "    g: {organisation: N, role: boss}\n"
    )
    with pytest.raises(InputError) as caught:
        load_access(path)
    said = str(caught.value.problems[0])
    assert "not one of viewer, editor, approver, admin" in said and "access.yaml:6" in said
