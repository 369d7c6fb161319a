"""Review page: a finance partner's look at a stored scenario. Two of its versions, what
changed between them in the user's words and what it did to NPV, IRR, payback and the top
category; the version's comments and trail; a comment, an approval or a return with a reason.

Read-only: nothing here opens a version into the work on the other pages or saves one. The
address `review?review=NAME&of=N&against=M` opens a version for a reviewer; it holds a
name and numbers only. A scenario the user may not see reads as one that does not exist.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from advisor import review
from advisor.diff import diff
from advisor.errors import InputError
from advisor.ui import identity, scenarios, state
from advisor.ui.reruns import uninterrupted
from advisor.ui.text import md
from advisor.ui.widgets import text_table
from advisor.wording import printable, when

NAME, VERSION, AGAINST = "review_name", "review_version", "review_against"
TEXTS = ("review_comment", "review_note", "review_reason")  # cleared once recorded


def _refused(exc: InputError, what: str) -> None:
    """A refusal in the store's words, never a traceback."""
    lines = "\n".join(f"- {md(p.message)}" for p in exc.problems) or f"- {md(exc)}"
    st.error(f"**{what}**\n\n{lines}")


def _numbers(db, name: str) -> list[dict]:
    try:
        return db.versions(name)
    except InputError:
        return []


def _from_address(db, listed: dict) -> None:
    """A review address (a link a reviewer was given) chooses the scenario and versions once;
    after that the pickers do. The address the sidebar keeps for the open work is not a
    review link: the pickers start from the open work anyway."""
    asked = review.read_address(dict(st.query_params))
    if asked is None:
        return
    seen = st.session_state.setdefault("_review_seen", [])
    opened = st.session_state.get("scenario_open") or {}
    key = asked if isinstance(asked, str) else list(asked)
    sidebar_keeps = (
        isinstance(asked, tuple)
        and asked[2] is None
        and (asked[0], asked[1]) == (opened.get("name"), opened.get("version"))
    )
    if key in seen or sidebar_keeps:
        return
    seen.append(key)
    no_such = "The address names no such scenario or version: none you may see. Choose one below."
    if isinstance(asked, str) or asked[0] not in listed:
        st.session_state["_review_no_such"] = no_such
        return
    name, version, against = asked
    numbers = [v["version"] for v in _numbers(db, name)]
    if not numbers or any(v is not None and v not in numbers for v in (version, against)):
        st.session_state["_review_no_such"] = no_such
        return
    version = version or numbers[-1]
    if against is None:
        before = [v for v in numbers if v < version]
        against = before[-1] if before else None
    st.session_state[NAME] = name
    st.session_state[VERSION] = version
    st.session_state[AGAINST] = against
    st.session_state["_review_linked"] = [name, version]


def _defaults(listed: dict) -> None:
    """Start from the open stored scenario (its version), else the first one listed."""
    if st.session_state.get(NAME) in listed:
        return
    opened = st.session_state.get("scenario_open") or {}
    stored = opened.get("origin") == "store" or opened.get("identity", "").startswith("store:")
    if stored and opened.get("name") in listed:
        st.session_state[NAME] = opened["name"]
        st.session_state[VERSION] = opened.get("version")
    else:
        st.session_state[NAME] = next(iter(listed))
        st.session_state.pop(VERSION, None)
    st.session_state.pop(AGAINST, None)


@uninterrupted
def _new_scenario() -> None:
    for key in (VERSION, AGAINST):
        st.session_state.pop(key, None)


@uninterrupted
def _new_version() -> None:
    st.session_state.pop(AGAINST, None)


def _label(by_number: dict, approved: int | None, v: int | None) -> str:
    """A version as the pickers name it: its number, whether it is the plan, who saved it
    when (a module function: a picker's labels are kept with the session, and pickled)."""
    if v is None:
        return "nothing (its own figures only)"
    r = by_number[v]
    mark = " - approved, the plan" if v == approved else ""
    return f"version {v}{mark} (saved {when(r['saved_at'])} by {printable(r['author'] or '-')})"


def _pick(db, listed: dict, plan) -> tuple[str, int, int | None, list[dict]] | None:
    """The scenario, the version reviewed and the one it is compared with."""
    name = st.selectbox(
        "Scenario",
        list(listed),
        key=NAME,
        format_func=printable,
        on_change=_new_scenario,
    )
    rows = _numbers(db, name)
    if not rows:
        st.info("No such scenario or version: none you may see.")
        return None
    numbers = [r["version"] for r in rows]
    by_number = {r["version"]: r for r in rows}
    label = functools.partial(_label, by_number, plan.version if plan is not None else None)
    if st.session_state.get(VERSION) not in numbers:
        st.session_state[VERSION] = numbers[-1]
    c1, c2 = st.columns(2)
    version = c1.selectbox(
        "Version reviewed",
        numbers[::-1],
        key=VERSION,
        format_func=label,
        on_change=_new_version,
    )
    others = [v for v in numbers[::-1] if v != version] + [None]
    if AGAINST not in st.session_state or st.session_state[AGAINST] not in others:
        before = [v for v in numbers if v < version]
        st.session_state[AGAINST] = before[-1] if before else None
    against = c2.selectbox("Compared with", others, key=AGAINST, format_func=label)
    return name, version, against, rows


def _currency(s) -> str:
    return s.roi.currency if s.roi is not None else s.answers.currency


def _what_changed(name: str, version: int, against: int | None, a, b) -> None:
    catalog = state.active_catalog()
    try:
        doc = diff(a if a is not None else b, b, catalog)
    except InputError as exc:
        _refused(exc, "These versions could not be compared.")
        return
    names = {cid: c.name for cid, c in catalog.categories.items()}
    first = a if a is not None else b
    effect = review.effect_rows(
        doc["effect"],
        (_currency(first), _currency(b)),
        (first.roi is not None, b.roi is not None),
        names,
    )
    if a is None:
        st.subheader(f"Version {version}: its figures")
        frame = pd.DataFrame(effect)[["Figure", "Unit", "After"]].rename(columns={"After": "Value"})
        text_table(frame.set_index("Figure"))
        st.caption(f"Money in {md(_currency(b))}, the scenario's currency.")
        return
    st.subheader(f"What changed from version {against} to version {version}")
    changed = review.changes_rows(doc["changes"])
    if changed:
        text_table(pd.DataFrame(changed).set_index("Input"))
    else:
        st.info("No input changed between these versions.")
    st.subheader("What it did")
    text_table(pd.DataFrame(effect).set_index("Figure"))
    money = (
        f"Money in {md(_currency(b))}, the scenario's currency"
        if _currency(first) == _currency(b)
        else f"Money in each version's own currency ({md(_currency(first))}, then "
        f"{md(_currency(b))})"
    )
    st.caption(
        f"{money}; IRR a year; payback in months from the plan's start. The ROI model's "
        "deterministic figures (each range at its likely value), as `scenario diff` gives them."
    )


def _approval_line(version: int, plan) -> None:
    if plan is None:
        st.caption("No version is approved yet: none is the plan the Value realised page uses.")
        return
    said = f"approved by {md(plan.by)} on {md(when(plan.at.isoformat()))}"
    note = f" ({md(plan.note)})" if plan.note else ""
    if plan.version == version:
        st.success(
            f"Version {version} is the approved plan, {said}{note}: the plan the Value "
            "realised page measures against."
        )
    else:
        st.info(
            f"The approved plan is version {plan.version}, {said}{note}; version {version} "
            "is not approved."
        )


def _trail(db, name: str, version: int) -> None:
    try:
        history = db.history(name)
    except InputError as exc:
        _refused(exc, "The trail could not be read.")
        return
    st.subheader(f"Comments on version {version}")
    comments = review.trail_rows(review.newest_first(history, kinds=["comment"], version=version))
    if comments:
        frame = pd.DataFrame(comments)[["When", "Who", "Note"]].rename(columns={"Note": "Comment"})
        text_table(frame.set_index("When"))
    else:
        st.caption(f"No comments on version {version} yet.")
    every = st.toggle("Every version's trail", key="review_every")
    st.subheader("Trail of this scenario" if every else f"Trail of version {version}")
    rows = review.trail_rows(review.newest_first(history, version=None if every else version))
    frame = pd.DataFrame(rows)
    if not every:
        frame = frame.drop(columns=["Version"])
    text_table(frame.set_index("When"))
    st.caption("Newest first; times in UTC. Saves, restores, approvals, returns and comments.")


def _act(what: str, done: str, call) -> None:
    try:
        call()
    except InputError as exc:
        _refused(exc, f"Not {what}.")
        return
    st.session_state["_review_done"] = done
    st.session_state["_review_clear"] = True
    st.rerun()


def _actions(db, principal, name: str, version: int, owner: tuple) -> None:
    st.subheader(f"Your review of version {version}")
    st.caption(f"Recorded as {md(principal.user)}, with today's date and time, in the trail.")
    done = st.session_state.pop("_review_done", None)
    if done:
        st.success(md(done))
    comment = st.text_area(
        f"Comment on version {version}", key="review_comment", max_chars=5000, height=90
    )
    if st.button("Add the comment", key="review_comment_add"):
        _act(
            "recorded",
            f"Comment on version {version} kept.",
            lambda: db.comment(name, version, principal.user, comment),
        )
    may = principal.may("approve", *owner)
    if not may:
        refusal = principal.refusal("approve", *owner)
        st.info(
            "You may comment. Approving or returning a version needs the approver role "
            f"({md(refusal.message)})."
        )
        return
    c1, c2 = st.columns(2)
    with c1:
        note = st.text_input("Approval note (optional)", key="review_note", max_chars=2000)
        if st.button(f"Approve version {version}", key="review_approve", type="primary"):
            _act(
                "approved",
                f"Version {version} is now the approved plan.",
                lambda: db.approve(name, version, principal.user, note),
            )
    with c2:
        reason = st.text_input("Reason to return it", key="review_reason", max_chars=2000)
        if st.button(f"Return version {version}", key="review_return"):
            _act(
                "returned",
                f"Version {version} returned: {reason.strip()}",
                lambda: db.send_back(name, version, principal.user, reason),
            )


def render() -> None:
    st.title("Review")
    st.caption(
        "A finance partner's review of a stored scenario: what changed between two versions, "
        "what it did to NPV, IRR, payback and the top category, the comments and the trail. "
        "Read-only: nothing here changes the work on the other pages."
    )
    if st.session_state.pop("_review_clear", False):
        for key in TEXTS:
            st.session_state.pop(key, None)
    principal = identity.current()
    db = scenarios.user_store()
    if db is None:
        return
    try:
        listed = {r.name: r for r in db.list()}
    except InputError as exc:
        _refused(exc, "The store could not be read.")
        return
    _from_address(db, listed)
    no_such = st.session_state.pop("_review_no_such", None)
    if no_such:
        st.error(no_such)
    if not listed:
        st.info(
            "No stored scenario you may see yet: save one from the sidebar (Scenario, "
            "Save as a new version) to review it here."
        )
        return
    _defaults(listed)
    try:
        plan = db.approval(st.session_state[NAME])
    except InputError:
        plan = None
    picked = _pick(db, listed, plan)
    if picked is None:
        return
    name, version, against, _ = picked
    linked = st.session_state.get("_review_linked")
    if linked == [name, version]:
        st.caption("Opened from a review link: read-only, your work on the other pages is kept.")
    try:
        b = db.load(name, version)
        a = db.load(name, against) if against is not None else None
    except InputError:
        st.error("No such scenario or version: none you may see.")
        return
    row = listed[name]
    where = ", ".join(
        md(x) for x in (f"team {row.team}" if row.team else "", row.organisation or "") if x
    )
    st.markdown(f"### {md(name)}" + (f" \u2014 {where}" if where else ""))
    _approval_line(version, plan)
    _what_changed(name, version, against, a, b)
    _trail(db, name, version)
    _actions(db, principal, name, version, (row.organisation, row.team))
    st.subheader("Link to this review")
    st.code(review.link(name, version, against), language=None)
    st.caption(
        "Add it to the app's address (after the last /) to open this version, compared "
        "with the same one, read-only. It holds the scenario's name and version numbers only; "
        "whoever opens it sees it only if the store lets them see the scenario."
    )
