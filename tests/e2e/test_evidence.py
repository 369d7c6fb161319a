"""The Evidence page in a real browser: the sample's bottleneck reaches the Advisor."""

import pytest

from tests.e2e.conftest import wait_idle
from tests.e2e.test_browser import SHOTS

pytestmark = pytest.mark.e2e


def test_the_measured_bottleneck_reaches_the_advisor(page):
    page.get_by_role("link", name="Evidence").click()
    wait_idle(page)
    page.get_by_role("button", name="Load the sample organisation").click()
    wait_idle(page)
    page.get_by_text("Where work waits").first.wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence.png"), full_page=True)
    page.get_by_role("button", name="Send this bottleneck to the Advisor").click()
    wait_idle(page)
    page.get_by_role("link", name="Advisor").click()
    wait_idle(page)
    page.get_by_text("Measured from your data").wait_for()
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Development")
    assert slider.locator('input[type="range"]').input_value() == "89"
