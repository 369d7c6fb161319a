"""Teams and roles in a real browser, signed in through the OpenID Connect provider the tests
start: a viewer cannot save; an editor of one team cannot list, open, compare or review
another team's scenario, from the pickers or through a crafted address; an approver's
approval shows in the trail with their name."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle
from tests.e2e.test_scenarios import _save, _sidebar_scenario
from tests.e2e.test_sign_in import _open, _shown, _sign_in

pytestmark = pytest.mark.e2e
SEARCH = "Northwind - Search"  # examples/scenarios/team-search.yaml: Northwind / Search
PLATFORM = "Northwind - Delivery platform"  # northwind-platform.yaml: Northwind / Platform


def _as(context, server, who: str, path: str = ""):
    """A page of the app signed in as `who` (a fresh context: its own cookies)."""
    pg = _open(context, server.url)
    _sign_in(pg, who)
    if path:
        pg.goto(server.url + path)
        wait_idle(pg)
    return pg


def _open_example(pg, server, file: str, name: str):
    """Open an example through its link (a link to an example opens it for whoever follows
    it); returns the sidebar, its Name field showing `name`."""
    pg.goto(f"{server.url}/?example={file}")
    wait_idle(pg)
    sidebar = _sidebar_scenario(pg)
    expect(sidebar.get_by_role("textbox", name="Name")).to_have_value(name)
    return sidebar


@pytest.fixture
def contexts(browser):
    made = []

    def new():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda r: r.abort())
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()


def test_roles_hold_in_the_browser(contexts, signin_server):
    # Sam, editor of Search, saves the Search team's scenario.
    sam = _as(contexts(), signin_server, "sam")
    sidebar = _open_example(sam, signin_server, "team-search.yaml", SEARCH)
    _save(sam, sidebar, SEARCH, 1)
    expect(sidebar.get_by_text("Saved by sam@")).to_be_visible()

    # Cara, editor of Platform: Search's scenario is nowhere to be chosen or reached.
    cara = _as(contexts(), signin_server, "cara")
    sidebar = _sidebar_scenario(cara)
    stored = sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Stored scenarios")
    if stored.count():
        stored.click()
        expect(cara.get_by_role("option", name=SEARCH)).to_have_count(0)
        cara.keyboard.press("Escape")
    cara.goto(f"{signin_server.url}/?scenario={quote(SEARCH)}&version=1")  # crafted
    wait_idle(cara)
    sidebar = _sidebar_scenario(cara)
    expect(sidebar.get_by_text(re.compile(r"^Open: "))).to_have_count(0)
    expect(cara.get_by_text("Computed from: 120 engineers")).to_be_visible()  # not Search's
    cara.goto(f"{signin_server.url}/compare")
    wait_idle(cara)
    expect(cara.get_by_text(f"stored: {SEARCH}")).to_have_count(0)
    cara.goto(f"{signin_server.url}/review?review={quote(SEARCH)}&of=1")
    wait_idle(cara)
    expect(cara.get_by_text("no such scenario or version")).to_be_visible()
    expect(cara.get_by_text(SEARCH)).to_have_count(0)

    # Cara saves the Platform team's scenario; Val, a viewer of Platform, cannot save.
    sidebar = _open_example(cara, signin_server, "northwind-platform.yaml", PLATFORM)
    _save(cara, sidebar, PLATFORM, 1)
    val = _as(contexts(), signin_server, "val")
    sidebar = _sidebar_scenario(val)
    expect(sidebar.get_by_text("your role does not let you save")).to_be_visible()
    sidebar = _open_example(val, signin_server, "northwind-platform.yaml", PLATFORM)
    expect(sidebar.get_by_role("button", name="Save as a new version")).to_be_disabled()
    expect(val.locator('[data-testid="stException"]')).to_have_count(0)

    # Ben, an approver of Platform through his groups claim, approves version 1.
    ben = _as(contexts(), signin_server, "ben", f"/review?review={quote(PLATFORM)}&of=1")
    ben.get_by_role("button", name="Approve version 1").click()
    wait_idle(ben)
    expect(ben.get_by_text("Version 1 is now the approved plan.")).to_be_visible()

    # Ana, the admin, reads the trail: the approval, with Ben's name.
    ana = _as(contexts(), signin_server, "ana", "/trail")
    with ana.expect_download() as download:
        ana.get_by_test_id("stDownloadButton").get_by_role("button").click()
    trail = Path(download.value.path()).read_text(encoding="utf-8")
    approvals = [line for line in trail.splitlines() if ",approve," in line]
    assert len(approvals) == 1 and PLATFORM in approvals[0], trail
    assert "ben@northwind.example" in approvals[0]
    saves = [line for line in trail.splitlines() if ",save," in line]
    assert {_shown(line.split(",")[1]) for line in saves} == {SEARCH, PLATFORM}
