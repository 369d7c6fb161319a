"""Fast keyboard changes in a real browser: the answer must always match the question.

AppTest runs every change to completion, so it cannot see reruns that newer events interrupt;
only a browser sending events faster than the script runs can. The hunt is made hard on
purpose: three sessions storm at the same time (Playwright's async API, one task each) while
both cores are kept busy, so reruns are interrupted and queued all the time. With Streamlit's
fast reruns, and with the answers copied by widget callbacks, nearly every run of this test
ended with a session whose results were computed from older answers than its controls showed
(see advisor/ui/state.py and .streamlit/config.toml).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import re
import threading

import pytest
import yaml

from advisor.shares import whole_percentages
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path

pytestmark = pytest.mark.e2e
STAGES = ("Ideation", "Development", "Deployment", "Operations", "Support")
LEVELS = ("low", "medium", "high")
RADIOS = ("Delivery maturity", "Leadership readiness", "Need to see team sentiment")
SESSIONS = 3
ROUNDS = 20
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _burn(stop) -> None:  # pragma: no cover - runs in a child process
    while not stop.is_set():
        sum(i * i for i in range(10_000))


async def _idle(page) -> None:
    await page.wait_for_selector(IDLE)


async def _controls(page) -> dict:
    sliders = page.locator('[data-testid="stSlider"]')
    values = {
        s.lower(): int(
            await sliders.filter(has_text=s).locator('input[type="range"]').input_value()
        )
        for s in STAGES
    }
    for label in RADIOS:
        group = page.get_by_role("radiogroup", name=label)
        checked = await group.locator("input:checked").evaluate("e => e.value")
        values[label] = LEVELS[int(checked)]
    return values


async def _storm(page, rnd: random.Random) -> None:
    """Key presses on several sliders and radio clicks, sent without waiting for reruns."""
    for _ in range(ROUNDS):
        handle = (
            page.locator('[data-testid="stSlider"]')
            .filter(has_text=rnd.choice(STAGES))
            .get_by_role("slider")
        )
        await handle.focus()
        for _ in range(rnd.randint(1, 6)):
            await handle.press(rnd.choice(["ArrowRight", "ArrowLeft", "PageUp", "PageDown"]))
        if rnd.random() < 0.6:
            group = page.get_by_role("radiogroup", name=rnd.choice(RADIOS))
            await group.get_by_text(rnd.choice(LEVELS), exact=True).click()


async def _check(page) -> list[str]:
    """What this session shows against what its controls say; an empty list when in step.

    Once the page is idle the controls no longer change; the results must then come to match
    them. A loaded machine may start the last rerun a moment after the page first reads idle,
    so the match is awaited (up to 20 s); the fault hunted here never heals: the results stayed
    on older answers for good."""
    from playwright.async_api import expect

    await page.wait_for_timeout(400)
    await _idle(page)
    controls = await _controls(page)
    total = sum(controls[s.lower()] for s in STAGES)
    if total == 0:
        try:
            await expect(page.get_by_text("Not used: these answers")).to_have_count(1)
        except AssertionError:
            return [f"all weights 0 but no message: {controls}"]
        return []
    # whole percentages by largest remainder, as every page writes them (they add up to 100)
    percents = whole_percentages({s.lower(): controls[s.lower()] for s in STAGES})
    expected = ", ".join(f"{stage} {p}%" for stage, p in percents.items())
    levels = ", ".join(
        f"{field} {controls[label]}"
        for label, field in zip(RADIOS, ("maturity", "readiness", "sentiment"), strict=True)
    )
    caption = page.get_by_text("Computed from:")
    try:
        await expect(caption).to_contain_text(
            f"work waits at {expected}; {levels}.", timeout=20_000
        )
    except AssertionError:
        return [f"controls {controls}, results {await caption.inner_text()!r}"]
    await _idle(page)

    await page.get_by_text("Load or save answers").click()
    button = page.get_by_role("button", name="Download these answers (YAML)")
    await button.wait_for(state="visible")
    await _idle(page)
    async with page.expect_download() as info:
        await button.click()
    download = await info.value
    with open(await download.path()) as handle:
        saved = yaml.safe_load(handle)
    problems = []
    for stage in STAGES:
        weight = saved["bottlenecks"].get(stage.lower(), 0)
        if abs(weight - controls[stage.lower()] / total) > 1e-4:
            problems.append(f"saved {stage} {weight} against {controls}")
    if (saved["maturity"], saved["leadership_readiness"]) != (
        controls["Delivery maturity"],
        controls["Leadership readiness"],
    ):
        problems.append(f"saved levels {saved} against {controls}")

    explanation = page.locator('[data-testid="stExpander"]').filter(has_text="Why").first
    await explanation.locator("summary").click()
    text = await explanation.inner_text()
    shares = dict(re.findall(r"(\w+) (\d+)%", text.split("Your work waits at ")[1].split(".")[0]))
    wanted_shares = {stage: str(p) for stage, p in percents.items()}
    if shares != wanted_shares:
        problems.append(f"explanation {shares} against {wanted_shares}")
    return problems


async def _hunt(url: str, seed: int) -> list[str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        contexts = [
            await browser.new_context(viewport={"width": 1400, "height": 1000})
            for _ in range(SESSIONS)
        ]
        pages = []
        for context in contexts:
            page = await context.new_page()
            page.set_default_timeout(60_000)
            await page.goto(url)
            await page.get_by_text("Computed from:").wait_for()
            await _idle(page)
            pages.append(page)
        stop = multiprocessing.Event()
        burners = [
            multiprocessing.Process(target=_burn, args=(stop,), daemon=True) for _ in range(2)
        ]
        for burner in burners:  # both cores busy: script runs slow down and overlap events
            burner.start()
        try:
            await asyncio.gather(
                *(_storm(page, random.Random(seed * 100 + i)) for i, page in enumerate(pages))
            )
        finally:
            stop.set()
            for burner in burners:
                burner.join(timeout=10)
        found = await asyncio.gather(*(_check(page) for page in pages))
        await browser.close()
    return [f"session {i}: {p}" for i, problems in enumerate(found) for p in problems]


@pytest.mark.parametrize("seed", range(2))
def test_results_always_match_the_controls(browser, server, seed):
    """Three sessions at once; each must end with results computed from its own controls."""
    outcome: dict = {}

    def run() -> None:  # the async API in a thread of its own, beside the sync fixtures
        try:
            outcome["problems"] = asyncio.run(_hunt(server, seed))
        except BaseException as exc:  # reported below, in the test's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=600)
    assert not worker.is_alive(), "the storm did not finish in 10 minutes"
    if "error" in outcome:
        raise outcome["error"]
    assert outcome["problems"] == []


def test_a_change_followed_at_once_by_a_page_switch_is_kept(page):
    """Key presses and a click, then another page before any rerun finished: the page's own
    read never ran for them, so only the widgets' callbacks can keep the change."""
    from playwright.sync_api import expect

    from tests.e2e.conftest import wait_idle

    page.get_by_text("Computed from:").wait_for()
    handle = (
        page.locator('[data-testid="stSlider"]').filter(has_text="Ideation").get_by_role("slider")
    )
    handle.focus()
    for _ in range(7):
        handle.press("ArrowRight")
    page.get_by_role("radiogroup", name="Delivery maturity").get_by_text("high", exact=True).click()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("ROI").click()
    expect(page.get_by_text("What does it return?")).to_be_visible()
    wait_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Advisor").click()
    caption = page.get_by_text("Computed from:")
    expect(caption).to_contain_text("work waits at ideation 7%")
    expect(caption).to_contain_text("maturity high")
