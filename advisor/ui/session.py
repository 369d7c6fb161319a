"""What one page, or the sidebar, hands to another: the session's cross-page state, typed.

No page imports another. A sender writes here; the receiving page takes what was sent the next
time it draws (a page that is not drawn cannot reset its own tables and widgets). Where the
rest of the session must see a change at once, e.g. the sidebar's scenario or the report,
the sender also updates the shared value here (`backlog`, `roi_last`).

Keys (all in `st.session_state`):
    answers             the Advisor's answers; bottleneck weights as whole numbers 0-100
                        (the sliders' units); `weights_from_shares` is the one conversion
    roi_last            the last ROI scenario the ROI page computed (plain data)
    delay_good          the backlog in use (advisor.delay.Backlog)
    _inbox_roi          a scenario's ROI part for the ROI page to load (data, follow)
    _inbox_backlog      a backlog for the Cost of delay page to show (Backlog, keep order)
    _inbox_levers       benefits sent from the Evidence page to the ROI page
    throughput          the weekly throughput the Evidence page last measured
                        (advisor.probable_delay.Throughput), for the Cost of delay page
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from advisor.delay import Backlog
from advisor.probable_delay import Throughput


def weights_from_shares(shares: dict[str, float]) -> dict[str, int]:
    """Bottleneck shares (the domain's, summing to 1) as the sliders' whole weights 0-100:
    the one conversion, used wherever answers come from a file, a scenario or the defaults.

    >>> weights_from_shares({"development": 0.7, "deployment": 0.3})
    {'development': 70, 'deployment': 30}
    """
    return {k: round(v * 100) for k, v in shares.items()}


@dataclass(frozen=True)
class RoiSend:
    """An ROI scenario (plain data) for the ROI page to load; `follow`: its seats and vendor
    follow the Advisor until the user edits them."""

    data: dict
    follow: bool


@dataclass(frozen=True)
class BacklogSend:
    """A backlog for the Cost of delay page; `keep_order`: keep the user's own order (only a
    duration changed)."""

    backlog: Backlog
    keep_order: bool = False


def send_roi(data: dict, follow: bool = False) -> None:
    st.session_state["_inbox_roi"] = RoiSend(data, follow)
    st.session_state["roi_last"] = data


def receive_roi() -> RoiSend | None:
    return st.session_state.pop("_inbox_roi", None)


def backlog() -> Backlog | None:
    """The backlog in use, as the Cost of delay page last validated it."""
    return st.session_state.get("delay_good")


def send_backlog(b: Backlog, keep_order: bool = False) -> None:
    st.session_state["delay_good"] = b
    st.session_state["_inbox_backlog"] = BacklogSend(b, keep_order)


def receive_backlog() -> BacklogSend | None:
    return st.session_state.pop("_inbox_backlog", None)


def set_duration(b: Backlog, item_id: str, weeks: float) -> Backlog:
    """`b` with one item's duration replaced (the Evidence page's forecast), sent to the
    Cost of delay page with the user's order kept."""
    items = [
        it.model_copy(update={"duration_weeks": round(weeks, 1)}) if it.id == item_id else it
        for it in b.items
    ]
    changed = Backlog(currency=b.currency, items=items)
    send_backlog(changed, keep_order=True)
    return changed


def send_throughput(t: Throughput) -> None:
    """The Evidence page's weekly throughput, for the Cost of delay page's forecast."""
    st.session_state["throughput"] = t


def throughput() -> Throughput | None:
    return st.session_state.get("throughput")


def send_lever(benefit: dict) -> None:
    """A benefit for the ROI page; one sent again replaces its namesake there."""
    st.session_state.setdefault("_inbox_levers", []).append(benefit)


def receive_levers() -> list[dict]:
    return st.session_state.pop("_inbox_levers", [])


def roi_currency() -> str:
    """The currency of the ROI scenario in use (else the Advisor's): where a lever goes."""
    last = st.session_state.get("roi_last") or {}
    if last.get("currency"):
        return str(last["currency"])
    return str((st.session_state.get("answers") or {}).get("currency") or "USD")


# A page that starts from a template (the ROI page's, the Cost of delay page's example
# backlog) shows it, but it is not part of the scenario until the user changes it: viewing a
# page once made a scenario that had no ROI model carry one, which Compare then reported.
def mark_template(part: str, body: str | None) -> None:
    """`part` ("roi", "backlog") now shows a template whose canonical text is `body`; None:
    what it shows is the user's (an opened scenario's, a loaded file's)."""
    st.session_state[f"_template_{part}"] = body


def template_pending(part: str) -> bool:
    """A template was just loaded and its canonical text is not known yet."""
    return st.session_state.get(f"_template_{part}") == ""


def is_untouched_template(part: str, body: str) -> bool:
    """True while `part` still shows its template exactly."""
    return st.session_state.get(f"_template_{part}") == body
