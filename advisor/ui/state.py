"""Session state shared by the pages: the leader's answers and the active catalog."""

from __future__ import annotations

import streamlit as st

from advisor.catalog import Catalog, load_catalog
from advisor.errors import InputError

DEFAULT_ANSWERS = {
    "engineers": 120,
    "budget_per_year": 60000.0,
    "currency": "USD",
    "bottlenecks": {
        "ideation": 0,
        "development": 70,
        "deployment": 30,
        "operations": 0,
        "support": 0,
    },
    "maturity": "medium",
    "leadership_readiness": "medium",
    "sentiment_priority": "low",
}


@st.cache_data(max_entries=1)
def bundled_catalog() -> Catalog:
    return load_catalog()


def active_catalog() -> Catalog:
    """The catalog uploaded for this session, else the bundled one."""
    return st.session_state.get("custom_catalog") or bundled_catalog()


def answers() -> dict:
    """The leader's answers as plain data; they survive page switches."""
    if "answers" not in st.session_state:
        st.session_state["answers"] = {
            **DEFAULT_ANSWERS,
            "bottlenecks": dict(DEFAULT_ANSWERS["bottlenecks"]),
        }
    return st.session_state["answers"]


def show_input_error(exc: InputError, what: str) -> None:
    """Every problem of a rejected input, in one message; nothing else on the page changes."""
    lines = "\n".join(f"- `{p}`" for p in exc.problems)
    st.error(f"**{what} was not used.** Fix these and try again:\n\n{lines}")


def new_upload(key: str, upload) -> bool:
    """True once per newly chosen file, so a rerun does not apply the same upload again."""
    if upload is None:
        return False
    files = upload if isinstance(upload, list) else [upload]
    marker = tuple((f.name, f.size, getattr(f, "file_id", "")) for f in files)
    if st.session_state.get(f"_seen_{key}") == marker:
        return False
    st.session_state[f"_seen_{key}"] = marker
    return True


def goodhart_caution() -> None:
    st.caption(
        ":material/psychology: **Goodhart's law:** once a measure becomes a target it stops "
        "measuring. Use these metrics for team conversations and learning, never to rank "
        "people or teams."
    )
