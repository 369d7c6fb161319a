"""Evidence page: the team's own exports show where work waits and what each category
would measure; one click sends the findings to the Advisor, the ROI and the backlog."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from advisor import charts
from advisor.errors import EvidenceError, InputError
from advisor.evidence import (
    SetAside,
    analyse_evidence,
    items_from_upload,
    parse_status_map,
    read_deployments,
    read_incidents,
    read_survey,
)
from advisor.evidence.status_map import StatusMap, StatusRule, status_map_yaml
from advisor.evidence.statuses import STAGES
from advisor.ui import state
from advisor.ui.examples import example_path
from advisor.ui.text import md
from advisor.wording import days, number, share
from advisor.yamlio import dump_yaml

KINDS = {
    "items": ("Work items: transitions CSV or Jira REST JSON", ["csv", "json"]),
    "statuses": ("Status map (YAML, optional)", ["yaml", "yml"]),
    "deployments": ("Deployments CSV (optional)", ["csv"]),
    "incidents": ("Incidents CSV (optional)", ["csv"]),
    "survey": ("Survey CSV (optional)", ["csv"]),
}
SAMPLE = {
    "items": "transitions.csv",
    "statuses": "statuses.yaml",
    "deployments": "deployments.csv",
    "incidents": "incidents.csv",
    "survey": "survey.csv",
}
MAX_UPLOAD_MB = 50
DORA_LABELS = {
    "change_lead_time": "Change lead time",
    "deployment_frequency": "Deployment frequency",
    "change_fail_rate": "Change fail rate",
    "failed_deployment_recovery_time": "Recovery time",
    "deployment_rework_rate": "Rework rate",
}


def _files() -> dict[str, tuple[str, bytes]]:
    return st.session_state.setdefault("evidence_files", {})


def _check(kind: str, name: str, data: bytes) -> None:
    """Read one file on its own, so a bad one is refused before it replaces a good one."""
    aside = SetAside()
    if kind == "items":
        items_from_upload(name, data, aside)
    elif kind == "statuses":
        parse_status_map(data, name)
    elif kind == "deployments":
        read_deployments(data, name, aside)
    elif kind == "incidents":
        read_incidents(data, name, aside)
    else:
        read_survey(data, name)


def _uploads() -> None:
    c1, c2 = st.columns([1, 3])
    if c1.button("Load the sample organisation", key="evidence_sample", type="primary"):
        folder = example_path("evidence")
        st.session_state["evidence_files"] = {
            k: (f"sample {name}", (folder / name).read_bytes()) for k, name in SAMPLE.items()
        }
        st.session_state.pop("evidence_map_edits", None)
    c2.caption(
        "The sample: three teams, 180 items over five months, with long code-review waits "
        "planted. Or upload your own files below; nothing leaves this session."
    )
    cols = st.columns(len(KINDS))
    for col, (kind, (label, types)) in zip(cols, KINDS.items(), strict=True):
        upload = col.file_uploader(
            label, type=types, key=f"evidence_up_{kind}", max_upload_size=MAX_UPLOAD_MB
        )
        if not state.new_upload(f"evidence_up_{kind}", upload):
            continue
        data = upload.getvalue()
        try:
            with st.spinner(f"Reading {md(upload.name)}..."):
                _check(kind, upload.name, data)
        except InputError as exc:
            state.show_input_error(exc, upload.name)
            continue
        _files()[kind] = (upload.name, data)
        if kind in ("items", "statuses"):
            st.session_state.pop("evidence_map_edits", None)
    present = {k: v[0] for k, v in _files().items()}
    if present:
        st.caption("In use: " + md("; ".join(f"{k}: {n}" for k, n in present.items())))


@st.cache_data(max_entries=8, show_spinner="Measuring...")
def _measure(files_key: str, _files: dict, map_yaml: str, engineers: int, business: bool):
    """The analysis, cached by the files' digest, the status map and the options."""
    aside = SetAside()
    name, data = _files["items"]
    items = items_from_upload(name, data, aside)
    status_map = parse_status_map(map_yaml, "the status table") if map_yaml else None
    deploys = (
        read_deployments(_files["deployments"][1], _files["deployments"][0], aside)
        if ("deployments" in _files)
        else None
    )
    incidents = (
        read_incidents(_files["incidents"][1], _files["incidents"][0], aside)
        if ("incidents" in _files)
        else None
    )
    survey = read_survey(_files["survey"][1], _files["survey"][0]) if "survey" in _files else None
    return analyse_evidence(
        items, aside, status_map, deploys, incidents, survey, engineers, business, source=name
    )


def _status_table(ev) -> StatusMap | None:
    """The status mapping as an editable table; edits feed the next measurement."""
    rows = pd.DataFrame(
        [
            {"status": s, "stage": r["stage"], "active": r["active"], "source": r["source"]}
            for s, r in ev.statuses["rules"].items()
        ]
    )
    st.caption(
        "Map each status to a stage, and say whether work is done there (active) or waits. "
        "Statuses marked unmapped were guessed as development, waiting."
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
    )
    changed = edited[(edited["stage"] != rows["stage"]) | (edited["active"] != rows["active"])]
    if changed.empty:
        return None
    return StatusMap(
        statuses={
            r["status"]: StatusRule(stage=r["stage"], active=bool(r["active"]))
            for _, r in edited.iterrows()
        },
        types={t: v["item"] for t, v in ev.statuses["types"].items()},
    )


def _send_bottleneck(ev) -> None:
    answers = state.answers()
    data = {**answers, "bottlenecks": {k: round(v * 100) for k, v in ev.bottlenecks.items()}}
    for loc in ("ideation", "development", "deployment", "operations", "support"):
        data["bottlenecks"].setdefault(loc, 0)
    state.replace_answers(data)
    st.session_state["bottleneck_source"] = {
        "file": ev.source,
        "weights": dict(data["bottlenecks"]),
    }


def _where_work_waits(ev) -> None:
    st.subheader("Where work waits")
    detail = ev.bottleneck_detail
    if not detail["waiting_days"]:
        st.info("No waiting time inside finished items' flow time yet.")
        return
    st.altair_chart(charts.waiting_chart(detail), width="stretch")
    shares = ", ".join(f"{k} {v:.0%}" for k, v in ev.bottlenecks.items())
    st.caption(
        f"Share of {detail['waiting_days']:,.0f} waiting days inside flow time (first active "
        f"status to final done): {shares}. Time in the backlog before work starts is demand, "
        "not a bottleneck."
    )
    if ev.teams:
        table = pd.DataFrame(
            {
                team: {
                    **{f"waits in {k}": v for k, v in t["bottlenecks"].items()},
                    "finished": t.get("finished"),
                    "flow time (median days)": t.get("flow_time_median_days"),
                    "cycle time (median days)": t.get("cycle_time_median_days"),
                    "flow efficiency": t.get("flow_efficiency_median"),
                }
                for team, t in ev.teams.items()
            }
        ).T
        st.dataframe(
            table,
            width="stretch",
            column_config={
                **{
                    c: st.column_config.NumberColumn(format="percent")
                    for c in table.columns
                    if c.startswith("waits in") or c == "flow efficiency"
                },
            },
        )
    if st.button("Send this bottleneck to the Advisor", key="evidence_to_advisor"):
        _send_bottleneck(ev)
        st.success(f"The Advisor now uses these weights, measured from {md(ev.source)}.")


def _flow(ev) -> None:
    st.subheader("Flow and SEI")
    flow, sei = ev.flow, ev.sei
    m = st.columns(5)
    m[0].metric(
        "Flow time (median)",
        days(flow["flow_time_days"]["median"]),
        help=f"P85 {days(flow['flow_time_days']['p85'])}; {flow['percentiles']}",
    )
    m[1].metric(
        "Flow efficiency (median)",
        share(flow["flow_efficiency"]["median"]),
        help="active time / flow time, per finished item",
    )
    velocity = flow["velocity_per_week"]
    cut = ", ".join(velocity["weeks_left_out"])
    m[2].metric(
        "Velocity (median / week)",
        number(velocity["median"]),
        help=f"items done, over {velocity['weeks']} whole weeks"
        + (f"; the data begins or ends in the weeks of {cut}: left out" if cut else ""),
    )
    m[3].metric(
        "Cycle time (median)",
        days(sei["cycle_time_days"]["median"]),
        help="first active development status to done",
    )
    m[4].metric(
        "Work in progress",
        str(sei["wip"]),
        help=f"median age {days(sei['wip_age_days']['median'])}",
    )
    from advisor.evidence.flow import cumulative_flow

    st.altair_chart(charts.cfd_chart(cumulative_flow(ev.prepared)), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(
        charts.cycle_scatter(
            ev.prepared.items, sei["cycle_time_days"]["median"], sei["cycle_time_days"]["p85"]
        ),
        width="stretch",
    )
    right.altair_chart(charts.distribution_chart(flow["distribution_by_week"]), width="stretch")


def _dora(ev) -> None:
    st.subheader("DORA")
    if ev.dora is None:
        st.info("Upload a deployments CSV to see DORA's metrics.")
        return
    d = ev.dora
    cols = st.columns(5)
    for col, (key, label) in zip(cols, DORA_LABELS.items(), strict=True):
        m = d[key]
        value = m["value"]
        shown = "-" if value is None else share(value) if "share" in m["unit"] else f"{value:.2f}"
        col.metric(label, shown, help=md(m["unit"]))
        col.caption(f"cluster {m['cluster'] or '-'}, score {number(m['score'])} / 10")
    sc = d["score"]
    st.caption(
        f"Quick Check score {number(sc['overall'])} (throughput {number(sc['throughput'])}, "
        f"instability {number(sc['instability'])}). Deployment days per week "
        f"{d['deployment_frequency']['deployment_days_per_week']:.1f}. {md(d['clusters'])} "
        f"Incidents: {md(d['incident_rule'])}."
    )
    with st.expander("Send to the ROI page's downtime lever"):
        c1, c2, c3, c4 = st.columns(4)
        fail = d["change_fail_rate"]["value"]
        hours = (d["failed_deployment_recovery_time"]["value"] or 0) * 24
        per_year = d["deploys_per_year"]
        after_deploys = c1.number_input("Deploys a year after", 0.0, 1e6, float(round(per_year)))
        after_fail = c2.number_input("Change fail rate after", 0.0, 1.0, round(fail / 2, 3))
        after_hours = c3.number_input("Hours to restore after", 0.0, 8760.0, round(hours / 2, 2))
        cost = c4.number_input("Cost of an hour down", 0.0, 1e9, 10000.0, step=1000.0)
        st.caption(
            f"Measured before: {per_year:,.0f} deploys a year, change fail rate {fail:.1%}, "
            f"{hours:.1f} hours to restore."
        )
        if st.button("Send to the ROI page", key="evidence_to_roi"):
            st.session_state.setdefault("roi_pending_levers", []).append(
                {
                    "name": f"Downtime avoided (measured from {ev.source})",
                    "downtime_avoided": {
                        "deploys_per_year_before": round(per_year, 2),
                        "deploys_per_year_after": after_deploys,
                        "change_fail_rate_before": round(fail, 4),
                        "change_fail_rate_after": after_fail,
                        "recovery_hours_before": round(hours, 2),
                        "recovery_hours_after": after_hours,
                        "cost_per_hour": cost,
                    },
                    "start_month": 3,
                    "ramp_months": 6,
                }
            )
            st.success("Added to the ROI page's benefits.")


def _dx(ev) -> None:
    st.subheader("DX Core 4")
    dx = ev.dx_core_4
    cols = st.columns(4)
    for col, (key, label) in zip(
        cols,
        (
            ("speed", "Speed"),
            ("effectiveness", "Effectiveness"),
            ("quality", "Quality"),
            ("impact", "Impact"),
        ),
        strict=True,
    ):
        value = dx[key]["value"]
        shown = "-" if value is None else f"{value:.2f}" if key == "speed" else share(value)
        col.metric(label, shown, help=md(dx[key]["unit"]))
    teams = {k: v for k, v in dx["effectiveness"]["teams"].items()}
    if teams:
        st.caption(
            "Effectiveness by team: "
            + md(
                "; ".join(
                    f"{t}: {'not shown (fewer than 5)' if v is None else f'{v:.0%}'}"
                    for t, v in teams.items()
                )
            )
        )


def _forecast(ev) -> None:
    st.subheader("Forecast")
    from advisor.evidence.flow import full_weeks
    from advisor.evidence.forecast import forecast

    c1, c2 = st.columns(2)
    n = c1.number_input("How long will this many items take?", 1, 10_000, 20, key="ev_fc_items")
    weeks = c2.number_input("How many items by this many weeks?", 1, 520, 8, key="ev_fc_weeks")
    f = forecast(full_weeks(ev.prepared).to_numpy(), n, weeks)
    if "weeks_for_items" not in f:
        st.info(f["note"])
        return
    w, k = f["weeks_for_items"], f["items_by_weeks"]
    st.markdown(
        f"**{n} items** take {number(w['p50'])} weeks (P50), {number(w['p85'])} (P85), "
        f"{number(w['p95'])} (P95). **In {weeks} weeks** at least {number(k['p50'])} items "
        f"(P50), {number(k['p85'])} (P85), {number(k['p95'])} (P95)."
    )
    st.caption(
        f"{f['trials']:,} trials drawing from the last {f['sample_weeks']} whole weeks' "
        "throughput, zero weeks included (a week the data begins or ends in is left out)."
    )
    backlog = st.session_state.get("delay_good")
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
        from advisor.ui.pages.delay import set_duration

        set_duration(chosen, float(w["p85"]))
        st.success(f"{md(names[chosen])} now takes {w['p85']:g} weeks on the Cost of delay page.")


def render() -> None:
    st.title("What does your own data say?")
    st.caption(
        "Where work really waits, and what each kind of platform would show you, measured "
        "from the exports your team already has."
    )
    st.caption(
        ":material/psychology: These are team measures for learning, never for ranking "
        "people; no figure here is per person."
    )
    with st.expander("Files", expanded="items" not in _files()):
        _uploads()
    files = _files()
    if "items" not in files:
        st.info("Load the sample or upload a work-items file to begin.")
        return
    c1, c2 = st.columns(2)
    engineers = c1.number_input(
        "Engineers (for DX Core 4's speed)",
        1,
        1_000_000,
        int(state.answers().get("engineers", 100)),
        key="ev_engineers",
    )
    business = c2.checkbox("Count business days only", key="ev_business")
    edits = st.session_state.get("evidence_map_edits", "")
    if not edits and "statuses" in files:
        edits = files["statuses"][1].decode("utf-8", "replace")
    key = hashlib.sha256(b"".join(n.encode() + d for n, d in files.values())).hexdigest()
    try:
        ev = _measure(key, files, edits, int(engineers), bool(business))
    except (InputError, EvidenceError) as exc:
        state.show_input_error(exc, "The evidence files")
        return
    st.session_state["evidence_summary"] = summary_of(ev)
    for warning in ev.warnings:
        st.warning(md(warning), icon=":material/warning:")
    aside = ev.counts["set_aside"]
    st.caption(
        f"{ev.counts['items']:,} items, {ev.counts['transitions']:,} transitions, data up to "
        f"{ev.counts['as_of'][:10]}. "
        + (md("Set aside: " + "; ".join(f"{v:,} {k}" for k, v in aside.items())) if aside else "")
    )
    with st.expander(
        "Statuses: stage and active or waiting", expanded=bool(ev.statuses["unmapped"])
    ):
        new_map = _status_table(ev)
        if new_map is not None:
            st.session_state["evidence_map_edits"] = dump_yaml(new_map.model_dump())
            st.rerun()
        st.download_button(
            "Download this status map (YAML)",
            lambda: status_map_yaml(ev.mapping),
            "statuses.yaml",
            "application/x-yaml",
            on_click="ignore",
            key="ev_map_yaml",
        )
    _where_work_waits(ev)
    _flow(ev)
    _dora(ev)
    _dx(ev)
    _forecast(ev)


def summary_of(ev) -> dict:
    """What a scenario keeps of the evidence: its headline figures, not the files."""
    dora = {}
    if ev.dora:
        for key in DORA_LABELS:
            dora[key] = ev.dora[key]["value"]
        dora["score"] = ev.dora["score"]["overall"]
    flow = {
        "flow_time_median_days": ev.flow["flow_time_days"]["median"],
        "flow_efficiency_median": ev.flow["flow_efficiency"]["median"],
        "velocity_per_week_median": ev.flow["velocity_per_week"]["median"],
        "cycle_time_median_days": ev.sei["cycle_time_days"]["median"],
    }
    return {"source": ev.source[:500], "bottlenecks": ev.bottlenecks, "dora": dora, "flow": flow}
