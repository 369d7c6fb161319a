"""The gate before every page: sign-in when `[auth]` is configured, and who is signed in.

Without `[auth]` the app is one person's and the sidebar says so. With it, a session that has
not signed in sees only the sign-in screen, whatever address it opened; a signed-in one sees
its name and a sign-out button in the sidebar, and is told plainly when it is in no team.
"""

from __future__ import annotations

import os

import streamlit as st

from advisor.access import ACCESS_ENV
from advisor.errors import InputError
from advisor.ui import identity
from advisor.ui.reruns import uninterrupted
from advisor.ui.text import md


def gate() -> None:
    """Run before the navigation: stops the script (`st.stop`) unless the pages may run."""
    try:
        required = identity.sign_in_required()
    except identity.SettingsUnreadable:
        st.error(
            "Streamlit's secrets file (secrets.toml) cannot be read, so the app cannot tell "
            "whether sign-in is required. Fix the file and reload; the server's log says what "
            "is wrong."
        )
        st.stop()
    if not required:
        _one_person()
        return
    missing = _missing_settings()
    if missing:
        st.error(
            "Sign-in is configured, but the `[auth]` section of Streamlit's secrets lacks "
            f"{', '.join(f'`{key}`' for key in missing)}. An admin must add "
            f"{'it' if len(missing) == 1 else 'them'}; no page opens until then."
        )
        st.stop()
    if not identity.signed_in():
        _sign_in_screen()
        st.stop()
    _signed_in_sidebar()
    try:
        identity.access()
    except InputError as exc:
        problems = "\n".join(f"- {md(p)}" for p in exc.problems)
        st.error(
            "**The access file cannot be used**, so no one's teams can be told. "
            f"An admin must fix it:\n\n{problems}"
        )
        st.stop()
    me = identity.current()
    if not me.has_a_team:
        who = md(identity.shown_name())
        if identity.email() is None:
            st.warning(
                f"You are signed in as {who}, but the sign-in gave no verified e-mail "
                "address, so no team can be found for you and you see no scenario. Ask an "
                "admin to check your account."
            )
        else:
            st.warning(
                f"You are signed in as {who} but are in no team of this organisation, so you "
                "see no scenario. Ask an admin to add you to a team."
            )


SETTINGS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def _missing_settings() -> list[str]:
    """The keys `st.login()` needs (one provider, its settings directly under `[auth]`)."""
    try:
        section = st.secrets["auth"]
        return [key for key in SETTINGS if not section.get(key)]
    except Exception:  # `[auth]` is not a table
        return list(SETTINGS)


def _one_person() -> None:
    unused = " The access file is not used without sign-in." if os.environ.get(ACCESS_ENV) else ""
    st.sidebar.caption(
        f"No sign-in configured: you work as {md(identity.local_user())} on this machine, and "
        f"the scenario store is yours alone, not shared.{unused}"
    )


def _sign_in_screen() -> None:
    st.title("Platform Advisor")
    st.write(
        "Sign in with your organisation's account to use the advisor and your team's scenarios."
    )
    st.button("Sign in", type="primary", key="signin", on_click=uninterrupted(st.login))


def _signed_in_sidebar() -> None:
    st.sidebar.text(f"Signed in as {identity.shown_name()}")
    st.sidebar.button("Sign out", key="signout", on_click=uninterrupted(st.logout))
    if not os.environ.get(ACCESS_ENV):
        st.sidebar.caption(
            "No access file (PLATFORM_ADVISOR_ACCESS): no one who signs in is in a team, so no "
            "scenario can be seen or saved until an admin names the teams."
        )
