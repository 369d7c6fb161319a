"""The ROI page's state in one object, kept in st.session_state["roi"]."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from advisor.ui.reruns import uninterrupted

# Widgets that follow the Advisor until the user edits them: widget key -> what they follow.
FOLLOWERS = {
    "roi_w_pf_seats": "engineers",
    "roi_w_pf_vendor": "vendor",
    "roi_w_bb_seats": "engineers",
    "roi_w_bb_vendor": "vendor",
}


@dataclass
class RoiState:
    """Everything the page keeps between reruns, besides the widgets' own values."""

    data: dict  # name, currency, horizon, rate, platform, dip, build_vs_buy, notes
    modelled: list[dict]  # benefits from a driver chain or a DORA lever
    ranges: dict[str, dict]  # parameter path -> {label, low, high}
    version: int = 0  # bumped on every load, so editors start again from the loaded data
    follow: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FOLLOWERS, True))
    ranges_key: str = ""
    # The last analysis and what it read (the scenario as JSON, the catalog's key): a rerun
    # that changed neither (the sidebar, a tab's own widgets) shows it again, unsimulated.
    analysed: tuple[str, str, object] | None = None


def get() -> RoiState | None:
    return st.session_state.get("roi")


def put(state: RoiState) -> None:
    st.session_state["roi"] = state


@uninterrupted
def stop_following(key: str) -> None:
    """on_change of a following widget: the user's value now wins over the Advisor's."""
    state = get()
    if state is not None:
        state.follow[key] = False


@uninterrupted
def follow_again(key: str) -> None:
    state = get()
    if state is not None:
        state.follow[key] = True
