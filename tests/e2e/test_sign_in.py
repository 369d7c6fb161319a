"""Sign-in the Streamlit way, in a real browser against a real OpenID Connect provider: every
address asks to sign in first, the sidebar names who is signed in, signing out stays signed
out, a forged, tampered, expired or missing session cookie asks again, and a user in no team
is told so."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SIGN_IN_USERS, wait_idle

pytestmark = pytest.mark.e2e
USER_COOKIE = "_streamlit_user"  # Streamlit's identity cookie (signed with auth.cookie_secret)


def _shown(text: str) -> str:
    """Text as a person reads it: the app puts an invisible word joiner after "@" in e-mail
    addresses it writes through Markdown (so they are not made links)."""
    return text.replace("\u2060", "")


def _open(context, url: str):
    pg = context.new_page()
    pg.goto(url)
    wait_idle(pg)
    return pg


def _expect_sign_in_screen(pg) -> None:
    expect(pg.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(pg.get_by_role("heading", name="Platform Advisor")).to_be_visible()
    # nothing of the app: no page links, no scenario picker, no page body, no error
    expect(pg.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    expect(pg.get_by_text("Scenario", exact=True)).to_have_count(0)
    expect(pg.get_by_text("Signed in as")).to_have_count(0)
    expect(pg.locator('[data-testid="stException"]')).to_have_count(0)


def _sign_in(pg, who: str) -> None:
    """From the sign-in screen, through the provider's page, back to the app as `who`."""
    pg.get_by_role("button", name="Sign in", exact=True).click()
    pg.wait_for_url(re.compile(r"/oauth2/authorize\?"))
    pg.get_by_role("button", name=who, exact=True).click()
    pg.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    wait_idle(pg)


def _signed_in_as(pg, who: str) -> None:
    """The sidebar names `who`, and the page has been drawn whole (the gate's message, if
    any, comes before it)."""
    user = SIGN_IN_USERS[who]
    sidebar = pg.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Signed in as {user['name']} ({user['email']})")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
    expect(pg.locator('[data-testid="stSidebarNav"]')).to_be_visible()


def _on_the_advisor_page(pg) -> None:
    heading = pg.get_by_role("heading", name="Which engineering-metrics platform fits?")
    expect(heading).to_be_visible()
    wait_idle(pg)


@pytest.mark.parametrize("path", ["", "/roi", "/evidence?example=scaleup.yaml"])
def test_every_address_shows_only_the_sign_in_screen(signin_context, signin_server, path):
    pg = _open(signin_context, signin_server.url + path)
    _expect_sign_in_screen(pg)
    expect(pg.get_by_role("heading", name="What does it return?")).to_have_count(0)


def test_sign_in_names_the_user_and_the_pages_work(signin_context, signin_server):
    pg = _open(signin_context, signin_server.url + "/roi")
    _sign_in(pg, "ana")
    _signed_in_as(pg, "ana")
    _on_the_advisor_page(pg)  # the sign-in comes back to the first page, drawn whole
    expect(pg.get_by_text("in no team")).to_have_count(0)  # an admin of Northwind
    pg.get_by_role("link", name="ROI").click()
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="What does it return?")).to_be_visible()
    pg.get_by_role("link", name="Catalog").click()
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="The catalog")).to_be_visible()
    _signed_in_as(pg, "ana")  # on every page
    # a second tab of the same browser is signed in too (the cookie), and a reload keeps it
    other = _open(signin_context, signin_server.url + "/roi")
    _signed_in_as(other, "ana")
    other.reload()
    wait_idle(other)
    _signed_in_as(other, "ana")
    expect(pg.locator('[data-testid="stException"]')).to_have_count(0)


def test_sign_out_returns_to_the_sign_in_screen_and_stays_out(signin_context, signin_server):
    pg = _open(signin_context, signin_server.url)
    _sign_in(pg, "ana")
    _signed_in_as(pg, "ana")
    pg.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    # the provider ends its session too (its page asks to confirm), then back to the app
    pg.wait_for_url(re.compile(r"/oauth2/end_session"))
    pg.get_by_role("button", name="End session").click()
    pg.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    wait_idle(pg)
    _expect_sign_in_screen(pg)
    assert USER_COOKIE not in {c["name"] for c in signin_context.cookies()}
    pg.reload()
    wait_idle(pg)
    _expect_sign_in_screen(pg)
    _expect_sign_in_screen(_open(signin_context, signin_server.url + "/catalog"))


def _cookie(server, claims: dict, *, secret: str | None = None, age_days: float = 0) -> str:
    """An identity cookie as Streamlit writes it (itsdangerous, salted by the cookie's name,
    holding the claims as JSON text), signed with `secret` and dated `age_days` ago."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Dated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_days * 86400)

    payload = {**claims, "origin": server.url, "is_logged_in": True, "provider": "default"}
    serializer = URLSafeTimedSerializer(
        secret or server.cookie_secret, salt=USER_COOKIE, signer=Dated
    )
    return serializer.dumps(json.dumps(payload))


def _with_signature_of(real: str, forged: str) -> str:
    """`forged`'s claims (`[.]claims.date.signature`) under `real`'s date and signature."""
    claims = forged.rsplit(".", 2)[0]
    date, signature = real.rsplit(".", 2)[1:]
    return f"{claims}.{date}.{signature}"


def _set_cookie(context, value: str) -> None:
    context.add_cookies(
        [
            {
                "name": USER_COOKIE,
                "value": value,
                "domain": "127.0.0.1",
                "path": "/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def test_a_cookie_signed_with_the_servers_secret_signs_in(signin_context, signin_server):
    """The control for the next test: the cookies it forges are Streamlit's own format, so
    refusing them means the signature or the date was checked, not that the format was off."""
    claims = {"sub": "zed", **SIGN_IN_USERS["zed"]}
    _set_cookie(signin_context, _cookie(signin_server, claims))
    pg = _open(signin_context, signin_server.url)
    _signed_in_as(pg, "zed")


@pytest.mark.parametrize("fault", ["tampered", "other secret", "expired", "deleted"])
def test_a_wrong_or_expired_session_asks_to_sign_in_again(signin_context, signin_server, fault):
    pg = _open(signin_context, signin_server.url)
    _sign_in(pg, "ana")
    _signed_in_as(pg, "ana")
    real = next(c for c in signin_context.cookies() if c["name"] == USER_COOKIE)["value"]
    admin_claims = {"sub": "ana", **SIGN_IN_USERS["ana"]}
    if fault == "tampered":  # another user's claims under the real date and signature
        forged = _cookie(signin_server, {"sub": "x", "email": "cara@northwind.example"})
        _set_cookie(signin_context, _with_signature_of(real, forged))
    elif fault == "other secret":
        other = _cookie(signin_server, admin_claims, secret="another-cookie-secret-entirely")
        _set_cookie(signin_context, other)
    elif fault == "expired":  # Streamlit honours a cookie for 30 days and a day's grace
        _set_cookie(signin_context, _cookie(signin_server, admin_claims, age_days=32))
    else:
        signin_context.clear_cookies(name=USER_COOKIE)
    pg.reload()
    wait_idle(pg)
    _expect_sign_in_screen(pg)
    _sign_in(pg, "ana")  # and signing in again works
    _signed_in_as(pg, "ana")
    assert "Traceback" not in signin_server.log.read_text()


def test_a_user_in_no_team_is_told_so(signin_context, signin_server):
    pg = _open(signin_context, signin_server.url)
    _sign_in(pg, "zed")
    _signed_in_as(pg, "zed")
    _on_the_advisor_page(pg)  # the pages still run: no scenario is theirs to see
    warning = pg.get_by_test_id("stAlertContentWarning")
    expect(warning).to_have_count(1)
    assert _shown(warning.inner_text()).startswith(
        "You are signed in as Zed Quist (zed@elsewhere.example) but are in no team of this "
        "organisation"
    )
    assert "Ask an admin to add you" in warning.inner_text()


def test_a_team_from_the_groups_claim_is_a_team(signin_context, signin_server):
    """Ben is in no team of the access file by name; the provider's `groups` claim names a
    group the file maps to Northwind's Platform team."""
    pg = _open(signin_context, signin_server.url)
    _sign_in(pg, "ben")
    _signed_in_as(pg, "ben")
    _on_the_advisor_page(pg)
    expect(pg.get_by_text("in no team")).to_have_count(0)
