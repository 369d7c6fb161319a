"""Evidence page: the team's own exports show where work waits and what each category
would measure; one click sends the findings to the Advisor, the ROI and the backlog.

State: the files (each with its digest, taken once at upload), the status-map edits and the
summary a scenario keeps live in this session's state; the measurement and its charts are
computed once per set of files and options (cached by their digests, read-only).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from advisor import charts
from advisor.errors import EvidenceError, InputError
from advisor.evidence import (
    SetAside,
    items_from_upload,
    parse_status_map,
    read_deployments,
    read_incidents,
    read_survey,
    registry,
)
from advisor.evidence import figures as fig
from advisor.evidence.limits import (
    MAX_INCIDENT_HOURS,
    MAX_SMALL_BYTES,
    MB,
    MEMORY_NOTE,
    MIN_INCIDENT_HOURS,
    UPLOAD_MB,
)
from advisor.evidence.pulls import pulls_from_upload
from advisor.evidence.status_map import StatusMap, StatusRule, status_map_yaml
from advisor.evidence.statuses import STAGES
from advisor.probable_delay import throughput_of
from advisor.ui import connect_panel, measured, session, state, workspace
from advisor.ui import price as priced
from advisor.ui.examples import example_path
from advisor.ui.reruns import uninterrupted
from advisor.ui.text import md
from advisor.ui.widgets import text_table
from advisor.ui.workspace import Upload
from advisor.wording import MISSING
from advisor.yamlio import dump_yaml

KINDS = {
    "items": ("Work items: a transitions CSV, or Jira JSON files", ["csv", "json"]),
    "statuses": ("Status map (YAML, optional)", ["yaml", "yml"]),
    "deployments": ("Deployments CSV (optional)", ["csv"]),
    "incidents": ("Incidents CSV (optional)", ["csv"]),
    "survey": ("Survey CSV (optional)", ["csv"]),
    "pulls": ("Pull requests: GitHub or GitLab JSON, or a CSV (optional)", ["json", "csv"]),
}
MULTIPLE = ("items", "pulls")  # a folder's JSON files come as several files
SAMPLE = {
    "items": "transitions.csv",
    "statuses": "statuses.yaml",
    "deployments": "deployments.csv",
    "incidents": "incidents.csv",
    "survey": "survey.csv",
    "pulls": "pulls.csv",
}
SMALL_FILES = ("statuses", "survey")  # hand-made files, read up to 1 MB
SMALL_MB = max(1, MAX_SMALL_BYTES // MB)
SCATTER_POINTS = 2_000  # the cycle-time scatter shows the latest finished items
STATUS_MARK = {"met": "met", "partly met": "partly met", "missing": "missing"}


_upload = workspace.upload
_files = workspace.files


def _check(kind: str, uploads: list[Upload]) -> None:
    """Read the files on their own, so a bad one is refused before it replaces a good one."""
    aside = SetAside()
    first = uploads[0]
    if kind == "items":
        items_from_upload([(u.name, u.data) for u in uploads], aside)
    elif kind == "statuses":
        parse_status_map(first.data, first.name)
    elif kind == "deployments":
        read_deployments(first.data, first.name, aside)
    elif kind == "incidents":
        read_incidents(first.data, first.name, aside)
    elif kind == "pulls":
        pulls_from_upload([(u.name, u.data) for u in uploads])
    else:
        read_survey(first.data, first.name)


@uninterrupted
def _uploader_changed(kind: str) -> None:
    """The user changed an uploader: one emptied by hand takes its file out of use (leaving
    the page empties it too, but calls nothing). An uploader that held a refused file held
    nothing in use: emptying it (or the browser emptying it while a file is replaced) keeps
    the file that was in use before."""
    if st.session_state.get(f"evidence_up_{kind}"):
        return
    held = st.session_state.pop(f"_evidence_held_{kind}", None)
    st.session_state.pop(f"_seen_evidence_up_{kind}", None)
    refused = st.session_state.get("evidence_refused")
    if refused and refused[3] == kind:
        st.session_state.pop("evidence_refused")
    if held != "used":
        return
    # Kept aside, not thrown away: choosing another file in a one-file uploader empties it
    # first, and if that file is refused the one it replaced comes back into use.
    st.session_state[f"_evidence_replaced_{kind}"] = (
        _files().pop(kind, None),
        st.session_state.pop("evidence_map_edits", None) if kind in ("items", "statuses") else None,
    )


def _uploads() -> None:
    if st.button("Load the sample organisation", key="evidence_sample", type="primary"):
        folder = example_path("evidence")
        st.session_state["evidence_files"] = {
            k: [_upload(f"sample {name}", (folder / name).read_bytes())]
            for k, name in SAMPLE.items()
        }
        st.session_state.pop("evidence_map_edits", None)
        st.session_state.pop("evidence_refused", None)
    st.caption(
        "The sample: three teams, 180 items and their pull requests over five months, with "
        "long code-review waits planted. Or upload your own files below; nothing leaves this "
        "session. " + MEMORY_NOTE
    )
    # work items and their map, then the optional files two a row
    cols = [*st.columns(2), *st.columns(2), *st.columns(2)]
    for col, (kind, (label, types)) in zip(cols, KINDS.items(), strict=True):
        upload = col.file_uploader(
            label,
            type=types,
            key=f"evidence_up_{kind}",
            max_upload_size=SMALL_MB if kind in SMALL_FILES else UPLOAD_MB,
            accept_multiple_files=kind in MULTIPLE,
            on_change=_uploader_changed,
            args=(kind,),
        )
        if not state.new_upload(f"evidence_up_{kind}", upload or None):
            continue
        chosen = upload if isinstance(upload, list) else [upload]
        uploads = [_upload(u.name, u.getvalue()) for u in chosen]
        names = ", ".join(u.name for u in uploads)
        try:
            with st.spinner(f"Reading {md(names)}..."):
                _check(kind, uploads)
        except InputError as exc:
            # Shown outside the Files panel, which closes once work items are in use.
            st.session_state["evidence_refused"] = (names, len(uploads) > 1, exc.problems, kind)
            st.session_state[f"_evidence_held_{kind}"] = "refused"
            replaced, edits = st.session_state.pop(f"_evidence_replaced_{kind}", (None, None))
            if replaced and kind not in _files():
                _files()[kind] = replaced
                if edits is not None:
                    st.session_state["evidence_map_edits"] = edits
            continue
        st.session_state.pop("evidence_refused", None)
        st.session_state.pop(f"_evidence_replaced_{kind}", None)
        st.session_state[f"_evidence_held_{kind}"] = "used"
        _files()[kind] = uploads
        if kind in ("items", "statuses"):
            st.session_state.pop("evidence_map_edits", None)
    present = {k: ", ".join(u.name for u in v) for k, v in _files().items()}
    if present:
        st.caption("In use: " + md("; ".join(f"{k}: {n}" for k, n in present.items())))
    note = workspace.too_large_note()
    if note:
        st.warning(md(note))


@st.cache_resource(max_entries=6, ttl=3600, show_spinner=False)
def _charts(key: str, _ev) -> dict:
    """The page's charts as Vega-Lite specs, built once per measurement. Their data are
    bounded where they are made (the flow diagram's points, the scatter's latest items),
    so Altair's 5,000-row guard is lifted rather than met by a decade of history."""
    import altair as alt

    from advisor.evidence.flow import cumulative_flow

    ev = _ev
    sei = ev.sei
    items = ev.prepared.items
    finished = items[items["finished"].to_numpy(dtype=bool)]
    latest = finished.sort_values("done").tail(SCATTER_POINTS)
    with alt.data_transformers.disable_max_rows():
        out = {
            "cfd": charts.cfd_chart(cumulative_flow(ev.prepared)).to_dict(),
            "scatter": charts.cycle_scatter(
                latest, sei["cycle_time_days"]["median"], sei["cycle_time_days"]["p85"]
            ).to_dict(),
            "distribution": charts.distribution_chart(ev.flow["distribution_by_week"]).to_dict(),
            "scatter_points": len(latest),
            "finished": len(finished),
        }
        if ev.bottleneck_detail["waiting_days"]:
            out["waiting"] = charts.waiting_chart(ev.bottleneck_detail).to_dict()
    return out


def _status_table(ev) -> StatusMap | None:
    """The status mapping as an editable table; edits feed the next measurement."""
    rows = pd.DataFrame(
        [
            {"status": s, "stage": r["stage"], "active": r["active"], "source": r["source"]}
            for s, r in ev.statuses["rules"].items()
        ],
        columns=["status", "stage", "active", "source"],
    )
    if rows.empty:
        st.info("The work items name no status to map.")
        return None
    st.caption(
        "Map each status to a stage, and say whether work is done there (active) or waits. "
        "Source: mapped by you, Jira's category, a common name's default, or unmapped "
        "(counted as development, waiting)."
    )
    key = f"evidence_map_{hashlib.sha256(ev.source.encode()).hexdigest()[:8]}_{len(rows)}"
    st.session_state["evidence_map_key"] = key
    edited = st.data_editor(
        rows,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=["status", "source"],
        column_config={
            "stage": st.column_config.SelectboxColumn(options=list(STAGES), required=True),
            "active": st.column_config.CheckboxColumn(),
        },
        placeholder="",
    )
    if ev.statuses["by_project"]:
        st.caption("Rules of one project (from your map or Jira's category), kept as they are:")
        st.dataframe(
            pd.DataFrame(ev.statuses["by_project"]),
            hide_index=True,
            width="stretch",
            placeholder=MISSING,
        )
    changed = edited[(edited["stage"] != rows["stage"]) | (edited["active"] != rows["active"])]
    if changed.empty:
        return None
    projects: dict[str, dict] = {}
    for r in ev.statuses["by_project"]:
        projects.setdefault(r["project"], {"statuses": {}})["statuses"][r["status"]] = {
            "stage": r["stage"],
            "active": r["active"],
        }
    return StatusMap.model_validate(
        {
            "statuses": {
                r["status"]: StatusRule(stage=r["stage"], active=bool(r["active"]))
                for _, r in edited.iterrows()
            },
            "types": {t: v["item"] for t, v in ev.statuses["types"].items()},
            "projects": projects,
            "repositories": dict(ev.mapping.repositories),
        }
    )


@uninterrupted
def _send_bottleneck() -> None:
    """Button callback: the measured weights become the Advisor's answers before the script
    runs again, so the sidebar's scenario (drawn before this page) already holds them."""
    from advisor.shares import whole_percentages

    sent = st.session_state.get("evidence_sendable")
    if not sent:
        return
    data = {**state.answers(), "bottlenecks": whole_percentages(sent["bottlenecks"])}
    for loc in ("ideation", "development", "deployment", "operations", "support"):
        data["bottlenecks"].setdefault(loc, 0)
    state.replace_answers(data)
    st.session_state["bottleneck_source"] = {
        "file": sent["source"],
        "weights": dict(data["bottlenecks"]),
    }
    st.session_state["evidence_readiness"] = dict(sent["readiness"])


def _figures(rows: list[fig.Row]) -> None:
    """A section's figures as a table: label, value with its unit (as the reports and the
    command line give it), what it summarises, how many items or deployments are behind
    it, and its note or definition. A table never cuts a value short; tiles did, and a
    scrolling grid hid the notes beyond a laptop's width."""
    table = pd.DataFrame(
        [
            {
                "figure": r.label,
                "value": r.shown,
                "statistic": r.statistic,
                "n": f"{r.n:,}",
                "note or definition": r.note or r.detail,
            }
            for r in rows
        ]
    ).set_index("figure")
    text_table(table)  # a static table wraps its text: every column fits a laptop's width


def _advisor_uses(ev) -> bool:
    """Whether the Advisor's weights are the ones sent from this measurement: the
    confirmation says what is true now, for as long as it is (a message shown once and then
    forgotten was gone when any other run came between the click and the screen)."""
    from advisor.shares import whole_percentages

    source = st.session_state.get("bottleneck_source") or {}
    weights = {k: v for k, v in (state.answers().get("bottlenecks") or {}).items() if v}
    mine = {k: v for k, v in whole_percentages(dict(ev.bottlenecks)).items() if v}
    return source.get("file") == ev.source and weights == mine


def _where_work_waits(ev, drawn: dict) -> None:
    st.subheader("Where work waits")
    detail = ev.bottleneck_detail
    if "waiting" not in drawn:
        st.info("No waiting time inside finished items' flow time yet.")
        return
    st.vega_lite_chart(drawn["waiting"], width="stretch")
    shares = fig.percentages_text(ev.bottlenecks)
    st.caption(
        f"Share of {detail['waiting_days']:,.0f} waiting days inside flow time (first active "
        f"status to final done) of {detail['n']:,} items finished in the window: {shares}. "
        "Time in the backlog before work starts is demand, not a bottleneck."
    )
    if ev.teams:
        header, rows = fig.team_table(
            fig.team_figures(ev.teams), ev.document["window"]["business_days"]
        )
        table = pd.DataFrame(
            [cells for _, cells in rows],
            columns=header,
            index=pd.Index([team for team, _ in rows], name="Team"),
        )
        if len(table) <= 6:  # a team a column: eight figures side by side overflow a laptop
            text_table(table.T.rename_axis("Per team"))
        else:  # a team a row, scrolling and sorting
            st.dataframe(table, width="stretch", placeholder=MISSING)
        st.caption("Per team: medians of the items each finished in the window; never per person.")
    st.button(
        "Send this bottleneck to the Advisor", key="evidence_to_advisor", on_click=_send_bottleneck
    )
    if _advisor_uses(ev):
        st.success(f"The Advisor now uses these weights, measured from {md(ev.source)}.")
    with st.expander("What this wait costs a year", key="ev_price_box"):
        _price(ev)


def _price(ev) -> None:
    """The price of the bottleneck: its wait, the items through it, a cost of delay."""
    from advisor.realise.price import backlog_cost_per_item_week, price_of_waiting

    currency = _currency()
    from_backlog, _ = backlog_cost_per_item_week(session.backlog())
    cost = st.number_input(
        f"Cost of delay per work item and week ({currency})",
        min_value=0.0,
        max_value=1e12,
        value=round(from_backlog, 2) if from_backlog is not None else 1000.0,
        step=100.0,
        key="ev_price_cost",
        help="What a week's delay of one work item costs. The default comes from the "
        "backlog on the Cost of delay page (its cost of delay per week over the work items "
        "it holds), if there is one.",
    )
    source = "backlog" if from_backlog is not None and cost == round(from_backlog, 2) else "given"
    price = price_of_waiting(ev, float(cost), currency, source)
    if price is None:
        st.caption("Nothing waits inside the finished items' flow time: there is no price.")
        return
    priced.show(price, "evidence_price_to_roi", "evidence_price")


def _flow(ev, drawn: dict) -> None:
    st.subheader("Flow and SEI")
    _figures(fig.rows(ev.document, "flow") + fig.rows(ev.document, "sei"))
    st.vega_lite_chart(drawn["cfd"], width="stretch")
    left, right = st.columns(2)
    left.vega_lite_chart(drawn["scatter"], width="stretch")
    if drawn["scatter_points"] < drawn["finished"]:
        left.caption(
            f"The latest {drawn['scatter_points']:,} of {drawn['finished']:,} finished items."
        )
    right.vega_lite_chart(drawn["distribution"], width="stretch")


def _dora(ev, key: str) -> None:
    st.subheader("DORA")
    if ev.dora is None:
        st.info("Upload a deployments CSV to see DORA's metrics.")
        return
    d = ev.dora
    _figures(fig.rows(ev.document, "dora"))
    sc = d["score"]
    show = lambda x: registry.show("dora_score", x, "-")  # noqa: E731
    st.caption(
        f"Quick Check score {show(sc['overall'])} (throughput {show(sc['throughput'])}, "
        f"instability {show(sc['instability'])}). {md(d['clusters'])} Incidents: "
        f"{md(d['incident_rule'].replace(' (--incident-window)', ''))}."
    )
    if ev.document.get("rules"):
        st.markdown("**Your data under each tool's rules**")
        lines = fig.rule_rows(ev.document)
        table = pd.DataFrame(
            [
                {
                    "rule set": line["rule_set"],
                    **{registry.label(m): line[m] for m in fig.RULE_METRICS},
                }
                for line in lines
            ]
        ).set_index("rule set")
        text_table(table)
        spread = fig.spread_text(ev.document)
        if spread:
            st.caption(md("Spread: " + "; ".join(spread) + "."))
        with st.expander("Why the figures differ, rule set by rule set", key="ev_rules_why"):
            st.markdown(
                "\n".join(
                    f"- **{md(line['rule_set'])}** (rules checked {md(line['checked'])}): "
                    + md(
                        "; ".join(
                            f"{label.lower()}: {', '.join(reasons)}"
                            for label, reasons in line["reasons"].items()
                        )
                        or "this product's own rules"
                    )
                    for line in lines
                )
            )
            st.caption(
                "Each rule set's public sources and the date they were checked are in "
                "catalog/dora-rules.yaml. Where a tool does not publish a rule, it says so; "
                "nothing is guessed."
            )
    with st.expander("Send to the ROI page's downtime lever", key="ev_roi_lever"):
        _to_roi(ev, key)


ROI_MAX_DEPLOYS = 1e7  # the ROI model's bounds (advisor/roi/schema.py): a lever beyond them
ROI_MAX_HOURS = 8_760.0  # is refused there, so it is capped here, and said so


def _to_roi(ev, key: str) -> None:
    d = ev.dora
    c1, c2 = st.columns(2)
    fail = d["change_fail_rate"]["value"]
    recovery = d["failed_deployment_recovery_time"]["value"]
    per_year = d["deploys_per_year"]["value"]
    if fail is None or per_year is None or recovery is None:
        st.info(
            "The lever needs a deployment frequency, a change fail rate and a recovery time; "
            "these files do not give all three."
        )
        return
    measured = (per_year, recovery * 24)
    per_year = round(min(per_year, ROI_MAX_DEPLOYS), 2)
    hours = round(min(recovery * 24, ROI_MAX_HOURS), 2)
    fail = round(fail, 4)
    suffix = key[:12]  # the inputs start again from what a new measurement gives
    c1.number_input(
        "Deploys a year after", 0.0, ROI_MAX_DEPLOYS, per_year, key=f"ev_roi_deploys_{suffix}"
    )
    c2.number_input(
        "Change fail rate after (%)",
        0.0,
        100.0,
        round(fail * 50, 2),  # half the measured rate, in percent
        key=f"ev_roi_fail_{suffix}",
    )
    c1.number_input(
        "Hours to restore after",
        0.0,
        ROI_MAX_HOURS,
        round(hours / 2, 2),
        key=f"ev_roi_hours_{suffix}",
    )
    c2.number_input(
        f"Cost of an hour down ({_currency()})",
        0.0,
        1e9,
        10000.0,
        step=1000.0,
        key=f"ev_roi_cost_{suffix}",
    )
    capped = per_year < measured[0] - 0.01 or hours < measured[1] - 0.01
    st.caption(
        f"Measured before: {registry.number(per_year)} deployments a year, change fail rate "
        f"{registry.show('change_fail_rate', fail)}, "
        f"{registry.show('failed_deployment_recovery_time', recovery)} to recover"
        + (
            f" (capped at the ROI model's bounds: {ROI_MAX_DEPLOYS:,.0f} deployments a year, "
            f"{ROI_MAX_HOURS:,.0f} hours)"
            if capped
            else ""
        )
        + "."
    )
    st.session_state["evidence_lever"] = {
        "suffix": suffix,
        "source": ev.document["dora"].get("source") or ev.source,
        "before": {"deploys": per_year, "fail": fail, "hours": hours},
    }
    st.button("Send to the ROI page", key="evidence_to_roi", on_click=_send_lever)
    if st.session_state.get("evidence_sent_lever") == _lever():  # true while the inputs stay
        st.success("Added to the ROI page's benefits (a lever sent again replaces it).")


def _currency() -> str:
    """The ROI scenario's currency, where the lever will go (else the Advisor's)."""
    return session.roi_currency()


def _lever() -> dict | None:
    """The downtime lever from the measured figures and the inputs as the user left them
    (read from the state, never from values captured when drawn); None before a measure."""
    lever = st.session_state.get("evidence_lever")
    if not lever:
        return None
    suffix, before = lever["suffix"], lever["before"]
    value = lambda name: float(st.session_state.get(f"ev_roi_{name}_{suffix}", 0.0))  # noqa: E731
    return {
        "name": f"Downtime avoided (measured from {lever['source']})"[:200],
        "downtime_avoided": {
            "deploys_per_year_before": before["deploys"],
            "deploys_per_year_after": value("deploys"),
            "change_fail_rate_before": before["fail"],
            "change_fail_rate_after": value("fail") / 100,  # entered in percent
            "recovery_hours_before": before["hours"],
            "recovery_hours_after": value("hours"),
            "cost_per_hour": value("cost"),
        },
        "start_month": 3,
        "ramp_months": 6,
    }


@uninterrupted
def _send_lever() -> None:
    """Button callback: the lever goes to the ROI page; the page confirms it for as long as
    the inputs are the ones sent."""
    benefit = _lever()
    if benefit is None:
        return
    session.send_lever(benefit)
    st.session_state["evidence_sent_lever"] = benefit


HIDDEN_TEAM = "not shown (fewer than 5 respondents)"


def _dx(ev) -> None:
    st.subheader("DX Core 4")
    _figures(fig.rows(ev.document, "dx_core_4"))
    st.caption(fig.speed_source_text(ev.document))
    eff = ev.dx_core_4["effectiveness"]
    if eff["teams"]:
        st.caption(
            "Effectiveness by team: "
            + md(
                "; ".join(
                    f"{t}: {registry.show('dx_effectiveness', v, HIDDEN_TEAM)}"
                    for t, v in eff["teams"].items()
                )
            )
        )


def _pulls(ev) -> None:
    st.subheader("Pull requests")
    pulls = ev.document.get("pulls")
    if not pulls:
        st.info(
            "Upload pull requests (GitHub or GitLab JSON, or a CSV) to see the cycle time's "
            "split into coding, pickup, review and deploy, their size and the review load."
        )
        return
    c = pulls["counts"]
    _figures(fig.pull_rows(pulls))
    st.caption(
        f"{c['pull_requests']:,} pull requests; {c['merged_in_window']:,} merged in the "
        f"window, {c['measured']:,} of them measured (reverts left out), "
        f"{c['open_at_end']:,} open at its end. Deploy time: "
        f"{md(pulls['cycle_time']['deploy']['rule'])}."
    )
    groups = pulls["review_load"]["groups"]
    if groups:
        table = pd.DataFrame(
            [
                {
                    "reviewer group": name,
                    registry.label("pr_review_load"): registry.show(
                        "pr_review_load", g["reviews_per_week"], MISSING
                    )
                    if g
                    else fig.hidden_group_text(pulls["review_load"]),
                    registry.label("pr_waiting_for_review"): registry.show(
                        "pr_waiting_for_review", g["waiting_for_review"]
                    )
                    if g
                    else MISSING,
                }
                for name, g in groups.items()
            ]
        ).set_index("reviewer group")
        text_table(table)
        st.caption("Review load by team (the reviewer group), never by person.")
    for note in fig.pull_privacy_notes(pulls):
        st.caption(md(note))
    if pulls["set_aside"]:
        st.caption(
            md("Set aside: " + "; ".join(f"{k}: {v:,}" for k, v in pulls["set_aside"].items()))
        )
    wait = ev.bottleneck_detail.get("review_wait")
    if wait:
        st.caption(md(wait["note"]))


@st.cache_data(max_entries=64, show_spinner=False)
def _forecast_for(weekly: tuple[float, ...], items: int, weeks: int) -> dict:
    """The forecast for these weekly counts (seeded: the same answer every time)."""
    from advisor.evidence.forecast import forecast

    return forecast(weekly, items, weeks)


def _forecast(ev) -> None:
    st.subheader("Forecast")
    from advisor.evidence.flow import whole_weeks

    c1, c2 = st.columns(2)
    n = c1.number_input("How long will this many items take?", 1, 10_000, 20, key="ev_fc_items")
    weeks = c2.number_input("How many items by this many weeks?", 1, 520, 8, key="ev_fc_weeks")
    f = _forecast_for(tuple(whole_weeks(ev.prepared).to_numpy().tolist()), int(n), int(weeks))
    if not f.get("weeks_for_items"):
        st.info(f["note"])
        return
    w, k = f["weeks_for_items"], f["items_by_weeks"]
    wk = lambda q: registry.show("forecast_weeks", w[q])  # noqa: E731
    it = lambda q: registry.show("forecast_items", k[q])  # noqa: E731
    st.markdown(
        f"**{n} items** take {wk('p50')} (P50), {wk('p85')} (P85), {wk('p95')} (P95). "
        f"**In {weeks} weeks** at least {it('p50')} items (P50), {it('p85')} (P85), "
        f"{it('p95')} (P95)."
    )
    st.caption(
        f"{f['trials']:,} trials drawing from the last {f['sample_weeks']} whole weeks' "
        "throughput, zero weeks included (a week the window covers only in part is left out)."
    )
    backlog = session.backlog()
    if backlog is None:
        return
    names = {it.id: it.name for it in backlog.items}
    b1, b2 = st.columns([3, 1])
    chosen = b1.selectbox(
        "Fill a backlog item's duration with the P85 weeks for those items",
        list(names),
        format_func=names.get,
        key="ev_fc_target",
    )
    if b2.button("Fill it", key="ev_fc_fill") and w["p85"]:
        session.set_duration(backlog, chosen, float(w["p85"]))
        st.success(f"{md(names[chosen])} now takes {w['p85']:g} weeks on the Cost of delay page.")


def _readiness(ev) -> None:
    st.subheader("What your data can support")
    cols = [*st.columns(2), *st.columns(2)]  # two a row: each list stays readable at 1024 px
    for col, r in zip(cols, ev.readiness.values(), strict=True):
        col.markdown(f"**{r['label']}**: {fig.readiness_line(r)}")
        col.markdown(
            "\n".join(
                f"- **{STATUS_MARK[c['status']]}**: {md(c['label'])} ({md(c['figure'])})"
                for c in r["checks"]
            )
        )


def _options(deployments: bool) -> tuple:
    c1, c2, c3 = st.columns(3)
    engineers = c1.number_input(
        "Engineers (for DX Core 4's speed)",
        1,
        1_000_000,
        int(state.answers().get("engineers", 100)),
        key="ev_engineers",
    )
    start = c2.date_input(
        "Window from (optional)",
        value=None,
        key="ev_from",
        min_value=dt.date(1970, 1, 1),
        max_value=dt.date(2199, 12, 31),
    )
    end = c3.date_input(
        "Window to (optional, inclusive)",
        value=None,
        key="ev_to",
        min_value=dt.date(1970, 1, 1),
        max_value=dt.date(2199, 12, 31),
    )
    c1, c2 = st.columns(2)
    business = c1.checkbox(
        "Count business days only",
        key="ev_business",
        help="Flow time, cycle time, time in status and the waits count weekdays only.",
    )
    bounded = c2.checkbox(
        "Bound incident time-links",
        value=True,
        key="ev_bound_incidents",
        help="An incident with no deployment id is linked to the last successful deployment "
        "before it: within this many hours only, or however long before when unticked "
        "(Apache DevLake's rule).",
    )
    hours = c2.number_input(
        "Hours after a deployment",
        MIN_INCIDENT_HOURS,
        MAX_INCIDENT_HOURS,
        168.0,
        step=24.0,
        format="%g",  # 168, not 168.0; half an hour still reads 0.5
        key="ev_incident_hours",
        disabled=not bounded,
    )
    rules = c1.checkbox(
        "DORA figures under each tool's rules",
        value=True,
        key="ev_rules",
        disabled=not deployments,
        help=None if deployments else "Needs a deployments file.",
    )
    return (
        int(engineers),
        bool(business),
        _ns(start),
        _ns(end + dt.timedelta(days=1)) if end else None,
        float(hours) if bounded else None,
        bool(rules) and deployments,
    )


def _ns(day: dt.date | None) -> int | None:
    if day is None:
        return None
    return (day - dt.date(1970, 1, 1)).days * 86_400_000_000_000


def render() -> None:
    st.title("What does your own data say?")
    st.caption(
        "Where work really waits, and what each kind of platform would show you, measured "
        "from the exports your team already has."
    )
    st.caption(
        "These are team measures for learning, never for ranking people; no figure here is "
        "per person."
    )
    with st.expander("Files", expanded="items" not in _files()):
        _uploads()
    connect_panel.render()  # pull from Jira, GitHub or GitLab; the files pulled come into use
    refused = st.session_state.get("evidence_refused")
    if refused and not st.session_state.get(f"evidence_up_{refused[3]}"):
        # its uploader no longer holds the file (the page was left): an old message
        st.session_state.pop("evidence_refused")
    elif refused:
        state.show_problems(refused[2], refused[0])
    files = _files()
    if "items" not in files:
        st.info("Load the sample or upload a work-items file to begin.")
        return
    options = _options("deployments" in files)
    if options[2] is not None and options[3] is not None and options[3] <= options[2]:
        st.error("The window's end must come after its start.")
        return
    edits = measured.map_text()
    key = measured.key_of(edits, options)
    try:
        ev = measured.measure(key, files, edits, options)
    except (InputError, EvidenceError) as exc:
        state.show_input_error(exc, "The evidence files")
        return
    st.session_state["evidence_summary"] = fig.summary(ev.document)
    session.send_throughput(throughput_of(ev))  # the Cost of delay page's forecast
    st.session_state["evidence_sendable"] = {
        "source": ev.source,
        "bottlenecks": dict(ev.bottlenecks),
        "readiness": {k: fig.readiness_line(r) for k, r in ev.readiness.items()},
    }
    drawn = _charts(key, ev)
    for warning in ev.warnings:
        st.warning(md(warning), icon="⚠️")
    c = ev.counts
    aside = c["set_aside"]
    st.caption(
        f"{c['items']:,} items, {c['transitions']:,} transitions; {c['finished']:,} finished in "
        f"the window {md(fig.window_text(ev.document))}. "
        + (md("Set aside: " + "; ".join(f"{k}: {v:,}" for k, v in aside.items())) if aside else "")
    )
    _readiness(ev)
    with st.expander(  # keyed: its place on the page moves as messages come and go
        "Statuses: stage and active or waiting",
        expanded=bool(ev.statuses["unmapped"]),
        key="ev_statuses",
    ):
        new_map = _status_table(ev)
        if new_map is not None:
            st.session_state["evidence_map_edits"] = dump_yaml(
                new_map.model_dump(exclude_defaults=True)
            )
            st.rerun()
        st.download_button(
            "Download this status map (YAML)",
            lambda: status_map_yaml(ev.mapping),
            "statuses.yaml",
            "application/x-yaml",
            on_click="ignore",
            key="ev_map_yaml",
        )
    _where_work_waits(ev, drawn)
    _flow(ev, drawn)
    _dora(ev, key)
    _dx(ev)
    _pulls(ev)
    _forecast(ev)
