"""The Review page in AppTest: two saved versions compared in words with their effect on the
figures, comments shown as text, approvals and returns through the store (refusals shown), the
approved plan marked, and read-only links that open a version without touching the work."""

import pytest
from streamlit.testing.v1 import AppTest

from advisor.access import Principal, Role
from advisor.diff import diff
from advisor.scenario import load_scenario_file
from advisor.store import Store
from advisor.ui.scenarios import store_url
from advisor.wording import money
from tests.app.conftest import APP, assert_clean, shown, tables
from tests.conftest import ROOT

PAGE = "advisor/ui/review_page.py"
EXAMPLE = ROOT / "examples" / "scenarios" / "scaleup.yaml"
NAME = "Scale-up - development bottleneck"
EVIL = "**bold** <script>alert(1)</script> [x](http://example.org/x.png)"


@pytest.fixture(autouse=True)
def _user(monkeypatch):
    monkeypatch.setenv("PLATFORM_ADVISOR_USER", "fin@example.org")


def _two_versions():
    """Version 1 as the example holds it; version 2 with 200 engineers and a second
    engineering manager in the ROI model."""
    v1 = load_scenario_file(EXAMPLE)
    roi = v1.roi.model_dump(mode="json", exclude_none=True)
    roi["team"][0]["count"] = 2
    data = v1.model_dump(mode="json", exclude_none=True)
    data["roi"] = roi
    data["answers"]["engineers"] = 200
    v2 = type(v1).model_validate(data)
    db = Store(store_url())
    db.save(v1)
    db.save(v2)
    return db, v1, v2


def _review(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def _said(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]
    return " | ".join(shown(p) for p in parts).replace("\u2060", "")


def _tables(at: AppTest) -> list:
    """The tables as read, without the invisible joiner that keeps an address unlinked."""
    out = []
    for t in tables(at):
        t = t.map(lambda v: v.replace("\u2060", ""))
        t.index = t.index.map(lambda i: i.replace("\u2060", ""))
        out.append(t)
    return out


def _table(at: AppTest, index: str):
    return next(t for t in _tables(at) if t.index.name == index)


def test_an_empty_store_says_what_to_do(app):
    at = _review(app)
    assert "No stored scenario you may see yet" in _said(at)


def test_the_latest_two_versions_are_compared_in_words_with_the_effect(app, catalog):
    _, v1, v2 = _two_versions()
    at = _review(app)
    assert at.selectbox(key="review_name").value == NAME
    assert at.selectbox(key="review_version").value == 2
    assert at.selectbox(key="review_against").value == 1
    changes = _table(at, "Input")
    assert changes.loc["Engineers measured", "Before"] == "180"
    assert changes.loc["Engineers measured", "After"] == "200"
    assert changes.loc["ROI: team role Engineering manager: count", "After"] == "2"
    assert len(changes) == 2
    effect = _table(at, "Figure")
    doc = diff(v1, v2, catalog)["effect"]
    assert effect.loc["NPV", "Before"] == money(doc["npv"]["before"], "USD")
    assert effect.loc["NPV", "After"] == money(doc["npv"]["after"], "USD")
    assert effect.loc["NPV", "Change"].endswith(" USD") and effect.loc["NPV", "Change"][0] == "-"
    assert effect.loc["NPV", "Unit"] == "USD"
    assert effect.loc["IRR (annual)", "Unit"] == "% a year"
    assert effect.loc["IRR (annual)", "Before"].endswith("%")
    assert effect.loc["Payback", "Unit"] == "months"
    assert effect.loc["Payback", "Before"].endswith("months")
    assert (
        effect.loc["Top category", "Before"]
        == catalog.categories[doc["top_category"]["before"]].name
    )
    assert "Money in USD, the scenario's currency" in _said(at)
    # a version compared with another one: the same change, the other way round
    at.selectbox(key="review_version").set_value(1).run()
    assert_clean(at)
    assert at.selectbox(key="review_against").value is None  # nothing before version 1
    assert "Version 1: its figures" in [s.value for s in at.subheader]
    at.selectbox(key="review_against").set_value(2).run()
    assert_clean(at)
    assert _table(at, "Input").loc["Engineers measured", "After"] == "180"


def test_a_comment_is_shown_as_text_with_who_and_when(app):
    _two_versions()
    at = _review(app)
    at.text_area(key="review_comment").input(EVIL).run()
    at.button(key="review_comment_add").click().run()
    assert_clean(at)
    assert "Comment on version 2 kept" in _said(at)
    comments = _table(at, "When")  # the comments table comes first
    assert list(comments["Comment"]) == [EVIL]  # every character as typed, nothing rendered
    assert list(comments["Who"]) == ["fin@example.org"]
    assert comments.index[0].endswith(" UTC")
    assert at.text_area(key="review_comment").value == ""  # cleared once kept
    # the raw element escapes every Markdown character: nothing bold, no tag, no image
    raw = " ".join(str(v) for t in at.table for v in t.value.to_numpy().ravel())
    assert "**bold**" not in raw and "<script>" not in raw
    # a blank comment is refused by the store, in its words
    at.button(key="review_comment_add").click().run()
    assert_clean(at)
    assert "a comment needs some text" in " ".join(shown(e) for e in at.error)


def test_a_return_needs_a_reason_and_an_approval_marks_the_plan(app):
    db, _, _ = _two_versions()
    at = _review(app)
    assert "No version is approved yet" in _said(at)
    at.button(key="review_return").click().run()
    assert_clean(at)
    assert "a version is returned with a reason" in " ".join(shown(e) for e in at.error)
    assert db.approval(NAME) is None
    at.text_input(key="review_note").input("Fits the budget").run()
    at.button(key="review_approve").click().run()
    assert_clean(at)
    assert db.approval(NAME).version == 2 and db.approval(NAME).by == "fin@example.org"
    assert "Version 2 is the approved plan, approved by fin@example.org" in _said(at)
    assert "approved, the plan" in at.selectbox(key="review_version").format_func(2)
    # version 1 reviewed: the plan is named, and it is not version 1
    at.selectbox(key="review_version").set_value(1).run()
    assert "The approved plan is version 2" in _said(at)
    at.selectbox(key="review_version").set_value(2).run()
    at.text_input(key="review_reason").input("The head count is not agreed").run()
    at.button(key="review_return").click().run()
    assert_clean(at)
    assert db.approval(NAME) is None
    trail = _tables(at)[-1]  # the version's trail, newest first
    assert list(trail["Event"])[:2] == ["returned", "approved"]
    assert trail.iloc[0]["Note"] == "The head count is not agreed"
    assert trail.iloc[-1]["Event"] == "saved"
    at.toggle(key="review_every").set_value(True).run()
    assert_clean(at)
    assert list(_tables(at)[-1]["Version"]).count("1") == 1  # version 1's save is there too


def test_a_viewer_may_comment_but_not_approve_and_is_told_the_role(app, monkeypatch):
    db = Store(store_url())
    payments = load_scenario_file(ROOT / "examples" / "scenarios" / "team-payments.yaml")
    db.save(payments)
    from advisor.ui import identity

    viewer = Principal("ben@example.org", roles={("Northwind", "Payments"): Role.viewer})
    monkeypatch.setattr(identity, "current", lambda: viewer)
    at = _review(app)
    assert at.selectbox(key="review_name").value == payments.name
    assert not [b for b in at.button if b.key in ("review_approve", "review_return")]
    said = _said(at)
    assert "needs the approver role" in said and "that needs approver" in said
    at.text_area(key="review_comment").input("Looks right").run()
    at.button(key="review_comment_add").click().run()
    assert_clean(at)
    assert [h["user"] for h in db.history(payments.name) if h["event"] == "comment"] == [
        "ben@example.org"
    ]


def test_a_refusal_by_the_store_is_shown_not_raised(app, monkeypatch):
    """The page's check and the store's agree; where they do not, the store's word stands."""
    db, _, _ = _two_versions()
    from advisor.ui import identity, scenarios

    approver = Principal("x@example.org", local=True)
    monkeypatch.setattr(identity, "current", lambda: approver)
    at = _review(app)

    def refuse(*_args, **_kw):
        from advisor.errors import Problem, ScenarioError

        raise ScenarioError([Problem("access", "x may not approve: that needs approver")])

    monkeypatch.setattr(scenarios, "user_store", lambda: _Refusing(db, refuse))
    at.button(key="review_approve").click().run()
    assert_clean(at)
    assert "that needs approver" in " ".join(shown(e) for e in at.error)
    assert db.approval(NAME) is None


class _Refusing:
    def __init__(self, db, refuse):
        self._db, self.approve = db, refuse

    def __getattr__(self, name):
        return getattr(self._db, name)


def test_a_review_link_opens_that_version_read_only_and_keeps_the_work(app):
    _two_versions()
    app.selectbox(key="scn_example").set_value("startup.yaml").run()
    app.button(key="scn_open_example").click().run()
    app.number_input(key="q_engineers").set_value(77).run()
    work = dict(app.session_state["answers"])
    opened = dict(app.session_state["scenario_open"])
    at = app.switch_page(PAGE)
    at.query_params.update({"review": NAME, "of": "1", "against": "2"})
    at.run()
    assert_clean(at)
    assert at.selectbox(key="review_version").value == 1
    assert at.selectbox(key="review_against").value == 2
    assert "Opened from a review link" in _said(at)
    assert _table(at, "Input").loc["Engineers measured", "Before"] == "200"
    assert at.code[0].value == (
        "review?review=Scale-up%20-%20development%20bottleneck&of=1&against=2"
    )
    # the work on the other pages is as it was: nothing opened, nothing saved
    assert dict(at.session_state["answers"]) == work
    assert at.session_state["scenario_open"] == opened
    assert len(Store(store_url()).versions(NAME)) == 2
    # the pickers choose from here on, whatever the address still says
    at.selectbox(key="review_version").set_value(2).run()
    assert_clean(at)
    assert at.selectbox(key="review_version").value == 2
    at.switch_page("advisor/ui/advisor_page.py").run()
    assert at.number_input(key="q_engineers").value == 77


def test_a_link_followed_in_a_new_session_shows_the_version(app):
    _two_versions()
    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params.update({"review": NAME, "of": "2"})
    fresh.run()
    at = _review(fresh)
    assert at.selectbox(key="review_version").value == 2
    assert at.selectbox(key="review_against").value == 1
    assert at.code[0].value.endswith("&of=2&against=1")
    try:
        opened = fresh.session_state["scenario_open"] or {}
    except KeyError:
        opened = {}
    assert opened.get("name") != NAME, "a review link opens nothing into the work"


@pytest.mark.parametrize(
    "params",
    [
        {"review": "Nobody's plan", "of": "1"},
        {"review": NAME, "of": "9"},
        {"review": NAME, "of": "1", "against": "0"},
        {"review": NAME, "of": "²"},
        {"review": "x" * 500, "of": "1"},
    ],
)
def test_a_crafted_link_says_no_such_scenario_or_version(app, params):
    _two_versions()
    at = app.switch_page(PAGE)
    at.query_params.update(params)
    at.run()
    assert_clean(at)
    errors = " ".join(shown(e) for e in at.error)
    assert "no such scenario or version" in errors
    assert at.selectbox(key="review_name").value == NAME  # what the user may see, as usual


def test_a_link_to_a_scenario_of_another_team_reads_as_missing(app, monkeypatch):
    db = Store(store_url())
    payments = load_scenario_file(ROOT / "examples" / "scenarios" / "team-payments.yaml")
    search = load_scenario_file(ROOT / "examples" / "scenarios" / "team-search.yaml")
    db.save(payments)
    db.save(search)
    from advisor.ui import identity

    outsider = Principal("cy@example.org", roles={("Northwind", "Search"): Role.editor})
    monkeypatch.setattr(identity, "current", lambda: outsider)
    at = app.switch_page(PAGE)
    at.query_params.update({"review": payments.name, "of": "1"})
    at.run()
    assert_clean(at)
    errors = " ".join(shown(e) for e in at.error)
    assert "no such scenario or version" in errors
    assert "Payments" not in _said(at).replace(payments.name, "")  # nothing of it shown
    assert at.selectbox(key="review_name").options == [search.name]
