"""The Evidence page in a real browser: the sample's bottleneck reaches the Advisor."""

import re

import pytest
from playwright.sync_api import expect

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


@pytest.fixture(scope="module")
def export_20_mb(tmp_path_factory):
    """About 20 MB of transitions: the size of a real team's year of Jira history."""
    from advisor.evidence.sample import generate, write

    folder = tmp_path_factory.mktemp("export")
    write(generate("review", seed=1, teams=6, items_per_team=4_500), folder)
    path = folder / "transitions.csv"
    assert path.stat().st_size > 20_000_000
    return path


def test_a_20_mb_export_uploads_and_is_read(page, export_20_mb):
    """The server's upload limit is the uploader's (it refused anything over 2 MB with a raw
    413 before)."""
    page.get_by_role("link", name="Evidence").click()
    wait_idle(page)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Work items")
    uploader.locator('input[type="file"]').set_input_files(str(export_20_mb))
    page.get_by_text("Where work waits").first.wait_for(timeout=120_000)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("413").count() == 0
    page.get_by_text("transitions.csv").first.wait_for()


def test_a_bad_upload_after_a_good_one_says_why_where_it_can_be_seen(page, tmp_path):
    """The Files panel closes once work items are in use; the refusal is shown outside it."""
    from urllib.parse import urlsplit

    from tests.conftest import ROOT

    origin = urlsplit(page.url)
    page.goto(f"{origin.scheme}://{origin.netloc}/evidence")  # straight there, as a bookmark
    wait_idle(page)
    items = page.locator('[data-testid="stFileUploader"]').filter(has_text="Work items")
    items.locator('input[type="file"]').set_input_files(
        str(ROOT / "tests" / "data" / "evidence" / "items.csv")
    )
    page.get_by_role("heading", name="Forecast").wait_for()
    wait_idle(page)
    bad = tmp_path / "twice.csv"
    bad.write_text("id,deployed_at,commit_at,status,status\nd1,2026-01-06,,success,failed\n")
    deploys = page.locator('[data-testid="stFileUploader"]').filter(has_text="Deployments")
    deploys.locator('input[type="file"]').set_input_files(str(bad))
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="twice.csv")
    error.wait_for(state="attached")
    wait_idle(page)
    page.get_by_role("heading", name="Forecast").wait_for()  # the good file is still measured
    # The panel closes once work items are in use (a rerun after the upload's own): the
    # message must still be seen then.
    summary = page.locator("summary").filter(has_text=re.compile(r"^\s*\S*\s*Files$"))
    files = page.locator('[data-testid="stExpander"] details').filter(has=summary)
    expect(files).not_to_have_attribute("open", "")
    wait_idle(page)
    expect(error).to_be_visible()
    assert "named twice" in error.inner_text()


def _sample_sent_to_the_advisor(page) -> None:
    """The Evidence page with the sample loaded and its bottleneck sent to the Advisor."""
    page.get_by_role("link", name="Evidence").click()
    page.get_by_role("heading", name="What does your own data say?").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Load the sample organisation").click()
    page.get_by_role("heading", name="Forecast").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Send this bottleneck to the Advisor").click()
    page.get_by_text("The Advisor now uses these weights").wait_for()
    wait_idle(page)


def test_the_scenario_downloaded_right_after_a_send_holds_the_measured_bottleneck(page):
    """The sidebar is drawn before the page: a send made while the page ran reached it one
    run late, so the file downloaded next still held the old weights."""
    import yaml

    _sample_sent_to_the_advisor(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator("summary").filter(has_text="Scenario").first.click()
    button = sidebar.get_by_role("button", name="Download as a scenario file")
    # Opened, and no run under way: a run redraws the button, and a click on the one it
    # replaces downloads nothing.
    button.wait_for(state="visible")
    wait_idle(page)
    with page.expect_download() as download:
        button.click()
    from pathlib import Path

    scenario = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert scenario["answers"]["bottlenecks"]["development"] == pytest.approx(0.89, abs=0.01)
    assert scenario["evidence"]["bottlenecks"]


def test_a_file_taken_out_of_its_uploader_is_no_longer_used_and_a_page_switch_keeps_them(
    page,
):
    from tests.conftest import ROOT

    data = ROOT / "tests" / "data" / "evidence"
    page.get_by_role("link", name="Evidence").click()
    wait_idle(page)
    items = page.locator('[data-testid="stFileUploader"]').filter(has_text="Work items")
    items.locator('input[type="file"]').set_input_files(str(data / "items.csv"))
    page.get_by_role("heading", name="Forecast").wait_for()
    wait_idle(page)
    deploys = page.locator('[data-testid="stFileUploader"]').filter(has_text="Deployments")
    deploys.locator('input[type="file"]').set_input_files(str(data / "deployments.csv"))
    page.get_by_text("deployments: deployments.csv").wait_for()
    wait_idle(page)
    page.get_by_role("link", name="Advisor").click()  # the uploaders empty; the files stay
    wait_idle(page)
    page.get_by_role("link", name="Evidence").click()
    page.get_by_role("heading", name="Forecast").wait_for()
    wait_idle(page)
    expect(page.get_by_text("Upload a deployments CSV to see DORA")).to_have_count(0)
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Files").first.click()
    deploys.locator('input[type="file"]').set_input_files(str(data / "deployments.csv"))
    wait_idle(page)
    deploys.locator('[data-testid="stFileChipDeleteBtn"] button').first.click()
    page.get_by_text("Upload a deployments CSV to see DORA").wait_for()
    expect(page.get_by_text("deployments: deployments.csv")).to_have_count(0)


def test_the_lever_sent_to_the_roi_page_is_confirmed_where_it_was_sent(page):
    """The lever's panel moved up when the Advisor's confirmation went, and an expander
    known by its place closed: the ROI page's confirmation was drawn hidden inside it."""
    _sample_sent_to_the_advisor(page)
    page.get_by_text("Send to the ROI page's downtime lever").click()
    send = page.get_by_role("button", name="Send to the ROI page")
    send.wait_for(state="visible")
    wait_idle(page)
    send.click()
    # expect's own timeout is 5 s; a loaded machine's rerun of the sample page can take more
    expect(page.get_by_text("Added to the ROI page's benefits")).to_be_visible(timeout=30_000)
