"""User text in a real browser: Markdown and HTML show literally, and nothing is fetched."""

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
EVIL = (
    "![evil](http://127.0.0.1:9/evil.png) **bold** <img src='http://127.0.0.1:9/evil2.png'> "
    "see https://example.org/x, www.example.net or mail a@b.co"
)


def test_markdown_in_a_backlog_name_is_text_and_fetches_nothing(page, tmp_path):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_role("link", name="Cost of delay").click()
    wait_idle(page)
    path = tmp_path / "evil.yaml"
    path.write_text(
        "items:\n"
        f'  - {{id: a, name: "{EVIL}", cost_of_delay_per_week: 10, duration_weeks: 2}}\n'
        "  - {id: b, name: Plain, cost_of_delay_per_week: 30, duration_weeks: 4}\n"
    )
    page.get_by_text("Import or export").click()
    # the import's own uploader (the page has another, for throughput)
    box = page.locator('[data-testid="stExpander"]').filter(has_text="Import or export")
    box.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    # the orders list each item by name: drawn as text, the Markdown shows
    page.locator("li").filter(has_text="![evil](http").filter(has_text="**bold**").first.wait_for()
    wait_idle(page)
    assert page.locator("img[src*='evil']").count() == 0
    # a bare address or e-mail in user text is text too, not a link (Markdown makes it one)
    links = page.locator("a[href*='127.0.0.1:9/'], a[href*='example.'], a[href^='mailto:']")
    assert links.count() == 0, links.evaluate_all("ls => ls.map(l => l.href)")
    assert not [u for u in requests if "evil" in u], requests
    assert page.locator('[data-testid="stException"]').count() == 0
