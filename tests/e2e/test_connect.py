"""The Evidence page's Connect panel in a real browser, pulling from a local Jira: the progress
bar moves and the pulled issues are measured, Cancel keeps what was written and Start
continues it, a reload while a pull runs, and two browser sessions pulling at once.

The local Jira (advisor/connectors/fakes, served by pytest-httpserver in this process) answers
each search page only when the test lets it (`Paced.release`), so every step waits on an
event or on `expect`, never on a clock. The app server is started here with dummy Jira
credentials, its own pulls folder and its own store.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import threading
from collections import defaultdict

import pytest
from playwright.sync_api import expect
from pytest_httpserver import HTTPServer

from advisor.connectors.fakes import USER, FakeJira, issue
from tests.e2e.conftest import SERVER_LOGS, _free_port, _stop, start_app, wait_idle
from tests.unit.connectors_support import TOKEN

pytestmark = pytest.mark.e2e

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
PAGE = 50  # issues a search page: 130 issues are pages of 50, 50 and 30
WAIT = 60  # seconds an event is waited for at most, so a broken run fails instead of hanging


def _issues(n: int) -> list[dict]:
    """n issues, each created, moved to In Progress a day later and to Done two days after:
    three transitions an issue (its creation and two status changes)."""
    changes = [(T0 + DAY, "To Do", "In Progress"), (T0 + 3 * DAY, "In Progress", "Done")]
    return [
        issue(f"PAY-{i}", T0 + i * DAY, [(t + i * DAY, a, b) for t, a, b in changes])
        for i in range(1, n + 1)
    ]


class Paced(FakeJira):
    """A FakeJira whose n-th search request (0, 1, ... counted over every pull it serves)
    says it arrived (`asked(n)`) and waits for `release(n)` before answering."""

    def __init__(self, issues: list[dict], **kw):
        super().__init__(issues, page=PAGE, **kw)
        self._asked: dict[int, threading.Event] = defaultdict(threading.Event)
        self._open: dict[int, threading.Event] = defaultdict(threading.Event)
        self._all = threading.Event()
        self._lock = threading.Lock()
        self.searches = 0

    def __call__(self, request):
        if "/search" in request.path:
            with self._lock:
                n, self.searches = self.searches, self.searches + 1
                asked, gate = self._asked[n], self._open[n]
            asked.set()
            if not self._all.is_set():
                gate.wait(timeout=WAIT)
        return super().__call__(request)

    def asked(self, n: int) -> None:
        """Wait until the n-th search request has arrived (and is held)."""
        with self._lock:
            event = self._asked[n]
        assert event.wait(timeout=WAIT), f"search request {n} never came"

    def release(self, n: int) -> None:
        with self._lock:
            self._open[n].set()

    def release_all(self) -> None:
        """Answer every search at once from now on (and those held)."""
        self._all.set()
        with self._lock:
            for gate in self._open.values():
                gate.set()

    def search_tokens(self) -> list[str | None]:
        """Each search's page token in order (None: a search from its start)."""
        return [args.get("nextPageToken") for path, args in self.calls if "/search" in path]


@pytest.fixture(scope="module")
def jira_app(tmp_path_factory):
    """The app with JIRA_USER / JIRA_TOKEN set to the local Jira's dummy values; yields
    (its address, its pulls folder, its log)."""
    folder = tmp_path_factory.mktemp("connect")
    pulls, log = folder / "pulls", folder / "server.log"
    env = {
        "JIRA_USER": USER,
        "JIRA_TOKEN": TOKEN,
        "PLATFORM_ADVISOR_PULLS": str(pulls),
        "PLATFORM_ADVISOR_STORE": f"sqlite:///{folder / 'scenarios.db'}",
    }
    port = _free_port()
    proc = start_app(port, log, env)
    SERVER_LOGS.append(log)
    yield f"http://127.0.0.1:{port}", pulls, log
    _stop(proc)
    SERVER_LOGS.remove(log)


@pytest.fixture
def jira():
    """A local Jira server answering requests in threads (two pulls can wait on it at
    once); yields a function that serves a Paced fake from it and returns (fake, site)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    fakes: list[Paced] = []

    def serve(issues: list[dict]) -> tuple[Paced, str]:
        fake = Paced(issues)
        fakes.append(fake)
        return fake, fake.install(server)

    yield serve
    for fake in fakes:  # nothing stays held when a test failed half-way
        fake.release_all()
    server.clear()
    server.stop()


@pytest.fixture
def contexts(browser):
    """Fresh browser profiles (each its own Streamlit session); closed at the end."""
    made = []

    def new():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        made.append(context)
        return context.new_page()

    yield new
    for context in made:
        context.close()


@pytest.fixture
def page(contexts, jira_app):
    """The first browser session, on the Evidence page (named `page` so a failure's report
    shows what it showed)."""
    pg = contexts()
    _evidence(pg, jira_app[0])
    return pg


def _evidence(pg, url: str) -> None:
    pg.goto(f"{url}/evidence")
    pg.get_by_role("heading", name="What does your own data say?").wait_for()
    wait_idle(pg)


def _panel(pg):
    return pg.locator('[data-testid="stExpander"]').filter(
        has_text="Connect to Jira, GitHub or GitLab"
    )


def _fill(pg, site: str, folder: str, pulls) -> None:
    """Open the Connect panel and give it the local Jira, project PAY and `folder`."""
    panel = _panel(pg)
    if panel.locator("details").get_attribute("open") is None:
        panel.locator("summary").click()
    for label, value in (
        ("Jira address", site),
        ("Project key", "PAY"),
        ("Folder to write to (empty: named after what is pulled)", folder),
    ):
        box = panel.get_by_role("textbox", name=label, exact=True)
        box.fill(value)
        box.press("Enter")
        expect(box).to_have_value(value)
    # the panel has read every field: it names the folder they make
    expect(panel.get_by_text(f"Files are written to {pulls / folder}.")).to_be_visible()


def _start(pg) -> None:
    _panel(pg).get_by_role("button", name="Start the pull").click()


def _bar(pg):
    return _panel(pg).locator('[data-testid="stProgress"]')


def _bar_value(pg) -> int:
    return int(_bar(pg).get_by_role("progressbar").get_attribute("aria-valuenow"))


def _no_exception(pg) -> None:
    expect(pg.locator('[data-testid="stException"]')).to_have_count(0)


def _done(pg, issues: int):
    """The panel's success message for a pull leaving `issues` in its folder, and the page's
    count of the items it now measures (each issue's three transitions)."""
    success = _panel(pg).locator('[data-testid="stAlertContentSuccess"]')
    expect(success).to_contain_text(f"now holds {issues:,} issues")
    expect(success).to_contain_text("In use on this page as the work items")
    measured = f"{issues:,} items, {3 * issues:,} transitions"
    expect(pg.get_by_text(measured)).to_be_visible()
    _no_exception(pg)


def _files(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("jira-issues-*.json"))


def test_a_pull_shows_a_moving_bar_then_the_page_measures_it_and_no_token_is_anywhere(
    page, jira_app, jira
):
    _, pulls, log = jira_app
    fake, site = jira(_issues(130))
    _fill(page, site, "first", pulls)
    _start(page)
    fake.asked(0)
    fake.release(0)
    fake.asked(1)  # the first page is read and its progress recorded before the second is asked
    expect(_bar(page)).to_contain_text("50 Jira issues read (no total known)")
    first = _bar_value(page)
    fake.release(1)
    fake.asked(2)
    expect(_bar(page)).to_contain_text("100 Jira issues read")
    # Cloud gives no total: the bar is done / (done + 1,000), 50/1,050 = 4 % then 100/1,100 = 9 %
    assert (first, _bar_value(page)) == (4, 9)
    fake.release(2)
    _done(page, 130)
    expect(_bar(page)).to_have_count(0)
    # 130 issues at 100 a file, and the status list
    assert _files(pulls / "first") == ["jira-issues-00001.json", "jira-issues-00002.json"]
    assert fake.searches == 3
    # the credentials' values are nowhere: not on the page, not in the server's log, not in a file
    html, text = page.content(), page.locator("body").inner_text()
    assert "JIRA_TOKEN" in text and "set (environment)" in text  # what is said instead
    for shown in (html, text):
        assert TOKEN not in shown and USER not in shown
    assert TOKEN not in log.read_text(errors="replace")
    written = [p for p in pulls.rglob("*") if p.is_file()]
    assert len(written) >= 4  # two issue files, the status list, pull-state.json
    for path in written:
        assert TOKEN not in path.read_text(errors="replace"), path


def test_cancel_keeps_the_page_read_and_start_again_continues_to_the_end(page, jira_app, jira):
    pulls = jira_app[1]
    fake, site = jira(_issues(250))
    _fill(page, site, "cancelled", pulls)
    _start(page)
    fake.asked(0)  # the pull waits on its first page
    cancel = _panel(page).get_by_role("button", name="Cancel")
    cancel.click()
    # said until the pull stops (the page in hand is still to come), and no second Cancel
    expect(_panel(page).get_by_text("Cancelling after the current request...")).to_be_visible()
    expect(cancel).to_have_count(0)
    fake.release(0)
    info = _panel(page).locator('[data-testid="stAlertContentInfo"]')
    expect(info).to_contain_text("Cancelled. The pages already written are kept")
    expect(_bar(page)).to_have_count(0)
    # the page in hand when Cancel was clicked is written (50 issues), and no more was asked
    assert _files(pulls / "cancelled") == ["jira-issues-00001.json"]
    assert fake.searches == 1
    fake.release_all()
    _start(page)
    _done(page, 250)
    # the second pull continued after the 50 issues written: its first search's page token
    # is where the first pull stopped; 250 issues are pages of 50 at offsets 0 ... 200
    offsets = [int(base64.b64decode(t)) if t else 0 for t in fake.search_tokens()]
    assert offsets == [0, 50, 100, 150, 200]
    # 50 issues in the first file, then 200 more at 100 a file
    assert _files(pulls / "cancelled") == [f"jira-issues-0000{n}.json" for n in (1, 2, 3)]


def test_a_reload_while_a_pull_runs_shows_that_pull_and_its_end_and_starts_no_other(
    page, jira_app, jira
):
    pulls = jira_app[1]
    fake, site = jira(_issues(130))
    _fill(page, site, "reloaded", pulls)
    _start(page)
    fake.asked(0)
    expect(_bar(page)).to_be_visible()
    page.reload()  # a new session: the panel's fields are empty again
    page.get_by_role("heading", name="What does your own data say?").wait_for()
    wait_idle(page)
    _no_exception(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    # naming the same folder again shows the pull that writes it, not a Start button
    _fill(page, site, "reloaded", pulls)
    expect(_bar(page)).to_be_visible()
    expect(_panel(page).get_by_role("button", name="Start the pull")).to_have_count(0)
    fake.release_all()
    _done(page, 130)
    assert fake.search_tokens().count(None) == 1  # one pull began
    assert fake.searches == 3


def test_two_sessions_naming_one_folder_share_its_one_pull(page, jira_app, jira, contexts):
    url, pulls, _ = jira_app
    fake, site = jira(_issues(130))
    _fill(page, site, "shared", pulls)
    _start(page)
    fake.asked(0)
    other = contexts()
    _evidence(other, url)
    _fill(other, site, "shared", pulls)
    # the second session shows the running pull instead of starting a second one
    expect(_bar(other)).to_be_visible()
    expect(_panel(other).get_by_role("button", name="Start the pull")).to_have_count(0)
    fake.release_all()
    for pg in (page, other):  # each gets its end, and measures the pulled issues
        _done(pg, 130)
    assert fake.search_tokens().count(None) == 1 and fake.searches == 3
    assert _files(pulls / "shared") == ["jira-issues-00001.json", "jira-issues-00002.json"]


def test_two_sessions_pull_into_two_folders_at_once(page, jira_app, jira, contexts):
    url, pulls, _ = jira_app
    fake, site = jira(_issues(130))
    other = contexts()
    _evidence(other, url)
    _fill(page, site, "left", pulls)
    _fill(other, site, "right", pulls)
    _start(page)
    _start(other)
    fake.asked(0)
    fake.asked(1)  # both pulls wait on their first page at the same time
    fake.release_all()
    for pg in (page, other):
        _done(pg, 130)
    success = [_panel(pg).locator('[data-testid="stAlertContentSuccess"]') for pg in (page, other)]
    expect(success[0]).to_contain_text(re.compile(r"pulls/left\b"))
    expect(success[1]).to_contain_text(re.compile(r"pulls/right\b"))
    assert fake.search_tokens().count(None) == 2 and fake.searches == 6
    for name in ("left", "right"):
        assert _files(pulls / name) == ["jira-issues-00001.json", "jira-issues-00002.json"]
