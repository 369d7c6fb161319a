"""The approved example, downloaded unchanged from the sidebar, is still the approved plan."""

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def test_the_unchanged_example_downloads_with_its_approval(page, server, tmp_path):
    from advisor.scenario import load_scenario_file

    page.goto(f"{server}/realised")
    wait_idle(page)
    page.get_by_role("button", name="Open the Northwind example").click()
    page.get_by_text("Plan against actual, lever by lever").wait_for()
    wait_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Scenario", exact=True).click()
    button = sidebar.get_by_role("button", name="Download as a scenario file")
    button.wait_for()
    with page.expect_download() as info:
        button.click()
    path = tmp_path / "plan.yaml"
    info.value.save_as(path)
    plan = load_scenario_file(path)
    assert plan.approval is not None and plan.approval.by == "finance@northwind.example"
    assert plan.realised is not None
