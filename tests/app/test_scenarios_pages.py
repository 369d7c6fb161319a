"""The scenario picker on every page, the Compare page and the Report page."""

import re

import pytest

from tests.app.conftest import assert_clean, reloaded, shown, tables

PAGES = [
    "advisor/ui/advisor_page.py",
    "advisor/ui/catalog_page.py",
    "advisor/ui/evidence_page.py",
    "advisor/ui/roi_page.py",
    "advisor/ui/delay_page.py",
    "advisor/ui/compare_page.py",
    "advisor/ui/report_page.py",
]
EVIL = "<script>alert(1)</script> =HYPERLINK(1)"


def _open_example(at, file="scaleup.yaml"):
    at.selectbox(key="scn_example").set_value(file).run()
    at.button(key="scn_open_example").click().run()
    assert_clean(at)
    return at


def _captions(at) -> str:
    return " | ".join(shown(c) for c in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_open_save_and_restore_from_every_page(app, page):
    at = app.switch_page(page).run()
    assert_clean(at)
    _open_example(at)
    # an example is not stored: the address names its file, so a link opens it for anyone
    assert at.query_params["example"] == "scaleup.yaml" and "scenario" not in at.query_params
    assert "No unsaved changes" in _captions(at)
    at.button(key="scn_save").click().run()
    assert_clean(at)
    assert at.query_params["version"] == "1" and "example" not in at.query_params
    assert at.query_params["scenario"] == "Scale-up - development bottleneck"
    at.text_input(key="scn_author").input("Finance review").run()
    at.button(key="scn_save").click().run()
    assert at.query_params["version"] == "2"
    at.selectbox(key="scn_restore_pick").set_value(1).run()
    at.button(key="scn_restore").click().run()
    assert_clean(at)
    assert at.query_params["version"] == "3"
    assert "Versions: 1" in _captions(at) and "3 (" in _captions(at)
    assert re.search(r"Versions: 1 \(\d{4}-\d\d-\d\d \d\d:\d\d UTC, ", _captions(at))
    # version 1 had no author; its restore is recorded under who restored it
    assert _captions(at).count("Finance review") == 2
    assert at.text_input(key="scn_name").value == "Scale-up - development bottleneck"


def test_an_opened_scenario_fills_every_page(app):
    at = _open_example(app)
    at.switch_page("advisor/ui/advisor_page.py").run()
    assert at.number_input(key="q_engineers").value == 180
    at.switch_page("advisor/ui/roi_page.py").run()
    assert at.text_input(key="roi_w_name").value == "Review and flow improvement"
    at.switch_page("advisor/ui/delay_page.py").run()
    assert_clean(at)
    names = [shown(m) for m in at.markdown]
    assert any("New checkout" in n for n in names)


def test_a_changed_answer_shows_unsaved_changes(app):
    at = _open_example(app)
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.number_input(key="q_engineers").set_value(181).run()
    assert "Unsaved changes" in _captions(at)


def test_the_url_reopens_the_scenario_after_a_reload(app):
    at = _open_example(app)
    at.button(key="scn_save").click().run()
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params["scenario"] = "Scale-up - development bottleneck"
    fresh.query_params["version"] = "1"
    fresh.run()
    assert_clean(fresh)
    assert fresh.number_input(key="q_engineers").value == 180
    assert "Scale-up - development bottleneck, version 1" in _captions(fresh)


def test_a_draft_survives_a_reload_in_its_browser_and_a_link_never_carries_it(app, monkeypatch):
    app.number_input(key="q_engineers").set_value(777).run()
    draft = app.session_state["draft_id"]
    assert "draft" not in app.query_params  # the address is shared; the draft is not in it
    from streamlit.testing.v1 import AppTest

    from advisor.ui import scenarios
    from tests.app.conftest import APP

    monkeypatch.setattr(scenarios, "_browser_draft_id", lambda: draft)  # its cookie
    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params.update(app.query_params)
    fresh.run()
    assert_clean(fresh)
    assert fresh.number_input(key="q_engineers").value == 777
    # another browser (no cookie) given an old address with the draft in it gets nothing
    monkeypatch.setattr(scenarios, "_browser_draft_id", lambda: None)
    other = AppTest.from_file(APP, default_timeout=30)
    other.query_params["draft"] = draft
    other.run()
    assert_clean(other)
    assert other.number_input(key="q_engineers").value != 777
    assert other.session_state["draft_id"] != draft


def test_the_compare_page_shows_teams_and_the_shared_choice(app):
    at = app.switch_page("advisor/ui/compare_page.py").run()
    assert_clean(at)
    table = tables(at)[0]
    assert set(table.loc["Team"]) == {"Payments", "Search", "Onboarding"}
    assert any("One choice for them all" in shown(i) for i in at.info)
    assert at.get("vega_lite_chart")
    # words a person reads: names, not ids; a unit or a currency on every figure; no "None"
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    for raw in ("None", "dx_core_4", "sei", "vsm"):
        assert raw not in cells.split() and raw not in cells, raw
    assert table.loc["Top category"].str.len().min() > 4
    assert all(c.endswith(("USD", "EUR", "GBP", "-")) for c in table.loc["NPV"])


def test_compare_converts_to_one_currency_and_groups_only_one_organisation(app):
    at = app.switch_page("advisor/ui/compare_page.py").run()
    assert "Money in USD, every scenario's own currency: nothing converted." in _captions(at)
    at.multiselect(key="cmp_pick").set_value(
        [
            "example: Startup: tight budget, deployment bottleneck",
            "example: Scale-up: development bottleneck",
        ]
    ).run()
    assert_clean(at)
    assert any("not as teams" in shown(i) for i in at.info)  # no organisation named
    assert not any("One choice for them all" in shown(i) for i in at.info)
    usd = tables(at)[0].loc["NPV"].tolist()
    at.selectbox(key="cmp_currency").set_value("EUR").run()
    assert_clean(at)
    assert "converted at 1 USD = 0.9259 EUR" in _captions(at)
    eur = tables(at)[0].loc["NPV"].tolist()
    for a, b in zip(usd, eur, strict=True):  # hand: x USD / 1.08 = EUR
        value = float(a.removesuffix(" USD").replace(",", ""))
        assert b.endswith(" EUR")
        assert float(b.removesuffix(" EUR").replace(",", "")) == pytest.approx(value / 1.08, abs=1)


def test_user_text_is_inert_in_the_sidebar_and_the_report(app):
    at = _open_example(app)
    at.text_input(key="scn_name").input(EVIL).run()
    at.button(key="scn_save").click().run()
    assert_clean(at)
    assert any("\\<script\\>" in c.value for c in at.caption)
    at.switch_page("advisor/ui/report_page.py").run()
    assert_clean(at)
    assert not any(EVIL in m.value for m in at.markdown)
    labels = [b.label for b in at.get("download_button")]
    assert "Download the report (HTML)" in labels and "Download the ROI workbook (xlsx)" in labels


def test_the_report_from_the_app_holds_the_cli_figures(app):
    import datetime as dt

    from advisor.catalog import load_catalog
    from advisor.report import build_html
    from advisor.scenario import load_scenario_file
    from advisor.ui.scenarios import EXAMPLES  # noqa: F401
    from tests.conftest import ROOT

    at = _open_example(app)
    at.switch_page("advisor/ui/roi_page.py").run()  # the page records the ROI it shows
    at.switch_page("advisor/ui/report_page.py").run()
    preview = at.get("text")[0].value
    file = load_scenario_file(ROOT / "examples" / "scenarios" / "scaleup.yaml")
    from advisor.report import build_markdown

    assert preview.rstrip() == build_markdown(file, load_catalog(), None).rstrip()
    assert build_html(file, load_catalog(), None, dt.date(2026, 1, 1))


@pytest.mark.parametrize("version", ["²", "99999999999999999999999", "0", "-1", "1e3", "999"])
def test_an_odd_version_in_the_address_opens_the_latest(app, version):
    """`²` is a digit to Python but not to int(); a number past the store's integer ended in
    an error page."""
    at = _open_example(app)
    at.button(key="scn_save").click().run()
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params["scenario"] = "Scale-up - development bottleneck"
    fresh.query_params["version"] = version
    fresh.run()
    assert_clean(fresh)
    assert "Scale-up - development bottleneck, version 1" in _captions(fresh)
    said = " ".join(shown(w) for w in fresh.warning)
    assert "which the store does not hold; showing the latest, version 1" in said


def test_two_sessions_with_different_catalogs_see_their_own_comparison():
    """Compare's cache is shared by every session of the server: it was keyed on the
    scenarios only, so a session with its own catalog was shown another's rankings."""
    from streamlit.testing.v1 import AppTest

    from advisor.catalog import DEFAULT_DIR
    from tests.app.conftest import APP, upload

    def compared(at) -> tuple:
        at.switch_page("advisor/ui/compare_page.py").run()
        assert_clean(at)
        heat = at.get("vega_lite_chart")[0].proto.spec
        return tuple(shown(i) for i in at.info), heat

    first = AppTest.from_file(APP, default_timeout=60)
    first.run()
    bundled = compared(first)
    second = AppTest.from_file(APP, default_timeout=60)
    second.run()
    second.switch_page("advisor/ui/catalog_page.py").run()
    text = (DEFAULT_DIR / "categories.yaml").read_bytes()
    text = text.replace(b"bottleneck_fit: 30", b"bottleneck_fit: 5").replace(
        b"budget_fit: 20", b"budget_fit: 45"
    )
    upload(second, "catalog_upload", [("categories.yaml", text, "application/x-yaml")])
    assert any("Custom catalog in use" in shown(i) for i in second.info)
    own = compared(second)
    assert own != bundled, "the second session scores with its own catalog"
    assert compared(first) == bundled, "and the first still with the bundled one"
    # each says which catalog it scored with
    assert "Scored with your own catalog" in _captions(second)
    assert "Scored with the bundled catalog" in _captions(first)


def test_a_link_to_an_example_opens_it_for_whoever_follows_it():
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params["example"] = "enterprise.yaml"
    fresh.run()
    assert_clean(fresh)
    assert "Enterprise - systemic bottleneck (example)" in _captions(fresh)
    assert fresh.text_input(key="scn_name").value == "Enterprise - systemic bottleneck"


def test_each_piece_of_work_has_its_own_draft_in_one_browser(app, monkeypatch):
    """One draft per browser: a second tab opening something else overwrote the first tab's
    unsaved work. A draft belongs to the browser and to what the address names."""
    from streamlit.testing.v1 import AppTest

    from advisor.ui import scenarios
    from tests.app.conftest import APP

    monkeypatch.setattr(scenarios, "_browser_draft_id", lambda: "b" * 32)  # one browser
    first = AppTest.from_file(APP, default_timeout=30)
    first.run()
    _open_example(first, "startup.yaml")
    first.number_input(key="q_engineers").set_value(111).run()
    second = AppTest.from_file(APP, default_timeout=30)  # another tab, another example
    second.run()
    _open_example(second, "enterprise.yaml")
    second.number_input(key="q_engineers").set_value(222).run()
    again = AppTest.from_file(APP, default_timeout=30)  # the first tab, reloaded
    again.query_params.update(first.query_params)
    again.run()
    assert_clean(again)
    assert again.number_input(key="q_engineers").value == 111


def test_a_rename_shows_at_once_in_the_status_line(app):
    at = _open_example(app)
    at.button(key="scn_save").click().run()
    assert "No unsaved changes" in _captions(at)
    at.text_input(key="scn_name").input("Renamed thing").run()
    assert "Unsaved changes" in _captions(at) and "No unsaved changes" not in _captions(at)
    assert "Saving makes a new scenario, Renamed thing" in _captions(at)


def test_pages_in_two_currencies_are_not_saved_and_the_sidebar_says_why(app):
    at = app.switch_page("advisor/ui/advisor_page.py").run()
    _open_example(at)  # answers, ROI and backlog all in USD
    at.selectbox(key="q_currency").set_value("EUR").run()
    assert_clean(at)
    warning = " ".join(shown(w) for w in at.warning)
    # in the pages' words: "roi.currency ... answers.currency" meant nothing in the app
    assert "Not saved yet" in warning
    assert "The ROI page's currency is USD, the Advisor's is EUR" in warning
    assert "The Cost of delay page's currency is USD, the Advisor's is EUR" in warning
    assert "answers.currency" not in warning
    assert not [b for b in at.button if b.key == "scn_save"]
    at.switch_page("advisor/ui/report_page.py").run()  # it said only "a page does not validate"
    said = " ".join(shown(w) for w in at.warning)
    assert "No report yet" in said and "The ROI page's currency is USD" in said
    at.switch_page("advisor/ui/advisor_page.py").run()
    at.selectbox(key="q_currency").set_value("USD").run()
    assert "Not saved yet" not in " ".join(shown(w) for w in at.warning)
    assert [b for b in at.button if b.key == "scn_save"]


def test_viewing_a_page_does_not_add_its_template_to_the_scenario(app):
    """Opening a team example (no ROI model, a backlog) and only looking at the ROI page
    made the scenario carry the ROI template; Compare then reported its NPV."""
    at = _open_example(app.switch_page("advisor/ui/advisor_page.py").run(), "team-payments.yaml")
    for page in ("advisor/ui/roi_page.py", "advisor/ui/delay_page.py", "advisor/ui/report_page.py"):
        at.switch_page(page).run()
        assert_clean(at)
        assert "No unsaved changes" in _captions(at), page
    at.switch_page("advisor/ui/roi_page.py").run()
    at.number_input(key="roi_w_rate").set_value(12.0).run()
    assert "Unsaved changes" in _captions(at)


def test_the_example_backlog_follows_the_advisors_currency(app):
    at = app.switch_page("advisor/ui/advisor_page.py").run()
    at.selectbox(key="q_currency").set_value("EUR").run()
    at.switch_page("advisor/ui/delay_page.py").run()
    assert_clean(at)
    assert at.selectbox(key="delay_w_currency").value == "EUR"
    assert "Not saved yet" not in " ".join(shown(w) for w in at.warning)


def test_a_blank_name_saves_as_the_name_its_placeholder_shows(app):
    at = app.switch_page("advisor/ui/advisor_page.py").run()
    at.text_input(key="scn_name").set_value("   ").run()
    assert_clean(at)
    assert at.text_input(key="scn_name").placeholder == "My scenario (when left empty)"
    at.button(key="scn_save").click().run()
    assert "Open: My scenario, version 1 (store)" in _captions(at)


@pytest.mark.parametrize("example", ["scaleup.yaml", "team-payments.yaml"])
def test_no_page_shows_none_for_a_value_not_given(app, example):
    """Streamlit shows a missing cell as "None": every table and editor says what it shows
    instead (a dash, or nothing in an editor), and no text reads "None"."""
    at = _open_example(app, example)
    checked = set()
    for page in PAGES:
        at.switch_page(page).run()
        assert_clean(at)
        if page.endswith("evidence_page.py"):
            at.button(key="evidence_sample").click().run()
            assert_clean(at)
        tables = at.get("dataframe")  # st.dataframe and st.data_editor alike
        for table in tables:
            assert table.proto.HasField("placeholder"), (page, list(table.value.columns))
            checked.add(page)
        for element in [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]:
            assert not re.search(r"\bNone\b", element.value), (page, element.value)
        for metric in at.metric:
            assert "None" not in metric.value, (page, metric.label)
    assert len(checked) >= 5, checked  # the tables were found (Advisor, Catalog, Evidence...)


def test_an_unknown_example_in_the_address_is_said():
    """A mistyped or old link (`?example=nope.yaml`) opened nothing and said nothing."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params["example"] = "nope.yaml"
    fresh.run()
    assert_clean(fresh)
    said = " ".join(shown(w) for w in fresh.warning)
    assert "an example this app does not have (nope.yaml); nothing was opened" in said
    assert "example" not in fresh.query_params


def test_opening_another_scenario_over_unsaved_changes_asks_first(app):
    """Opening replaced the open scenario's unsaved changes without a word."""
    at = _open_example(app)
    at.number_input(key="q_engineers").set_value(77).run()
    at.selectbox(key="scn_example").set_value("startup.yaml").run()
    at.button(key="scn_open_example").click().run()
    assert_clean(at)
    said = " ".join(shown(w) for w in at.warning)
    assert "Scale-up - development bottleneck has unsaved changes" in said
    assert at.number_input(key="q_engineers").value == 77, "nothing replaced yet"
    at.button(key="scn_open_cancel").click().run()
    assert at.number_input(key="q_engineers").value == 77
    assert not any("unsaved changes. Opening" in shown(w) for w in at.warning)
    at.button(key="scn_open_example").click().run()
    at.button(key="scn_open_anyway").click().run()
    assert_clean(at)
    assert at.query_params["example"] == "startup.yaml"
    assert at.number_input(key="q_engineers").value != 77
    # nothing changed since: the next one opens at once
    at.selectbox(key="scn_example").set_value("scaleup.yaml").run()
    at.button(key="scn_open_example").click().run()
    assert at.query_params["example"] == "scaleup.yaml"


def test_a_reloaded_draft_says_whether_it_differs_from_what_the_address_names(app, monkeypatch):
    """A draft restored by a reload read "(draft). No unsaved changes" even when it held
    edits the example (or the stored version) does not have."""
    at = _open_example(app)
    assert "No unsaved changes" in _captions(reloaded(at, monkeypatch))
    at.number_input(key="q_engineers").set_value(77).run()
    assert "(draft). **Unsaved changes.**" in _captions(reloaded(at, monkeypatch))


def test_a_currency_the_sidebar_refuses_to_save_survives_a_reload(app, monkeypatch):
    """The draft kept only work that made one scenario: a reload brought back the older
    currency without a word, and the refusal was gone."""
    at = _open_example(app.switch_page("advisor/ui/advisor_page.py").run())
    at.selectbox(key="q_currency").set_value("GBP").run()
    assert "Not saved yet" in " ".join(shown(w) for w in at.warning)
    fresh = reloaded(at, monkeypatch)
    assert fresh.selectbox(key="q_currency").value == "GBP"
    said = " ".join(shown(w) for w in fresh.warning)
    assert "The ROI page's currency is USD, the Advisor's is GBP" in said
