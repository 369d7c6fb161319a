"""The price of the bottleneck as the Evidence and Value realised pages show it, with the
button that makes it an ROI benefit (one wording, one sender)."""

from __future__ import annotations

import streamlit as st

from advisor.realise.price import wait_lever
from advisor.ui import session
from advisor.ui.reruns import uninterrupted
from advisor.ui.text import md
from advisor.wording import money


@uninterrupted
def _send(state_key: str, sent_key: str) -> None:
    price = st.session_state.get(state_key)
    if price:
        session.send_lever(wait_lever(price))
        st.session_state[sent_key] = True


def show(price: dict, button_key: str, state_key: str, lead: str = "Items") -> None:
    """`price` (realise.price.bottleneck_price) in words, and the send button; the price is
    kept under `state_key` for the button's callback. `lead` begins the sentence."""
    c = price["currency"]
    v = price["value_per_year"]
    where = price["status"] or price["stage"]
    st.markdown(
        f"{lead} waited a median of **{price['waiting_days_median']:.1f} days** at {md(where)} "
        f"({md(price['stage'])}); {price['items_per_year']:,.0f} items finish a year at "
        f"{money(price['cost_of_delay_per_item_week'], c)} of delay per item-week. Removing "
        f"that wait is worth **{money(v['low'], c)} to {money(v['high'], c)} a year** (likely "
        f"{money(v['likely'], c)}); each week of waiting removed from every item is worth "
        f"{money(price['per_week_removed'], c)} a year."
    )
    st.caption(
        "Value a year = items a year x wait in weeks x cost of delay per item-week; the range "
        "takes the 25th and 75th percentiles of the wait (items that never waited there count "
        "as zero)."
    )
    st.session_state[state_key] = price
    sent_key = f"_{button_key}_sent"
    st.button(
        f"Send to the ROI page as a lever ('Wait removed at {where}')",
        key=button_key,
        on_click=_send,
        args=(state_key, sent_key),
    )
    if st.session_state.pop(sent_key, None):
        st.success("Added to the ROI page's benefits, with its range.")
        st.page_link("advisor/ui/roi_page.py", label="Open the ROI page")
