"""A real `streamlit run` on localhost, driven by Playwright in the machine's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
try:  # an assertion waits as long as a locator does: a loaded machine's rerun takes seconds
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
except ImportError:  # no Playwright: the browser tests skip
    pass
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    proc = start_app(
        port, log, {"PLATFORM_ADVISOR_STORE": f"sqlite:///{log.parent / 'scenarios.db'}"}
    )
    SERVER_LOGS.append(log)
    yield f"http://127.0.0.1:{port}"
    _stop(proc)
    SERVER_LOGS.remove(log)


def start_app(port: int, log: Path, env: dict, *flags: str, timeout: float = 60):
    """`streamlit run streamlit_app.py` on 127.0.0.1:`port`, headless and without usage
    statistics, with `flags` and `env` added and its output in `log`; returned once it
    answers its health check (the test fails with the log if it does not)."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                *flags,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    health = f"http://127.0.0.1:{port}/_stcore/health"
    _wait_until_up(health, proc, log, lambda t: t.strip() == "ok", timeout)
    return proc


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("PLATFORM_ADVISOR_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (PLATFORM_ADVISOR_REQUIRE_BROWSER) but absent")
        pytest.skip("no Chromium on this machine: install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(server)
    wait_idle(pg)
    yield pg
    context.close()


def wait_idle(pg) -> None:
    """Wait until Streamlit has finished running the script for the last interaction."""
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


# Sign-in: a real OpenID Connect provider on localhost (oidc-provider-mock) and a second app
# server with `[auth]` pointing at it. Its secrets come from a temporary file, never from the
# repository's .streamlit/, and its access file from PLATFORM_ADVISOR_ACCESS.
SIGN_IN_USERS = {  # the provider's predefined users: its sign-in page has a button for each
    "ana": {"email": "ana@northwind.example", "name": "Ana Lopez"},  # admin of Northwind
    "ben": {"email": "ben@northwind.example", "name": "Ben Okafor", "groups": ["nw-finance"]},
    "zed": {"email": "zed@elsewhere.example", "name": "Zed Quist", "groups": ["other"]},
    "cara": {"email": "cara@northwind.example", "name": "Cara Diaz"},  # editor of Platform
    "val": {"email": "val@northwind.example", "name": "Val Moss"},  # viewer of Platform
    "sam": {"email": "sam@northwind.example", "name": "Sam Ito"},  # editor of Search
}
SIGN_IN_ACCESS = """\
organisations:
  Northwind:
    admins: [ana@northwind.example]
    teams:
      Platform:
        editors: [cara@northwind.example]
        viewers: [val@northwind.example]
      Search:
        editors: [sam@northwind.example]
groups:
  claim: groups
  map:
    nw-finance: {organisation: Northwind, team: Platform, role: approver}
"""


SERVER_LOGS: list[Path] = []  # the logs of the app servers running now
AT_FAILURE_CHARS = 4_000  # of the page's text, and of each server log's tail


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, its report shows what the page showed and what the
    servers logged at that moment (a screenshot is kept beside the test's files): a timeout
    alone does not say whether a click was lost, a question was asked or the run raised."""
    outcome = yield
    report = outcome.get_result()
    pg = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or pg is None:
        return
    try:
        text = pg.locator("body").inner_text(timeout=5_000)
        report.sections.append(("page at failure", f"{pg.url}\n{text[-AT_FAILURE_CHARS:]}"))
        tmp = item.funcargs.get("tmp_path")
        if tmp is not None:
            pg.screenshot(path=str(tmp / "at-failure.png"), full_page=True, timeout=5_000)
            report.sections.append(("screenshot at failure", str(tmp / "at-failure.png")))
    except Exception as exc:  # the page may be gone: say so, keep the test's own failure
        report.sections.append(("page at failure", f"not readable: {exc}"))
    for log in SERVER_LOGS:
        tail = log.read_text(errors="replace")[-AT_FAILURE_CHARS:] if log.exists() else ""
        report.sections.append((f"server log {log}", tail or "(empty)"))


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, ready, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if ready(r.read().decode()):
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"{url} did not answer:\n{log.read_text()}")
        time.sleep(0.3)


def _stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """An OpenID Connect provider on localhost; yields its address."""
    import json

    port = _free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    users = []
    for sub, claims in SIGN_IN_USERS.items():
        users += ["--user-claims", json.dumps({"sub": sub, **claims})]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *users],
            env={**os.environ, "NO_COLOR": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(f"{url}/.well-known/openid-configuration", proc, log, lambda t: "issuer" in t)
    yield url
    _stop(proc)


class SignInServer:
    """The app with sign-in: its address, its cookie secret (to forge cookies in tests) and
    its log."""

    def __init__(self, url: str, cookie_secret: str, log: Path):
        self.url, self.cookie_secret, self.log = url, cookie_secret, log


@pytest.fixture(scope="session")
def signin_server(oidc_provider, tmp_path_factory):
    """A second `streamlit run` with `[auth]` pointing at `oidc_provider`."""
    import secrets

    port = _free_port()
    folder = tmp_path_factory.mktemp("signin")
    cookie_secret = secrets.token_urlsafe(32)
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "platform-advisor"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n'
    )
    access = folder / "access.yaml"
    access.write_text(SIGN_IN_ACCESS)
    log = folder / "server.log"
    env = {
        "PLATFORM_ADVISOR_STORE": f"sqlite:///{folder / 'scenarios.db'}",
        "PLATFORM_ADVISOR_ACCESS": str(access),
    }
    proc = start_app(port, log, env, "--secrets.files", str(secrets_file))
    url = f"http://127.0.0.1:{port}"
    yield SignInServer(url, cookie_secret, log)
    _stop(proc)


@pytest.fixture
def signin_context(browser, signin_server):
    """A fresh browser profile (no cookies) for the sign-in server. Pages of other hosts (the
    provider's pages name a stylesheet on a public CDN) are refused, so nothing waits on them."""
    import re

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    yield context
    context.close()
