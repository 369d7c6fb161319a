"""Value realised in a real browser: the loop closed in one click survives a reload, and the
report downloaded next holds it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def test_the_example_closes_the_loop_survives_a_reload_and_reaches_the_report(
    page, server, tmp_path
):
    page.goto(f"{server}/realised")
    wait_idle(page)
    page.get_by_role("button", name="Open the Northwind example").click()
    levers = page.get_by_text("Plan against actual, lever by lever")
    levers.wait_for()
    wait_idle(page)
    expect(page.get_by_text("not measured: no measured figure is linked")).to_be_visible()
    page.wait_for_function("() => location.search.includes('example=northwind-platform.yaml')")
    page.wait_for_function("() => document.cookie.includes('platform_advisor_draft=')")
    page.reload()
    wait_idle(page)
    # the files and the scenario came back with the draft: the same plan against actual
    levers.wait_for()
    expect(page.get_by_text("approved by finance")).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_role("link", name="Report").click()
    page.get_by_role("heading", name="Report", exact=True).wait_for()
    wait_idle(page)
    button = page.get_by_role("button", name="Download the report (HTML)")
    with page.expect_download() as info:
        button.click()
    report = tmp_path / "report.html"
    info.value.save_as(report)
    html = report.read_text()
    assert "Value realised" in html and "finance@northwind.example" in html
