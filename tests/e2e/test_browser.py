"""The app in a real browser: answer the questions, see the ranking and the chart."""

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/platform-advisor-shots"))


def _visit(page, link: str, heading: str) -> None:
    page.get_by_role("link", name=link).click()
    wait_idle(page)
    page.get_by_role("heading", name=heading).wait_for()


def _first_chart_drawn(page) -> None:
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()


def _no_exception_then_shot(page, name: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


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
    _first_chart_drawn(page)
    _no_exception_then_shot(page, "advisor")


def test_catalog_page_shows_the_heatmap(page):
    _visit(page, "Catalog", "The catalog")
    _first_chart_drawn(page)
    assert page.get_by_text("Apache DevLake").count() >= 1
    _no_exception_then_shot(page, "catalog")


def test_roi_page_summarises_and_draws_the_cash_flow(page):
    _visit(page, "ROI", "What does it return?")
    summary = page.locator('[data-testid="stAlertContentSuccess"]').first
    summary.wait_for()
    assert "returns an NPV of" in summary.inner_text()
    _first_chart_drawn(page)
    _no_exception_then_shot(page, "roi")


def test_cost_of_delay_page_ranks_the_backlog(page):
    _visit(page, "Cost of delay", "What does waiting cost?")
    page.get_by_text("CD3 instead of your order saves").wait_for()
    _first_chart_drawn(page)
    _no_exception_then_shot(page, "delay")


def test_no_request_leaves_the_machine_on_any_page(page):
    """The app must work with no network: a `:material/` page icon was fetched from a public
    font host on every page."""
    from urllib.parse import urlparse

    from tests.e2e.test_scenarios import PAGES

    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if r.url.startswith(("http:", "https:", "ws:", "wss:"))
            and urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            else None
        ),
    )
    page.reload()
    wait_idle(page)
    for name, title in PAGES.items():
        page.get_by_role("link", name=name).click()
        page.get_by_role("heading", name=title, exact=True).wait_for()
        wait_idle(page)
        if name == "Evidence":  # its charts, tables and uploaders too
            page.get_by_role("button", name="Load the sample organisation").click()
            page.get_by_role("heading", name="Forecast").wait_for()
            wait_idle(page)
    assert outside == []
