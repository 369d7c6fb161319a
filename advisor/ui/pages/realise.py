"""Value realised page: the approved plan against what the team's own exports show since,
lever by lever, with the figures behind each, the outcome cards and the bottleneck's price.

Reads: the open scenario (its ROI model is the plan; a stored scenario's approval is read
from the store), the exports in use (the Evidence page's files, shared through the
workspace). Writes: `realised_summary` (kept with the scenario), a lever sent to the ROI page.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from advisor import charts
from advisor.errors import EvidenceError, InputError, ScenarioError
from advisor.evidence import registry
from advisor.realise import realise, sentence
from advisor.realise.change import chance_words
from advisor.realise.measure import change_text
from advisor.realise.words import STATUS_WORDS, money, plan_line
from advisor.scenario import Approval, parse_scenario_file, scenario_to_yaml
from advisor.ui import identity, measured, scenarios, state, workspace
from advisor.ui import price as priced
from advisor.ui.text import md
from advisor.ui.widgets import text_table
from advisor.wording import MISSING

EXAMPLE = "northwind-platform.yaml"


def _open_example() -> None:
    scenarios.open_example(EXAMPLE, exports=True)  # its own exports, in place of any in use
    st.session_state.pop("_realise_pending", None)


def _example() -> None:
    c1, c2 = st.columns([2, 3])
    if c1.button("Open the Northwind example", key="realise_example", type="primary"):
        losing = scenarios.unsaved()
        if losing is None:
            _open_example()
            st.rerun()
        st.session_state["_realise_pending"] = losing
    c2.caption(
        "An approved delivery-platform plan (June 2026) and exports that run six months past "
        "its approval: the loop closed in one click."
    )
    losing = st.session_state.get("_realise_pending")
    if losing:
        st.warning(
            f"{md(losing)} has unsaved changes. The example replaces them in this tab: save "
            "them first (sidebar), or open it anyway."
        )
        a, b = st.columns(2)
        if a.button("Open anyway", key="realise_open_anyway"):
            _open_example()
            st.rerun()
        if b.button("Keep working", key="realise_keep"):
            st.session_state.pop("_realise_pending")
            st.rerun()


def _store():
    try:
        return scenarios.store(scenarios.store_url())
    except InputError:
        return None


def _plan(s):
    """The plan and its sign-off: a stored scenario's approved version (from the store), or
    the open work with the approval the opened file carried; and the store, when the open
    scenario is stored."""
    opened = st.session_state.get("scenario_open") or {}
    stored = opened.get("origin") == "store" or opened.get("identity", "").startswith("store:")
    if stored and opened.get("name") == s.name:
        db = _store()
        approval = db.approval(s.name) if db is not None else None
        if approval is not None:
            approved = db.load(s.name, approval.version)
            _differs(s, approved, f"version {approval.version}, the approved one")
            return approved, approval, db
        return s, None, db
    carried = st.session_state.get("scenario_approval") or {}
    if carried.get("name") == s.name and opened.get("body"):
        data = {k: v for k, v in carried.items() if k != "name"}
        approved = parse_scenario_file(opened["body"], f"{s.name} (as opened)")
        _differs(s, approved, "the approved plan as it was opened")
        return approved, Approval.model_validate(data), None
    return s, None, None


def _differs(s, approved, which: str) -> None:
    """Say so when the work on the pages is not the approved plan measured."""
    bare = {"realised": None, "approval": None}  # neither is a change of the plan
    if scenario_to_yaml(s.model_copy(update=bare)) != scenario_to_yaml(
        approved.model_copy(update=bare)
    ):
        st.caption(
            f"Measured against {which}: the work on the pages differs from it, and is not "
            "part of it (save it as a new version, and have that approved, to measure "
            "against it)."
        )


def _approve(db, s, approval) -> None:
    """Approve the open stored version (a later approval supersedes an earlier one)."""
    opened = st.session_state.get("scenario_open") or {}
    version = opened.get("version")
    done = st.session_state.pop("_realise_approved", None)
    if done:
        st.success(f"Version {done} is now the approved plan: the split starts at its approval.")
    stored = opened.get("origin") == "store" or opened.get("identity", "").startswith("store:")
    if db is None or not stored or not version:
        if approval is None:
            st.info(
                "The open work is not an approved plan. Save it in the store (sidebar) and "
                "approve a version here, or choose below the date the change started."
            )
        return
    if approval is not None and approval.version == version:
        return
    title = (
        f"Approve version {version} as the plan"
        if approval is None
        else f"Approve version {version} in place of version {approval.version}"
    )
    me = identity.current()
    if not me.local and not me.may("approve", s.organisation, s.team):
        team = s.team or "-"
        st.caption(md(f"Approving needs the approver role in team {team}; {me.user} has not."))
        return
    with st.expander(title, key="realise_approve_box"):
        if me.local:
            who = st.text_input(
                "Approved by (your name or e-mail)", key="realise_by", max_chars=200
            )
        else:  # a shared store records the signed-in user
            who = me.user
            st.caption(md(f"Approved by {me.user}."))
        note = st.text_input("Note (optional)", key="realise_note", max_chars=2000)
        st.caption(
            "The approval is recorded now, with your name, in the store's history "
            "(`scenario history`); it splits the exports at today's date unless you choose "
            "another below."
        )
        if st.button("Approve", key="realise_approve", disabled=not who.strip()):
            try:
                db.approve(s.name, int(version), who.strip()[:200], note)
            except ScenarioError as exc:  # the store's own check of the role
                state.show_problems(exc.problems, "This approval")
                return
            st.session_state["_realise_approved"] = version
            st.rerun()


@st.cache_resource(max_entries=6, ttl=3600, show_spinner="Measuring plan against actual...")
def _realised(key: tuple, _plan, _ev, _files, _approval, since, cost, _catalog):
    """Plan against actual, once per plan, exports, approval, date and cost of delay."""
    from advisor.evidence import SetAside, read_deployments, read_incidents

    aside = SetAside()
    deploys = incidents = None
    if "deployments" in _files:
        u = _files["deployments"][0]
        deploys = read_deployments(u.data, u.name, aside)
    if "incidents" in _files:
        u = _files["incidents"][0]
        incidents = read_incidents(u.data, u.name, aside)
    return realise(
        _plan,
        _ev,
        deploys,
        incidents,
        approval=_approval,
        since=since,
        catalog=_catalog,
        cost_of_delay_per_item_week=cost,
    )


def _inputs(approval, currency: str) -> tuple[dt.date | None, float | None]:
    c1, c2 = st.columns(2)
    since = c1.date_input(
        "Split before and after at",
        value=approval.at.date() if approval is not None else None,
        key=f"realise_since_{approval.at.date() if approval else 'none'}",
        min_value=dt.date(1970, 1, 1),
        max_value=dt.date(2199, 12, 31),
        help="The day the change started; by default the approval's date.",
    )
    cost = c2.number_input(
        f"Cost of delay per work item and week ({currency}, optional)",
        min_value=0.0,
        max_value=1e12,
        value=None,
        step=100.0,
        key="realise_cost",
        help="For the bottleneck's price. Empty: from the scenario's backlog (its cost of "
        "delay per week over the work items it holds).",
    )
    return since, cost


def _splits(ev, since: dt.date, approval) -> bool:
    """Whether `since` leaves exports on both sides; if not, says what to do in the page's
    words (the command line's message names its flags)."""
    window = ev.window
    at = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC).timestamp() * 1e9
    if window.start < at < window.end:
        return True
    start, end = (
        dt.datetime.fromtimestamp(t / 1e9, dt.UTC).date() for t in (window.start, window.end)
    )
    what = (
        f"The plan was approved on {since}"
        if approval is not None and since == approval.at.date()
        else f"The split date is {since}"
    )
    st.info(
        f"{what}, and the exports in use run from {start} to {end}: nothing lies on both "
        "sides of it yet. Choose another split date above, or load later exports on the "
        "Evidence page."
    )
    return False


def _headline(doc: dict) -> None:
    c = doc["currency"]
    total = doc["total"]
    if not total:
        return
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Realised to date (measured levers)",
        money(total["realised_to_date"], c),
        delta=f"{total['variance']:+,.0f} {c} against the plan",
        delta_color="normal",
        border=True,
    )
    m2.metric("Planned to date (same levers)", money(total["planned_to_date"], c), border=True)
    m3.metric(
        "NPV at completion (forecast)",
        money(total["forecast_at_completion_npv"], c),
        delta=f"{total['forecast_at_completion_npv'] - total['planned_npv']:+,.0f} {c} "
        "against the planned NPV",
        border=True,
    )
    st.caption(
        f"Of the realised value to date, {money(total['realised_to_date_clear_of_chance'], c)} "
        "is on levers whose every change the data can tell from chance; the rest rests on "
        "changes that could be chance (see below)."
    )
    if total["planned_to_date_not_measured"]:
        st.caption(
            f"Levers not measured planned {money(total['planned_to_date_not_measured'], c)} to "
            "date: they count as nothing realised, never as met."
        )


def _levers(doc: dict) -> None:
    c = doc["currency"]
    rows = [
        {
            "Lever": lv["name"],
            "Status": STATUS_WORDS[lv["status"]],
            f"Planned to date ({c})": f"{lv['planned_to_date']:,.0f}",
            f"Realised to date ({c})": MISSING
            if lv["realised_to_date"] is None
            else f"{lv['realised_to_date']:,.0f}",
            f"Variance ({c})": MISSING if lv["variance"] is None else f"{lv['variance']:+,.0f}",
            "Clear of chance?": MISSING
            if lv["clear_of_chance"] is None
            else "yes"
            if lv["clear_of_chance"]
            else "could be chance: " + ", ".join(lv["could_be_chance"]),
            "How it was valued": lv["how"],
        }
        for lv in doc["levers"]
    ]
    text_table(pd.DataFrame(rows).set_index("Lever"))
    st.caption(
        "Each lever's plan formula, with the measured numbers in place of the planned ones; "
        "realised to date follows the plan's start month and ramp at the realised value a "
        "year, over the months since the plan started."
    )


def _figures(result) -> None:
    rows = []
    for m in result.figures.values():
        c = m.change
        interval = MISSING
        if c.interval is not None:
            interval = (
                f"{change_text(m.metric, c.interval[0])} to {change_text(m.metric, c.interval[1])}"
            )
        rows.append(
            {
                "Figure": registry.label(m.metric),
                "Before": registry.show(m.metric, m.before, MISSING),
                "After": registry.show(m.metric, m.after, MISSING),
                "Counted (before / after)": f"{m.n_before:,} / {m.n_after:,} {m.counted}",
                "Change, 95% interval": interval,
                "Chance of a change this large": MISSING
                if c.p_value is None
                else chance_words(c.p_value),
            }
        )
    if rows:
        text_table(pd.DataFrame(rows).set_index("Figure"))
    with st.expander("In words", key="realise_words"):
        for m in result.figures.values():
            st.markdown("- " + md(sentence(m)))
    st.caption(
        "Interval: a bootstrap of the change in the figure (the median for times, the mean for "
        "shares and weekly counts), 95%. Chance: a permutation test, the share of random "
        "reshuffles of the same values between before and after that change as much."
    )


def _outcomes(doc: dict) -> None:
    cards = doc["outcomes"]
    if not cards:
        st.caption("No outcome card has a measure or a typed actual yet.")
        return
    rows = []
    for o in cards:
        measured_card = o["source"] == "measured"
        rows.append(
            {
                "Item": o["name"],
                "Metric": o["label"] or MISSING,
                "Target": registry.show(o["metric"], o["target"])
                if measured_card
                else (o["target"] or MISSING),
                "Actual": registry.show(o["metric"], o["actual"], "nothing measured yet")
                if measured_card
                else (o["actual"] or MISSING),
                "Status": STATUS_WORDS[o["status"]],
                "Measured or typed": "measured" if measured_card else "typed",
                "Owner": o.get("owner") or MISSING,
            }
        )
    text_table(pd.DataFrame(rows).set_index("Item"))
    measured_n = sum(o["source"] == "measured" for o in cards)
    st.caption(
        f"Closing the loop: {measured_n} measured from the exports, {len(cards) - measured_n} "
        "typed by their owner. Too early to tell: fewer than 5 items or deployments (4 whole "
        "weeks for a rate) since the start."
    )


def _price(doc: dict) -> None:
    price = doc["bottleneck_price"]
    if not price:
        st.caption("No price: nothing waits at a stage of work, or no cost of delay is known.")
        return
    priced.show(price, "realise_to_roi", "_realise_price", lead="Since the split, items")


def render() -> None:
    st.title("Value realised")
    st.caption(
        "Closing the loop: what an approved investment has returned so far, lever by lever, "
        "measured from the team's own exports before and after the approval."
    )
    _example()
    s = scenarios.current()
    if s is None:
        why = scenarios.why_not_one()
        st.warning(
            "**Nothing to measure yet.** "
            + (why or "A page has answers that do not validate; fix them first.")
        )
        return
    plan, approval, db = _plan(s)
    _approve(db, s, approval)
    if plan.roi is None:
        st.info("The open scenario has no ROI model: its levers are the plan to measure against.")
    files = workspace.files()
    if "items" not in files:
        st.info(
            "Measuring needs the team's exports: load them on the Evidence page (the files are "
            "shared), or open the example above."
        )
        st.page_link("advisor/ui/evidence_page.py", label="Go to the Evidence page")
        return
    currency = plan.roi.currency if plan.roi is not None else plan.answers.currency
    since, cost = _inputs(approval, currency)
    if since is None:
        st.info("Choose the date the change started (or approve a stored version) to split at.")
        return
    edits = measured.map_text()
    key = measured.key_of(edits, measured.PLAIN)
    catalog = state.active_catalog()
    try:
        ev = measured.measure(key, files, edits, measured.PLAIN)
        if not _splits(ev, since, approval):
            return
        result = _realised(
            (
                key,
                scenario_to_yaml(plan),
                approval.model_dump_json() if approval else "",
                since,
                cost,
                state.catalog_key(),
            ),
            plan,
            ev,
            files,
            approval,
            since,
            cost,
            catalog,
        )
    except (InputError, EvidenceError) as exc:
        state.show_input_error(exc, "Plan against actual")
        return
    doc = result.to_json()
    st.session_state["realised_summary"] = result.summary()
    st.markdown(md(plan_line(doc)))
    st.caption("Exports: " + md(", ".join(u.name for us in files.values() for u in us)))
    _headline(doc)
    st.subheader("Plan against actual, lever by lever")
    if doc["levers"]:
        _levers(doc)
        st.altair_chart(
            charts.realised_chart(doc["monthly"], result.months, doc["currency"]),
            width="stretch",
        )
    st.subheader("Is the change real?")
    _figures(result)
    trend = charts.trend_chart(doc["trend"])
    if trend is not None:
        st.altair_chart(trend, width="stretch")
    st.subheader("Outcome cards")
    _outcomes(doc)
    st.subheader("The price of the bottleneck")
    _price(doc)
    for warning in doc["warnings"]:
        st.warning(md(warning), icon="⚠️")
