"""Trail page, for admins: every save and event across the store (saves, restores, approvals,
returns, comments), newest first, with who and when; filtered by scenario, user and event;
downloaded as CSV a spreadsheet opens safely.

The store gives the trail (`Store.trail`) only to admins, of the organisations they run; a
store with no access file is one person's, who sees all of it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor import review
from advisor.errors import InputError
from advisor.ui import identity, scenarios
from advisor.ui.text import md
from advisor.wording import printable


def _who(user: str) -> str:
    return printable(user) or "(nobody named)"


def render() -> None:
    st.title("Trail")
    principal = identity.current()
    if not principal.local and not principal.admin_of:
        st.info("The trail is for admins.")
        return
    st.caption(
        "Every save and event of every scenario in the store, newest first, with who and "
        "when: saves, restores, approvals, returns and comments."
    )
    db = scenarios.user_store()
    if db is None:
        return
    if not hasattr(db, "trail"):
        st.info("The trail needs a store that keeps one.")
        return
    try:
        events = db.trail()
    except InputError as exc:
        lines = "\n".join(f"- {md(p.message)}" for p in exc.problems)
        st.error(f"**The trail could not be read.**\n\n{lines}")
        return
    if not events:
        st.info("Nothing is stored yet: the trail starts with the first save.")
        return
    c1, c2, c3 = st.columns(3)
    names = c1.multiselect(
        "Scenario",
        sorted({e["name"] for e in events}),
        key="trail_scenario",
        format_func=printable,
    )
    users = c2.multiselect(
        "User",
        sorted({e.get("user") or "" for e in events}),
        key="trail_user",
        format_func=_who,
    )
    kinds = c3.multiselect(
        "Event",
        [k for k in review.EVENT_WORDS if any(e["event"] == k for e in events)],
        key="trail_event",
        format_func=review.EVENT_WORDS.get,
    )
    chosen = review.newest_first(events, scenarios=names, users=users, kinds=kinds)
    st.caption(f"{len(chosen):,} of {len(events):,} events, newest first; times in UTC.")
    frame = pd.DataFrame(review.trail_rows(chosen))
    if not frame.empty:
        for column in ("Scenario", "Organisation", "Team", "Who", "Note"):
            frame[column] = frame[column].map(printable)
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download as CSV",
        lambda: review.trail_csv(chosen),  # written when downloaded, not on every run
        "trail.csv",
        "text/csv",
        on_click="ignore",
        key="trail_csv",
        help="The events shown, newest first, each moment with its zone. Cells a spreadsheet "
        "would run as a formula are quoted.",
    )
