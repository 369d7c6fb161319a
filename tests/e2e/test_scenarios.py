"""Scenarios in a real browser: open an example, reload, still open; the report is inert."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
PAGES = {  # link -> the page's title, drawn by its own run
    "Advisor": "Which engineering-metrics platform fits?",
    "Catalog": "The catalog",
    "Evidence": "What does your own data say?",
    "ROI": "What does it return?",
    "Cost of delay": "What does waiting cost?",
    "Value realised": "Value realised",
    "Compare": "Scenarios side by side",
    "Report": "Report",
}


def test_an_example_survives_a_reload_and_its_report_opens_offline(page, browser, tmp_path):
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Scenario", exact=True).click()
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Example scenarios").click()
    page.get_by_role("option", name="Scale-up: development bottleneck").click()
    wait_idle(page)
    page.get_by_role("button", name="Open the example").click()
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('example=scaleup.yaml')")
    # An example is not stored: the reload finds it in the draft this browser holds the key
    # to, once the app has given it that key (a cookie, set as the first page loads).
    page.wait_for_function("() => document.cookie.includes('platform_advisor_draft=')")
    page.reload()
    wait_idle(page)
    engineers = page.get_by_role("spinbutton", name="Engineers measured")
    engineers.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=number]')].some(e => e.value === '180')",
        timeout=15_000,
    )
    assert engineers.input_value() == "180"
    for name, title in PAGES.items():
        page.get_by_role("link", name=name).click()
        # A click's run may not have begun when it returns: idle is only idle once the new
        # page has drawn its title (else the next click lands on a button being replaced).
        page.get_by_role("heading", name=title, exact=True).wait_for()
        wait_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, name
    button = page.get_by_role("button", name="Download the report (HTML)")
    button.wait_for(state="visible")
    wait_idle(page)
    with page.expect_download() as info:
        button.click()
    # named after the scenario, not `report.html` for every one
    assert info.value.suggested_filename == "Scale-up-development-bottleneck-report.html"
    report = tmp_path / "report.html"
    info.value.save_as(report)
    html = report.read_text()
    assert "Start with <strong>Software Engineering Intelligence" in html
    viewer = browser.new_context()
    shown = viewer.new_page()
    requests, errors = [], []
    shown.on("request", lambda r: requests.append(r.url))
    shown.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    shown.goto(report.as_uri())
    shown.get_by_text("Recommendation").first.wait_for()
    assert shown.locator("svg").count() >= 2
    assert [u for u in requests if not u.startswith("file:")] == []
    assert errors == []
    viewer.close()


def _sidebar_scenario(page):
    sidebar = page.locator('[data-testid="stSidebar"]')
    summary = sidebar.locator("summary").filter(has_text="Scenario").first
    if sidebar.get_by_role("textbox", name="Name").count() == 0:
        summary.click()
    sidebar.get_by_role("textbox", name="Name").wait_for()
    return sidebar


def _save(page, sidebar, name: str, version: int) -> None:
    """Save, and wait for the status line to name what the store now holds."""
    button = sidebar.get_by_role("button", name="Save as a new version")
    button.wait_for(state="visible")
    wait_idle(page)
    button.click()
    status = sidebar.get_by_text(re.compile(r"^Open: "))
    expect(status).to_contain_text(f"Open: {name}, version {version} (store)")
    wait_idle(page)


def _open_example(page, sidebar, label: str) -> str:
    """Open an example from the sidebar; returns the name its Name field then shows."""
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Example scenarios").click()
    page.get_by_role("option", name=label).click()
    wait_idle(page)
    sidebar.get_by_role("button", name="Open the example").click()
    wait_idle(page)
    name = sidebar.get_by_role("textbox", name="Name")
    expect(name).not_to_have_value("My scenario")
    return name.input_value()


def test_open_edit_save_adds_a_version_to_what_is_open(page, server, browser):
    """Opening filled the status line but not the Name field: the next save went to
    'My scenario'. After opening an example, a stored scenario and a restore, a save is the
    next version of what is open."""
    sidebar = _sidebar_scenario(page)
    opened = _open_example(page, sidebar, "Northwind: Search team")
    _save(page, sidebar, opened, 1)
    notes = sidebar.get_by_role("textbox", name="Notes")
    notes.fill("Reviewed once.")
    notes.press("Tab")
    wait_idle(page)
    _save(page, sidebar, opened, 2)
    # A second browser opens the stored scenario: its fields name it; its save is version 3.
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.set_default_timeout(30_000)
    other.goto(server)
    wait_idle(other)
    side = _sidebar_scenario(other)
    side.locator('[data-testid="stSelectbox"]').filter(has_text="Stored scenarios").click()
    other.get_by_role("option", name=opened).click()
    wait_idle(other)
    side.locator('[data-testid^="stBaseButton"]').filter(has_text=re.compile(r"^Open$")).click()
    wait_idle(other)
    expect(side.get_by_role("textbox", name="Name")).to_have_value(opened)
    _save(other, side, opened, 3)
    # A restore is the next version too, and the field still names the scenario.
    side.get_by_role("button", name="Restore").click()
    wait_idle(other)
    expect(side.get_by_text(re.compile(rf"Open: {re.escape(opened)}, version 4"))).to_be_visible()
    expect(side.get_by_role("textbox", name="Name")).to_have_value(opened)
    other.context.close()


def test_a_link_is_a_view_and_each_browser_keeps_its_own_draft(page, browser, server):
    """Every address carried the session's draft id: a colleague opening it saw the sender's
    unsaved work, and their edits were written into it."""

    def engineers(pg):
        return pg.get_by_role("spinbutton", name="Engineers measured")

    def set_engineers(pg, value: int) -> None:
        box = engineers(pg)
        box.fill(str(value))
        box.press("Enter")
        pg.wait_for_function(
            "v => [...document.querySelectorAll('input[type=number]')]"
            ".some(e => e.value === String(v))",
            arg=value,
        )
        wait_idle(pg)

    engineers(page).wait_for()
    set_engineers(page, 321)
    # the browser holds its draft key; the draft itself is written at the end of each run
    page.wait_for_function("() => document.cookie.includes('platform_advisor_draft=')")
    address = page.url
    assert "draft" not in address
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.set_default_timeout(30_000)
    other.goto(address)
    wait_idle(other)
    engineers(other).wait_for()
    assert engineers(other).input_value() != "321", "B never sees A's unsaved values"
    set_engineers(other, 654)
    page.reload()
    wait_idle(page)
    engineers(page).wait_for()
    expect(engineers(page)).to_have_value("321")  # A finds its own work
    other.reload()
    wait_idle(other)
    expect(engineers(other)).to_have_value("654")
    other.context.close()


def test_switching_pages_keeps_the_open_scenario_in_the_address(page, server):
    """The sidebar's page links cleared the address: a reload on another page then found
    neither the scenario nor its draft, and the next save went to 'My scenario'."""
    sidebar = _sidebar_scenario(page)
    opened = _open_example(page, sidebar, "Scale-up: development bottleneck")
    _save(page, sidebar, opened, 1)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("ROI").click()
    expect(page.get_by_text("What does it return?")).to_be_visible()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/roi\?.*scenario="))
    rate = page.get_by_role("spinbutton", name="Discount rate (% a year)")
    rate.fill("13")
    rate.press("Enter")
    wait_idle(page)
    expect(sidebar.get_by_text(re.compile(r"^Open: "))).to_contain_text("Unsaved changes")
    wait_idle(page)  # the draft is written at the end of that run
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("spinbutton", name="Discount rate (% a year)")).to_have_value("13.00")
    sidebar = _sidebar_scenario(page)
    expect(sidebar.get_by_role("textbox", name="Name")).to_have_value(opened)
    _save(page, sidebar, opened, 2)
