"""The app in a real browser: answer the questions, see the ranking and the chart."""

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/platform-advisor-shots"))


def _top(page) -> str:
    return page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()


def test_answering_in_the_browser_changes_the_ranking(page):
    assert "Software Engineering Intelligence" in _top(page)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible")

    engineers = page.get_by_role("spinbutton", name="Engineers measured")
    engineers.fill("80")
    engineers.press("Enter")
    wait_idle(page)
    budget = page.get_by_role("spinbutton", name="Platform budget per year")
    budget.fill("10000")
    budget.press("Enter")
    wait_idle(page)
    page.get_by_role("radiogroup", name="Delivery maturity").get_by_text("low").click()
    wait_idle(page)
    for stage, value in (("Development", "0"), ("Deployment", "100")):
        slider = page.get_by_role("slider", name=stage)
        slider.focus()
        slider.press("Home" if value == "0" else "End")
        wait_idle(page)

    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stAlertContentSuccess\"]')"
        "?.innerText.includes('DORA')"
    )
    assert "Start with DORA metrics" in _top(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    assert chart.locator("canvas, svg").count() > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "advisor.png"), full_page=True)


def test_catalog_page_shows_the_heatmap(page):
    page.get_by_role("link", name="Catalog").click()
    wait_idle(page)
    page.get_by_role("heading", name="The catalog").wait_for()
    heatmap = page.locator('[data-testid="stVegaLiteChart"]').first
    heatmap.scroll_into_view_if_needed()
    heatmap.locator("canvas, svg").first.wait_for()
    assert page.get_by_text("Apache DevLake").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "catalog.png"), full_page=True)


def test_roi_page_summarises_and_draws_the_cash_flow(page):
    page.get_by_role("link", name="ROI").click()
    wait_idle(page)
    page.get_by_role("heading", name="What does it return?").wait_for()
    summary = page.locator('[data-testid="stAlertContentSuccess"]').first
    summary.wait_for()
    assert "returns an NPV of" in summary.inner_text()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "roi.png"), full_page=True)


def test_cost_of_delay_page_ranks_the_backlog(page):
    page.get_by_role("link", name="Cost of delay").click()
    wait_idle(page)
    page.get_by_role("heading", name="What does waiting cost?").wait_for()
    page.get_by_text("CD3 instead of your order saves").wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "delay.png"), full_page=True)
